/*
 * chan.h: the channel's internals, shared by chan.c and select.c, and the
 * non-blocking send that timers use (time.c). The public face is
 * include/schedlab_chan.h; an sl_chan * is a struct hchan *.
 */
#ifndef SCHEDLAB_CHAN_INTERNAL_H
#define SCHEDLAB_CHAN_INTERNAL_H

#include "runtime.h"
#include "sanitizers.h"

#include <schedlab.h>
#include <string.h>

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

/*
 * Whether c looks freed (best effort, see hchan.magic). c non-NULL. Reads
 * memory that may have been freed, on purpose, as raw memory: under a
 * sanitizer it stays a function of its own with the sanitizer off (clang
 * does not inline a no_sanitize function into an instrumented caller, and
 * noinline says so); elsewhere it is one load and a compare, inline on every
 * channel call.
 */
#if defined(SL_ASAN) || defined(SL_TSAN)
__attribute__((no_sanitize("address", "thread"), noinline, unused)) static bool
chanfreed(struct hchan *c)
#else
static inline __attribute__((always_inline)) bool chanfreed(struct hchan *c)
#endif
{
	return *(volatile uint64_t *)&c->magic != HCHAN_MAGIC;
}

/*
 * ---- the wait queues and element moves: c->lock held by the caller ----
 *
 * Inline, for chan.c's hot paths and select.c alike: out of line, each was
 * a call, with its own prologue, on every send and receive.
 */
#define CHAN_INLINE static inline __attribute__((always_inline))

CHAN_INLINE void enqueue(struct waitq *q, struct sudog *sg)
{
	sg->next = NULL;
	struct sudog *x = q->last;
	if (x) {
		sg->prev = x;
		x->next = sg;
		q->last = sg;
		return;
	}
	sg->prev = NULL;
	atomic_store_relaxed(&q->first, sg);
	q->last = sg;
}

/*
 * Remove and return the first sudog whose G can take this operation: a plain
 * send or receive always can; a select only if this caller is the first to
 * claim it. A select claimed by another channel is removed here and skipped
 * (dequeueSudoG then finds it gone). NULL if none.
 */
CHAN_INLINE struct sudog *dequeue(struct waitq *q)
{
	for (;;) {
		struct sudog *sg = q->first;
		if (!sg)
			return NULL;
		struct sudog *y = sg->next;
		if (!y) {
			atomic_store_relaxed(&q->first, NULL);
			q->last = NULL;
		} else {
			y->prev = NULL;
			atomic_store_relaxed(&q->first, y);
			sg->next = NULL; /* removed: see dequeueSudoG */
		}
		/* The select's one locked instruction: several wakers, each
		 * under its own channel's lock, may reach the same select. */
		if (sg->isSelect && !atomic_cas(&sg->sel->done, 0, 1))
			continue;
		return sg;
	}
}

/* Remove sg from q if it is still there (a woken select cleaning up). */
HIDDEN void dequeueSudoG(struct waitq *q, struct sudog *sg);

CHAN_INLINE void elemmove(struct hchan *c, void *dst, const void *src)
{
	/* Word-sized elements are the common case: copy them inline. */
	switch (c->elemsize) {
	case 0:
		return;
	case 8:
		memcpy(dst, src, 8);
		return;
	case 4:
		memcpy(dst, src, 4);
		return;
	default:
		memcpy(dst, src, c->elemsize);
	}
}

CHAN_INLINE void chanzero(struct hchan *c, void *ep)
{
	if (ep && c->elemsize)
		memset(ep, 0, c->elemsize);
}

CHAN_INLINE char *chanbuf(struct hchan *c, size_t i)
{
	return c->buf + i * c->elemsize;
}

/* Mark sg's operation done (success: by a communication, else by close) and,
 * for a select, record it as the winner. */
CHAN_INLINE void sudogdone(struct sudog *sg, bool success)
{
	sg->elem = NULL;
	sg->success = success;
	if (sg->isSelect)
		sg->sel->win = sg;
}

/* Send *ep to receiver sg, just dequeued from c->recvq. The caller unlocks,
 * then readies sg->g (read before unlocking). */
CHAN_INLINE void chansend_direct(struct hchan *c, struct sudog *sg, const void *ep)
{
	if (sg->elem)
		elemmove(c, sg->elem, ep);
	sudogdone(sg, true);
}

/* Receive into ep (NULL: discard) from sender sg, just dequeued from
 * c->sendq. With a buffer (then full), take its head and put sg's value at
 * the tail: both are the same slot. The caller unlocks and readies sg->g. */
CHAN_INLINE void chanrecv_direct(struct hchan *c, struct sudog *sg, void *ep)
{
	if (c->dataqsiz == 0) {
		if (ep)
			elemmove(c, ep, sg->elem);
	} else {
		char *qp = chanbuf(c, c->recvx);
		if (ep)
			elemmove(c, ep, qp);
		elemmove(c, qp, sg->elem);
		if (++c->recvx == c->dataqsiz)
			c->recvx = 0;
		c->sendx = c->recvx;
	}
	sudogdone(sg, true);
}

/* Append *ep to the buffer; qcount < dataqsiz. */
CHAN_INLINE void chanbufput(struct hchan *c, const void *ep)
{
	elemmove(c, chanbuf(c, c->sendx), ep);
	if (++c->sendx == c->dataqsiz)
		c->sendx = 0;
	atomic_store_relaxed(&c->qcount, c->qcount + 1);
}

/* Take the buffer's head into ep (NULL: discard); qcount > 0. */
CHAN_INLINE void chanbufget(struct hchan *c, void *ep)
{
	char *qp = chanbuf(c, c->recvx);
	if (ep)
		elemmove(c, ep, qp);
	/* Go clears the slot for its garbage collector; nothing here needs it. */
	if (++c->recvx == c->dataqsiz)
		c->recvx = 0;
	atomic_store_relaxed(&c->qcount, c->qcount - 1);
}

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

/*
 * Go's selectnbsend and selectnbrecv: the non-blocking send and receive of a
 * select with one channel and a default, through the lock-free fast paths of
 * chansend and chanrecv. c non-NULL, not freed, and (send) ep valid for its
 * element size; a user G or g0 with a P. chantrysend returns 0, SL_ECLOSED or
 * SL_EAGAIN; chantryrecv returns 0 with *okp set (false: closed and drained,
 * *ep zeroed) or SL_EAGAIN.
 */
HIDDEN int chantrysend(struct hchan *c, const void *ep);
HIDDEN int chantryrecv(struct hchan *c, void *ep, bool *okp);

#endif
