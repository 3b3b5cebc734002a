/*
 * gdb_scripts.c: a .debug_gdb_scripts entry naming scripts/schedlab-gdb.py,
 * as Go's linker names runtime-gdb.py, so that gdb offers to load the
 * schedlab commands (info goroutines, goroutine N bt, info sched) for every
 * program linked with libschedlab.
 *
 * SL_GDB_SCRIPT is the script's absolute path in the source tree (set in
 * sources.cmake); gdb loads it if it lies under the auto-load safe path:
 *   add-auto-load-safe-path /path/to/schedlab/scripts/schedlab-gdb.py
 * in ~/.gdbinit. `info auto-load python-scripts` shows what gdb found. A
 * relative name is looked up in gdb's current directory and source path.
 *
 * The entry is a byte 1 (a Python script file) and a NUL-terminated name;
 * the "MS" flags let the linker merge duplicates.
 */
#ifndef SL_GDB_SCRIPT
#define SL_GDB_SCRIPT "scripts/schedlab-gdb.py"
#endif

__asm__(".pushsection \".debug_gdb_scripts\", \"MS\", %progbits, 1\n"
	".byte 1\n"
	".asciz \"" SL_GDB_SCRIPT "\"\n"
	".popsection\n");
