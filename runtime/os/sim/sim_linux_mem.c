/*
 * sim_linux_mem.c: the Linux backend's mem.c as the simulation compiles it:
 * everything as it is, except that os_stackmap, os_stackunmap and
 * os_stackguard are compiled as linux_stackmap, linux_stackunmap and
 * linux_stackguard (declared in sim.h), for sim_mem.c, which keeps the
 * mappings of finished runs for the next one and calls these to map, guard
 * and unmap for real. The renaming covers os.h's declarations too (mem.c
 * includes it after these lines), so the two names cannot drift apart.
 */
#define os_stackmap   linux_stackmap
#define os_stackunmap linux_stackunmap
#define os_stackguard linux_stackguard
#include "../linux/mem.c"
