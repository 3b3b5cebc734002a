/*
 * test_time: sl_sleep and timers.
 *   sleepers     goroutines sleep for spread-out durations: none wakes early,
 *                none is lost, and a sleeping goroutine leaves its P free
 *   resize       the same while GOMAXPROCS shrinks and grows: timers of
 *                destroyed Ps move to survivors, keeping their deadlines
 *   numgoroutine sl_numgoroutine counts live goroutines
 *   timerchan    timers that send on a channel: fire no earlier than asked,
 *                stop, reset, and a select that times out
 *   fire_vs_free timers freed while they fire and short sleeps whose stacks
 *                are reused at once; the sanitizer builds catch a timer
 *                touched after its owner let it go
 *   concurrent_reset  goroutines on several Ps reset and stop one timer at
 *                once, as Go allows: afterwards it is in one heap once, and
 *                a last reset fires exactly once
 */
#include "check.h"
#include "export_test.h"
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

/* One sleeper each: a sleeper holds a single parked goroutine. */
static struct sleeper hold[10];
static void parked_until_woken(void *arg)
{
	sleep_on(arg);
}

enum { CHURNERS = 8, ROUNDS = 400 };
static int64_t churned, fired;

/* Each round either frees a timer that is due now, so that checkTimers on
 * another M may be sending on it, or sleeps 1 ns and exits through a fresh
 * goroutine, so that a finished sleeper's stack is reused straight away. */
static void churn_g(void *arg)
{
	intptr_t round = (intptr_t)arg;
	if (round % 2 == 0) {
		sl_timer *t = sl_timer_new(0);
		CHECK(t != NULL);
		for (int i = 0; i < (int)(round % 7); i++)
			sl_yield();
		int64_t v;
		bool ok;
		if (sl_chan_tryrecv(sl_timer_chan(t), &v, &ok) == 0)
			atomic_xadd(&fired, 1);
		sl_timer_free(t);
	} else {
		sl_sleep(1); /* due before addtimer returns */
	}
	if (round + CHURNERS < ROUNDS * CHURNERS)
		sl_go(churn_g, (void *)(round + CHURNERS));
	atomic_xadd(&churned, 1);
}

enum { RESETTERS = 4, RESETS = 20000 };
static sl_timer *shared_timer;
static int64_t resets_done;

static void resetter_g(void *arg)
{
	intptr_t k = (intptr_t)arg;
	for (int i = 0; i < RESETS; i++) {
		/* far enough ahead that none fires meanwhile; some stop it */
		if ((i + k) % 7 == 0)
			sl_timer_stop(shared_timer);
		else
			sl_timer_reset(shared_timer, 3600LL * 1000 * 1000 * 1000);
		if (i % 64 == 0)
			sl_yield();
	}
	atomic_xadd(&resets_done, 1);
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
			sl_go(parked_until_woken, &hold[i]);
		while (sl_numgoroutine() != 11)
			sl_yield();
		for (int i = 0; i < 10; i++)
			wake(&hold[i]);
		while (sl_numgoroutine() != 1)
			sl_yield();
		printf("numgoroutine: ok\n");
		return 0;
	}
	if (!strcmp(mode, "timerchan")) {
		int64_t v = 0, t0 = os_nanotime();
		bool ok = false;
		/* fires, and not early */
		sl_timer *t = sl_timer_new(20 * 1000 * 1000);
		CHECK(t != NULL);
		CHECK_EQ(sl_chan_recv(sl_timer_chan(t), &v, &ok), 0);
		CHECK(ok && v >= t0 + 20 * 1000 * 1000);
		CHECK(!sl_timer_stop(t)); /* already fired */
		/* stopped before firing: nothing arrives */
		CHECK(sl_timer_reset(t, 30 * 1000 * 1000) == false);
		CHECK(sl_timer_stop(t));
		sl_sleep(60 * 1000 * 1000);
		CHECK_EQ(sl_chan_tryrecv(sl_timer_chan(t), &v, &ok), SL_EAGAIN);
		/* reset a long timer to a short one */
		CHECK(sl_timer_reset(t, 3600LL * 1000 * 1000 * 1000) == false);
		int64_t t1 = os_nanotime();
		CHECK(sl_timer_reset(t, 10 * 1000 * 1000) == true);
		CHECK_EQ(sl_chan_recv(sl_timer_chan(t), &v, &ok), 0);
		CHECK(v >= t1 + 10 * 1000 * 1000);
		sl_timer_free(t);
		/* select with a timeout on a channel nobody sends on */
		sl_chan *never = sl_chan_make(sizeof(int), 0);
		sl_timer *timeout = sl_timer_new(15 * 1000 * 1000);
		int x;
		sl_select_case cases[2] = {
		    {.c = never, .dir = SL_SELECT_RECV, .elem = &x},
		    {.c = sl_timer_chan(timeout), .dir = SL_SELECT_RECV, .elem = &v},
		};
		CHECK_EQ(sl_select(cases, 2, true), 1);
		sl_timer_free(timeout);
		CHECK_EQ(sl_chan_free(never), 0);
		printf("timerchan: ok\n");
		return 0;
	}
	if (!strcmp(mode, "fire_vs_free")) {
		sl_gomaxprocs(4);
		for (intptr_t i = 0; i < CHURNERS; i++)
			sl_go(churn_g, (void *)i);
		while (atomic_load(&churned) != CHURNERS * ROUNDS)
			sl_sleep(1000 * 1000);
		printf("fire_vs_free: %d rounds, %lld timers seen firing before free\n",
		       CHURNERS * ROUNDS, (long long)atomic_load(&fired));
		return 0;
	}
	if (!strcmp(mode, "concurrent_reset")) {
		sl_gomaxprocs(4);
		shared_timer = sl_timer_new(3600LL * 1000 * 1000 * 1000);
		for (intptr_t k = 0; k < RESETTERS; k++)
			sl_go(resetter_g, (void *)k);
		while (atomic_load(&resets_done) != RESETTERS)
			sl_sleep(1000 * 1000);
		/* Once in a heap: one stop finds it, the next does not. */
		sl_timer_reset(shared_timer, 3600LL * 1000 * 1000 * 1000);
		CHECK(sl_timer_stop(shared_timer));
		CHECK(!sl_timer_stop(shared_timer));
		/* And it still works: a short reset fires once. */
		CHECK(!sl_timer_reset(shared_timer, 1000 * 1000));
		int64_t at;
		sl_chan_recv(sl_timer_chan(shared_timer), &at, NULL);
		sl_sleep(20 * 1000 * 1000);
		bool ok;
		CHECK_EQ(sl_chan_tryrecv(sl_timer_chan(shared_timer), &at, &ok), SL_EAGAIN);
		CHECK(!sl_timer_stop(shared_timer));
		sl_timer_free(shared_timer);
		printf("concurrent_reset: %d resetters x %d: ok\n", RESETTERS, RESETS);
		return 0;
	}
	fprintf(stderr, "test_time: unknown mode %s\n", mode);
	return 2;
}
