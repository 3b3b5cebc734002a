/*
 * os_linux.c: the OS seam on Linux (os.h): pthreads for Ms and for the
 * library entry's runtime thread, futexes, clock_gettime, the environment's
 * start-up settings, the process. Stack memory is in mem.c, signals in
 * signal.c.
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
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* g0 stacks for new Ms. Generous: the scheduler runs plain C here. */
#define G0_STACK_SIZE (512 * 1024)

/* Addresses order nothing that must replay; a process lives long, so stacks
 * are mapped 256 at a time. */
const bool os_replay = false;
const int32_t os_stackchunk = 256;

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

void os_getstartup(struct os_startup *st)
{
	st->gomaxprocs = getenv("GOMAXPROCS");
	st->debug = getenv("SL_DEBUG");
	st->stack_size = getenv("SL_STACK_SIZE");
	st->main = NULL;
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
