/*
 * test_migration: goroutines that yield many times move between Ms (they are
 * stolen by the P that runs out of work first, and resizes scatter them), and
 * after every resumption the current g and m read through the accessor are
 * right: g is still this goroutine, m->curg is g, g->m is m, m holds a P
 * owned by m.
 */
#include "check.h"
#include "runtime.h"
#include "schedlab.h"

enum { NG = 8, MAXM = 64 };

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

static void worker(void *arg)
{
	intptr_t i = (intptr_t)arg;
	int64_t goid = sl_goid();
	int64_t first = sl_mid();
	int moves = 0;
	for (int k = 0; k < 3000 * (i + 1); k++) {
		int64_t before = sl_mid();
		sl_yield();
		check_current(goid);
		if (sl_mid() != before)
			moves++;
	}
	if (moves > 0 || sl_mid() != first)
		atomic_xadd(&migrated, 1);
	atomic_xadd(&finished, 1);
}

static void resizer(void *arg)
{
	(void)arg;
	for (int k = 0; k < 20 && atomic_load(&finished) < NG; k++) {
		sl_gomaxprocs(k % 2 ? 2 : 3);
		for (int j = 0; j < 200; j++)
			sl_yield();
	}
	atomic_xadd(&finished, 1);
}

int sl_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	sl_gomaxprocs(2);
	for (intptr_t i = 0; i < NG; i++)
		sl_go(worker, (void *)i);
	sl_go(resizer, NULL);
	while (atomic_load(&finished) != NG + 1) {
		sl_yield();
		check_current(1);
	}
	printf("migration: %d of %d goroutines moved between Ms\n", migrated, NG);
	CHECK(migrated > 0);
	return 0;
}
