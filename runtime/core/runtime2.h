/*
 * runtime2.h: the runtime's data structures: struct g, m, p and schedt, and
 * the G and P status machines. Names follow Go's runtime/runtime2.go.
 *
 * G  a goroutine: a stack, a saved context, a status.
 * M  an OS thread. It runs Gs on its g0 (the thread's own stack) scheduler.
 * P  a processor: the right to run Go code, with a local run queue. There are
 *    exactly gomaxprocs Ps; an M must hold a P to run a G.
 *
 * Offsets used by assembly (g.stack, g.sched, g.m, m.g0) are fixed here,
 * named in arch/amd64/asm_offsets.h and checked with static assertions in
 * arch/amd64/switch.c.
 */
#ifndef SCHEDLAB_RUNTIME2_H
#define SCHEDLAB_RUNTIME2_H

#include <schedlab.h> /* SL_MAX_GOMAXPROCS */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The capacity of allp (and of every per-P array) is the public limit,
 * SL_MAX_GOMAXPROCS: sl_gomaxprocs and GOMAXPROCS clamp to it. */
/* Go's sched.maxmcount default. */
#define SL_MAXMCOUNT 10000
/* Per-P ring size, as in Go. */
#define RUNQ_SIZE 256

/*
 * G status. The machine, as in Go (no GC scan bits here):
 *   _Gidle     -> _Gdead       just allocated (malg), before it is on allgs
 *   _Gdead     -> _Grunnable   newproc, with a fresh entry frame
 *   _Grunnable -> _Grunning    execute
 *   _Grunning  -> _Grunnable   gosched (yield), or a P being stopped
 *   _Grunning  -> _Gwaiting    park_m (gopark)
 *   _Gwaiting  -> _Grunnable   ready (goready)
 *   _Grunning  -> _Gsyscall    entersyscall, and back on exitsyscall
 *   _Gsyscall  -> _Grunnable   exitsyscall without a P
 *   _Grunning  -> _Gdead       goexit0; the G goes on a free list with its stack
 */
enum gstatus {
	_Gidle = 0,
	_Grunnable = 1,
	_Grunning = 2,
	_Gsyscall = 3,
	_Gwaiting = 4,
	_Gdead = 6, /* Go's value; 5 was _Gmoribund_unused */
};

/*
 * P status, as in Go:
 *   _Pidle     on sched.pidle, or held by the M that is about to use it
 *   _Prunning  owned by an M running user code or the scheduler
 *   _Psyscall  its M is in a syscall: p->m is NULL and the M remembers it in
 *              m->oldp; may be retaken (STW or handoff) by CAS
 *   _Pgcstop   halted for stop-the-world, owned by the M that stopped the world
 *   _Pdead     beyond gomaxprocs; holds no work
 */
enum pstatus {
	_Pidle = 0,
	_Prunning = 1,
	_Psyscall = 2,
	_Pgcstop = 3,
	_Pdead = 4,
};

/* Why a G waits; printed by schedtrace and the deadlock report. */
enum waitreason {
	waitReasonZero = 0,
	waitReasonSemacquire,
	waitReasonSleep,
	waitReasonTest,
	waitReasonChanReceive,
	waitReasonChanSend,
	waitReasonChanReceiveNilChan,
	waitReasonChanSendNilChan,
	waitReasonSelect,
	waitReasonSelectNoCases,
	waitReasonSyncMutexLock,
	waitReasonSyncWaitGroupWait,
	waitReasonTimerChan,
	waitReasonCount,
};

/* Lock ranks, lowest first: a lock may only be taken while every lock held has
 * a lower rank, except that channel locks (lockRankHchan) nest among
 * themselves in increasing address order. Checked in debug builds
 * (SL_LOCKRANK). */
