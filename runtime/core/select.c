/*
 * select.c: Go's select statement (runtime/select.go): sl_select.
 *
 * A select locks every distinct channel of its cases, in address order, and
 * polls the cases in a random order (pass 1); the first that can proceed
 * does, as in chan.c. If none can and the select blocks, it enqueues a sudog
 * on every case's channel, all sharing one selwait, and parks (pass 2); the
 * unlockf releases the channels only once the G is _Gwaiting. The first
 * waker to claim the selwait (CAS done 0 -> 1, under its own channel's lock)
 * completes that case and readies the G; other wakers skip its sudogs. Woken,
 * the select relocks everything and removes its other sudogs (pass 3).
 */
#include "chan.h"

#include <stdlib.h>

/* Go's limit on the number of cases. */
#define MAXCASES 65536
/* Selects up to this size keep their arrays on the goroutine stack. */
#define SMALLCASES 8

/* What sellock/selunlock need; on the selecting G's stack. */
struct selstate {
	sl_select_case *cases;
	int32_t *lockorder; /* indexes of the cases with a channel, by channel address */
	int32_t norder;
};

static inline struct hchan *casechan(sl_select_case *cases, int32_t i)
{
	return tohchan(cases[i].c);
}

/* A uniform random number in [0, n). */
static inline uint32_t fastrandn(uint32_t n)
{
	return (uint32_t)(((uint64_t)chanrand() * n) >> 32);
}

/* Lock each distinct channel once, in increasing address order (the order
 * lock.c's ranking allows for several hchan locks). */
static void sellock(struct selstate *s)
{
	struct hchan *prev = NULL;
	for (int32_t i = 0; i < s->norder; i++) {
		struct hchan *c = casechan(s->cases, s->lockorder[i]);
		if (c != prev)
			lock(&c->lock);
		prev = c;
	}
}

/*
 * Unlock each distinct channel once, highest first. As gopark's unlockf it
 * runs on g0 while the G is already _Gwaiting: once a channel is unlocked a
 * waker may ready the G, which then waits in sellock for the channels still
 * held. So nothing of s (on the G's stack) is read after the last unlock, the
 * lowest channel's.
 */
static void selunlock(struct selstate *s)
{
	for (int32_t i = s->norder - 1; i >= 0; i--) {
		struct hchan *c = casechan(s->cases, s->lockorder[i]);
		if (i > 0 && c == casechan(s->cases, s->lockorder[i - 1]))
			continue;
		unlock(&c->lock);
	}
}

static bool selparkcommit(struct g *gp, void *arg)
{
	(void)gp;
	selunlock(arg);
	return true;
}

/* Sort the poll order into lockorder by chanorder (chan.h: the address, or
 * the creation order where runs replay), with Go's heap sort: no allocation,
 * O(n log n), equal channels stay adjacent. */
static void sortlockorder(sl_select_case *cases, const int32_t *pollorder, int32_t *lockorder,
			  int32_t n)
{
	for (int32_t i = 0; i < n; i++) {
		int32_t j = i;
		uint64_t c = chanorder(cases[pollorder[i]].c);
		while (j > 0 && chanorder(cases[lockorder[(j - 1) / 2]].c) < c) {
			int32_t k = (j - 1) / 2;
			lockorder[j] = lockorder[k];
			j = k;
		}
		lockorder[j] = pollorder[i];
	}
	for (int32_t i = n - 1; i >= 0; i--) {
		int32_t o = lockorder[i];
		uint64_t c = chanorder(cases[o].c);
		lockorder[i] = lockorder[0];
		int32_t j = 0;
		for (;;) {
			int32_t k = j * 2 + 1;
			if (k >= i)
				break;
			if (k + 1 < i &&
			    chanorder(cases[lockorder[k]].c) < chanorder(cases[lockorder[k + 1]].c))
				k++;
			if (c < chanorder(cases[lockorder[k]].c)) {
				lockorder[j] = lockorder[k];
				j = k;
				continue;
			}
			break;
		}
		lockorder[j] = o;
	}
}

