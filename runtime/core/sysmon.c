/*
 * sysmon.c: the system monitor, on an M of its own without a P (Go's
 * sysmon). It does not count for deadlock detection. Every tick it
 *
 *  - retakes Ps from Ms that have sat in a syscall for a tick (20 us) or
 *    more, and hands them off (handoffp) so their work keeps running;
 *  - asks a goroutine that has held its P for more than 10 ms to yield
 *    (g->preempt). Preemption is cooperative: the request is honoured at the
 *    goroutine's next runtime call (preemptcheck); a loop that never calls
 *    into the runtime is never preempted;
 *  - starts an M when a timer is overdue and no M is handling timers;
 *  - scavenges: every SCAVENGE_PERIOD_NS (1 s) a pass of stackscavenge
 *    (stack.c) marks the free stacks nobody took since the last pass, and
 *    the ticks after it release them a batch a tick (Go's background
 *    scavenger, paced so that sysmon never stalls for long);
 *  - prints schedtrace when SL_DEBUG asks for it.
 *
 * It starts at 20 us between ticks and, after 50 idle ticks (nothing
 * retaken or preempted), doubles the sleep up to 10 ms, as Go's does.
 */
#include "runtime.h"
#include "race_annot.h"

#include <string.h>

#define FORCE_PREEMPT_NS   (10 * 1000 * 1000)
#define SCAVENGE_PERIOD_NS (1000 * 1000 * 1000)

/* What sysmon saw of a P at its last look (Go's sysmontick). Owned by the
 * sysmon thread. */
static struct {
	uint32_t schedtick;
	int64_t schedwhen;
	uint32_t syscalltick;
	int64_t syscallwhen;
} pdata[SL_MAX_GOMAXPROCS];

/*
 * Give away pp, just taken from a syscall or being left by its M: start an
 * M for it if it has work or nobody else is looking for work; otherwise put
 * it on the idle list (or stop it, if the world is stopping). No locks held.
 */
void handoffp(struct p *pp)
{
	if (!runqempty(pp) || atomic_load(&sched.runqsize) != 0) {
		startm(pp, false);
		return;
	}
	if (atomic_load(&sched.nmspinning) + atomic_load(&sched.npidle) == 0 &&
	    atomic_cas(&sched.nmspinning, 0, 1)) {
		atomic_store(&sched.needspinning, 0); /* the spinner takes it over */
		startm(pp, true);
		return;
	}
	lock(&sched.lock);
	if (atomic_load(&sched.gcwaiting)) {
		setpstatus(pp, _Pgcstop);
		if (--sched.stopwait == 0)
			notewakeup(&sched.stopnote);
		unlock(&sched.lock);
		return;
	}
	if (sched.runqsize != 0) {
		unlock(&sched.lock);
		startm(pp, false);
		return;
	}
	/*
	 * A spinner found work and no idle P to start another spinner on
	 * (needspinning, proc.c's startm): pp is that P. We read nmspinning
	 * above without the lock and may have seen that very spinner, so the
	 * flag, read here under sched.lock as findrunnable reads it before its
	 * own pidleput, is what tells us; without it pp would go idle while
	 * work waits on a running P (the fuzz seed
	 * procresize/regress_handoffp_needspinning).
	 */
	if (atomic_load(&sched.needspinning)) {
		atomic_store(&sched.needspinning, 0);
		atomic_xadd(&sched.nmspinning, 1);
		unlock(&sched.lock);
		startm(pp, true);
		return;
	}
	/* The last P with timers must not go idle unwatched. */
	if (atomic_load(&pp->timer0When) != 0 && !atomic_load(&sched.tsleeping)) {
		unlock(&sched.lock);
		startm(pp, false);
		return;
	}
	pidleput(pp);
	unlock(&sched.lock);
}

/* Ask the G running on pp to yield at its next runtime call, and end pp's
 * time slice at its next schedule (so that Gs handing the P to each other
 * through runnext, which inherit the slice, let the others run even if
 * none of them reaches a preemption point). Racy by design: the G may have
 * moved on, and then some other G yields once. */
