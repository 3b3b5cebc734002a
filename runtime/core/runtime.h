/*
 * runtime.h: the runtime's own internal header. Every runtime file, core and
 * backend, includes it; nothing here is part of the public API (schedlab.h).
 * White-box tests and fuzz targets include export_test.h instead, which
 * declares again just the names they use (the channel and semaphore tests
 * still get this header through chan.h and sema.h, which include it).
 *
 * Cross-file runtime functions keep Go's names and hidden visibility.
 */
#ifndef SCHEDLAB_RUNTIME_H
#define SCHEDLAB_RUNTIME_H

#include "runtime2.h"
#include "os.h"

#define HIDDEN	 __attribute__((visibility("hidden")))
#define NORETURN __attribute__((noreturn))
/* For code that reads other threads' state racily on purpose. */
#define NO_SANITIZE_THREAD __attribute__((no_sanitize("thread")))

/* ---- atomics: atomic.h (each a scheduling point in libschedlab_sim_fine) ---- */
#include "atomic.h"

/* The current G: getg and setg, per architecture (arch/ARCH/getg.h). */
#include "getg.h"

/* Whether the caller runs on a goroutine (not g0, not a foreign thread). */
static inline bool is_user_g(void)
{
	struct g *gp = getg();
	return gp && gp->m && gp != gp->m->g0;
}

static inline struct m *getm(void)
{
	struct g *gp = getg();
	return gp ? gp->m : NULL;
}

/* ---- globals (proc.c) ---- */
extern HIDDEN struct schedt sched;
extern HIDDEN struct m m0;
extern HIDDEN struct g g0_m0;
extern HIDDEN struct p *allp[SL_MAX_GOMAXPROCS];
extern HIDDEN int32_t allpcount; /* Ps ever allocated; allp[gomaxprocs:allpcount] are _Pdead */
extern HIDDEN int32_t gomaxprocs;
extern HIDDEN int32_t newprocs;
extern HIDDEN int32_t ncpu;
extern HIDDEN struct m *allm;
extern HIDDEN bool islibrary;
extern HIDDEN bool mainStarted;
extern HIDDEN mutex allglock;
extern HIDDEN struct g **allgs;
extern HIDDEN int32_t allglen;

/* ---- debug settings (debug.c) ---- */
struct dbgvars {
	int32_t schedtrace; /* ms between traces; 0 off */
	int32_t scheddetail;
	int32_t stackguard; /* 1: mprotect guard pages even where madvise works */
	int32_t sysmonoff;  /* 1: no sysmon (deterministic instruction counts) */
};
extern HIDDEN struct dbgvars debug;
HIDDEN void parsedebugvars(const char *env);

/* ---- bootstrap (rt0.c, asm) ---- */
void rt0_go(int argc, char **argv);
HIDDEN void args(int argc, char **argv);
HIDDEN void osinit(void);
HIDDEN void schedinit(void);
HIDDEN NORETURN void mstart(void);
HIDDEN void runtime_main(void *unused);
HIDDEN int32_t gomaxprocs_from_env(const char *s, int32_t dflt);

/*
 * Teardown (rt0.c and every file that owns state): free everything the
 * runtime allocated and reset every global to its state before rt0_go, so
 * that another runtime can start in the same process. For a backend that
 * runs many (the simulation's sl_sim_run); compiled in every build. Only
 * between runs: no M runs, and none ever will again.
 */
HIDDEN void runtime_teardown(void);
HIDDEN void proc_teardown(void);
HIDDEN void goroutine_teardown(void);
HIDDEN void stack_teardown(void);
HIDDEN void sema_teardown(void);
HIDDEN void stw_teardown(void);
HIDDEN void debug_teardown(void);
HIDDEN void rt0_teardown(void);
HIDDEN void chan_teardown(void);
HIDDEN void sysmon_teardown(void);

/* ---- context switch (asm_amd64.S, switch.c) ---- */
NORETURN void asm_gogo(gobuf *to);
void asm_mcall(gobuf *save, uintptr_t g0sp, void (*fn)(struct g *), struct g *gp);
NORETURN void asm_mstart0(uintptr_t *g0sp, void (*fn)(void));
void asm_goroutine_entry(void);
void asm_fiber_entry(void); /* os_sim.c's thread frames */
void asm_switch(gobuf *save, gobuf *to);
HIDDEN NORETURN void gogo(struct g *gp);
HIDDEN void mcall(void (*fn)(struct g *));
HIDDEN void gogo_direct(struct g *from, struct g *to, void (*finish)(struct g *), bool dying);
HIDDEN NORETURN void mcall_exit(void (*fn)(struct g *));
HIDDEN void gostartcallfn(struct g *gp);
HIDDEN void *san_fiber_create(void);
HIDDEN void *san_current_fiber(void);

