/*
 * sync.c: sl_mutex (Go's sync.Mutex) and sl_waitgroup (Go's sync.WaitGroup),
 * built on the semaphores of sema.c.
 *
 * sl_mutex and sl_waitgroup follow Go 1.19's sync package, step for step in
 * their state machines, with Go's messages for misuse (fatal here: C has no
 * recover). They belong to goroutines: from any other thread they print one
 * line and abort().
 *
 * One departure, because C has no garbage collector to keep a mutex alive:
 * once an unlock or a WaitGroup's last Done has let another goroutine in,
 * they do not touch the object again (mutex_unlockslow, waitgroup_add), so
 * that goroutine may free it, as POSIX allows for pthread mutexes.
 */
#include "procyield.h"
#include "sema.h"
#include "schedlab.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- goroutines only ---- */

static NORETURN __attribute__((noinline, cold)) void notgoroutine(const char *fn)
{
	fprintf(stderr,
		"schedlab: %s called from a thread that is not running a goroutine "
		"(use sl_run to get one)\n",
		fn);
	fflush(stderr);
	abort();
}

/* The public sync API runs on user goroutines only. */
static inline void goroutineonly(const char *fn)
{
	struct g *gp = getg();
	if (__builtin_expect(!gp || !gp->m || gp != gp->m->curg, 0))
		notgoroutine(fn);
}

/* ---- sl_mutex: Go's sync.Mutex ---- */

enum { active_spin = 4, active_spin_cnt = 30 };

/*
 * Go's sync_runtime_canSpin: spin only a little, only on a multicore machine
 * with GOMAXPROCS > 1 and another P running (one that could release the
 * mutex), and only while this P has nothing else to run. On a user G.
 */
static bool canspin(int iter)
{
	if (iter >= active_spin || atomic_load_relaxed(&ncpu) <= 1 ||
	    atomic_load(&gomaxprocs) <=
		atomic_load(&sched.npidle) + atomic_load(&sched.nmspinning) + 1)
		return false;
	struct p *pp = getm()->p;
	return pp && runqempty(pp);
}

static void dospin(void)
{
	procyield(active_spin_cnt);
}