NO_SANITIZE_THREAD static void preemptone(struct p *pp)
{
	lock(&sched.lock);
	struct m *mp = pp->m;
	struct g *gp = mp ? mp->curg : NULL;
	if (gp) /* a plain store: TSan instruments atomics even here */
		*(volatile bool *)&gp->preempt = true;
	atomic_store_relaxed(&pp->preempt, true);
	unlock(&sched.lock);
}

/* One pass over the Ps. Returns how many were retaken or preempted. It
 * samples other Ms' ticks without synchronizing, as Go's does: schedtick,
 * which its P's M bumps with plain stores, through RACE_BENIGN_READ (a stale
 * value only delays a preemption by one pass); syscalltick, whose writers
 * are atomic, with a relaxed load. Its atomics order the retake itself (the
 * status CAS), so the function stays instrumented for the race detector. */
static int retake(int64_t now)
{
	int n = 0;
	int32_t procs = atomic_load(&gomaxprocs);
	for (int32_t i = 0; i < procs; i++) {
		struct p *pp = atomic_load(&allp[i]);
		uint32_t s = atomic_load(&pp->status);
		if (s == _Prunning || s == _Psyscall) {
			uint32_t t = RACE_BENIGN_READ(*(volatile uint32_t *)&pp->schedtick);
			if (pdata[i].schedtick != t) {
				pdata[i].schedtick = t;
				pdata[i].schedwhen = now;
			} else if (pdata[i].schedwhen + FORCE_PREEMPT_NS <= now) {
				preemptone(pp);
				n++;
			}
		}
		if (s != _Psyscall)
			continue;
		uint32_t t = atomic_load_relaxed(&pp->syscalltick);
		if (pdata[i].syscalltick != t) {
			/* A new syscall since the last look: give it a tick. */
			pdata[i].syscalltick = t;
			pdata[i].syscallwhen = now;
			continue;
		}
		/* Nothing to run there and others are looking for work: let the
		 * syscall keep its P for up to 10 ms. */
		if (runqempty(pp) &&
		    atomic_load(&sched.nmspinning) + atomic_load(&sched.npidle) > 0 &&
		    pdata[i].syscallwhen + 10 * 1000 * 1000 > now)
			continue;
		/* Count ourselves as running while the P is in our hands, or the M
		 * leaving the syscall could go idle and report a deadlock. */
		incidlelocked(-1);
		if (caspstatus(pp, _Psyscall, _Pidle)) {
			atomic_xadd(&pp->syscalltick, 1);
			handoffp(pp);
			n++;
		}
		incidlelocked(1);
	}
	return n;
}

void sysmon(void)
{
	lock(&sched.lock);
	sched.nmsys++;
	checkdead();
	unlock(&sched.lock);

	int64_t lasttrace = os_nanotime();
	int64_t lastscavenge = lasttrace;
	bool scavenging = false; /* idle stacks left to release */
	uint32_t idle = 0, delay = 0;
	for (;;) {
		if (idle == 0)
			delay = 20;
		else if (idle > 50)
			delay *= 2;
		if (delay > 10 * 1000)
			delay = 10 * 1000;
		os_usleep(delay);
		int64_t now = os_nanotime();

		/* Overdue timers and nobody to run them: wake an M. */
		int64_t next = nextTimerWhen();
		if (next != 0 && next < now && !atomic_load(&sched.tsleeping) &&
		    atomic_load(&sched.npidle) > 0 && atomic_load(&sched.nmspinning) == 0)
			startm(NULL, false);

		if (retake(now))
			idle = 0;
		else
			idle++;

		bool pass = now - lastscavenge >= SCAVENGE_PERIOD_NS;
		if (pass || scavenging) {
			if (pass)
				lastscavenge = now;
			scavenging = stackscavenge(pass);
		}

		if (debug.schedtrace > 0 &&
		    now - lasttrace >= (int64_t)debug.schedtrace * 1000000) {
			lasttrace = now;
			schedtrace(debug.scheddetail > 0);
		}
	}
}

void sysmon_teardown(void)
{
	memset(pdata, 0, sizeof pdata);
}
