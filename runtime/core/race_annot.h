/*
 * race_annot.h: how the core says that a race is benign, for the fine
 * simulation's race detector (runtime/os/sim/race.c; every access of the
 * core is checked there). Prefer a fix to an annotation: where Go reads a
 * field with an atomic, read it with atomic_load_relaxed (atomic.h); where
 * the writers are atomic, a relaxed atomic read is no race at all. What is
 * left are reads that are racy on purpose, and each says why at the code:
 *
 *  - a whole function that samples other threads' state without their locks
 *    (schedtrace's dump, sysmon's retake): NO_SANITIZE_THREAD (runtime.h).
 *    Its plain accesses are then not instrumented, in the tsan preset and in
 *    the fine simulation alike (the fine build's instrumentation is TSan's);
 *    clang still instruments its atomics, gcc does not (below).
 *  - one read in a function that is otherwise checked:
 *    RACE_BENIGN_READ(lvalue), the value of lvalue, read where the detector
 *    does not see it (nor ThreadSanitizer, in the tsan preset: a call). In
 *    every other build it is the plain read itself, and costs nothing.
 *    Prefer it to NO_SANITIZE_THREAD on a function with atomics that order
 *    anything: gcc then instruments none of the function, atomics included,
 *    so in the fine simulation they are neither points nor happens-before
 *    edges (clang still instruments a NO_SANITIZE_THREAD function's
 *    atomics).
 *
 * The detector still sees every write, and every other read, of the field:
 * a benign read hides only itself.
 */
#ifndef SCHEDLAB_RACE_ANNOT_H
#define SCHEDLAB_RACE_ANNOT_H

#include "sanitizers.h"

#include <stddef.h>

#ifdef SL_SIM_FINE
/* Copies n bytes from src to dst, unseen by the race detector and not a
 * scheduling point (race.c, compiled without the instrumentation). */
void race_benign_read(void *dst, const void *src, size_t n);
#elif defined(SL_TSAN)
/* ThreadSanitizer (the tsan preset): the copy in a function it does not
 * instrument, and not inlined (clang instruments what is inlined into an
 * instrumented caller; unused: a file may not call it), a byte at a time through volatile (no
 * memcpy, which TSan's runtime intercepts). */
static __attribute__((noinline, no_sanitize("thread"), unused)) void
race_benign_read(void *dst, const void *src, size_t n)
{
	const volatile unsigned char *s = src;
	volatile unsigned char *d = dst;
	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}
#endif

#if defined(SL_SIM_FINE) || defined(SL_TSAN)
/* Through a union, so that a const or volatile lvalue is read alike. */
#define RACE_BENIGN_READ(x)                                                                        \
	({                                                                                         \
		union {                                                                            \
			__typeof__(x) v;                                                           \
			unsigned char b[sizeof(x)];                                                \
		} race_benign_u_;                                                                  \
		race_benign_read(race_benign_u_.b, (const void *)&(x), sizeof(x));                 \
		race_benign_u_.v;                                                                  \
	})
#else
#define RACE_BENIGN_READ(x) (x)
#endif

#endif
