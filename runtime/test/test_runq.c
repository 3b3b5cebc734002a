/*
 * test_runq: the local run queue and the global queue, white-box, in the
 * spirit of Go's TestSchedLocalQueue, TestSchedLocalQueueSteal and
 * TestSchedLocalQueueEmpty. The Ps and Gs here are private to the test and
 * never scheduled; run at GOMAXPROCS=1 so nothing else touches the global
 * queue while it holds fake Gs.
 */
#include "check.h"
#include "export_test.h"
#include "schedlab.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static struct g *fakeg(void)
{
	struct g *gp = calloc(1, sizeof *gp);
	gp->atomicstatus = _Grunnable;
	return gp;
}

static struct p *fakep(void)
{
	struct p *pp = calloc(1, sizeof *pp);
	pp->status = _Pidle;
	return pp;
}

static void test_put_get_order(void)
{
	struct p *pp = fakep();
	bool inherit;
	CHECK(runqempty(pp));
	CHECK(runqget(pp, &inherit) == NULL);
	struct g *gs[RUNQ_SIZE];
	for (int n = 1; n <= RUNQ_SIZE; n++) {
		for (int i = 0; i < n; i++) {
			gs[i] = fakeg();
			runqput(pp, gs[i], false);
		}
		CHECK_EQ(runqlen(pp), n);
		for (int i = 0; i < n; i++) {
			struct g *gp = runqget(pp, &inherit);
			CHECK(gp == gs[i]); /* FIFO */
			CHECK(!inherit);
			free(gp);
		}
		CHECK(runqempty(pp));
	}
	free(pp);
}

static void test_runnext(void)
{
	struct p *pp = fakep();
	bool inherit;
	struct g *a = fakeg(), *b = fakeg(), *c = fakeg();
	runqput(pp, a, false);
	runqput(pp, b, true);
	CHECK(pp->runnext == b);
	runqput(pp, c, true); /* kicks b to the ring's tail */
	CHECK(pp->runnext == c);
	CHECK(runqget(pp, &inherit) == c && inherit);
	CHECK(runqget(pp, &inherit) == a && !inherit);
	CHECK(runqget(pp, &inherit) == b && !inherit);
	CHECK(runqget(pp, &inherit) == NULL);
	CHECK(runqempty(pp));
	/* runnext alone makes the queue non-empty */
	runqput(pp, a, true);
	CHECK(!runqempty(pp));
	CHECK_EQ(runqlen(pp), 1);
	CHECK(runqget(pp, &inherit) == a);
	free(a), free(b), free(c), free(pp);
}

static void test_overflow(void)
{
	struct p *pp = fakep();
	bool inherit;
	struct g *gs[RUNQ_SIZE + 1];
	for (int i = 0; i <= RUNQ_SIZE; i++) {
		gs[i] = fakeg();
		runqput(pp, gs[i], false);
	}
	/* The 257th put moved the older half plus itself to the global queue. */
	CHECK_EQ(runqlen(pp), RUNQ_SIZE / 2);
	lock(&sched.lock);
	CHECK_EQ(sched.runqsize, RUNQ_SIZE / 2 + 1);
	for (int i = 0; i < RUNQ_SIZE / 2; i++)
		CHECK(gqueue_pop(&sched.runq) == gs[i]);
	CHECK(gqueue_pop(&sched.runq) == gs[RUNQ_SIZE]);
	CHECK(sched.runq.head == NULL);
	sched.runqsize = 0;
	unlock(&sched.lock);
	for (int i = RUNQ_SIZE / 2; i < RUNQ_SIZE; i++)
		CHECK(runqget(pp, &inherit) == gs[i]);
	CHECK(runqempty(pp));
	for (int i = 0; i <= RUNQ_SIZE; i++)
		free(gs[i]);
	free(pp);
}

