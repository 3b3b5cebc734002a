/*
 * w_sync.c: sl_mutex under contention and sl_waitgroup rounds.
 *
 * Mutex: a round's goroutines each take the lock many times (sometimes with
 * trylock) and increment a plain, non-atomic counter under it (TSan sees
 * every access); some critical sections are long, a busy wait or a sleep
 * of more than 1 ms, so that waiters wait past Go's starvation threshold
 * and the mutex enters starvation mode. An atomic `inside` counter proves
 * mutual exclusion on every entry.
 *
 * WaitGroup: one WaitGroup reused for many rounds; each round adds the
 * workers, one to three goroutines wait, and every waiter must see all of
 * the round's workers finished when its wait returns.
 *
 * Books: the counter equals the number of locks taken; the waiters' views
 * are exact.
 */
#include "soak.h"

#define MS 1000000ll

struct mround {
	uint64_t round;
	sl_mutex mu;
	int64_t counter; /* guarded by mu */
	_Atomic int inside;
	_Atomic int64_t taken;
	int per;
	sl_waitgroup wg;
};

struct mrole {
	struct mround *m;
	int id;
};

static void locker(void *arg)
{
	struct mrole *ro = arg;
	struct mround *m = ro->m;
	uint64_t r = rng_seed(m->round, 300 + ro->id);
	for (int i = 0; i < m->per; i++) {
		if (rng_range(&r, 0, 3) == 0) {
			while (!sl_mutex_trylock(&m->mu))
				sl_yield();
		} else
			sl_mutex_lock(&m->mu);
		if (atomic_fetch_add(&m->inside, 1) != 0)
			soak_fail("mutex round %llu: two goroutines inside the lock",
				  (unsigned long long)m->round);
		m->counter++;
		int64_t k = rng_range(&r, 0, 99);
		if (k == 0)
			soak_spin_ns(1500 * 1000); /* holds the P: > 1 ms, starvation */
		else if (k == 1)
			sl_sleep(1200 * 1000); /* parks holding the lock */
		atomic_fetch_sub(&m->inside, 1);
		sl_mutex_unlock(&m->mu);
		atomic_fetch_add(&m->taken, 1);
		soak_add(&soak_locks, 1);
	}
	sl_waitgroup_done(&m->wg);
}

struct wround {
	sl_waitgroup wg;      /* the one being reused */
	_Atomic int finished; /* workers done, over all rounds */
	sl_chan *waited;      /* extra waiters report here */
	int want;	      /* finished expected once this round's wait returns */
	uint64_t round;
};

static void wg_worker(void *arg)
{
	struct wround *w = arg;
	sl_yield();
	atomic_fetch_add(&w->finished, 1);
	sl_waitgroup_done(&w->wg);
}

static void wg_waiter(void *arg)
{
	struct wround *w = arg;
	sl_waitgroup_wait(&w->wg);
	int seen = atomic_load(&w->finished);
	sl_chan_send(w->waited, &seen);
}

static void waitgroups(uint64_t round, uint64_t *r)
{
	struct wround w = {.round = round, .wg = SL_WAITGROUP_INIT};
	w.waited = sl_chan_make(sizeof(int), 0);
	int rounds = (int)rng_range(r, 5, 50);
	for (int k = 0; k < rounds; k++) {
		int n = (int)rng_range(r, 1, 32), extra = (int)rng_range(r, 0, 2);
		w.want += n;
		sl_waitgroup_add(&w.wg, n);
		for (int i = 0; i < extra; i++)
			sl_go(wg_waiter, &w);
		for (int i = 0; i < n; i++)
			sl_go(wg_worker, &w);
		sl_waitgroup_wait(&w.wg);
		int seen = atomic_load(&w.finished);
		for (int i = 0; i < extra; i++) {
			int s;
			sl_chan_recv(w.waited, &s, NULL);
			if (s != w.want)
				seen = s;
		}
		if (seen != w.want)
			soak_fail("waitgroup round %llu.%d: a wait returned with %d of %d workers "
				  "done",
				  (unsigned long long)round, k, seen, w.want);
		soak_add(&soak_spawned, n + extra);
	}
	sl_chan_free(w.waited);
}

void w_sync(uint64_t round)
{
	uint64_t r = rng_seed(round, 5);
	struct mround m = {.round = round, .mu = SL_MUTEX_INIT, .wg = SL_WAITGROUP_INIT};
	int n = (int)rng_range(&r, 2, 24);
	m.per = (int)rng_range(&r, 10, 300);
	struct mrole roles[24];
	sl_waitgroup_add(&m.wg, n);
	for (int i = 0; i < n; i++) {
		roles[i] = (struct mrole){&m, i};
		sl_go(locker, &roles[i]);
	}
	waitgroups(round, &r);
	sl_waitgroup_wait(&m.wg);
	sl_mutex_lock(&m.mu);
	int64_t got = m.counter;
	sl_mutex_unlock(&m.mu);
	if (got != (int64_t)n * m.per || atomic_load(&m.taken) != got)
		soak_fail("mutex round %llu: counter %lld after %lld locks, want %lld",
			  (unsigned long long)round, (long long)got,
			  (long long)atomic_load(&m.taken), (long long)n * m.per);
}
