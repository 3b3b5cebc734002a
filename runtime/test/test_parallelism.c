/*
 * test_parallelism: Go's TestGoroutineParallelism2 shape, many times over.
 * At GOMAXPROCS=4, four goroutines take turns on one counter: goroutine p
 * waits, without entering the runtime, until the counter reaches 4*i + p,
 * then bumps it, for i = 0..2. Every turn needs every goroutine running at
 * once on its own P, so a goroutine left queued on a P whose G spins while
 * another P sits idle (a lost wakeup) never gets its turn: schedlab has no
 * preemption to rescue it, Go's asynchronous preemption would after 10 ms.
 *
 * Each round starts from main parked on a channel, with the Ms going idle
 * and spinning as the four are spawned: the window of Go 1.19's lost wakeup
 * (golang/go#45867), which the needspinning handshake in proc.c closes. A
 * round that makes no progress for STALL_SECONDS is that bug: a watchdog
 * thread outside the runtime prints what every P holds and aborts. The
 * spinning goroutines call sched_yield now and then, which is the kernel's
 * business and not the runtime's (the G keeps its P), so that four spinners
 * on two CPUs take their turns at kernel speed.
 *
 * Usage: test_parallelism [ROUNDS] (default 2000).
 */
#include "check.h"
#include "export_test.h"
#include "schedlab.h"
#include "schedlab_chan.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

enum { P = 4, TURNS = 3, STALL_SECONDS = 30 };

static uint32_t counter;
static sl_chan *done;
static int64_t rounds_done, progress; /* for the watchdog */

static void taker(void *arg)
{
	uint32_t p = (uint32_t)(uintptr_t)arg;
	for (uint32_t i = 0; i < TURNS; i++) {
		uint32_t want = P * i + p;
		for (uint32_t spins = 1; atomic_load_acq(&counter) != want; spins++)
			if (spins % 64 == 0)
				sched_yield();
		atomic_store_rel(&counter, want + 1);
		atomic_xadd(&progress, 1);
	}
	int one = 1;
	CHECK_EQ(sl_chan_send(done, &one), 0);
}

/* A round that stalls: say where every P's work is, then abort. */
static void *watchdog(void *arg)
{
	(void)arg;
	int64_t last = -1;
	int still = 0;
	for (;;) {
		sleep(1);
		int64_t now = atomic_load(&progress);
		if (now != last) {
			last = now;
			still = 0;
			continue;
		}
		if (++still < STALL_SECONDS)
			continue;
		fprintf(stderr,
			"test_parallelism: round %lld made no progress for %d s (counter %u): "
			"npidle=%d nmspinning=%d runqsize=%d\n",
			(long long)atomic_load(&rounds_done), STALL_SECONDS, atomic_load(&counter),
			atomic_load(&sched.npidle), atomic_load(&sched.nmspinning),
			atomic_load(&sched.runqsize));
		for (int32_t i = 0; i < atomic_load(&gomaxprocs); i++) {
			struct p *pp = atomic_load(&allp[i]);
			fprintf(stderr, "  P%d status %u ring %u runnext %s\n", i,
				atomic_load(&pp->status),
				atomic_load(&pp->runqtail) - atomic_load(&pp->runqhead),
				atomic_load(&pp->runnext) ? "set" : "empty");
		}
		fprintf(stderr, "test_parallelism: a lost wakeup (a runnable goroutine waits "
				"while a P is idle)\n");
		abort();
	}
	return NULL;
}

int sl_main(int argc, char **argv)
{
	long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;
	if (rounds < 1) {
		fprintf(stderr, "usage: test_parallelism [ROUNDS >= 1]\n");
		return 2;
	}
	sl_gomaxprocs(P);
	done = sl_chan_make(sizeof(int), 0);
	pthread_t w;
	CHECK_EQ(pthread_create(&w, NULL, watchdog, NULL), 0);
	for (long r = 0; r < rounds; r++) {
		atomic_store(&counter, 0);
		for (uintptr_t p = 0; p < P; p++)
			sl_go(taker, (void *)p);
		for (int p = 0; p < P; p++) {
			int v;
			CHECK_EQ(sl_chan_recv(done, &v, NULL), 0);
		}
		CHECK_EQ(atomic_load(&counter), (uint32_t)(P * TURNS));
		atomic_store(&rounds_done, r + 1);
	}
	printf("parallelism: %ld rounds of %d goroutines x %d turns at GOMAXPROCS=%d\n", rounds, P,
	       TURNS, P);
	return 0;
}
