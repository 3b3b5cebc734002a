/*
 * test_scavenge: goroutine stack memory goes back to the OS (stack.c's
 * scavenger, sl_debug_freeosmemory) and a refused stack mapping is retried.
 * One mode per run:
 *
 *   freeosmemory  a burst of BURST goroutines that touch TOUCH bytes of stack
 *                 and park, then all exit; sl_debug_freeosmemory brings RSS
 *                 back within SLACK of the level before the burst (under
 *                 TSan, whose own per-fiber state stays: see BACK_DOWN)
 *   background    the same without the call: sysmon's scavenger brings it
 *                 down (polled for up to 60 s; the test is about the
 *                 outcome, not the speed)
 *   reuse         released stacks read as zeros and work when reused: a
 *                 pattern written over every byte of many stacks is gone
 *                 after the release, and the stacks taken again hold a new
 *                 pattern, and goroutines run on them
 *   steady        a spawn loop in steady use keeps its stacks: the scavenger
 *                 releases none of them over several of its passes
 *   mmap_retry    under SL_FAULT=mmap:RATE every stack mapping may be
 *                 refused; the pool retries, and a burst still runs
 *   guard         a goroutine overflowing a released (not unmapped) stack
 *                 still hits its guard (EXPECT blocks)
 *
 * RSS is /proc/self/statm's resident field. The burst must raise it by more
 * than RISE_MIN, or the test proves nothing and fails.
 */
#include "check.h"
#include "overflow.h"
#include "export_test.h"
#include "schedlab.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { BURST = 20000, TOUCH = 4096 };
#define MIB	 (1024 * 1024)
#define RISE_MIN (40 * MIB) /* BURST stacks of a page or two each */
/* What may stay after the release: the dead Gs (kept, as Go keeps them),
 * allgs, the P caches (STACKCACHE_SIZE each, background only) and the
 * SCAVENGE_RETAIN stacks the background scavenger keeps. */
#define SLACK (16 * MIB)

#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_THREAD__) || __has_feature(thread_sanitizer)
/* ThreadSanitizer keeps about 13 KB for every goroutine that was alive at
 * once (the state and trace of its fiber, recycled in its own pools, never
 * unmapped: 260 MB of a 650 MB burst), so there the stacks' part is
 * checked: RSS must fall by a third of the rise. */
#define BACK_DOWN(before, peak, now) ((now) <= (peak) - ((peak) - (before)) / 3)
#else
#define BACK_DOWN(before, peak, now) ((now) <= (before) + SLACK)
#endif

#if defined(__SANITIZE_ADDRESS__)
#define NO_ASAN __attribute__((no_sanitize_address))
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_ASAN __attribute__((no_sanitize_address))
#endif
#endif
#ifndef NO_ASAN
#define NO_ASAN
#endif

static long rss(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	CHECK(f != NULL);
	long size = 0, res = 0;
	CHECK(fscanf(f, "%ld %ld", &size, &res) == 2);
	fclose(f);
	return res * sysconf(_SC_PAGESIZE);
}

/* ---- a burst ---- */

static sl_chan *gate;
static sl_waitgroup started = SL_WAITGROUP_INIT;

/* Touch TOUCH bytes of this goroutine's stack, so its pages are resident. */
static __attribute__((noinline)) int touch(int seed)
{
	volatile char buf[TOUCH];
	for (size_t i = 0; i < sizeof buf; i += 512)
		buf[i] = (char)(seed + (int)i);
	return buf[0] + buf[sizeof buf - 512];
}

static int64_t touched;

static void parked(void *arg)
{
	atomic_xadd(&touched, touch((int)(intptr_t)arg) != 12345);
	sl_waitgroup_done(&started);
	sl_chan_recv(gate, NULL, NULL); /* until the gate closes */
}

/* Spawn n goroutines that touch their stacks and park; wait until they all
 * have; open the gate and wait until every one of them has exited. */
static void burst(int n)
{
	gate = sl_chan_make(0, 0);
	CHECK(gate != NULL);
	atomic_store(&touched, 0);
	sl_waitgroup_add(&started, n);
	for (int i = 0; i < n; i++)
		sl_go(parked, (void *)(intptr_t)i);
	sl_waitgroup_wait(&started);
	CHECK_EQ(atomic_load(&touched), n);
	CHECK_EQ(sl_chan_close(gate), 0);
	while (sl_numgoroutine() > 1)
		sl_yield();
	sl_chan_free(gate);
}

/* A burst and its RSS: before, at the end (every goroutine gone). */
static void measured_burst(long *before, long *after)
{
	/* Start from a clean pool, so that only the burst's stacks count. */
	sl_debug_freeosmemory();
	*before = rss();
	burst(BURST);
	*after = rss();
	printf("RSS before the burst %ld MiB, after it %ld MiB\n", *before / MIB, *after / MIB);
	CHECK(*after - *before > RISE_MIN);
}

