/*
 * memory.c: what a parked goroutine costs in memory.
 *
 *   ParkedMemory  unit bytes/goroutine: the resident set with 1,000,000
 *                 goroutines parked (pool.h), minus the resident set before
 *                 the pool first grew, over 1,000,000; reported as the
 *                 counter bytes_per_goroutine. The timed op is empty; one
 *                 iteration. It runs first (main.c) so that the baseline
 *                 holds no goroutine memory.
 */
#include <schedlab.h>

#include "catalogue.h"
#include "pool.h"

enum { parked = 1000000 };

static void parked_memory(gb_state *st)
{
	pool_resize(parked);
	double per_g = (double)(resident_bytes() - pool_baseline_rss()) / parked;
	while (gb_keep_running(st))
		gb_clobber_memory();
	gb_counter(st, "bytes_per_goroutine", per_g, GB_COUNTER_DEFAULT);
	pool_resize(0);
}

void register_memory(void)
{
	static const struct bench_def def = {
	    .name = "ParkedMemory", .body = parked_memory, .iterations = 1, .parked_pool = true};
	if (parked <= bench_max_parked())
		bench_register(&def);
}
