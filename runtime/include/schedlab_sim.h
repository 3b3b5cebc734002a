/*
 * schedlab_sim.h: run a whole runtime deterministically inside the calling
 * thread (link with libschedlab_sim, not libschedlab).
 *
 * Every M is a fiber; the simulator decides which M runs at each
 * scheduling point, from a choice source: a seeded PRNG, PCT, or a stream
 * of bytes (the fuzzer's input). Time is virtual. The same configuration
 * and the same main function give the same run, every time, and a run
 * leaves nothing behind, so a process may run as many as it likes.
 *
 * In every run the simulator checks global properties and fails the run
 * (abort, with a "sim: ..." line) when one breaks: work conservation (while
 * a P is idle and no M spins, no G waits runnable in a queue another M could
 * take it from for more than 10 ms of virtual time) and timer lateness (no
 * timer fires more than 10 ms late while a P is idle). A run stopped for
 * too many steps or too much virtual time names the G that starves.
 */
#ifndef SCHEDLAB_SIM_H
#define SCHEDLAB_SIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum sl_sim_choice {
	SL_SIM_RANDOM, /* switch Ms at random, from seed */
	SL_SIM_PCT,    /* probabilistic concurrency testing, depth pct_depth */
	SL_SIM_BYTES,  /* one byte per decision; then SL_SIM_RANDOM from seed */
};

struct sl_sim_config {
	enum sl_sim_choice choice;
	uint64_t seed;
	int pct_depth;	      /* PCT: priority change points + 1 (default 3) */
	uint64_t pct_steps;   /* PCT: steps the change points spread over (default 20000) */
	const uint8_t *bytes; /* SL_SIM_BYTES: the decisions */
	size_t nbytes;
	int ncpu;	    /* CPUs the runtime sees (default 4) */
	int gomaxprocs;	    /* at start-up (default ncpu); GOMAXPROCS is ignored */
	uint64_t max_steps; /* a run longer than this is a livelock (default 20M) */
	int64_t max_time;   /* virtual ns; longer is a hang (default 600 s) */
	int trace;	    /* print every decision; SL_SIM_TRACE=1 also sets it */
	int trace_fd;	    /* where the trace goes (0: stderr) */
};

/*
 * Start a runtime, run main(arg) as its main goroutine, and tear the
 * runtime down when main returns. Returns main's value. A runtime invariant
 * broken during the run aborts the process with Go's message, as the real
 * runtime does. Not reentrant; not with a real runtime in the process.
 */
int sl_sim_run(const struct sl_sim_config *cfg, int (*main)(void *), void *arg);

/* Within a run: scheduling decisions so far, and the virtual clock. */
uint64_t sl_sim_steps(void);
int64_t sl_sim_now(void);

/*
 * Within a run, on a goroutine: one iteration of a compute loop. A
 * scheduling point (virtual time passes, other Ms may run) that does not
 * enter the scheduler: the goroutine keeps its P, as a CPU-bound goroutine
 * does, which schedlab never preempts. Outside a run: an error message,
 * nothing else.
 */
void sl_sim_spin(void);

/*
 * Transition coverage. Every P and G status change, every procresize path
 * and a few other named events are counted by site across runs. Write them
 * as lines "kind from to site count" to f (a FILE *), or reset them.
 */
void sl_sim_coverage_write(void *f);
void sl_sim_coverage_reset(void);

#ifdef __cplusplus
}
#endif
#endif
