/*
 * watchdog.c: the soak's watchdog, a plain pthread rather than a goroutine,
 * so that it keeps running when the scheduler does not.
 *
 * Every 100 ms it reads the progress counter (soak_ops); when that has not
 * moved for cfg.hang_s seconds it prints the seed, the runtime's
 * scheduler dump (sl_debug_dump: every P, M and G, and every goroutine's wait
 * reason) and "STRESS FAIL hang ...", then aborts: a hang is a failure with
 * its story, never a wait for a CI timeout. Every second it samples the RSS
 * (/proc/self/statm) for the leak verdict, leaving out the samples taken
 * while a burst runs (those measure the burst, not a leak); every
 * cfg.progress_s it prints a progress line.
 *
 * The samples are written by this thread and read by the main goroutine at
 * the end, under samples_lock (a pthread mutex held only for a copy or an
 * append: it blocks the goroutine's M for microseconds, never a wait).
 */
#include "soak.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

_Atomic int64_t rss_first_q, rss_second_q, rss_last_q, rss_peak;

static pthread_mutex_t samples_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t *samples; /* RSS in bytes, one a second; guarded by samples_lock */
static int nsamples, capsamples;

static void progress_line(int64_t elapsed_ns)
{
	char faults[256];
	int n = 0;
	faults[0] = 0;
	for (int i = 0; soak_fault_kinds[i]; i++)
		n += snprintf(faults + n, sizeof faults - n, "%s%s:%lld", i ? "," : "",
			      soak_fault_kinds[i], (long long)sl_fault_count(soak_fault_kinds[i]));
	printf("stress: +%llds ops=%llu goroutines=%d spawned=%llu sent=%llu rss=%.1fMiB "
	       "faults=%s\n",
	       (long long)(elapsed_ns / 1000000000), (unsigned long long)atomic_load(&soak_ops),
	       atomic_load(&soak_goroutines), (unsigned long long)atomic_load(&soak_spawned),
	       (unsigned long long)atomic_load(&soak_sent), soak_rss() / 1048576.0, faults);
	fflush(stdout);
}

static void *watchdog(void *arg)
{
	(void)arg;
	int64_t start = soak_now(), last_move = start, next_sample = start,
		next_progress = start + (int64_t)(cfg.progress_s * 1e9);
	uint64_t last_ops = atomic_load(&soak_ops);
	for (;;) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
		int64_t now = soak_now();
		uint64_t ops = atomic_load(&soak_ops);
		if (ops != last_ops) {
			last_ops = ops;
			last_move = now;
		} else if (now - last_move > (int64_t)(cfg.hang_s * 1e9)) {
			printf(
			    "stress: no progress for %.0f s (ops=%llu, seed=%llu): the scheduler "
			    "follows on stderr\n",
			    cfg.hang_s, (unsigned long long)ops, (unsigned long long)cfg.seed);
			fflush(stdout);
			sl_debug_dump();
			fflush(stderr);
			printf("STRESS FAIL hang: no progress for %.0f s (seed=%llu)\n", cfg.hang_s,
			       (unsigned long long)cfg.seed);
			fflush(stdout);
			abort();
		}
		if (now >= next_sample) {
			next_sample += 1000000000;
			int64_t rss = soak_rss();
			if (rss > atomic_load(&rss_peak))
				atomic_store(&rss_peak, rss);
			if (!atomic_load(&soak_in_burst)) {
				pthread_mutex_lock(&samples_lock);
				if (nsamples == capsamples) {
					capsamples = capsamples ? 2 * capsamples : 1024;
					samples = realloc(samples, capsamples * sizeof *samples);
					if (!samples)
						abort();
				}
				samples[nsamples++] = rss;
				pthread_mutex_unlock(&samples_lock);
			}
		}
		if (cfg.progress_s > 0 && now >= next_progress) {
			next_progress += (int64_t)(cfg.progress_s * 1e9);
			progress_line(now - start);
		}
	}
	return NULL;
}

void watchdog_start(void)
{
	pthread_t t;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &a, watchdog, NULL) != 0) {
		fprintf(stderr, "stress: cannot start the watchdog thread\n");
		exit(2);
	}
	pthread_attr_destroy(&a);
}

/* The leak bound (stress/README.md): the mean RSS of the last quarter of the
 * samples may exceed that of the second quarter by cfg.leak_ratio times plus
 * cfg.leak_slack MiB, no more. The first quarter is the warm-up: the
 * runtime's caches and a sanitizer's state climbing to the peak the rounds
 * need. */
const char *watchdog_leak_verdict(char *buf, int len)
{
	pthread_mutex_lock(&samples_lock);
	int n = nsamples, q = n / 4;
	double first = 0, second = 0, last = 0;
	for (int i = 0; i < q; i++) {
		first += samples[i];
		second += samples[q + i];
		last += samples[n - q + i];
	}
	pthread_mutex_unlock(&samples_lock);
	if (q == 0)
		return NULL;
	first /= q;
	second /= q;
	last /= q;
	atomic_store(&rss_first_q, (int64_t)first);
	atomic_store(&rss_second_q, (int64_t)second);
	atomic_store(&rss_last_q, (int64_t)last);
	double bound = second * cfg.leak_ratio + cfg.leak_slack * 1048576.0;
	if (n < cfg.leak_min_s || last <= bound)
		return NULL;
	snprintf(buf, len,
		 "leak: mean RSS of the last quarter %.1f MiB > second quarter %.1f MiB * %.2f + "
		 "%.0f MiB (%d samples, first quarter %.1f MiB)",
		 last / 1048576, second / 1048576, cfg.leak_ratio, cfg.leak_slack, n,
		 first / 1048576);
	return buf;
}
