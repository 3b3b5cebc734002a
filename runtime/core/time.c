/*
 * time.c: timers, sl_sleep, and the idle M that sleeps until the next timer.
 *
 * Every P keeps its timers in a 4-ary min-heap on `when` (as Go does), under
 * p->timersLock. A timer is added to the current P's heap; p->timer0When
 * (atomic) caches the earliest `when` so that the scheduler can skip the
 * lock when nothing is due. Due timers run in checkTimers, on the g0 of the M
 * that holds the P (or of an M stealing work from it), with no lock held:
 * a sleeping goroutine's timer readies it, a timer channel's sends to it.
 *
 * When an M finds no work and some P holds a timer, it does not park for
 * good: one such M (sched.tsleeping) sleeps on a futex until the earliest
 * timer is due, and adding an earlier timer wakes it. sysmon is the backstop
 * for timers on a P that is busy and never schedules.
 *
 * A timer can also deliver on a channel (sl_timer, Go's time.NewTimer): its
 * function does a non-blocking send of the time on a one-slot channel.
 *
 * procresize moves a destroyed P's timers to a surviving P (moveTimers),
 * keeping their `when`: none is lost, none fires early.
 */
#include "runtime.h"
#include "chan.h"
#include "schedlab.h"

#include <stdlib.h>

void timersinit(struct p *pp)
{
	lockInit(&pp->timersLock, lockRankTimers);
}

/* ---- the heap: pp->timersLock held ---- */

static void heapset(struct p *pp, int32_t i, struct timer *t)
{
	pp->timers[i] = t;
	t->idx = i;
}

static void siftup(struct p *pp, int32_t i)
{
	struct timer *t = pp->timers[i];
	while (i > 0) {
		int32_t parent = (i - 1) / 4;
		if (t->when >= pp->timers[parent]->when)
			break;
		heapset(pp, i, pp->timers[parent]);
		i = parent;
	}
	heapset(pp, i, t);
}

static void siftdown(struct p *pp, int32_t i)
{
	int32_t n = pp->ntimers;
	struct timer *t = pp->timers[i];
	for (;;) {
		int32_t c = 4 * i + 1, best = -1;
		for (int32_t k = c; k < c + 4 && k < n; k++)
			if (best < 0 || pp->timers[k]->when < pp->timers[best]->when)
				best = k;
		if (best < 0 || pp->timers[best]->when >= t->when)
			break;
		heapset(pp, i, pp->timers[best]);
		i = best;
	}
	heapset(pp, i, t);
}

/* The simulation's timer-lateness property (os/sim's sim_props.c) rescans
 * a heap after every change; nothing in the real build (SIMHOOK). */
void sim_timers_changed(struct p *pp);

/* Every change of the heap ends here. */
static void update_timer0(struct p *pp)
{
	atomic_store(&pp->timer0When, pp->ntimers ? pp->timers[0]->when : 0);
	SIMHOOK(sim_timers_changed(pp));
}

static void heappush(struct p *pp, struct timer *t)
{
	if (pp->ntimers == pp->captimers) {
		int32_t cap = pp->captimers ? 2 * pp->captimers : 16;
		struct timer **n = realloc(pp->timers, (size_t)cap * sizeof *n);
		if (!n) {
			print("runtime: out of memory: cannot grow P%d's timer heap to %d timers\n",
			      pp->id, cap);
			throw("out of memory");
		}
		pp->timers = n;
		pp->captimers = cap;
	}
	atomic_store(&t->pp, pp);
	heapset(pp, pp->ntimers++, t);
	siftup(pp, t->idx);
	update_timer0(pp);
}

static void heapremove(struct p *pp, struct timer *t)
{
	int32_t i = t->idx, last = --pp->ntimers;
	if (i != last) {
		heapset(pp, i, pp->timers[last]);
		siftdown(pp, i);
		siftup(pp, pp->timers[i]->idx);
	}
	atomic_store(&t->pp, NULL);
	t->idx = -1;
	update_timer0(pp);
}

/* ---- operations ---- */

/*
 * Add t, which is in no heap, to the current P's heap, and make sure an
 * idle M wakes in time for it. On a goroutine or g0 holding a P.
 */