enum lockrank {
	lockRankTimerOp = 1, /* an sl_timer's stop and reset (time.c) */
	lockRankSemaRoot,    /* a semaphore table bucket (sema.c) */
	lockRankHchan,	     /* a channel; several in address order (select) */
	lockRankSched,	     /* sched.lock */
	lockRankTimers,	     /* a P's timer heap (time.c); procresize holds sched */
	lockRankAllg,	     /* allglock */
	lockRankGFree,	     /* sched.gFree.lock */
	lockRankStackpool,   /* the global stack pool */
	lockRankChanpool,    /* a channel header pool (chan.c); a leaf */
	lockRankCount,
};

/* A futex-based runtime mutex (Go's lock_futex). key: 0 unlocked, 1 locked,
 * 2 locked with sleepers. */
typedef struct mutex {
	uint32_t key;
	uint32_t rank;
} mutex;

/* A one-shot wakeup: notesleep blocks the thread until notewakeup. */
typedef struct note {
	uint32_t key;
} note;

typedef struct stack {
	uintptr_t lo; /* lowest usable byte; the guard region lies just below */
	uintptr_t hi; /* one past the highest byte */
} stack;

/* A saved context: the callee-saved registers live on the stack below sp. */
typedef struct gobuf {
	uintptr_t sp;
} gobuf;

struct m;
struct p;

/*
 * A timer: f(arg, seq) runs on some M's g0, without locks, once when <= now
 * (and again every period ns if period > 0). While in a heap, pp is that P
 * and idx its index; otherwise pp is NULL. Guarded by pp->timersLock.
 */
struct timer {
	int64_t when;
	int64_t period;
	void (*f)(void *arg, uintptr_t seq);
	void *arg;
	uintptr_t seq;
	struct p *pp; /* atomic loads outside the lock */
	int32_t idx;
	/*
	 * Timers on the C heap (sl_timer) set counted: checkTimers then
	 * counts the calls of f in flight in firing, and their owner waits
	 * for zero before it frees t. A sleeper's timer, on a stack that is
	 * reused as soon as f has readied it, must not be touched after f.
	 */
	bool counted;
	uint32_t firing; /* atomic */
};

/* A G's stackstate: whether its stack's pages are in place (stackrelease.c
 * says who moves it between these, and when). */
enum {
	STACK_RESIDENT = 0, /* pages in place; not seen parked at the last pass */
	STACK_SEEN = 1,	    /* parked at the last pass and not run since */
	STACK_BUSY = 2,	    /* a releaser or the restorer owns the stack's pages */
	STACK_RELEASED = 3, /* pages gone; the bytes are in the chunk's stackrec */
};

struct g {
	stack stack;	       /* offset 0 (asm) */
	gobuf sched;	       /* offset 16 (asm) */
	struct m *m;	       /* offset 24 (asm): the M running this G, or NULL */
	uint32_t atomicstatus; /* enum gstatus; changed only by casgstatus */
	uint8_t waitreason;    /* enum waitreason, valid while _Gwaiting */
	bool preempt;	       /* yield at the next runtime call */
	uint8_t stackstate;    /* STACK_RESIDENT, ... (above); stackrelease.c */
	int64_t goid;
	struct g *schedlink; /* next in a run queue or free list */
	void (*fn)(void *);  /* entry point for the next run */
	void *arg;
	void *waiting_on; /* the object a _Gwaiting G is parked on */
	int32_t allgindex;
	void *tsan_fiber;
	void *asan_fake_stack;
};

struct m {
	struct g *g0;	/* offset 0 (asm): the scheduling stack */
	struct g *curg; /* the user G running, or NULL */
	struct p *p;	/* the attached P, or NULL */
	struct p *nextp;
	struct p *oldp; /* the P left behind in a syscall */
	uint32_t syscalltick;
	int64_t id;
	int32_t locks;	     /* runtime locks held; schedule requires 0 */
	bool spinning;	     /* looking for work with a P and no G */
	bool blocked;	     /* sleeping in notesleep(&park) */
	note park;	     /* stopm sleeps here */
	struct m *schedlink; /* next on sched.midle */
	struct m *alllink;   /* next on allm */
	uint64_t fastrand;
	void (*mstartfn)(void);
	/* gopark's request, read by park_m on g0 */
	bool (*waitunlockf)(struct g *, void *);
	void *waitlock;
	/* mcall's function, read on g0 */
	void (*mcallfn)(struct g *);
	/* A direct switch's second half (gogo_direct): finish(prev) runs on the
	 * next G's stack as soon as it resumes, then both are cleared. Set and
	 * read only by this M, between the two halves of one switch. */
	void (*switchfinish)(struct g *);
	struct g *switchprev;
	uintptr_t osthread;
	void *altstack;
	int32_t throwing;
};

