/*
 * test_race.c: the race detector's engine (runtime/os/sim/race.c), tested
 * through its API alone, with no simulator: race.c is compiled in, and this
 * file stands in for the two things it asks of the simulator (the step
 * count, the trace flag).
 *
 * Each case is a short history of accesses and synchronisations on a few
 * simulated threads, with the expected verdict: "race" (the engine prints
 * its report and aborts) or none. `test_race` runs every case in a child
 * process (`test_race case NAME`, a fresh exec, so under ASLR), checks the
 * exit (SIGABRT or 0), and for a race checks the report: both accesses'
 * kinds, steps, threads and file:line (function), which the child prints on
 * stdout as it makes them. The racy cases also run twice, and the two
 * reports must be the same bytes. `test_race bench` times the fast path.
 */
#define _GNU_SOURCE
#include "race.h"

#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* ---- what race.c asks of the simulator ---- */

static uint64_t step;

uint64_t sl_sim_steps(void)
{
	return step;
}

bool sim_tracing(void)
{
	return false;
}

/* ---- accesses, each announced on stdout: "ACC index step line kind tid" ---- */

static int nacc;

/* Not inlined, and not pure (or gcc merges two calls into one). */
__attribute__((noinline)) static const void *here(void)
{
	__asm__ volatile("" ::: "memory");
	return __builtin_return_address(0);
}

static void announce(int tid, const char *kind, int line)
{
	step = 10 * (uint64_t)(nacc + 1);
	char buf[128];
	int n = snprintf(buf, sizeof buf, "ACC %d %llu %d %s %d\n", nacc, (unsigned long long)step,
			 line, kind, tid);
	if (write(1, buf, (size_t)n) != n)
		abort();
	nacc++;
}

static void plain(int tid, const void *p, size_t n, bool w, int line, const void *pc)
{
	announce(tid, w ? "write" : "read", line);
	race_access(tid, p, n, w, pc);
}

static void atomic(int tid, const void *p, size_t n, int op, int mo, int line, const void *pc)
{
	announce(tid, op == RACE_STORE || op == RACE_RMW ? "atomic_write" : "atomic_read", line);
	race_atomic(tid, p, n, op, mo, pc);
}

/* The call of here() is on the access's line: its return address minus one
 * is that line. */
#define WR(t, p, n)	   plain(t, p, n, true, __LINE__, here())
#define RD(t, p, n)	   plain(t, p, n, false, __LINE__, here())
#define ATOM(t, p, op, mo) atomic(t, p, sizeof *(p), op, mo, __LINE__, here())

static uint64_t x, y, flag, lockw;
static unsigned char buf[64];

/* ---- the cases ---- */

static void case_write_write(void)
{
	WR(0, &x, 8);
	WR(1, &x, 8);
}

static void case_write_read(void)
{
	WR(0, &x, 8);
	RD(1, &x, 8);
}

static void case_read_write(void)
{
	RD(0, &x, 8);
	WR(1, &x, 8);
}

static void case_read_read(void)
{
	RD(0, &x, 8);
	RD(1, &x, 8);
}

static void case_same_thread(void)
{
	WR(0, &x, 8);
	RD(0, &x, 8);
	WR(0, &x, 4);
}

static void case_partial_overlap(void)
{
	WR(0, buf + 2, 4); /* bytes 2..5 */
	RD(1, buf + 5, 2); /* bytes 5..6: byte 5 is shared */
}

static void case_disjoint_bytes(void)
{
	WR(0, buf, 4);	   /* bytes 0..3 of one granule */
	WR(1, buf + 4, 4); /* bytes 4..7: no byte in common */
	RD(0, buf, 2);
	RD(1, buf + 6, 2);
}

static void case_straddle16(void)
{
	WR(0, buf + 4, 16); /* bytes 4..19: three granules */
	RD(1, buf + 20, 1); /* just past it */
	RD(1, buf + 19, 1); /* its last byte */
}

static void case_heap(void)
{
	uint64_t *p = calloc(1, 8);
	WR(0, p, 8);
	RD(1, p, 8);
	free(p);
}

static void case_many_threads(void)
{
	WR(100, &x, 8);
	WR(250, &y, 8);
	race_wake(100, 250);
	RD(250, &x, 8); /* ordered by the wake */
	RD(7, &y, 8);	/* T7 has seen nothing of T250 */
}