void addtimer(struct timer *t)
{
	if (t->when < 0)
		t->when = INT64_MAX; /* overflowed: never */
	if (atomic_load(&t->pp))
		throw("addtimer called with initialized timer");
	/* Once the lock drops, t may fire on another M and its memory (a
	 * sleeper's stack, say) be reused: read when first. */
	int64_t when = t->when;
	struct p *pp = getm()->p;
	lock(&pp->timersLock);
	heappush(pp, t);
	unlock(&pp->timersLock);
	wakeTimerSleeper(when);
}

/* Remove t from whatever heap holds it. Reports whether it was pending (so
 * that it will not run). Any goroutine. */
bool deltimer(struct timer *t)
{
	for (;;) {
		struct p *pp = atomic_load(&t->pp);
		if (!pp)
			return false; /* already ran, or never added */
		lock(&pp->timersLock);
		if (atomic_load(&t->pp) == pp) {
			heapremove(pp, t);
			unlock(&pp->timersLock);
			return true;
		}
		/* It moved (procresize) or ran meanwhile: look again. */
		unlock(&pp->timersLock);
	}
}

/*
 * Run pp's due timers. Returns the time used (now, or the time read here when
 * now is 0) so that callers can reuse it. On g0 holding a P (pp itself or,
 * when stealing, another), with no locks held; f runs unlocked.
 */
int64_t checkTimers(struct p *pp, int64_t now)
{
	int64_t next = atomic_load(&pp->timer0When);
	if (next == 0)
		return now;
	if (now == 0)
		now = os_nanotime();
	if (next > now)
		return now;
	lock(&pp->timersLock);
	while (pp->ntimers > 0 && pp->timers[0]->when <= now) {
		struct timer *t = pp->timers[0];
		void (*f)(void *, uintptr_t) = t->f;
		void *arg = t->arg;
		uintptr_t seq = t->seq;
		/* Counted before heapremove publishes pp = NULL: an owner that
		 * sees the timer gone then sees this call in flight too. */
		bool counted = t->counted;
		if (counted)
			atomic_xadd(&t->firing, 1);
		if (t->period > 0) {
			/* Periodic: the next multiple of period after now. */
			t->when += t->period * (1 + (now - t->when) / t->period);
			if (t->when < 0)
				t->when = INT64_MAX;
			siftdown(pp, 0);
			update_timer0(pp);
		} else {
			heapremove(pp, t);
		}
		unlock(&pp->timersLock);
		f(arg, seq);
		if (counted)
			atomic_xadd(&t->firing, -1);
		lock(&pp->timersLock);
	}
	unlock(&pp->timersLock);
	return now;
}

/* Move every timer of from (being destroyed) to to, one lock at a time
 * (timer locks do not nest). World stopped, sched.lock held. */
void moveTimers(struct p *to, struct p *from)
{
	lock(&from->timersLock);
	int32_t n = from->ntimers;
	struct timer **moving = from->timers;
	from->timers = NULL;
	from->ntimers = from->captimers = 0;
	update_timer0(from);
	unlock(&from->timersLock);
	lock(&to->timersLock);
	for (int32_t i = 0; i < n; i++) {
		atomic_store(&moving[i]->pp, NULL);
		heappush(to, moving[i]);
	}
	unlock(&to->timersLock);
	free(moving);
}

/* The earliest timer on any P, or 0. Racy snapshot; any thread. */
int64_t nextTimerWhen(void)
{
	int64_t next = 0;
	int32_t n = atomic_load(&gomaxprocs);
	for (int32_t i = 0; i < n; i++) {
		struct p *pp = atomic_load(&allp[i]);
		int64_t w = pp ? atomic_load(&pp->timer0When) : 0;
		if (w != 0 && (next == 0 || w < next))
			next = w;
	}
	return next;
}

/* ---- the timer sleeper ---- */

/*
 * Sleep, without a P, until `until` or until a timer due earlier is added.
 * Only one M sleeps here at a time; returns false at once if another does.
 * Called by an idle M in findrunnable.
 */
bool timerSleep(int64_t until)
{
	if (!atomic_cas(&sched.tsleeping, 0, 1))
		return false;
	uint32_t gen = atomic_load(&sched.tgen);
	atomic_store(&sched.tsleepuntil, until);
	/* A timer added before we published ourselves did not wake us. */
	int64_t next = nextTimerWhen();
	if (next != 0 && next < until)
		until = next;
	int64_t left = until - os_nanotime();
	if (left > 0)
		os_futexsleep(&sched.tgen, gen, left);
	atomic_store(&sched.tsleeping, 0);
	return true;
}

/* A timer due at `when` was added: wake the sleeper if it would sleep
 * through it. Any thread. */
