/*
 * sim_props.c: the global properties the simulator checks at every
 * scheduling point of every run, whatever the program (the fuzz targets
 * need no code of their own for them):
 *
 *  - work conservation, Go's wakep promise: while some P is idle and no M
 *    spins, no G stays runnable for longer than SIM_PROP_BOUND in a queue
 *    an idle P's M could take it from (a _Prunning P's runnext or ring, the
 *    global queue);
 *  - timer lateness: while some P is idle (or the timer's own P is), no
 *    timer stays in a heap more than SIM_PROP_BOUND past its `when`;
 *  - liveness: when the simulator stops a run that went on too long, the
 *    report names the runnable G that has waited longest (sim_props_starving).
 *
 * Both bounds are in virtual time and hold continuously: a condition is
 * timed from the check at which it was first seen (in fact from the check
 * before, so that a clock jump over an idle stretch counts in full: while
 * every thread sleeps nothing changes, and nobody will act), and forgotten
 * as soon as one check finds it false.
 *
 * Why 10 ms. Every legitimate wait here is a handful of scheduling points:
 * the readier's wakep after its runqput, the delicate recheck of an M that
 * stops spinning, the timer sleeper's wake-up, pidleget and checkTimers. A
 * point costs 50 ns, but the simulator may leave a runnable thread unrun
 * for up to SIM_STARVE = 20000 steps (1 ms) before it must run it, and under
 * PCT each of up to 7 priority change points (the fuzz header's depth 8;
 * all of them within the first pct_steps) can demote the thread that is in
 * such a window once more. 10 ms is above that sum and far below the
 * 100 ms of a fuzz run's 2 million steps, so a real violation fails within
 * a fifth of a run.
 *
 * Not checked, as Go does not promise it there: during a stop-the-world
 * (gcwaiting: procresize, schedcheck), in the queues of a P in _Psyscall
 * (sysmon's retake is that G's rescue, with its own bound), and outside the
 * main function (the bootstrap, and the teardown after main returned).
 *
 * The state here is the simulator's, like os_sim.c's: one run at a time,
 * touched only by the running simulated thread. It reads the runtime's
 * shared state without its locks, which is safe because only one simulated
 * thread runs and this code has no scheduling point; a timer heap whose
 * lock is held may be mid-update, so it is read only once the lock is free
 * (its cached earliest `when` stands until then).
 */
#include "runtime.h"
#include "schedlab_sim.h"
#include "sim_props.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A plain load of the runtime's shared state. Not atomic.h's, which in the
 * fine build (SL_SIM_FINE) is itself a scheduling point: the checks run
 * inside os_schedpoint and must make none. */
#define LD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

/* When each G (by allgindex) last became runnable. */
struct since {
	uint64_t step;
	int64_t t;
};

static struct {
	bool on;	  /* main runs: check (sim_props_main) */
	int64_t prev_now; /* the clock at the previous check */
	/* Work conservation: since when (prev_now of the first check that saw
	 * it) an idle P, no spinning M and a stealable G were seen at every
	 * check; -1 while not. */
	int64_t wc_from;
	/* Timer lateness: since when an overdue timer and an idle P were seen
	 * at every check; -1 while not. */
	int64_t tl_from;
	/* The earliest `when` over every entry of P i's heap (0: none), valid
	 * unless tdirty[i]; tmin/tmin_p: the least over the first tmin_n Ps,
	 * valid unless tany. A heap is rescanned whole, never trusted to be
	 * ordered, so that a disordered heap's overdue timer is seen. */
	bool tany;
	int32_t tmin_n, tmin_p;
	int64_t tmin;
	bool tdirty[SL_MAX_GOMAXPROCS];
	int64_t pmin[SL_MAX_GOMAXPROCS];
	/* How many Gs of allgs are _Grunnable (the status hook counts them).
	 * With none, no queue holds a G, and work conservation scans
	 * nothing. */
	int32_t ngrunnable;
	/* runnable[allgindex], grown as allgs grows. */
	struct since *runnable;
	int32_t nrunnable;
} PS;

void sim_props_run_begin(void)
{
	struct since *keep = PS.runnable;
	int32_t n = PS.nrunnable;
	memset(&PS, 0, sizeof PS);
	if (keep)
		memset(keep, 0, (size_t)n * sizeof *keep);
	PS.runnable = keep;
	PS.nrunnable = n;
	PS.wc_from = PS.tl_from = -1;
	PS.tany = true;
	for (int i = 0; i < SL_MAX_GOMAXPROCS; i++)
		PS.tdirty[i] = true;
}

void sim_props_main(int on)
{
	PS.on = on != 0;
	PS.wc_from = PS.tl_from = -1;
	PS.prev_now = os_nanotime();
}

/* ---- the hooks ---- */

