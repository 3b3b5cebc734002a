/*
 * sim_props.h: the global properties the simulator checks in every run
 * (sim_props.c) and what they need of os_sim.c. Work conservation, timer
 * lateness, and the starving G a livelock report names. The core sees none
 * of it but its two hooks, sim_g_status (the G status macros, runtime.h)
 * and sim_timers_changed (time.c), which only record.
 */
#ifndef SCHEDLAB_SIM_PROPS_H
#define SCHEDLAB_SIM_PROPS_H

#include <stddef.h>
#include <stdint.h>

struct g;
struct p;

/*
 * The bound of both properties, in virtual ns: a runnable G that an idle P
 * could take, or a due timer that an idle P's M could run, waits at most
 * this long. See sim_props.c for why 10 ms.
 */
#define SIM_PROP_BOUND (10LL * 1000 * 1000)

/* The run's bounds (sl_sim_run) and the main function's (sim_main): the
 * properties hold only while main runs, not during the bootstrap and the
 * teardown. */
void sim_props_run_begin(void);
void sim_props_main(int on);

/* At every scheduling point, after the clock moved: check both properties
 * at virtual time now; a violation fails the run. */
void sim_props_check(int64_t now);

/* For a livelock or hang report: the runnable G that has waited longest,
 * as text ("g12 in P0's ring, runnable since step 8 (t=1000400 ns)"), or
 * "no G is runnable". */
void sim_props_starving(char *buf, size_t n);

/* The hooks (SIMHOOK): gp's status went from oldval to newval; pp's timer
 * heap changed. */
void sim_g_status(struct g *gp, uint32_t oldval, uint32_t newval);
void sim_timers_changed(struct p *pp);

/* os_sim.c: fail the run (say what, at which step and time; abort). */
__attribute__((noreturn)) void sim_fail(const char *what);

#endif
