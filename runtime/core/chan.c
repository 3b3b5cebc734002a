/*
 * chan.c: channels (Go's runtime/chan.go): make, send, receive, close, len,
 * cap, free, the non-blocking forms, and the wait queues and element moves
 * that select.c shares.
 *
 * A channel is a ring buffer of elements and two queues of waiting Gs
 * (sudogs), all under one lock. A sender that finds a waiting receiver copies
 * its value straight into the receiver's slot and readies it (direct
 * handoff); a receiver that finds a waiting sender takes its value (from the
 * buffer's head if the buffer is full, putting the sender's value at the
 * tail). A G that cannot proceed enqueues a sudog on its own stack and parks;
 * whoever dequeues the sudog completes its operation and readies it with
 * goready, so it resumes with the work already done. A select enqueues a
 * sudog on every channel; the first waker to CAS its selwait.done wins and
 * the rest skip it (dequeue).
 *
 * Non-blocking operations first look at the channel without the lock, as Go
 * does, so that polling a channel that is not ready costs no lock.
 *
 * The wait queues and element moves are inline (chan.h), and so are chansend
 * and chanrecv in each public call, with block a constant; only parking is
 * out of line (chansend_park, chanrecv_park: the sudog lives in their frame).
 *
 * Locked instructions (lock-prefixed, or xchg with memory) per path, and why
 * each is needed; the scheduler's share is theirs to count (goroutine.c,
 * runq.c):
 *
 *   not ready, non-blocking (try-send on a full channel or with no receiver,
 *   try-receive on an empty open one, or on a closed and drained one; a
 *   select with one channel and a default; chansend_nb)   0: no lock.
 *   buffered send or receive                              2: lock's xchg,
 *       which excludes the rival, and unlock's xchg, which must see in the
 *       same step whether a sleeper came meanwhile (lock.c; Go's futex lock
 *       does the same). A plain release store could miss that sleeper.
 *   send to a waiting receiver, receive from a waiting sender (or from a
 *   full buffer with a waiting sender)                    2, as above, then
 *       goready: the waiter is completed under the lock and readied after
 *       it, outside the channel's count. To a select's sudog, 1 more: the
 *       CAS on selwait.done that lets one waker of several claim it.
 *   a send or receive that parks                          2: lock, and the
 *       unlock that gopark's unlockf (chanparkcommit) does once the G is
 *       _Gwaiting, besides gopark's own.
 *   close                                                 3: lock, unlock,
 *       and the sequentially consistent store of closed (an xchg; close is
 *       cold), then one goready per waiter.
 */
#include "chan.h"
#include "sanitizers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Go's limits: elements below 64 KiB, buffers below maxAlloc. */
#define MAXELEMSIZE ((size_t)1 << 16)
#define MAXALLOC    ((size_t)1 << 47)

char nilchan_obj;
static uint64_t chanseq; /* channels made in this run, where runs replay */

/*
 * ---- the header pool ----
 *
 * SL_EFREED answers a call with a channel that sl_chan_free has freed. The
 * check (chanfreed) reads the header's magic word, so it is only as good as
 * that word. Were headers given back to malloc, the word would belong to
 * whoever malloc gives the bytes next: glibc hands a freed chunk to the very
 * next allocation of its size, whose owner may write anything there (the
 * magic itself, if it is a new channel), and a chunk that goes back to the
 * system is not even mapped any more.
 *
 * So channel headers are never given back to malloc. sl_chan_free marks the
 * header HCHAN_FREED (under AddressSanitizer it also poisons all of it but
 * the pool link) and appends it to its size class's FIFO; sl_chan_make takes
 * the oldest header of the class only once CHANPOOL_QUARANTINE freed
 * headers wait behind it, else a new one from malloc. A freed channel
 * therefore reads as freed, whatever the program allocates meanwhile, until
 * at least CHANPOOL_QUARANTINE more channels of its class have been freed;
 * only then may its header become a new channel, which the check cannot
 * tell from the old one (so SL_EFREED stays a best-effort check, with that
 * bound). The read never faults: the memory stays mapped.
 *
 * The cost: nothing on the hot paths (send, receive, select read magic as
 * before); make and free take the class's lock for a few pointer moves; and
 * freed headers stay in the pool, at most the program's peak of live
 * channels plus the quarantine, at 64 or 512 bytes of inline buffer plus
 * the header (176 or 624 bytes on amd64). Larger buffers are allocations of
 * their own, freed at once: nothing reads a freed channel's buffer.
 */
static const size_t chanpool_inline[CHANPOOL_CLASSES] = {64, 512};