/* lock.c's shape: a CAS with acquire takes the lock, a release store drops it. */
static void lock(int t)
{
	ATOM(t, &lockw, RACE_RMW, __ATOMIC_ACQUIRE);
}

static void unlock(int t, int mo)
{
	ATOM(t, &lockw, RACE_STORE, mo);
}

static void case_lock(void)
{
	lock(0);
	WR(0, &x, 8);
	unlock(0, __ATOMIC_RELEASE);
	lock(1);
	RD(1, &x, 8);
	WR(1, &x, 8);
	unlock(1, __ATOMIC_RELEASE);
	lock(0);
	WR(0, &x, 8);
	unlock(0, __ATOMIC_RELEASE);
}

static void case_lock_relaxed_unlock(void)
{
	lock(0);
	WR(0, &x, 8);
	unlock(0, __ATOMIC_RELAXED);
	lock(1);
	RD(1, &x, 8);
}

/* A contended lock: the loser sleeps on the futex, the unlocker wakes it
 * (lock.c's futex path). The wake alone orders them. */
static void case_futex_handoff(void)
{
	WR(0, &x, 8);
	race_wake(0, 1);
	RD(1, &x, 8);
	WR(1, &x, 8);
}

static void case_futex_wrong_way(void)
{
	WR(0, &x, 8);
	race_wake(1, 0); /* T1 wakes T0: orders T0 after T1, not T1 after T0 */
	RD(1, &x, 8);
}

static void case_release_acquire(void)
{
	WR(0, &x, 8);
	ATOM(0, &flag, RACE_STORE, __ATOMIC_RELEASE);
	ATOM(1, &flag, RACE_LOAD, __ATOMIC_ACQUIRE);
	RD(1, &x, 8);
}

static void case_seq_cst(void)
{
	WR(0, &x, 8);
	ATOM(0, &flag, RACE_RMW, __ATOMIC_SEQ_CST);
	ATOM(1, &flag, RACE_LOAD, __ATOMIC_SEQ_CST);
	WR(1, &x, 8);
}

static void case_relaxed(void)
{
	WR(0, &x, 8);
	ATOM(0, &flag, RACE_STORE, __ATOMIC_RELAXED);
	ATOM(1, &flag, RACE_LOAD, __ATOMIC_RELAXED);
	RD(1, &x, 8);
}

static void case_release_relaxed_load(void)
{
	WR(0, &x, 8);
	ATOM(0, &flag, RACE_STORE, __ATOMIC_RELEASE);
	ATOM(1, &flag, RACE_LOAD, __ATOMIC_RELAXED);
	RD(1, &x, 8);
}

static void case_acquire_fence(void)
{
	WR(0, &x, 8);
	ATOM(0, &flag, RACE_STORE, __ATOMIC_RELEASE);
	ATOM(1, &flag, RACE_LOAD, __ATOMIC_RELAXED);
	race_fence(1, __ATOMIC_ACQUIRE);
	RD(1, &x, 8);
}

static void case_release_fence(void)
{
	WR(0, &x, 8);
	race_fence(0, __ATOMIC_RELEASE);
	ATOM(0, &flag, RACE_STORE, __ATOMIC_RELAXED);
	ATOM(1, &flag, RACE_LOAD, __ATOMIC_ACQUIRE);
	RD(1, &x, 8);
}

static void case_release_fence_too_late(void)
{
	race_fence(0, __ATOMIC_RELEASE);
	WR(0, &x, 8); /* after the fence: not published by it */
	ATOM(0, &flag, RACE_STORE, __ATOMIC_RELAXED);
	ATOM(1, &flag, RACE_LOAD, __ATOMIC_ACQUIRE);
	RD(1, &x, 8);
}

/* A release store, then another thread's relaxed RMW: the release sequence
 * goes on, and an acquire of the RMW's value sees the first store's past. */
static void case_release_sequence(void)
{
	WR(0, &x, 8);
	ATOM(0, &flag, RACE_STORE, __ATOMIC_RELEASE);
	ATOM(1, &flag, RACE_RMW, __ATOMIC_RELAXED);
	ATOM(2, &flag, RACE_LOAD, __ATOMIC_ACQUIRE);
	RD(2, &x, 8);
}

/* What a thread does after its release is not published by it. */
static void case_write_after_release(void)
{
	ATOM(0, &flag, RACE_STORE, __ATOMIC_RELEASE);
	WR(0, &x, 8);
	ATOM(1, &flag, RACE_LOAD, __ATOMIC_ACQUIRE);
	RD(1, &x, 8);
}

