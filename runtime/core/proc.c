/*
 * proc.c: the scheduler.
 *
 * The design is Go's (runtime/proc.go). Gs are goroutines, Ms are OS threads,
 * Ps are the gomaxprocs tokens an M must hold to run Gs. Each P has a local
 * run queue (runq.c); there is one global queue. An M with a P loops in
 * schedule(): find a runnable G (local runnext and ring, every 61st tick the
 * global queue first, then the global queue, then steal from other Ps), run
 * it until it yields, parks or exits, and come back here on its g0 stack.
 *
 * Idle Ms sleep on their m->park note (stopm) and idle Ps sit on sched.pidle.
 * Readying a G while a P is idle and no M is spinning starts a spinning M
 * (wakep), which either finds the work or, before parking, rechecks every run
 * queue. The rule that keeps wakeups from being lost (Go's): a spinning M
 * that finds work calls wakep again when it stops spinning, and an M that
 * stops spinning without work rechecks all queues after dropping its P.
 *
 * Locks: sched.lock guards the idle lists, the global queue and the STW
 * counters; it is always taken before allglock, sched.gFree.lock and
 * stackpool.lock (lock.c checks the order in debug builds). Fields read
 * without it (npidle, nmspinning, runqsize, gcwaiting, p->status) are
 * atomic.
 */
#include "runtime.h"
#include "direct.h"
#include "forked.h"

#include <stdlib.h>
#include <string.h>

struct schedt sched;
struct m m0;
struct g g0_m0;
struct p *allp[SL_MAX_GOMAXPROCS];
int32_t allpcount;
int32_t gomaxprocs;
int32_t newprocs;
int32_t ncpu;
struct m *allm;
bool islibrary;
bool mainStarted;

/* ---- random numbers and steal order ---- */

const char *pstatusname(uint32_t s)
{
	static const char *const names[] = {"_Pidle", "_Prunning", "_Psyscall", "_Pgcstop",
					    "_Pdead"};
	return s <= _Pdead ? names[s] : "???";
}

uint32_t fastrand(void)
{
	struct m *mp = getm();
	uint64_t x = mp->fastrand;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	mp->fastrand = x;
	return (uint32_t)(x >> 32);
}

/*
 * Go's randomOrder: visit every P exactly once starting from a random one,
 * stepping by a random increment coprime with the count. Reset by procresize
 * with the world stopped; read by stealing Ms.
 */
static struct {
	uint32_t count;
	uint32_t ncoprimes;
	uint32_t coprimes[SL_MAX_GOMAXPROCS];
} stealOrder;

