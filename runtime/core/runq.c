/*
 * runq.c: run queues. Each P has a lock-free ring of RUNQ_SIZE Gs plus a
 * runnext slot; the global queue is a linked list under sched.lock.
 *
 * The ring (Go's runqput/runqget/runqgrab): only the owner P writes runqtail
 * (store-release); the owner and thieves advance runqhead by CAS. A thief
 * copies slots out before its CAS on runqhead, so slots are read racily and
 * the copy is only kept if the CAS succeeds; slot accesses are relaxed
 * atomics so that ThreadSanitizer agrees.
 */
#include "runtime.h"
#include "runq_owner.h"

/* ---- intrusive lists ---- */

void gqueue_push_back(gQueue *q, struct g *gp)
{
	gp->schedlink = NULL;
	if (q->tail)
		q->tail->schedlink = gp;
	else
		q->head = gp;
	q->tail = gp;
}

void gqueue_push_front(gQueue *q, struct g *gp)
{
	gp->schedlink = q->head;
	q->head = gp;
	if (!q->tail)
		q->tail = gp;
}

struct g *gqueue_pop(gQueue *q)
{
	struct g *gp = q->head;
	if (gp) {
		q->head = gp->schedlink;
		if (!q->head)
			q->tail = NULL;
		gp->schedlink = NULL;
	}
	return gp;
}

/*
 * ---- global queue: s->lock held ----
 *
 * The global queue is a scheduler's: s is &sched for the runtime, which
 * calls the plain names. The *_in names take any struct schedt, for
 * white-box code (export_test.h): fuzz_runq's fake Ps overflow into a
 * scheduler of its own, where no M of the real one finds its fake Gs. Each
 * body is written once and inlined into both, so the plain names compile
 * as if sched were written in them; only runqputslow, cold, takes s as an
 * argument, which runqput's fast path does not pay for.
 */
#define RUNQ_INLINE static inline __attribute__((always_inline))

RUNQ_INLINE void globrunqput1(struct schedt *s, struct g *gp)
{
	assertLockHeld(&s->lock);
	gqueue_push_back(&s->runq, gp);
	atomic_store(&s->runqsize, s->runqsize + 1);
}

RUNQ_INLINE void globrunqputhead1(struct schedt *s, struct g *gp)
{
	assertLockHeld(&s->lock);
	gqueue_push_front(&s->runq, gp);
	atomic_store(&s->runqsize, s->runqsize + 1);
}

/* Append a batch (linked through schedlink, batch->tail terminated). */
RUNQ_INLINE void globrunqputbatch1(struct schedt *s, gQueue *batch, int32_t n)
{
	assertLockHeld(&s->lock);
	if (!batch->head)
		return;
	batch->tail->schedlink = NULL;
	if (s->runq.tail)
		s->runq.tail->schedlink = batch->head;
	else
		s->runq.head = batch->head;
	s->runq.tail = batch->tail;
	atomic_store(&s->runqsize, s->runqsize + n);
	batch->head = batch->tail = NULL;
}

/*
 * Take a fair share of the global queue: one G to run now, and up to max-1
 * more (max 0 means no limit but half a ring) into pp's local queue.
 * s->lock held, and pp's ring must have room for all of them: a full
 * ring would spill through runqputslow, which takes s->lock again (its
 * callers, in findrunnable, have just found pp's queue empty).
 */
RUNQ_INLINE struct g *globrunqget1(struct schedt *s, struct p *pp, int32_t max)
{
	assertLockHeld(&s->lock);
	int32_t size = s->runqsize;
	if (size == 0)
		return NULL;
	int32_t n = size / gomaxprocs + 1;
	if (n > size)
		n = size;
	if (max > 0 && n > max)
		n = max;
	if (n > RUNQ_SIZE / 2)
		n = RUNQ_SIZE / 2;
	/* The ring only: runnext is not where these go. A thief may shrink
	 * the ring meanwhile, never grow it. */
	if (n > 1 &&
	    atomic_load(&pp->runqtail) - atomic_load(&pp->runqhead) + (uint32_t)n - 1 > RUNQ_SIZE)
		throw("globrunqget: no room in the local queue");
	atomic_store(&s->runqsize, size - n);
	struct g *gp = gqueue_pop(&s->runq);
	for (n--; n > 0; n--)
		runqput_inline(s, pp, gqueue_pop(&s->runq), false);
	return gp;
}

void globrunqput(struct g *gp)
{
	globrunqput1(&sched, gp);
}

/* globrunqput from a thread that does not hold sched.lock: takes it. Cold:
 * a yield's fallback while the global queue holds work. */
__attribute__((cold)) void globrunqput_lock(struct g *gp)
{
	lock(&sched.lock);
	globrunqput1(&sched, gp);
	unlock(&sched.lock);
}

void globrunqputhead(struct g *gp)
{
	globrunqputhead1(&sched, gp);
}

void globrunqputbatch(gQueue *batch, int32_t n)
{
	globrunqputbatch1(&sched, batch, n);
}

struct g *globrunqget(struct p *pp, int32_t max)
{
	return globrunqget1(&sched, pp, max);
}

void globrunqput_in(struct schedt *s, struct g *gp)
{
	globrunqput1(s, gp);
}

void globrunqputhead_in(struct schedt *s, struct g *gp)
{
	globrunqputhead1(s, gp);
}

struct g *globrunqget_in(struct schedt *s, struct p *pp, int32_t max)
{
	return globrunqget1(s, pp, max);
}

