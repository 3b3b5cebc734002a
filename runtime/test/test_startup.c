/*
 * test_startup: GOMAXPROCS and the other start-up settings, checked from
 * outside by expect.sh, as the EXPECT block of each case says. Modes:
 *   gomaxprocs  print the settings, then run 1000 goroutines to completion
 *   huge        sl_gomaxprocs with huge and non-positive arguments
 *   trace       run for ~150 ms so that schedtrace prints
 */
#include "check.h"
#include "export_test.h"
#include "schedlab.h"

#include <string.h>
#include <time.h>

static int64_t count;

static void inc(void *arg)
{
	(void)arg;
	sl_yield();
	__atomic_add_fetch(&count, 1, __ATOMIC_SEQ_CST);
}

static void run_many(int n)
{
	for (int i = 0; i < n; i++)
		sl_go(inc, NULL);
	while (__atomic_load_n(&count, __ATOMIC_SEQ_CST) != n)
		sl_yield();
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int sl_main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "gomaxprocs";
	if (!strcmp(mode, "gomaxprocs")) {
		/*
		 * EXPECT gomaxprocs_1024
		 * env     GOMAXPROCS=1024
		 * status  0
		 * match   gomaxprocs=1024[ ]
		 * match   ran=1000
		 * nomatch ignoring
		 */
		/*
		 * EXPECT bad_gomaxprocs
		 * env     GOMAXPROCS=${bad}
		 * status  0
		 * match   ^schedlab: ignoring invalid GOMAXPROCS="${bad}": want a positive \
		 *         integer; using [0-9]+$
		 * match   default=yes
		 * match   ran=1000
		 */
		/*
		 * EXPECT gomaxprocs_over_limit
		 * env     GOMAXPROCS=5000
		 * status  0
		 * match   GOMAXPROCS=5000 exceeds the limit of 1024; using 1024
		 * match   gomaxprocs=1024[ ]
		 */
		/*
		 * EXPECT gomaxprocs_over_int32
		 * env     GOMAXPROCS=99999999999
		 * status  0
		 * match   GOMAXPROCS=99999999999 exceeds the limit of 1024; using 1024
		 * match   gomaxprocs=1024[ ]
		 * nomatch invalid
		 */
		/*
		 * EXPECT gomaxprocs_over_int64
		 * env     GOMAXPROCS=123456789012345678901234567890
		 * status  0
		 * match   exceeds the limit of 1024; using 1024
		 * match   gomaxprocs=1024[ ]
		 * nomatch invalid
		 */
		/*
		 * EXPECT stack_size
		 * env     SL_STACK_SIZE=256k
		 * status  0
		 * match   stacksize=262144
		 * match   ran=1000
		 */
		/*
		 * EXPECT stackguard_default
		 * status  0
		 * match   stackguard=(madvise|mprotect)$
		 */
		/*
		 * EXPECT stackguard_mprotect
		 * env     SL_DEBUG=stackguard=1
		 * status  0
		 * match   stackguard=mprotect$
		 * match   ran=1000
		 */
		/*
		 * EXPECT bad_stack_size
		 * env     SL_STACK_SIZE=12
		 * status  0
		 * match   ignoring invalid SL_STACK_SIZE="12"
		 * match   stacksize=65536
		 */
		/*
		 * EXPECT bad_sl_debug
		 * env     SL_DEBUG=schedtrace=x,bogus
		 * status  0
		 * match   SL_DEBUG: ignoring "schedtrace=x"
		 * match   SL_DEBUG: ignoring "bogus"
		 * match   ran=1000
		 */
		int n = sl_gomaxprocs(0);
		printf("gomaxprocs=%d ncpu=%d default=%s stacksize=%zu\n", n, sl_numcpu(),
		       n == sl_numcpu() ? "yes" : "no", sl_stacksize());
		run_many(1000);
		printf("stackguard=%s\n", stackguardmode());
		printf("ran=%lld\n", (long long)count);
		return 0;
	}
	if (!strcmp(mode, "huge")) {
		/*
		 * EXPECT huge_sl_gomaxprocs
		 * args    huge
		 * env     GOMAXPROCS=2
		 * status  0
		 * match   clamped=1024
		 */
		int before = sl_gomaxprocs(0);
		CHECK_EQ(sl_gomaxprocs(1 << 30), before);	/* returns the previous value */
		CHECK_EQ(sl_gomaxprocs(0), SL_MAX_GOMAXPROCS);	/* clamped */
		CHECK_EQ(sl_gomaxprocs(-7), SL_MAX_GOMAXPROCS); /* n < 1 only queries */
		CHECK_EQ(sl_gomaxprocs(2147483647), SL_MAX_GOMAXPROCS);
		run_many(1000);
		CHECK_EQ(sl_gomaxprocs(1), SL_MAX_GOMAXPROCS);
		CHECK_EQ(sl_gomaxprocs(0), 1);
		printf("clamped=%d\n", SL_MAX_GOMAXPROCS);
		return 0;
	}
	if (!strcmp(mode, "trace")) {
		/*
		 * EXPECT schedtrace
		 * args    trace
		 * env     GOMAXPROCS=2
		 * env     SL_DEBUG=schedtrace=20,scheddetail=1
		 * status  0
		 * match   ^SCHED [0-9]+ms: gomaxprocs=2 idleprocs=[0-9]+ threads=[0-9]+ \
		 *         spinningthreads=[0-9]+ idlethreads=[0-9]+ runqueue=[0-9]+
		 * match   ^  P0: status=[0-4] schedtick=[0-9]+
		 * match   ^  M0: p=
		 * match   ^  G1: status=
		 * match   traced
		 */
		/*
		 * EXPECT schedtrace_short
		 * args    trace
		 * env     GOMAXPROCS=2
		 * env     SL_DEBUG=schedtrace=20
		 * status  0
		 * match   ^SCHED [0-9]+ms: gomaxprocs=2 .* runqueue=[0-9]+ \[[0-9]+ [0-9]+\]$
		 * nomatch P0: status
		 */
		double end = now() + 0.15;
		while (now() < end)
			run_many(10), count = 0;
		printf("traced\n");
		return 0;
	}
	fprintf(stderr, "test_startup: unknown mode %s\n", mode);
	return 2;
}
