# runtime/os/linux: the real backend, threads and futexes (libschedlab).
set(SL_OS_SOURCES os_linux.c mem.c signal.c fork.c fault.c)
