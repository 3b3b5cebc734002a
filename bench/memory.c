/*
 * memory.c: what a parked goroutine costs in memory.
 *
 *   ParkedMemory  unit bytes/goroutine: the resident set with 1,000,000
 *                 goroutines parked (pool.h), minus the resident set before
 *                 the pool first grew, over 1,000,000; reported as the
 *                 counter bytes_per_goroutine. The timed op is empty; one
 *                 iteration. It runs first (main.c) so that the baseline
 *                 holds no goroutine memory. With SL_STACKRELEASE=1 (or
 *                 2) the parked goroutines' stacks are released first, all
 *                 at once by sl_debug_freeosmemory rather than at sysmon's
 *                 pace (a million take it 10-40 s), and the release's time
 *                 is the counter release_seconds.
 */
#include <schedlab.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalogue.h"
#include "pool.h"

enum { parked = 1000000 };

static void parked_memory(gb_state *st)
{
	pool_resize(parked);
	const char *rel = getenv("SL_STACKRELEASE");
	double release_s = -1;
	if (rel && *rel && strcmp(rel, "0") != 0) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		sl_debug_freeosmemory();
		clock_gettime(CLOCK_MONOTONIC, &t1);
		release_s =
		    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	}
	double per_g = (double)(resident_bytes() - pool_baseline_rss()) / parked;
	while (gb_keep_running(st))
		gb_clobber_memory();
	gb_counter(st, "bytes_per_goroutine", per_g, GB_COUNTER_DEFAULT);
	if (release_s >= 0)
		gb_counter(st, "release_seconds", release_s, GB_COUNTER_DEFAULT);
	pool_resize(0);
}

void register_memory(void)
{
	static const struct bench_def def = {
	    .name = "ParkedMemory", .body = parked_memory, .iterations = 1, .parked_pool = true};
	if (parked <= bench_max_parked())
		bench_register(&def);
}
