/*
 * spawnsum: spawn 100000 goroutines; each adds its id (1..100000) to a shared
 * atomic sum. Run at GOMAXPROCS=2 it prints sum=5000050000.
 */
#include <schedlab.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { N = 100000 };

static _Atomic int64_t sum;
static _Atomic int64_t done;

static void add(void *arg)
{
	sum += (int64_t)(intptr_t)arg;
	done++;
}

int sl_main(int argc, char **argv)
{
	int64_t n = argc > 1 ? atoll(argv[1]) : N;
	for (int64_t i = 1; i <= n; i++)
		sl_go(add, (void *)(intptr_t)i);
	while (done != n)
		sl_yield();
	printf("sum=%lld\n", (long long)sum);
	return 0;
}
