# runtime/core: the scheduler, channels, sync and time; the same files in
# every build, over whichever OS backend and architecture.
set(SL_CORE_SOURCES
  chan.c
  debug.c
  errors.c
  gdb_scripts.c
  goroutine.c
  lock.c
  proc.c
  rt0.c
  runq.c
  schedcheck.c
  select.c
  sema.c
  stack.c
  stackrelease.c
  stw.c
  sync.c
  syscall.c
  sysmon.c
  time.c
  traceback.c
)
set_source_files_properties(core/gdb_scripts.c PROPERTIES COMPILE_DEFINITIONS "SL_GDB_SCRIPT=\"${PROJECT_SOURCE_DIR}/scripts/schedlab-gdb.py\"")
