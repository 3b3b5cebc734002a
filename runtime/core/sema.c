/*
 * sema.c: semaphores that park goroutines (Go's runtime/sema.go). sync.c
 * builds sl_mutex and sl_waitgroup on them.
 *
 * Semaphores. A semaphore is a uint32_t count at any address. Waiters are
 * kept in semtable, 251 buckets (semaRoot) chosen by address. A bucket holds
 * a list of heads, one per distinct address with waiters, and each head
 * chains the other waiters for its address in FIFO order (Go keeps the heads
 * in a treap; a list is enough while few distinct addresses in one bucket
 * have waiters at once). A waiter's record (struct semawaiter, Go's sudog)
 * lives on the parked goroutine's stack: stacks do not move, and the record
 * is unlinked, under the bucket lock, before its goroutine is readied.
 */
#include "sema.h"
#include "schedlab.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- the semaphore table ---- */

#define SEMTABSZ 251

/* One waiting goroutine (Go's sudog, as sema.go uses it). All fields but
 * ticket are guarded by the bucket lock. */
struct semawaiter {
	struct g *g;
	uint32_t *elem;		     /* the semaphore waited on */
	struct semawaiter *next;     /* heads only: the bucket's list of addresses */
	struct semawaiter *prev;     /* heads only */
	struct semawaiter *waitlink; /* the next waiter for the same address */
	struct semawaiter *waittail; /* heads only: the last waiter for the address */
	/* Atomic. 1: the releaser took the count for us (handoff). Written
	 * before goready, read by the woken goroutine. */
	uint32_t ticket;
};

/*
 * A bucket. lock guards head and every record linked from it; a waiter holds
 * it from the moment it counts itself in nwait until it is parked (gopark's
 * unlockf releases it). Rank lockRankSemaRoot: below hchan, timers and
 * sched, so a holder may ready goroutines; it is the lowest rank, so no
 * other runtime lock may be held when taking it.
 */
struct semaRoot {
	mutex lock;
	struct semawaiter *head;
	/* Atomic: waiters in this bucket, all addresses. Incremented (under
	 * lock) before a waiter's last look at the count, decremented when it
	 * leaves the queue; semrelease skips the lock while it is 0. */
	uint32_t nwait;
};

/* Padded to a cache line, so that buckets do not share one. */
static struct {
	struct semaRoot root;
	char pad[64 - sizeof(struct semaRoot) % 64];
} semtable[SEMTABSZ] = {
    [0 ... SEMTABSZ - 1] = {.root = {.lock = {.key = 0, .rank = lockRankSemaRoot}}},
};

/* The bucket for addr. Where runs replay (os_replay: the simulation) every
 * address shares bucket 0: which addresses share a bucket would otherwise
 * change with ASLR, and with it the locking, the scheduling points, and the
 * replay of a run. */
static struct semaRoot *semroot(uint32_t *addr)
{
	if (os_replay)
		return &semtable[0].root;
	return &semtable[((uintptr_t)addr >> 3) % SEMTABSZ].root;
}

