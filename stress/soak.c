/*
 * soak.c: the soak's main goroutine: the command line, the rounds, the
 * bursts, and the verdict.
 *
 *   soak [--seconds S] [--seed N] [--procs N] [--max-procs N] [--hang S]
 *        [--progress S] [--burst N] [--burst-every S] [--burst-wait S]
 *        [--burst-slack MIB] [--burst-judge-first 0|1] [--leak-ratio R] [--leak-slack MIB]
 *        [--leak-min S] [--selftest lose-value|run-twice|hang]
 *
 * It prints the seed and every setting first, then runs rounds until
 * --seconds have passed. A round starts every workload family (one goroutine
 * each, w_*.c), all at once, and waits for them; each family checks its own
 * books before it returns, so the books are checked every round, not only at
 * the end. Every --burst-every seconds, between rounds, a burst (w_burst.c)
 * spawns --burst goroutines, lets them go, and waits for the RSS to come
 * back down. At the end: the goroutine count back where it started, the
 * leak verdict over the RSS samples (watchdog.c), and one line, "STRESS OK
 * <figures>" with exit status 0, or "STRESS FAIL <what was lost>" and 1.
 * Bad arguments: one line on stderr, exit status 2.
 */
#include "soak.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Whether this is a TSan or ASan build (gcc says so with a macro, clang
 * with __has_feature). */
#if defined(__SANITIZE_THREAD__)
#define SOAK_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SOAK_TSAN 1
#endif
#endif
#ifndef SOAK_TSAN
#define SOAK_TSAN 0
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SOAK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SOAK_ASAN 1
#endif
#endif
#ifndef SOAK_ASAN
#define SOAK_ASAN 0
#endif
#define SOAK_SANITIZED (SOAK_TSAN || SOAK_ASAN)

struct soak_cfg cfg = {
    .seconds = 20,
    .procs = 0,
    .maxprocs = 64,
    .hang_s = 10,
    .progress_s = 60,
    .burst_every = 15,
    /* TSan keeps a state with trace buffers (about 100 KiB resident once
     * used) for every goroutine that ever existed (the runtime reuses dead
     * Gs with their fibers): a 20,000 burst costs it gigabytes. */
    .burst_n = SOAK_TSAN ? 2000 : 20000,
    .burst_wait = 30,
    .burst_slack = SOAK_SANITIZED ? 64 : 32,
    .burst_judge_first = !SOAK_SANITIZED,
    /* Sanitizers keep state per goroutine ever made that climbs for
     * minutes (stress/README.md has the measurements). */
    .leak_ratio = SOAK_SANITIZED ? 1.5 : 1.25,
    .leak_slack = SOAK_SANITIZED ? 64 : 16,
    .leak_min_s = 60,
};

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "soak: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see stress/README.md)\n");
	exit(2);
}

static double num_arg(const char *opt, const char *s, double min)
{
	char *end;
	double v = strtod(s, &end);
	if (!*s || *end || !(v >= min) || v > 1e12) {
		char msg[128];
		snprintf(msg, sizeof msg, "%s wants a number >= %g, not '%%s'", opt, min);
		usage_error(msg, s);
	}
	return v;
}

