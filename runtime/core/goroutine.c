/*
 * goroutine.c: the life of a G: newproc, goexit, gosched, gopark/goready,
 * the status machine (casgstatus), and G reuse (gfput/gfget).
 *
 * A G gets its stack when it first runs (execute) and returns it when it
 * exits, so a dead G on a free list holds no stack. Past 64 entries half of
 * a P's free list moves to the global list (sched.gFree, own lock), from which any P
 * refills 32 at a time. Every G ever made stays in allgs for the checker,
 * schedtrace and checkdead, as in Go (docs/DESIGN.md, "Memory": the crash
 * report and the gdb helpers read allgs without its lock).
 *
 * Under ThreadSanitizer a G also owns a TSan fiber, whose state costs TSan
 * about 16 KB: a G spilled to the global free list past GFREE_FIBERS dead
 * Gs gives its fiber back there, and newproc makes a new one when the G is
 * used again, so that a burst's dead Gs cost TSan builds no more than the
 * others.
 */
#include "runtime.h"
#include "direct.h"
#include "forked.h"
#include "sanitizers.h"

#include <stdlib.h>
#include <string.h>

#define GFREE_FIBERS 1024

mutex allglock;
struct g **allgs;
int32_t allglen;
static int32_t allgcap;

static const char *const gstatusnames[] = {
    [_Gidle] = "idle",	     [_Grunnable] = "runnable", [_Grunning] = "running",
    [_Gsyscall] = "syscall", [_Gwaiting] = "waiting",	[5] = "moribund_unused",
    [_Gdead] = "dead",
};

static const char *const waitreasonnames[waitReasonCount] = {
    [waitReasonZero] = "",
    [waitReasonSemacquire] = "semacquire",
    [waitReasonSleep] = "sleep",
    [waitReasonTest] = "test park",
    [waitReasonChanReceive] = "chan receive",
    [waitReasonChanSend] = "chan send",
    [waitReasonChanReceiveNilChan] = "chan receive (nil chan)",
    [waitReasonChanSendNilChan] = "chan send (nil chan)",
    [waitReasonSelect] = "select",
    [waitReasonSelectNoCases] = "select (no cases)",
    [waitReasonSyncMutexLock] = "sync.Mutex.Lock",
    [waitReasonSyncWaitGroupWait] = "sync.WaitGroup.Wait",
    [waitReasonTimerChan] = "timer chan",
};

const char *gstatusname(uint32_t s)
{
	return s <= _Gdead ? gstatusnames[s] : "???";
}

const char *waitreasonname(uint32_t r)
{
	return r < waitReasonCount ? waitreasonnames[r] : "???";
}

uint32_t readgstatus(struct g *gp)
{
	return atomic_load(&gp->atomicstatus);
}

/*
 * Change gp's status from oldval to newval. Every transition of the G status
 * machine (runtime2.h) goes through here; finding gp in any other state is a
 * broken invariant.
 */
void(casgstatus)(struct g *gp, uint32_t oldval, uint32_t newval)
{
	if (oldval == newval) {
		print("runtime: casgstatus: oldval=%s newval=%s\n", gstatusname(oldval),
		      gstatusname(newval));
		throw("casgstatus: bad incoming values");
	}
	if (!atomic_cas(&gp->atomicstatus, oldval, newval)) {
		uint32_t cur = readgstatus(gp);
		if (oldval == _Gwaiting && cur == _Grunnable)
			throw("casgstatus: waiting for Gwaiting but is Grunnable");
		badgstatus(gp, oldval, newval, cur);
	}
	SCHEDPOINT("casgstatus");
}

/* A status change found gp in another state than the one it changes from
 * (casgstatus, setgstatus_owned). */
void badgstatus(struct g *gp, uint32_t oldval, uint32_t newval, uint32_t cur)
{
	print("runtime: casgstatus: goroutine %lld: %s->%s, but status is %s\n",
	      (long long)gp->goid, gstatusname(oldval), gstatusname(newval), gstatusname(cur));
	throw("casgstatus: bad transition");
}

