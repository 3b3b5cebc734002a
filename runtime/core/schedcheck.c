/*
 * schedcheck.c: the whole-state invariant checker (docs/DESIGN.md lists every
 * invariant by its message).
 *
 * Called with sched.lock held, either with the world stopped (after every
 * stop-the-world when SL_SCHEDCHECK is defined: the debug preset and every
 * simulation build) or at quiescence (every M idle, from checkdead, under the
 * same condition). A violation names the invariant, dumps the state and
 * aborts.
 */
#include "runtime.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t schedcheck_passes;

static NORETURN void violation(const char *invariant, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	print("schedcheck: invariant violated: %s\nschedcheck: %s\n", invariant, buf);
	schedtrace_unlocked();
	abort();
}

static int syscall_owners(struct p *pp)
{
	int n = 0;
	for (struct m *mp = atomic_load(&allm); mp; mp = mp->alllink)
		if (atomic_load(&mp->oldp) == pp)
			n++;
	return n;
}

/* Every timer heap is a valid heap of timers that point back at their P.
 * World stopped: nobody changes the heaps, so no timersLock (whose rank is
 * below sched.lock's) is taken. */
static void check_timers(void)
{
	for (int32_t i = 0; i < allpcount; i++) {
		struct p *pp = allp[i];
		if (i >= gomaxprocs && pp->ntimers != 0)
			violation("dead Ps hold no work", "P%d holds %d timers", i, pp->ntimers);
		int64_t t0 = pp->ntimers ? pp->timers[0]->when : 0;
		if (atomic_load(&pp->timer0When) != t0)
			violation("timer0When is the earliest timer", "P%d: %lld vs %lld", i,
				  (long long)atomic_load(&pp->timer0When), (long long)t0);
		for (int32_t k = 0; k < pp->ntimers; k++) {
			struct timer *t = pp->timers[k];
			if (t->pp != pp || t->idx != k)
				violation("a timer in a heap points back at its P",
					  "P%d timer %d: pp=%p idx=%d", i, k, (void *)t->pp,
					  t->idx);
			if (k > 0 && pp->timers[(k - 1) / 4]->when > t->when)
				violation("timer heaps are ordered", "P%d index %d", i, k);
		}
	}
}