/* ---- local queue ---- */

bool runqempty(struct p *pp)
{
	/* Read head, tail, runnext, then tail again to get a consistent view
	 * (a G can move from runnext to the ring between the reads). */
	for (;;) {
		uint32_t head = atomic_load(&pp->runqhead);
		uint32_t tail = atomic_load(&pp->runqtail);
		struct g *next = atomic_load(&pp->runnext);
		if (tail == atomic_load(&pp->runqtail))
			return head == tail && next == NULL;
	}
}

uint32_t runqlen(struct p *pp)
{
	uint32_t head = atomic_load(&pp->runqhead);
	uint32_t tail = atomic_load(&pp->runqtail);
	return tail - head + (atomic_load(&pp->runnext) ? 1 : 0);
}

/*
 * Move half of pp's ring plus gp to s's global queue: the ring is full. Owner
 * only. Fails if a thief moved runqhead meanwhile.
 */
static bool runqputslow(struct schedt *s, struct p *pp, struct g *gp, uint32_t head, uint32_t tail)
{
	struct g *batch[RUNQ_SIZE / 2 + 1];
	uint32_t n = (tail - head) / 2;
	if (n != RUNQ_SIZE / 2)
		throw("runqputslow: queue is not full");
	for (uint32_t i = 0; i < n; i++)
		batch[i] = atomic_load_relaxed(RUNQ_SLOT(pp, head + i));
	SCHEDPOINT("runqputslow CAS");
	if (!atomic_cas_rel(&pp->runqhead, head, head + n))
		return false;
	batch[n] = gp;
	gQueue q = {NULL, NULL};
	for (uint32_t i = 0; i <= n; i++)
		gqueue_push_back(&q, batch[i]);
	lock(&s->lock);
	globrunqputbatch1(s, &q, (int32_t)(n + 1));
	unlock(&s->lock);
	return true;
}

/* runqput_inline's cold half: out of its way, so that passing s costs the
 * fast path nothing. */
__attribute__((cold)) void runqput_full(struct schedt *s, struct p *pp, struct g *gp)
{
	for (;;) {
		uint32_t head = atomic_load_acq(&pp->runqhead);
		uint32_t tail = pp->runqtail;
		if (tail - head < RUNQ_SIZE) {
			runqput_slot(pp, tail, gp);
			return;
		}
		if (runqputslow(s, pp, gp, head, tail))
			return;
	}
}

void runqput(struct p *pp, struct g *gp, bool next)
{
	runqput_inline(&sched, pp, gp, next);
}

void runqput_in(struct schedt *s, struct p *pp, struct g *gp, bool next)
{
	runqput_inline(s, pp, gp, next);
}

/* Out-of-line copies of runq_owner.h's, for the rest of the runtime and
 * tests. */
struct g *runqget_ring(struct p *pp)
{
	return runqget_ring_inline(pp);
}

struct g *runqget(struct p *pp, bool *inheritTime)
{
	return runqget_inline(pp, inheritTime);
}

/*
 * Grab half of pp's ring into batch[batchHead..]. If the ring is empty and
 * stealRunNextG, take runnext, after giving a running owner a moment to
 * schedule it itself (Go sleeps 3us). Returns how many. Any M.
 */
static uint32_t runqgrab(struct p *pp, struct g **batch, uint32_t batchHead, bool stealRunNextG)
{
	for (;;) {
		uint32_t head = atomic_load_acq(&pp->runqhead);
		uint32_t tail = atomic_load_acq(&pp->runqtail);
		uint32_t n = tail - head;
		n = n - n / 2;
		if (n == 0) {
			if (stealRunNextG) {
				struct g *next = atomic_load(&pp->runnext);
				if (next) {
					if (atomic_load(&pp->status) == _Prunning)
						os_usleep(3);
					SCHEDPOINT("runqgrab runnext CAS");
					if (!atomic_cas(&pp->runnext, next, NULL))
						continue;
					atomic_store_relaxed(&batch[batchHead % RUNQ_SIZE], next);
					return 1;
				}
			}
			return 0;
		}
		if (n > RUNQ_SIZE / 2) /* read an inconsistent head and tail */
			continue;
		for (uint32_t i = 0; i < n; i++) {
			struct g *gp = atomic_load_relaxed(RUNQ_SLOT(pp, head + i));
			atomic_store_relaxed(&batch[(batchHead + i) % RUNQ_SIZE], gp);
		}
		SCHEDPOINT("runqgrab CAS");
		if (atomic_cas_rel(&pp->runqhead, head, head + n))
			return n;
	}
}

/*
 * Steal half of p2's ring into pp's and return one G to run. pp's owner only
 * (its ring is the batch).
 */
struct g *runqsteal(struct p *pp, struct p *p2, bool stealRunNextG)
{
	SCHEDPOINT("runqsteal");
	uint32_t tail = pp->runqtail;
	uint32_t n = runqgrab(p2, pp->runq, tail, stealRunNextG);
	if (n == 0)
		return NULL;
	n--;
	struct g *gp = atomic_load_relaxed(RUNQ_SLOT(pp, tail + n));
	if (n == 0)
		return gp;
	uint32_t head = atomic_load_acq(&pp->runqhead);
	if (tail - head + n >= RUNQ_SIZE)
		throw("runqsteal: runq overflow");
	atomic_store_rel(&pp->runqtail, tail + n);
	return gp;
}
