/*
 * fuzz_common.c: the input format of fuzz_common.h, and (under
 * AddressSanitizer) the targets' sigaltstack, which answers ASan's queries
 * without a system call (below).
 */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * AddressSanitizer calls sigaltstack(NULL, &old) before every call of a
 * noreturn function (__asan_handle_no_return), to learn the thread's
 * alternate signal stack and whether it runs on it, and unpoisons
 * accordingly. The simulated runtime calls one (schedule, gogo, mcall_exit,
 * ...) at every switch through g0: some 300 system calls an input, most of
 * the system calls a campaign made once its stack mappings were kept
 * (runtime/os/sim/sim_mem.c).
 *
 * ASan's own sigaltstack is its interceptor, a weak symbol; this definition
 * takes its place in the targets and the replayers, and gives the kernel's
 * answer without asking it again: each thread keeps what the kernel last
 * said to a query made off the alternate stack. That answer changes only
 * when the thread sets its alternate stack, which goes through here (and
 * drops the copy), or when it runs on that stack (a signal handler): then
 * its stack pointer lies inside the alternate stack, and the kernel is
 * asked. ASan sets and removes a thread's alternate stack with a system
 * call of its own only as the thread starts and ends, before and after
 * anything here runs on it. So every answer is the kernel's, and ASan
 * unpoisons exactly what it did.
 */
static __thread stack_t alt_copy;
static __thread int alt_known;

int sigaltstack(const stack_t *ss, stack_t *old)
{
	if (!ss && old && alt_known) {
		char here;
		uintptr_t lo = (uintptr_t)alt_copy.ss_sp;
		if ((alt_copy.ss_flags & SS_DISABLE) || (uintptr_t)&here - lo >= alt_copy.ss_size) {
			*old = alt_copy;
			return 0;
		}
	}
	long r = syscall(SYS_sigaltstack, ss, old);
	if (r != 0)
		return -1; /* errno set */
	alt_known = 0;
	if (!ss && old && !(old->ss_flags & SS_ONSTACK)) {
		alt_copy = *old;
		alt_known = 1;
	}
	return 0;
}
#endif

void fuzz_input_parse(struct fuzz_input *in, const uint8_t *data, size_t size)
{
	uint8_t h[4] = {0};
	memcpy(h, data, size < 4 ? size : 4);
	size_t rest = size > 4 ? size - 4 : 0;
	const uint8_t *body = data + (size > 4 ? 4 : size);
	memset(in, 0, sizeof *in);
	switch (h[0] & 3) {
	case 0:
		in->cfg.choice = SL_SIM_RANDOM;
		break;
	case 1:
		in->cfg.choice = SL_SIM_PCT;
		break;
	default:
		in->cfg.choice = SL_SIM_BYTES;
		break;
	}
	in->cfg.ncpu = 1 + ((h[0] >> 2) & 7);
	in->cfg.pct_depth = 1 + (h[0] >> 5);
	in->cfg.seed = (uint64_t)h[1] | (uint64_t)h[2] << 8;
#ifdef SL_FUZZ_FINE
	in->cfg.max_steps = 20 * 1000 * 1000; /* a fine run takes 5-55x the steps */
#else
	in->cfg.max_steps = 2 * 1000 * 1000;
#endif
	in->nprog = h[3] < rest ? h[3] : rest;
	in->prog = body;
	if (in->cfg.choice == SL_SIM_BYTES) {
		in->cfg.bytes = body + in->nprog;
		in->cfg.nbytes = rest - in->nprog;
	}
}

uint8_t fuzz_byte(struct fuzz_input *in)
{
	return in->pos < in->nprog ? in->prog[in->pos++] : 0;
}

bool fuzz_more(const struct fuzz_input *in)
{
	return in->pos < in->nprog;
}

void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "fuzz: %s:%d: check failed: %s (step %llu)\n", file, line, what,
		(unsigned long long)sl_sim_steps());
	abort();
}