/* ---- proc.c: the scheduler ---- */
HIDDEN NORETURN void schedule(void);
HIDDEN NORETURN void execute(struct g *gp, bool inheritTime);
/* runqempty for pp's owner, inline for the switch paths: no retry loop,
 * since only the owner adds to the queue or moves runnext to the ring, and
 * a stale runqhead (thieves advance it) can only make the queue look
 * fuller, where runqget then finds the truth. */
static inline bool runqempty_owner(struct p *pp)
{
	return !atomic_load_relaxed(&pp->runnext) &&
	       atomic_load_relaxed(&pp->runqhead) == pp->runqtail;
}
HIDDEN void checknolocks(struct m *mp);
HIDDEN struct p *procresize(int32_t nprocs);
HIDDEN void acquirep(struct p *pp);
HIDDEN void wirep(struct p *pp);
HIDDEN struct p *releasep(void);
HIDDEN void wakep_slow(void);
/* Go's wakep: start a spinning M if a P is idle and nobody spins. Any
 * thread. Inline, for the common case on every ready and yield: no P is
 * idle, one load. */
static inline void wakep(void)
{
	if (atomic_load(&sched.npidle) != 0)
		wakep_slow();
}
HIDDEN void startm(struct p *pp, bool spinning);
HIDDEN void stopm(void);
HIDDEN void newm(void (*fn)(void), struct p *pp, bool spinning, int64_t id);
HIDDEN void checkdead(void);
HIDDEN void incidlelocked(int32_t v);
HIDDEN void mput(struct m *mp);
HIDDEN struct m *mget(void);
HIDDEN void pidleput(struct p *pp);
HIDDEN struct p *pidleget(void);
HIDDEN int32_t mcount(void);
HIDDEN uint32_t fastrand(void);
HIDDEN void setmaxmcount(int32_t n);
HIDDEN void mcommoninit(struct m *mp, int64_t id);

/* ---- goroutine.c: G lifecycle ---- */
HIDDEN struct g *newproc(void (*fn)(void *), void *arg);
HIDDEN NORETURN void goexit1(void);
HIDDEN void gosched(void);
HIDDEN void gopark(bool (*unlockf)(struct g *, void *), void *lock, enum waitreason reason,
		   void *waiting_on);
HIDDEN void goready(struct g *gp);
HIDDEN void casgstatus(struct g *gp, uint32_t oldval, uint32_t newval);
HIDDEN NORETURN void badgstatus(struct g *gp, uint32_t oldval, uint32_t newval, uint32_t cur);
/*
 * casgstatus for transitions that only gp's owner can make (the M that runs
 * gp, or the one that just dequeued it): nobody else may change gp's status
 * meanwhile, so a checked load and a release store do what the CAS does,
 * without a locked instruction. Go needs the CAS because its GC sets scan
 * bits concurrently; schedlab has none. A G that someone else changes in
 * breach of the rule is caught by that someone's own CAS, which finds the
 * owner's state where it expected another. Inline: it is on every switch.
 */
static inline void(setgstatus_owned)(struct g *gp, uint32_t oldval, uint32_t newval)
{
	uint32_t cur = atomic_load_relaxed(&gp->atomicstatus);
	if (__builtin_expect(cur != oldval, 0))
		badgstatus(gp, oldval, newval, cur);
	atomic_store_rel(&gp->atomicstatus, newval);
	SCHEDPOINT("casgstatus");
}
/* Each transition is counted with its caller, and the simulation's global
 * properties note when a G became runnable (sim_g_status, os/sim's
 * sim_props.c). SIMCOVER and SIMHOOK: nothing in the real build. */
void sim_g_status(struct g *gp, uint32_t oldval, uint32_t newval);
#define casgstatus(gp, o, n)                                                                       \
	((casgstatus)((gp), (o), (n)), SIMCOVER("G", (o), (n), __func__),                          \
	 SIMHOOK(sim_g_status((gp), (o), (n))))
#define setgstatus_owned(gp, o, n)                                                                 \
	((setgstatus_owned)((gp), (o), (n)), SIMCOVER("G", (o), (n), __func__),                    \
	 SIMHOOK(sim_g_status((gp), (o), (n))))
HIDDEN uint32_t readgstatus(struct g *gp);
HIDDEN void gfput(struct p *pp, struct g *gp);
HIDDEN struct g *gfget(struct p *pp);
HIDDEN void gfpurge(struct p *pp);
HIDDEN const char *gstatusname(uint32_t s);
HIDDEN const char *pstatusname(uint32_t s);

/*
 * Every P status change goes through these two, so that the simulation can
 * count each transition with the function that made it. In the real build
 * the hooks are nothing, and they compile to the plain exchange (a
 * sequentially consistent store is one on x86-64 too) and CAS.
 */
