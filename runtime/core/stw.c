/*
 * stw.c: stopping and starting the world, and GOMAXPROCS.
 *
 * Stop-the-world (Go's stopTheWorldWithSema): under sched.lock, set
 * sched.gcwaiting, count the Ps that must stop (stopwait), stop our own P,
 * take Ps in syscalls and idle Ps directly, then sleep on sched.stopnote
 * until every running P has stopped itself at its next scheduling point
 * (gcstopm, called from schedule). Preemption is cooperative: a G that never
 * calls into the runtime holds the world up.
 *
 * Only one goroutine stops the world at a time: worldsema, a semaphore that
 * parks goroutines, not threads. A thread-blocking lock here would deadlock:
 * the waiting Ms would hold Ps that the stopper waits for.
 */
#include "runtime.h"
#include "forked.h"
#include "schedlab.h"
#include "sema.h"

/* ---- worldsema ---- */

/* One stopper at a time. A goroutine semaphore (sema.c), as in Go: waiting
 * stoppers park, they do not block their Ms. */
static uint32_t worldsema = 1;

/* ---- stop and start ---- */

/*
 * Called by an M that found sched.gcwaiting set in schedule: stop its P for
 * the stopper and park. On g0, holding a P.
 */
void gcstopm(void)
{
	struct m *mp = getm();
	if (!atomic_load(&sched.gcwaiting))
		throw("gcstopm: not waiting for gc");
	if (mp->spinning) {
		mp->spinning = false;
		if (atomic_xadd(&sched.nmspinning, -1) < 0)
			throw("gcstopm: negative nmspinning");
	}
	struct p *pp = releasep();
	lock(&sched.lock);
	setpstatus(pp, _Pgcstop);
	if (--sched.stopwait == 0)
		notewakeup(&sched.stopnote);
	unlock(&sched.lock);
	stopm();
}

static void stopTheWorldWithSema(void)
{
	struct m *mp = getm();
	if (mp->locks > 0) {
		checkforked();
		throw("stopTheWorld: holding locks");
	}
	lock(&sched.lock);
	sched.stopwait = gomaxprocs;
	atomic_store(&sched.gcwaiting, 1);
	setpstatus(mp->p, _Pgcstop);
	sched.stopwait--;
	/* Ps in syscalls: take them; their Ms will find out in exitsyscall. */
	for (int32_t i = 0; i < gomaxprocs; i++) {
		struct p *pp = allp[i];
		if (atomic_load(&pp->status) == _Psyscall && caspstatus(pp, _Psyscall, _Pgcstop)) {
			atomic_xadd(&pp->syscalltick, 1);
			sched.stopwait--;
		}
	}
	struct p *pp;
	while ((pp = pidleget())) {
		setpstatus(pp, _Pgcstop);
		sched.stopwait--;
	}
	bool wait = sched.stopwait > 0;
	unlock(&sched.lock);

	/* Wait for the running Ps to stop themselves. */
	if (wait)
		while (!notetsleep(&sched.stopnote, 100 * 1000)) {
		}
	noteclear(&sched.stopnote);

	lock(&sched.lock);
	const char *bad = NULL;
	if (sched.stopwait != 0)
		bad = "stopTheWorld: not stopped (stopwait != 0)";
	for (int32_t i = 0; i < gomaxprocs && !bad; i++)
		if (atomic_load(&allp[i]->status) != _Pgcstop)
			bad = "stopTheWorld: not stopped (status != _Pgcstop)";
	unlock(&sched.lock);
	if (bad)
		throw(bad);
}

/* Whether some G is queued where a spinning M could take it (the global
 * queue or the caller's ring), or some P has a timer (an idle M must then
 * watch it). Racy reads, taken just after the world restarts: a G queued
 * later comes with its own wakep. */
static bool worldHasWork(void)
{
	struct m *mp = getm();
	if (atomic_load(&sched.runqsize) > 0 || (mp->p && !runqempty(mp->p)))
		return true;
	int32_t procs = atomic_load(&gomaxprocs);
	for (int32_t i = 0; i < procs; i++)
		if (atomic_load(&allp[i]->timer0When) != 0)
			return true;
	return false;
}

static void startTheWorldWithSema(void)
{
	lock(&sched.lock);
#ifdef SL_SCHEDCHECK
	schedcheck(SCHEDCHECK_STOPPED);
#endif
	int32_t procs = gomaxprocs;
	if (newprocs) {
		procs = newprocs;
		newprocs = 0;
	}
	struct p *p1 = procresize(procs);
#ifdef SL_SCHEDCHECK
	schedcheck(SCHEDCHECK_STOPPED);
#endif
	atomic_store(&sched.gcwaiting, 0);
	unlock(&sched.lock);

	while (p1) {
		struct p *pp = p1;
		p1 = pp->link;
		pp->link = NULL;
		struct m *nmp = pp->m;
		if (nmp) {
			pp->m = NULL;
			if (nmp->nextp)
				throw("startTheWorld: inconsistent mp->nextp");
			nmp->nextp = pp;
			notewakeup(&nmp->park);
		} else {
			newm(NULL, pp, false, -1);
		}
	}
	/* More Ps may be idle than there are Ms looking for work: wake one M
	 * to spin if there is something to find (Go wakes one regardless; on a
	 * VM the futex round trip of an M that finds nothing was most of a
	 * GOMAXPROCS call). The Ps handed out above have their Ms already. */
	if (worldHasWork())
		wakep();
}

/* Stop every P but the caller's. On a user G holding no locks; pairs with
 * startTheWorld. */
void stopTheWorld(const char *reason)
{
	(void)reason;
	checkforked(); /* the fork rule: sl_gomaxprocs */
	semacquire(&worldsema);
	stopTheWorldWithSema();
}

void startTheWorld(void)
{
	startTheWorldWithSema();
	semrelease(&worldsema, false);
}

/* Stop the world, run schedcheck, start it again. For tests. */
void schedcheck_stw(void)
{
	stopTheWorld("schedcheck");
	lock(&sched.lock);
	schedcheck(SCHEDCHECK_STOPPED);
	unlock(&sched.lock);
	startTheWorld();
}

/* ---- GOMAXPROCS ---- */

struct gomaxprocs_call {
	int n, ret;
};

static void gomaxprocs_on_g(void *arg)
{
	struct gomaxprocs_call *c = arg;
	c->ret = sl_gomaxprocs(c->n);
}

int sl_gomaxprocs(int n)
{
	if (!is_user_g()) {
		/* A foreign thread: STW needs a goroutine, so borrow one. */
		struct gomaxprocs_call c = {n, -1};
		if (sl_run(gomaxprocs_on_g, &c) != 0)
			return -1;
		return c.ret;
	}
	preemptcheck();
	int ret = atomic_load(&gomaxprocs);
	if (n <= 0 || n == ret)
		return ret;
	if (n > SL_MAX_GOMAXPROCS)
		n = SL_MAX_GOMAXPROCS;
	stopTheWorld("GOMAXPROCS");
	newprocs = n;
	startTheWorld();
	return ret;
}

void stw_teardown(void)
{
	worldsema = 1;
}
