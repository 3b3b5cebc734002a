/*
 * switch.c: the physical floor under every scheduler operation.
 *
 *   SwitchFloor  one op: one round trip of the runtime's bare context switch
 *                (asm_switch, the same save/restore as every goroutine
 *                switch) between the benchmark goroutine's stack and a
 *                second stack, with no scheduler in between: two switches.
 *                Procs 1.
 *
 * Besides the instructions, two things decide what a loop of asm_switch
 * costs, and the body controls both:
 *
 * - The floating-point environment. asm_switch saves and restores MXCSR and
 *   the x87 control word, and a restore that changes MXCSR is a serializing
 *   instruction on Intel cores. The benchmark goroutine's MXCSR carries the
 *   sticky inexact flag that Google Benchmark's timer arithmetic raises
 *   (0x1fa0); while the other side's first frame held the default 0x1f80,
 *   every switch changed MXCSR, and an Intel Xeon measured 104-142 ns a round
 *   trip instead of 6.5. So the other side starts with the benchmark
 *   goroutine's control bits, both sides run with the exception flags clear
 *   (the SysV ABI makes them caller-saved: no call promises to keep them),
 *   and after every batch the body checks that both sides hold equal values.
 * - Code placement. A round trip ends twice in asm_switch's one indirect
 *   jump, whose target alternates between the two sides; whether the branch
 *   predictor tells the two directions apart depends on where the call sites
 *   lie. On AMD EPYC (Zen 3) about one placement in four is slow, 37 ns a
 *   round trip instead of 15, and any edit to the runtime or to this file
 *   moves the call sites. So the main side's loop exists in four copies
 *   whose call sites lie 3 bytes apart (one nop of 1, 4, 7 or 10 bytes:
 *   every copy runs the same instructions); the process's first SwitchFloor
 *   run times each copy, untimed by Google Benchmark, and every run uses the
 *   fastest. The label names the copy and the four times.
 *
 * Sanitizer builds annotate the two switches as the runtime annotates its
 * own, so the floor is also a real test of those builds; release builds
 * measure the bare instructions.
 */
#include <schedlab.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "catalogue.h"

#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
#define FLOOR_ASAN 1
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(__SANITIZE_THREAD__) || __has_feature(thread_sanitizer)
#define FLOOR_TSAN 1
#include <sanitizer/tsan_interface.h>
#endif

/* The runtime's gobuf: the saved stack pointer, the rest is on the stack. */
struct context {
	uintptr_t sp;
};
void asm_switch(struct context *save, struct context *to);

enum {
	floor_stack_size = 64 * 1024,
	floor_batch = 1000,
	floor_placements = 4,
	floor_trial = 20000, /* round trips per placement and trial */
	floor_trials = 3,
};

/* MXCSR's six sticky exception flags; the rest are control bits. */
#define MXCSR_FLAGS 0x3fu

/* One side of the round trip: its saved context and what the sanitizers
 * need to know about it. */
struct side {
	struct context ctx;
#ifdef FLOOR_ASAN
	void *fake_stack;
	const void *lo; /* its stack */
	size_t size;
#endif
#ifdef FLOOR_TSAN
	void *fiber;
#endif
};

/* The two sides; one SwitchFloor runs at a time. */
static struct floor {
	struct side main, other;
	int64_t visits;	  /* arrivals on the other stack */
	void *stack;	  /* the other side's */
	bool env_differs; /* a batch ended with unequal MXCSR or x87 control words */
	int placement;	  /* the copy of the loop the runs use; -1 until chosen */
	double trial_ns[floor_placements];
} fl = {.placement = -1};

static inline uint32_t mxcsr_get(void)
{
	uint32_t m;
	__asm__ volatile("stmxcsr %0" : "=m"(m));
	return m;
}

static inline void mxcsr_set(uint32_t m)
{
	__asm__ volatile("ldmxcsr %0" : : "m"(m));
}

static inline uint16_t fpucw_get(void)
{
	uint16_t cw;
	__asm__ volatile("fnstcw %0" : "=m"(cw));
	return cw;
}

/* Leave `from` for `to`; returns when something switches back to `from`. */
static inline void floor_switch(struct side *from, struct side *to)
{
#ifdef FLOOR_ASAN
	__sanitizer_start_switch_fiber(&from->fake_stack, to->lo, to->size);
#endif
#ifdef FLOOR_TSAN
	__tsan_switch_to_fiber(to->fiber, 0);
#endif
	asm_switch(&from->ctx, &to->ctx);
#ifdef FLOOR_ASAN
	__sanitizer_finish_switch_fiber(from->fake_stack, NULL, NULL);
#endif
}

/* The other side: entered by the first switch, switches back forever. Its
 * stack is dropped, never returned from. */
__attribute__((noreturn)) static void other_side(void)
{
#ifdef FLOOR_ASAN
	/* The first arrival learns the main stack's bounds for the way back. */
	__sanitizer_finish_switch_fiber(NULL, &fl.main.lo, &fl.main.size);
#endif
	for (;;) {
		fl.visits++;
		floor_switch(&fl.other, &fl.main);
	}
}

