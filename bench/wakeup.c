/*
 * wakeup.c: how long a parked goroutine takes to run once readied.
 *
 *   WakeupLatency  manual time. A sleeper goroutine parks receiving on an
 *                  unbuffered channel; the waker reads the clock and sends
 *                  the reading; the sleeper reads the clock as soon as its
 *                  receive returns, adds the difference, and acks on a second
 *                  channel. One op: one wakeup; its time is that difference,
 *                  not the round trip.
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

void register_wakeup(void)
{
	static const struct bench_def def = {
	    .name = "WakeupLatency", .body = wakeup_latency, .manual_time = true};
	bench_register(&def);
}
