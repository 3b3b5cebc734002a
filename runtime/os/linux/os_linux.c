/*
 * os_linux.c: the OS seam on Linux: pthreads for Ms, futexes, clock_gettime.
 *
 * Ms are pthreads, not raw clone()s, so that libc, TLS and the sanitizers see
 * ordinary threads. Each thread's pthread stack becomes its M's g0 stack.
 */
#define _GNU_SOURCE
#include "runtime.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* g0 stacks for new Ms. Generous: the scheduler runs plain C here. */
#define G0_STACK_SIZE (512 * 1024)

static void *thread_start(void *arg)
{
	struct m *mp = arg;
	setg(mp->g0);
	mstart();
}

void os_newosproc(struct m *mp)
{
	pthread_attr_t attr;
	pthread_t tid;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, G0_STACK_SIZE);
	int err = pthread_create(&tid, &attr, thread_start, mp);
	pthread_attr_destroy(&attr);
	if (err != 0) {
		print("runtime: failed to create new OS thread (have %d already; errno=%d)\n",
		      mcount(), err);
		throw("newosproc");
	}
	mp->osthread = (uintptr_t)tid;
}

void os_futexsleep(uint32_t *addr, uint32_t val, int64_t ns)
{
	struct timespec ts, *tsp = NULL;
	if (ns >= 0) {
		ts.tv_sec = ns / 1000000000;
		ts.tv_nsec = ns % 1000000000;
		tsp = &ts;
	}
	syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, tsp, NULL, 0);
}

void os_futexwakeup(uint32_t *addr, uint32_t cnt)
{
	long r = syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, cnt, NULL, NULL, 0);
	if (r < 0) {
		print("futexwakeup addr=%p returned %ld\n", (void *)addr, r);
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