/* A read ordered after a write does not stand for it: a third thread's
 * unordered read still races with the write. */
static void case_read_keeps_write(void)
{
	WR(0, &x, 8);
	race_wake(0, 1);
	RD(1, &x, 8);
	RD(2, &x, 8);
}

static void case_cas_fail_acquire(void)
{
	WR(0, &x, 8);
	ATOM(0, &flag, RACE_STORE, __ATOMIC_RELEASE);
	ATOM(1, &flag, RACE_CAS_FAIL, __ATOMIC_ACQUIRE);
	RD(1, &x, 8);
}

static void case_cas_fail_relaxed(void)
{
	WR(0, &x, 8);
	ATOM(0, &flag, RACE_STORE, __ATOMIC_RELEASE);
	ATOM(1, &flag, RACE_CAS_FAIL, __ATOMIC_RELAXED);
	RD(1, &x, 8);
}

static void case_thread_start(void)
{
	race_thread_new(-1, 0);
	WR(0, &x, 8);
	race_thread_new(0, 1);
	RD(1, &x, 8);
	WR(1, &x, 8);
}

static void case_thread_start_then_write(void)
{
	race_thread_new(-1, 0);
	race_thread_new(0, 1);
	WR(0, &x, 8); /* after T1 started: T1 has not seen it */
	RD(1, &x, 8);
}

static void case_transitive(void)
{
	WR(0, &x, 8);
	race_wake(0, 1);
	ATOM(1, &flag, RACE_STORE, __ATOMIC_RELEASE);
	ATOM(2, &flag, RACE_LOAD, __ATOMIC_ACQUIRE);
	WR(2, &x, 8);
}

static void case_both_atomic(void)
{
	ATOM(0, &x, RACE_STORE, __ATOMIC_RELAXED);
	ATOM(1, &x, RACE_RMW, __ATOMIC_RELAXED);
	ATOM(2, &x, RACE_LOAD, __ATOMIC_RELAXED);
}

static void case_atomic_plain(void)
{
	ATOM(0, &x, RACE_STORE, __ATOMIC_SEQ_CST);
	RD(1, &x, 8);
}

/* Two unordered reads; a write ordered after only one of them races with
 * the other (FastTrack's read-shared state). */
static void case_read_shared(void)
{
	RD(0, &x, 8);
	RD(1, &x, 8);
	race_wake(0, 2);
	WR(2, &x, 8);
}

/* T1's atomic write is ordered after T0's plain write; T2's atomic read is
 * not, and races with the plain write even so. */
static void case_plain_under_atomic(void)
{
	WR(0, &x, 8);
	race_wake(0, 1);
	ATOM(1, &x, RACE_STORE, __ATOMIC_RELAXED);
	ATOM(2, &x, RACE_LOAD, __ATOMIC_RELAXED);
}

static void case_free_forgets(void)
{
	WR(0, buf, 8);
	WR(0, &x, 8);
	ATOM(0, (uint64_t *)(void *)(buf + 8), RACE_STORE, __ATOMIC_RELEASE);
	race_free(buf, 16);
	WR(1, buf, 8); /* the memory was given back and reused: no race */
	/* and its sync clock is gone: this acquire orders nothing */
	ATOM(2, (uint64_t *)(void *)(buf + 8), RACE_LOAD, __ATOMIC_ACQUIRE);
	RD(2, &x, 8);
}

static void case_free_partial(void)
{
	WR(0, buf, 8);
	race_free(buf, 4); /* bytes 4..7 keep their shadow */
	WR(1, buf, 4);
	WR(1, buf + 7, 1);
}

static void case_free_large(void)
{
	static unsigned char big[1 << 20];
	for (int i = 0; i < 4096; i++)
		race_access(0, big + 256 * i, 8, true, here());
	race_free(big, sizeof big); /* more granules than the table has slots */
	WR(1, big + 4096, 8);
	WR(1, big + 256 * 4095, 8);
}

static void case_reset_forgets(void)
{
	WR(0, &x, 8);
	ATOM(0, &flag, RACE_STORE, __ATOMIC_RELEASE);
	race_reset();
	WR(1, &x, 8); /* the last run's write is forgotten: no race */
	WR(0, &y, 8); /* T0's epochs start again */
	ATOM(2, &flag, RACE_LOAD, __ATOMIC_ACQUIRE); /* nothing was released this run */
	RD(2, &y, 8);
}