/* gp changed status: count the runnable Gs, and note when each became
 * runnable. Gs not on allgs (a fuzz target's fake ones) are left out. */
void sim_g_status(struct g *gp, uint32_t oldval, uint32_t newval)
{
	if (oldval != _Grunnable && newval != _Grunnable)
		return;
	int32_t i = gp->allgindex;
	if (i < 0 || i >= allglen || allgs[i] != gp)
		return;
	if (oldval == _Grunnable)
		PS.ngrunnable--;
	if (newval != _Grunnable)
		return;
	PS.ngrunnable++;
	if (i >= PS.nrunnable) {
		int32_t n = PS.nrunnable ? PS.nrunnable : 1024;
		while (n <= i)
			n *= 2;
		struct since *r = realloc(PS.runnable, (size_t)n * sizeof *r);
		if (!r)
			sim_fail("out of memory for the runnable times");
		memset(r + PS.nrunnable, 0, (size_t)(n - PS.nrunnable) * sizeof *r);
		PS.runnable = r;
		PS.nrunnable = n;
	}
	PS.runnable[i] = (struct since){sl_sim_steps(), os_nanotime()};
}

void sim_timers_changed(struct p *pp)
{
	if (pp->id >= 0 && pp->id < SL_MAX_GOMAXPROCS)
		PS.tdirty[pp->id] = true;
	PS.tany = true;
}

/* ---- naming ---- */

static struct since since_of(struct g *gp)
{
	int32_t i = gp->allgindex;
	if (i >= 0 && i < PS.nrunnable && i < allglen && allgs[i] == gp)
		return PS.runnable[i];
	return (struct since){0, 0};
}

/* A candidate: a queued G, where it is, and since when it is runnable. */
struct cand {
	struct g *gp;
	int32_t p; /* its P, or -1: the global queue */
	bool next; /* in the P's runnext */
	struct since s;
};

static void consider(struct cand *best, struct g *gp, int32_t p, bool next)
{
	if (!gp)
		return;
	struct since s = since_of(gp);
	if (!best->gp || s.t < best->s.t || (s.t == best->s.t && s.step < best->s.step))
		*best = (struct cand){gp, p, next, s};
}

/* The ring's Gs from its head, at most `max` of them (the head is the
 * oldest but for a globrunqget batch: scan more when naming). */
static void consider_ring(struct cand *best, struct p *pp, uint32_t max)
{
	uint32_t h = LD(pp->runqhead), t = LD(pp->runqtail);
	uint32_t n = t - h;
	if (n > RUNQ_SIZE)
		return; /* mid-update: nothing to trust */
	for (uint32_t k = 0; k < n && k < max; k++)
		consider(best, LD(pp->runq[(h + k) % RUNQ_SIZE]), pp->id, false);
}

static void describe(char *buf, size_t n, const struct cand *c)
{
	char where[48];
	if (c->p < 0)
		snprintf(where, sizeof where, "the global queue");
	else
		snprintf(where, sizeof where, "P%d's %s", c->p, c->next ? "runnext" : "ring");
	snprintf(buf, n, "g%lld in %s, runnable since step %llu (t=%lld ns)",
		 (long long)c->gp->goid, where, (unsigned long long)c->s.step, (long long)c->s.t);
}

void sim_props_starving(char *buf, size_t n)
{
	struct cand best = {0};
	int32_t np = LD(gomaxprocs);
	for (int32_t i = 0; i < np && i < SL_MAX_GOMAXPROCS; i++) {
		struct p *pp = allp[i];
		if (!pp)
			continue;
		consider(&best, LD(pp->runnext), i, true);
		consider_ring(&best, pp, RUNQ_SIZE);
	}
	int32_t left = 100000; /* a corrupt list must not hang the report */
	for (struct g *gp = sched.runq.head; gp && left-- > 0; gp = gp->schedlink)
		consider(&best, gp, -1, false);
	if (best.gp)
		describe(buf, n, &best);
	else
		snprintf(buf, n, "no G is runnable in a queue");
}

/* ---- work conservation ---- */

/* The oldest G that an idle P's M could take now: in a _Prunning P's
 * runnext or ring (the ring's head, its oldest), or the global queue's
 * head. None: best->gp stays NULL. */
static void stealable(struct cand *best)
{
	int32_t np = LD(gomaxprocs);
	for (int32_t i = 0; i < np && i < SL_MAX_GOMAXPROCS; i++) {
		struct p *pp = allp[i];
		if (!pp || LD(pp->status) != _Prunning)
			continue;
		consider(best, LD(pp->runnext), i, true);
		consider_ring(best, pp, 1);
	}
	if (LD(sched.runqsize) > 0)
		consider(best, sched.runq.head, -1, false);
}

