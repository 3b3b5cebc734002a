/*
 * catalogue.c: bench_register, the bridge from a Google Benchmark run to a
 * goroutine.
 *
 * Google Benchmark calls the registered function on one of its own threads,
 * which is not a goroutine. run_on_goroutine enters the runtime with sl_run;
 * the goroutine sets GOMAXPROCS to the run's procs (a stop-the-world, outside
 * the timed region since the body has not started its timer), empties the
 * parked pool unless the body sizes it, and calls the body. The state is touched only by that
 * goroutine until sl_run returns, so it needs no lock even though the goroutine may move between
 * threads.
 *
 * CPU time is the whole process's (MeasureProcessCPUTime, the /process_time in
 * every name). Google Benchmark's default reads the CPU clock of the thread
 * that starts and stops the timer: here a goroutine, which at procs > 1 may
 * start it on one M and stop it on another (0 ns was read at procs 2), while
 * the benchmark's other goroutines run on other Ms.
 */
#include <schedlab.h>
#include <stdio.h>
#include <stdlib.h>

#include "catalogue.h"
#include "pool.h"

struct bench_call {
	const struct bench_def *def;
	gb_state *st;
};

static void body_goroutine(void *arg)
{
	struct bench_call *call = arg;
	int procs_index = call->def->arg_name != NULL ? 1 : 0;

	if (!call->def->parked_pool)
		pool_resize(0);
	sl_gomaxprocs((int)gb_arg_value(call->st, procs_index));
	call->def->body(call->st);
}

static void run_on_goroutine(gb_state *st, void *ctx)
{
	struct bench_call call = {.def = ctx, .st = st};

	if (sl_run(body_goroutine, &call) != 0)
		gb_skip_with_error(st, "sl_run failed");
}

/* The whole number >= 1 in environment variable `name`, or `unset`; a bad
 * value stops the program before anything runs. */
static int64_t env_count(const char *name, int64_t unset)
{
	const char *s = getenv(name);
	char *end;

	if (s == NULL)
		return unset;
	long long v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 1) {
		fprintf(stderr, "schedlab_bench: %s=%s: want a whole number >= 1\n", name, s);
		exit(2);
	}
	return v;
}

/* SCHEDLAB_BENCH_ITERATIONS=N: every benchmark runs exactly N iterations,
 * once (for instruction counts under callgrind: scripts/opcount). 0 when
 * unset. */
static int64_t fixed_iterations(void)
{
	static int64_t n = -1;
	if (n < 0)
		n = env_count("SCHEDLAB_BENCH_ITERATIONS", 0);
	return n;
}

int64_t bench_max_parked(void)
{
	static int64_t n = -1;
	if (n < 0)
		n = env_count("SCHEDLAB_BENCH_MAX_PARKED", INT64_MAX);
	return n;
}

void bench_register(const struct bench_def *d)
{
	static const char *const procs_only[] = {"procs"};
	const char *const with_arg[] = {d->arg_name, "procs"};
	int64_t procs[2] = {1, sl_numcpu()};
	if (d->procsN_only && procs[1] == 1)
		return; /* N is 1: nothing to register */
	int first = d->procsN_only ? 1 : 0;
	int nprocs = d->procs1_only || procs[1] == 1 ? 1 : 2;
	gb_benchmark *b = gb_register(d->name, run_on_goroutine, (void *)d);

	if (d->arg_name != NULL) {
		gb_arg_names(b, with_arg, 2);
		for (int i = 0; i < d->arg_count; i++)
			for (int j = first; j < nprocs; j++)
				gb_args(b, (int64_t[]){d->arg_values[i], procs[j]}, 2);
	} else {
		gb_arg_names(b, procs_only, 1);
		for (int j = first; j < nprocs; j++)
			gb_arg(b, procs[j]);
	}
	gb_process_cpu_time(b);
	if (d->manual_time)
		gb_manual_time(b);
	else
		gb_real_time(b);
	if (fixed_iterations() > 0)
		gb_iterations(b, fixed_iterations());
	else if (d->iterations > 0)
		gb_iterations(b, d->iterations);
}