static void parse(int argc, char **argv)
{
	bool seeded = false;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
			printf(
			    "usage: soak [--seconds S] [--seed N] [--procs N] [--max-procs N] "
			    "[--hang S] [--progress S]\n"
			    "            [--burst N] [--burst-every S] [--burst-wait S] "
			    "[--burst-slack MIB]\n"
			    "            [--burst-judge-first 0|1] [--leak-ratio R] "
			    "[--leak-slack MIB] [--leak-min S]\n"
			    "            [--selftest lose-value|run-twice|hang]\n"
			    "The soak of stress/README.md; scripts/stress builds and runs it.\n");
			exit(0);
		}
		if (i + 1 >= argc)
			usage_error("unknown argument or missing value: '%s'", o);
		const char *v = argv[++i];
		if (!strcmp(o, "--seconds"))
			cfg.seconds = num_arg(o, v, 0);
		else if (!strcmp(o, "--seed")) {
			char *end;
			cfg.seed = strtoull(v, &end, 10);
			if (!*v || *end || *v == '-')
				usage_error("--seed wants a whole number, not '%s'", v);
			seeded = true;
		} else if (!strcmp(o, "--procs"))
			cfg.procs = (int)num_arg(o, v, 1);
		else if (!strcmp(o, "--max-procs"))
			cfg.maxprocs = (int)num_arg(o, v, 1);
		else if (!strcmp(o, "--hang"))
			cfg.hang_s = num_arg(o, v, 1);
		else if (!strcmp(o, "--progress"))
			cfg.progress_s = num_arg(o, v, 0);
		else if (!strcmp(o, "--burst"))
			cfg.burst_n = (int)num_arg(o, v, 0);
		else if (!strcmp(o, "--burst-every"))
			cfg.burst_every = num_arg(o, v, 0);
		else if (!strcmp(o, "--burst-wait"))
			cfg.burst_wait = num_arg(o, v, 0);
		else if (!strcmp(o, "--burst-slack"))
			cfg.burst_slack = num_arg(o, v, 0);
		else if (!strcmp(o, "--burst-judge-first"))
			cfg.burst_judge_first = num_arg(o, v, 0) != 0;
		else if (!strcmp(o, "--leak-ratio"))
			cfg.leak_ratio = num_arg(o, v, 1);
		else if (!strcmp(o, "--leak-slack"))
			cfg.leak_slack = num_arg(o, v, 0);
		else if (!strcmp(o, "--leak-min"))
			cfg.leak_min_s = num_arg(o, v, 0);
		else if (!strcmp(o, "--selftest")) {
			if (strcmp(v, "lose-value") && strcmp(v, "run-twice") && strcmp(v, "hang"))
				usage_error(
				    "--selftest wants lose-value, run-twice or hang, not '%s'", v);
			cfg.selftest = v;
		} else
			usage_error("unknown argument '%s'", o);
	}
	if (!seeded) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t s = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20);
		cfg.seed = rng_next(&s) % 1000000000000ull;
	}
	if (cfg.procs == 0)
		cfg.procs = sl_gomaxprocs(0);
	if (cfg.maxprocs < cfg.procs)
		cfg.maxprocs = cfg.procs;
	if (cfg.maxprocs > SL_MAX_GOMAXPROCS)
		cfg.maxprocs = SL_MAX_GOMAXPROCS;
}

/* The sampler: sl_numgoroutine every 200 ms for the progress lines, from a
 * goroutine (it reads the Ps, which only a goroutine may do safely while
 * gomaxprocs changes). Stops when sampler_stop is set. */
static _Atomic int sampler_stop;
static sl_waitgroup sampler_wg;
static void sampler(void *arg)
{
	(void)arg;
	while (!atomic_load(&sampler_stop)) {
		atomic_store(&soak_goroutines, sl_numgoroutine());
		sl_sleep(200 * 1000 * 1000);
	}
	sl_waitgroup_done(&sampler_wg);
}

/* One family of one round, on a goroutine of its own. */
struct family {
	void (*fn)(uint64_t round);
	uint64_t round;
	sl_waitgroup *wg;
};
static void run_family(void *arg)
{
	struct family *f = arg;
	f->fn(f->round);
	sl_waitgroup_done(f->wg);
}

/* The books' own tests: each must end in STRESS FAIL, saying what was lost
 * (stress/CMakeLists.txt runs them through runtime/test/expect.sh). */
static void selftest(void)
{
	if (!strcmp(cfg.selftest, "hang")) {
		/*
		 * EXPECT hang
		 * args    --selftest hang --hang 2 --seed 77
		 * status  abort
		 * match   ^stress: seed=77$
		 * match   ^stress: no progress for 2 s \(ops=[0-9]+, seed=77\)
		 * match   ^goroutine 1 \[sleep\]
		 * match   ^STRESS FAIL hang: no progress for 2 s \(seed=77\)$
		 */
		for (;;) /* goroutines alive, nothing counted */
			sl_sleep(1000 * 1000 * 1000);
	}
	struct tally t;
	tally_init(&t, 100);
	/*
	 * EXPECT lose_value
	 * args    --selftest lose-value --seed 5
	 * status  1
	 * match   ^STRESS FAIL selftest value 42 of round 0 counted 0 times, want 1 \(seed=5\)$
	 * match   ^stress: figures seed=5 ops=
	 * nomatch STRESS OK
	 */
	for (int i = 0; i < 100; i++)
		if (!(i == 42 && !strcmp(cfg.selftest, "lose-value")))
			tally_hit(&t, i);
	/*
	 * EXPECT run_twice
	 * args    --selftest run-twice
	 * status  1
	 * match   ^STRESS FAIL selftest value 7 of round 0 counted 2 times, want 1 \(seed=[0-9]+\)$
	 * nomatch STRESS OK
	 */
	if (!strcmp(cfg.selftest, "run-twice"))
		tally_hit(&t, 7);
	tally_check(&t, NULL, "selftest value", 0);
}

