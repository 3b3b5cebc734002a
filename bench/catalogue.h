/*
 * catalogue.h: how a benchmark of the C catalogue is declared, and the few
 * helpers the benchmark files share.
 *
 * A benchmark body is plain C that runs as a goroutine: bench_register wraps
 * it so that Google Benchmark's thread enters the runtime through sl_run,
 * and GOMAXPROCS is set to the run's procs argument before the body starts
 * (and before its timer does). The body finds procs with sl_gomaxprocs(0).
 *
 * Names follow bench/README.md: NAME/[ARG:value/]procs:P/process_time/real_time
 * (or manual_time), procs being 1 and the CPU count, or either alone.
 */
#ifndef BENCH_CATALOGUE_H
#define BENCH_CATALOGUE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "gbench.h"

struct bench_def {
	const char *name;
	void (*body)(gb_state *st);
	const char *arg_name;	   /* one argument before procs, or NULL */
	const int64_t *arg_values; /* its values (arg_count of them) */
	int arg_count;
	bool procs1_only;   /* registered at procs 1 only */
	bool procsN_only;   /* at procs N only (not at all on one CPU) */
	bool manual_time;   /* the body reports its own time (gb_set_iteration_time) */
	int64_t iterations; /* a fixed iteration count, or 0 to let the harness decide */
	bool parked_pool;   /* sizes the pool of pool.h itself; others run with it empty */
};

/* Registers d with Google Benchmark; call before gb_main. d must outlive the
 * run. */
void bench_register(const struct bench_def *d);

/* SCHEDLAB_BENCH_MAX_PARKED=K: the benchmarks that park more than K
 * goroutines are not registered (ci/nightly --quick leaves out the million);
 * unset, no limit. The Go twins read the same variable. */
int64_t bench_max_parked(void);

/* The value of d->arg_name for this run. */
static inline int64_t bench_arg(const gb_state *st)
{
	return gb_arg_value(st, 0);
}

/* CLOCK_MONOTONIC in nanoseconds: what Go's nanotime reads. */
static inline int64_t bench_nanotime(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* SpawnWait's op, n times: goroutines spawned in batches of 1000, each
 * calling sl_waitgroup_done, each batch waited for. From a goroutine. */
void spawn_wait(int64_t n);

/* Each benchmark file registers its benchmarks in one function; main.c calls
 * them in catalogue order. */
void register_memory(void);
void register_pingpong(void);
void register_chan(void);
void register_spawn(void);
void register_wakeup(void);
void register_gomaxprocs(void);
void register_syscall(void);
void register_timer(void);
void register_scale(void);
void register_switch(void);

#endif