#define setpstatus(pp, to)                                                                         \
	({                                                                                         \
		uint32_t _from = atomic_xchg(&(pp)->status, (uint32_t)(to));                       \
		(void)_from;                                                                       \
		SIMCOVER("P", _from, (to), __func__);                                              \
		SIMEVENT("P%d %s -> %s in %s", (pp)->id, pstatusname(_from), pstatusname(to),      \
			 __func__);                                                                \
	})
#define caspstatus(pp, from, to)                                                                   \
	({                                                                                         \
		bool _ok = atomic_cas(&(pp)->status, (uint32_t)(from), (uint32_t)(to));            \
		if (_ok) {                                                                         \
			SIMCOVER("P", (from), (to), __func__);                                     \
			SIMEVENT("P%d %s -> %s in %s", (pp)->id, pstatusname(from),                \
				 pstatusname(to), __func__);                                       \
		}                                                                                  \
		_ok;                                                                               \
	})
HIDDEN const char *waitreasonname(uint32_t r);
HIDDEN void preemptcheck_slow(void);

/*
 * The cooperative preemption point: a stop-the-world in progress, or sysmon's
 * request that the current G give up a 10ms slice, makes a user G yield
 * here. Inline, since every channel operation passes through it: two plain
 * loads when there is nothing to do. Any thread.
 */
static inline void preemptcheck(void)
{
	struct g *gp = getg();
	if (__builtin_expect(atomic_load_relaxed(&sched.gcwaiting) ||
				 (gp && atomic_load_relaxed(&gp->preempt)),
			     0))
		preemptcheck_slow();
}

/* ---- runq.c ---- */
HIDDEN void runqput(struct p *pp, struct g *gp, bool next);
HIDDEN struct g *runqget(struct p *pp, bool *inheritTime);
HIDDEN struct g *runqget_ring(struct p *pp);
HIDDEN bool runqempty(struct p *pp);
HIDDEN uint32_t runqlen(struct p *pp);
HIDDEN struct g *runqsteal(struct p *pp, struct p *p2, bool stealRunNextG);
HIDDEN void globrunqput(struct g *gp);
HIDDEN void globrunqput_lock(struct g *gp);
HIDDEN void globrunqputhead(struct g *gp);
HIDDEN void globrunqputbatch(gQueue *batch, int32_t n);
HIDDEN struct g *globrunqget(struct p *pp, int32_t max);
/* The same on the global queue of s, not sched (export_test.h). */
HIDDEN void runqput_in(struct schedt *s, struct p *pp, struct g *gp, bool next);
HIDDEN void globrunqput_in(struct schedt *s, struct g *gp);
HIDDEN void globrunqputhead_in(struct schedt *s, struct g *gp);
HIDDEN struct g *globrunqget_in(struct schedt *s, struct p *pp, int32_t max);
HIDDEN void gqueue_push_back(gQueue *q, struct g *gp);
HIDDEN void gqueue_push_front(gQueue *q, struct g *gp);
HIDDEN struct g *gqueue_pop(gQueue *q);
/* Lists are changed by one owner at a time but their count may be peeked
 * at without the owner's lock, so the count is stored atomically. Inline:
 * the G and stack free lists are on every spawn and exit. */
static inline void glist_push(gList *l, struct g *gp)
{
	gp->schedlink = l->head;
	l->head = gp;
	atomic_store_relaxed(&l->n, l->n + 1);
}

static inline struct g *glist_pop(gList *l)
{
	struct g *gp = l->head;
	if (gp) {
		l->head = gp->schedlink;
		gp->schedlink = NULL;
		atomic_store_relaxed(&l->n, l->n - 1);
	}
	return gp;
}

/* ---- time.c ---- */
HIDDEN void timersinit(struct p *pp);
HIDDEN void addtimer(struct timer *t);
HIDDEN bool deltimer(struct timer *t);
HIDDEN int64_t checkTimers(struct p *pp, int64_t now);
HIDDEN void moveTimers(struct p *to, struct p *from);
HIDDEN int64_t nextTimerWhen(void);
HIDDEN bool timerSleep(int64_t until);
HIDDEN void wakeTimerSleeper(int64_t when);

/* ---- sysmon.c ---- */
HIDDEN void sysmon(void);
HIDDEN void handoffp(struct p *pp);

/* ---- syscall.c ---- */
HIDDEN void entersyscall(void);
HIDDEN void exitsyscall(void);

/* ---- stw.c: stop the world ---- */
HIDDEN void stopTheWorld(const char *reason);
HIDDEN void startTheWorld(void);
HIDDEN void gcstopm(void);
HIDDEN void schedcheck_stw(void);