/* Take one from *addr if it is positive. Any thread, no lock needed. */
static bool cansemacquire(uint32_t *addr)
{
	uint32_t v = atomic_load(addr);
	while (v != 0)
		if (__atomic_compare_exchange_n(addr, &v, v - 1, false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return true;
	return false;
}

/* The head for addr in root, or NULL. Caller holds root->lock. */
static struct semawaiter *semafind(struct semaRoot *root, uint32_t *addr)
{
	for (struct semawaiter *s = root->head; s; s = s->next)
		if (s->elem == addr)
			return s;
	return NULL;
}

/* Put t where head s is in root's list of heads. Caller holds root->lock. */
static void semareplace(struct semaRoot *root, struct semawaiter *s, struct semawaiter *t)
{
	t->next = s->next;
	t->prev = s->prev;
	if (t->next)
		t->next->prev = t;
	if (t->prev)
		t->prev->next = t;
	else
		root->head = t;
	s->next = s->prev = NULL;
}

/* Queue the current goroutine's record s on addr: last, or first if lifo.
 * Caller holds root->lock. */
static void semaqueue(struct semaRoot *root, uint32_t *addr, struct semawaiter *s, bool lifo)
{
	s->g = getg();
	s->elem = addr;
	s->next = s->prev = s->waitlink = s->waittail = NULL;
	atomic_store_relaxed(&s->ticket, 0);

	struct semawaiter *t = semafind(root, addr);
	if (!t) {
		/* The first waiter for addr: a new head, at the front. */
		s->next = root->head;
		if (s->next)
			s->next->prev = s;
		root->head = s;
		return;
	}
	if (lifo) {
		/* s becomes the head; t and its chain follow it. */
		semareplace(root, t, s);
		s->waitlink = t;
		s->waittail = t->waittail ? t->waittail : t;
		t->waittail = NULL;
	} else {
		if (t->waittail)
			t->waittail->waitlink = s;
		else
			t->waitlink = s;
		t->waittail = s;
	}
}

/* Unlink and return the first waiter for addr, or NULL. Caller holds
 * root->lock. */
static struct semawaiter *semadequeue(struct semaRoot *root, uint32_t *addr)
{
	struct semawaiter *s = semafind(root, addr);
	if (!s)
		return NULL;
	struct semawaiter *t = s->waitlink;
	if (t) {
		/* The next waiter for addr takes s's place as head. */
		semareplace(root, s, t);
		t->waittail = t->waitlink ? s->waittail : NULL;
	} else {
		if (s->next)
			s->next->prev = s->prev;
		if (s->prev)
			s->prev->next = s->next;
		else
			root->head = s->next;
		s->next = s->prev = NULL;
	}
	s->waitlink = s->waittail = NULL;
	return s;
}

/* gopark's unlockf: the waiter is _Gwaiting and queued; from here on a
 * releaser may dequeue and ready it. On g0 of the parking M. */
static bool semaunlock(struct g *gp, void *rootlock)
{
	(void)gp;
	unlock(rootlock);
	return true;
}

void semacquire1(uint32_t *addr, bool lifo, enum waitreason reason)
{
	struct g *gp = getg();
	if (!gp || !gp->m || gp != gp->m->curg)
		throw("semacquire not on the G stack");
	/* The easy case. */
	if (cansemacquire(addr))
		return;

	struct semawaiter s;
	struct semaRoot *root = semroot(addr);
	for (;;) {
		lock(&root->lock);
		/* Count ourselves first: a semrelease that runs after the
		 * check below then sees nwait > 0 and takes the lock, which
		 * it gets only once we are parked and queued. */
		atomic_xadd(&root->nwait, 1);
		if (cansemacquire(addr)) {
			atomic_xadd(&root->nwait, -1);
			unlock(&root->lock);
			return;
		}
		semaqueue(root, addr, &s, lifo);
		gopark(semaunlock, &root->lock, reason, addr);
		/* Dequeued and readied by semrelease1; nwait already dropped. */
		if (atomic_load(&s.ticket) != 0 || cansemacquire(addr))
			return;
	}
}

/*
 * Wake the first waiter for addr, if any; returns whether there was one.
 * The count it is to take was added before. Reads *addr only for a handoff,
 * and only while the waiter it dequeued, which has not returned yet, keeps
 * the semaphore alive.
 */
static bool semawake(uint32_t *addr, bool handoff)
{
	struct semaRoot *root = semroot(addr);
	/* The easy case: nobody waits in this bucket. Pairs with the waiter's
	 * nwait increment before its last cansemacquire (both are seq_cst). */
	if (atomic_load(&root->nwait) == 0)
		return false;

	lock(&root->lock);
	if (atomic_load(&root->nwait) == 0) {
		unlock(&root->lock);
		return false;
	}
	struct semawaiter *s = semadequeue(root, addr);
	if (s)
		atomic_xadd(&root->nwait, -1);
	unlock(&root->lock);
	if (!s)
		return false;

	/* s lives on the waiter's stack: after goready it may be gone. */
	struct g *wgp = s->g;
	if (atomic_load_relaxed(&s->ticket) != 0)
		throw("corrupted semaphore ticket");
	bool handed = handoff && cansemacquire(addr);
	if (handed)
		atomic_store(&s->ticket, 1);
	goready(wgp);
	if (handed) {
		/* Direct handoff: the waiter is in our runnext; let it run. */
		struct g *gp = getg();
		if (gp && gp->m && gp == gp->m->curg && gp->m->locks == 0)
			gosched();
	}
	return true;
}

void semrelease1(uint32_t *addr, bool handoff)
{
	atomic_xadd(addr, 1);
	semawake(addr, handoff);
}

void semrelease_n(uint32_t *addr, uint32_t n)
{
	atomic_xadd(addr, n);
	while (n-- > 0 && semawake(addr, false)) {
	}
}

uint32_t semawaiters(uint32_t *addr)
{
	struct semaRoot *root = semroot(addr);
	uint32_t n = 0;
	lock(&root->lock);
	struct semawaiter *s = semafind(root, addr);
	for (; s; s = s->waitlink)
		n++;
	unlock(&root->lock);
	return n;
}

void sema_teardown(void)
{
	for (int i = 0; i < SEMTABSZ; i++) {
		semtable[i].root.head = NULL;
		semtable[i].root.nwait = 0;
		semtable[i].root.lock.key = 0;
	}
}