static struct chanpool {
	/* lock guards head, tail and n, and the poolnext of the headers in
	 * the FIFO. A leaf: nothing else is taken while it is held. */
	mutex lock;
	struct hchan *head; /* the oldest freed header; NULL if none */
	struct hchan *tail; /* the newest */
	size_t n;	    /* headers in the FIFO */
} chanpool[CHANPOOL_CLASSES] = {
    {.lock = {.rank = lockRankChanpool}},
    {.lock = {.rank = lockRankChanpool}},
};

/* The size class of a channel with mem bytes of buffer; -1: the buffer is an
 * allocation of its own (behind a header of class 0). */
static int chanclass(size_t mem)
{
	for (int k = 0; k < CHANPOOL_CLASSES; k++)
		if (mem <= chanpool_inline[k])
			return k;
	return -1;
}

/* A zeroed header of class k, with chanpool_inline[k] bytes after it: a
 * freed one past the quarantine, else a new one. NULL if out of memory. */
static struct hchan *chanpool_get(int k)
{
	size_t size = sizeof(struct hchan) + chanpool_inline[k];
	struct chanpool *pool = &chanpool[k];
	lock(&pool->lock);
	struct hchan *c = NULL;
	if (pool->n > CHANPOOL_QUARANTINE) {
		/* The oldest has CHANPOOL_QUARANTINE freed headers behind it:
		 * its turn. Out of the FIFO it is ours alone. */
		c = pool->head;
		pool->head = c->poolnext;
		pool->n--;
	}
	unlock(&pool->lock);
	if (!c)
		return calloc(1, size);
#ifdef SL_ASAN
	ASAN_UNPOISON_MEMORY_REGION(c, size);
#endif
	/* HCHAN_FREED -> 0 (still not HCHAN_MAGIC: a stale handle still reads
	 * freed until sl_chan_make stores the magic). */
	memset(c, 0, size);
	return c;
}

/* Put c, of class k and marked HCHAN_FREED, at the tail of the FIFO. Nobody
 * uses c any more but stale handles, which read only its magic. */
static void chanpool_put(struct hchan *c, int k)
{
	struct chanpool *pool = &chanpool[k];
	c->poolnext = NULL;
#ifdef SL_ASAN
	/* Any use of a freed channel but chanfreed's read is now an ASan
	 * report; the link stays usable for the pool. */
	ASAN_POISON_MEMORY_REGION(c, sizeof *c + chanpool_inline[k]);
	ASAN_UNPOISON_MEMORY_REGION(&c->poolnext, sizeof c->poolnext);
#endif
	lock(&pool->lock);
	if (pool->tail)
		pool->tail->poolnext = c;
	else
		pool->head = c;
	pool->tail = c;
	pool->n++;
	unlock(&pool->lock);
}

/* Between simulated runs every channel is dead, stale handles included: the
 * pool's headers go back to malloc, so that the next run starts as the
 * first did (and LeakSanitizer, which scans the heap after every fuzz
 * input, does not scan a quarantine that only grows). */
void chan_teardown(void)
{
	chanseq = 0;
	for (int k = 0; k < CHANPOOL_CLASSES; k++) {
		struct chanpool *pool = &chanpool[k];
		while (pool->head) {
			struct hchan *c = pool->head;
			pool->head = c->poolnext;
#ifdef SL_ASAN
			ASAN_UNPOISON_MEMORY_REGION(c, sizeof *c + chanpool_inline[k]);
#endif
			free(c);
		}
		pool->tail = NULL;
		pool->n = 0;
	}
}

/* A random number on any thread: the M's fastrand where there is an M, a
 * thread-local xorshift on foreign threads. */
uint32_t chanrand(void)
{
	if (getm())
		return fastrand();
	static __thread uint64_t x;
	if (!x)
		x = ((uint64_t)os_nanotime() ^ (uint64_t)(uintptr_t)&x) * 0x9E3779B97F4A7C15ull | 1;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (uint32_t)(x >> 32);
}

/* ---- wait queues; the channel's lock held (the rest is in chan.h) ---- */

/* Remove sg from q if it is still there (a woken select cleaning up). */
void dequeueSudoG(struct waitq *q, struct sudog *sg)
{
	struct sudog *x = sg->prev, *y = sg->next;
	if (x) {
		if (y) {
			x->next = y;
			y->prev = x;
			sg->next = sg->prev = NULL;
			return;
		}
		x->next = NULL;
		q->last = x;
		sg->prev = NULL;
		return;
	}
	if (y) {
		y->prev = NULL;
		atomic_store_relaxed(&q->first, y);
		sg->next = NULL;
		return;
	}
	/* Alone in q, or already removed by dequeue. */
	if (q->first == sg) {
		atomic_store_relaxed(&q->first, NULL);
		q->last = NULL;
	}
}

