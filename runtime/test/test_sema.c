/*
 * test_sema: white-box tests of semacquire/semrelease (sema.c). One mode
 * per run (argv[1]):
 *
 *   counts     releases with nobody waiting accumulate; acquires take them
 *              without parking
 *   order      FIFO among waiters for one address, a lifo waiter first
 *   handoff    semrelease(handoff) gives the count to the waiter and runs
 *              it at once; without handoff the count stays until the
 *              waiter takes it (exact checks at GOMAXPROCS=1)
 *   sameroot   two addresses in one bucket keep separate queues
 *   pingpong   pairs pass a baton through two semaphores, many rounds,
 *              across Ps: a lost wakeup hangs or deadlocks the run
 *   counting   a counting semaphore of 3 under 32 goroutines: never more
 *              than 3 inside, every acquire matched, the count restored
 */
#include "check.h"
#include "sema.h"
#include "schedlab.h"

#include <string.h>

static sl_waitgroup done = SL_WAITGROUP_INIT;

/* ---- counts ---- */

static void test_counts(void)
{
	uint32_t s = 0;
	for (int i = 0; i < 5; i++)
		semrelease(&s, false);
	CHECK_EQ(s, 5);
	semrelease(&s, true); /* handoff with nobody waiting: just a count */
	CHECK_EQ(s, 6);
	for (int i = 0; i < 6; i++)
		semacquire(&s);
	CHECK_EQ(s, 0);
	CHECK_EQ(semawaiters(&s), 0);
	printf("counts: ok\n");
}

/* ---- order ---- */

static uint32_t osem;
static int32_t order[3];
static int32_t norder; /* atomic */

static void order_waiter(void *arg)
{
	intptr_t id = (intptr_t)arg;
	semacquire1(&osem, id == 2, waitReasonSemacquire);
	order[atomic_xadd(&norder, 1) - 1] = (int32_t)id;
	sl_waitgroup_done(&done);
}

static void test_order(void)
{
	sl_waitgroup_add(&done, 3);
	for (intptr_t id = 0; id < 3; id++) {
		sl_go(order_waiter, (void *)id);
		while (semawaiters(&osem) != (uint32_t)id + 1)
			sl_yield();
	}
	/* Queued 0, 1, then 2 at the front. Release one at a time. */
	for (int32_t i = 0; i < 3; i++) {
		semrelease(&osem, false);
		while (atomic_load(&norder) != i + 1)
			sl_yield();
		CHECK_EQ(semawaiters(&osem), (uint32_t)(2 - i));
	}
	sl_waitgroup_wait(&done);
	CHECK_EQ(order[0], 2);
	CHECK_EQ(order[1], 0);
	CHECK_EQ(order[2], 1);
	CHECK_EQ(osem, 0);
	printf("order: 2 0 1\n");
}

/* ---- handoff ---- */

static uint32_t hsem;
static int32_t hran; /* atomic */

static void handoff_waiter(void *arg)
{
	(void)arg;
	semacquire(&hsem);
	atomic_xadd(&hran, 1);
	sl_waitgroup_done(&done);
}

static void test_handoff(void)
{
	bool one = sl_gomaxprocs(0) == 1;

	/* With handoff. */
	sl_waitgroup_add(&done, 1);
	sl_go(handoff_waiter, NULL);
	while (semawaiters(&hsem) != 1)
		sl_yield();
	semrelease(&hsem, true);
	/* The count went to the waiter, not into the semaphore. */
	CHECK_EQ(atomic_load(&hsem), 0);
	/* On one P the waiter ran before semrelease returned: it was in
	 * runnext, and we went to the global queue. Only if the time slice
	 * had ended would the global queue go first: sysmon ends slices after
	 * 10 ms, which under a sanitizer on a busy machine can fall just here,
	 * so this test runs with SL_DEBUG=sysmonoff=1 (sync.cmake). */
	if (one)
		CHECK_EQ(atomic_load(&hran), 1);
	sl_waitgroup_wait(&done);
	CHECK_EQ(atomic_load(&hran), 1);

	/* Without handoff the waiter takes the count itself, later. */
	sl_waitgroup_add(&done, 1);
	sl_go(handoff_waiter, NULL);
	while (semawaiters(&hsem) != 1)
		sl_yield();
	semrelease(&hsem, false);
	CHECK_EQ(semawaiters(&hsem), 0);
	if (one) {
		/* Readied, not yet run: the count is still there. */
		CHECK_EQ(atomic_load(&hran), 1);
		CHECK_EQ(atomic_load(&hsem), 1);
	}
	sl_waitgroup_wait(&done);
	CHECK_EQ(atomic_load(&hran), 2);
	CHECK_EQ(atomic_load(&hsem), 0);
	printf("handoff: ok\n");
}

/* ---- two addresses, one bucket ---- */

/* 251 buckets of 8 bytes of address: 2008 bytes apart share a bucket. */
static uint32_t bucket[2 * 251 + 1] __attribute__((aligned(8)));
static int32_t woke[2]; /* atomic */

