/*
 * test_sim_props: the simulator's global properties (runtime/os/sim/
 * sim_props.c), each made to fire by a planted violation, with the message
 * it must print, and quiet on correct runs. White-box: the plants reach
 * into the runtime through export_test.h, and no runtime knob exists for
 * them.
 *   quiet        correct runs under every choice source: goroutines that
 *                take turns in compute loops at GOMAXPROCS = their number,
 *                sleeps and sl_timers, and the two waits the properties
 *                must excuse: a G that waits while every P is busy, and a
 *                timer overdue while every P is busy
 *   strand       a G readied into a running P's ring without a wakeup,
 *                then its P spins: work conservation names it (abort)
 *   timer_heap   a P's timer heap disordered so that a due timer hides
 *                below a later one: timer lateness names it (abort)
 *   livelock     a run that spins past max_steps with a G in its P's
 *                runnext: the report names that G (abort)
 */
#define _GNU_SOURCE
#include "check.h"
#include "export_test.h"
#include "schedlab.h"
#include "schedlab_chan.h"
#include "schedlab_sim.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MS (1000LL * 1000)

/* ---- quiet ---- */

static int32_t turn, nturners;

static void turner(void *arg)
{
	int32_t id = (int32_t)(intptr_t)arg;
	for (int32_t r = 0; r < 3; r++) {
		while (atomic_load(&turn) != r * nturners + id)
			sl_sim_spin();
		atomic_xadd(&turn, 1);
	}
}

static void sleeper(void *arg)
{
	int64_t ns = (int64_t)(intptr_t)arg, t0 = sl_sim_now();
	sl_sleep(ns);
	CHECK(sl_sim_now() >= t0 + ns);
}

static int quiet_main(void *arg)
{
	(void)arg;
	/* Turns at GOMAXPROCS = n: every taker needs a P at once. */
	nturners = sl_gomaxprocs(0);
	atomic_store(&turn, 0);
	for (intptr_t i = 0; i < nturners; i++)
		sl_go(turner, (void *)i);
	while (atomic_load(&turn) != 3 * nturners)
		sl_sleep(100 * 1000);
	/* Sleeps and timers, some due together. */
	for (intptr_t i = 0; i < 8; i++)
		sl_go(sleeper, (void *)(i % 3 * 2 * MS));
	sl_timer *t = sl_timer_new(3 * MS);
	CHECK(t != NULL);
	int64_t when;
	bool ok;
	CHECK_EQ(sl_chan_recv(sl_timer_chan(t), &when, &ok), 0);
	sl_timer_free(t);
	sl_sleep(10 * MS);
	/* Every P busy: a readied G and a due timer may wait as long as main
	 * spins (sysmon's business, with preemption in Go), 30 ms here. */
	int procs = sl_gomaxprocs(1);
	sl_go(sleeper, (void *)(intptr_t)MS);
	sl_sleep(1000);			     /* the sleeper's timer is on this P */
	sl_go(sleeper, (void *)(intptr_t)0); /* and this G in its runnext */
	int64_t t0 = sl_sim_now();
	while (sl_sim_now() - t0 < 30 * MS)
		sl_sim_spin();
	sl_sleep(5 * MS);
	sl_gomaxprocs(procs);
	return 0;
}

static void quiet(void)
{
	for (int choice = SL_SIM_RANDOM; choice <= SL_SIM_BYTES; choice++)
		for (uint64_t seed = 1; seed <= 8; seed++) {
			uint8_t bytes[512];
			for (size_t i = 0; i < sizeof bytes; i++)
				bytes[i] = (uint8_t)(i * 37 + seed * 11);
			struct sl_sim_config cfg = {.choice = (enum sl_sim_choice)choice,
						    .seed = seed,
						    .ncpu = 1 + (int)seed % 4,
						    .bytes = bytes,
						    .nbytes = sizeof bytes};
			CHECK_EQ(sl_sim_run(&cfg, quiet_main, NULL), 0);
		}
	printf("quiet: 24 runs, no property broken\n");
}

/* ---- strand ---- */

static struct g *victim;

static bool park_ok(struct g *gp, void *arg)
{
	(void)gp;
	(void)arg;
	return true;
}

