/*
 * chan.h: the channel's internals, shared by chan.c and select.c, and the
 * non-blocking send that timers use (time.c). The public face is
 * include/schedlab_chan.h; an sl_chan * is a struct hchan *.
 */
#ifndef SCHEDLAB_CHAN_INTERNAL_H
#define SCHEDLAB_CHAN_INTERNAL_H

#include "runtime.h"

#include <schedlab.h>

struct hchan;

/*
 * A blocked select: shared by the sudogs it enqueues, one per case, on the
 * selecting G's stack. Go keeps this in g.selectDone and g.param.
 */
struct selwait {
	/* 0 until a waker claims the select with CAS 0 -> 1 (in dequeue, under
	 * the lock of the waker's channel). Exactly one waker wins. */
	uint32_t done;
	/* The sudog through which the select was woken; written by the winner
	 * under its channel's lock, read by the select after relocking. */
	struct sudog *win;
};

/*
 * A G waiting on a channel (Go's sudog). Lives on the waiting G's stack for as
 * long as the G is parked: every field but g, isSelect, sel and casei is
 * guarded by c's lock while the sudog is in one of c's queues.
 */
struct sudog {
	struct g *g;
	struct sudog *next; /* in c->recvq or c->sendq */
	struct sudog *prev;
	/* send: the value; receive: the slot to fill, or NULL to discard.
	 * The waker copies through it, then clears it. */
	void *elem;
	struct hchan *c;
	/* Set by the waker: true for a communication, false when woken by
	 * close. Read by g after it runs again. */
	bool success;
	bool isSelect;
	int32_t casei;	     /* select: the index of this sudog's case */
	struct selwait *sel; /* select: the per-select state; NULL otherwise */
};

/* The senders or receivers waiting on a channel, FIFO. first is written
 * under the channel lock with atomic stores, and read without it by the
 * non-blocking fast paths. */
struct waitq {
	struct sudog *first;
	struct sudog *last;
};

#define HCHAN_MAGIC 0x6e616863626c7321ull /* "!slbchan" */
#define HCHAN_FREED 0x646565726662732dull /* "-sbfreed" */

struct hchan {
	/* Elements in buf. Written under lock (atomic stores), read without it
	 * by sl_chan_len and the fast paths. */
	size_t qcount;
	size_t dataqsiz; /* capacity; immutable */
	char *buf;	 /* dataqsiz slots of elemsize bytes; immutable */
	uint32_t elemsize;
	/* 0 until closed; set under lock (atomic store), read without it by
	 * the fast paths. */
	uint32_t closed;
	/* HCHAN_MAGIC while the channel lives (stored by sl_chan_make before
	 * the channel is shared), HCHAN_FREED after sl_chan_free (stored under
	 * lock). Headers are never given back to malloc
	 * (chan.c, "the header pool"), so a stale handle reads this word as
	 * HCHAN_FREED until the header is made a channel again. */
	uint64_t magic;
	/* lock guards everything below and all writes above. Several channel
	 * locks are taken only in increasing chanorder (select). Never held
	 * across gopark except through its unlockf. */
	mutex lock;
	size_t sendx; /* next slot to fill */
	size_t recvx; /* next slot to take */
	struct waitq recvq;
	struct waitq sendq;
	/* Creation order in this run, where runs replay (os_replay): select's
	 * lock order (chanorder). Immutable; 0 elsewhere. */
	uint64_t seq;
	/* The next freed header in the pool's FIFO, while magic is HCHAN_FREED;
	 * guarded by the pool's lock (chan.c). */
	struct hchan *poolnext;
};

/* The header pool's size classes (64 and 512 bytes of inline buffer), and
 * how many freed headers of a class wait before the oldest is reused. */
#define CHANPOOL_CLASSES    2
#define CHANPOOL_QUARANTINE 1024

/*
 * The order in which a select locks channels. By address, as in Go; where
 * runs replay (os_replay: the simulation) by creation order, because an
 * address differs from process to process (ASLR, the heap's history) and a
 * run must replay exactly.
 */
#define chanorder(c) (os_replay ? ((c) ? ((struct hchan *)(c))->seq : 0) : (uintptr_t)(c))

/* What a G parked on a NULL channel, or in an empty select, waits on. */
extern HIDDEN char nilchan_obj;

/* The checked conversions of the public API. */
static inline struct hchan *tohchan(sl_chan *c)
{
	return (struct hchan *)c;
}

/* Whether c looks freed (best effort, see hchan.magic). c non-NULL. Reads
 * memory that may have been freed, on purpose. */
HIDDEN bool chanfreed(struct hchan *c);

/* ---- for select.c; c->lock held by the caller ---- */
HIDDEN void enqueue(struct waitq *q, struct sudog *sg);
HIDDEN struct sudog *dequeue(struct waitq *q);
HIDDEN void dequeueSudoG(struct waitq *q, struct sudog *sg);
HIDDEN void chansend_direct(struct hchan *c, struct sudog *sg, const void *ep);
HIDDEN void chanrecv_direct(struct hchan *c, struct sudog *sg, void *ep);
HIDDEN void chanbufput(struct hchan *c, const void *ep);
HIDDEN void chanbufget(struct hchan *c, void *ep);
HIDDEN void chanzero(struct hchan *c, void *ep);

/* A random number on any thread, including ones without an M. */
HIDDEN uint32_t chanrand(void);

/*
 * Send *elem on c if that can be done without blocking: a receiver is waiting
 * or the buffer has room. Returns false if it would block, or c is closed.
 * Never parks and never uses the current G: callable on an M's g0 stack
 * holding a P and no locks (m->curg may be NULL), as the timer code does, and
 * from goroutines.
 */
HIDDEN bool chansend_nb(struct hchan *c, const void *elem);

#endif