static void check_ps(enum schedcheck_mode mode, struct m *self)
{
	int32_t n = gomaxprocs;
	if (n < 1 || n > allpcount || n > SL_MAX_GOMAXPROCS)
		violation("len(allp) == gomaxprocs", "gomaxprocs=%d allocated=%d", n, allpcount);

	/* Which Ps the idle list holds, by id: the walk below checks that
	 * every listed P is allp[id] with id < n and that the list ends, so
	 * the bit of allp[i] says whether allp[i] is listed, as a search of
	 * the list would (without its cost, n times n at 1024 Ps). */
	uint64_t listed[SL_MAX_GOMAXPROCS / 64] = {0};
	int32_t nidle = 0;
	for (struct p *pp = sched.pidle; pp; pp = pp->link) {
		if (++nidle > n)
			violation("the idle list holds only Ps of allp[:gomaxprocs]",
				  "idle list longer than gomaxprocs=%d (a cycle?)", n);
		if (pp->id >= n || allp[pp->id] != pp)
			violation("the idle list holds only Ps of allp[:gomaxprocs]",
				  "P%d on the idle list, gomaxprocs=%d", pp->id, n);
		if (atomic_load(&pp->status) != _Pidle || pp->m)
			violation("every P on the idle list is _Pidle with no M",
				  "P%d status=%u m=%p", pp->id, atomic_load(&pp->status),
				  (void *)pp->m);
		if (!runqempty(pp))
			violation("idle Ps hold no runnable work", "P%d runqlen=%u", pp->id,
				  runqlen(pp));
		listed[pp->id / 64] |= 1ull << (pp->id % 64);
	}
	if (nidle != atomic_load(&sched.npidle))
		violation("npidle matches the idle list", "npidle=%d list=%d",
			  atomic_load(&sched.npidle), nidle);

	for (int32_t i = 0; i < n; i++) {
		struct p *pp = allp[i];
		uint32_t s = atomic_load(&pp->status);
		if (pp->id != i)
			violation("allp[i].id == i", "allp[%d].id=%d", i, pp->id);
		switch (s) {
		case _Pidle:
			if (listed[i / 64] & 1ull << (i % 64))
				break;
			/* procresize hands Ps with work to Ms after the check. */
			if (mode == SCHEDCHECK_STOPPED && !runqempty(pp))
				break;
			violation("an idle P is on the idle list", "P%d is _Pidle, not listed", i);
		case _Prunning:
			if (!pp->m || pp->m->p != pp)
				violation("a running P is bound to exactly one M (m.p == p && p.m "
					  "== m)",
					  "P%d status=%u m=%p", i, s, (void *)pp->m);
			if (mode == SCHEDCHECK_STOPPED && pp->m != self)
				violation("with the world stopped only the stopper's P runs",
					  "P%d running on M%lld", i, (long long)pp->m->id);
			if (mode == SCHEDCHECK_QUIESCENT)
				violation("at quiescence no P runs", "P%d status=%u", i, s);
			break;
		case _Psyscall:
			if (mode == SCHEDCHECK_STOPPED)
				violation("a stop takes every P in a syscall", "P%d", i);
			if (pp->m || syscall_owners(pp) != 1)
				violation("a P in a syscall is left by exactly one M (m.oldp == p, "
					  "p.m == nil)",
					  "P%d m=%p owners=%d", i, (void *)pp->m,
					  syscall_owners(pp));
			break;
		case _Pgcstop:
			if (mode != SCHEDCHECK_STOPPED)
				violation("_Pgcstop only during a stop", "P%d", i);
			break;
		default:
			violation("Ps in allp[:gomaxprocs] are live", "P%d status=%u", i, s);
		}
	}
	for (int32_t i = n; i < allpcount; i++) {
		struct p *pp = allp[i];
		if (atomic_load(&pp->status) != _Pdead)
			violation("Ps beyond gomaxprocs are _Pdead", "P%d status=%u", i,
				  atomic_load(&pp->status));
		if (!runqempty(pp) || pp->gFree.n != 0 || pp->nstackcache != 0)
			violation("dead Ps hold no work", "P%d runq=%u gfree=%d stacks=%d", i,
				  runqlen(pp), pp->gFree.n, pp->nstackcache);
	}
}

static void check_ms(void)
{
	int32_t nidle = 0, nspinning = 0;
	for (struct m *mp = sched.midle; mp; mp = mp->schedlink) {
		if (++nidle > mcount())
			violation("nmidle matches the idle M list", "idle list cycle");
		if (mp->p || mp->spinning)
			violation("idle Ms hold no P and do not spin", "M%lld p=%p spinning=%d",
				  (long long)mp->id, (void *)mp->p, mp->spinning);
	}
	if (nidle != sched.nmidle)
		violation("nmidle matches the idle M list", "nmidle=%d list=%d", sched.nmidle,
			  nidle);
	for (struct m *mp = atomic_load(&allm); mp; mp = mp->alllink) {
		if (mp->spinning)
			nspinning++;
		if (mp->p && mp->p->m != mp)
			violation("m.p == p implies p.m == m", "M%lld p=P%d p.m=%p",
				  (long long)mp->id, mp->p->id, (void *)mp->p->m);
	}
	if (nspinning != atomic_load(&sched.nmspinning))
		violation("nmspinning matches the spinning Ms", "nmspinning=%d counted=%d",
			  atomic_load(&sched.nmspinning), nspinning);
}

/* Count where each G appears. seen[allgindex] must end up 1 for queued,
 * running and dead Gs, 0 for waiting ones. */
static void mark(uint8_t *seen, struct g *gp, uint32_t want, const char *where)
{
	uint32_t s = readgstatus(gp);
	if (s != want)
		violation("a G's place matches its status", "G%lld is %s but found in %s",
			  (long long)gp->goid, gstatusname(s), where);
	if (gp->allgindex < 0 || gp->allgindex >= allglen || allgs[gp->allgindex] != gp)
		violation("every G is in allgs", "G%lld (%p) in %s", (long long)gp->goid,
			  (void *)gp, where);
	if (seen[gp->allgindex]++)
		violation("every live G is in exactly one place",
			  "G%lld found a second time, in %s", (long long)gp->goid, where);
}

