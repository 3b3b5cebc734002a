/*
 * pingpong.c: two goroutines handing control back and forth.
 *
 *   YieldPingPong  one op: each of two goroutines calls sl_yield once; both
 *                  loop b.N times and the benchmark goroutine waits for both.
 *   ChanPingPong   one op: one round trip on two unbuffered channels; the
 *                  benchmark goroutine sends on ping and receives on pong, a
 *                  partner echoes.
 *   PingPongHog    Go's BenchmarkPingPongHog: ChanPingPong's op beside a
 *                  goroutine that spins on a non-blocking receive; procs 1.
 *                  The hog gives the P up only when sysmon asks it to, so the
 *                  ping-pong must run on the time slice it inherits.
 */
#include <schedlab.h>
#include <schedlab_chan.h>
#include <schedlab_sync.h>

#include "catalogue.h"

struct yielder {
	int64_t n, done;
	sl_waitgroup *wg;
};

static void yield_loop(void *arg)
{
	struct yielder *y = arg;
	for (int64_t i = 0; i < y->n; i++) {
		sl_yield();
		y->done++;
	}
	sl_waitgroup_done(y->wg);
}

static void yield_pingpong(gb_state *st)
{
	int64_t n = gb_max_iterations(st);
	sl_waitgroup wg = SL_WAITGROUP_INIT;
	struct yielder y[2] = {{n, 0, &wg}, {n, 0, &wg}};

	while (gb_keep_running_batch(st, n)) {
		sl_waitgroup_add(&wg, 2);
		sl_go(yield_loop, &y[0]);
		sl_go(yield_loop, &y[1]);
		sl_waitgroup_wait(&wg);
	}
	if (y[0].done != n || y[1].done != n)
		gb_skip_with_error(st, "a yielder lost count");
}

/* The partner of a ping-pong: echoes n values from ping to pong, plus one,
 * then signals done. The struct lives on the benchmark goroutine's stack, so
 * that goroutine waits for done before it returns. */
struct echo {
	sl_chan *ping, *pong;
	int64_t n;
	sl_waitgroup done;
};

static void echo_loop(void *arg)
{
	struct echo *e = arg;
	for (int64_t i = 0; i < e->n; i++) {
		int64_t v;
		sl_chan_recv(e->ping, &v, NULL);
		v++;
		sl_chan_send(e->pong, &v);
	}
	sl_waitgroup_done(&e->done);
}

static void echo_start(struct echo *e, int64_t n)
{
	*e = (struct echo){sl_chan_make(sizeof(int64_t), 0), sl_chan_make(sizeof(int64_t), 0), n,
			   SL_WAITGROUP_INIT};
	sl_waitgroup_add(&e->done, 1);
	sl_go(echo_loop, e);
}

static void echo_finish(struct echo *e)
{
	sl_waitgroup_wait(&e->done);
	sl_chan_free(e->ping);
	sl_chan_free(e->pong);
}

/* n round trips from the calling goroutine; false if an echo came back
 * wrong. */
static bool pingpong_rounds(sl_chan *ping, sl_chan *pong, int64_t n)
{
	for (int64_t i = 0; i < n; i++) {
		int64_t v = i;
		sl_chan_send(ping, &v);
		sl_chan_recv(pong, &v, NULL);
		if (v != i + 1)
			return false;
	}
	return true;
}

static void chan_pingpong(gb_state *st)
{
	int64_t n = gb_max_iterations(st);
	struct echo e;
	bool ok = true;

	echo_start(&e, n);
	while (gb_keep_running_batch(st, n))
		ok = pingpong_rounds(e.ping, e.pong, n);
	echo_finish(&e);
	if (!ok)
		gb_skip_with_error(st, "ping-pong echoed a wrong value");
}

struct hog {
	sl_chan *stop, *done;
	int64_t spins;
};

static void hog_loop(void *arg)
{
	struct hog *h = arg;
	bool ok;
	while (sl_chan_tryrecv(h->stop, NULL, &ok) == SL_EAGAIN)
		h->spins++;
	sl_chan_send(h->done, NULL);
}

static void pingpong_hog(gb_state *st)
{
	int64_t n = gb_max_iterations(st);
	struct hog h = {sl_chan_make(0, 0), sl_chan_make(0, 0), 0};
	struct echo e;
	bool ok = true;

	sl_go(hog_loop, &h);
	echo_start(&e, n);
	while (gb_keep_running_batch(st, n))
		ok = pingpong_rounds(e.ping, e.pong, n);
	sl_chan_close(h.stop);
	sl_chan_recv(h.done, NULL, NULL);
	if (!ok)
		gb_skip_with_error(st, "ping-pong echoed a wrong value");
	gb_do_not_optimize(h.spins);
	sl_chan_free(h.stop);
	sl_chan_free(h.done);
	echo_finish(&e);
}

void register_pingpong(void)
{
	static const struct bench_def defs[] = {
	    {.name = "YieldPingPong", .body = yield_pingpong},
	    {.name = "ChanPingPong", .body = chan_pingpong},
	    {.name = "PingPongHog", .body = pingpong_hog, .procs1_only = true},
	};
	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
		bench_register(&defs[i]);
}