static void test_globrunqget_share(void)
{
	/* globrunqget takes size/gomaxprocs+1, capped, into the local ring. */
	struct p *pp = fakep();
	bool inherit;
	struct g *gs[10];
	lock(&sched.lock);
	for (int i = 0; i < 10; i++) {
		gs[i] = fakeg();
		globrunqput(gs[i]);
	}
	CHECK_EQ(gomaxprocs, 1);
	struct g *gp = globrunqget(pp, 4);
	CHECK(gp == gs[0]);
	CHECK_EQ(sched.runqsize, 6);
	CHECK_EQ(runqlen(pp), 3);
	gp = globrunqget(pp, 0); /* no max: all 6 */
	CHECK(gp == gs[4]);
	CHECK_EQ(sched.runqsize, 0);
	unlock(&sched.lock);
	for (int i = 1; i <= 3; i++)
		CHECK(runqget(pp, &inherit) == gs[i]);
	for (int i = 5; i < 10; i++)
		CHECK(runqget(pp, &inherit) == gs[i]);
	CHECK(runqempty(pp));
	for (int i = 0; i < 10; i++)
		free(gs[i]);
	free(pp);
}

static void test_steal_half(void)
{
	struct p *p1 = fakep(), *p2 = fakep();
	struct g *gs[RUNQ_SIZE];
	bool inherit;
	for (int i = 0; i < RUNQ_SIZE; i++)
		gs[i] = fakeg();
	for (int n = 1; n < RUNQ_SIZE; n++) {
		for (int i = 0; i < n; i++) {
			gs[i]->goid = 0;
			runqput(p1, gs[i], false);
		}
		struct g *gp = runqsteal(p2, p1, true);
		int stolen = 0;
		if (gp) {
			gp->goid++;
			stolen++;
		}
		while ((gp = runqget(p2, &inherit))) {
			gp->goid++;
			stolen++;
		}
		while ((gp = runqget(p1, &inherit)))
			gp->goid++;
		for (int i = 0; i < n; i++)
			CHECK_EQ(gs[i]->goid, 1); /* each G exactly once */
		/* Go's rule: the thief takes the larger half. */
		CHECK_EQ(stolen, n - n / 2);
	}
	/* runnext is stolen only when asked and the ring is empty */
	runqput(p1, gs[0], true);
	CHECK(runqsteal(p2, p1, false) == NULL);
	CHECK(runqsteal(p2, p1, true) == gs[0]);
	CHECK(runqempty(p1));
	for (int i = 0; i < RUNQ_SIZE; i++)
		free(gs[i]);
	free(p1), free(p2);
}

/*
 * TestSchedLocalQueueEmpty: the queue always holds at least one G while the
 * owner puts a second and takes one; an observer on another thread must never
 * see it empty (a spurious "empty" would let runnable Gs and idle Ps coexist).
 */
static struct p *race_p;
static uint32_t race_ready, race_iter, race_seen_empty;

static void *observer(void *arg)
{
	int iters = (int)(intptr_t)arg;
	for (int i = 0; i < iters; i++) {
		while (atomic_load(&race_iter) != (uint32_t)i + 1)
			;
		atomic_xadd(&race_ready, 1);
		while (atomic_load(&race_ready) != 2)
			;
		if (runqempty(race_p))
			atomic_xadd(&race_seen_empty, 1);
		atomic_xadd(&race_ready, 1); /* done: 3 */
	}
	return NULL;
}

static void test_empty_race(void)
{
	enum { iters = 20000 };
	race_p = fakep();
	struct g *gs[2] = {fakeg(), fakeg()};
	bool inherit;
	pthread_t t;
	pthread_create(&t, NULL, observer, (void *)(intptr_t)iters);
	for (int i = 0; i < iters; i++) {
		bool next0 = (i & 1) == 0, next1 = (i & 2) == 0;
		atomic_store(&race_ready, 0);
		runqput(race_p, gs[0], next0);
		atomic_store(&race_iter, (uint32_t)i + 1);
		atomic_xadd(&race_ready, 1);
		while (atomic_load(&race_ready) < 2)
			;
		runqput(race_p, gs[1], next1);
		CHECK(runqget(race_p, &inherit) != NULL);
		while (atomic_load(&race_ready) != 3)
			;
		CHECK(runqget(race_p, &inherit) != NULL);
		CHECK(runqempty(race_p));
	}
	pthread_join(t, NULL);
	CHECK_EQ(race_seen_empty, 0);
	free(gs[0]), free(gs[1]), free(race_p);
}

int sl_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	CHECK_EQ(sl_gomaxprocs(0), 1);
	test_put_get_order();
	test_runnext();
	test_overflow();
	test_globrunqget_share();
	test_steal_half();
	test_empty_race();
	printf("runq: ok\n");
	return 0;
}