static void victim_main(void *arg)
{
	(void)arg;
	atomic_store(&victim, getg());
	gopark(park_ok, NULL, waitReasonTest, NULL);
	printf("survived: the stranded G ran\n");
}

static int strand_main(void *arg)
{
	(void)arg;
	sl_go(victim_main, NULL);
	while (!atomic_load(&victim) || readgstatus(atomic_load(&victim)) != _Gwaiting)
		sl_yield();
	/* Quiet: the other P idle, nobody spinning. */
	while (atomic_load(&sched.npidle) != 1 || atomic_load(&sched.nmspinning) != 0)
		sl_sim_spin();
	/* goready, with wakep fooled: a spinner seems to exist, so nobody is
	 * started, and the G sits in our runnext; then we never yield. */
	atomic_xadd(&sched.nmspinning, 1);
	goready(victim);
	atomic_xadd(&sched.nmspinning, -1);
	for (;;)
		sl_sim_spin();
	return 0;
}

/* ---- timer_heap ---- */

static int timer_heap_main(void *arg)
{
	(void)arg;
	/* Two timers in this P's heap, due in 1 ms and in 50 ms. */
	sl_timer *a = sl_timer_new(1 * MS), *b = sl_timer_new(50 * MS);
	CHECK(a && b);
	struct p *pp = getm()->p;
	lock(&pp->timersLock);
	CHECK_EQ(pp->ntimers, 2);
	/* Disorder it: the later one on top, as a broken siftdown would. */
	struct timer *first = pp->timers[0], *second = pp->timers[1];
	pp->timers[0] = second;
	second->idx = 0;
	pp->timers[1] = first;
	first->idx = 1;
	atomic_store(&pp->timer0When, second->when);
	unlock(&pp->timersLock);
	int64_t when;
	bool ok;
	CHECK_EQ(sl_chan_recv(sl_timer_chan(b), &when, &ok), 0);
	printf("survived: the hidden timer was not reported\n");
	return 0;
}

/* ---- livelock ---- */

static void nothing(void *arg)
{
	(void)arg;
}

static int livelock_main(void *arg)
{
	(void)arg;
	sl_go(nothing, NULL); /* our runnext, for ever */
	for (;;)
		sl_sim_spin();
	return 0;
}

static void run(int (*fn)(void *), int procs, uint64_t max_steps)
{
	struct sl_sim_config cfg = {
	    .choice = SL_SIM_RANDOM, .seed = 1, .ncpu = procs, .max_steps = max_steps};
	sl_sim_run(&cfg, fn, NULL);
	printf("survived\n");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "quiet")) {
		quiet();
	} else if (!strcmp(mode, "strand")) {
		/*
		 * EXPECT strand
		 * args    strand
		 * status  abort
		 * match   ^sim: work conservation: g[0-9]+ in P[01]'s runnext, runnable since \
		 *         step [0-9]+ \(t=[0-9]+ ns\), has waited 10[0-9]{6} ns while P[01] \
		 *         is idle and no M spins \(bound 10000000 ns\) \(step [0-9]+,
		 * nomatch survived
		 */
		run(strand_main, 2, 0);
	} else if (!strcmp(mode, "timer_heap")) {
		/*
		 * EXPECT timer_heap
		 * args    timer_heap
		 * status  abort
		 * match   ^sim: timer late: an sl_timer, due at t=1001[0-9]{6} ns in P[01]'s heap \
		 *         \(entry 1 of 2\), has not fired 10[0-9]{6} ns later while P[01] is \
		 *         idle; the timer sleeper waits for t=1050[0-9]{6} ns \(bound 10000000 ns\)
		 * nomatch survived
		 */
		run(timer_heap_main, 2, 0);
	} else if (!strcmp(mode, "livelock")) {
		/*
		 * EXPECT livelock
		 * args    livelock
		 * status  abort
		 * match   ^sim: too many steps \(a livelock\?\); the longest runnable: g[0-9]+ in \
		 *         P0's runnext, runnable since step [0-9]+ \(t=[0-9]+ ns\) \(step 100001,
		 * nomatch survived
		 */
		run(livelock_main, 1, 100000);
	} else {
		fprintf(stderr, "usage: test_sim_props quiet|strand|timer_heap|livelock\n");
		return 2;
	}
	return 0;
}
