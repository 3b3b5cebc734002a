/*
 * scale.c: spawning while many goroutines are alive.
 *
 *   ScaleSpawn/parked=K  SpawnWait's op (spawn.c) with K = 1000, 10000,
 *                        100000 and 1000000 goroutines parked (pool.h) for
 *                        the whole run. One op: one goroutine.
 *
 * The pool keeps its size from one run to the next; the next benchmark that
 * does not use it empties it (catalogue.c).
 */
#include <schedlab.h>

#include "catalogue.h"
#include "pool.h"

static void scale_spawn(gb_state *st)
{
	int64_t n = gb_max_iterations(st);

	pool_resize(bench_arg(st));
	while (gb_keep_running_batch(st, n))
		spawn_wait(n);
}

void register_scale(void)
{
	static const int64_t parked[] = {1000, 10000, 100000, 1000000};
	static struct bench_def def = {
	    .name = "ScaleSpawn",
	    .body = scale_spawn,
	    .arg_name = "parked",
	    .arg_values = parked,
	};

	while ((size_t)def.arg_count < sizeof parked / sizeof parked[0] &&
	       parked[def.arg_count] <= bench_max_parked())
		def.arg_count++;
	if (def.arg_count > 0)
		bench_register(&def);
}