/*
 * A new G, _Gdead, without a stack, already on allgs. It is allocated and
 * linked in one hold of allglock with no scheduling point in between:
 * the simulation may end a run at any scheduling point of any thread, and
 * its teardown frees what allgs lists, so a G allocated but not yet listed
 * would leak (sim.teardown's LeakSanitizer caught it for Ms, see newm). A
 * G goes on allgs as _Gdead, never _Gidle, as in Go.
 */
static struct g *malg(void)
{
	lock(&allglock);
	struct g *gp = calloc(1, sizeof *gp);
	if (!gp) {
		print("runtime: out of memory: cannot allocate a g (%zu bytes)\n", sizeof *gp);
		throw("out of memory");
	}
	atomic_store_relaxed(&gp->atomicstatus, _Gdead); /* nobody else has seen gp */
	SIMCOVER("G", _Gidle, _Gdead, "newproc");
	if (allglen == allgcap) {
		int32_t cap = allgcap ? allgcap * 2 : 1024;
		struct g **n = realloc(allgs, (size_t)cap * sizeof *n);
		if (!n)
			throw("out of memory");
		allgs = n;
		allgcap = cap;
	}
	gp->allgindex = allglen;
	allgs[allglen] = gp;
	atomic_store(&allglen, allglen + 1);
	unlock(&allglock);
	gp->tsan_fiber = san_fiber_create();
	return gp;
}

/* ---- free Gs ---- */

/* Put dead gp on pp's free list, spilling half to the global list past 64. */
void gfput(struct p *pp, struct g *gp)
{
	if (readgstatus(gp) != _Gdead)
		throw("gfput: bad status (not Gdead)");
	glist_push(&pp->gFree, gp);
	if (pp->gFree.n >= 64) {
		lock(&sched.gFree.lock);
		while (pp->gFree.n >= 32) {
			struct g *gp1 = glist_pop(&pp->gFree);
#ifdef SL_TSAN
			/* gp1 is dead: its fiber is no thread's current one. */
			if (sched.gFree.stack.n >= GFREE_FIBERS && gp1->tsan_fiber) {
				__tsan_destroy_fiber(gp1->tsan_fiber);
				gp1->tsan_fiber = NULL;
			}
#endif
			glist_push(&sched.gFree.stack, gp1);
		}
		unlock(&sched.gFree.lock);
	}
}

/* A dead G from pp's free list, refilled from the global one; NULL if none.
 * pp NULL (a foreign thread): straight from the global list. */
struct g *gfget(struct p *pp)
{
	if (!pp) {
		lock(&sched.gFree.lock);
		struct g *gp = glist_pop(&sched.gFree.stack);
		unlock(&sched.gFree.lock);
		return gp;
	}
	if (pp->gFree.n == 0 && atomic_load(&sched.gFree.stack.n) > 0) {
		lock(&sched.gFree.lock);
		while (pp->gFree.n < 32) {
			struct g *gp = glist_pop(&sched.gFree.stack);
			if (!gp)
				break;
			glist_push(&pp->gFree, gp);
		}
		unlock(&sched.gFree.lock);
	}
	return glist_pop(&pp->gFree);
}

/* Move all of pp's free Gs to the global list (procresize). */
void gfpurge(struct p *pp)
{
	lock(&sched.gFree.lock);
	struct g *gp;
	while ((gp = glist_pop(&pp->gFree)))
		glist_push(&sched.gFree.stack, gp);
	unlock(&sched.gFree.lock);
}

/* ---- creation and exit ---- */

static int64_t newgoid(struct p *pp)
{
	/* Go hands out goids to Ps in batches of 16 to avoid contention. */
	if (!pp)
		return (int64_t)atomic_xadd(&sched.goidgen, 1);
	if (pp->goidcache == pp->goidcacheend) {
		pp->goidcache = atomic_xadd(&sched.goidgen, 16) - 15;
		pp->goidcacheend = pp->goidcache + 16;
	}
	return (int64_t)pp->goidcache++;
}

