/*
 * switch.c: the physical floor under every scheduler operation.
 *
 *   SwitchFloor  one op: one round trip of the runtime's bare context switch
 *                (asm_switch, the same save/restore as every goroutine
 *                switch) between the benchmark goroutine's stack and a
 *                second stack, with no scheduler in between: two switches.
 *                Procs 1.
 *
 * Sanitizer builds annotate the two switches as the runtime annotates its
 * own, so the floor is also a real test of those builds; release builds
 * measure the bare instructions.
 */
#include <schedlab.h>
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

enum { floor_stack_size = 64 * 1024 };

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
	int64_t visits; /* arrivals on the other stack */
	void *stack;	/* the other side's */
} fl;

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

/* A first frame on the other stack that asm_switch's restore path accepts:
 * x87 control word, MXCSR, six callee-saved registers, then the address it
 * jumps to (see asm_amd64.S). */
static void make_other(void)
{
	uintptr_t top = ((uintptr_t)fl.stack + floor_stack_size) & ~(uintptr_t)15;
	uint64_t *sp = (uint64_t *)(top - 80);

	sp[0] = 0x037f;
	sp[1] = 0x1f80;
	for (int i = 2; i <= 7; i++)
		sp[i] = 0;
	sp[8] = (uint64_t)(uintptr_t)other_side;
	fl.other.ctx.sp = (uintptr_t)sp;
	fl.visits = 0;
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

static void switch_floor(gb_state *st)
{
	int64_t n = 0;

	fl.stack = mmap(NULL, floor_stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (fl.stack == MAP_FAILED) {
		gb_skip_with_error(st, "mmap of the second stack failed");
		return;
	}
	make_other();
	while (gb_keep_running_batch(st, 1000)) {
		for (int i = 0; i < 1000; i++)
			floor_switch(&fl.main, &fl.other);
		n += 1000;
	}
	drop_other();
	if (fl.visits != n)
		gb_skip_with_error(st, "the other stack missed a switch");
}

void register_switch(void)
{
	static const struct bench_def def = {
	    .name = "SwitchFloor", .body = switch_floor, .procs1_only = true};
	bench_register(&def);
}
