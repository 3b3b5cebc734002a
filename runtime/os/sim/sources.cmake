# runtime/os/sim: the simulation backend, every M a fiber on the caller's
# thread in virtual time (libschedlab_sim).
set(SL_OS_SOURCES os_sim.c sim_cover.c teardown.c)
