/*
 * os_linux.c: the OS seam on Linux (os.h): pthreads for Ms and for the
 * library entry's runtime thread, futexes, clock_gettime, the environment's
 * start-up settings, the process. Stack memory is in mem.c, signals in
 * signal.c, fault injection (SL_FAULT) in fault.c: this file injects the
 * thread and futex faults and reads the environment for it.
 *
 * Ms are pthreads, not raw clone()s, so that libc, TLS and the sanitizers see
 * ordinary threads. Each thread's pthread stack becomes its M's g0 stack.
 */
#define _GNU_SOURCE
#include "runtime.h"

#include "fault.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* g0 stacks for new Ms. Generous: the scheduler runs plain C here. */
#define G0_STACK_SIZE (512 * 1024)

/* How long os_newosproc retries a pthread_create that fails with EAGAIN
 * (the kernel's transient "no thread now", or SL_FAULT=thread) before Go's
 * fatal, and the longest pause between tries. */
#define NEWOSPROC_RETRY_NS    (1000 * 1000 * 1000)
#define NEWOSPROC_BACKOFF_MAX 1000 /* microseconds */

/* Addresses order nothing that must replay; a process lives long, so stacks
 * are mapped 256 at a time. */
const bool os_replay = false;
const int32_t os_stackchunk = 256;

static void *thread_start(void *arg)
{
	struct m *mp = arg;
	fault_register_thread();
	setg(mp->g0);
	mstart();
}

/*
 * Go throws at once when a thread cannot be made; EAGAIN is often transient
 * (a burst of thread exits not yet reaped, a cgroup's pids limit near its
 * edge), so this retries it with a growing pause for NEWOSPROC_RETRY_NS and
 * throws only then: no thread for a second is no progress. Any other error
 * throws at once. Callers (newm, from startm, startTheWorld and
 * runtime_main) hold no runtime lock, so the wait delays only the P that
 * the new M is for.
 */
void os_newosproc(struct m *mp)
{
	pthread_attr_t attr;
	pthread_t tid;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, G0_STACK_SIZE);
	int64_t start = 0, now = 0;
	uint32_t backoff = 1;
	int err, tries = 0;
	for (;;) {
		tries++;
		err = fault_inject(FAULT_THREAD) ? EAGAIN
						 : pthread_create(&tid, &attr, thread_start, mp);
		if (err != EAGAIN)
			break;
		now = os_nanotime();
		if (start == 0)
			start = now;
		else if (now - start >= NEWOSPROC_RETRY_NS)
			break;
		os_usleep(backoff);
		if (backoff < NEWOSPROC_BACKOFF_MAX)
			backoff *= 2;
	}
	pthread_attr_destroy(&attr);
	if (err != 0) {
		if (tries > 1)
			print("runtime: pthread_create: EAGAIN for %lld ms (%d tries)\n",
			      (long long)((now - start) / 1000000), tries);
		print("runtime: failed to create new OS thread (have %d already; errno=%d)\n",
		      mcount(), err);
		throw("newosproc");
	}
	mp->osthread = (uintptr_t)tid;
}

static void *osproc0_start(void *arg)
{
	((void (*)(void))(uintptr_t)arg)();
	return NULL;
}

/* A default-sized pthread stack: the runtime thread's becomes m0's g0. */
int os_newosproc0(void (*fn)(void))
{
	pthread_attr_t attr;
	pthread_t tid;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int err = pthread_create(&tid, &attr, osproc0_start, (void *)(uintptr_t)fn);
	pthread_attr_destroy(&attr);
	return err;
}

/* SL_FAULT=futex returns without sleeping, half the time after a yield (a
 * spurious wake-up, some time later), half at once (an EINTR): every caller
 * rechecks its condition, as it must for the real ones. */
void os_futexsleep(uint32_t *addr, uint32_t val, int64_t ns)
{
	if (fault_inject(FAULT_FUTEX)) {
		if (fault_rand() & 1)
			sched_yield();
		return;
	}
	struct timespec ts, *tsp = NULL;
	if (ns >= 0) {
		ts.tv_sec = ns / 1000000000;
		ts.tv_nsec = ns % 1000000000;
		tsp = &ts;
	}
	syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, tsp, NULL, 0);
}

/*
 * A wake comes after the store that releases the waiter (notewakeup,
 * unlock), so the waiter may have seen the store without sleeping, returned,
 * and let the memory go: sl_run's note is on a foreign thread's stack, which
 * is unmapped when that thread exits. That is safe because the futex is
 * private: the kernel keys it by address alone and never touches the page,
 * so a wake on memory that is gone wakes nobody and succeeds (test
 * hostile.wake_unmapped; a shared futex would fail there with EFAULT). Any
 * error is a runtime bug.
 */
void os_futexwakeup(uint32_t *addr, uint32_t cnt)
{
	long r = syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, cnt, NULL, NULL, 0);
	if (r < 0) {
		print("futexwakeup addr=%p returned %d\n", (void *)addr, -errno);
		throw("futexwakeup");
	}
}

int64_t os_nanotime(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void os_usleep(uint32_t us)
{
	struct timespec ts = {us / 1000000, (long)(us % 1000000) * 1000};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

void os_osyield(void)
{
	sched_yield();
}

int32_t os_getproccount(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) != 0)
		return 1;
	int n = CPU_COUNT(&set);
	return n > 0 ? n : 1;
}

void os_getstartup(struct os_startup *st)
{
	st->gomaxprocs = getenv("GOMAXPROCS");
	st->debug = getenv("SL_DEBUG");
	st->stack_size = getenv("SL_STACK_SIZE");
	st->traceback = getenv("SL_TRACEBACK");
	st->main = NULL;
	fault_init(); /* SL_FAULT, SL_FAULT_SEED: exits 2 on a bad value */
}

void os_threadstack(uintptr_t *lo, uintptr_t *hi)
{
	pthread_attr_t attr;
	void *addr;
	size_t size;
	if (pthread_getattr_np(pthread_self(), &attr) != 0)
		throw("pthread_getattr_np");
	pthread_attr_getstack(&attr, &addr, &size);
	pthread_attr_destroy(&attr);
	*lo = (uintptr_t)addr;
	*hi = (uintptr_t)addr + size;
}

void os_exit(int code)
{
	_exit(code);
}

void os_write2(const char *buf, int n)
{
	while (n > 0) {
		ssize_t w = write(2, buf, (size_t)n);
		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			return;
		}
		buf += w;
		n -= (int)w;
	}
}
