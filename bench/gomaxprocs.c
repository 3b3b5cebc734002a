/*
 * gomaxprocs.c: the cost of changing GOMAXPROCS, i.e. a stop-the-world plus
 * procresize plus a start-the-world.
 *
 *   GOMAXPROCSChange      one op: one sl_gomaxprocs call that changes the
 *                         value, alternating between procs and 2*procs.
 *   GOMAXPROCSSweep/ps=K  the same alternating between K and 2K, for
 *                         K = 1, 2, 4, ..., 512: 1 to 1024 Ps. Procs 1.
 */
#include <schedlab.h>

#include "catalogue.h"

/* n changes between lo and hi, starting from lo; false if a call did not
 * report the value the previous one set. */
static bool alternate(int lo, int hi, int64_t n)
{
	bool ok = true;
	for (int64_t i = 0; i < n; i++) {
		int want_prev = i % 2 == 0 ? lo : hi;
		ok &= sl_gomaxprocs(i % 2 == 0 ? hi : lo) == want_prev;
	}
	return ok;
}

static void gomaxprocs_between(gb_state *st, int lo, int hi)
{
	int64_t n = gb_max_iterations(st);
	int procs = sl_gomaxprocs(lo);
	bool ok = true;

	while (gb_keep_running_batch(st, n))
		ok = alternate(lo, hi, n);
	sl_gomaxprocs(procs);
	if (!ok)
		gb_skip_with_error(st, "GOMAXPROCS did not hold the value set");
}

static void gomaxprocs_change(gb_state *st)
{
	int procs = sl_gomaxprocs(0);
	gomaxprocs_between(st, procs, 2 * procs);
}

static void gomaxprocs_sweep(gb_state *st)
{
	int k = (int)bench_arg(st);
	gomaxprocs_between(st, k, 2 * k);
}

void register_gomaxprocs(void)
{
	static const int64_t ps[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
	static const struct bench_def defs[] = {
	    {.name = "GOMAXPROCSChange", .body = gomaxprocs_change},
	    {.name = "GOMAXPROCSSweep",
	     .body = gomaxprocs_sweep,
	     .arg_name = "ps",
	     .arg_values = ps,
	     .arg_count = sizeof ps / sizeof ps[0],
	     .procs1_only = true},
	};
	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
		bench_register(&defs[i]);
}