/* ---- make and free ---- */

sl_chan *sl_chan_make(size_t elemsize, size_t cap)
{
	if (elemsize >= MAXELEMSIZE) {
		fprintf(stderr, "schedlab: sl_chan_make: element size %zu too large (limit %zu)\n",
			elemsize, MAXELEMSIZE - 1);
		return NULL;
	}
	/* No overflow: elemsize < 2^16 and cap <= 2^47. Zero-size elements
	 * take no memory, so any capacity that Go's int can hold will do. */
	size_t mem = cap <= MAXALLOC ? elemsize * cap : 0;
	if (cap > (elemsize ? MAXALLOC : (size_t)PTRDIFF_MAX) ||
	    mem > MAXALLOC - sizeof(struct hchan)) {
		fprintf(stderr,
			"schedlab: sl_chan_make: size out of range (%zu elements of %zu bytes)\n",
			cap, elemsize);
		return NULL;
	}
	int k = chanclass(mem);
	struct hchan *c = chanpool_get(k < 0 ? 0 : k);
	if (!c) {
		fprintf(stderr, "schedlab: sl_chan_make: out of memory\n");
		return NULL;
	}
	if (os_replay)
		c->seq = atomic_xadd(&chanseq, 1);
	if (k >= 0) {
		c->buf = (char *)(c + 1); /* also for elemsize or cap 0: never read */
	} else {
		c->buf = calloc(1, mem);
		if (!c->buf) {
			atomic_store(&c->magic, HCHAN_FREED);
			chanpool_put(c, 0);
			fprintf(stderr, "schedlab: sl_chan_make: out of memory for %zu bytes\n",
				mem);
			return NULL;
		}
	}
	c->elemsize = (uint32_t)elemsize;
	c->dataqsiz = cap;
	lockInit(&c->lock, lockRankHchan);
	atomic_store(&c->magic, HCHAN_MAGIC);
	return (sl_chan *)c;
}

int sl_chan_free(sl_chan *ch)
{
	struct hchan *c = tohchan(ch);
	if (!c)
		return 0;
	if (chanfreed(c))
		return SL_EFREED;
	lock(&c->lock);
	/* Again under the lock: of two racing frees, one wins. */
	if (atomic_load(&c->magic) != HCHAN_MAGIC) {
		unlock(&c->lock);
		return SL_EFREED;
	}
	if (c->recvq.first || c->sendq.first) {
		unlock(&c->lock);
		return SL_EBUSY;
	}
	/* Live -> freed: from here every call with c returns SL_EFREED. */
	atomic_store(&c->magic, HCHAN_FREED);
	unlock(&c->lock);
	int k = 0;
	if (c->buf == (char *)(c + 1))
		k = chanclass(c->elemsize * c->dataqsiz);
	else
		free(c->buf);
	chanpool_put(c, k);
	return 0;
}

/* ---- send ---- */

/* gopark's unlockf for a plain send or receive: c's lock is released only
 * once the G is _Gwaiting, so a waker always finds it parked. */
static bool chanparkcommit(struct g *gp, void *chanlock)
{
	(void)gp;
	unlock(chanlock);
	return true;
}

/* Whether a send would block, read without the lock (Go's full). */
static inline bool full(struct hchan *c)
{
	if (c->dataqsiz == 0)
		return atomic_load_relaxed(&c->recvq.first) == NULL;
	return atomic_load_relaxed(&c->qcount) == c->dataqsiz;
}

/* Whether a receive would block, read without the lock (Go's empty). The
 * loads are sequentially consistent: chanrecv's fast path needs them ordered
 * with its load of closed (see there). */
static inline bool empty(struct hchan *c)
{
	if (c->dataqsiz == 0)
		return atomic_load(&c->sendq.first) == NULL;
	return atomic_load(&c->qcount) == 0;
}

/* A send or receive on a NULL channel: blocks for ever. Cold. */
static NORETURN __attribute__((noinline, cold)) void chanblock_nil(enum waitreason reason)
{
	gopark(NULL, NULL, reason, &nilchan_obj);
	throw("unreachable");
}

/*
 * Park the current G on c's send queue until a receiver takes *ep (0) or c is
 * closed (SL_ECLOSED). c->lock held; gopark's unlockf releases it. Out of
 * line, so that the paths that do not park do not pay for the sudog: it lives
 * in this frame for as long as the G is parked.
 */
