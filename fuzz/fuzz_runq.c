/*
 * fuzz_runq: the per-P run queue and the global queue (runtime/core/runq.c)
 * driven directly against a model. An owner goroutine puts, gets and
 * overflows a private P while 0-3 thief goroutines steal from it; the
 * interleaving points come from the input.
 *
 * The runq.c under test is the runtime's own, in both simulations:
 * replay_runq/fuzz_runq over libschedlab_sim, whose points in runq.c are
 * its SCHEDPOINTs, and replay_runq_fine/fuzz_runq_fine over
 * libschedlab_sim_fine, where every access of the core to shared memory is
 * a scheduling point (os/sim/sim_race.c). There the simulator can switch
 * Ms between a thief's copy of the slots and its CAS on runqhead, or
 * between runqput's CAS on runnext and its store of runqtail, not only
 * where runq.c's functions start, and the race detector checks every
 * access. The harness's own goroutines run on that same runtime.
 *
 * The Ps and Gs here are private: calloc'd, not in allp, never scheduled
 * (a fake G's goid is its index in the pool). The real scheduler never sees
 * them, so the fake Gs must never reach the real global queue either: the
 * owner puts with runqput_in and takes with globrunqget_in on a struct
 * schedt of the harness's own, whose global queue a full ring overflows
 * into and no M schedules from (export_test.h). runqget, runqget_ring,
 * runqsteal, runqlen and runqempty touch no global queue and are called as
 * the scheduler calls them.
 *
 * The program (fuzz_common.h) is:
 *
 *	byte 0	 bits 0-1 thieves (0..3); bit 2 unused (it chose between two
 *		 builds of runq.c once); bit 3 the owner's P is _Prunning (a
 *		 thief naps 3us before taking runnext), else _Pidle; bits 4-7
 *		 v: every ring starts at index -16v (mod 2^32), so that
 *		 indices wrap early
 *	then	 for each thief: a length byte (% 16), then that many thief ops
 *	the rest owner ops
 *
 * An owner op is one byte, kind = op & 7, a = op >> 3 (0..31):
 *
 *	0  PUT		 1 + a fresh Gs, runqput(pp, g, false)
 *	1  PUTNEXT	 1 + a % 4 fresh Gs, runqput(pp, g, true): each kicks
 *			 the previous runnext to the ring's tail
 *	2  GET		 runqget, 1 + a times
 *	3  BURST	 64 + 8a PUTs (64..312): fills the ring; past RUNQ_SIZE
 *			 runqputslow moves half of it and the G to the global
 *			 queue
 *	4  GLOBPUT	 1 + a / 2 fresh Gs onto the global queue, at the head if
 *			 a is odd (globrunqputhead), else the tail
 *	5  GLOBGET	 globrunqget(pp, max = a) under the lock, if the ring has
 *			 room for what it may move there
 *	6  GETRING	 runqget_ring (ignores runnext), 1 + a times
 *	7  SIGNAL	 a % 8 != 0: send a token to each thief whose bit is set
 *			 in a % 8 (a WAITing thief goes on); else sl_yield,
 *			 1 + a / 8 times
 *
 * A thief op is one byte, kind = op & 3:
 *
 *	0  STEAL	 runqsteal(own P, owner's P, stealRunNextG = op & 4),
 *			 1 + (op >> 3) times
 *	1  GET		 runqget on its own P, 1 + (op >> 2) times
 *	2  WAIT		 receive a token from the owner (all come at the end)
 *	3  YIELD	 sl_yield, 1 + (op >> 2) % 8 times
 *
 * A thief keeps its own ring at most half full, so a steal always fits, and
 * drains it before it exits. When the owner's program is done it releases
 * every thief, waits for them, and drains its P and the global queue.
 *
 * The model: every fake G is put exactly once, and obtained exactly once
 * (by an owner get, a steal, or the final drain); none is lost or seen
 * twice. Each G that enters the owner's ring gets the ring index it went
 * to, which the owner reads back from the slot: the owner's ring gets come
 * out in index order; a stolen batch is a run of consecutive indices (or
 * runnext alone, when asked for), each thief's batches in increasing order;
 * a runqput with next kicks exactly the previous runnext (unless a thief
 * took it) to the tail; runqget returns runnext first; the ring never holds
 * more than RUNQ_SIZE; every slot in [head, tail) holds the G put there;
 * the global queue is the model's FIFO, and globrunqget takes Go's fair
 * share of it. A thief's own ring is exactly FIFO.
 *
 * FUZZ_RUNQ_STATS=1 prints one line per run: Gs put, taken by the owner,
 * stolen, and the simulator's steps (are the thieves getting anything?).
 */
