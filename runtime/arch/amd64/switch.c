/*
 * switch.c: the C side of every user-level context switch (gogo, mcall) and
 * its sanitizer annotations.
 *
 * Two kinds of switch: through g0 (mcall to g0, then gogo from g0 to the
 * next G), Go's only kind; and direct, from one user G to the next
 * (gogo_direct), which the scheduler's fast paths use when the next G is
 * already known (goroutine.c). A direct switch cannot do the leaving G's
 * bookkeeping before it leaves: the G must not be published (queued, marked
 * waiting, unlocked for a waker) while its registers are still live on its
 * own stack, or another M could resume it from a stale context. So the
 * bookkeeping, finish(prev), runs after the switch, on the next G's stack,
 * at whichever resume point that G wakes up in (switch_arrived).
 *
 * Each switch tells AddressSanitizer which stack it is moving to
 * (__sanitizer_start_switch_fiber / __sanitizer_finish_switch_fiber) and
 * ThreadSanitizer which fiber now runs (__tsan_switch_to_fiber). Every live G
 * owns a TSan fiber (goroutine.c may give a dead G's back); every M's g0 is
 * its thread's own fiber.
 */
#include "runtime.h"
#include "asm_offsets.h"
#include "sanitizers.h"

#include <stddef.h>

_Static_assert(offsetof(struct g, stack.lo) == G_STACK_LO, "g.stack.lo");
_Static_assert(offsetof(struct g, stack.hi) == G_STACK_HI, "g.stack.hi");
_Static_assert(offsetof(struct g, sched.sp) == G_SCHED_SP, "g.sched.sp");
_Static_assert(offsetof(struct g, m) == G_M, "g.m");
_Static_assert(offsetof(struct m, g0) == M_G0, "m.g0");

__thread struct g *tls_g __attribute__((tls_model("local-exec")));

/* Called on the old stack just before a switch to `to`. A dying G passes
 * dying=true so that ASan drops its fake stack. */
static inline void san_leave(struct g *from, struct g *to, bool dying)
{
#ifdef SL_ASAN
	__sanitizer_start_switch_fiber(dying ? NULL : &from->asan_fake_stack, (void *)to->stack.lo,
				       to->stack.hi - to->stack.lo);
#else
	(void)from;
	(void)dying;
#endif
#ifdef SL_TSAN
	__tsan_switch_to_fiber(to->tsan_fiber, 0);
#else
	(void)to;
#endif
}

/* Called on the new stack just after a switch. */
static inline void san_arrive(struct g *gp)
{
#ifdef SL_ASAN
	__sanitizer_finish_switch_fiber(gp->asan_fake_stack, NULL, NULL);
#else
	(void)gp;
#endif
}

void *san_fiber_create(void)
{
#ifdef SL_TSAN
	return __tsan_create_fiber(0);
#else
	return NULL;
#endif
}

void *san_current_fiber(void)
{
#ifdef SL_TSAN
	return __tsan_get_current_fiber();
#else
	return NULL;
#endif
}

/*
 * Switch from g0 to gp, which must be _Grunning with gp->m set (execute).
 * The g0 frames below are abandoned: the next mcall starts g0 afresh.
 */
void gogo(struct g *gp)
{
	struct g *g0 = getg();
	san_leave(g0, gp, false);
	setg(gp);
	asm_gogo(&gp->sched);
}

/* Every resume point of a user G calls this after san_arrive: the second
 * half of the direct switch that brought us here, if one did. */
static inline void switch_arrived(struct g *gp)
{
	struct m *mp = gp->m;
	void (*finish)(struct g *) = mp->switchfinish;
	if (finish) {
		mp->switchfinish = NULL;
		finish(mp->switchprev);
		mp->switchprev = NULL;
	}
}

/*
 * Switch from the running user G `from` straight to `to`, which the caller
 * made _Grunning on this M (execute_direct), then run finish(from) on to's
 * stack: from's context is saved by then. A dying `from` passes dying=true
 * (see mcall_exit) and is never resumed. Returns when `from` next runs,
 * perhaps on another M.
 */
void gogo_direct(struct g *from, struct g *to, void (*finish)(struct g *), bool dying)
{
	struct m *mp = to->m;
	mp->switchfinish = finish;
	mp->switchprev = from;
	san_leave(from, to, dying);
	setg(to);
	asm_switch(&from->sched, &to->sched);
	/* Resumed: re-read everything. */
	struct g *gp = getg();
	san_arrive(gp);
	switch_arrived(gp);
}

/* The first C frame on g0 after an mcall. */
static void mcall_on_g0(struct g *gp)
{
	struct m *mp = gp->m;
	struct g *g0 = mp->g0;
	setg(g0);
	san_arrive(g0);
	mp->mcallfn(gp);
	throw("runtime: mcall function returned");
}

static inline void mcall_common(void (*fn)(struct g *), bool dying)
{
	struct g *gp = getg();
	struct m *mp = gp->m;
	if (gp == mp->g0)
		throw("runtime: mcall called on m->g0 stack");
	mp->mcallfn = fn;
	san_leave(gp, mp->g0, dying);
	asm_mcall(&gp->sched, mp->g0->sched.sp, mcall_on_g0, gp);
	/* Resumed by gogo or gogo_direct, perhaps on another M: re-read
	 * everything. */
	gp = getg();
	san_arrive(gp);
	switch_arrived(gp);
}

/*
 * Switch from the current G to g0 and run fn(gp) there; fn must not return.
 * mcall returns when gp is next scheduled. Not callable on g0.
 */
void mcall(void (*fn)(struct g *))
{
	mcall_common(fn, false);
}

/* mcall for a G that will never run this life again (goexit). */
void mcall_exit(void (*fn)(struct g *))
{
	mcall_common(fn, true);
	throw("runtime: a dead goroutine was resumed");
}

/* Lay out gp's first frame so that gogo enters asm_goroutine_entry, which
 * calls gostart. See asm_amd64.S for the frame's shape. */
void gostartcallfn(struct g *gp)
{
	uintptr_t top = gp->stack.hi & ~(uintptr_t)15;
	uint64_t *sp = (uint64_t *)(top - 80);
#ifdef SL_ASAN
	ASAN_UNPOISON_MEMORY_REGION((void *)gp->stack.lo, gp->stack.hi - gp->stack.lo);
#endif
	sp[0] = 0x037f; /* x87 control word: default */
	sp[1] = 0x1f80; /* MXCSR: default */
	for (int i = 2; i <= 7; i++)
		sp[i] = 0; /* r15 r14 r13 r12 rbx rbp */
	sp[8] = (uint64_t)(uintptr_t)asm_goroutine_entry;
	gp->sched.sp = (uintptr_t)sp;
	gp->asan_fake_stack = NULL;
}

/* A new goroutine's first C frame. */
NORETURN void gostart(void);
void gostart(void)
{
	struct g *gp = getg();
	san_arrive(gp);
	switch_arrived(gp);
	gp->fn(gp->arg);
	goexit1();
}