static void freeosmemory(void)
{
	long before, after;
	measured_burst(&before, &after);
	int64_t released = atomic_load(&stacks_released);
	int64_t unmapped = atomic_load(&stackchunks_unmapped);
	sl_debug_freeosmemory();
	long now = rss();
	printf("after sl_debug_freeosmemory %ld MiB (%lld stacks released, %lld chunks "
	       "unmapped)\n",
	       now / MIB, (long long)(atomic_load(&stacks_released) - released),
	       (long long)(atomic_load(&stackchunks_unmapped) - unmapped));
	CHECK(BACK_DOWN(before, after, now));
	CHECK(atomic_load(&stackchunks_unmapped) > unmapped);
}

static void background(void)
{
	long before, after;
	measured_burst(&before, &after);
	long now = rss();
	int64_t unmapped = atomic_load(&stackchunks_unmapped);
	int64_t t0 = os_nanotime();
	while (!BACK_DOWN(before, after, now)) {
		if (os_nanotime() - t0 > 60 * 1000000000ll) {
			fprintf(stderr, "RSS still %ld MiB after 60 s (%ld before the burst)\n",
				now / MIB, before / MIB);
			CHECK(BACK_DOWN(before, after, now));
		}
		sl_sleep(100 * 1000 * 1000);
		now = rss();
	}
	printf("scavenged in %.1f s: RSS %ld MiB, %lld chunks unmapped\n",
	       (double)(os_nanotime() - t0) / 1e9, now / MIB,
	       (long long)(atomic_load(&stackchunks_unmapped) - unmapped));
}

/* ---- reuse ---- */

enum { NREUSE = 600 };
static stack held[NREUSE];

static NO_ASAN void fill(stack s, unsigned char v)
{
	for (volatile unsigned char *q = (unsigned char *)s.lo; q < (unsigned char *)s.hi; q++)
		*q = v;
}

/* Whether every byte of s is v. */
static NO_ASAN bool holds(stack s, unsigned char v)
{
	for (volatile unsigned char *q = (unsigned char *)s.lo; q < (unsigned char *)s.hi; q++)
		if (*q != v)
			return false;
	return true;
}

static int64_t ran;

static __attribute__((noinline)) int deep(int depth)
{
	volatile char frame[2048];
	frame[0] = (char)depth;
	frame[sizeof frame - 1] = (char)depth;
	if (depth == 0)
		return frame[0];
	return deep(depth - 1) + frame[sizeof frame - 1];
}

static void deep_g(void *arg)
{
	(void)arg;
	if (deep(12) == 78) /* 0 + 1 + ... + 12 */
		atomic_xadd(&ran, 1);
}

static void reuse(void)
{
	sl_debug_freeosmemory();
	/* NREUSE stacks, each written whole. They come from the P's cache
	 * and the pool: this goroutine owns its P's cache while it runs. */
	for (int i = 0; i < NREUSE; i++) {
		held[i] = stackalloc();
		fill(held[i], 0xa5);
		CHECK(holds(held[i], 0xa5));
	}
	for (int i = 0; i < NREUSE; i++)
		stackfree(held[i]);
	int64_t released = atomic_load(&stacks_released);
	sl_debug_freeosmemory();
	CHECK(atomic_load(&stacks_released) - released >= NREUSE);
	/* Every stack still mapped is out of memory now: nothing resident, and
	 * reads give zeros. mincore says ENOMEM for an unmapped one. */
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char vec[1024];
	int mapped = 0;
	for (int i = 0; i < NREUSE; i++) {
		size_t len = held[i].hi - held[i].lo;
		CHECK(len / page <= sizeof vec);
		if (mincore((void *)held[i].lo, len, vec) != 0) {
			CHECK_EQ(errno, ENOMEM);
			continue;
		}
		mapped++;
		for (size_t k = 0; k < len / page; k++)
			CHECK_EQ(vec[k] & 1, 0);
		CHECK(holds(held[i], 0));
	}
	printf("%d stacks released and still mapped, %d unmapped\n", mapped, NREUSE - mapped);
	/* Taken again, released or new, they are zero-clean and work. */
	for (int i = 0; i < NREUSE; i++) {
		held[i] = stackalloc();
		CHECK(holds(held[i], 0));
		fill(held[i], (unsigned char)i);
	}
	for (int i = 0; i < NREUSE; i++) {
		CHECK(holds(held[i], (unsigned char)i));
		fill(held[i], 0);
		stackfree(held[i]);
	}
	sl_debug_freeosmemory();
	atomic_store(&ran, 0);
	for (int i = 0; i < NREUSE; i++)
		sl_go(deep_g, NULL);
	while (atomic_load(&ran) < NREUSE)
		sl_yield();
}

/* ---- steady ---- */

enum { WAVE = 300 };
static sl_waitgroup wave = SL_WAITGROUP_INIT;

