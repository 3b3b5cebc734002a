/*
 * syscall.c: entersyscall / exitsyscall, bracketing a call that may block
 * in the kernel (sl_syscall_begin / sl_syscall_end).
 *
 * As in Go 1.19, entering a syscall unbinds the P from the M but leaves it
 * _Psyscall, remembered in m->oldp: p->m == NULL and m->p == NULL while the G
 * is _Gsyscall and still m->curg. Stop-the-world takes such Ps by CAS
 * (_Psyscall -> _Pgcstop). Leaving the syscall tries, in order: the old P if
 * still _Psyscall, any idle P, and else queues the G globally and parks the M.
 *
 * Handing a P off from a long syscall (sysmon's retake) is in sysmon.c.
 */
#include "runtime.h"
#include "forked.h"
#include "schedlab.h"

/* The world is stopping: give our P to the stopper now. Cold, out of line:
 * entersyscall's own frame then needs no callee-saved registers. */
static __attribute__((noinline, cold)) void entersyscall_gcwait(struct p *pp)
{
	lock(&sched.lock);
	if (sched.stopwait > 0 && caspstatus(pp, _Psyscall, _Pgcstop)) {
		atomic_xadd(&pp->syscalltick, 1);
		if (--sched.stopwait == 0)
			notewakeup(&sched.stopnote);
	}
	unlock(&sched.lock);
}

static NORETURN __attribute__((noinline, cold)) void entersyscall_locked(void)
{
	checkforked(); /* the fork rule: sl_syscall_begin */
	throw("entersyscall: holding locks");
}

/* On a user G holding a P and no locks. */
void entersyscall(void)
{
	struct g *gp = getg();
	struct m *mp = gp->m;
	if (__builtin_expect(mp->locks != 0, 0))
		entersyscall_locked();
	mp->locks++;
	/* Only this G changes its own status from here to exitsyscall (or
	 * exitsyscall0, on this M), so no CAS. Only this M writes oldp, and
	 * only a P's owner bumps its syscalltick; others read both racily or
	 * with the world stopped. pp->status is the one Dekker pair with
	 * stopTheWorld's gcwaiting, so it stays a sequentially consistent
	 * store: the path's one locked instruction (Go's atomic.Store, an
	 * XCHG, too). Were the store to pass the load of gcwaiting, a stopper
	 * could count this P as running after this M read gcwaiting as 0, and
	 * wait for a P whose M is in the kernel. */
	setgstatus_owned(gp, _Grunning, _Gsyscall);
	struct p *pp = mp->p;
	mp->syscalltick = atomic_load_relaxed(&pp->syscalltick);
	pp->m = NULL;
	atomic_store_rel(&mp->oldp, pp);
	mp->p = NULL;
	setpstatus(pp, _Psyscall);
	if (__builtin_expect(atomic_load(&sched.gcwaiting) != 0, 0))
		entersyscall_gcwait(pp);
	mp->locks--;
	/* In the syscall now, P released: SL_FAULT=syscall may make it a
	 * long one, for sysmon to retake the P. */
#ifdef SL_FAULT_POINTS
	if (__builtin_expect(os_fault_syscall_on, 0))
		os_fault_syscall();
#endif
}

/* exitsyscallfast's second try, an idle P: the old P was taken (sysmon's
 * retake, a stop, a resize). Out of line, off the common path. */
static __attribute__((noinline)) bool exitsyscallfast_pidle(void)
{
	if (atomic_load(&sched.npidle) > 0) {
		lock(&sched.lock);
		struct p *pp = pidleget();
		unlock(&sched.lock);
		if (pp) {
			acquirep(pp);
			return true;
		}
	}
	return false;
}

/*
 * Go's exitsyscallfast: the old P if it is still _Psyscall (one CAS, which
 * sysmon's retake and a stopper's CAS contend for), else an idle P. Inline in
 * exitsyscall.
 */
static inline __attribute__((always_inline)) bool exitsyscallfast(struct p *oldp)
{
	if (oldp && atomic_load(&oldp->status) == _Psyscall &&
	    caspstatus(oldp, _Psyscall, _Pidle)) {
		wirep(oldp);
		return true;
	}
	return exitsyscallfast_pidle();
}

/* No P to be had: queue gp and park this M. On g0. */
static void exitsyscall0(struct g *gp)
{
	struct m *mp = getg()->m;
	/* Under sched.lock so that a stopped world's schedcheck sees gp either
	 * in its syscall or queued. */
	lock(&sched.lock);
	casgstatus(gp, _Gsyscall, _Grunnable);
	gp->m = NULL;
	mp->curg = NULL;
	struct p *pp = atomic_load(&sched.gcwaiting) ? NULL : pidleget();
	if (!pp)
		globrunqput(gp);
	unlock(&sched.lock);
	if (pp) {
		acquirep(pp);
		execute(gp, false);
	}
	stopm();
	schedule();
}

/* exitsyscall after its check; gp is the current G, _Gsyscall. */
static inline __attribute__((always_inline)) void exitsyscall1(struct g *gp)
{
	struct m *mp = gp->m;
	mp->locks++;
	struct p *oldp = mp->oldp;
	atomic_store_rel(&mp->oldp, NULL);
	if (__builtin_expect(exitsyscallfast(oldp), 1)) {
		struct p *pp = mp->p; /* owned now: only its M bumps the tick */
		atomic_store_relaxed(&pp->syscalltick, atomic_load_relaxed(&pp->syscalltick) + 1);
		setgstatus_owned(gp, _Gsyscall, _Grunning);
		mp->locks--;
		/* A stop may have begun while we held no P. */
		preemptcheck();
		return;
	}
	mp->locks--;
	mcall(exitsyscall0);
}

/* Whether gp is in a syscall. Only gp itself leaves _Gsyscall (exitsyscall,
 * or exitsyscall0 on its M), so its own read needs no ordering. */
static inline bool insyscall(struct g *gp)
{
	return atomic_load_relaxed(&gp->atomicstatus) == _Gsyscall;
}

/* On the G that called entersyscall, which holds no P. */
void exitsyscall(void)
{
	struct g *gp = getg();
	if (!insyscall(gp))
		throw("exitsyscall: syscall frame is no longer valid");
	exitsyscall1(gp);
}

void sl_syscall_begin(void)
{
	if (!is_user_g())
		return; /* not a goroutine: nothing to release */
	entersyscall();
}

static NORETURN __attribute__((noinline, cold)) void syscall_end_unpaired(struct g *gp)
{
	print("schedlab: sl_syscall_end without sl_syscall_begin (goroutine %lld)\n",
	      (long long)gp->goid);
	throw("exitsyscall: syscall frame is no longer valid");
}

void sl_syscall_end(void)
{
	if (!is_user_g())
		return;
	struct g *gp = getg();
	if (__builtin_expect(!insyscall(gp), 0))
		syscall_end_unpaired(gp);
	exitsyscall1(gp);
}
