/*
 * test_fairness: a goroutine in the global queue gets to run even while two
 * goroutines on the only P keep readying each other through runnext (each
 * inheriting the time slice, so schedtick never advances on its own). A
 * foreign thread injects the goroutine; the pair keeps handing off until it
 * has run. What lets it run is sysmon ending the pair's inherited slice after
 * 10ms (pp->preempt), so the wait is a time, some tens of thousands of
 * handoffs; the check is that it ends at all, well before MAX_WAIT handoffs
 * (seconds), where without the slice end it would never come.
 */
#include "check.h"
#include "export_test.h"
#include "schedlab.h"
#include "sleeper.h"

#include <pthread.h>

static struct sleeper side[2];
static int stop;
static int64_t handoffs, injected, ran;

enum { INJECTIONS = 20, MAX_WAIT = 20000000 };

static void partner(void *arg)
{
	(void)arg;
	for (;;) {
		sleep_on(&side[1]);
		bool done = atomic_load(&stop);
		wake(&side[0]);
		if (done)
			return;
	}
}

static void injectee(void *arg)
{
	(void)arg;
	atomic_xadd(&ran, 1);
}

/* Inject one goroutine at a time from a thread without a P (so it goes to
 * the global queue), each once the previous one has run. Running one
 * advances schedtick, so each injection meets a different schedtick % 61. */
static void *injector(void *arg)
{
	(void)arg;
	for (int k = 0; k < INJECTIONS; k++) {
		int64_t start = atomic_load(&handoffs);
		while (atomic_load(&handoffs) < start + 100 + 7 * k)
			;
		sl_go(injectee, NULL);
		atomic_xadd(&injected, 1);
		while (atomic_load(&ran) == k && !atomic_load(&stop))
			;
		if (atomic_load(&stop))
			break;
	}
	return NULL;
}

int sl_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	sl_gomaxprocs(1);
	sl_go(partner, NULL);
	pthread_t t;
	pthread_create(&t, NULL, injector, NULL);
	/* Waits are measured in main's own handoffs, from seeing an injected
	 * goroutine queued to seeing it run, so that the injector thread being
	 * descheduled by the OS does not count. */
	int64_t worst = 0, pending_since = -1;
	while (atomic_load(&ran) < INJECTIONS && worst <= MAX_WAIT) {
		int64_t h = atomic_xadd(&handoffs, 1);
		wake(&side[1]);
		sleep_on(&side[0]);
		int64_t inj = atomic_load(&injected), r = atomic_load(&ran);
		if (r < inj) {
			if (pending_since < 0)
				pending_since = h;
			if (h - pending_since > worst)
				worst = h - pending_since;
		} else {
			pending_since = -1;
		}
	}
	atomic_store(&stop, 1);
	wake(&side[1]);
	sleep_on(&side[0]);
	pthread_join(t, NULL);
	printf("fairness: %lld injected goroutines ran; the longest wait was %lld handoffs\n",
	       (long long)atomic_load(&ran), (long long)worst);
	CHECK_EQ(atomic_load(&ran), INJECTIONS);
	CHECK(worst < MAX_WAIT);
	return 0;
}
