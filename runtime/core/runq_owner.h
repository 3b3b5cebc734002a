/*
 * runq_owner.h: the owner's side of a P's local run queue, inline where a
 * switch needs it (gosched, gopark and goexit1 take the next G here,
 * gosched_put queues the yielding one) and in runq.c's out-of-line runqget
 * and runqput, which the rest of the runtime calls. The ring's protocol is in runq.c's header
 * comment: only the owner writes runqtail and sets runnext; thieves advance runqhead and clear
 * runnext by CAS.
 */
#ifndef SCHEDLAB_RUNQ_OWNER_H
#define SCHEDLAB_RUNQ_OWNER_H

#include "runtime.h"

#define RUNQ_SLOT(pp, i) (&(pp)->runq[(i) % RUNQ_SIZE])

/* gp did not fit in pp's ring, which was full: queue it there after all if
 * thieves made room, else move half of the ring plus gp to s's global
 * queue (runq.c). Cold. */
HIDDEN void runqput_full(struct schedt *s, struct p *pp, struct g *gp);

/* Store gp in the free slot at tail and publish it. Owner only. */
static inline void runqput_slot(struct p *pp, uint32_t tail, struct g *gp)
{
	atomic_store_relaxed(RUNQ_SLOT(pp, tail), gp);
	SCHEDPOINT("runqput publish");
	/* Publishes the slot to thieves, who load-acquire tail. */
	atomic_store_rel(&pp->runqtail, tail + 1);
}

/* Take the G at the head of pp's ring, ignoring runnext. Owner only. */
static inline struct g *runqget_ring_inline(struct p *pp)
{
	for (;;) {
		uint32_t head = atomic_load_acq(&pp->runqhead);
		uint32_t tail = pp->runqtail;
		if (tail == head)
			return NULL;
		struct g *gp = atomic_load_relaxed(RUNQ_SLOT(pp, head));
		SCHEDPOINT("runqget_ring CAS");
		/* A thief may have taken the slot meanwhile: the CAS says. */
		if (atomic_cas_rel(&pp->runqhead, head, head + 1))
			return gp;
	}
}

/* Take a G from pp's local queue: runnext first (it inherits the time
 * slice), then the ring's head. Owner only. */
static inline struct g *runqget_inline(struct p *pp, bool *inheritTime)
{
	SCHEDPOINT("runqget");
	struct g *next = atomic_load(&pp->runnext);
	/* Only the owner sets runnext to non-NULL, so a failed CAS means a thief
	 * took it and there is no point retrying. */
	SCHEDPOINT("runqget runnext CAS");
	if (next && atomic_cas(&pp->runnext, next, NULL)) {
		*inheritTime = true;
		return next;
	}
	*inheritTime = false;
	return runqget_ring_inline(pp);
}

/*
 * Put gp on pp's local queue. With next, gp goes in runnext and the G it
 * displaces goes to the ring's tail. A full ring spills half to s's global
 * queue (s is &sched but for white-box tests). Owner only.
 */
static inline void runqput_inline(struct schedt *s, struct p *pp, struct g *gp, bool next)
{
	SCHEDPOINT("runqput");
	if (next) {
		struct g *old = atomic_load(&pp->runnext);
		SCHEDPOINT("runqput runnext CAS");
		/* Thieves may clear runnext meanwhile: retry with what is there. */
		while (!atomic_cas(&pp->runnext, old, gp))
			old = atomic_load(&pp->runnext);
		if (!old)
			return;
		gp = old; /* kick the old runnext to the ring */
	}
	uint32_t head = atomic_load_acq(&pp->runqhead);
	uint32_t tail = pp->runqtail;
	if (__builtin_expect(tail - head < RUNQ_SIZE, 1))
		runqput_slot(pp, tail, gp);
	else
		runqput_full(s, pp, gp);
}

#endif
