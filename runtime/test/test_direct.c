/*
 * test_direct: the direct switches (goroutine.c: yield, park and exit go
 * straight to the next local G, and the leaving G's bookkeeping runs on the
 * next G's stack). Their rule: the leaving G is published (queued, made
 * _Gwaiting and unlocked for a waker, freed) only after its context is
 * saved. Broken, another M resumes it from a stale stack pointer while this
 * M still runs on its stack: two Ms on one stack, which these workloads
 * catch as a G found running twice, a local variable that changed under
 * its owner, a lost token or a crash.
 *
 *   yield  16 goroutines on 4 Ps yield 20,000 times each; idle Ps steal them.
 *   park   a ring of 64 goroutines passes a token on unbuffered channels: each
 *          send readies the next G into runnext, each receive parks and
 *          switches to it.
 *   exit   chains of 20,000 goroutines, each spawning the next and exiting
 *          (the next runs on its exit, on a fresh stack, while the old one
 *          is freed).
 */
#include "check.h"
#include "schedlab.h"
#include "schedlab_chan.h"
#include "schedlab_sync.h"

#include <stdint.h>
#include <string.h>

enum { PROCS = 4, YIELDERS = 16, YIELDS = 20000, RING = 64, LAPS = 500 };
enum { CHAINS = 4, CHAIN_LEN = 20000 };

/* ---- yield ---- */

static int on_cpu[YIELDERS]; /* 1 while goroutine i runs */
static int64_t yields[YIELDERS];
static sl_waitgroup wg;

static void yielder(void *arg)
{
	int i = (int)(intptr_t)arg;
	volatile uint64_t mine = 0x5eed0000u + (uint64_t)i; /* lives on this stack */
	for (int k = 0; k < YIELDS; k++) {
		CHECK(__atomic_exchange_n(&on_cpu[i], 1, __ATOMIC_SEQ_CST) == 0);
		CHECK(mine == 0x5eed0000u + (uint64_t)i + (uint64_t)k);
		mine++;
		yields[i]++;
		__atomic_store_n(&on_cpu[i], 0, __ATOMIC_SEQ_CST);
		sl_yield();
	}
	sl_waitgroup_done(&wg);
}

static void test_yield(void)
{
	sl_waitgroup_add(&wg, YIELDERS);
	for (int i = 0; i < YIELDERS; i++)
		sl_go(yielder, (void *)(intptr_t)i);
	sl_waitgroup_wait(&wg);
	for (int i = 0; i < YIELDERS; i++)
		CHECK_EQ(yields[i], YIELDS);
}

/* ---- park ---- */

static sl_chan *link_[RING];
static int closed[RING];
static int64_t passed;

/* Close link i once, whoever gets there first. */
static void close_link(int i)
{
	if (!__atomic_exchange_n(&closed[i], 1, __ATOMIC_SEQ_CST))
		CHECK_EQ(sl_chan_close(link_[i]), 0);
}

static void ringer(void *arg)
{
	int i = (int)(intptr_t)arg;
	int out = (i + 1) % RING;
	for (;;) {
		int64_t token;
		bool ok;
		CHECK_EQ(sl_chan_recv(link_[i], &token, &ok), 0);
		if (!ok || token < 0) {
			if (ok)
				__atomic_add_fetch(&passed, 1, __ATOMIC_RELAXED);
			close_link(out); /* the end travels round the ring */
			break;
		}
		__atomic_add_fetch(&passed, 1, __ATOMIC_RELAXED);
		CHECK_EQ(sl_chan_send(link_[out], &(int64_t){token - 1}), 0);
	}
	sl_waitgroup_done(&wg);
}

static void test_park(void)
{
	for (int i = 0; i < RING; i++)
		link_[i] = sl_chan_make(sizeof(int64_t), 0);
	sl_waitgroup_add(&wg, RING);
	for (int i = 0; i < RING; i++)
		sl_go(ringer, (void *)(intptr_t)i);
	/* One token that goes round LAPS times, LAPS*RING hops with values
	 * LAPS*RING-1 down to 0, each hop a park and a ready; the -1 after
	 * them closes every link in turn. */
	CHECK_EQ(sl_chan_send(link_[0], &(int64_t){(int64_t)LAPS * RING - 1}), 0);
	sl_waitgroup_wait(&wg);
	CHECK_EQ(passed, (int64_t)LAPS * RING + 1);
	for (int i = 0; i < RING; i++)
		sl_chan_free(link_[i]);
}

/* ---- exit ---- */

static int64_t chained[CHAINS];

struct hop {
	int chain;
	int left;
};

static struct hop hops[CHAINS][CHAIN_LEN];

static void hopper(void *arg)
{
	struct hop *h = arg;
	char scratch[256]; /* touch the new stack */
	memset(scratch, h->left & 0xff, sizeof scratch);
	CHECK(scratch[255] == (char)(h->left & 0xff));
	chained[h->chain]++;
	if (h->left == 0) {
		sl_waitgroup_done(&wg);
		return;
	}
	struct hop *next = h + 1;
	next->chain = h->chain;
	next->left = h->left - 1;
	sl_go(hopper, next);
}

static void test_exit(void)
{
	sl_waitgroup_add(&wg, CHAINS);
	for (int c = 0; c < CHAINS; c++) {
		hops[c][0] = (struct hop){.chain = c, .left = CHAIN_LEN - 1};
		sl_go(hopper, &hops[c][0]);
	}
	sl_waitgroup_wait(&wg);
	for (int c = 0; c < CHAINS; c++)
		CHECK_EQ(chained[c], CHAIN_LEN);
}

int sl_main(int argc, char **argv)
{
	CHECK(argc == 2);
	sl_gomaxprocs(PROCS);
	if (!strcmp(argv[1], "yield"))
		test_yield();
	else if (!strcmp(argv[1], "park"))
		test_park();
	else if (!strcmp(argv[1], "exit"))
		test_exit();
	else
		CHECK(!"mode: yield, park or exit");
	printf("ok\n");
	return 0;
}