#include "export_test.h"
#include "fuzz_common.h"
#include "schedlab.h"
#include "schedlab_chan.h"
#include "schedlab_sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the harness ---- */

enum {
	MAXG = 4096, /* fake Gs per input, at most */
	MAXTHIEVES = 3,
	MAXTOPS = 15, /* ops per thief */
	NTOKENS = 16, /* a thief's token channel's capacity */
};

enum { OP_PUT, OP_PUTNEXT, OP_GET, OP_BURST, OP_GLOBPUT, OP_GLOBGET, OP_GETRING, OP_SIGNAL };
enum { TOP_STEAL, TOP_GET, TOP_WAIT, TOP_YIELD };

/* Where a G is, by the model. */
enum gstate {
	G_FREE,	  /* not put yet */
	G_QUEUED, /* put, not obtained */
	G_OWNER,  /* obtained by the owner */
	G_THIEF,  /* obtained by a thief (stolen) */
};
enum gwhere { W_NONE, W_RUNNEXT, W_RING, W_GLOBAL };

struct fgmodel {
	uint8_t state;	   /* enum gstate */
	uint8_t where;	   /* enum gwhere, while G_QUEUED */
	bool expect_thief; /* left runnext without the owner: stolen */
	uint32_t seq;	   /* the owner's ring index, while W_RING */
};

struct world;

struct thief {
	struct world *w;
	int id;
	struct p *pp;
	uint8_t ops[MAXTOPS];
	int nops;
	sl_chan *tokens;
	uint32_t q[RUNQ_SIZE]; /* its own ring, by the model: G indices */
	uint32_t qh, qn;
	bool haveseq;
	uint32_t nextseq; /* its next batch starts at or after this index */
	uint64_t stolen;
};

struct world {
	struct fuzz_input in;
	int nthieves;
	uint32_t start; /* every ring's first index */
	bool running;	/* the owner's P is _Prunning */
	const uint8_t *ops;
	size_t nops;

	struct p *pp; /* the owner's */
	struct g *gs; /* the pool */
	struct fgmodel *m;
	uint32_t ng, nput;

	/* The owner's view of its P. */
	uint32_t tail; /* == pp->runqtail */
	int32_t next;  /* the G the owner last put in runnext, or -1 */
	bool haveseq;
	uint32_t lastseq; /* the ring index of the owner's last ring get */
	uint32_t floor;	  /* ring gets start at this index or later */
	uint64_t owner_got;

	/* The harness's own scheduler, for its global queue and lock, and
	 * that queue by the model: a deque of G indices. */
	struct schedt gq;
	uint32_t *glob;
	uint32_t gh, gn;

	sl_waitgroup started, done;
	sl_chan *gate; /* closed when the owner starts its program */
	struct thief th[MAXTHIEVES];
};

/* The model reads queue state with these: no scheduling points and no
 * race checks (only the runtime's core is instrumented in the fine build,
 * never this file). */