void wakeTimerSleeper(int64_t when)
{
	if (atomic_load(&sched.tsleeping) && when < atomic_load(&sched.tsleepuntil)) {
		atomic_xadd(&sched.tgen, 1);
		os_futexwakeup(&sched.tgen, 1);
	}
}

/* ---- sleeping goroutines ---- */

/* The time ns from now (now itself for ns <= 0); past the end of int64
 * time, INT64_MAX: never, in practice. */
static int64_t when_after(int64_t ns)
{
	int64_t now = os_nanotime(), when;
	if (ns <= 0)
		return now;
	return __builtin_add_overflow(now, ns, &when) ? INT64_MAX : when;
}

static void goroutineReady(void *arg, uintptr_t seq)
{
	(void)seq;
	goready(arg);
}

/* gopark's unlockf: the G is parked, so its timer may fire now. */
static bool resetForSleep(struct g *gp, void *arg)
{
	(void)gp;
	addtimer(arg);
	return true;
}

void sl_sleep(int64_t ns)
{
	if (ns <= 0) {
		preemptcheck();
		return;
	}
	if (!is_user_g()) {
		os_usleep((uint32_t)(ns / 1000 > UINT32_MAX ? UINT32_MAX : ns / 1000));
		return;
	}
	struct timer t = {0};
	t.when = when_after(ns);
	t.f = goroutineReady;
	t.arg = getg();
	t.idx = -1;
	gopark(resetForSleep, &t, waitReasonSleep, &t);
}

/* ---- timers that deliver on a channel ---- */

struct sl_timer {
	struct timer t;
	sl_chan *c; /* capacity 1, int64_t: the time it fired */
	/* Serializes sl_timer_stop and sl_timer_reset on this timer. Reset is
	 * a delete then an add; two resets at once would both find the timer
	 * gone and both push it (addtimer's check and heappush are not one
	 * step), so each holds op across both. Go allows concurrent Reset. */
	mutex op;
};

/* The timer function: on g0, with a P and no locks. A full channel (the
 * last value not yet received) drops this one, as Go's sendTime does. */
static void sendTime(void *arg, uintptr_t seq)
{
	(void)seq;
	struct sl_timer *st = arg;
	int64_t now = os_nanotime();
	chansend_nb((struct hchan *)st->c, &now);
}

static bool on_goroutine(const char *what)
{
	if (is_user_g() && getm()->p)
		return true;
	print("schedlab: %s must be called from a goroutine\n", what);
	return false;
}

static void timer_start(struct sl_timer *st, int64_t ns)
{
	st->t.when = when_after(ns);
	addtimer(&st->t);
}

sl_timer *sl_timer_new(int64_t ns)
{
	if (!on_goroutine("sl_timer_new"))
		return NULL;
	struct sl_timer *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	st->c = sl_chan_make(sizeof(int64_t), 1);
	if (!st->c) {
		free(st);
		return NULL;
	}
	lockInit(&st->op, lockRankTimerOp);
	st->t.f = sendTime;
	st->t.arg = st;
	st->t.idx = -1;
	st->t.counted = true;
	timer_start(st, ns);
	return st;
}

/* A NULL timer is a caller's mistake: say so, and do nothing. */
static bool timer_given(const sl_timer *st, const char *what)
{
	if (st)
		return true;
	print("schedlab: %s called with a NULL timer\n", what);
	return false;
}

sl_chan *sl_timer_chan(sl_timer *st)
{
	return timer_given(st, "sl_timer_chan") ? st->c : NULL;
}

bool sl_timer_stop(sl_timer *st)
{
	if (!timer_given(st, "sl_timer_stop"))
		return false;
	lock(&st->op);
	bool active = deltimer(&st->t);
	unlock(&st->op);
	return active;
}

bool sl_timer_reset(sl_timer *st, int64_t ns)
{
	if (!timer_given(st, "sl_timer_reset") || !on_goroutine("sl_timer_reset"))
		return false;
	lock(&st->op);
	bool active = deltimer(&st->t);
	timer_start(st, ns);
	unlock(&st->op);
	return active;
}

void sl_timer_free(sl_timer *st)
{
	if (!st)
		return;
	deltimer(&st->t);
	/* A send that checkTimers began before the delete still uses st. */
	while (atomic_load(&st->t.firing) != 0)
		os_osyield();
	sl_chan_free(st->c);
	free(st);
}