static __attribute__((noinline)) int chansend_park(struct hchan *c, const void *ep)
{
	struct sudog mysg = {.g = getg(), .elem = (void *)ep, .c = c};
	enqueue(&c->sendq, &mysg);
	gopark(chanparkcommit, &c->lock, waitReasonChanSend, c);
	/* Woken by a receiver (the value is gone) or by close. */
	return mysg.success ? 0 : SL_ECLOSED;
}

/*
 * Go's chansend. Returns 0 when sent, SL_ECLOSED, or (only if !block)
 * SL_EAGAIN. block needs a user G; without block no G is touched and the
 * caller may be g0. c may be NULL (blocks forever). Inline: each public call
 * gets its own copy with block a constant.
 */
CHAN_INLINE int chansend(struct hchan *c, const void *ep, bool block)
{
	if (__builtin_expect(!c, 0)) {
		if (!block)
			return SL_EAGAIN;
		chanblock_nil(waitReasonChanSendNilChan);
	}
	/* The lock-free fast path reads shared state too: a loop of failing
	 * try-sends must give the simulation a chance to run the receiver. */
	SCHEDPOINT("chansend");
	/*
	 * Go's fast path for a send that would block, without the lock. After
	 * observing that c is not closed, we observe that it is not ready for
	 * sending (full: no receiver waiting, or no room). Each is a single
	 * word read. A closed channel never becomes ready for sending again,
	 * so even if c was closed between the two reads, there was a moment
	 * between them when it was both open and not ready: the send is
	 * linearized there, and would have blocked. Reordered reads are as
	 * good (not ready, then not closed, implies not closed at the first
	 * read), hence relaxed loads, as in Go. Nothing here guarantees
	 * progress: the lock release of the receive or close that changes c
	 * publishes the change for the next try.
	 */
	if (!block && !atomic_load_relaxed(&c->closed) && full(c))
		return SL_EAGAIN;

	lock(&c->lock);
	if (__builtin_expect(c->closed != 0, 0)) {
		unlock(&c->lock);
		return SL_ECLOSED;
	}
	struct sudog *sg = dequeue(&c->recvq);
	if (sg) {
		chansend_direct(c, sg, ep);
		struct g *gp = sg->g;
		unlock(&c->lock);
		goready(gp);
		return 0;
	}
	if (c->qcount < c->dataqsiz) {
		chanbufput(c, ep);
		unlock(&c->lock);
		return 0;
	}
	if (!block) {
		unlock(&c->lock);
		return SL_EAGAIN;
	}
	return chansend_park(c, ep);
}

bool chansend_nb(struct hchan *c, const void *elem)
{
	return c && chansend(c, elem, false) == 0;
}

int chantrysend(struct hchan *c, const void *ep)
{
	return chansend(c, ep, false);
}

/* ---- receive ---- */

/* Park the current G on c's receive queue until a sender fills ep (true) or
 * c is closed (false, ep zeroed). c->lock held; released as in
 * chansend_park. */
static __attribute__((noinline)) bool chanrecv_park(struct hchan *c, void *ep)
{
	struct sudog mysg = {.g = getg(), .elem = ep, .c = c};
	enqueue(&c->recvq, &mysg);
	gopark(chanparkcommit, &c->lock, waitReasonChanReceive, c);
	/* The sender copied into ep, or close zeroed it. */
	return mysg.success;
}

/*
 * Go's chanrecv. Returns 0 with *okp set (false: closed and drained, *ep
 * zeroed), or (only if !block) SL_EAGAIN. Blocking needs a user G. c may be
 * NULL (blocks forever). Inline, as chansend.
 */
