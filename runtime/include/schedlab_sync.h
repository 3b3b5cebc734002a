/*
 * schedlab_sync.h: sl_mutex and sl_waitgroup, Go's sync.Mutex and
 * sync.WaitGroup for goroutines (included by schedlab.h).
 *
 * Both block by parking the calling goroutine, never its thread, and both
 * follow Go 1.19's algorithms. They may be called from goroutines only
 * (sl_main, anything started with sl_go or run by sl_run); called from any
 * other thread they print a one-line error on stderr and abort(). Misuse that
 * Go reports with a panic is fatal here: "fatal error: MSG" on stderr, exit
 * status 2.
 *
 * Neither needs a destructor; a zeroed object is ready to use, and an object
 * must not be copied once used.
 */
#ifndef SCHEDLAB_SYNC_H
#define SCHEDLAB_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A mutual exclusion lock (Go's sync.Mutex). Not tied to a goroutine: one
 * goroutine may lock it and another unlock it. Not reentrant.
 *
 * A contended lock spins briefly where that can pay off (several CPUs and
 * Ps, another P running), then parks. Normally a woken waiter competes with
 * arriving goroutines; once a waiter has waited more than 1 ms the mutex
 * enters starvation mode and is handed to waiters in FIFO order until the
 * queue drains or a waiter got it within 1 ms.
 */
typedef struct {
	int32_t state; /* locked, woken, starving bits; waiter count above */
	uint32_t sema; /* the semaphore waiters park on */
} sl_mutex;

#define SL_MUTEX_INIT                                                                              \
	{                                                                                          \
		0, 0                                                                               \
	}

/* Lock m, waiting as long as it takes. */
void sl_mutex_lock(sl_mutex *m);
/* Lock m if that is possible without waiting; report whether it was. May
 * fail even when m is unlocked for a moment (a race, or starvation mode). */
bool sl_mutex_trylock(sl_mutex *m);
/* Unlock m. Fatal ("sync: unlock of unlocked mutex") if m is not locked.
 * Once another goroutine has locked m after this unlock, this call no longer
 * touches m, so that goroutine may free it (with the object it sits in) when
 * nobody else waits for m or will use it. */
void sl_mutex_unlock(sl_mutex *m);

/*
 * Waits for a collection of goroutines to finish (Go's sync.WaitGroup): add
 * the number to wait for, each calls done, wait blocks until the counter is
 * 0. A counter below 0 is fatal ("sync: negative WaitGroup counter"). Adds
 * that start from 0 must happen before wait; a WaitGroup may be reused once
 * every wait of the previous round has returned (Go's misuse checks are
 * fatal: "sync: WaitGroup misuse: Add called concurrently with Wait",
 * "sync: WaitGroup is reused before previous Wait has returned"). It may be
 * freed once every wait has returned: the done that released them touches
 * it no more, even before it returns itself.
 */
typedef struct {
	uint64_t state; /* counter in the high 32 bits, waiters in the low 32 */
	uint32_t sema;	/* the semaphore waiters park on */
} sl_waitgroup;

#define SL_WAITGROUP_INIT                                                                          \
	{                                                                                          \
		0, 0                                                                               \
	}

/* Add delta (may be negative) to the counter; at 0, release all waiters. */
void sl_waitgroup_add(sl_waitgroup *wg, int delta);
/* sl_waitgroup_add(wg, -1). */
void sl_waitgroup_done(sl_waitgroup *wg);
/* Block until the counter is 0; returns at once if it is. */
void sl_waitgroup_wait(sl_waitgroup *wg);

#ifdef __cplusplus
}
#endif

#endif
