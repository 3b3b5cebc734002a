/*
 * wakeup.c: how long a parked goroutine takes to run once readied.
 *
 *   WakeupLatency  manual time. A sleeper goroutine parks receiving on an
 *                  unbuffered channel; the waker reads the clock and sends
 *                  the reading; the sleeper reads the clock as soon as its
 *                  receive returns, adds the difference, and acks on a second
 *                  channel. One op: one wakeup; its time is that difference,
 *                  not the round trip.
 *   WakeupRemote   manual time, procs N only. A wakeup that another M must
 *                  serve: the waker keeps its P. It sends (a try-send, retried
 *                  until the sleeper is parked: only then can an unbuffered
 *                  send succeed without blocking) and then spins on an atomic,
 *                  calling nothing in the runtime, until the sleeper stores
 *                  its ack there. The sleeper, readied into the waker's
 *                  runnext, runs only when an M that was spinning, or that
 *                  the send's wakep woke from its futex, steals it, after the
 *                  3 us that a thief grants a running owner's runnext (Go's
 *                  rule). One op: one wakeup, timed from the waker's clock
 *                  read just before the send that succeeded to the sleeper's
 *                  just after its receive. Counter waker_ns: the waker's own
 *                  time in that send (the handoff, goready, wakep and any
 *                  futex wake it issues).
 */
#include <schedlab.h>
#include <schedlab_chan.h>

#include "catalogue.h"

/* On the benchmark goroutine's stack, which waits for done before it
 * returns. */
struct sleeper {
	sl_chan *wake, *ack;
	int64_t n, total_ns, wakeups;
	sl_waitgroup done;
};

static void sleeper_loop(void *arg)
{
	struct sleeper *s = arg;
	for (int64_t i = 0; i < s->n; i++) {
		int64_t sent;
		sl_chan_recv(s->wake, &sent, NULL);
		s->total_ns += bench_nanotime() - sent;
		s->wakeups++;
		sl_chan_send(s->ack, NULL);
	}
	sl_waitgroup_done(&s->done);
}

static void wakeup_latency(gb_state *st)
{
	int64_t n = gb_max_iterations(st);
	struct sleeper s = {
	    sl_chan_make(sizeof(int64_t), 0), sl_chan_make(0, 0), n, 0, 0, SL_WAITGROUP_INIT};

	sl_waitgroup_add(&s.done, 1);
	sl_go(sleeper_loop, &s);
	while (gb_keep_running_batch(st, n)) {
		for (int64_t i = 0; i < n; i++) {
			int64_t now = bench_nanotime();
			sl_chan_send(s.wake, &now);
			sl_chan_recv(s.ack, NULL, NULL);
		}
		gb_set_iteration_time(st, (double)s.total_ns / 1e9);
	}
	sl_waitgroup_wait(&s.done);
	if (s.wakeups != n)
		gb_skip_with_error(st, "the sleeper missed wakeups");
	sl_chan_free(s.wake);
	sl_chan_free(s.ack);
}

struct remote {
	sl_chan *wake;
	int64_t n, total_ns, wakeups;
	int64_t acked; /* the sleeper's ack: its wakeups so far (atomic) */
	sl_waitgroup done;
};

static void remote_sleeper(void *arg)
{
	struct remote *r = arg;
	for (int64_t i = 0; i < r->n; i++) {
		int64_t sent;
		sl_chan_recv(r->wake, &sent, NULL);
		r->total_ns += bench_nanotime() - sent;
		r->wakeups++;
		__atomic_store_n(&r->acked, i + 1, __ATOMIC_RELEASE);
	}
	sl_waitgroup_done(&r->done);
}

static void wakeup_remote(gb_state *st)
{
	int64_t n = gb_max_iterations(st), waker_ns = 0;
	struct remote r = {sl_chan_make(sizeof(int64_t), 0), n, 0, 0, 0, SL_WAITGROUP_INIT};

	sl_waitgroup_add(&r.done, 1);
	sl_go(remote_sleeper, &r);
	while (gb_keep_running_batch(st, n)) {
		for (int64_t i = 0; i < n; i++) {
			int64_t now;
			do
				now = bench_nanotime();
			while (sl_chan_trysend(r.wake, &now) == SL_EAGAIN);
			waker_ns += bench_nanotime() - now;
			while (__atomic_load_n(&r.acked, __ATOMIC_ACQUIRE) != i + 1)
				__builtin_ia32_pause();
		}
		gb_set_iteration_time(st, (double)r.total_ns / 1e9);
	}
	sl_waitgroup_wait(&r.done);
	if (r.wakeups != n)
		gb_skip_with_error(st, "the sleeper missed wakeups");
	gb_counter(st, "waker_ns", (double)waker_ns / (double)n, 0);
	sl_chan_free(r.wake);
}

void register_wakeup(void)
{
	static const struct bench_def defs[] = {
	    {.name = "WakeupLatency", .body = wakeup_latency, .manual_time = true},
	    {.name = "WakeupRemote",
	     .body = wakeup_remote,
	     .manual_time = true,
	     .procsN_only = true},
	};
	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
		bench_register(&defs[i]);
}