static void short_lived(void *arg)
{
	atomic_xadd(&touched, touch((int)(intptr_t)arg) != 12345);
	sl_waitgroup_done(&wave);
}

static void steady(void)
{
	/* Waves of WAVE goroutines, without pause: every wave takes back
	 * most of the stacks the last one gave. Nothing in the pool stays idle
	 * for a whole pass beyond the retained minimum. */
	for (int i = 0; i < 3; i++) { /* warm up: the pool reaches its size */
		sl_waitgroup_add(&wave, WAVE);
		for (int j = 0; j < WAVE; j++)
			sl_go(short_lived, (void *)(intptr_t)j);
		sl_waitgroup_wait(&wave);
	}
	int64_t released = atomic_load(&stacks_released);
	int64_t mapped = atomic_load(&stacks_mapped);
	int64_t passes = atomic_load(&scavenge_passes);
	int64_t waves = 0, t0 = os_nanotime();
	while (atomic_load(&scavenge_passes) < passes + 3) {
		if (os_nanotime() - t0 > 60 * 1000000000ll) {
			fprintf(stderr, "no 3 scavenger passes in 60 s\n");
			CHECK(atomic_load(&scavenge_passes) >= passes + 3);
		}
		sl_waitgroup_add(&wave, WAVE);
		for (int j = 0; j < WAVE; j++)
			sl_go(short_lived, (void *)(intptr_t)j);
		sl_waitgroup_wait(&wave);
		waves++;
	}
	printf("%lld waves over 3 scavenger passes: %lld stacks released, %lld mapped\n",
	       (long long)waves, (long long)(atomic_load(&stacks_released) - released),
	       (long long)(atomic_load(&stacks_mapped) - mapped));
	CHECK_EQ(atomic_load(&stacks_released), released);
	CHECK_EQ(atomic_load(&stacks_mapped), mapped);
}

/* ---- the mmap retry ---- */

static void mmap_retry(void)
{
	/* Bursts with a release between them, so that every burst maps again. */
	for (int i = 0; i < 4; i++) {
		burst(3000);
		sl_debug_freeosmemory();
	}
	printf("%lld mappings refused, %lld faults injected\n",
	       (long long)atomic_load(&stackmap_refusals), (long long)sl_fault_count("mmap"));
	CHECK(sl_fault_count("mmap") > 0);
	CHECK_EQ(atomic_load(&stackmap_refusals), sl_fault_count("mmap"));
}

/* ---- the guard of a released stack ---- */

static sl_chan *odd, *even;

static void pinned(void *arg)
{
	sl_waitgroup_done(&started);
	sl_chan_recv((intptr_t)arg % 2 ? odd : even, NULL, NULL);
}

static void guard(void)
{
	/* Half the stacks of a few chunks stay in use, so that their chunks
	 * stay mapped when the other half is released. */
	odd = sl_chan_make(0, 0);
	even = sl_chan_make(0, 0);
	sl_waitgroup_add(&started, 1024);
	for (intptr_t i = 0; i < 1024; i++)
		sl_go(pinned, (void *)i);
	sl_waitgroup_wait(&started); /* every one has its stack */
	sl_chan_close(odd);
	while (sl_numgoroutine() > 513)
		sl_yield();
	int64_t released = atomic_load(&stacks_released);
	sl_debug_freeosmemory();
	printf("%lld stacks released\n", (long long)(atomic_load(&stacks_released) - released));
	CHECK(atomic_load(&stacks_released) - released >= 512);
	/* The pool holds only released stacks now (and chunks never used,
	 * unmapped): the next stack is one of the first, in a mapped chunk. */
	sl_go(overflow, NULL);
	for (;;)
		sl_yield();
}

int sl_main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "freeosmemory"))
		freeosmemory();
	else if (!strcmp(mode, "background"))
		background();
	else if (!strcmp(mode, "reuse"))
		reuse();
	else if (!strcmp(mode, "steady"))
		steady();
	else if (!strcmp(mode, "mmap_retry"))
		mmap_retry();
	else if (!strcmp(mode, "guard")) {
		/*
		 * EXPECT guard
		 * args    guard
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^runtime: goroutine stack exceeds 65536-byte limit$
		 * match   ^fatal error: stack overflow$
		 * nomatch survived
		 */
		/*
		 * EXPECT guard_mprotect
		 * args    guard
		 * env     GOMAXPROCS=2
		 * env     SL_DEBUG=stackguard=1
		 * status  2
		 * match   ^runtime: goroutine stack exceeds 65536-byte limit$
		 * match   ^fatal error: stack overflow$
		 * nomatch survived
		 */
		guard();
	} else {
		fprintf(stderr, "usage: test_scavenge freeosmemory|background|reuse|steady|"
				"mmap_retry|guard\n");
		return 2;
	}
	printf("%s: ok\n", mode);
	return 0;
}
