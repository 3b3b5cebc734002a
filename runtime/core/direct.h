/*
 * direct.h: the scheduler's fast path, inline in the switch paths. A user G
 * that yields, parks or exits (gosched, gopark, goexit1 in goroutine.c)
 * switches straight to the G that schedule() would surely pick next
 * (runqget_direct, execute_direct), without the round trip through g0;
 * execute_prepare is also execute's first half (proc.c). The rule that
 * makes a direct switch safe (the leaving G is published only once its
 * context is saved) is kept by gogo_direct (arch/amd64/switch.c).
 */
#ifndef SCHEDLAB_DIRECT_H
#define SCHEDLAB_DIRECT_H

#include "runq_owner.h"
#include "runtime.h"

/*
 * Make gp, just dequeued from this M's P, the M's running G: _Grunning,
 * m->curg, a stack and an entry frame if it never ran. inheritTime: gp
 * continues the current time slice (it came from runnext), so the P's
 * schedtick does not advance. The caller then switches to it.
 */
static inline void execute_prepare(struct m *mp, struct g *gp, bool inheritTime)
{
	mp->curg = gp;
	gp->m = mp;
	/* Dequeuing gp made this M its only owner. */
	setgstatus_owned(gp, _Grunnable, _Grunning);
	SIMEVENT("run g%lld on M%lld P%d", (long long)gp->goid, (long long)mp->id, mp->p->id);
	/* Its stack may have been released while it was parked, or marked by
	 * the scavenger's pass (stackrelease.c): put it back, clear the mark.
	 * A seq_cst load (a plain load on amd64): stackrelease.c says why. */
	if (atomic_load(&gp->stackstate))
		stackrestore(gp);
	if (!gp->sched.sp) {
		/* First run: a stack from this P's cache, and the entry frame. */
		gp->stack = stackalloc();
		gostartcallfn(gp);
	}
	gp->waitreason = waitReasonZero;
	atomic_store_relaxed(&gp->preempt, false);
	if (!inheritTime)
		mp->p->schedtick++;
}

/*
 * The scheduler's fast path, for a user G about to yield, park or exit on
 * an M holding pp: the G that schedule() would run next, dequeued, when
 * that is surely runnext or the head of pp's ring; else NULL, and the
 * caller goes through g0 and schedule() as Go always does. findrunnable
 * would look elsewhere first only if a stop-the-world is pending
 * (gcwaiting), sysmon ended the slice (pp->preempt), a timer on pp may be
 * due (timer0When: reading the clock costs more than the switch saves), or
 * it is the global queue's turn (every 61 ticks, when it holds work); each
 * sends the caller to the slow path. A stale read of any of
 * them is harmless: the flag's setter does not wait on this P beyond its
 * next schedule(), which the next slow path reaches.
 */
static inline bool direct_refused(struct p *pp)
{
	return (atomic_load_relaxed(&sched.gcwaiting) | atomic_load_relaxed(&pp->preempt)) ||
	       atomic_load_relaxed(&pp->timer0When) != 0;
}

static inline struct g *runqget_direct(struct p *pp, bool *inheritTime)
{
	if (direct_refused(pp))
		return NULL;
	if (pp->schedtick % 61 == 0 && atomic_load_relaxed(&sched.runqsize) != 0)
		return NULL;
	return runqget_inline(pp, inheritTime);
}

/*
 * Whether a yield on pp, whose queue the caller found empty (runqempty_owner),
 * would come straight back to the yielding G: nothing for findrunnable to do
 * first (direct_refused) and the global queue empty. schedule() would then
 * take the G from the ring where gosched put it: stealing comes after the
 * local queue, so no other P's work could run instead. On a user G holding
 * pp.
 */
static inline bool yield_alone(struct p *pp)
{
	return !direct_refused(pp) && atomic_load_relaxed(&sched.runqsize) == 0;
}

/*
 * Switch from the running user G gp to next (from runqget_direct) without
 * passing through g0: next runs as execute would run it, and finish(gp)
 * runs on next's stack once gp's context is saved (gogo_direct). On a user
 * G holding a P. Returns when gp next runs.
 */
static inline void execute_direct(struct g *gp, struct g *next, bool inheritTime,
				  void (*finish)(struct g *), bool dying)
{
	execute_prepare(gp->m, next, inheritTime);
	gogo_direct(gp, next, finish, dying);
	/* Not a tail call: the caller (gopark, gosched) must keep its frame
	 * under gogo_direct's while gp is switched out, for the tracebacks of
	 * parked goroutines (traceback.c, the gdb helpers' "goroutine N bt"). */
	__asm__ volatile("");
}

#endif