/* Many granules and atomic locations: the tables grow (and rehash) with
 * their records and clocks intact. */
static void case_growth(void)
{
	static uint64_t arr[100000];
	WR(0, &x, 8);
	WR(1, &y, 8);
	for (int i = 0; i < 100000; i++)
		race_access(1, &arr[i], 8, true, here());
	for (int i = 0; i < 3000; i++)
		race_atomic(1, &arr[i], 8, RACE_STORE, __ATOMIC_RELEASE, here());
	ATOM(2, &arr[5], RACE_LOAD, __ATOMIC_ACQUIRE); /* after T1's plain write of it */
	RD(2, &y, 8);
	RD(2, &x, 8);
}

/* An acquire RMW reads a release store that followed a plain write of the
 * same word: the write happens before the RMW (C11; TSan checks an RMW
 * before it acquires and would report it). */
static void case_acquire_rmw_after_plain(void)
{
	WR(0, &x, 8);
	ATOM(0, &x, RACE_STORE, __ATOMIC_RELEASE);
	ATOM(1, &x, RACE_RMW, __ATOMIC_ACQ_REL);
	WR(1, &x, 8);
}

struct tcase {
	const char *name;
	void (*fn)(void);
	int prev; /* -1: no race; else the index of the report's previous access */
};

#define C(n, p)                                                                                    \
	{                                                                                          \
#n, case_##n, p                                                                    \
	}
static const struct tcase cases[] = {
    C(write_write, 0),
    C(write_read, 0),
    C(read_write, 0),
    C(read_read, -1),
    C(same_thread, -1),
    C(partial_overlap, 0),
    C(disjoint_bytes, -1),
    C(straddle16, 0),
    C(heap, 0),
    C(many_threads, 1),
    C(lock, -1),
    C(lock_relaxed_unlock, 1),
    C(futex_handoff, -1),
    C(futex_wrong_way, 0),
    C(release_acquire, -1),
    C(seq_cst, -1),
    C(relaxed, 0),
    C(release_relaxed_load, 0),
    C(acquire_fence, -1),
    C(release_fence, -1),
    C(release_fence_too_late, 0),
    C(release_sequence, -1),
    C(write_after_release, 1),
    C(read_keeps_write, 0),
    C(cas_fail_acquire, -1),
    C(cas_fail_relaxed, 0),
    C(thread_start, -1),
    C(thread_start_then_write, 0),
    C(transitive, -1),
    C(both_atomic, -1),
    C(atomic_plain, 0),
    C(read_shared, 1),
    C(plain_under_atomic, 0),
    C(free_forgets, 1),
    C(free_partial, 0),
    C(free_large, -1),
    C(reset_forgets, 3),
    C(growth, 0),
    C(acquire_rmw_after_plain, -1),
};
#define NCASES (int)(sizeof cases / sizeof cases[0])

/* ---- the runner ---- */

struct result {
	int status;
	char out[1 << 14], err[1 << 14];
};

static void slurp(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t r;
	while (got < len - 1 && (r = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)r;
	buf[got] = 0;
}

/* Run `test_race case NAME` with stdout and stderr kept apart. stderr is
 * read after stdout ends: a report is far below a pipe's capacity. */
static void run_case(const char *name, struct result *res)
{
	int o[2], e[2];
	if (pipe(o) || pipe(e))
		abort();
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, o[1], 1);
	posix_spawn_file_actions_adddup2(&fa, e[1], 2);
	posix_spawn_file_actions_addclose(&fa, o[0]);
	posix_spawn_file_actions_addclose(&fa, e[0]);
	char *argv[] = {"test_race", "case", (char *)name, NULL};
	pid_t pid;
	if (posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ) != 0)
		abort();
	posix_spawn_file_actions_destroy(&fa);
	close(o[1]);
	close(e[1]);
	slurp(o[0], res->out, sizeof res->out);
	slurp(e[0], res->err, sizeof res->err);
	close(o[0]);
	close(e[0]);
	while (waitpid(pid, &res->status, 0) < 0)
		;
}

struct acc_line {
	unsigned long long step;
	int line, tid;
	char kind[16];
};

