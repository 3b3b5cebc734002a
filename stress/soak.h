/*
 * soak.h: what the soak's files share: the run's settings, the books (exact
 * counters compared at the end of every round and of the run), the progress
 * counters the watchdog reads, a seeded random generator, and the workload
 * families' entry points.
 *
 * Every counter the books compare is a C11 atomic: goroutines on different Ms
 * update them at once, and the watchdog thread (not a goroutine) reads them.
 * Nothing here takes a lock.
 */
#ifndef SOAK_H
#define SOAK_H

#include <schedlab.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* The settings, from the command line (soak.c), read-only once sl_main runs
 * the first round. */
struct soak_cfg {
	uint64_t seed;		/* --seed: every workload choice derives from it */
	double seconds;		/* --seconds: how long to keep starting rounds */
	int procs;		/* --procs: GOMAXPROCS at the start of each round */
	int maxprocs;		/* --max-procs: the most that the changers ask for */
	double hang_s;		/* --hang: seconds without progress before the watchdog fires */
	double progress_s;	/* --progress: seconds between progress lines */
	double burst_every;	/* --burst-every: seconds between bursts; 0: none */
	int burst_n;		/* --burst: goroutines in a burst */
	double burst_wait;	/* --burst-wait: seconds to wait for the RSS to come down */
	double burst_slack;	/* --burst-slack: MiB the RSS may stay above the pre-burst level */
	bool burst_judge_first; /* --burst-judge-first 0|1: default 1, 0 under a sanitizer */
	double leak_ratio;	/* --leak-ratio, --leak-slack: last-quarter mean RSS may be */
	double leak_slack;	/*   at most second-quarter mean * ratio + slack MiB */
	double leak_min_s;	/* --leak-min: runs shorter than this are not judged */
	const char *selftest;	/* --selftest: lose-value, run-twice, hang (the books' own tests) */
};
extern struct soak_cfg cfg;

/* ---- books.c: counters, failure ---- */

/* Progress: every operation of every workload bumps ops; the watchdog reads
 * it. The other totals are the figures of the final line. */
extern _Atomic uint64_t soak_ops, soak_spawned, soak_sent, soak_received, soak_timers, soak_locks,
    soak_syscalls, soak_procchanges, soak_selects, soak_rounds, soak_bursts;
extern _Atomic int soak_goroutines; /* last sl_numgoroutine sample */
extern _Atomic int soak_in_burst;   /* 1 while a burst and its quiet period run */

static inline void soak_op(void)
{
	atomic_fetch_add_explicit(&soak_ops, 1, memory_order_relaxed);
}
static inline void soak_add(_Atomic uint64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
	atomic_fetch_add_explicit(&soak_ops, n, memory_order_relaxed);
}

/* A failed book: "STRESS FAIL <what>" with the seed and the figures so far,
 * then exit status 1. Any thread. */
_Noreturn void soak_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The figures as "key=value ..." on one line (the final line's tail). */
void soak_figures(char *buf, int len);

/* An array of per-item counters: each item must be counted exactly want[i]
 * times (want NULL: exactly once). check names the first item that was not,
 * with what (e.g. "value 12 of chan round 3"). */
struct tally {
	_Atomic uint32_t *n;
	int len;
};
void tally_init(struct tally *t, int len);
void tally_free(struct tally *t);
static inline uint32_t tally_hit(struct tally *t, int i)
{
	return atomic_fetch_add_explicit(&t->n[i], 1, memory_order_relaxed) + 1;
}
void tally_check(struct tally *t, const struct tally *want, const char *what, uint64_t round);

/* ---- clocks and randomness ---- */
int64_t soak_now(void);	    /* CLOCK_MONOTONIC, ns: the clock the runtime's timers use */
int64_t soak_rss(void);	    /* resident bytes, from /proc/self/statm */
void soak_spin_ns(int64_t); /* busy-wait, holding the P */

/* splitmix64: a small generator per goroutine, seeded from the run's seed,
 * the round and the goroutine's role, so that --seed repeats the choices. */
static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
static inline uint64_t rng_seed(uint64_t round, uint64_t role)
{
	uint64_t s = cfg.seed ^ (round * 0x100000001b3ull) ^ (role << 40);
	rng_next(&s);
	return s;
}
/* A number in [lo, hi]. */
static inline int64_t rng_range(uint64_t *s, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next(s) % (uint64_t)(hi - lo + 1));
}

/* ---- watchdog.c: the thread that is not a goroutine ---- */
void watchdog_start(void);
/* Leak verdict over the RSS samples (NULL when within the bound, else the
 * reason); fills the figures' rss_first_q / rss_last_q. */
const char *watchdog_leak_verdict(char *buf, int len);
extern _Atomic int64_t rss_first_q, rss_second_q, rss_last_q, rss_peak;

/* ---- the workload families, one file each: run one round and check its
 * books before returning. Each is called on a goroutine of its own. ---- */
void w_spawn(uint64_t round);  /* w_spawn.c: trees, chains, wide, foreign */
void w_chan(uint64_t round);   /* w_chan.c: senders, receivers, racing closes */
void w_select(uint64_t round); /* w_select.c: selects over many channels */
void w_timer(uint64_t round);  /* w_timer.c: sleeps, stops, resets, frees */
void w_sync(uint64_t round);   /* w_sync.c: mutex (starvation), WaitGroup */
void w_sys(uint64_t round);    /* w_sys.c: syscalls, gomaxprocs changes */
void w_burst(uint64_t round);  /* w_burst.c: a burst, quiet, RSS back down */
extern _Atomic int64_t burst_rss_before, burst_rss_peak, burst_rss_after, burst_settle_ms;

/* The fault kinds sl_fault_count knows (runtime/include/schedlab.h). */
extern const char *const soak_fault_kinds[]; /* NULL-terminated */

#endif