static uint32_t gcd(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static void stealOrder_reset(uint32_t count)
{
	stealOrder.count = count;
	stealOrder.ncoprimes = 0;
	for (uint32_t i = 1; i <= count; i++)
		if (gcd(i, count) == 1)
			stealOrder.coprimes[stealOrder.ncoprimes++] = i;
}

/* ---- Ms ---- */

int32_t mcount(void)
{
	return (int32_t)(sched.mnext - sched.nmfreed);
}

/* sched.lock held. */
static void checkmcount(void)
{
	if (mcount() > sched.maxmcount) {
		print("runtime: program exceeds %d-thread limit\n", sched.maxmcount);
		throw("thread exhaustion");
	}
}

/* Go's debug.SetMaxThreads. */
void setmaxmcount(int32_t n)
{
	lock(&sched.lock);
	sched.maxmcount = n;
	checkmcount();
	unlock(&sched.lock);
}

/* Count one more M and return its id (Go's mReserveID). sched.lock held.
 * Reserving under the same lock hold that takes a P for the new M keeps
 * checkdead from seeing the P in use and no M counted to run it. */
static int64_t mReserveID(void)
{
	assertLockHeld(&sched.lock);
	int64_t id = sched.mnext++;
	checkmcount();
	return id;
}

/* Give mp an id (a reserved one, or a new one when id < 0), and link it on
 * allm. sched.lock held. */
static void mcommoninit_locked(struct m *mp, int64_t id)
{
	mp->id = id >= 0 ? id : mReserveID();
	mp->fastrand = (uint64_t)os_nanotime() * 0x9E3779B97F4A7C15ull ^ (uint64_t)(mp->id + 1);
	if (!mp->fastrand)
		mp->fastrand = 1;
	mp->alllink = allm;
	atomic_store(&allm, mp);
}

void mcommoninit(struct m *mp, int64_t id)
{
	lock(&sched.lock);
	mcommoninit_locked(mp, id);
	unlock(&sched.lock);
}

/* Put mp on the idle list; it is about to sleep. sched.lock held. */
void mput(struct m *mp)
{
	assertLockHeld(&sched.lock);
	mp->schedlink = sched.midle;
	sched.midle = mp;
	sched.nmidle++;
	checkdead();
}

/* An idle M, or NULL. sched.lock held. */
struct m *mget(void)
{
	assertLockHeld(&sched.lock);
	struct m *mp = sched.midle;
	if (mp) {
		sched.midle = mp->schedlink;
		mp->schedlink = NULL;
		sched.nmidle--;
	}
	return mp;
}

/* ---- Ps ---- */

/* Put pp, which has no work, on the idle list. sched.lock held. */
void pidleput(struct p *pp)
{
	assertLockHeld(&sched.lock);
	if (!runqempty(pp))
		throw("pidleput: P has non-empty run queue");
	pp->link = sched.pidle;
	sched.pidle = pp;
	atomic_store(&sched.npidle, sched.npidle + 1);
}

/* An idle P, or NULL. sched.lock held. */
struct p *pidleget(void)
{
	assertLockHeld(&sched.lock);
	struct p *pp = sched.pidle;
	if (pp) {
		sched.pidle = pp->link;
		pp->link = NULL;
		atomic_store(&sched.npidle, sched.npidle - 1);
	}
	return pp;
}

/* Associate pp with the current M. Go's checks and messages. */
void wirep(struct p *pp)
{
	struct g *gp = getg();
	if (gp->m->p)
		throw("wirep: already in go");
	uint32_t status = atomic_load(&pp->status);
	if (pp->m || status != _Pidle) {
		long long id = pp->m ? (long long)pp->m->id : -1;
		print("wirep: p->m=%p(%lld) p->status=%u\n", (void *)pp->m, id, status);
		throw("wirep: invalid p state");
	}
	gp->m->p = pp;
	pp->m = gp->m;
	setpstatus(pp, _Prunning);
	SCHEDPOINT("wirep");
}

void acquirep(struct p *pp)
{
	wirep(pp);
}

/* Disassociate the current M from its P; the P becomes _Pidle. */
struct p *releasep(void)
{
	struct g *gp = getg();
	struct p *pp = gp->m->p;
	if (!pp)
		throw("releasep: invalid arg");
	uint32_t status = atomic_load(&pp->status);
	if (pp->m != gp->m || status != _Prunning) {
		print("releasep: m=%p m->p=%p p->m=%p p->status=%u\n", (void *)gp->m, (void *)pp,
		      (void *)pp->m, status);
		throw("releasep: invalid p state");
	}
	gp->m->p = NULL;
	pp->m = NULL;
	setpstatus(pp, _Pidle);
	SCHEDPOINT("releasep");
	return pp;
}

/* ---- starting and stopping Ms ---- */

/*
 * Make a new M to run pp (or, with fn, to run fn without a P: sysmon), with
 * an id reserved by mReserveID or, if id < 0, a new one. The thread starts in
 * mstart. Any thread; takes sched.lock.
 */
void newm(void (*fn)(void), struct p *pp, bool spinning, int64_t id)
{
	/* Allocated and linked on allm in one hold of sched.lock, with no
	 * scheduling point in between: the simulation may end a run at any
	 * scheduling point of any thread, and its teardown frees what allm
	 * lists (sim.teardown's LeakSanitizer found an M lost in the gap). */
	lock(&sched.lock);
	struct m *mp = calloc(1, sizeof *mp);
	struct g *g0 = calloc(1, sizeof *g0);
	if (!mp || !g0) {
		print("runtime: out of memory: cannot allocate an M (%zu + %zu bytes)\n",
		      sizeof *mp, sizeof *g0);
		throw("out of memory");
	}
	g0->m = mp;
	g0->goid = -1;
	g0->atomicstatus = _Grunning;
	mp->g0 = g0;
	mp->mstartfn = fn;
	mp->nextp = pp;
	mp->spinning = spinning;
	mcommoninit_locked(mp, id);
	unlock(&sched.lock);
	os_newosproc(mp);
}

static void mstart1(void)
{
	struct m *mp = getg()->m;
	if (mp->mstartfn)
		mp->mstartfn();
	if (mp != &m0) {
		acquirep(mp->nextp);
		mp->nextp = NULL;
	}
	schedule();
}

/*
 * The entry of every M, on its own thread with g0 installed: learn g0's
 * stack, give TSan the thread's fiber, set up signals, then record where g0's
 * stack starts for mcall and enter mstart1 there. Never returns.
 */
void mstart(void)
{
	struct g *g0 = getg();
	struct m *mp = g0->m;
	if (mp != &m0)
		os_threadstack(&g0->stack.lo, &g0->stack.hi);
	g0->tsan_fiber = san_current_fiber();
	os_minit(mp);
	asm_mstart0(&g0->sched.sp, mstart1);
}

/*
 * Schedule some M to run pp (an idle P if pp is NULL). With spinning, the
 * caller has already counted the new M in nmspinning; if no P is available
 * the count is undone. Any thread.
 */
void startm(struct p *pp, bool spinning)
{
	lock(&sched.lock);
	if (!pp) {
		pp = pidleget();
		if (!pp) {
			/*
			 * wakep found work to start a spinner for, and no P:
			 * hand the duty to the next M that would idle its P
			 * (findrunnable checks needspinning under this lock
			 * before pidleput, so one of the two sees the other).
			 * The count wakep added for the spinner that will not
			 * be goes in the same critical section, not after it:
			 * while it stands, a spinner that finds work sees
			 * nmspinning != 0 in resetspinning and leaves the duty
			 * to us, so it must not outlive our flag, which that
			 * spinner's becomeSpinning may already have cleared
			 * (the fuzz seed procresize/regress_phantom_spinner).
			 */
			if (spinning) {
				atomic_store(&sched.needspinning, 1);
				if (atomic_xadd(&sched.nmspinning, -1) < 0)
					throw("startm: negative nmspinning");
			}
			unlock(&sched.lock);
			return;
		}
	}
	struct m *nmp = mget();
	if (!nmp) {
		int64_t id = mReserveID();
		unlock(&sched.lock);
		newm(NULL, pp, spinning, id);
		return;
	}
	unlock(&sched.lock);
	if (nmp->spinning)
		throw("startm: m is spinning");
	if (nmp->nextp)
		throw("startm: m has p");
	if (spinning && !runqempty(pp))
		throw("startm: p has runnable gs");
	nmp->spinning = spinning;
	nmp->nextp = pp;
	notewakeup(&nmp->park);
}

/*
 * Park the current M until startm (or startTheWorld) hands it a P, then
 * acquire that P. The M must hold no P, no lock, and not be spinning.
 */
void stopm(void)
{
	struct m *mp = getm();
	if (mp->locks) {
		checkforked();
		throw("stopm holding locks");
	}
	if (mp->p)
		throw("stopm holding p");
	if (mp->spinning)
		throw("stopm spinning");
	lock(&sched.lock);
	mput(mp);
	unlock(&sched.lock);
	atomic_store(&mp->blocked, true);
	notesleep(&mp->park);
	atomic_store(&mp->blocked, false);
	noteclear(&mp->park);
	acquirep(mp->nextp);
	mp->nextp = NULL;
}

/* The current M starts spinning: counted in nmspinning, and it takes over
 * whatever needspinning asked for, since a spinner rechecks every queue
 * before it gives up its P. */
static void becomeSpinning(struct m *mp)
{
	mp->spinning = true;
	atomic_xadd(&sched.nmspinning, 1);
	atomic_store(&sched.needspinning, 0);
}

/* Try to put one more M to work: there is a G to run and no M already
 * spinning to find it. With no idle P, leave needspinning for the next M
 * about to idle its P (startm). Any thread. */
void wakep_slow(void)
{
	if (atomic_load(&sched.nmspinning) != 0 || !atomic_cas(&sched.nmspinning, 0, 1))
		return;
	startm(NULL, true);
}

/* The current M stops spinning because it found work: if it was the last
 * spinner, start another so that remaining work is not stranded. */
static void resetspinning(void)
{
	struct m *mp = getm();
	if (!mp->spinning)
		throw("resetspinning: not a spinning m");
	mp->spinning = false;
	if (atomic_xadd(&sched.nmspinning, -1) < 0)
		throw("findrunnable: negative nmspinning");
	/*
	 * Not wakep(): its fast path returns when no P is idle, and that is
	 * the lost wakeup of Go 1.19 (golang/go#45867). While we spun, an M
	 * may have seen us and decided to idle its P without spinning, and
	 * Gs readied meanwhile saw us too and woke nobody. If that M has not
	 * idled its P yet, wakep_slow finds no idle P and sets needspinning,
	 * which that M reads under sched.lock before pidleput and so spins
	 * instead; if it has, wakep_slow finds its P and starts a spinner.
	 */
	wakep_slow();
}

/* ---- procresize ---- */

static void p_init(struct p *pp, int32_t id)
{
	pp->id = id;
	setpstatus(pp, _Pgcstop);
	pp->link = NULL;
	pp->m = NULL;
	pp->goidcache = pp->goidcacheend = 0;
	if (!runqempty(pp))
		throw("p_init: reused P has work");
}

/* The simulation's coverage of the P that p_destroy is about to destroy:
 * what it still holds. World stopped. */
static inline void p_destroy_cover(struct p *pp)
{
	if (!runqempty(pp))
		SIMCOVER("procresize", 0, 0, "destroy P with work in its runq");
	if (atomic_load(&pp->runnext))
		SIMCOVER("procresize", 0, 0, "destroy P with runnext set");
	if (pp->ntimers)
		SIMCOVER("procresize", 0, 0, "destroy P with timers");
	for (struct m *m = allm; m; m = m->alllink)
		if (atomic_load_relaxed(&m->oldp) == pp) /* its M may be leaving the syscall */
			SIMCOVER("procresize", 0, 0, "destroy P left in a syscall");
}

/* Move everything pp holds to global structures (its timers to plocal, the
 * caller's P) and mark it dead. World stopped, sched.lock held. */
static void p_destroy(struct p *pp, struct p *plocal)
{
	/* What the simulation counts; the real build does not even look. */
	SIMHOOK(p_destroy_cover(pp));
	/* Tail first onto the global head keeps the ring's order, and runnext
	 * ends up in front of it. An M that has dropped its P may be scanning
	 * every ring meanwhile (findrunnable), hence the atomics. */
	uint32_t head = atomic_load(&pp->runqhead);
	for (uint32_t tail = atomic_load(&pp->runqtail); tail != head;) {
		tail--;
		globrunqputhead(atomic_load_relaxed(&pp->runq[tail % RUNQ_SIZE]));
		atomic_store(&pp->runqtail, tail);
	}
	struct g *next = atomic_load(&pp->runnext);
	if (next) {
		globrunqputhead(next);
		atomic_store(&pp->runnext, NULL);
	}
	moveTimers(plocal, pp);
	gfpurge(pp);
	stackcache_clear(pp);
	setpstatus(pp, _Pdead);
}

/*
 * Change the number of Ps to nprocs. World stopped (or bootstrap), sched.lock
 * held. The current M keeps its P if it survives, else takes allp[0]. Ps past
 * nprocs are destroyed with their work moved to the global lists. Returns
 * the Ps (linked by p->link, each with p->m set to an idle M or NULL) that
 * have local work and need an M; the rest go on the idle list.
 */
struct p *procresize(int32_t nprocs)
{
	assertLockHeld(&sched.lock);
	int32_t old = gomaxprocs;
	if (old < 0 || nprocs <= 0)
		throw("procresize: invalid arg");
	if (nprocs > SL_MAX_GOMAXPROCS)
		throw("procresize: nprocs exceeds SL_MAX_GOMAXPROCS");
	SIMEVENT("procresize %d -> %d", old, nprocs);
	SIMCOVER("procresize", 0, 0,
		 old == 0	? "bootstrap"
		 : nprocs > old ? "grow"
		 : nprocs < old ? "shrink"
				: "same size");
	if (nprocs == 1 && old > 1)
		SIMCOVER("procresize", 0, 0, "shrink to 1");

	/* Grow: initialize new Ps, reviving dead ones from an earlier shrink. */
	for (int32_t i = old; i < nprocs; i++) {
		struct p *pp = allp[i];
		if (!pp) {
			pp = calloc(1, sizeof *pp);
			if (!pp) {
				print("runtime: out of memory: cannot allocate P%d (%zu bytes)\n",
				      i, sizeof *pp);
				throw("out of memory");
			}
			timersinit(pp);
			atomic_store(&allp[i], pp);
			atomic_store(&allpcount, i + 1);
		}
		p_init(pp, i);
	}

	struct m *mp = getm();
	if (mp->p && mp->p->id < nprocs) {
		/* Keep the current P. */
		setpstatus(mp->p, _Prunning);
	} else {
		/* Release the current P, which is about to be destroyed, and take
		 * allp[0]. */
		if (mp->p)
			SIMCOVER("procresize", 0, 0, "shrink destroys the current P");
		if (mp->p)
			mp->p->m = NULL;
		mp->p = NULL;
		struct p *pp = allp[0];
		pp->m = NULL;
		setpstatus(pp, _Pidle);
		acquirep(pp);
	}

	for (int32_t i = nprocs; i < old; i++)
		p_destroy(allp[i], mp->p);

	atomic_store(&gomaxprocs, nprocs);
	stealOrder_reset((uint32_t)nprocs);

	/* Rebuild the idle list and collect Ps with work. */
	sched.pidle = NULL;
	atomic_store(&sched.npidle, 0);
	struct p *runnablePs = NULL;
	for (int32_t i = nprocs - 1; i >= 0; i--) {
		struct p *pp = allp[i];
		if (mp->p == pp)
			continue;
		setpstatus(pp, _Pidle);
		if (runqempty(pp)) {
			pidleput(pp);
		} else {
			pp->m = mget();
			pp->link = runnablePs;
			runnablePs = pp;
		}
	}
	return runnablePs;
}

/* ---- finding work ---- */

/*
 * Steal from other Ps: four passes over all Ps in a random order; only the
 * last pass may take a victim's runnext. Returns NULL if nothing was found or
 * the world is stopping. The current M holds a P and is spinning.
 */
static struct g *stealWork(struct p *pp)
{
	enum { stealTries = 4 };
	for (int i = 0; i < stealTries; i++) {
		bool stealRunNextG = i == stealTries - 1;
		uint32_t count = stealOrder.count;
		uint32_t r = fastrand();
		uint32_t pos = r % count;
		uint32_t inc = stealOrder.coprimes[r / count % stealOrder.ncoprimes];
		for (uint32_t k = 0; k < count; k++, pos = (pos + inc) % count) {
			if (atomic_load(&sched.gcwaiting))
				return NULL;
			struct p *p2 = allp[pos];
			if (p2 == pp)
				continue;
			/* Last pass: run the victim's due timers, idle or not;
			 * what they ready lands in our runnext. */
			if (stealRunNextG && atomic_load(&p2->timer0When) != 0) {
				checkTimers(p2, 0);
				bool inherit;
				struct g *gp = runqget(pp, &inherit);
				if (gp)
					return gp;
			}
			/* Ps on the idle list have nothing to steal (Go's
			 * idlepMask). An idle P with work is one procresize
			 * handed to an M that has not started yet: steal from
			 * it, or a spinning M that sees its work in the last
			 * look below would take a P, fail and look again, for
			 * as long as that M takes to start. */
			if (atomic_load(&p2->status) == _Pidle && runqempty(p2))
				continue;
			struct g *gp = runqsteal(pp, p2, stealRunNextG);
			if (gp)
				return gp;
		}
	}
	return NULL;
}

/*
 * Find a runnable G for the current M, blocking (stopm) until there is one.
 * On g0, holding a P; returns holding a P (perhaps another one).
 */
static struct g *findrunnable(bool *inheritTime)
{
	struct m *mp = getm();
	struct g *gp;
top:;
	struct p *pp = mp->p;
	if (atomic_load(&sched.gcwaiting)) {
		gcstopm();
		goto top;
	}
	int64_t now = checkTimers(pp, 0);

	/*
	 * A G taken from runnext inherits the time slice and schedtick does not
	 * advance, so two Gs that keep readying (or spawning) each other would
	 * starve this P's ring and the global queue. Go ends such a slice by
	 * preempting it after 10ms; here sysmon flags the P (pp->preempt) and
	 * the slice ends at the next schedule: the tick advances and the global
	 * queue, then the ring, go before runnext. That is how a ping-pong pair
	 * and a CPU hog share one P in 10ms slices (PingPongHog).
	 */
	bool sliceEnded = atomic_load_relaxed(&pp->preempt);
	if (sliceEnded) {
		atomic_store_relaxed(&pp->preempt, false);
		pp->schedtick++;
	}

	/* Fairness: look at the global queue now and then, or two goroutines
	 * that keep respawning each other could starve it. */
	if ((sliceEnded || pp->schedtick % 61 == 0) && atomic_load(&sched.runqsize) > 0) {
		lock(&sched.lock);
		gp = globrunqget(pp, 1);
		unlock(&sched.lock);
		if (gp) {
			*inheritTime = false;
			return gp;
		}
	}
	if (sliceEnded && (gp = runqget_ring(pp))) {
		*inheritTime = false;
		return gp;
	}
	if ((gp = runqget(pp, inheritTime))) {
		return gp;
	}

	if (atomic_load(&sched.runqsize) > 0) {
		lock(&sched.lock);
		gp = globrunqget(pp, 0);
		unlock(&sched.lock);
		if (gp) {
			*inheritTime = false;
			return gp;
		}
	}

	/* Steal, but limit spinning Ms to half the busy Ps: spinning burns CPU. */
	int32_t procs = atomic_load(&gomaxprocs);
	if (mp->spinning ||
	    2 * atomic_load(&sched.nmspinning) < procs - atomic_load(&sched.npidle)) {
		if (!mp->spinning)
			becomeSpinning(mp);
		if ((gp = stealWork(pp))) {
			*inheritTime = false;
			return gp;
		}
	}

	/* Timers due on any P, idle ones included, run here before we sleep. */
	int64_t pollUntil = nextTimerWhen();
	if (pollUntil != 0 && pollUntil <= (now ? now : (now = os_nanotime()))) {
		int32_t n = atomic_load(&gomaxprocs);
		for (int32_t i = 0; i < n; i++)
			checkTimers(allp[i], now);
		if (!runqempty(pp))
			goto top;
	}

	/* Nothing found: give up the P. Snapshot the P count first; Ps beyond a
	 * later shrink are dead and empty, so the snapshot stays safe to scan. */
	int32_t nsnap = atomic_load(&gomaxprocs);
	lock(&sched.lock);
	if (atomic_load(&sched.gcwaiting)) {
		unlock(&sched.lock);
		goto top;
	}
	if (sched.runqsize > 0) {
		gp = globrunqget(pp, 0);
		unlock(&sched.lock);
		*inheritTime = false;
		return gp;
	}
	/* A spinner found work and no P for it (needspinning): we are the M
	 * about to idle one, so spin on it instead. Under sched.lock, as the
	 * flag is set, so either we see it or the spinner's pidleget sees our
	 * P on the idle list. */
	if (!mp->spinning && atomic_load(&sched.needspinning)) {
		becomeSpinning(mp);
		unlock(&sched.lock);
		goto top;
	}
	if (releasep() != pp)
		throw("findrunnable: wrong p");
	pidleput(pp);
	/* Stop spinning while still holding the lock, so that a stopped
	 * world never sees an M without a P counted as spinning. */
	bool wasSpinning = mp->spinning;
	if (wasSpinning) {
		mp->spinning = false;
		if (atomic_xadd(&sched.nmspinning, -1) < 0)
			throw("findrunnable: negative nmspinning");
	}
	unlock(&sched.lock);

	/*
	 * Delicate: a G made runnable after our last look, by a thread that
	 * saw us spinning, did not call wakep. Now that we are no longer
	 * counted as spinning, look once more at every queue.
	 */
	if (wasSpinning) {
		for (int32_t i = 0; i < nsnap; i++) {
			struct p *p2 = atomic_load(&allp[i]);
			if (p2 && !runqempty(p2)) {
				lock(&sched.lock);
				pp = pidleget();
				if (pp)
					becomeSpinning(mp);
				else /* work and no P: as in startm */
					atomic_store(&sched.needspinning, 1);
				unlock(&sched.lock);
				if (pp) {
					acquirep(pp);
					goto top;
				}
				break;
			}
		}
	}
	/* A timer pending somewhere: one idle M sleeps until it is due. */
	pollUntil = nextTimerWhen();
	if (pollUntil != 0 && timerSleep(pollUntil)) {
		lock(&sched.lock);
		pp = pidleget();
		unlock(&sched.lock);
		if (pp) {
			acquirep(pp);
			goto top;
		}
		/* Every P is busy; they run their timers, sysmon watches. */
	}
	stopm();
	goto top;
}

/* Run gp on the current M. On g0 holding a P. */
void execute(struct g *gp, bool inheritTime)
{
	struct m *mp = getm();
	execute_prepare(mp, gp, inheritTime);
	gogo(gp);
}

/* A G leaves the CPU holding no runtime lock: schedule's rule, checked
 * wherever a G is switched out (schedule, and the direct switches'
 * second halves). */
void checknolocks(struct m *mp)
{
	if (mp->locks) {
		checkforked(); /* the fork rule: forkedchild holds a lock for good */
		throw("schedule: holding locks");
	}
}

/*
 * One round of the scheduler: find a runnable G and run it. Never returns.
 * On g0, holding a P and no locks.
 */
void schedule(void)
{
	struct m *mp = getm();
	checknolocks(mp);
	if (getg() != mp->g0)
		throw("schedule: not on g0");
	bool inheritTime = false;
	struct g *gp = findrunnable(&inheritTime);
	if (mp->spinning)
		resetspinning();
	execute(gp, inheritTime);
}

/* ---- deadlock ---- */

/* Adjust the count of locked idle Ms. sysmon uses -1/+1 around a retake to
 * count itself as running while it holds a P in transit; +1 rechecks for a
 * deadlock that the window may have hidden. Takes sched.lock. */
void incidlelocked(int32_t v)
{
	lock(&sched.lock);
	sched.nmidlelocked += v;
	if (v > 0)
		checkdead();
	unlock(&sched.lock);
}

/*
 * Called with sched.lock held whenever an M goes idle. If no M is running,
 * nothing can ever run again: report the deadlock as Go does. Library hosts
 * are exempt, as in Go: their own threads may still inject work.
 */
void checkdead(void)
{
	assertLockHeld(&sched.lock);
	/* A library host's threads, or any thread that has readied a G from
	 * outside the runtime (sched.foreign), may bring work later. */
	if (islibrary || sched.foreign)
		return;
	int32_t run = mcount() - sched.nmidle - sched.nmidlelocked - sched.nmsys;
	if (run > 0)
		return;
	if (run < 0) {
		print("runtime: checkdead: nmidle=%d nmidlelocked=%d mcount=%d nmsys=%d\n",
		      sched.nmidle, sched.nmidlelocked, mcount(), sched.nmsys);
		throw("checkdead: inconsistent counts");
	}
#ifdef SL_SCHEDCHECK
	schedcheck(SCHEDCHECK_QUIESCENT);
#endif
	int32_t grunning = 0;
	lock(&allglock);
	for (int32_t i = 0; i < allglen; i++) {
		struct g *gp = allgs[i];
		uint32_t s = readgstatus(gp);
		switch (s) {
		case _Gwaiting:
			grunning++;
			break;
		case _Grunnable:
		case _Grunning:
		case _Gsyscall:
			print("runtime: checkdead: find g %lld in status %s\n", (long long)gp->goid,
			      gstatusname(s));
			schedtrace_unlocked();
			throw("checkdead: runnable g");
		}
	}
	unlock(&allglock);
	if (grunning == 0)
		fatal("no goroutines (main called runtime.Goexit) - deadlock!");
	/* A goroutine asleep on a timer will wake: not a deadlock. */
	if (nextTimerWhen() != 0)
		return;
	fatal("all goroutines are asleep - deadlock!");
}

/* The scheduler's half of runtime_teardown: Ps with their timer heaps, Ms
 * with their g0s, and every global back to zero. */
void proc_teardown(void)
{
	for (int32_t i = 0; i < allpcount; i++) {
		free(allp[i]->timers);
		free(allp[i]);
	}
	for (struct m *mp = allm, *next; mp; mp = next) {
		next = mp->alllink;
		if (mp != &m0) {
			free(mp->g0);
			free(mp);
		}
	}
	memset(&sched, 0, sizeof sched);
	memset(&m0, 0, sizeof m0);
	memset(&g0_m0, 0, sizeof g0_m0);
	memset(allp, 0, sizeof allp);
	memset(&stealOrder, 0, sizeof stealOrder);
	allpcount = gomaxprocs = newprocs = ncpu = 0;
	allm = NULL;
	islibrary = mainStarted = false;
}