static inline int recvdone(sl_select_case *cas, int32_t casi, bool ok)
{
	if (cas->ok)
		*cas->ok = ok;
	cas->err = 0;
	return casi;
}

/* Park forever (a select with no channel to wait on). */
static NORETURN void block_forever(enum waitreason reason)
{
	gopark(NULL, NULL, reason, &nilchan_obj);
	throw("unreachable");
}

/*
 * Go's selectgo, on validated cases. pollorder and lockorder hold ncases
 * entries, sgs as many sudogs; all on the caller's stack or heap, alive until
 * this returns. Blocking needs a user G.
 */
static int selectgo(sl_select_case *cases, int32_t ncases, bool blocking, int32_t *pollorder,
		    int32_t *lockorder, struct sudog *sgs)
{
	/* A random permutation of the cases with a channel (inside-out
	 * Fisher-Yates). */
	int32_t norder = 0;
	for (int32_t i = 0; i < ncases; i++) {
		if (!cases[i].c)
			continue;
		uint32_t j = fastrandn((uint32_t)norder + 1);
		pollorder[norder] = pollorder[j];
		pollorder[j] = i;
		norder++;
	}
	if (norder == 0) {
		if (!blocking)
			return SL_EAGAIN;
		block_forever(waitReasonSelect);
	}
	sortlockorder(cases, pollorder, lockorder, norder);
	struct selstate s = {cases, lockorder, norder};
	sellock(&s);

	/* pass 1: a case that can proceed now, in poll order */
	for (int32_t i = 0; i < norder; i++) {
		int32_t casi = pollorder[i];
		sl_select_case *cas = &cases[casi];
		struct hchan *c = tohchan(cas->c);
		if (cas->dir == SL_SELECT_RECV) {
			struct sudog *sg = dequeue(&c->sendq);
			if (sg) {
				chanrecv_direct(c, sg, cas->elem);
				struct g *gp = sg->g;
				selunlock(&s);
				goready(gp);
				return recvdone(cas, casi, true);
			}
			if (c->qcount > 0) {
				chanbufget(c, cas->elem);
				selunlock(&s);
				return recvdone(cas, casi, true);
			}
			if (c->closed) {
				chanzero(c, cas->elem);
				selunlock(&s);
				return recvdone(cas, casi, false);
			}
		} else {
			if (c->closed) {
				selunlock(&s);
				cas->err = SL_ECLOSED;
				return casi;
			}
			struct sudog *sg = dequeue(&c->recvq);
			if (sg) {
				chansend_direct(c, sg, cas->elem);
				struct g *gp = sg->g;
				selunlock(&s);
				goready(gp);
				cas->err = 0;
				return casi;
			}
			if (c->qcount < c->dataqsiz) {
				chanbufput(c, cas->elem);
				selunlock(&s);
				cas->err = 0;
				return casi;
			}
		}
	}
	if (!blocking) {
		selunlock(&s);
		return SL_EAGAIN;
	}

	/* pass 2: wait on every channel */
	struct g *gp = getg();
	struct selwait sw = {0, NULL};
	for (int32_t k = 0; k < norder; k++) {
		int32_t casi = lockorder[k];
		struct hchan *c = casechan(cases, casi);
		sgs[k] = (struct sudog){
		    .g = gp,
		    .elem = cases[casi].elem,
		    .c = c,
		    .isSelect = true,
		    .casei = casi,
		    .sel = &sw,
		};
		enqueue(cases[casi].dir == SL_SELECT_SEND ? &c->sendq : &c->recvq, &sgs[k]);
	}
	gopark(selparkcommit, &s, waitReasonSelect, casechan(cases, lockorder[0]));

	/* pass 3: woken once, through sw.win; leave the other queues */
	sellock(&s);
	struct sudog *win = sw.win;
	for (int32_t k = 0; k < norder; k++) {
		if (&sgs[k] == win)
			continue;
		struct hchan *c = sgs[k].c;
		dequeueSudoG(cases[sgs[k].casei].dir == SL_SELECT_SEND ? &c->sendq : &c->recvq,
			     &sgs[k]);
	}
	selunlock(&s);
	if (!win)
		throw("selectgo: bad wakeup");
	int32_t casi = win->casei;
	sl_select_case *cas = &cases[casi];
	if (cas->dir == SL_SELECT_SEND) {
		cas->err = win->success ? 0 : SL_ECLOSED;
		return casi;
	}
	/* The waker filled *elem, or close zeroed it. */
	return recvdone(cas, casi, win->success);
}