/*
 * EXPECT bad_seconds
 * args    --seconds soon
 * status  2
 * match   ^soak: --seconds wants a number >= 0, not 'soon' \(see stress/README.md\)$
 *
 * EXPECT bad_option
 * args    --sconds 3
 * status  2
 * match   ^soak: unknown argument '--sconds' \(see stress/README.md\)$
 */
int sl_main(int argc, char **argv)
{
	parse(argc, argv);
	printf("stress: seed=%llu\n", (unsigned long long)cfg.seed);
	printf("stress: seconds=%g procs=%d max_procs=%d hang=%g progress=%g burst=%d "
	       "burst_every=%g burst_wait=%g burst_slack=%g burst_judge_first=%d leak_ratio=%g "
	       "leak_slack=%g "
	       "leak_min=%g stack=%zu%s%s\n",
	       cfg.seconds, cfg.procs, cfg.maxprocs, cfg.hang_s, cfg.progress_s, cfg.burst_n,
	       cfg.burst_every, cfg.burst_wait, cfg.burst_slack, cfg.burst_judge_first,
	       cfg.leak_ratio, cfg.leak_slack, cfg.leak_min_s, sl_stacksize(),
	       cfg.selftest ? " selftest=" : "", cfg.selftest ? cfg.selftest : "");
	fflush(stdout);
	sl_gomaxprocs(cfg.procs);
	int start_goroutines = sl_numgoroutine();
	watchdog_start();
	sl_waitgroup_add(&sampler_wg, 1);
	sl_go(sampler, NULL);
	if (cfg.selftest)
		selftest();

	void (*families[])(uint64_t) = {w_spawn, w_chan, w_select, w_timer, w_sync, w_sys};
	enum { NFAM = sizeof families / sizeof families[0] };
	int64_t start = soak_now(), end = start + (int64_t)(cfg.seconds * 1e9);
	int64_t next_burst = start + (int64_t)(cfg.burst_every * 1e9 / 2);
	uint64_t round = 0;
	while (soak_now() < end) {
		round++;
		if (cfg.burst_every > 0 && cfg.burst_n > 0 && soak_now() >= next_burst) {
			w_burst(round);
			next_burst = soak_now() + (int64_t)(cfg.burst_every * 1e9);
		}
		sl_waitgroup wg = SL_WAITGROUP_INIT;
		struct family f[NFAM];
		sl_waitgroup_add(&wg, NFAM);
		for (int i = 0; i < NFAM; i++) {
			f[i] = (struct family){families[i], round, &wg};
			sl_go(run_family, &f[i]);
		}
		sl_waitgroup_wait(&wg);
		atomic_fetch_add(&soak_rounds, 1);
		soak_op();
		sl_gomaxprocs(cfg.procs); /* the changers leave it anywhere */
	}

	/* Every goroutine the soak started is gone once the sampler is. */
	atomic_store(&sampler_stop, 1);
	sl_waitgroup_wait(&sampler_wg);
	int left = sl_numgoroutine();
	for (int i = 0; i < 200 && left > start_goroutines; i++) {
		sl_sleep(100 * 1000 * 1000); /* a goroutine past its last done */
		soak_op();
		left = sl_numgoroutine();
	}
	if (left > start_goroutines)
		soak_fail("goroutine leak: %d goroutines at the end, %d at the start", left,
			  start_goroutines);
	atomic_store(&soak_goroutines, left);
	char why[256];
	if (watchdog_leak_verdict(why, sizeof why))
		soak_fail("%s", why);
	char figures[1024];
	soak_figures(figures, sizeof figures);
	printf("stress: figures %s rss_first_q_mib=%.1f rss_second_q_mib=%.1f rss_last_q_mib=%.1f "
	       "rss_peak_mib=%.1f "
	       "burst_rss_before_mib=%.1f burst_rss_peak_mib=%.1f burst_rss_after_mib=%.1f "
	       "burst_settle_ms=%lld\n",
	       figures, atomic_load(&rss_first_q) / 1048576.0,
	       atomic_load(&rss_second_q) / 1048576.0, atomic_load(&rss_last_q) / 1048576.0,
	       atomic_load(&rss_peak) / 1048576.0, atomic_load(&burst_rss_before) / 1048576.0,
	       atomic_load(&burst_rss_peak) / 1048576.0, atomic_load(&burst_rss_after) / 1048576.0,
	       (long long)atomic_load(&burst_settle_ms));
	printf("STRESS OK %.0fs seed=%llu ops=%llu rounds=%llu\n", (soak_now() - start) / 1e9,
	       (unsigned long long)cfg.seed, (unsigned long long)atomic_load(&soak_ops),
	       (unsigned long long)atomic_load(&soak_rounds));
	fflush(stdout);
	return 0;
}
