/*
 * quickloop: two quick measurements, before the benchmark suite exists.
 *   quickloop yield [N]   main and one goroutine alternate with sl_yield on
 *                         one P; prints ns per round trip (one yield by each)
 *   quickloop spawn [N]   spawn N goroutines (default 1M) that each bump a
 *                         counter, wait for all; prints the wall time
 */
#include <schedlab.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static _Atomic int64_t counter;
static int64_t rounds;

static void yielder(void *arg)
{
	(void)arg;
	for (int64_t i = 0; i < rounds; i++)
		sl_yield();
	counter++;
}

static void bump(void *arg)
{
	(void)arg;
	counter++;
}

int sl_main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "yield";
	if (!strcmp(mode, "yield")) {
		/* main and one goroutine alternate: exactly two on the P */
		rounds = argc > 2 ? atoll(argv[2]) : 10000000;
		sl_gomaxprocs(1);
		sl_go(yielder, NULL);
		sl_yield(); /* let it start */
		int64_t t0 = now_ns();
		for (int64_t i = 0; i < rounds; i++)
			sl_yield();
		int64_t dt = now_ns() - t0;
		while (counter != 1)
			sl_yield();
		printf("yield round trip: %.1f ns (%lld rounds, GOMAXPROCS=1)\n",
		       (double)dt / (double)rounds, (long long)rounds);
		return 0;
	}
	if (!strcmp(mode, "spawn")) {
		int64_t n = argc > 2 ? atoll(argv[2]) : 1000000;
		int64_t t0 = now_ns();
		for (int64_t i = 0; i < n; i++)
			sl_go(bump, NULL);
		while (counter != n)
			sl_yield();
		int64_t dt = now_ns() - t0;
		printf("spawn and run %lld goroutines: %.1f ms (%.1f ns each, GOMAXPROCS=%d)\n",
		       (long long)n, dt / 1e6, (double)dt / (double)n, sl_gomaxprocs(0));
		return 0;
	}
	fprintf(stderr, "usage: quickloop yield|spawn [N]\n");
	return 2;
}
