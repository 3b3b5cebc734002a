/*
 * test_stw: the analog of Go's TestStopTheWorldDeadlock. Several goroutines
 * change GOMAXPROCS in a loop (each change stops the world) while a
 * goroutine keeps respawning itself. Nothing may deadlock and the state must
 * check out at the end.
 */
#include "check.h"
#include "export_test.h"
#include "schedlab.h"

enum { CALLERS = 4, CALLS = 200 };

static int stop;
static int64_t done, respawns;

static void perpetuum_mobile(void *arg)
{
	(void)arg;
	atomic_xadd(&respawns, 1);
	if (!atomic_load(&stop))
		sl_go(perpetuum_mobile, NULL);
}

static void caller(void *arg)
{
	intptr_t k = (intptr_t)arg;
	for (int i = 0; i < CALLS; i++) {
		int n = 2 + (int)((i + k) % 3);
		int prev = sl_gomaxprocs(n);
		CHECK(prev >= 1 && prev <= 4);
	}
	atomic_xadd(&done, 1);
}

int sl_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	int orig = sl_gomaxprocs(3);
	sl_go(perpetuum_mobile, NULL);
	for (intptr_t k = 0; k < CALLERS; k++)
		sl_go(caller, (void *)k);
	while (atomic_load(&done) != CALLERS)
		sl_yield();
	atomic_store(&stop, 1);
	sl_gomaxprocs(orig);
	schedcheck_stw();
	CHECK(atomic_load(&respawns) > 0);
	printf("stw: %d world stops, %lld respawns, ok\n", CALLERS * CALLS,
	       (long long)atomic_load(&respawns));
	return 0;
}
