/*
 * sema.h: the runtime's semaphores (Go's runtime/sema.go) and the internals
 * of sl_mutex that white-box tests look at. Internal: runtime files and
 * tests only; the public side is include/schedlab_sync.h.
 *
 * A semaphore is a uint32_t count anywhere in memory. semacquire waits until
 * the count is positive and decrements it, parking the goroutine (not the
 * thread) while it waits; semrelease increments it and wakes one waiter.
 * Waiters are queued per address in a table of 251 buckets (semaRoot),
 * each with its own runtime mutex of rank lockRankSemaRoot.
 */
#ifndef SCHEDLAB_SEMA_H
#define SCHEDLAB_SEMA_H

#include "runtime.h"

/* sl_mutex.state, as in Go's sync.Mutex: three flag bits and, above them,
 * the number of goroutines waiting (or about to wait) on the semaphore. */
enum {
	mutexLocked = 1,   /* held */
	mutexWoken = 2,	   /* a waiter is awake (spinning or woken): unlock wakes nobody */
	mutexStarving = 4, /* starvation mode: ownership is handed to the first waiter */
	mutexWaiterShift = 3,
};
/* A waiter that waited longer than this switches the mutex to starvation
 * mode (Go's starvationThresholdNs). */
#define starvationThresholdNs 1000000

/*
 * Go's semacquire1: wait until *addr > 0, then decrement it. lifo queues the
 * caller at the head of addr's waiters (a sync.Mutex waiter that was woken
 * and lost the race goes back to the front). reason is what the goroutine
 * shows while parked; its waiting_on is addr. Only on a user goroutine, with
 * no runtime lock held (it may park); throws otherwise.
 */
HIDDEN void semacquire1(uint32_t *addr, bool lifo, enum waitreason reason);

/*
 * Go's semrelease1: increment *addr and wake one waiter for addr, if any.
 * handoff: the count goes straight to the woken waiter (it is decremented
 * here on its behalf) and the caller yields so that the waiter runs at once
 * on this P, as in Go. Any thread; the yield happens only on a user
 * goroutine holding no runtime lock.
 */
HIDDEN void semrelease1(uint32_t *addr, bool handoff);

/*
 * Add n to *addr in one step, then wake up to n waiters for addr. After the
 * add the semaphore's memory is not touched again: a woken waiter may free
 * it at once (a WaitGroup on its stack). Any thread.
 */
HIDDEN void semrelease_n(uint32_t *addr, uint32_t n);

static inline void semacquire(uint32_t *addr)
{
	semacquire1(addr, false, waitReasonSemacquire);
}

static inline void semrelease(uint32_t *addr, bool handoff)
{
	semrelease1(addr, handoff);
}

/* For tests: the number of goroutines queued on addr right now. Takes the
 * bucket's lock; any thread holding no lock of rank >= lockRankSemaRoot. */
HIDDEN uint32_t semawaiters(uint32_t *addr);

#endif
