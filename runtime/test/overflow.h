/* overflow.h: a goroutine body that recurses until its stack overflows, for
 * the tests of the stack-overflow report (test_throws, test_hostile,
 * test_scavenge). */
#ifndef SCHEDLAB_TEST_OVERFLOW_H
#define SCHEDLAB_TEST_OVERFLOW_H

#include <stdio.h>

/* Unbounded as far as the compiler can tell: the limit is never reached. */
static volatile int overflow_limit = 1 << 30;

/* 1 KiB frames, each written at both ends so that none is skipped. */
static inline int overflow_recurse(int depth)
{
	volatile char frame[1024];
	frame[0] = (char)depth;
	frame[sizeof frame - 1] = (char)depth;
	if (depth > overflow_limit)
		return 0;
	return overflow_recurse(depth + 1) + frame[0] + frame[sizeof frame - 1];
}

/* sl_go(overflow, NULL): dies of a stack overflow. */
static inline void overflow(void *arg)
{
	(void)arg;
	printf("%d\n", overflow_recurse(0));
}

#endif