static void bucket_waiter(void *arg)
{
	intptr_t i = (intptr_t)arg;
	semacquire(&bucket[i * 2 * 251]);
	atomic_store(&woke[i], 1);
	sl_waitgroup_done(&done);
}

static void test_sameroot(void)
{
	uint32_t *a = &bucket[0], *b = &bucket[2 * 251];
	CHECK_EQ(((uintptr_t)a >> 3) % 251, ((uintptr_t)b >> 3) % 251);
	sl_waitgroup_add(&done, 2);
	sl_go(bucket_waiter, (void *)0);
	sl_go(bucket_waiter, (void *)1);
	while (semawaiters(a) != 1 || semawaiters(b) != 1)
		sl_yield();
	semrelease(b, false);
	while (!atomic_load(&woke[1]))
		sl_yield();
	CHECK_EQ(atomic_load(&woke[0]), 0);
	CHECK_EQ(semawaiters(a), 1);
	CHECK_EQ(semawaiters(b), 0);
	semrelease(a, false);
	sl_waitgroup_wait(&done);
	CHECK_EQ(atomic_load(&woke[0]), 1);
	CHECK_EQ(*a, 0);
	CHECK_EQ(*b, 0);
	printf("sameroot: ok\n");
}

/* ---- ping-pong across Ps ---- */

enum { PAIRS = 8, ROUNDS = 20000 };

struct pair {
	uint32_t sem[2];
	int64_t passes[2];
};
static struct pair pairs[PAIRS];

static void player(void *arg)
{
	intptr_t id = (intptr_t)arg;
	struct pair *pr = &pairs[id / 2];
	int me = (int)(id % 2), other = 1 - me;
	for (int i = 0; i < ROUNDS; i++) {
		if (me == 1 || i > 0)
			semacquire(&pr->sem[me]);
		pr->passes[me]++;
		/* Alternate plain and handoff releases. */
		semrelease(&pr->sem[other], i % 2 == 0);
	}
	sl_waitgroup_done(&done);
}

static void test_pingpong(void)
{
	sl_waitgroup_add(&done, 2 * PAIRS);
	for (intptr_t i = 0; i < 2 * PAIRS; i++)
		sl_go(player, (void *)i);
	sl_waitgroup_wait(&done);
	for (int i = 0; i < PAIRS; i++) {
		CHECK_EQ(pairs[i].passes[0], ROUNDS);
		CHECK_EQ(pairs[i].passes[1], ROUNDS);
		/* Player 1's last release to player 0 is never taken. */
		CHECK_EQ(pairs[i].sem[0], 1);
		CHECK_EQ(pairs[i].sem[1], 0);
	}
	printf("pingpong: %d pairs x %d rounds at GOMAXPROCS=%d\n", PAIRS, ROUNDS,
	       sl_gomaxprocs(0));
}

/* ---- a counting semaphore ---- */

enum { SLOTS = 3, COUNTERS = 32, COUNT_ITERS = 2000 };
static uint32_t csem = SLOTS;
static int32_t in_use;	   /* atomic */
static int32_t max_in_use; /* atomic */
static int64_t acquired;   /* atomic */

static void counter(void *arg)
{
	intptr_t id = (intptr_t)arg;
	for (int i = 0; i < COUNT_ITERS; i++) {
		semacquire(&csem);
		int32_t n = atomic_xadd(&in_use, 1);
		int32_t m = atomic_load(&max_in_use);
		while (n > m && !atomic_cas(&max_in_use, m, n))
			m = atomic_load(&max_in_use);
		atomic_xadd(&acquired, 1);
		if ((i + id) % 7 == 0)
			sl_yield();
		atomic_xadd(&in_use, -1);
		semrelease(&csem, (i + id) % 5 == 0);
	}
	sl_waitgroup_done(&done);
}

static void test_counting(void)
{
	sl_waitgroup_add(&done, COUNTERS);
	for (intptr_t i = 0; i < COUNTERS; i++)
		sl_go(counter, (void *)i);
	sl_waitgroup_wait(&done);
	CHECK_EQ(atomic_load(&acquired), (int64_t)COUNTERS * COUNT_ITERS);
	CHECK(atomic_load(&max_in_use) <= SLOTS);
	CHECK(atomic_load(&max_in_use) >= 1);
	CHECK_EQ(atomic_load(&csem), SLOTS);
	CHECK_EQ(semawaiters(&csem), 0);
	printf("counting: max %d inside at GOMAXPROCS=%d\n", max_in_use, sl_gomaxprocs(0));
}

int sl_main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "counts"))
		test_counts();
	else if (!strcmp(mode, "order"))
		test_order();
	else if (!strcmp(mode, "handoff"))
		test_handoff();
	else if (!strcmp(mode, "sameroot"))
		test_sameroot();
	else if (!strcmp(mode, "pingpong"))
		test_pingpong();
	else if (!strcmp(mode, "counting"))
		test_counting();
	else {
		fprintf(stderr, "test_sema: unknown mode %s\n", mode);
		return 1;
	}
	return 0;
}