/*
 * Create a goroutine running fn(arg) and queue it: in the caller's runnext
 * (it runs soon, on this P, unless stolen) or, from a thread without a P, on
 * the global queue. Wakes an M if a P is idle. Any thread.
 */
struct g *newproc(void (*fn)(void *), void *arg)
{
	checkforked(); /* the fork rule: sl_go */
	struct m *mp = getm();
	struct p *pp = mp ? mp->p : NULL;
	struct g *newg = gfget(pp);
	if (!newg)
		newg = malg();
#ifdef SL_TSAN
	if (!newg->tsan_fiber) /* given back on the global free list (gfput) */
		newg->tsan_fiber = san_fiber_create();
#endif
	newg->fn = fn;
	newg->arg = arg;
	newg->m = NULL;
	atomic_store_relaxed(&newg->preempt, false);
	newg->waitreason = waitReasonZero;
	newg->waiting_on = NULL;
	newg->goid = newgoid(pp);
	newg->sched.sp = 0; /* not started: execute gives it a stack and a frame */
	SIMEVENT("spawn g%lld", (long long)newg->goid);

	if (pp) {
		/* Owned: newg is this thread's alone (off the P's free list, or
		 * new) until runqput publishes it. */
		setgstatus_owned(newg, _Gdead, _Grunnable);
		runqput_inline(&sched, pp, newg, true);
	} else {
		/* A thread without a P can race with a stop-the-world: become
		 * runnable and queued in one step under sched.lock, so that
		 * schedcheck never sees a runnable G in no queue. */
		lock(&sched.lock);
		casgstatus(newg, _Gdead, _Grunnable);
		globrunqput(newg);
		if (!mp)
			sched.foreign = true;
		unlock(&sched.lock);
	}
	if (atomic_load(&mainStarted))
		wakep();
	return newg;
}

/* gp's function returned: it is dead; its stack goes back to the P's cache,
 * the G to the free list. On g0, or on the next G's stack after a direct
 * switch; gp's context is saved and it never runs again. */
static void gdestroy(struct m *mp, struct g *gp)
{
	setgstatus_owned(gp, _Grunning, _Gdead); /* the running G's own M */
	gp->m = NULL;
	gp->fn = NULL;
	gp->arg = NULL;
	stackfree(gp->stack);
	gp->stack.lo = gp->stack.hi = 0;
	gfput(mp->p, gp);
}

static void goexit0(struct g *gp)
{
	struct m *mp = getg()->m;
	mp->curg = NULL;
	gdestroy(mp, gp);
	schedule();
}

static void goexit_finish(struct g *gp)
{
	gdestroy(getm(), gp);
}

/* The end of every goroutine: its function returned. Straight to the next
 * local G when there is one (runqget_direct), else through g0. */
void goexit1(void)
{
	struct g *gp = getg();
	struct m *mp = gp->m;
	bool inheritTime;
	struct g *next;
	if (mp->locks == 0 && (next = runqget_direct(mp->p, &inheritTime)))
		execute_direct(gp, next, inheritTime, goexit_finish, true);
	else
		mcall_exit(goexit0);
	__builtin_unreachable();
}

/* ---- yield ---- */

/* gp yields: it becomes runnable behind every G runnable on pp. On g0, or
 * on the next G's stack after a direct switch (gp's context is saved). */