static void check_gs(enum schedcheck_mode mode)
{
	lock(&allglock);
	uint8_t *seen = calloc((size_t)allglen + 1, 1);
	if (!seen)
		throw("schedcheck: out of memory");
	bool anyrunnable = false;

	for (int32_t i = 0; i < allpcount; i++) {
		struct p *pp = allp[i];
		for (uint32_t h = pp->runqhead; h != pp->runqtail; h++) {
			mark(seen, pp->runq[h % RUNQ_SIZE], _Grunnable, "a local run queue");
			anyrunnable = true;
		}
		if (pp->runnext) {
			mark(seen, pp->runnext, _Grunnable, "a runnext slot");
			anyrunnable = true;
		}
		int32_t nfree = 0;
		for (struct g *gp = pp->gFree.head; gp; gp = gp->schedlink, nfree++)
			mark(seen, gp, _Gdead, "a P's free list");
		if (nfree != pp->gFree.n)
			violation("counts match the lists", "P%d gFree.n=%d list=%d", i,
				  pp->gFree.n, nfree);
	}
	int32_t nglobal = 0;
	for (struct g *gp = sched.runq.head; gp; gp = gp->schedlink, nglobal++) {
		mark(seen, gp, _Grunnable, "the global run queue");
		anyrunnable = true;
	}
	if (nglobal != sched.runqsize)
		violation("counts match the lists", "runqsize=%d list=%d", sched.runqsize, nglobal);
	lock(&sched.gFree.lock);
	int32_t nfree = 0;
	for (struct g *gp = sched.gFree.stack.head; gp; gp = gp->schedlink, nfree++)
		mark(seen, gp, _Gdead, "the global free list");
	if (nfree != sched.gFree.stack.n)
		violation("counts match the lists", "sched.gFree.n=%d list=%d", sched.gFree.stack.n,
			  nfree);
	unlock(&sched.gFree.lock);
	for (struct m *mp = atomic_load(&allm); mp; mp = mp->alllink) {
		struct g *gp = mp->curg;
		if (!gp)
			continue;
		uint32_t s = readgstatus(gp);
		mark(seen, gp, s == _Gsyscall ? _Gsyscall : _Grunning, "an M's curg");
		if (gp->m != mp)
			violation("a running G and its M point at each other",
				  "G%lld on M%lld has g.m=%p", (long long)gp->goid,
				  (long long)mp->id, (void *)gp->m);
	}

	for (int32_t i = 0; i < allglen; i++) {
		struct g *gp = allgs[i];
		uint32_t s = readgstatus(gp);
		switch (s) {
		case _Gwaiting:
			if (seen[i])
				violation("a waiting G is in no run queue", "G%lld",
					  (long long)gp->goid);
			if (gp->waitreason == waitReasonZero || !gp->waiting_on)
				violation("a waiting G waits on a known object",
					  "G%lld reason=%u object=%p", (long long)gp->goid,
					  gp->waitreason, gp->waiting_on);
			break;
		case _Gdead:
			/* A foreign thread may hold a dead G between gfget and
			 * newproc's queueing. */
			if (!seen[i] && !islibrary)
				violation("every dead G is on exactly one free list", "G%lld",
					  (long long)gp->goid);
			break;
		case _Grunnable:
		case _Grunning:
		case _Gsyscall:
			if (!seen[i])
				violation("every live G is in exactly one place",
					  "G%lld (%s) is in no queue and on no M",
					  (long long)gp->goid, gstatusname(s));
			break;
		default:
			violation("G status is valid", "G%lld status=%u", (long long)gp->goid, s);
		}
	}
	free(seen);
	unlock(&allglock);

	if (mode == SCHEDCHECK_QUIESCENT && anyrunnable &&
	    atomic_load(&sched.npidle) == gomaxprocs && atomic_load(&sched.nmspinning) == 0)
		violation("no runnable G while every P is idle and no M spins (lost wakeup)",
			  "runnable work is queued and nobody will look for it");
}

void schedcheck(enum schedcheck_mode mode)
{
	assertLockHeld(&sched.lock);
	struct m *self = getm();
	check_ps(mode, self);
	check_ms();
	check_gs(mode);
	if (mode == SCHEDCHECK_STOPPED)
		check_timers();
	schedcheck_passes++;
}
