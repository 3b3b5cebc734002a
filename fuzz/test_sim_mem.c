/*
 * test_sim_mem: what the fuzz targets' speed rests on, checked directly
 * (ctest fuzz.sim_mem; every preset that builds fuzz/).
 *
 *   - A stack chunk that a simulated run leaves is the next run's
 *     (runtime/os/sim/sim_mem.c), and reads as a fresh mapping does: every
 *     byte a goroutine of the first run wrote on its stack reads as zero to
 *     the goroutine of the second run that gets the same stack. Both ways of
 *     cleaning a kept chunk: few pages (zeroed in place) and many (dropped).
 *   - Under AddressSanitizer, a pointer into a finished run's stack is
 *     poisoned until a goroutine of a later run gets that stack.
 *   - Under AddressSanitizer, the targets' sigaltstack (fuzz_common.c)
 *     answers as the kernel does, before and after the alternate stack
 *     changes.
 */
#define _GNU_SOURCE
#include "check.h"
#include "export_test.h"
#include "schedlab.h"
#include "schedlab_sim.h"
#include "schedlab_sync.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
#define TEST_ASAN 1
#include <sanitizer/asan_interface.h>
#endif

enum {
	MAXG = 4,
	DIRT = 32 * 1024, /* bytes each dirtying goroutine writes on its stack */
	KEEP = 8 * 1024,  /* the top of a checking goroutine's stack: its own frames */
};

/* One run: ng goroutines, each either dirtying its stack or checking it. */
static struct {
	int ng;
	bool dirty;
	sl_waitgroup wg;
	uintptr_t lo[MAXG], hi[MAXG]; /* each goroutine's stack */
	uintptr_t mark[MAXG];	      /* where a dirtying one wrote, lowest */
	size_t nonzero[MAXG];	      /* bytes a checking one found set */
} R;

static __attribute__((noinline)) void scribble(int i)
{
	volatile uint8_t buf[DIRT];
	for (size_t k = 0; k < sizeof buf; k++)
		buf[k] = (uint8_t)(0xA0 + k % 31 + 1);
	R.mark[i] = (uintptr_t)&buf[0];
}

static __attribute__((noinline)) void inspect(int i)
{
	const volatile uint8_t *p = (const volatile uint8_t *)R.lo[i];
	size_t n = 0;
	for (uintptr_t a = R.lo[i]; a < R.hi[i] - KEEP; a++, p++)
		n += *p != 0;
	R.nonzero[i] = n;
}

static void body(void *arg)
{
	int i = (int)(intptr_t)arg;
	struct g *gp = getg();
	R.lo[i] = gp->stack.lo;
	R.hi[i] = gp->stack.hi;
	if (R.dirty)
		scribble(i);
	else
		inspect(i);
	sl_waitgroup_done(&R.wg);
}

static int run_main(void *arg)
{
	(void)arg;
	sl_waitgroup_add(&R.wg, R.ng);
	for (int i = 0; i < R.ng; i++)
		sl_go(body, (void *)(intptr_t)i);
	sl_waitgroup_wait(&R.wg);
	return 0;
}

static void run(int ng, bool dirty)
{
	memset(&R, 0, sizeof R);
	R.ng = ng;
	R.dirty = dirty;
	struct sl_sim_config cfg = {.choice = SL_SIM_RANDOM, .seed = 7, .ncpu = 1};
	CHECK_EQ(sl_sim_run(&cfg, run_main, NULL), 0);
}

/* ng goroutines dirty their stacks in one run; in the next, the
 * goroutines that get the same stacks find them all zeros. */
static void stacks_read_as_zeros(int ng)
{
	run(ng, true);
	uintptr_t lo[MAXG], mark[MAXG];
	for (int i = 0; i < ng; i++) {
		lo[i] = R.lo[i];
		mark[i] = R.mark[i];
		/* What was written lies where the next run looks. */
		CHECK(mark[i] >= R.lo[i] && mark[i] < R.hi[i] - KEEP);
#ifdef TEST_ASAN
		CHECK(__asan_address_is_poisoned((void *)mark[i]));
#endif
	}
	run(ng, false);
	for (int i = 0; i < ng; i++) {
		CHECK_EQ(R.lo[i], lo[i]); /* the kept chunk, the same stack */
		CHECK_EQ(R.nonzero[i], 0);
	}
}

#ifdef TEST_ASAN
static void same_as_kernel(void)
{
	stack_t a, b;
	memset(&a, 0x5a, sizeof a);
	memset(&b, 0x5a, sizeof b);
	CHECK_EQ(sigaltstack(NULL, &a), 0);
	CHECK_EQ(syscall(SYS_sigaltstack, NULL, &b), 0);
	CHECK(a.ss_sp == b.ss_sp && a.ss_size == b.ss_size && a.ss_flags == b.ss_flags);
}

static void sigaltstack_answers(void)
{
	stack_t old;
	CHECK_EQ(syscall(SYS_sigaltstack, NULL, &old), 0);
	same_as_kernel();
	same_as_kernel(); /* the second answer is the kept one */
	size_t size = 64 * 1024;
	stack_t ss = {.ss_sp = malloc(size), .ss_size = size, .ss_flags = 0};
	CHECK(ss.ss_sp != NULL);
	CHECK_EQ(sigaltstack(&ss, NULL), 0);
	same_as_kernel();
	same_as_kernel();
	stack_t off = {.ss_flags = SS_DISABLE};
	CHECK_EQ(sigaltstack(&off, NULL), 0);
	same_as_kernel();
	CHECK_EQ(sigaltstack(&old, NULL), 0);
	same_as_kernel();
	free(ss.ss_sp);
}
#endif

int main(void)
{
	stacks_read_as_zeros(1);    /* a few pages: zeroed in place */
	stacks_read_as_zeros(MAXG); /* many: dropped */
#ifdef TEST_ASAN
	sigaltstack_answers();
#endif
	printf("test_sim_mem: ok\n");
	return 0;
}
