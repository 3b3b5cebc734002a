/*
 * books.c: the soak's books. Global totals (atomics, bumped by every
 * workload), the per-item tallies that prove "exactly once" (every goroutine
 * ran once, every value sent was received once), the failure path, and the
 * clock, RSS and busy-wait helpers the workloads share.
 *
 * A tally is an array of atomic counters, one per item; the workload counts
 * an item where the event happens and checks the whole array once the round's
 * goroutines are done (after a WaitGroup wait, which orders every count
 * before the check). Nothing here locks.
 */
#include "soak.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

_Atomic uint64_t soak_ops, soak_spawned, soak_sent, soak_received, soak_timers, soak_locks,
    soak_syscalls, soak_procchanges, soak_selects, soak_rounds, soak_bursts;
_Atomic int soak_goroutines;
_Atomic int soak_in_burst;

const char *const soak_fault_kinds[] = {"thread", "mmap",    "futex", "signal",
					"noise",  "syscall", NULL};

void soak_figures(char *buf, int len)
{
	int n = snprintf(
	    buf, len,
	    "seed=%llu ops=%llu rounds=%llu spawned=%llu sent=%llu received=%llu selects=%llu "
	    "timers=%llu locks=%llu syscalls=%llu procchanges=%llu bursts=%llu goroutines=%d "
	    "rss_mib=%.1f",
	    (unsigned long long)cfg.seed, (unsigned long long)soak_ops,
	    (unsigned long long)soak_rounds, (unsigned long long)soak_spawned,
	    (unsigned long long)soak_sent, (unsigned long long)soak_received,
	    (unsigned long long)soak_selects, (unsigned long long)soak_timers,
	    (unsigned long long)soak_locks, (unsigned long long)soak_syscalls,
	    (unsigned long long)soak_procchanges, (unsigned long long)soak_bursts,
	    atomic_load(&soak_goroutines), soak_rss() / 1048576.0);
	for (int i = 0; soak_fault_kinds[i] && n > 0 && n < len; i++)
		n += snprintf(buf + n, len - n, " faults_%s=%lld", soak_fault_kinds[i],
			      (long long)sl_fault_count(soak_fault_kinds[i]));
}

_Noreturn void soak_fail(const char *fmt, ...)
{
	char what[512], figures[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	soak_figures(figures, sizeof figures);
	fflush(stdout);
	/* One write per line, so that the watchdog's or a goroutine's lines
	 * never interleave inside it. */
	fprintf(stdout, "STRESS FAIL %s (seed=%llu)\nstress: figures %s\n", what,
		(unsigned long long)cfg.seed, figures);
	fflush(stdout);
	/* _exit: the other goroutines are still running; atexit handlers and
	 * the leak checker have nothing to add to a failure. */
	_exit(1);
}

void tally_init(struct tally *t, int len)
{
	t->n = calloc((size_t)len, sizeof *t->n);
	if (!t->n)
		soak_fail("out of memory for a tally of %d", len);
	t->len = len;
}

void tally_free(struct tally *t)
{
	free(t->n);
	t->n = NULL;
	t->len = 0;
}

void tally_check(struct tally *t, const struct tally *want, const char *what, uint64_t round)
{
	for (int i = 0; i < t->len; i++) {
		uint32_t got = atomic_load(&t->n[i]);
		uint32_t w = want ? atomic_load(&want->n[i]) : 1;
		if (got != w)
			soak_fail("%s %d of round %llu counted %u times, want %u", what, i,
				  (unsigned long long)round, got, w);
	}
}

int64_t soak_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t soak_rss(void)
{
	/* statm: size resident shared text lib data dt, in pages. */
	FILE *f = fopen("/proc/self/statm", "r");
	long long size = 0, resident = 0;
	if (!f)
		return 0;
	if (fscanf(f, "%lld %lld", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return resident * sysconf(_SC_PAGESIZE);
}

void soak_spin_ns(int64_t ns)
{
	int64_t end = soak_now() + ns;
	while (soak_now() < end) {
	}
}