static void gosched_put(struct p *pp, struct g *gp)
{
	setgstatus_owned(gp, _Grunning, _Grunnable);
	gp->m = NULL;
	/*
	 * Go puts a yielding G on the global queue. While that queue is empty
	 * the local ring's tail is equivalent for this P, needs no lock, and
	 * other Ps can still steal from it. Once the global queue holds work,
	 * do as Go does: a G that keeps yielding from the local ring would
	 * always be found before the global queue, which this P then drains
	 * only one G per 61 ticks.
	 */
	if (atomic_load(&sched.runqsize) == 0) {
		runqput_inline(&sched, pp, gp, false);
		/*
		 * #StoreLoad, Go's rule for submitting work: publish, fence,
		 * then read npidle (in wakep). The ring's publish is a release
		 * store, which x86 may hold in its store buffer past wakep's
		 * load; a spinning M idling its P does the mirror image
		 * (npidle's locked add, then its last look at our ring), and
		 * without the fence each could miss the other: gp would wait
		 * for this P with another P idle. goready and newproc get the
		 * fence from their runnext CAS, globrunqput_lock from the lock.
		 * With one P no P can be idle, and gomaxprocs only changes with
		 * the world stopped, so a running G reads it stably.
		 */
		if (atomic_load_relaxed(&gomaxprocs) > 1)
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
	} else {
		globrunqput_lock(gp);
	}
	/* gp is work that an idle P could take now. Without a wakeup it would
	 * wait for this P, which the G that runs next may keep for as long as
	 * it never calls into the runtime: cooperative scheduling has no
	 * preemption to save it, as Go's has. One load when no P is idle. */
	wakep();
}

static void gosched_m(struct g *gp)
{
	struct m *mp = getg()->m;
	/* schedule() checks this too, but too late: gosched_put publishes gp,
	 * and another M could run it on while this one throws. */
	checknolocks(mp);
	mp->curg = NULL;
	gosched_put(mp->p, gp);
	schedule();
}

static void gosched_finish(struct g *gp)
{
	gosched_put(getm()->p, gp);
}

/* Yield the P: gp goes behind every G runnable on this P. On a user G.
 * The next local G, if any, is switched to directly (runqget_direct): it is
 * the G that schedule() would pick, as gp goes to the ring's tail; with
 * none, and nothing else for schedule() to do (yield_alone), gp goes on. */
void gosched(void)
{
	struct g *gp = getg();
	struct m *mp = gp->m;
	struct p *pp = mp->p;
	bool inheritTime;
	struct g *next;
	if (mp->locks == 0) {
		if ((next = runqget_direct(pp, &inheritTime))) {
			execute_direct(gp, next, inheritTime, gosched_finish, false);
			return;
		}
		if (runqempty_owner(pp) && yield_alone(pp)) {
			/* The slow path would come back here: a new slice, no
			 * switch. Still a scheduling point: in the simulation a
			 * G that spins on sl_yield must let the others run. */
			pp->schedtick++;
			SCHEDPOINT("gosched");
			return;
		}
	}
	mcall(gosched_m);
}

/* preemptcheck's answer when a flag is up: yield unless this is not a user
 * G or it holds runtime locks. */
void preemptcheck_slow(void)
{
	struct g *gp = getg();
	if (!is_user_g() || gp->m->locks > 0)
		return;
	if (atomic_load_relaxed(&sched.gcwaiting) || atomic_load_relaxed(&gp->preempt)) {
		/* This yield ends the slice sysmon asked to end; the P's flag must
		 * not end the next one too, or a G waiting in runnext would lose
		 * to this one every time it comes back from the ring. */
		atomic_store_relaxed(&gp->preempt, false);
		struct p *pp = gp->m->p;
		atomic_store_relaxed(&pp->preempt, false);
		/* And whatever runs next starts a slice of its own: a G from
		 * runnext would otherwise inherit this one's, already 10ms old,
		 * and sysmon would end it at its next look (PingPongHog's pair
		 * got a quarter of the P instead of half). */
		pp->schedtick++;
		gosched();
	}
}

/* ---- park and ready ---- */

/* gp parks: it becomes _Gwaiting and gopark's unlockf runs. Returns false
 * when unlockf cancelled the park: gp is then _Grunnable again, to be run
 * at once. On g0, or on the next G's stack after a direct switch: gp's
 * context is saved, so that as soon as unlockf releases its lock a waker
 * on another M may resume gp. */