static NORETURN void wc_fail(const struct cand *c, int64_t waited)
{
	int idle = sched.pidle ? sched.pidle->id : -1; /* the first idle P */
	char g[160], buf[400];
	describe(g, sizeof g, c);
	snprintf(buf, sizeof buf,
		 "work conservation: %s, has waited %lld ns while P%d is idle and no M spins "
		 "(bound %lld ns)",
		 g, (long long)waited, idle, (long long)SIM_PROP_BOUND);
	sim_fail(buf);
}

static void wc_check(int64_t now)
{
	if (PS.ngrunnable <= 0 || LD(sched.npidle) == 0 || LD(sched.nmspinning) != 0) {
		PS.wc_from = -1;
		return;
	}
	struct cand c = {0};
	stealable(&c);
	if (!c.gp) {
		PS.wc_from = -1;
		return;
	}
	if (PS.wc_from < 0)
		PS.wc_from = PS.prev_now;
	int64_t from = c.s.t > PS.wc_from ? c.s.t : PS.wc_from;
	if (now - from > SIM_PROP_BOUND)
		wc_fail(&c, now - from);
}

/* ---- timer lateness ---- */

/* P i's earliest `when`, over every entry of its heap (0: none). */
static int64_t heapmin(struct p *pp, int32_t *at)
{
	int64_t min = 0;
	for (int32_t k = 0; k < pp->ntimers; k++) {
		int64_t w = pp->timers[k]->when;
		if (min == 0 || w < min) {
			min = w;
			*at = k;
		}
	}
	return min;
}

/* Bring tmin up to date with the heaps whose lock is free. */
static void tmin_refresh(int32_t np)
{
	if (!PS.tany && np == PS.tmin_n)
		return;
	bool stale = false;
	int64_t min = 0;
	int32_t minp = -1;
	for (int32_t i = 0; i < np && i < SL_MAX_GOMAXPROCS; i++) {
		struct p *pp = allp[i];
		if (!pp)
			continue;
		if (PS.tdirty[i]) {
			if (LD(pp->timersLock.key) != 0) {
				stale = true; /* mid-update: the old value stands */
			} else {
				int32_t at;
				PS.pmin[i] = heapmin(pp, &at);
				PS.tdirty[i] = false;
			}
		}
		if (PS.pmin[i] != 0 && (min == 0 || PS.pmin[i] < min)) {
			min = PS.pmin[i];
			minp = i;
		}
	}
	PS.tmin = min;
	PS.tmin_p = minp;
	PS.tmin_n = np;
	PS.tany = stale;
}

static NORETURN void tl_fail(int64_t late)
{
	struct p *pp = allp[PS.tmin_p];
	int32_t at = 0;
	heapmin(pp, &at);
	struct timer *t = pp->timers[at];
	char what[64], buf[400];
	if (t->counted)
		snprintf(what, sizeof what, "an sl_timer");
	else
		snprintf(what, sizeof what, "g%lld's sleep", (long long)((struct g *)t->arg)->goid);
	int idle = LD(pp->status) == _Pidle ? pp->id : -1;
	for (struct p *q = sched.pidle; q && idle < 0; q = q->link)
		idle = q->id;
	char sleeper[64] = "no M sleeps for timers";
	if (LD(sched.tsleeping))
		snprintf(sleeper, sizeof sleeper, "the timer sleeper waits for t=%lld ns",
			 (long long)LD(sched.tsleepuntil));
	snprintf(buf, sizeof buf,
		 "timer late: %s, due at t=%lld ns in P%d's heap (entry %d of %d), has not fired "
		 "%lld ns later while P%d is idle; %s (bound %lld ns)",
		 what, (long long)t->when, pp->id, at, pp->ntimers, (long long)late, idle, sleeper,
		 (long long)SIM_PROP_BOUND);
	sim_fail(buf);
}

static void tl_check(int64_t now)
{
	int32_t np = LD(gomaxprocs);
	tmin_refresh(np);
	if (PS.tmin == 0 || PS.tmin > now) {
		PS.tl_from = -1;
		return;
	}
	if (LD(sched.npidle) == 0 && LD(allp[PS.tmin_p]->status) != _Pidle) {
		PS.tl_from = -1; /* every P busy: sysmon's, not an idle M's */
		return;
	}
	if (PS.tl_from < 0)
		PS.tl_from = PS.prev_now;
	int64_t from = PS.tmin > PS.tl_from ? PS.tmin : PS.tl_from;
	if (now - from > SIM_PROP_BOUND)
		tl_fail(now - from);
}

/* ---- the check ---- */

void sim_props_check(int64_t now)
{
	if (!PS.on)
		return;
	if (LD(sched.gcwaiting)) {
		PS.wc_from = PS.tl_from = -1; /* the world stops: no promise */
	} else {
		wc_check(now);
		tl_check(now);
	}
	PS.prev_now = now;
}
