/*
 * test_procresize: resize the set of Ps (1 -> 1024 -> 1, then a random walk
 * of sizes) while trees of goroutines spawn, yield and exit. Every goroutine
 * must run exactly once, and schedcheck must hold after every resize (run
 * explicitly here; debug builds also run it inside every stop-the-world).
 */
#include "check.h"
#include "export_test.h"
#include "schedlab.h"

#include <stdint.h>
#include <stdlib.h>

enum { NG = 4000, ROUNDS = 3 };

static uint8_t ran[NG];
static int64_t finished;

static void node(void *arg)
{
	intptr_t i = (intptr_t)arg;
	for (intptr_t k = 0; k < i % 4; k++)
		sl_yield();
	for (intptr_t c = 2 * i + 1; c <= 2 * i + 2 && c < NG; c++) {
		sl_go(node, (void *)c);
		sl_yield();
	}
	__atomic_add_fetch(&ran[i], 1, __ATOMIC_SEQ_CST);
	atomic_xadd(&finished, 1);
}

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static int randsize(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	/* Mostly small sizes, sometimes large ones. */
	return (rng & 3) == 0 ? (int)((rng >> 20) % SL_MAX_GOMAXPROCS) + 1
			      : (int)((rng >> 20) % 16) + 1;
}

static void resize(int n)
{
	int before = sl_gomaxprocs(0);
	int prev = sl_gomaxprocs(n);
	CHECK_EQ(prev, before);
	CHECK_EQ(sl_gomaxprocs(0), n);
	uint64_t passes = schedcheck_passes;
	schedcheck_stw();
	CHECK(schedcheck_passes > passes);
}

int sl_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	int resizes = 0;
	for (int round = 0; round < ROUNDS; round++) {
		for (int i = 0; i < NG; i++)
			ran[i] = 0;
		atomic_store(&finished, 0);
		sl_go(node, (void *)(intptr_t)0);
		int seq[] = {1, SL_MAX_GOMAXPROCS, 1, 2, SL_MAX_GOMAXPROCS / 2, 3};
		for (unsigned k = 0; k < sizeof seq / sizeof seq[0]; k++, resizes++)
			resize(seq[k]);
		for (int k = 0; k < 12; k++, resizes++) {
			resize(randsize());
			sl_yield();
		}
		resize(2);
		while (atomic_load(&finished) != NG)
			sl_yield();
		for (int i = 0; i < NG; i++)
			CHECK_EQ(ran[i], 1);
	}
	printf("procresize: %d resizes, %d goroutines, ok\n", resizes, NG * ROUNDS);
	return 0;
}