/* The main side's loop, n round trips, in one copy per placement: only the
 * nop's length differs. */
#define FLOOR_LOOP(nop)                                                                            \
	__attribute__((noinline)) static void floor_loop_##nop(int64_t n)                          \
	{                                                                                          \
		for (int64_t i = 0; i < n; i++) {                                                  \
			__asm__ volatile(".nops " #nop ", 10");                                    \
			floor_switch(&fl.main, &fl.other);                                         \
		}                                                                                  \
	}
FLOOR_LOOP(1)
FLOOR_LOOP(4)
FLOOR_LOOP(7)
FLOOR_LOOP(10)
static void (*const floor_loops[floor_placements])(int64_t) = {floor_loop_1, floor_loop_4,
							       floor_loop_7, floor_loop_10};

/* n round trips with copy p, both sides' exception flags clear; then checks
 * that both sides held the same MXCSR and x87 control word. The main side's
 * live registers are what its last restore loaded; the other side's saved
 * frame is what its restores load. */
static void floor_run(int p, int64_t n)
{
	mxcsr_set(mxcsr_get() & ~MXCSR_FLAGS);
	floor_loops[p](n);
	const uint64_t *other = (const uint64_t *)fl.other.ctx.sp;
	if ((uint16_t)other[0] != fpucw_get() || (uint32_t)other[1] != mxcsr_get())
		fl.env_differs = true;
}

/* A first frame on the other stack that asm_switch's restore path accepts:
 * x87 control word, MXCSR, six callee-saved registers, then the address it
 * jumps to (see asm_amd64.S). The floating-point words are this goroutine's
 * control bits, with no exception flag. */
static void make_other(void)
{
	uintptr_t top = ((uintptr_t)fl.stack + floor_stack_size) & ~(uintptr_t)15;
	uint64_t *sp = (uint64_t *)(top - 80);

	sp[0] = fpucw_get();
	sp[1] = mxcsr_get() & ~MXCSR_FLAGS;
	for (int i = 2; i <= 7; i++)
		sp[i] = 0;
	sp[8] = (uint64_t)(uintptr_t)other_side;
	fl.other.ctx.sp = (uintptr_t)sp;
	fl.visits = 0;
	fl.env_differs = false;
#ifdef FLOOR_ASAN
	fl.other.lo = fl.stack;
	fl.other.size = floor_stack_size;
#endif
#ifdef FLOOR_TSAN
	fl.main.fiber = __tsan_get_current_fiber();
	fl.other.fiber = __tsan_create_fiber(0);
#endif
}

static void drop_other(void)
{
#ifdef FLOOR_ASAN
	ASAN_UNPOISON_MEMORY_REGION(fl.stack, floor_stack_size);
#endif
#ifdef FLOOR_TSAN
	__tsan_destroy_fiber(fl.other.fiber);
#endif
	munmap(fl.stack, floor_stack_size);
}

static int64_t thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Once per process: each copy's best of floor_trials trials, by this
 * thread's CPU clock (the goroutine does not leave its M meanwhile); the
 * fastest copy is the placement. Returns the round trips it made. */
static int64_t choose_placement(void)
{
	for (int p = 0; p < floor_placements; p++)
		fl.trial_ns[p] = 1e300;
	for (int t = 0; t < floor_trials; t++)
		for (int p = 0; p < floor_placements; p++) {
			int64_t t0 = thread_cpu_ns();
			floor_run(p, floor_trial);
			double ns = (double)(thread_cpu_ns() - t0) / floor_trial;
			if (ns < fl.trial_ns[p])
				fl.trial_ns[p] = ns;
		}
	fl.placement = 0;
	for (int p = 1; p < floor_placements; p++)
		if (fl.trial_ns[p] < fl.trial_ns[fl.placement])
			fl.placement = p;
	return (int64_t)floor_trials * floor_placements * floor_trial;
}

static void switch_floor(gb_state *st)
{
	int64_t n = 0;
	char label[128];

	fl.stack = mmap(NULL, floor_stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (fl.stack == MAP_FAILED) {
		gb_skip_with_error(st, "mmap of the second stack failed");
		return;
	}
	make_other();
	if (fl.placement < 0)
		n += choose_placement();
	while (gb_keep_running_batch(st, floor_batch)) {
		floor_run(fl.placement, floor_batch);
		n += floor_batch;
	}
	drop_other();
	if (fl.visits != n) {
		gb_skip_with_error(st, "the other stack missed a switch");
		return;
	}
	if (fl.env_differs) {
		gb_skip_with_error(st,
				   "the two sides ran with different MXCSR or x87 control words: "
				   "every switch changed them");
		return;
	}
	snprintf(label, sizeof label, "placement %d of %d (%.1f %.1f %.1f %.1f ns)",
		 fl.placement + 1, floor_placements, fl.trial_ns[0], fl.trial_ns[1], fl.trial_ns[2],
		 fl.trial_ns[3]);
	gb_set_label(st, label);
}

void register_switch(void)
{
	static const struct bench_def def = {
	    .name = "SwitchFloor", .body = switch_floor, .procs1_only = true};
	bench_register(&def);
}