/* ---- stack.c ---- */
extern HIDDEN size_t stacksize; /* usable bytes per goroutine stack */
extern HIDDEN size_t stackguardsize;
extern HIDDEN int64_t stacks_mapped; /* stacks ever mapped, for tests */
HIDDEN void stackinit(const char *env);
HIDDEN stack stackalloc(void);
HIDDEN void stackfree(stack s);
HIDDEN void stackcache_clear(struct p *pp);
HIDDEN const char *stackguardmode(void);
/* The scavenger's counters, for tests: stacks released and chunks unmapped,
 * ever; os_stackmap refusals; sysmon's passes. */
extern HIDDEN int64_t stacks_released;
extern HIDDEN int64_t stackchunks_unmapped;
extern HIDDEN int64_t stackmap_refusals;
extern HIDDEN int64_t scavenge_passes;
/* sysmon's scavenger call: pass marks what stayed idle since the last pass;
 * true while idle stacks remain to be released at the next tick. */
HIDDEN bool stackscavenge(bool pass);
/* stackrelease.c */
HIDDEN void stackrelease_init(void);
HIDDEN void stackchunk_bounds(stack s, char **base, size_t *len);
HIDDEN void stackrelease_fill(uintptr_t page, char *buf);
HIDDEN void stackrestore(struct g *gp);
HIDDEN void stackrelease_forget(char *base);
HIDDEN bool stackrelease_tick(bool pass);
HIDDEN void stackrelease_all(void);
HIDDEN void stackrelease_zero(stack s);
extern HIDDEN bool stackrelease_on;
extern HIDDEN int64_t stackreleases, stackrestores, stackrelease_refused;
/* The backend's fault handler's question (os_initsig): report an overflow
 * and exit if fault lies in the running G's guard region, else return. In
 * signal context: async-signal-safe. */
HIDDEN void sigstackoverflow(uintptr_t fault, uintptr_t sp);

/* ---- lock.c ---- */
HIDDEN void lockInit(mutex *l, enum lockrank rank);
HIDDEN void lock_slow(mutex *l, uint32_t v);
HIDDEN void unlock_slow(mutex *l, uint32_t v);
HIDDEN NORETURN void lockcount_bad(void);
enum { mutex_unlocked = 0, mutex_locked = 1, mutex_sleeping = 2 };
/*
 * lock and unlock without the rank bookkeeping: one exchange each, the
 * contended halves out of line (lock.c has the protocol). Where ranks are
 * not checked (every build but debug's) these are lock and unlock, inline:
 * a channel operation takes and releases a lock or two. lock.c and the
 * debug build call them through the out-of-line lock/unlock, which the
 * tests link to as well (export_test.h).
 */
static inline void lock_norank(mutex *l)
{
	struct m *mp = getm();
	if (mp)
		mp->locks++;
	SCHEDPOINT("lock");
	uint32_t v = atomic_xchg(&l->key, mutex_locked);
	if (__builtin_expect(v != mutex_unlocked, 0))
		lock_slow(l, v);
}
/* After the exchange l belongs to its next owner, who may free it at once:
 * nothing of l is read after it (see unlock in lock.c). */
static inline void unlock_norank(mutex *l)
{
	uint32_t v = atomic_xchg(&l->key, mutex_unlocked);
	if (__builtin_expect(v != mutex_locked, 0))
		unlock_slow(l, v);
	struct m *mp = getm();
	if (mp && __builtin_expect(--mp->locks < 0, 0))
		lockcount_bad();
	SCHEDPOINT("unlock");
}
HIDDEN void(lock)(mutex *l);
HIDDEN void(unlock)(mutex *l);
#if !defined(SL_LOCKRANK) && !defined(SL_LOCK_IMPL)
#define lock(l)	  lock_norank(l)
#define unlock(l) unlock_norank(l)
#endif
HIDDEN void assertLockHeld(mutex *l);
HIDDEN void noteclear(note *n);
HIDDEN void notewakeup(note *n);
HIDDEN void notesleep(note *n);
HIDDEN bool notetsleep(note *n, int64_t ns);

/* ---- debug.c ---- */
HIDDEN NORETURN void throw(const char *s);
HIDDEN NORETURN void fatal(const char *s);
HIDDEN void print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
HIDDEN void schedtrace(bool detailed);
HIDDEN void schedtrace_unlocked(void);

/* ---- schedcheck.c ---- */
enum schedcheck_mode {
	SCHEDCHECK_STOPPED,   /* world stopped; caller holds sched.lock */
	SCHEDCHECK_QUIESCENT, /* every M idle; caller holds sched.lock */
};
HIDDEN void schedcheck(enum schedcheck_mode mode);
/* Counts a passing schedcheck, for tests. */
extern HIDDEN uint64_t schedcheck_passes;

#endif
