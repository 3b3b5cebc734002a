/*
 * test_sysmon: what sysmon does, observed from goroutines. Each wait below
 * has a generous bound (10 s) that turns a missing behaviour into a failed
 * CHECK instead of a hang; no bound is a speed claim.
 *   syscall_handoff  GOMAXPROCS=1: a goroutine blocks in read() on an empty
 *                    pipe inside sl_syscall_begin/end; sysmon retakes the
 *                    only P, and main keeps running and writes the byte
 *   syscall_churn    GOMAXPROCS=1: thousands of short syscalls, each
 *                    retaken by sysmon, never report a false deadlock
 *   preempt          GOMAXPROCS=1: a goroutine loops calling the runtime
 *                    (sl_numgoroutine) without yielding; after 10 ms sysmon
 *                    asks it to yield, and main runs and stops it
 */
#include "check.h"
#include "export_test.h"
#include "schedlab.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#define BOUND_NS (10LL * 1000 * 1000 * 1000)

static int fds[2];
static int in_syscall, done;
static int64_t main_ticks;

static void reader(void *arg)
{
	(void)arg;
	char c;
	sl_syscall_begin();
	atomic_store(&in_syscall, 1);
	CHECK_EQ(read(fds[0], &c, 1), 1);
	sl_syscall_end();
	atomic_store(&done, 1);
}

/* If main never runs again, unblock the reader so the test fails cleanly. */
static void *watchdog(void *arg)
{
	(void)arg;
	int64_t end = os_nanotime() + BOUND_NS;
	while (!atomic_load(&done) && os_nanotime() < end)
		usleep(1000);
	if (!atomic_load(&done))
		CHECK(write(fds[1], "w", 1) == 1);
	return NULL;
}

static int stop, hog_started;
static int64_t hog_calls;

static void hog(void *arg)
{
	(void)arg;
	int64_t end = os_nanotime() + BOUND_NS;
	atomic_store(&hog_started, 1);
	while (!atomic_load(&stop)) {
		CHECK(sl_numgoroutine() >= 2); /* a runtime call: a preemption point */
		hog_calls++;
		CHECK(os_nanotime() < end); /* not preempted within the bound */
	}
	atomic_store(&done, 1);
}

int sl_main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	CHECK_EQ(sl_gomaxprocs(0), 1);
	if (!strcmp(mode, "syscall_handoff")) {
		CHECK_EQ(pipe(fds), 0);
		pthread_t w;
		pthread_create(&w, NULL, watchdog, NULL);
		sl_go(reader, NULL);
		while (!atomic_load(&in_syscall))
			sl_yield();
		/* The only P is in a syscall; we run only if sysmon retook it. */
		for (int i = 0; i < 1000; i++, main_ticks++)
			sl_yield();
		CHECK(!atomic_load(&done));
		CHECK_EQ(write(fds[1], "x", 1), 1);
		while (!atomic_load(&done))
			sl_yield();
		pthread_join(w, NULL);
		printf("syscall_handoff: main ran %lld times while the only P's goroutine was "
		       "blocked\n",
		       (long long)main_ticks);
		return 0;
	}
	if (!strcmp(mode, "preempt")) {
		sl_go(hog, NULL);
		/* The hog takes the P from here. Usually at the first yield; but
		 * if sysmon has just ended main's slice, the ring (main) goes
		 * before runnext (the hog), and main must look again. Once the
		 * hog has started, main runs again only if it was preempted. */
		while (!atomic_load(&hog_started))
			sl_yield();
		atomic_store(&stop, 1);
		while (!atomic_load(&done))
			sl_yield();
		CHECK(hog_calls > 0);
		printf("preempt: the hog yielded after %lld runtime calls\n", (long long)hog_calls);
		return 0;
	}
	if (!strcmp(mode, "syscall_churn")) {
		/* Short syscalls, each long enough for sysmon to retake the P:
		 * the M leaving the syscall must never see a false deadlock
		 * while sysmon holds the P in transit. */
		for (int i = 0; i < 5000; i++) {
			sl_syscall_begin();
			usleep(30);
			sl_syscall_end();
		}
		printf("syscall_churn: ok\n");
		return 0;
	}
	fprintf(stderr, "test_sysmon: unknown mode %s\n", mode);
	return 2;
}
