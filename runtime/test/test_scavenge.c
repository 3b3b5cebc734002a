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
 *   parked_pointers, parked_memory, relmu_exclusion, badenv
 *                 parked goroutines' stacks released (stackrelease.c,
 *                 SL_STACKRELEASE=1): pointers into them stay valid, the
 *                 memory goes, a restore on a parking goroutine's stack
 *                 does not deadlock, a bad setting is reported (each says
 *                 so and passes where the kernel or a sanitizer rules the
 *                 release out)
 *
 * RSS is /proc/self/statm's resident field. The burst must raise it by more
 * than RISE_MIN, or the test proves nothing and fails.
 */
#include "check.h"
#include "overflow.h"
#include "export_test.h"
#include "schedlab.h"
#include "schedlab_chan.h"
#include "schedlab_sync.h"

#include <errno.h>
#include <pthread.h>
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

/* ---- parked goroutines' stacks released (stackrelease.c) ---- */

static sl_chan *relch;
static volatile int64_t *relpx;
static char *relbuf;
static volatile int relphase;
static struct g *relg;
static sl_waitgroup reldone = SL_WAITGROUP_INIT, relhelper = SL_WAITGROUP_INIT;

/* Parks DEPTH frames down, with a pattern in every frame, a word and a
 * buffer published for the others and a channel receive's element on its
 * stack; checks all of it when it wakes. */
static void rel_deep(int d, int64_t *sum)
{
	volatile int64_t frame[8];
	for (int i = 0; i < 8; i++)
		frame[i] = d * 100 + i;
	if (d > 0) {
		rel_deep(d - 1, sum);
	} else {
		volatile int64_t x = 42;
		char buf[16] = "...............";
		int64_t v = 0;
		relpx = &x;
		relbuf = buf;
		relg = getg();
		relphase = 1;
		CHECK(sl_chan_recv(relch, &v, NULL) == 0); /* parks; released meanwhile */
		CHECK_EQ(x, 43);
		CHECK_EQ(v, 7);
		CHECK(memcmp(buf, "XYZ", 3) == 0 && buf[3] == '.');
		*sum += x + v;
	}
	for (int i = 0; i < 8; i++)
		CHECK_EQ(frame[i], d * 100 + i);
}

static void rel_owner(void *arg)
{
	(void)arg;
	int64_t sum = 0;
	rel_deep(5, &sum);
	CHECK_EQ(sum, 50);
	sl_waitgroup_done(&reldone);
}

static void rel_other(void *arg)
{
	(void)arg;
	CHECK_EQ(*relpx, 42);
	*relpx = 43;
	sl_waitgroup_done(&relhelper);
}

static void rel_kernel(void *arg)
{
	(void)arg;
	int pf[2];
	CHECK(pipe(pf) == 0);
	CHECK(write(pf[1], "XYZ", 3) == 3);
	CHECK(read(pf[0], relbuf, 3) == 3); /* the kernel writes the released stack */
	close(pf[0]);
	close(pf[1]);
	sl_waitgroup_done(&relhelper);
}

static void rel_release(void)
{
	sl_debug_freeosmemory();
	CHECK_EQ(relg->stackstate, STACK_RELEASED);
}

/* A parked goroutine's stack released; a pointer into it read and written by
 * another goroutine, the kernel, stackrelease_touch and the runtime while it
 * is parked (the stack released again before each); the owner wakes with its frames
 * intact and sees every write. */
static void parked_pointers(void)
{
	if (!stackrelease_on) {
		printf("parked_pointers: stack release off here (sanitizer, or no "
		       "userfaultfd with UFFDIO_MOVE)\n");
		return;
	}
	relch = sl_chan_make(sizeof(int64_t), 0);
	sl_waitgroup_add(&reldone, 1);
	sl_go(rel_owner, NULL);
	while (!relphase || readgstatus(relg) != _Gwaiting)
		sl_yield();
	rel_release();
	sl_waitgroup_add(&relhelper, 1);
	sl_go(rel_other, NULL);
	sl_waitgroup_wait(&relhelper);
	rel_release();
	sl_waitgroup_add(&relhelper, 1);
	sl_go(rel_kernel, NULL);
	sl_waitgroup_wait(&relhelper);
	rel_release();
	/* A waker's fill of the page it is about to touch: the G stays
	 * released, and its bytes are the ones it parked with (checked when it
	 * wakes). */
	stackrelease_touch((const void *)relpx);
	CHECK_EQ(relg->stackstate, STACK_RELEASED);
	CHECK_EQ(*relpx, 43);
	rel_release();
	int64_t seven = 7;
	CHECK(sl_chan_send(relch, &seven) == 0); /* the runtime writes the element */
	sl_waitgroup_wait(&reldone);
	CHECK(relg->stackstate != STACK_RELEASED);
	printf("releases %lld restores %lld\n", (long long)stackreleases, (long long)stackrestores);
	CHECK(stackreleases >= 3 && stackrestores >= 1);
}

