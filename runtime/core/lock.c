/*
 * lock.c: runtime mutexes and notes on futexes (Go's lock_futex.go), and
 * static lock ranking.
 *
 * A mutex spins briefly, then sleeps in the kernel. It is held by a thread,
 * never across a context switch. Taking one bumps m->locks, and schedule()
 * refuses to run with any held ("schedule: holding locks").
 *
 * Lock ranking (debug builds, SL_LOCKRANK): every mutex has a rank from enum
 * lockrank, and a thread may only acquire a lock whose rank is above every
 * lock it already holds. The held list is per thread, so foreign threads that
 * inject goroutines are checked too.
 */
#define SL_LOCK_IMPL /* lock and unlock out of line, defined here */
#include "runtime.h"
#include "forked.h"
#include "procyield.h"

enum { active_spin = 4, active_spin_cnt = 30, passive_spin = 1 };

/* clang-format off */
static const char *const lockrank_names[lockRankCount] __attribute__((unused)) = {
	[lockRankTimerOp] = "timerOp",
	[lockRankSemaRoot] = "semaRoot",
	[lockRankHchan] = "hchan",
	[lockRankSched] = "sched",
	[lockRankTimers] = "timers",
	[lockRankAllg] = "allg",
	[lockRankGFree] = "gFree",
	[lockRankStackpool] = "stackpool",
	[lockRankChanpool] = "chanpool",
};
/* clang-format on */

#ifdef SL_LOCKRANK
#define MAX_HELD 16
static __thread mutex *held[MAX_HELD];
static __thread int nheld;
/* Channel locks are counted, not listed: a select may hold thousands. They
 * must come in increasing address order while any is held. */
static __thread int nhchan;
static __thread uintptr_t hchan_last;

static NORETURN void lockrank_bad(mutex *l, uint32_t heldrank)
{
	print("runtime: lock ordering problem: acquiring %s (rank %u) while "
	      "holding %s (rank %u)\n",
	      lockrank_names[l->rank], l->rank, lockrank_names[heldrank], heldrank);
	throw("lock ordering problem");
}

static void lockrank_acquire(mutex *l)
{
	if (l->rank == 0 || l->rank >= lockRankCount)
		throw("lock: mutex has no rank (missing lockInit)");
	for (int i = 0; i < nheld; i++)
		if (held[i]->rank >= l->rank)
			lockrank_bad(l, held[i]->rank);
	if (l->rank == lockRankHchan) {
		if (nhchan > 0 && (uintptr_t)l <= hchan_last) {
			print("runtime: channel locks out of address order\n");
			throw("lock ordering problem");
		}
		nhchan++;
		hchan_last = (uintptr_t)l;
		return;
	}
	if (nhchan > 0 && lockRankHchan >= l->rank)
		lockrank_bad(l, lockRankHchan);
	if (nheld == MAX_HELD)
		throw("lock: too many locks held");
	held[nheld++] = l;
}

/* Before the lock is released: once it is, another thread may take it and
 * free the object that holds it (a channel), so nothing may read l any
 * more. Checked: the lock must still be held here. */
static void lockrank_release(mutex *l)
{
	if (atomic_load(&l->key) == mutex_unlocked)
		throw("unlock of unlocked lock");
	if (l->rank == lockRankHchan) {
		if (nhchan == 0)
			throw("unlock without matching lock acquire");
		if (--nhchan == 0)
			hchan_last = 0;
		return;
	}
	for (int i = nheld - 1; i >= 0; i--) {
		if (held[i] == l) {
			for (int j = i; j < nheld - 1; j++)
				held[j] = held[j + 1];
			nheld--;
			return;
		}
	}
	print("runtime: unlock of %s, which this thread does not hold\n", lockrank_names[l->rank]);
	throw("unlock without matching lock acquire");
}

void assertLockHeld(mutex *l)
{
	if (l->rank == lockRankHchan && nhchan > 0)
		return; /* counted, not listed */
	for (int i = 0; i < nheld; i++)
		if (held[i] == l)
			return;
	print("runtime: %s lock not held\n", lockrank_names[l->rank]);
	throw("not holding required lock!");
}
#else
static inline void lockrank_acquire(mutex *l)
{
	(void)l;
}
static inline void lockrank_release(mutex *l)
{
	(void)l;
}
void assertLockHeld(mutex *l)
{
	(void)l;
}
#endif

void lockInit(mutex *l, enum lockrank rank)
{
	l->key = mutex_unlocked;
	l->rank = rank;
}

void lock(mutex *l)
{
	lockrank_acquire(l);
	lock_norank(l);
}

/* The key was v (locked or sleeping) when lock exchanged in locked: spin,
 * then sleep on the futex until it can be had. Whatever we do, we must not
 * leave the key lower than v, or a sleeper could be forgotten. */
void lock_slow(mutex *l, uint32_t v)
{
	uint32_t wait = v;
	for (;;) {
		for (int i = 0; i < active_spin; i++) {
			while (atomic_load_relaxed(&l->key) == mutex_unlocked)
				if (atomic_cas(&l->key, mutex_unlocked, wait))
					return;
			procyield(active_spin_cnt);
		}
		for (int i = 0; i < passive_spin; i++) {
			while (atomic_load_relaxed(&l->key) == mutex_unlocked)
				if (atomic_cas(&l->key, mutex_unlocked, wait))
					return;
			os_osyield();
		}
		v = atomic_xchg(&l->key, mutex_sleeping);
		if (v == mutex_unlocked)
			return;
		wait = mutex_sleeping;
		checkforked(); /* the fork rule: its holder may be a thread that is gone */
		os_futexsleep(&l->key, mutex_sleeping, -1);
	}
}

/*
 * After the exchange that releases l, l belongs to its next owner, who may
 * free it at once (a channel's lock, freed by the goroutine that takes it
 * next): unlock reads nothing of l after it, and only passes its address to
 * the futex wake, which is harmless on memory that is gone (Go does the
 * same). The rank bookkeeping therefore comes first.
 */
void unlock(mutex *l)
{
	lockrank_release(l);
	unlock_norank(l);
}

/* unlock found v, not mutex_locked, in the key it released. */
void unlock_slow(mutex *l, uint32_t v)
{
	if (v == mutex_unlocked)
		throw("unlock of unlocked lock");
	os_futexwakeup(&l->key, 1); /* mutex_sleeping: wake one */
}

void lockcount_bad(void)
{
	throw("runtime: lock count");
}

void noteclear(note *n)
{
	atomic_store(&n->key, 0);
}

void notewakeup(note *n)
{
	uint32_t old = atomic_xchg(&n->key, 1);
	if (old != 0) {
		print("notewakeup - double wakeup (%u)\n", old);
		throw("notewakeup - double wakeup");
	}
	os_futexwakeup(&n->key, 1);
}

/* Sleep until notewakeup. Blocks the thread: callers are Ms without a P
 * (stopm), the stopping M, or foreign threads. */
void notesleep(note *n)
{
	while (atomic_load(&n->key) == 0) {
		checkforked(); /* the fork rule: the waker may be a thread that is gone */
		os_futexsleep(&n->key, 0, -1);
	}
}

/* notesleep for at most ns; reports whether the note was woken. */
bool notetsleep(note *n, int64_t ns)
{
	if (ns < 0) {
		notesleep(n);
		return true;
	}
	int64_t deadline = os_nanotime() + ns;
	while (atomic_load(&n->key) == 0) {
		int64_t left = deadline - os_nanotime();
		if (left <= 0)
			return atomic_load(&n->key) != 0;
		os_futexsleep(&n->key, 0, left);
	}
	return true;
}
