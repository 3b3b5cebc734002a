/*
 * test_startup: GOMAXPROCS and the other start-up settings, checked from
 * outside by expect.sh (see CMakeLists.txt). Modes:
 *   gomaxprocs  print the settings, then run 1000 goroutines to completion
 *   huge        sl_gomaxprocs with huge and non-positive arguments
 *   trace       run for ~150 ms so that schedtrace prints
 */
#include "check.h"
#include "runtime.h"
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
		int n = sl_gomaxprocs(0);
		printf("gomaxprocs=%d ncpu=%d default=%s stacksize=%zu\n", n, sl_numcpu(),
		       n == sl_numcpu() ? "yes" : "no", sl_stacksize());
		run_many(1000);
		printf("stackguard=%s\n", stackguardmode());
		printf("ran=%lld\n", (long long)count);
		return 0;
	}
	if (!strcmp(mode, "huge")) {
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
		double end = now() + 0.15;
		while (now() < end)
			run_many(10), count = 0;
		printf("traced\n");
		return 0;
	}
	fprintf(stderr, "test_startup: unknown mode %s\n", mode);
	return 2;
}
