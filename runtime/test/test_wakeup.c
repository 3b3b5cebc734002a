/*
 * test_wakeup: parking and readying across Ps, and G and stack reuse.
 *
 * handoff: pairs of goroutines pass a baton back and forth with
 * gopark/goready, each side usually on a different P, many thousand times.
 * A wakeup lost anywhere (runq, wakep, spinning Ms, stopm) leaves both sides
 * parked: the program then dies with Go's deadlock message or hangs until
 * ctest's timeout. Every handoff is counted exactly.
 *
 * reuse: waves of short-lived goroutines. Dead Gs and their stacks are
 * reused per P and through the global lists, so the number of Gs and stacks
 * ever made stays near one wave, not the total spawned.
 */
#include "check.h"
#include "export_test.h"
#include "schedlab.h"
#include "sleeper.h"

#include <string.h>

enum { PAIRS = 8, ROUNDS = 20000 };

struct pair {
	struct sleeper side[2];
	int64_t passes[2];
};

static struct pair pairs[PAIRS];
static int64_t finished;

static void player(void *arg)
{
	intptr_t id = (intptr_t)arg;
	struct pair *pr = &pairs[id / 2];
	int me = (int)(id % 2), other = 1 - me;
	if (me == 1)
		sleep_on(&pr->side[me]); /* side 0 serves first */
	for (int i = 0; i < ROUNDS; i++) {
		pr->passes[me]++;
		wake(&pr->side[other]);
		if (i + 1 < ROUNDS || me == 0)
			sleep_on(&pr->side[me]);
	}
	atomic_xadd(&finished, 1);
}

static void handoff(void)
{
	memset(pairs, 0, sizeof pairs);
	atomic_store(&finished, 0);
	for (intptr_t i = 0; i < 2 * PAIRS; i++)
		sl_go(player, (void *)i);
	while (atomic_load(&finished) != 2 * PAIRS)
		sl_yield();
	for (int i = 0; i < PAIRS; i++) {
		CHECK_EQ(pairs[i].passes[0], ROUNDS);
		CHECK_EQ(pairs[i].passes[1], ROUNDS);
	}
}

static int64_t wave_done;

static void short_lived(void *arg)
{
	(void)arg;
	atomic_xadd(&wave_done, 1);
}

static void reuse(void)
{
	enum { WAVES = 200, WAVE = 500 };
	int32_t gs_before = atomic_load(&allglen);
	for (int w = 0; w < WAVES; w++) {
		atomic_store(&wave_done, 0);
		for (int i = 0; i < WAVE; i++)
			sl_go(short_lived, NULL);
		while (atomic_load(&wave_done) != WAVE)
			sl_yield();
	}
	int32_t made = atomic_load(&allglen) - gs_before;
	int64_t stacks = atomic_load(&stacks_mapped);
	printf("reuse: %d goroutines spawned, %d Gs made, %lld stacks mapped\n", WAVES * WAVE, made,
	       (long long)stacks);
	CHECK(made <= 4 * WAVE);
	CHECK(stacks <= 4 * WAVE);
}

int sl_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	int procs[] = {1, 2, 4};
	for (unsigned k = 0; k < sizeof procs / sizeof procs[0]; k++) {
		sl_gomaxprocs(procs[k]);
		handoff();
		printf("handoff: GOMAXPROCS=%d, %d pairs x %d rounds, ok\n", procs[k], PAIRS,
		       ROUNDS);
	}
	reuse();
	return 0;
}