/* A parked population's memory: a page a goroutine before, a few hundred
 * bytes after sl_debug_freeosmemory, and all of it runs again. */
enum { RELPARKED = 20000 };
static sl_waitgroup relstarted = SL_WAITGROUP_INIT, relleft = SL_WAITGROUP_INIT;
static void rel_member(void *arg)
{
	(void)arg;
	volatile char mark[300];
	for (int i = 0; i < 300; i++)
		mark[i] = (char)i;
	sl_waitgroup_done(&relstarted);
	CHECK(sl_chan_recv(relch, NULL, NULL) == 0);
	for (int i = 0; i < 300; i++)
		CHECK(mark[i] == (char)i);
	sl_waitgroup_done(&relleft);
}

static void parked_memory(void)
{
	if (!stackrelease_on) {
		printf("parked_memory: stack release off here\n");
		return;
	}
	relch = sl_chan_make(0, 0);
	long base = rss();
	sl_waitgroup_add(&relstarted, RELPARKED);
	for (int i = 0; i < RELPARKED; i++)
		sl_go(rel_member, NULL);
	sl_waitgroup_wait(&relstarted);
	for (int i = 0; i < 10; i++)
		sl_yield(); /* the last ones park */
	long parked = rss();
	sl_debug_freeosmemory();
	long released = rss();
	printf("parked_memory: %ld B a goroutine parked, %ld after the release\n",
	       (parked - base) / RELPARKED, (released - base) / RELPARKED);
	CHECK((parked - base) / RELPARKED >= 4096);
	CHECK((released - base) / RELPARKED <= 1024);
	sl_waitgroup_add(&relleft, RELPARKED);
	for (int i = 0; i < RELPARKED; i++)
		CHECK(sl_chan_send(relch, NULL) == 0);
	sl_waitgroup_wait(&relleft);
}

/*
 * relmu's exclusion: a holder of the release records' lock never touches a
 * page the userfaultfd handler would have to serve (the handler takes relmu
 * too, so the holder would wait for itself). The place that broke it: a
 * direct switch restores the next G's released stack in execute_prepare,
 * on the parking G's stack, and the frames below the parking G's deepest
 * touch are missing pages of a registered chunk. Each round: the victim,
 * parked in a receive, is released (its chunk registered); a fresh goroutine
 * (a stack never touched below its frames), its frames DEPTH bytes deeper
 * each round (16 bytes a round over two pages, so that the restorer's
 * callees cross a page boundary in some rounds), wakes the victim into
 * runnext and parks: GOMAXPROCS=1 switches directly to the victim, whose
 * restore runs on the waker's stack. The wakers stay parked, so that no
 * stack is reused. A round that does not end within EX_STUCK_S seconds is
 * the deadlock (a watchdog thread reports it); with the fault check in the
 * handler, the runtime throws instead.
 */
enum { EX_ROUNDS = 256, EX_STEP = 16, EX_STUCK_S = 30 };
static sl_chan *exvictimch, *exparkch;
static struct g *exvictim;
static volatile int64_t exwoken, exparked;
static sl_waitgroup exdone = SL_WAITGROUP_INIT;

static void ex_victim(void *arg)
{
	(void)arg;
	exvictim = getg();
	volatile int64_t mark = 12345;
	for (;;) {
		int64_t v = 0;
		CHECK(sl_chan_recv(exvictimch, &v, NULL) == 0);
		CHECK_EQ(mark, 12345);
		if (v < 0)
			break;
		__atomic_add_fetch(&exwoken, 1, __ATOMIC_SEQ_CST);
	}
	sl_waitgroup_done(&exdone);
}

