/*
 * sim.h: what the files of the simulation backend share (os_sim.c,
 * sim_cover.c, sim_mem.c, sim_linux_mem.c). The core sees none of it: its
 * hooks are in os.h.
 */
#ifndef SCHEDLAB_SIM_INTERNAL_H
#define SCHEDLAB_SIM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether a run is on and its decisions are traced (SL_SIM_TRACE): the
 * function, and the flag it reads (os_sim.c). */
bool sim_tracing(void);
extern bool sim_trace_on;

/* The Linux backend's os_stackmap, os_stackunmap and os_stackguard
 * (os/linux/mem.c, compiled under these names by sim_linux_mem.c), which
 * sim_mem.c calls behind its cache of mappings. */
void *linux_stackmap(size_t len);
void linux_stackunmap(void *p, size_t len);
const char *linux_stackguard(char *base, size_t stride, size_t guard, int32_t n, bool protect);

/*
 * The race detector's view of the simulator (sim_race.c; it acts only in
 * the fine build, SL_SIM_FINE). Threads are named by id; -1 is the host.
 * os_sim.c calls these at the happens-before edges that are not memory
 * accesses: a thread's creation, a futex wake, and the run's bounds.
 */
void sim_race_run_begin(void);
void sim_race_run_end(void);
void sim_race_thread_new(int parent, int child);
void sim_race_wake(int waker, int wakee);
/* The running simulated thread's id, and a scheduling point at an access
 * (the fine build's hooks). */
int sim_current_tid(void);
void sim_access_point(const char *what);

#endif