/* The index-th "ACC" line of the child's stdout, or the last if index < 0. */
static bool find_acc(const char *out, int index, struct acc_line *a)
{
	bool found = false;
	for (const char *p = out; (p = strstr(p, "ACC ")); p++) {
		int i;
		struct acc_line t;
		if (sscanf(p, "ACC %d %llu %d %15s %d", &i, &t.step, &t.line, t.kind, &t.tid) != 5)
			return false;
		if (index < 0 || i == index) {
			*a = t;
			found = true;
			if (index >= 0)
				break;
		}
	}
	return found;
}

static void kind_text(char *kind)
{
	char *u = strchr(kind, '_');
	if (u)
		*u = ' ';
}

static int check_case(const struct tcase *c)
{
	static struct result r1, r2;
	run_case(c->name, &r1);
	if (c->prev < 0) {
		if (!WIFEXITED(r1.status) || WEXITSTATUS(r1.status) != 0 || r1.err[0]) {
			fprintf(stderr, "FAIL %s: expected no race, got status %#x:\n%s\n", c->name,
				r1.status, r1.err);
			return 1;
		}
		printf("ok   %-28s no race\n", c->name);
		return 0;
	}
	if (!WIFSIGNALED(r1.status) || WTERMSIG(r1.status) != SIGABRT) {
		fprintf(stderr, "FAIL %s: expected a race (SIGABRT), got status %#x:\n%s\n",
			c->name, r1.status, r1.err);
		return 1;
	}
	struct acc_line now, prev;
	if (!find_acc(r1.out, -1, &now) || !find_acc(r1.out, c->prev, &prev)) {
		fprintf(stderr, "FAIL %s: no access lines in\n%s\n", c->name, r1.out);
		return 1;
	}
	kind_text(now.kind);
	kind_text(prev.kind);
	char want1[256], want2[256];
	snprintf(want1, sizeof want1, "at step %llu (T%d): %s at fuzz/test_race.c:%d (case_%s)\n",
		 now.step, now.tid, now.kind, now.line, c->name);
	snprintf(want2, sizeof want2,
		 "\n  previous %s at step %llu (T%d): fuzz/test_race.c:%d (case_%s)\n"
		 "  SL_SIM_TRACE=1 to see the steps\n",
		 prev.kind, prev.step, prev.tid, prev.line, c->name);
	if (strncmp(r1.err, "sim: data race on ", 18) != 0 || !strstr(r1.err, want1) ||
	    !strstr(r1.err, want2)) {
		fprintf(stderr, "FAIL %s: the report\n%s\nlacks\n%s%s\n", c->name, r1.err, want1,
			want2 + 1);
		return 1;
	}
	/* Replays: the same report, byte for byte, from a fresh process. */
	run_case(c->name, &r2);
	if (strcmp(r1.err, r2.err) != 0) {
		fprintf(stderr, "FAIL %s: two runs, two reports:\n%s---\n%s", c->name, r1.err,
			r2.err);
		return 1;
	}
	printf("ok   %-28s %.*s\n", c->name, (int)strcspn(r1.err, "\n"), r1.err);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ns per access: one thread over a working set of 4096 words (the fast
 * path), then four threads reading the same words (read-shared records). */
static int bench(void)
{
	static uint64_t arr[4096];
	const void *pc = here();
	for (int round = 0; round < 2; round++) {
		race_reset();
		double t0 = now_s();
		long n = 0;
		for (int k = 0; k < 1000; k++)
			for (int i = 0; i < 4096; i++, n++)
				race_access(round ? k % 4 : 0, &arr[i], 8, !round && (i & 1), pc);
		double t = now_s() - t0;
		printf("%s: %.1f ns an access\n", round ? "4 threads reading" : "one thread",
		       1e9 * t / (double)n);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "case") == 0) {
		for (int i = 0; i < NCASES; i++)
			if (strcmp(cases[i].name, argv[2]) == 0) {
				race_reset();
				cases[i].fn();
				race_reset();
				return 0;
			}
		fprintf(stderr, "test_race: no case %s\n", argv[2]);
		return 2;
	}
	if (argc == 2 && strcmp(argv[1], "bench") == 0)
		return bench();
	if (argc != 1) {
		fprintf(stderr, "usage: test_race [case NAME | bench]\n");
		return 2;
	}
	int failed = 0;
	for (int i = 0; i < NCASES; i++)
		failed += check_case(&cases[i]);
	printf("%d cases, %d failed\n", NCASES, failed);
	return failed != 0;
}
