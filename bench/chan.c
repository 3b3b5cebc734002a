/*
 * chan.c: the channel workloads of Go's runtime/chan_test.go.
 *
 *   ChanSync            Go's BenchmarkChanSync: two goroutines take chunks of
 *                       1000 calls from a shared counter (b.N/1000 chunks,
 *                       rounded down to an even count); in a chunk, the
 *                       goroutine with an even chunk number receives then
 *                       sends on one unbuffered channel, the other sends then
 *                       receives. One op: one of those 1000 calls.
 *   ChanProdCons{0,10,100}
 *                       Go's benchmarkChanProdCons(b, size, 0): GOMAXPROCS
 *                       producers and GOMAXPROCS consumers share one channel
 *                       of capacity 0, 10 or 100; producers take chunks of
 *                       1000 sends from a shared counter (b.N/1000 chunks),
 *                       then send a 0 that stops one consumer. One op: one
 *                       element produced and consumed.
 */
#include <schedlab.h>
#include <schedlab_chan.h>
#include <schedlab_sync.h>

#include "catalogue.h"

enum { calls_per_sched = 1000 };

struct chansync {
	sl_chan *myc;
	int32_t chunks; /* decremented by each goroutine to take a chunk */
	int64_t calls;	/* sum of the calls made, checked at the end */
	sl_waitgroup wg;
};

static void chansync_worker(void *arg)
{
	struct chansync *s = arg;
	int64_t calls = 0, v = 0;
	int32_t i;

	while ((i = __atomic_sub_fetch(&s->chunks, 1, __ATOMIC_SEQ_CST)) >= 0) {
		for (int g = 0; g < calls_per_sched; g++) {
			if (i % 2 == 0) {
				sl_chan_recv(s->myc, &v, NULL);
				sl_chan_send(s->myc, &v);
			} else {
				sl_chan_send(s->myc, &v);
				sl_chan_recv(s->myc, &v, NULL);
			}
			calls++;
		}
	}
	__atomic_add_fetch(&s->calls, calls, __ATOMIC_RELAXED);
	sl_waitgroup_done(&s->wg);
}

static void chan_sync(gb_state *st)
{
	const int procs = 2; /* goroutines, as in Go; not GOMAXPROCS */
	int64_t n = gb_max_iterations(st);
	int32_t chunks = (int32_t)(n / calls_per_sched / procs * procs);
	struct chansync s = {.myc = sl_chan_make(sizeof(int64_t), 0), .chunks = chunks};

	while (gb_keep_running_batch(st, n)) {
		sl_waitgroup_add(&s.wg, procs);
		for (int p = 0; p < procs; p++)
			sl_go(chansync_worker, &s);
		sl_waitgroup_wait(&s.wg);
	}
	if (s.calls != (int64_t)chunks * calls_per_sched)
		gb_skip_with_error(st, "ChanSync lost calls");
	sl_chan_free(s.myc);
}

struct prodcons {
	sl_chan *myc;
	int32_t chunks;
	int64_t received; /* non-zero elements consumed, checked at the end */
	sl_waitgroup wg;
};

static void producer(void *arg)
{
	struct prodcons *pc = arg;
	int64_t one = 1, zero = 0;

	while (__atomic_sub_fetch(&pc->chunks, 1, __ATOMIC_SEQ_CST) >= 0)
		for (int g = 0; g < calls_per_sched; g++)
			sl_chan_send(pc->myc, &one);
	sl_chan_send(pc->myc, &zero);
	sl_waitgroup_done(&pc->wg);
}

static void consumer(void *arg)
{
	struct prodcons *pc = arg;
	int64_t v, received = 0;

	for (;;) {
		sl_chan_recv(pc->myc, &v, NULL);
		if (v == 0)
			break;
		received += v;
	}
	__atomic_add_fetch(&pc->received, received, __ATOMIC_RELAXED);
	sl_waitgroup_done(&pc->wg);
}

static void chan_prodcons(gb_state *st, size_t size)
{
	int procs = sl_gomaxprocs(0);
	int64_t n = gb_max_iterations(st);
	int32_t chunks = (int32_t)(n / calls_per_sched);
	struct prodcons pc = {.myc = sl_chan_make(sizeof(int64_t), size), .chunks = chunks};

	while (gb_keep_running_batch(st, n)) {
		sl_waitgroup_add(&pc.wg, 2 * procs);
		for (int p = 0; p < procs; p++) {
			sl_go(producer, &pc);
			sl_go(consumer, &pc);
		}
		sl_waitgroup_wait(&pc.wg);
	}
	if (pc.received != (int64_t)chunks * calls_per_sched)
		gb_skip_with_error(st, "ChanProdCons lost elements");
	sl_chan_free(pc.myc);
}

static void chan_prodcons0(gb_state *st)
{
	chan_prodcons(st, 0);
}
static void chan_prodcons10(gb_state *st)
{
	chan_prodcons(st, 10);
}
static void chan_prodcons100(gb_state *st)
{
	chan_prodcons(st, 100);
}

void register_chan(void)
{
	static const struct bench_def defs[] = {
	    {.name = "ChanSync", .body = chan_sync},
	    {.name = "ChanProdCons0", .body = chan_prodcons0},
	    {.name = "ChanProdCons10", .body = chan_prodcons10},
	    {.name = "ChanProdCons100", .body = chan_prodcons100},
	};
	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
		bench_register(&defs[i]);
}
