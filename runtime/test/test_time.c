/*
 * test_time: sl_sleep and timers.
 *   sleepers     goroutines sleep for spread-out durations: none wakes early,
 *                none is lost, and a sleeping goroutine leaves its P free
 *   resize       the same while GOMAXPROCS shrinks and grows: timers of
 *                destroyed Ps move to survivors, keeping their deadlines
 *   numgoroutine sl_numgoroutine counts live goroutines
 */
#include "check.h"
#include "runtime.h"
#include "schedlab.h"
#include "sleeper.h"

#include <string.h>

enum { NS = 200 };

static int64_t woke, early;
static int64_t deadline_of[NS], woke_at[NS];

static void sleeper_g(void *arg)
{
	intptr_t i = (intptr_t)arg;
	int64_t d = (int64_t)(i % 50) * 2 * 1000 * 1000; /* 0..98 ms */
	int64_t start = os_nanotime();
	deadline_of[i] = start + d;
	sl_sleep(d);
	woke_at[i] = os_nanotime();
	if (woke_at[i] < deadline_of[i])
		atomic_xadd(&early, 1);
	atomic_xadd(&woke, 1);
}

static void run_sleepers(bool resize)
{
	atomic_store(&woke, 0);
	atomic_store(&early, 0);
	for (intptr_t i = 0; i < NS; i++)
		sl_go(sleeper_g, (void *)i);
	if (resize) {
		int sizes[] = {1, 8, 2, 16, 1, 3, 4};
		for (unsigned k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
			sl_gomaxprocs(sizes[k]);
			schedcheck_stw();
			sl_sleep(5 * 1000 * 1000);
		}
	}
	while (atomic_load(&woke) != NS)
		sl_sleep(1000 * 1000);
	CHECK_EQ(atomic_load(&early), 0);
	for (int i = 0; i < NS; i++)
		CHECK(woke_at[i] >= deadline_of[i]);
}

static struct sleeper hold;
static void parked_forever(void *arg)
{
	(void)arg;
	sleep_on(&hold);
}

int sl_main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "sleepers";
	if (!strcmp(mode, "sleepers")) {
		sl_gomaxprocs(2);
		/* Sleeping does not hold the P: main keeps running meanwhile. */
		run_sleepers(false);
		int64_t t0 = os_nanotime();
		sl_sleep(20 * 1000 * 1000);
		CHECK(os_nanotime() - t0 >= 20 * 1000 * 1000);
		sl_sleep(0);
		sl_sleep(-5);
		printf("sleepers: %d woke, none early\n", NS);
		return 0;
	}
	if (!strcmp(mode, "resize")) {
		run_sleepers(true);
		printf("resize: %d timers survived 7 resizes, none early\n", NS);
		return 0;
	}
	if (!strcmp(mode, "numgoroutine")) {
		CHECK_EQ(sl_numgoroutine(), 1);
		for (int i = 0; i < 10; i++)
			sl_go(parked_forever, NULL);
		while (sl_numgoroutine() != 11)
			sl_yield();
		for (int i = 0; i < 10; i++)
			wake(&hold);
		while (sl_numgoroutine() != 1)
			sl_yield();
		printf("numgoroutine: ok\n");
		return 0;
	}
	fprintf(stderr, "test_time: unknown mode %s\n", mode);
	return 2;
}
