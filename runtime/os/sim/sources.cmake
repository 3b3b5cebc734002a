# runtime/os/sim: the simulation backend, every M a fiber on the caller's
# thread in virtual time (libschedlab_sim). Its stack memory is the host's:
# the Linux backend's mem.c.
set(SL_OS_SOURCES os_sim.c sim_cover.c ../linux/mem.c)
