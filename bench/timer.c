/*
 * timer.c: sleeping on the runtime's timers.
 *
 *   Sleep1ns      one op: sl_sleep(1), the shortest sleep that parks (Go:
 *                 time.Sleep(1)): a timer added to the P's heap, the
 *                 goroutine parked, the timer found due by the scheduler,
 *                 the goroutine readied and resumed. sl_sleep(0) and
 *                 time.Sleep(0) return at once and measure nothing.
 *   TimerLatency  manual time. One op: one sl_sleep(20 us); its time is how
 *                 late the goroutine ran, i.e. the sleep's wall time minus
 *                 20 us.
 */
#include <schedlab.h>

#include "catalogue.h"

enum { timer_ns = 20000 };

static void sleep1ns(gb_state *st)
{
	while (gb_keep_running_batch(st, 1000))
		for (int i = 0; i < 1000; i++)
			sl_sleep(1);
}

static void timer_latency(gb_state *st)
{
	bool early = false;

	while (gb_keep_running(st)) {
		int64_t t0 = bench_nanotime();
		sl_sleep(timer_ns);
		int64_t late = bench_nanotime() - t0 - timer_ns;
		early |= late < 0;
		gb_set_iteration_time(st, (double)late / 1e9);
	}
	if (early)
		gb_skip_with_error(st, "a sleep returned early");
}

void register_timer(void)
{
	static const struct bench_def defs[] = {
	    {.name = "Sleep1ns", .body = sleep1ns},
	    {.name = "TimerLatency", .body = timer_latency, .manual_time = true},
	};
	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
		bench_register(&defs[i]);
}
