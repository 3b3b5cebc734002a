/*
 * w_burst.c: a burst of goroutines, a quiet period, and the memory check.
 *
 * Between rounds (nothing else runs), cfg.burst_n goroutines are started and
 * all park on one channel, so that that many stacks exist at once (the stack
 * pool maps them 256 to a mapping: this is what makes stack mmaps, and the
 * mmap fault, frequent); then the channel is closed and they all finish.
 * In the quiet period that follows, sl_debug_freeosmemory returns the idle
 * stacks to the OS, and the RSS must come back within cfg.burst_slack MiB of
 * its level before the burst within cfg.burst_wait seconds (polled every
 * 100 ms). Books: every goroutine of the burst ran exactly once.
 *
 * Under a sanitizer the first burst is measured but not judged: TSan keeps
 * its shadow of the stacks and a state per goroutine (the runtime keeps dead
 * Gs, as Go does, for the next burst to reuse), ASan its quarantine; from
 * the second burst on, the level before includes all of that, and the bound
 * holds again. A plain build judges every burst: there the first one is
 * where a runtime that keeps its peak shows.
 */
#include "soak.h"

#include <stdio.h>
#include <stdlib.h>

_Atomic int64_t burst_rss_before, burst_rss_peak, burst_rss_after, burst_settle_ms;

struct burst {
	sl_chan *gate;
	struct tally ran;
	_Atomic int parked;
	sl_waitgroup wg;
};

struct bnode {
	struct burst *b;
	int idx;
};

static void burster(void *arg)
{
	struct bnode *n = arg;
	atomic_fetch_add(&n->b->parked, 1);
	sl_chan_recv(n->b->gate, NULL, NULL); /* until the close */
	tally_hit(&n->b->ran, n->idx);
	sl_waitgroup_done(&n->b->wg);
}

void w_burst(uint64_t round)
{
	struct burst b = {.wg = SL_WAITGROUP_INIT};
	int n = cfg.burst_n;
	struct bnode *nodes = malloc(sizeof *nodes * (size_t)n);
	if (!nodes)
		soak_fail("out of memory for a burst of %d", n);
	atomic_store(&soak_in_burst, 1);
	sl_debug_freeosmemory(); /* the level before, without the rounds' leftovers */
	int64_t before = soak_rss();
	b.gate = sl_chan_make(0, 0);
	tally_init(&b.ran, n);
	sl_waitgroup_add(&b.wg, n);
	for (int i = 0; i < n; i++) {
		nodes[i] = (struct bnode){&b, i};
		sl_go(burster, &nodes[i]);
		if (i % 256 == 0)
			soak_op();
	}
	soak_add(&soak_spawned, n);
	while (atomic_load(&b.parked) < n) {
		sl_sleep(1000000);
		soak_op();
	}
	int64_t peak = soak_rss();
	sl_chan_close(b.gate);
	sl_waitgroup_wait(&b.wg);
	tally_check(&b.ran, NULL, "goroutine of burst", round);
	tally_free(&b.ran);
	sl_chan_free(b.gate);
	free(nodes);
	atomic_fetch_add(&soak_bursts, 1);

	/* The quiet period: only this goroutine and the sampler run. */
	bool judged = cfg.burst_judge_first || atomic_load(&soak_bursts) > 1;
	double wait = judged || cfg.burst_wait < 5 ? cfg.burst_wait : 5; /* unjudged: a look */
	int64_t start = soak_now(), bound = before + (int64_t)(cfg.burst_slack * 1048576), rss;
	for (int i = 0;; i++) {
		if (i % 10 == 0)
			sl_debug_freeosmemory();
		rss = soak_rss();
		if (rss <= bound || soak_now() - start > (int64_t)(wait * 1e9))
			break;
		sl_sleep(100 * 1000 * 1000);
		soak_op();
	}
	atomic_store(&burst_rss_before, before);
	if (peak > atomic_load(&burst_rss_peak))
		atomic_store(&burst_rss_peak, peak);
	atomic_store(&burst_rss_after, rss);
	atomic_store(&burst_settle_ms, (soak_now() - start) / 1000000);
	if (rss > bound && judged)
		soak_fail("RSS after a burst of %d goroutines: %.1f MiB %.0f s later, %.1f MiB "
			  "before it (peak %.1f MiB; bound: before + %.0f MiB)",
			  n, rss / 1048576.0, cfg.burst_wait, before / 1048576.0, peak / 1048576.0,
			  cfg.burst_slack);
	if (!judged)
		printf("stress: burst 1 not judged (a sanitizer's own memory): %.1f MiB before, "
		       "%.1f MiB peak, %.1f MiB after %lld ms\n",
		       before / 1048576.0, peak / 1048576.0, rss / 1048576.0,
		       (long long)atomic_load(&burst_settle_ms));
	atomic_store(&soak_in_burst, 0);
}