static __attribute__((noinline)) void ex_wake_at(size_t depth)
{
	volatile char pad[depth + 1];
	pad[0] = 1;
	int64_t one = 1;
	CHECK(sl_chan_send(exvictimch, &one) == 0); /* the victim goes to runnext */
	__atomic_add_fetch(&exparked, 1, __ATOMIC_SEQ_CST);
	CHECK(sl_chan_recv(exparkch, NULL, NULL) == 0); /* parks: the switch to it */
	CHECK_EQ(pad[0], 1);
}

static void ex_waker(void *arg)
{
	ex_wake_at((size_t)(uintptr_t)arg);
	sl_waitgroup_done(&exdone);
}

static void *ex_watchdog(void *arg)
{
	(void)arg;
	int64_t last = -1;
	int still = 0;
	for (;;) {
		sleep(1);
		int64_t now = __atomic_load_n(&exwoken, __ATOMIC_SEQ_CST);
		still = now == last ? still + 1 : 0;
		last = now;
		if (still >= EX_STUCK_S) {
			printf("relmu_exclusion: round %lld stuck for %d s: a holder of relmu "
			       "waits for the userfaultfd handler\n",
			       (long long)now, EX_STUCK_S);
			fflush(NULL);
			_Exit(1);
		}
	}
	return NULL;
}

static void relmu_exclusion(void)
{
	if (!stackrelease_on) {
		printf("relmu_exclusion: stack release off here\n");
		return;
	}
	CHECK_EQ(sl_gomaxprocs(0), 1);
	pthread_t wd;
	CHECK(pthread_create(&wd, NULL, ex_watchdog, NULL) == 0);
	exvictimch = sl_chan_make(sizeof(int64_t), 0);
	exparkch = sl_chan_make(0, 0);
	sl_waitgroup_add(&exdone, 1 + EX_ROUNDS);
	sl_go(ex_victim, NULL);
	int64_t restores0 = 0;
	for (int r = 0; r < EX_ROUNDS; r++) {
		while (!exvictim || readgstatus(exvictim) != _Gwaiting)
			sl_yield();
		sl_debug_freeosmemory();
		CHECK_EQ(exvictim->stackstate, STACK_RELEASED);
		if (r == 0)
			restores0 = stackrestores;
		sl_go(ex_waker, (void *)(uintptr_t)(r * EX_STEP));
		while (__atomic_load_n(&exwoken, __ATOMIC_SEQ_CST) < r + 1 ||
		       __atomic_load_n(&exparked, __ATOMIC_SEQ_CST) < r + 1)
			sl_yield();
	}
	printf("relmu_exclusion: %d rounds, %lld restores\n", EX_ROUNDS,
	       (long long)(stackrestores - restores0));
	CHECK(stackrestores - restores0 >= EX_ROUNDS);
	int64_t stop = -1;
	CHECK(sl_chan_send(exvictimch, &stop) == 0);
	CHECK(sl_chan_close(exparkch) == 0);
	sl_waitgroup_wait(&exdone);
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
	else if (!strcmp(mode, "parked_pointers"))
		parked_pointers();
	else if (!strcmp(mode, "parked_memory"))
		parked_memory();
	else if (!strcmp(mode, "relmu_exclusion"))
		relmu_exclusion();
	else if (!strcmp(mode, "badenv")) {
		/*
		 * A bad SL_STACKRELEASE is reported and ignored: the feature
		 * stays off, the program runs.
		 *
		 * EXPECT stackrelease_badenv
		 * args    badenv
		 * env     SL_STACKRELEASE=yes
		 * status  0
		 * match   ^schedlab: SL_STACKRELEASE: ignoring "yes" \(want 0, 1 or 2\)$
		 * match   ^badenv: off$
		 */
		printf("badenv: %s\n", stackrelease_on ? "on" : "off");
	} else if (!strcmp(mode, "guard")) {
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
		fprintf(stderr,
			"usage: test_scavenge freeosmemory|background|reuse|steady|"
			"mmap_retry|parked_pointers|parked_memory|relmu_exclusion|badenv|guard\n");
		return 2;
	}
	printf("%s: ok\n", mode);
	return 0;
}