static bool park_commit(struct m *mp, struct g *gp)
{
	/* Owned: nobody readies gp before unlockf below lets them find it. */
	setgstatus_owned(gp, _Grunning, _Gwaiting);
	SIMEVENT("park g%lld (%s)", (long long)gp->goid, waitreasonname(gp->waitreason));
	gp->m = NULL;
	bool (*fn)(struct g *, void *) = mp->waitunlockf;
	if (fn) {
		bool ok = fn(gp, mp->waitlock);
		mp->waitunlockf = NULL;
		mp->waitlock = NULL;
		if (!ok) {
			casgstatus(gp, _Gwaiting, _Grunnable);
			return false;
		}
	}
	return true;
}

static void park_m(struct g *gp)
{
	struct m *mp = getg()->m;
	mp->curg = NULL;
	if (!park_commit(mp, gp))
		execute(gp, true);
	schedule();
}

/* The direct switch's second half. A cancelled park cannot resume gp at
 * once, as park_m does: another G already runs. gp goes to runnext, next
 * in line on this P, which keeps the promise that matters: the G runs
 * again without being woken. */
static void park_finish(struct g *gp)
{
	struct m *mp = getm();
	if (!park_commit(mp, gp)) {
		/* gp is runnable work behind a G that may never call into the
		 * runtime again: an idle P must hear of it, as from goready. */
		runqput(mp->p, gp, true);
		wakep();
	}
	checknolocks(mp);
}

/*
 * Block the current G. With gp's context saved (on g0, or on the next G's
 * stack after a direct switch to the next local G) gp becomes _Gwaiting and
 * unlockf(gp, lock) runs: it typically releases the lock that protects the
 * object gp waits on, after which anyone may goready(gp). If it returns
 * false the park is cancelled and gp runs again without a goready. On a
 * user G; the only runtime lock it may hold is the one unlockf releases
 * (checknolocks checks that none is left).
 */
void gopark(bool (*unlockf)(struct g *, void *), void *lock, enum waitreason reason,
	    void *waiting_on)
{
	struct g *gp = getg();
	struct m *mp = gp->m;
	if (readgstatus(gp) != _Grunning)
		throw("gopark: bad g status");
	mp->waitunlockf = unlockf;
	mp->waitlock = lock;
	gp->waitreason = (uint8_t)reason;
	gp->waiting_on = waiting_on;
	/* A G that parks alone (a sleeper, a lone waiter) skips the fast path
	 * at once. */
	struct p *pp = mp->p;
	bool inheritTime;
	struct g *next;
	if (!runqempty_owner(pp) && (next = runqget_direct(pp, &inheritTime)))
		execute_direct(gp, next, inheritTime, park_finish, false);
	else
		mcall(park_m);
}

/*
 * Make a parked G runnable: into the caller's runnext, so it inherits the
 * time slice; from a thread without a P, onto the global queue. Any thread.
 */
void goready(struct g *gp)
{
	uint32_t status = readgstatus(gp);
	if (status != _Gwaiting) {
		print("runtime: gp: gp=%p, goid=%lld, gp->atomicstatus=%s\n", (void *)gp,
		      (long long)gp->goid, gstatusname(status));
		throw("bad g->status in ready");
	}
	gp->waiting_on = NULL;
	SIMEVENT("ready g%lld", (long long)gp->goid);
	struct m *mp = getm();
	if (mp && mp->p) {
		casgstatus(gp, _Gwaiting, _Grunnable);
		runqput_inline(&sched, mp->p, gp, true);
	} else {
		lock(&sched.lock); /* see newproc */
		casgstatus(gp, _Gwaiting, _Grunnable);
		globrunqput(gp);
		if (!mp)
			sched.foreign = true;
		unlock(&sched.lock);
	}
	wakep();
}

void goroutine_teardown(void)
{
	for (int32_t i = 0; i < allglen; i++)
		free(allgs[i]); /* their stacks go with stack_teardown's chunks */
	free(allgs);
	allgs = NULL;
	allglen = allgcap = 0;
	memset(&allglock, 0, sizeof allglock);
}
