/*
 * test_migration: goroutines that yield many times move between Ms (they are
 * stolen by the P that runs out of work first, and resizes scatter them), and
 * after every resumption the current g and m read through the accessor are
 * right: g is still this goroutine, m->curg is g, g->m is m, m holds a P
 * owned by m.
 */
#include "check.h"
#include "export_test.h"
#include "schedlab.h"

#include <time.h>

enum { NG = 8 };

static int64_t finished;
static int migrated;

static void check_current(int64_t goid)
{
	struct g *gp = getg();
	struct m *mp = getm();
	CHECK(gp && mp);
	CHECK_EQ(gp->goid, goid);
	CHECK_EQ(sl_goid(), goid);
	CHECK(gp->m == mp);
	CHECK(mp->curg == gp);
	CHECK(gp != mp->g0);
	CHECK(mp->p && mp->p->m == mp);
	CHECK_EQ(sl_mid(), mp->id);
	/* our stack really is the one we are running on */
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	CHECK(sp > gp->stack.lo && sp < gp->stack.hi);
}

static int stop;

/* Yield until told to stop, checking g and m after every resumption. */
static void worker(void *arg)
{
	(void)arg;
	int64_t goid = sl_goid();
	int64_t first = sl_mid();
	bool moved = false;
	for (int k = 0; !atomic_load(&stop) || k < 3000; k++) {
		int64_t before = sl_mid();
		sl_yield();
		check_current(goid);
		if (!moved && (sl_mid() != before || sl_mid() != first)) {
			moved = true;
			atomic_xadd(&migrated, 1);
		}
	}
	atomic_xadd(&finished, 1);
}

/* Shrinking to one P pushes the other P's Gs through the global queue onto
 * the surviving M; growing again lets a second M steal half of them. */
static void resizer(void *arg)
{
	(void)arg;
	for (int k = 0; !atomic_load(&stop); k++) {
		sl_gomaxprocs(k % 2 ? 2 : 1);
		for (int j = 0; j < 100; j++)
			sl_yield();
	}
	atomic_xadd(&finished, 1);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int sl_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	sl_gomaxprocs(2);
	for (intptr_t i = 0; i < NG; i++)
		sl_go(worker, (void *)i);
	sl_go(resizer, NULL);
	/* Run until most goroutines have moved, for at most 10 s. */
	double deadline = now() + 10;
	while (atomic_load(&migrated) < NG / 2 && now() < deadline) {
		sl_yield();
		check_current(1);
	}
	atomic_store(&stop, 1);
	while (atomic_load(&finished) != NG + 1)
		sl_yield();
	printf("migration: %d of %d goroutines moved between Ms\n", migrated, NG);
	CHECK(migrated >= NG / 2);
	return 0;
}