/*
 * A non-blocking select with one channel (other cases nil, which are never
 * ready): Go compiles `select { case ...: default: }` to selectnbsend or
 * selectnbrecv, which are chansend and chanrecv with block false, lock-free
 * when the channel is not ready. The same here: chantrysend/chantryrecv.
 *
 * Not for two channels or more. Each channel's fast path is linearizable on
 * its own (chan.c), but "no case ready" needs one moment when every channel
 * was not ready, and reads of two channels without their locks do not give
 * one: with A empty and B holding one element, a goroutine that sends on A
 * and then receives from B keeps at least one of them ready at every moment,
 * yet a select that reads A before the send and B after the receive would
 * see neither ready. selectgo holds all the locks at once instead. (A test
 * on threads cannot hit that window at will; under the simulation, whose
 * scheduling points sit at each fast path's reads, a program that polls such
 * a select while another goroutine sends on A and receives from B would.)
 */
static int selectnb1(sl_select_case *cases, int32_t casi)
{
	sl_select_case *cas = &cases[casi];
	struct hchan *c = tohchan(cas->c);
	if (cas->dir == SL_SELECT_SEND) {
		int err = chantrysend(c, cas->elem);
		if (err == SL_EAGAIN)
			return SL_EAGAIN;
		cas->err = err; /* 0 or SL_ECLOSED, as pass 1 of selectgo */
		return casi;
	}
	bool ok;
	if (chantryrecv(c, cas->elem, &ok) == SL_EAGAIN)
		return SL_EAGAIN;
	return recvdone(cas, casi, ok);
}

int sl_select(sl_select_case *cases, int ncases, bool blocking)
{
	if (ncases < 0 || ncases > MAXCASES || (ncases > 0 && !cases))
		return SL_EINVAL;
	if (blocking && !is_user_g())
		return SL_ENOTGOROUTINE;
	int32_t nchans = 0, only = -1; /* cases with a channel; the last of them */
	for (int i = 0; i < ncases; i++) {
		sl_select_case *cas = &cases[i];
		if (cas->dir != SL_SELECT_SEND && cas->dir != SL_SELECT_RECV)
			return SL_EINVAL;
		struct hchan *c = tohchan(cas->c);
		if (!c)
			continue;
		if (chanfreed(c))
			return SL_EFREED;
		if (cas->dir == SL_SELECT_SEND && c->elemsize && !cas->elem)
			return SL_EINVAL;
		nchans++;
		only = i;
	}
	preemptcheck();
	if (ncases == 0) {
		if (!blocking)
			return SL_EAGAIN;
		block_forever(waitReasonSelectNoCases);
	}
	if (!blocking && nchans == 1)
		return selectnb1(cases, only);
	if (ncases <= SMALLCASES) {
		int32_t pollorder[SMALLCASES], lockorder[SMALLCASES];
		struct sudog sgs[SMALLCASES];
		return selectgo(cases, ncases, blocking, pollorder, lockorder, sgs);
	}
	size_t n = (size_t)ncases;
	struct sudog *sgs = malloc(n * (sizeof(struct sudog) + 2 * sizeof(int32_t)));
	if (!sgs)
		throw("out of memory");
	int32_t *pollorder = (int32_t *)(sgs + n);
	int r = selectgo(cases, ncases, blocking, pollorder, pollorder + n, sgs);
	free(sgs);
	return r;
}