CHAN_INLINE int chanrecv(struct hchan *c, void *ep, bool *okp, bool block)
{
	if (__builtin_expect(!c, 0)) {
		if (!block)
			return SL_EAGAIN;
		chanblock_nil(waitReasonChanReceiveNilChan);
	}
	SCHEDPOINT("chanrecv"); /* see chansend */
	/*
	 * Go's fast path for a receive that would block, without the lock.
	 * After observing that c is not ready for receiving (empty), we
	 * observe whether it is closed. These two reads must not be reordered:
	 * were c open and not empty, then closed, then drained, reordered
	 * reads could see "open" and then "empty", a state c never was in. So
	 * both are sequentially consistent loads (plain loads on x86-64),
	 * and draining and closing happen in separate critical sections of
	 * c's lock.
	 */
	if (!block && empty(c)) {
		if (!atomic_load(&c->closed))
			return SL_EAGAIN;
		/* Irreversibly closed. Check again for data, which may have
		 * arrived between the empty and closed reads: if still empty,
		 * it was empty when closed, and stays so. */
		if (empty(c)) {
			chanzero(c, ep);
			*okp = false;
			return 0;
		}
	}

	lock(&c->lock);
	if (__builtin_expect(c->closed != 0, 0)) {
		if (c->qcount == 0) {
			chanzero(c, ep);
			unlock(&c->lock);
			*okp = false;
			return 0;
		}
		/* Closed with a buffered element: take it below. */
	} else {
		struct sudog *sg = dequeue(&c->sendq);
		if (sg) {
			chanrecv_direct(c, sg, ep);
			struct g *gp = sg->g;
			unlock(&c->lock);
			goready(gp);
			*okp = true;
			return 0;
		}
	}
	if (c->qcount > 0) {
		chanbufget(c, ep);
		unlock(&c->lock);
		*okp = true;
		return 0;
	}
	if (!block) {
		unlock(&c->lock);
		return SL_EAGAIN;
	}
	*okp = chanrecv_park(c, ep);
	return 0;
}

int chantryrecv(struct hchan *c, void *ep, bool *okp)
{
	return chanrecv(c, ep, okp, false);
}

/* ---- close ---- */

int sl_chan_close(sl_chan *ch)
{
	struct hchan *c = tohchan(ch);
	if (!c)
		return SL_EINVAL;
	if (chanfreed(c))
		return SL_EFREED;
	lock(&c->lock);
	if (c->closed) {
		unlock(&c->lock);
		return SL_ECLOSED;
	}
	atomic_store(&c->closed, 1);
	/* Complete every waiter's operation under the lock; ready them after
	 * it. While _Gwaiting and dequeued, a G's schedlink is ours. */
	gList ready = {0};
	struct sudog *sg;
	while ((sg = dequeue(&c->recvq))) {
		chanzero(c, sg->elem);
		struct g *gp = sg->g;
		sudogdone(sg, false);
		glist_push(&ready, gp);
	}
	while ((sg = dequeue(&c->sendq))) {
		struct g *gp = sg->g;
		sudogdone(sg, false);
		glist_push(&ready, gp);
	}
	unlock(&c->lock);
	struct g *gp;
	while ((gp = glist_pop(&ready)))
		goready(gp);
	return 0;
}

/* ---- the public calls ---- */

/* Common checks of the public calls; 0 if the call may go on. */
CHAN_INLINE int chancheck(struct hchan *c, bool block)
{
	/* A goroutine that only ever finds its channel ready (or keeps calling
	 * with a freed one) must still let a stop-the-world through. */
	preemptcheck();
	if (c && chanfreed(c))
		return SL_EFREED;
	if (block && !is_user_g())
		return SL_ENOTGOROUTINE;
	return 0;
}

/* The public send and receive, blocking or not: inline, so that each public
 * call is one function with block a constant. */
CHAN_INLINE int send_common(sl_chan *ch, const void *elem, bool block)
{
	struct hchan *c = tohchan(ch);
	int err = chancheck(c, block);
	if (err)
		return err;
	if (c && c->elemsize && !elem)
		return SL_EINVAL;
	return chansend(c, elem, block);
}

CHAN_INLINE int recv_common(sl_chan *ch, void *elem, bool *ok, bool block)
{
	struct hchan *c = tohchan(ch);
	int err = chancheck(c, block);
	if (err)
		return err;
	bool okv;
	err = chanrecv(c, elem, &okv, block);
	if (!err && ok)
		*ok = okv;
	return err;
}

int sl_chan_send(sl_chan *ch, const void *elem)
{
	return send_common(ch, elem, true);
}

int sl_chan_trysend(sl_chan *ch, const void *elem)
{
	return send_common(ch, elem, false);
}

int sl_chan_recv(sl_chan *ch, void *elem, bool *ok)
{
	return recv_common(ch, elem, ok, true);
}

int sl_chan_tryrecv(sl_chan *ch, void *elem, bool *ok)
{
	return recv_common(ch, elem, ok, false);
}

size_t sl_chan_len(sl_chan *ch)
{
	struct hchan *c = tohchan(ch);
	if (!c || chanfreed(c))
		return 0;
	return atomic_load_relaxed(&c->qcount);
}

size_t sl_chan_cap(sl_chan *ch)
{
	struct hchan *c = tohchan(ch);
	if (!c || chanfreed(c))
		return 0;
	return c->dataqsiz;
}
