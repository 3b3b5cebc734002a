/*
 * export_test.h: the runtime's internals that white-box code may touch, and
 * nothing else; Go's export_test.go. The tests under runtime/test/ and the
 * fuzz targets under fuzz/ include this (with chan.h or sema.h for the
 * channel and semaphore internals), never runtime.h, which is the runtime's
 * own.
 *
 * Each name here is the runtime's, declared again exactly as runtime.h (or
 * os.h) declares it; fuzz/export_test_check.c includes both headers, so a
 * declaration that drifts from the runtime's fails the build. The rule for
 * adding to it: only what a test or fuzz target uses, declared as the
 * runtime declares it, in the group of its source file, and nothing that
 * no test uses any more. A test that only reads a counter gets the counter,
 * not the structure around it.
 */
#ifndef SCHEDLAB_EXPORT_TEST_H
#define SCHEDLAB_EXPORT_TEST_H

#include "atomic.h"
#include "runtime2.h" /* struct g, m, p and schedt, whose fields tests read */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HIDDEN __attribute__((visibility("hidden")))

/* ---- the current G and M (runtime.h; test_migration, test_syscall, test_throws) ---- */
#include "getg.h"
#ifndef SCHEDLAB_RUNTIME_H /* the same definition as runtime.h's */
static inline struct m *getm(void)
{
	struct g *gp = getg();
	return gp ? gp->m : NULL;
}
#endif

/* ---- proc.c ---- */
extern HIDDEN struct schedt sched;
extern HIDDEN int32_t gomaxprocs;
extern HIDDEN struct p *allp[SL_MAX_GOMAXPROCS]; /* test_parallelism's stall report */
extern HIDDEN mutex allglock;
extern HIDDEN struct g **allgs;
extern HIDDEN int32_t allglen;
HIDDEN struct p *procresize(int32_t nprocs);
HIDDEN void wirep(struct p *pp);
HIDDEN struct p *releasep(void);
HIDDEN void mcall(void (*fn)(struct g *));

/* ---- goroutine.c ---- */
HIDDEN void gopark(bool (*unlockf)(struct g *, void *), void *lock, enum waitreason reason,
		   void *waiting_on);
HIDDEN void goready(struct g *gp);
/* Parenthesized: the simulated build wraps the name in a macro. */
HIDDEN void(casgstatus)(struct g *gp, uint32_t oldval, uint32_t newval);
HIDDEN uint32_t readgstatus(struct g *gp);

/* ---- runq.c (test_runq, fuzz_runq) ---- */
HIDDEN void runqput(struct p *pp, struct g *gp, bool next);
HIDDEN struct g *runqget(struct p *pp, bool *inheritTime);
HIDDEN struct g *runqget_ring(struct p *pp);
HIDDEN bool runqempty(struct p *pp);
HIDDEN uint32_t runqlen(struct p *pp);
HIDDEN struct g *runqsteal(struct p *pp, struct p *p2, bool stealRunNextG);
HIDDEN void globrunqput(struct g *gp);
HIDDEN struct g *globrunqget(struct p *pp, int32_t max);
/* On the global queue of s, not sched: fuzz_runq's own. */
HIDDEN void runqput_in(struct schedt *s, struct p *pp, struct g *gp, bool next);
HIDDEN void globrunqput_in(struct schedt *s, struct g *gp);
HIDDEN void globrunqputhead_in(struct schedt *s, struct g *gp);
HIDDEN struct g *globrunqget_in(struct schedt *s, struct p *pp, int32_t max);
HIDDEN struct g *gqueue_pop(gQueue *q);

/* ---- stw.c ---- */
HIDDEN void stopTheWorld(const char *reason);
/* Stop the world, schedcheck, start it again. */
HIDDEN void schedcheck_stw(void);

/* ---- schedcheck.c ---- */
#ifndef SCHEDLAB_RUNTIME_H /* the same definition as runtime.h's */
enum schedcheck_mode {
	SCHEDCHECK_STOPPED,   /* world stopped; caller holds sched.lock */
	SCHEDCHECK_QUIESCENT, /* every M idle; caller holds sched.lock */
};
#endif
HIDDEN void schedcheck(enum schedcheck_mode mode);
extern HIDDEN uint64_t schedcheck_passes;

/* ---- stack.c ---- */
extern HIDDEN int64_t stacks_mapped;
HIDDEN const char *stackguardmode(void);
/* the pool and the scavenger's counters (test_scavenge) */
HIDDEN stack stackalloc(void);
HIDDEN void stackfree(stack s);
extern HIDDEN int64_t stacks_released;
extern HIDDEN int64_t stackchunks_unmapped;
extern HIDDEN int64_t stackmap_refusals;
extern HIDDEN int64_t scavenge_passes;

/* ---- stackrelease.c (test_scavenge) ---- */
extern HIDDEN bool stackrelease_on;
extern HIDDEN int64_t stackreleases, stackrestores, stackrelease_refused;
HIDDEN void stackrelease_touch(const void *p);

/* ---- lock.c ---- */
HIDDEN void lockInit(mutex *l, enum lockrank rank);
/* Out of line: runtime.h may make these macros for the runtime itself. */
HIDDEN void(lock)(mutex *l);
HIDDEN void(unlock)(mutex *l);

/* ---- os.h, the seam, whole: tests use os_nanotime, os_usleep and
 * SCHEDPOINT ---- */
#include "os.h"

#endif
