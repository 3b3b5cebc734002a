/*
 * test_deadlock: checkdead, from outside (expect.sh: each mode's EXPECT
 * block). Modes:
 *   deadlock   main and two other goroutines park with nobody to wake them:
 *              Go's message and exit status 2
 *   notdead    main parks while a worker still has work; the worker wakes
 *              main after 1000 yields: no deadlock, exit 0
 *   chan       main waits to receive and another goroutine to send, on
 *              channels nobody else uses: Go's message, exit status 2
 *   timer      main parks and the only other goroutine sleeps 50 ms before
 *              waking it: a pending timer is not a deadlock
 *   after_timer  main sleeps, then parks for good: deadlock once no timer
 *              is pending
 *   foreign    a plain pthread has spawned a goroutine once; main then
 *              waits on a channel that the pthread feeds 100 ms later
 *              through another sl_go: not a deadlock (sched.foreign)
 */
#include "check.h"
#include "export_test.h"
#include "schedlab.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

static struct g *parked_main;
static char object; /* what the test goroutines wait on */

static bool publish(struct g *gp, void *slot)
{
	atomic_store((struct g **)slot, gp);
	return true;
}

static void park_forever(void *arg)
{
	(void)arg;
	struct g *unused = NULL;
	gopark(publish, &unused, waitReasonTest, &object);
}

static void waker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 1000; i++)
		sl_yield();
	struct g *gp;
	while (!(gp = atomic_load(&parked_main)))
		sl_yield();
	goready(gp);
}

static void send_forever(void *arg)
{
	int v = 1;
	sl_chan_send(arg, &v);
}

static void timed_waker(void *arg)
{
	(void)arg;
	sl_sleep(50 * 1000 * 1000);
	struct g *gp;
	while (!(gp = atomic_load(&parked_main)))
		sl_yield();
	goready(gp);
}

static int foreign_called;

static void mark_called(void *arg)
{
	(void)arg;
	atomic_store(&foreign_called, 1);
}

static void send_one(void *arg)
{
	int v = 42;
	sl_chan_send(arg, &v);
}

/* Not a goroutine: calls in once, then again after all goroutines sleep. */
static void *injector(void *arg)
{
	sl_go(mark_called, NULL);
	struct timespec ts = {0, 100 * 1000 * 1000};
	nanosleep(&ts, NULL);
	sl_go(send_one, arg);
	return NULL;
}

int sl_main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "deadlock")) {
		/*
		 * EXPECT detected
		 * args    deadlock
		 * env     GOMAXPROCS=${procs}
		 * status  2
		 * match   ^fatal error: all goroutines are asleep - deadlock!$
		 * match   ^goroutine 1 \[test park\]:$
		 * match   parking main
		 * nomatch unreachable
		 */
		sl_go(park_forever, NULL);
		sl_go(park_forever, NULL);
		printf("parking main\n");
		gopark(publish, &parked_main, waitReasonTest, &object);
		printf("unreachable\n");
		return 0;
	}
	if (!strcmp(mode, "chan")) {
		/*
		 * EXPECT on_channels
		 * args    chan
		 * env     GOMAXPROCS=${procs}
		 * status  2
		 * match   ^fatal error: all goroutines are asleep - deadlock!$
		 * match   ^goroutine 1 \[chan receive\]:$
		 * match   ^goroutine [0-9]+ \[chan send\]:$
		 * nomatch unreachable
		 */
		/* a receiver and a sender on two channels nobody else touches */
		sl_chan *a = sl_chan_make(sizeof(int), 0), *b = sl_chan_make(sizeof(int), 0);
		sl_go(send_forever, b);
		int v;
		sl_chan_recv(a, &v, NULL);
		printf("unreachable\n");
		return 0;
	}
	if (!strcmp(mode, "timer")) {
		/*
		 * EXPECT not_while_timer_pending
		 * args    timer
		 * env     GOMAXPROCS=${procs}
		 * status  0
		 * match   ^woken by a timer$
		 * nomatch fatal error
		 */
		/* main parks; the only other goroutine sleeps, then wakes it */
		sl_go(timed_waker, NULL);
		gopark(publish, &parked_main, waitReasonTest, &object);
		printf("woken by a timer\n");
		return 0;
	}
	if (!strcmp(mode, "after_timer")) {
		/*
		 * EXPECT after_timer
		 * args    after_timer
		 * env     GOMAXPROCS=${procs}
		 * status  2
		 * match   ^fatal error: all goroutines are asleep - deadlock!$
		 * match   ^slept$
		 */
		/* a timer is pending, then nothing is */
		sl_go(park_forever, NULL);
		sl_sleep(30 * 1000 * 1000);
		printf("slept\n");
		fflush(stdout);
		gopark(publish, &parked_main, waitReasonTest, &object);
		return 0;
	}
	if (!strcmp(mode, "foreign")) {
		/*
		 * EXPECT foreign_injector
		 * args    foreign
		 * env     GOMAXPROCS=${procs}
		 * status  0
		 * match   ^received 42$
		 * nomatch fatal error
		 */
		sl_chan *c = sl_chan_make(sizeof(int), 0);
		pthread_t t;
		CHECK(pthread_create(&t, NULL, injector, c) == 0);
		while (!atomic_load(&foreign_called))
			sl_yield();
		int v = 0;
		sl_chan_recv(c, &v, NULL);
		printf("received %d\n", v);
		pthread_join(t, NULL);
		sl_chan_free(c);
		return 0;
	}
	if (!strcmp(mode, "notdead")) {
		/*
		 * EXPECT not_while_runnable
		 * args    notdead
		 * env     GOMAXPROCS=${procs}
		 * status  0
		 * match   ^woken$
		 * nomatch fatal error
		 */
		sl_go(waker, NULL);
		gopark(publish, &parked_main, waitReasonTest, &object);
		printf("woken\n");
		return 0;
	}
	fprintf(stderr, "test_deadlock: unknown mode %s\n", mode);
	return 1;
}