/* A LIFO of Gs linked through schedlink, with a count. */
typedef struct gList {
	struct g *head;
	int32_t n;
} gList;

/* A FIFO of Gs linked through schedlink. */
typedef struct gQueue {
	struct g *head;
	struct g *tail;
} gQueue;

#define STACKCACHE_SIZE 16

struct p {
	int32_t id;
	uint32_t status; /* enum pstatus; atomic where read without sched.lock */
	struct p *link;	 /* next on sched.pidle */
	uint32_t schedtick;
	uint32_t syscalltick;
	/* Set by sysmon when the slice has run 10ms; read and cleared by the
	 * owner in findrunnable. */
	bool preempt;
	struct m *m; /* the M owning this P, or NULL */
	uint64_t goidcache, goidcacheend;

	/* Local run queue. runqtail is written only by the owner; runqhead is
	 * advanced by CAS by the owner and by thieves. */
	uint32_t runqhead;
	uint32_t runqtail;
	struct g *runq[RUNQ_SIZE];
	/* A G readied by this P's current G, run next with the current time
	 * slice. Set and cleared by CAS. */
	struct g *runnext;

	gList gFree; /* dead Gs, owner only */

	/* Timers (time.c): a 4-ary min-heap on when, under timersLock. */
	mutex timersLock;
	struct timer **timers;
	int32_t ntimers, captimers;
	int64_t timer0When; /* atomic: earliest when in the heap, 0 if none */

	/* Stacks not yet given to a G, owner only. */
	int32_t nstackcache;
	stack stackcache[STACKCACHE_SIZE];
};

struct schedt {
	uint64_t goidgen; /* atomic */

	/* sched.lock guards the fields below up to gFree, unless a field says
	 * otherwise. */
	mutex lock;

	/* A thread that is not the runtime's (no M) has made a G runnable: it
	 * may do so again at any time, so checkdead stands down for the rest of
	 * the process, as Go's does once a cgo thread has called in. */
	bool foreign;

	struct m *midle; /* idle Ms waiting for work */
	int32_t nmidle;
	int32_t nmidlelocked;
	int64_t mnext; /* Ms created so far; the next M's id */
	int32_t maxmcount;
	int32_t nmsys; /* system Ms (sysmon) not counted for deadlock */
	int64_t nmfreed;

	struct p *pidle;    /* idle Ps */
	int32_t npidle;	    /* atomic loads outside the lock */
	int32_t nmspinning; /* atomic; changed without the lock */
	/* A spinning M found work but no idle P to hand it to (wakep, or
	 * findrunnable's last look): the next M about to idle its P spins
	 * instead. Set and read under the lock; cleared by any M that starts
	 * spinning (becomeSpinning). Atomic for the clear. Go 1.21's. */
	uint32_t needspinning;

	gQueue runq;	  /* global run queue */
	int32_t runqsize; /* atomic loads outside the lock */

	/* Dead Gs with stacks, global. Own lock. */
	struct {
		mutex lock;
		gList stack;
	} gFree;

	uint32_t gcwaiting; /* atomic: stop-the-world in progress */
	int32_t stopwait;
	note stopnote;

	/* The idle M that sleeps until the next timer (time.c). tsleeping and
	 * tsleepuntil are atomic; adding an earlier timer bumps tgen and wakes
	 * it through the futex on tgen. */
	uint32_t tsleeping;
	int64_t tsleepuntil;
	uint32_t tgen;
};

#endif