static inline uint32_t ld32(uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static inline struct g *ldg(struct g **p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static inline struct g *slot(struct p *pp, uint32_t i)
{
	return __atomic_load_n(&pp->runq[i % RUNQ_SIZE], __ATOMIC_RELAXED);
}

/* A G's index in the pool; checks that it is one of ours and was put. */
static uint32_t gidx(struct world *w, struct g *gp)
{
	FUZZ_CHECK(gp != NULL);
	uint32_t i = (uint32_t)gp->goid;
	FUZZ_CHECK(gp->goid >= 0 && i < w->nput && &w->gs[i] == gp);
	return i;
}

/* Signed distance a - b between ring indices. */
static inline int32_t seqdiff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

/* ---- the global queue ---- */

static void glob_push_back(struct world *w, uint32_t i)
{
	FUZZ_CHECK(w->gn < w->ng);
	w->glob[(w->gh + w->gn++) % w->ng] = i;
}

static void glob_push_front(struct world *w, uint32_t i)
{
	FUZZ_CHECK(w->gn < w->ng);
	w->gh = (w->gh + w->ng - 1) % w->ng;
	w->glob[w->gh] = i;
	w->gn++;
}

static uint32_t glob_at(struct world *w, uint32_t k)
{
	return w->glob[(w->gh + k) % w->ng];
}

static uint32_t glob_pop(struct world *w)
{
	FUZZ_CHECK(w->gn > 0);
	uint32_t i = w->glob[w->gh];
	w->gh = (w->gh + 1) % w->ng;
	w->gn--;
	return i;
}

/* The real list is the model's deque. w->gq.lock held (or no one else
 * runs). */
static void glob_check(struct world *w)
{
	FUZZ_CHECK(w->gq.runqsize >= 0 && (uint32_t)w->gq.runqsize == w->gn);
	struct g *gp = w->gq.runq.head, *last = NULL;
	for (uint32_t k = 0; k < w->gn; k++) {
		FUZZ_CHECK(gp != NULL);
		uint32_t i = gidx(w, gp);
		FUZZ_CHECK(i == glob_at(w, k));
		FUZZ_CHECK(w->m[i].state == G_QUEUED && w->m[i].where == W_GLOBAL);
		last = gp;
		gp = gp->schedlink;
	}
	FUZZ_CHECK(gp == NULL);
	FUZZ_CHECK(w->gq.runq.tail == last);
}

/* ---- the owner ---- */

/* After every owner op: the ring, runnext and the lengths agree with the
 * model. Nothing here is a scheduling point. */
static void owner_check(struct world *w)
{
	struct p *pp = w->pp;
	uint32_t tail = ld32(&pp->runqtail);
	uint32_t head = ld32(&pp->runqhead);
	FUZZ_CHECK(tail == w->tail);
	FUZZ_CHECK(tail - head <= RUNQ_SIZE);
	for (uint32_t s = head; s != tail; s++) {
		struct g *gp = slot(pp, s);
		uint32_t i = gidx(w, gp);
		FUZZ_CHECK(w->m[i].state == G_QUEUED);
		FUZZ_CHECK(w->m[i].where == W_RING && w->m[i].seq == s);
	}
	struct g *next = ldg(&pp->runnext);
	if (next) {
		uint32_t i = gidx(w, next);
		FUZZ_CHECK(w->next >= 0 && i == (uint32_t)w->next);
		FUZZ_CHECK(w->m[i].state == G_QUEUED && w->m[i].where == W_RUNNEXT);
	} else if (w->next >= 0) {
		/* Only the owner sets runnext: a thief took it. */
		w->m[w->next].expect_thief = true;
		w->next = -1;
	}
	/* runqlen and runqempty (scheduling points, both). */
	uint32_t len = runqlen(pp);
	bool empty = runqempty(pp);
	FUZZ_CHECK(len <= RUNQ_SIZE + 1);
	if (w->nthieves == 0) {
		uint32_t want = tail - ld32(&pp->runqhead) + (ldg(&pp->runnext) ? 1 : 0);
		FUZZ_CHECK(len == want);
		FUZZ_CHECK(empty == (want == 0));
	}
}

/*
 * The 1 + RUNQ_SIZE/2 Gs that runqputslow just appended to the global queue
 * (w->gq): half the ring, in order, then the G put (or kicked). Returns that
 * last G's index, for the caller to check and enter in the model.
 */
static uint32_t owner_overflowed(struct world *w, uint32_t gsize0)
{
	uint32_t n = RUNQ_SIZE / 2;
	FUZZ_CHECK((uint32_t)w->gq.runqsize == gsize0 + n + 1 && w->gn == gsize0);
	/* The first new one follows what was the last (the model knows it). */
	struct g *gp = gsize0 ? w->gs[glob_at(w, gsize0 - 1)].schedlink : w->gq.runq.head;
	uint32_t first = 0;
	for (uint32_t k = 0; k < n; k++, gp = gp->schedlink) {
		uint32_t i = gidx(w, gp);
		struct fgmodel *f = &w->m[i];
		FUZZ_CHECK(f->state == G_QUEUED && f->where == W_RING);
		if (k == 0) {
			first = f->seq;
			/* The head half: nothing the owner took is behind it. */
			FUZZ_CHECK(!w->haveseq || seqdiff(first, w->lastseq) > 0);
			FUZZ_CHECK(seqdiff(first, w->floor) >= 0);
		}
		FUZZ_CHECK(f->seq == first + k);
		f->where = W_GLOBAL;
		glob_push_back(w, i);
	}
	FUZZ_CHECK(gp != NULL && gp->schedlink == NULL && w->gq.runq.tail == gp);
	return gidx(w, gp);
}

/* One fresh G into pp with runqput. */
static void owner_put(struct world *w, bool next)
{
	struct p *pp = w->pp;
	if (w->nput == w->ng)
		return;
	uint32_t tail0 = pp->runqtail;
	uint32_t idx = w->nput++;
	struct g *gp = &w->gs[idx];
	struct fgmodel *f = &w->m[idx];
	int32_t old = w->next;
	uint32_t gsize0 = w->gn;
	/* Set before the call: a thief may take it before runqput returns. */
	f->state = G_QUEUED;
	if (next) {
		f->where = W_RUNNEXT;
		w->next = (int32_t)idx;
	} else {
		f->where = W_RING;
		f->seq = tail0;
	}

	runqput_in(&w->gq, pp, gp, next);

	/* What went to the tail of the ring, or overflowed with half of it. */
	uint32_t tail1 = ld32(&pp->runqtail);
	int64_t moved = -1;
	bool overflowed = false;
	if (tail1 == tail0 + 1) {
		moved = gidx(w, slot(pp, tail0));
		FUZZ_CHECK((uint32_t)w->gq.runqsize == gsize0);
	} else {
		FUZZ_CHECK(tail1 == tail0);
		if ((uint32_t)w->gq.runqsize != gsize0) {
			moved = owner_overflowed(w, gsize0);
			overflowed = true;
		}
	}
	w->tail = tail1;
	if (!next) {
		FUZZ_CHECK(moved == (int64_t)idx);
	} else if (moved >= 0) {
		/* The previous runnext, kicked to the tail. */
		FUZZ_CHECK(old >= 0 && moved == old);
		FUZZ_CHECK(w->m[old].state == G_QUEUED && w->m[old].where == W_RUNNEXT);
		w->m[old].where = W_RING;
		w->m[old].seq = tail0;
	} else if (old >= 0) {
		/* Nothing kicked: a thief took the previous runnext. */
		w->m[old].expect_thief = true;
	}
	if (overflowed) {
		w->m[moved].where = W_GLOBAL;
		glob_push_back(w, (uint32_t)moved);
	}
}

/* A G that the owner took from its ring: in index order. */
static void owner_got_ring(struct world *w, uint32_t i)
{
	struct fgmodel *f = &w->m[i];
	FUZZ_CHECK(f->where == W_RING);
	FUZZ_CHECK(!w->haveseq || seqdiff(f->seq, w->lastseq) > 0);
	FUZZ_CHECK(seqdiff(f->seq, w->floor) >= 0);
	FUZZ_CHECK(seqdiff(f->seq, w->tail) < 0);
	FUZZ_CHECK(seqdiff(ld32(&w->pp->runqhead), f->seq) > 0);
	w->haveseq = true;
	w->lastseq = f->seq;
}

static void owner_get(struct world *w, bool ring_only)
{
	struct p *pp = w->pp;
	bool inherit = false;
	struct g *gp = ring_only ? runqget_ring(pp) : runqget(pp, &inherit);
	if (!gp) {
		/* Ring empty (and runnext, unless ring_only) at that moment:
		 * nothing before the tail is the owner's to take any more. */
		w->floor = w->tail;
		if (!ring_only && w->next >= 0) {
			w->m[w->next].expect_thief = true;
			w->next = -1;
		}
		return;
	}
	uint32_t i = gidx(w, gp);
	struct fgmodel *f = &w->m[i];
	FUZZ_CHECK(f->state == G_QUEUED);
	f->state = G_OWNER;
	w->owner_got++;
	if (inherit) {
		FUZZ_CHECK(f->where == W_RUNNEXT && w->next == (int32_t)i);
		w->next = -1;
		return;
	}
	owner_got_ring(w, i);
	if (!ring_only && w->next >= 0) {
		/* runqget takes runnext first: it was gone, and stays NULL. */
		FUZZ_CHECK(ldg(&pp->runnext) == NULL);
		w->m[w->next].expect_thief = true;
		w->next = -1;
	}
}

static void owner_globput(struct world *w, int n, bool head)
{
	lock(&w->gq.lock);
	for (int k = 0; k < n && w->nput < w->ng; k++) {
		uint32_t i = w->nput++;
		w->m[i].state = G_QUEUED;
		w->m[i].where = W_GLOBAL;
		if (head) {
			globrunqputhead_in(&w->gq, &w->gs[i]);
			glob_push_front(w, i);
		} else {
			globrunqput_in(&w->gq, &w->gs[i]);
			glob_push_back(w, i);
		}
	}
	glob_check(w);
	unlock(&w->gq.lock);
}

/* globrunqget(pp, max): Go's fair share, the first to run and the rest
 * into the ring in order. */
static void owner_globget(struct world *w, int32_t max)
{
	struct p *pp = w->pp;
	/* It runqputs up to RUNQ_SIZE/2 - 1 Gs with sched.lock held: a full
	 * ring would runqputslow into that same lock. */
	if (pp->runqtail - ld32(&pp->runqhead) > RUNQ_SIZE / 2)
		return;
	lock(&w->gq.lock);
	FUZZ_CHECK((uint32_t)w->gq.runqsize == w->gn);
	int32_t size = (int32_t)w->gn;
	int32_t n = 0;
	if (size > 0) {
		n = size / gomaxprocs + 1;
		if (n > size)
			n = size;
		if (max > 0 && n > max)
			n = max;
		if (n > RUNQ_SIZE / 2)
			n = RUNQ_SIZE / 2;
	}
	uint32_t tail0 = pp->runqtail;
	/* Set before the call: thieves may steal them as they land. */
	for (int32_t k = 1; k < n; k++) {
		struct fgmodel *f = &w->m[glob_at(w, (uint32_t)k)];
		f->where = W_RING;
		f->seq = tail0 + (uint32_t)k - 1;
	}
	struct g *gp = globrunqget_in(&w->gq, pp, max);
	if (n == 0) {
		FUZZ_CHECK(gp == NULL);
	} else {
		uint32_t i = glob_pop(w);
		FUZZ_CHECK(gidx(w, gp) == i);
		FUZZ_CHECK(w->m[i].state == G_QUEUED);
		w->m[i].state = G_OWNER;
		w->owner_got++;
		FUZZ_CHECK(ld32(&pp->runqtail) == tail0 + (uint32_t)n - 1);
		for (int32_t k = 1; k < n; k++) {
			uint32_t j = glob_pop(w);
			FUZZ_CHECK(gidx(w, slot(pp, tail0 + (uint32_t)k - 1)) == j);
			FUZZ_CHECK(w->m[j].state == G_QUEUED || w->m[j].state == G_THIEF);
		}
	}
	w->tail = ld32(&pp->runqtail);
	glob_check(w);
	unlock(&w->gq.lock);
}

static void owner_op(struct world *w, uint8_t op)
{
	int a = op >> 3;
	switch (op & 7) {
	case OP_PUT:
		for (int k = 0; k <= a; k++)
			owner_put(w, false);
		break;
	case OP_PUTNEXT:
		for (int k = 0; k <= a % 4; k++)
			owner_put(w, true);
		break;
	case OP_GET:
		for (int k = 0; k <= a; k++)
			owner_get(w, false);
		break;
	case OP_BURST:
		for (int k = 0; k < 64 + 8 * a; k++)
			owner_put(w, false);
		break;
	case OP_GLOBPUT:
		owner_globput(w, 1 + a / 2, a & 1);
		break;
	case OP_GLOBGET:
		owner_globget(w, a);
		break;
	case OP_GETRING:
		for (int k = 0; k <= a; k++)
			owner_get(w, true);
		break;
	case OP_SIGNAL:
		if (a % 8) {
			for (int t = 0; t < w->nthieves; t++) {
				uint8_t tok = 1;
				if (a & (1 << t))
					(void)sl_chan_trysend(w->th[t].tokens, &tok);
			}
		} else {
			for (int k = 0; k <= a / 8; k++)
				sl_yield();
		}
		break;
	}
	owner_check(w);
}

/* ---- the thieves ---- */

static void thief_get(struct thief *th)
{
	struct world *w = th->w;
	bool inherit = true;
	struct g *gp = runqget(th->pp, &inherit);
	if (th->qn == 0) {
		FUZZ_CHECK(gp == NULL);
		return;
	}
	FUZZ_CHECK(gp != NULL && !inherit);
	FUZZ_CHECK(gidx(w, gp) == th->q[th->qh]);
	th->qh = (th->qh + 1) % RUNQ_SIZE;
	th->qn--;
}

static void thief_steal(struct thief *th, bool stealnext)
{
	struct world *w = th->w;
	struct p *pp = th->pp;
	/* Room for a whole batch: runqsteal throws on overflow. */
	while (th->qn > RUNQ_SIZE / 2)
		thief_get(th);
	uint32_t t0 = pp->runqtail;
	struct g *gp = runqsteal(pp, w->pp, stealnext);
	uint32_t t1 = ld32(&pp->runqtail);
	if (!gp) {
		FUZZ_CHECK(t1 == t0);
		return;
	}
	uint32_t n = t1 - t0 + 1;
	FUZZ_CHECK(n >= 1 && n <= RUNQ_SIZE / 2);
	FUZZ_CHECK(th->qn + n - 1 < RUNQ_SIZE);
	uint32_t batch[RUNQ_SIZE / 2];
	for (uint32_t k = 0; k + 1 < n; k++)
		batch[k] = gidx(w, slot(pp, t0 + k));
	batch[n - 1] = gidx(w, gp);
	struct fgmodel *f0 = &w->m[batch[0]];
	if (n == 1 && f0->where == W_RUNNEXT) {
		FUZZ_CHECK(stealnext);
	} else {
		/* A run of consecutive ring indices, after this thief's last. */
		for (uint32_t k = 0; k < n; k++) {
			struct fgmodel *f = &w->m[batch[k]];
			FUZZ_CHECK(f->where == W_RING && f->seq == f0->seq + k);
		}
		FUZZ_CHECK(!th->haveseq || seqdiff(f0->seq, th->nextseq) >= 0);
		th->haveseq = true;
		th->nextseq = f0->seq + n;
	}
	for (uint32_t k = 0; k < n; k++) {
		struct fgmodel *f = &w->m[batch[k]];
		FUZZ_CHECK(f->state == G_QUEUED);
		f->state = G_THIEF;
	}
	for (uint32_t k = 0; k + 1 < n; k++)
		th->q[(th->qh + th->qn++) % RUNQ_SIZE] = batch[k];
	th->stolen += n;
}

static void thief_main(void *arg)
{
	struct thief *th = arg;
	struct world *w = th->w;
	sl_waitgroup_done(&w->started);
	(void)sl_chan_recv(w->gate, NULL, NULL);
	for (int k = 0; k < th->nops; k++) {
		uint8_t op = th->ops[k];
		switch (op & 3) {
		case TOP_STEAL:
			for (int r = 0; r <= op >> 3; r++)
				thief_steal(th, op & 4);
			break;
		case TOP_GET:
			for (int r = 0; r <= op >> 2; r++)
				thief_get(th);
			break;
		case TOP_WAIT: {
			uint8_t tok;
			(void)sl_chan_recv(th->tokens, &tok, NULL);
			break;
		}
		case TOP_YIELD:
			for (int r = 0; r <= (op >> 2) % 8; r++)
				sl_yield();
			break;
		}
	}
	while (th->qn > 0)
		thief_get(th);
	thief_get(th); /* and now it is empty */
	sl_waitgroup_done(&w->done);
}

/* ---- a run ---- */

static struct p *newp(struct world *w, int32_t id, uint32_t status)
{
	struct p *pp = calloc(1, sizeof *pp);
	FUZZ_CHECK(pp != NULL);
	pp->id = id;
	pp->status = status;
	pp->runqhead = pp->runqtail = w->start;
	return pp;
}

/* How many fake Gs the owner's program can put. */
static uint32_t gs_needed(const uint8_t *ops, size_t n)
{
	uint32_t need = 0;
	for (size_t k = 0; k < n; k++) {
		int a = ops[k] >> 3;
		switch (ops[k] & 7) {
		case OP_PUT:
			need += 1 + a;
			break;
		case OP_PUTNEXT:
			need += 1 + a % 4;
			break;
		case OP_BURST:
			need += 64 + 8 * a;
			break;
		case OP_GLOBPUT:
			need += 1 + a / 2;
			break;
		}
	}
	return need < MAXG ? need : MAXG;
}

static int run(void *arg)
{
	struct world *w = arg;
	w->ng = gs_needed(w->ops, w->nops);
	w->gs = calloc(w->ng + 1, sizeof *w->gs);
	w->m = calloc(w->ng + 1, sizeof *w->m);
	w->glob = calloc(w->ng + 1, sizeof *w->glob);
	FUZZ_CHECK(w->gs && w->m && w->glob);
	for (uint32_t i = 0; i < w->ng; i++) {
		w->gs[i].goid = i;
		w->gs[i].atomicstatus = _Grunnable;
	}
	w->pp = newp(w, 0, w->running ? _Prunning : _Pidle);
	w->tail = w->floor = w->start;
	w->next = -1;
	lockInit(&w->gq.lock, lockRankSched);

	w->gate = sl_chan_make(1, 0);
	FUZZ_CHECK(w->gate != NULL);
	sl_waitgroup_add(&w->started, w->nthieves);
	sl_waitgroup_add(&w->done, w->nthieves);
	for (int t = 0; t < w->nthieves; t++) {
		struct thief *th = &w->th[t];
		th->pp = newp(w, 1 + t, _Prunning);
		th->tokens = sl_chan_make(1, NTOKENS);
		FUZZ_CHECK(th->tokens != NULL);
		sl_go(thief_main, th);
	}
	sl_waitgroup_wait(&w->started);
	sl_chan_close(w->gate);

	for (size_t k = 0; k < w->nops; k++)
		owner_op(w, w->ops[k]);

	/* Release the thieves, wait for them, drain everything. */
	for (int t = 0; t < w->nthieves; t++)
		sl_chan_close(w->th[t].tokens);
	sl_waitgroup_wait(&w->done);
	while (ld32(&w->pp->runqtail) != ld32(&w->pp->runqhead) || ldg(&w->pp->runnext))
		owner_get(w, false);
	owner_get(w, false);
	owner_check(w);
	FUZZ_CHECK(runqempty(w->pp) && runqlen(w->pp) == 0);
	lock(&w->gq.lock);
	glob_check(w);
	struct g *gp;
	while ((gp = globrunqget_in(&w->gq, w->pp, 1)) != NULL) {
		uint32_t i = glob_pop(w);
		FUZZ_CHECK(gidx(w, gp) == i && w->m[i].state == G_QUEUED);
		w->m[i].state = G_OWNER;
		w->owner_got++;
	}
	glob_check(w);
	unlock(&w->gq.lock);
	FUZZ_CHECK(runqempty(w->pp));
	FUZZ_CHECK(w->gn == 0);

	/* Every G put was obtained exactly once; runnext thefts by thieves. */
	uint64_t stolen = 0;
	for (int t = 0; t < w->nthieves; t++) {
		struct thief *th = &w->th[t];
		FUZZ_CHECK(th->qn == 0 && runqempty(th->pp));
		stolen += th->stolen;
		sl_chan_free(th->tokens);
		free(th->pp);
	}
	for (uint32_t i = 0; i < w->nput; i++) {
		FUZZ_CHECK(w->m[i].state == G_OWNER || w->m[i].state == G_THIEF);
		FUZZ_CHECK(!w->m[i].expect_thief || w->m[i].state == G_THIEF);
	}
	FUZZ_CHECK(w->owner_got + stolen == w->nput);
	if (getenv("FUZZ_RUNQ_STATS"))
		fprintf(stderr,
			"fuzz_runq: %d thieves: %u put, %llu got, %llu stolen, %llu steps\n",
			w->nthieves, w->nput, (unsigned long long)w->owner_got,
			(unsigned long long)stolen, (unsigned long long)sl_sim_steps());
	sl_chan_free(w->gate);
	free(w->pp);
	free(w->gs);
	free(w->m);
	free(w->glob);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct world *w = calloc(1, sizeof *w);
	FUZZ_CHECK(w != NULL);
	fuzz_input_parse(&w->in, data, size);
	uint8_t cfg = fuzz_byte(&w->in);
	w->nthieves = cfg & 3;
	w->running = cfg & 8;
	w->start = 0u - 16u * (cfg >> 4);
	for (int t = 0; t < w->nthieves; t++) {
		struct thief *th = &w->th[t];
		th->w = w;
		th->id = t;
		th->nops = fuzz_byte(&w->in) % (MAXTOPS + 1);
		for (int k = 0; k < th->nops; k++)
			th->ops[k] = fuzz_byte(&w->in);
	}
	w->ops = w->in.prog + w->in.pos;
	w->nops = w->in.nprog - w->in.pos;
	/* A P for the owner and one for each thief, so they run at once. */
	struct sl_sim_config cfg_run = w->in.cfg;
	cfg_run.gomaxprocs = cfg_run.ncpu > w->nthieves + 1 ? cfg_run.ncpu : w->nthieves + 1;
	sl_sim_run(&cfg_run, run, w);
	free(w);
	return 0;
}
