/*
 * spawn.c: creating goroutines.
 *
 *   CreateGoroutines          Go's benchmarkCreateGoroutines(b, 1): a chain
 *                             of b.N goroutines, each spawning the next and
 *                             exiting; the last one signals a channel. One
 *                             op: one goroutine created, run and exited.
 *   CreateGoroutinesParallel  the same with GOMAXPROCS chains of
 *                             b.N/GOMAXPROCS.
 *   SpawnWait                 spawn_wait(b.N): goroutines spawned in batches
 *                             of 1000, each calling sl_waitgroup_done, each
 *                             batch waited for. One op: one goroutine.
 */
#include <schedlab.h>
#include <schedlab_chan.h>
#include <schedlab_sync.h>

#include "catalogue.h"

/* The channel the end of each chain signals; one benchmark runs at a time. */
static sl_chan *chain_end;

static void chain_link(void *arg)
{
	intptr_t n = (intptr_t)arg;
	if (n == 0)
		sl_chan_send(chain_end, NULL);
	else
		sl_go(chain_link, (void *)(n - 1));
}

static void create_chains(gb_state *st, int chains)
{
	int64_t n = gb_max_iterations(st);

	chain_end = sl_chan_make(0, 0);
	while (gb_keep_running_batch(st, n)) {
		for (int i = 0; i < chains; i++)
			sl_go(chain_link, (void *)(intptr_t)(n / chains));
		for (int i = 0; i < chains; i++)
			sl_chan_recv(chain_end, NULL, NULL);
	}
	sl_chan_free(chain_end);
}

static void create_goroutines(gb_state *st)
{
	create_chains(st, 1);
}
static void create_goroutines_parallel(gb_state *st)
{
	create_chains(st, sl_gomaxprocs(0));
}

static void done_one(void *wg)
{
	sl_waitgroup_done(wg);
}

void spawn_wait(int64_t n)
{
	enum { batch = 1000 };
	sl_waitgroup wg = SL_WAITGROUP_INIT;

	for (int64_t i = 0; i < n; i += batch) {
		int k = n - i < batch ? (int)(n - i) : batch;
		sl_waitgroup_add(&wg, k);
		for (int j = 0; j < k; j++)
			sl_go(done_one, &wg);
		sl_waitgroup_wait(&wg);
	}
}

static void spawn_wait_bench(gb_state *st)
{
	int64_t n = gb_max_iterations(st);
	while (gb_keep_running_batch(st, n))
		spawn_wait(n);
}

void register_spawn(void)
{
	static const struct bench_def defs[] = {
	    {.name = "CreateGoroutines", .body = create_goroutines},
	    {.name = "CreateGoroutinesParallel", .body = create_goroutines_parallel},
	    {.name = "SpawnWait", .body = spawn_wait_bench},
	};
	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
		bench_register(&defs[i]);
}