/* CAS that reloads *old on failure. */
static inline bool cas32(int32_t *addr, int32_t *old, int32_t new)
{
	return __atomic_compare_exchange_n(addr, old, new, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
}

/*
 * The contended path of sl_mutex_lock, Go's lockSlow. Normal mode: waiters
 * queue FIFO, but a woken waiter competes with newly arriving goroutines
 * (which usually win: they are already running); one that loses goes back
 * to the front of the queue. A waiter that has waited more than 1 ms sets
 * mutexStarving: then unlock hands the mutex straight to the first waiter,
 * newcomers queue at the tail without trying, and the last waiter (or one
 * that waited less than 1 ms) switches back to normal mode.
 */
static __attribute__((noinline)) void mutex_lockslow(sl_mutex *m)
{
	int64_t waitStartTime = 0;
	bool starving = false, awoke = false;
	int iter = 0;
	/* A preemption point, as a blocking call is: a goroutine that loops
	 * on a contended mutex must not hold up a stop-the-world. */
	preemptcheck();
	int32_t old = atomic_load(&m->state);
	for (;;) {
		/* Spin only in normal mode while the mutex is held: in
		 * starvation mode ownership goes to the waiters anyway. */
		if ((old & (mutexLocked | mutexStarving)) == mutexLocked && canspin(iter)) {
			/* Set Woken so that unlock does not wake another
			 * waiter while we are about to take the mutex. */
			if (!awoke && !(old & mutexWoken) && (old >> mutexWaiterShift) != 0 &&
			    cas32(&m->state, &old, old | mutexWoken))
				awoke = true;
			dospin();
			iter++;
			old = atomic_load(&m->state);
			continue;
		}
		int32_t new = old;
		/* Do not grab a starving mutex: newcomers must queue. */
		if (!(old & mutexStarving))
			new |= mutexLocked;
		if (old & (mutexLocked | mutexStarving))
			new += 1 << mutexWaiterShift;
		/* Switch to starvation mode, unless the mutex was just
		 * released: unlock expects waiters in starvation mode. */
		if (starving && (old & mutexLocked))
			new |= mutexStarving;
		if (awoke) {
			/* We own Woken (set by us or by the unlock that woke
			 * us); either way it must be cleared. */
			if (!(new &mutexWoken))
				throw("sync: inconsistent mutex state");
			new &= ~mutexWoken;
		}
		if (!cas32(&m->state, &old, new))
			continue;
		if (!(old & (mutexLocked | mutexStarving)))
			return; /* locked it with the CAS */
		/* Waited before: back to the front of the queue. */
		bool queueLifo = waitStartTime != 0;
		if (waitStartTime == 0)
			waitStartTime = os_nanotime();
		semacquire1(&m->sema, queueLifo, waitReasonSyncMutexLock);
		starving = starving || os_nanotime() - waitStartTime > starvationThresholdNs;
		old = atomic_load(&m->state);
		if (old & mutexStarving) {
			/* The mutex was handed to us; state still shows it
			 * unlocked with us counted as a waiter. */
			if ((old & (mutexLocked | mutexWoken)) || (old >> mutexWaiterShift) == 0)
				throw("sync: inconsistent mutex state");
			int32_t delta = mutexLocked - (1 << mutexWaiterShift);
			/* Leave starvation mode if we did not wait long or are
			 * the last waiter. */
			if (!starving || (old >> mutexWaiterShift) == 1)
				delta -= mutexStarving;
			atomic_xadd(&m->state, delta);
			return;
		}
		awoke = true;
		iter = 0;
	}
}

void sl_mutex_lock(sl_mutex *m)
{
	goroutineonly("sl_mutex_lock");
	int32_t unlocked = 0;
	if (cas32(&m->state, &unlocked, mutexLocked))
		return;
	mutex_lockslow(m);
}

bool sl_mutex_trylock(sl_mutex *m)
{
	goroutineonly("sl_mutex_trylock");
	int32_t old = atomic_load(&m->state);
	if (old & (mutexLocked | mutexStarving))
		return false;
	/* One attempt only: there may be contention, as in Go. */
	return cas32(&m->state, &old, old | mutexLocked);
}

/*
 * The contended path of sl_mutex_unlock, Go's unlockSlow; old is the state
 * last seen, with mutexLocked set.
 *
 * Go releases the mutex with one atomic add and then, in a second step,
 * picks a waiter to wake, reading and writing m->state again. Go's garbage
 * collector keeps m alive in between; here nothing does. Once the mutex is
 * released another goroutine can lock it, and if that one drops the last
 * reference to the object holding m, it may free or reuse the memory while
 * we are still in here (POSIX allows exactly that for pthread mutexes). So
 * the release and the choice of whom to wake are one CAS, after which the
 * mutex is touched only by semrelease1's count on m->sema, and only when a
 * waiter we took out of the count is still parked on it: that waiter has
 * not locked m yet, so nobody may free m before we have woken it.
 * (runtime/test test_sync reuse checks this.)
 */
static __attribute__((noinline)) void mutex_unlockslow(sl_mutex *m, int32_t old)
{
	for (;;) {
		if (!(old & mutexLocked))
			fatal("sync: unlock of unlocked mutex");
		if (old & mutexStarving) {
			/* Hand ownership to the first waiter and let it run
			 * now. mutexLocked becomes clear: the waiter sets it;
			 * meanwhile newcomers see mutexStarving and queue.
			 * The waiter stays counted (it takes itself out), so
			 * it is parked until semrelease1 wakes it. */
			if (!cas32(&m->state, &old, old - mutexLocked))
				continue;
			semrelease1(&m->sema, true);
			return;
		}
		/* Nobody to wake, or a spinner already woke itself: it takes
		 * care of the waiters. Release and touch nothing after. */
		if ((old >> mutexWaiterShift) == 0 || (old & mutexWoken)) {
			if (cas32(&m->state, &old, old - mutexLocked))
				return;
			continue;
		}
		/* Release, take one waiter out of the count and mark it woken,
		 * in one step. */
		int32_t new = (old - mutexLocked - (1 << mutexWaiterShift)) | mutexWoken;
		if (cas32(&m->state, &old, new)) {
			semrelease1(&m->sema, false);
			return;
		}
	}
}

/* One CAS when nobody waits, as Go's one atomic add; any other state takes
 * the slow path, which releases in its own CAS (see above). */
void sl_mutex_unlock(sl_mutex *m)
{
	goroutineonly("sl_mutex_unlock");
	int32_t old = mutexLocked;
	if (cas32(&m->state, &old, 0))
		return;
	mutex_unlockslow(m, old);
}

/* ---- sl_waitgroup: Go's sync.WaitGroup ---- */

/*
 * state: the counter in the high 32 bits, the number of waiters in the low
 * 32. Waiters park on sema. The Add that brings the counter to 0 with
 * waiters present owns the WaitGroup: it resets state to 0 and releases
 * every waiter; an Add or Wait meanwhile is misuse.
 */
static void waitgroup_add(sl_waitgroup *wg, int delta)
{
	uint64_t state = atomic_xadd(&wg->state, (uint64_t)(int64_t)delta << 32);
	int32_t v = (int32_t)(state >> 32);
	uint32_t w = (uint32_t)state;
	if (v < 0)
		fatal("sync: negative WaitGroup counter");
	/* Waiters exist, yet the counter just rose from 0. */
	if (w != 0 && delta > 0 && v == (int32_t)delta)
		fatal("sync: WaitGroup misuse: Add called concurrently with Wait");
	if (v > 0 || w == 0)
		return;
	/* The counter is 0 and there are waiters: nothing else may touch
	 * state now. */
	if (atomic_load(&wg->state) != state)
		fatal("sync: WaitGroup misuse: Add called concurrently with Wait");
	atomic_store(&wg->state, 0);
	/* All w counts in one add, then the wake-ups: the first waiter to
	 * return may free the WaitGroup (the usual one on its stack), and the
	 * wake-ups touch only the waiters' own records. */
	semrelease_n(&wg->sema, w);
}

void sl_waitgroup_add(sl_waitgroup *wg, int delta)
{
	goroutineonly("sl_waitgroup_add");
	waitgroup_add(wg, delta);
}

void sl_waitgroup_done(sl_waitgroup *wg)
{
	goroutineonly("sl_waitgroup_done");
	waitgroup_add(wg, -1);
}

void sl_waitgroup_wait(sl_waitgroup *wg)
{
	goroutineonly("sl_waitgroup_wait");
	uint64_t state = atomic_load(&wg->state);
	for (;;) {
		if ((int32_t)(state >> 32) == 0)
			return;
		/* Count ourselves as a waiter. */
		if (__atomic_compare_exchange_n(&wg->state, &state, state + 1, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
			semacquire1(&wg->sema, false, waitReasonSyncWaitGroupWait);
			if (atomic_load(&wg->state) != 0)
				fatal(
				    "sync: WaitGroup is reused before previous Wait has returned");
			return;
		}
	}
}
