/*
 * clash: a program whose own functions and globals (clash_defs.c) have the
 * names the runtime uses inside, and which uses the runtime: goroutines,
 * a channel, a GOMAXPROCS change (stop-the-world, procresize), a sleep. It
 * must link, every call must reach the program's own definition exactly as
 * often as the program makes it (the runtime calls none of them), and the
 * runtime must touch none of the program's globals. Prints "clash ok".
 *
 * Built twice by package/CMakeLists.txt: as an sl_main executable over
 * libschedlab, and with CLASH_SIM as a main that runs the same under
 * sl_sim_run over libschedlab_sim.
 */
#include "clash.h"
#include "schedlab.h"
#ifdef CLASH_SIM
#include "schedlab_sim.h"
#endif

#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { WORKERS = 200 };

static sl_chan *results;
static long mylock; /* the program's lock, for the program's lock() */

static int failures; /* EXPECT runs in goroutines too */
#define EXPECT(cond)                                                                               \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "clash: %s:%d: expected %s\n", __FILE__, __LINE__, #cond); \
			__atomic_add_fetch(&failures, 1, __ATOMIC_SEQ_CST);                        \
		}                                                                                  \
	} while (0)

/* One call of each of the program's functions, with their results checked. */
static void call_all(void)
{
	lock(&mylock);
	unlock(&mylock);
	EXPECT(print("four") == 4);
	EXPECT(throw(1) == 2);
	EXPECT(fatal(1) == 3);
	EXPECT(schedule(1) == 4);
	EXPECT(execute(21) == 42);
	EXPECT(ready(1) == 0);
	EXPECT(newproc(40, 2) == 42);
	EXPECT(stopm() == 11);
	EXPECT(startm() == 12);
	EXPECT(checkdead() == 13);
}

static void worker(void *arg)
{
	long v = (long)(intptr_t)arg;
	call_all(); /* from a goroutine, on any M */
	sl_yield();
	sl_chan_send(results, &v);
}

static int run(void)
{
	call_all();
	results = sl_chan_make(sizeof(long), 0);
	EXPECT(results != NULL);
	sl_gomaxprocs(2);
	for (long i = 1; i <= WORKERS; i++)
		sl_go(worker, (void *)(intptr_t)i);
	long sum = 0;
	for (int i = 0; i < WORKERS; i++) {
		long v = 0;
		bool ok = false;
		EXPECT(sl_chan_recv(results, &v, &ok) == 0 && ok);
		sum += v;
	}
	sl_gomaxprocs(3);
	sl_sleep(1000000);
	EXPECT(sl_chan_free(results) == 0);
	call_all();
	EXPECT(sum == (long)WORKERS * (WORKERS + 1) / 2);

	for (int f = 0; f < CLASH_NFUNCS; f++)
		if (clash_calls[f] != WORKERS + 2) {
			fprintf(stderr, "clash: function %d called %ld times, expected %d\n", f,
				clash_calls[f], WORKERS + 2);
			failures++;
		}
	EXPECT(__atomic_load_n(&mylock, __ATOMIC_SEQ_CST) == 0);
	EXPECT(debug == 7);
	EXPECT(strcmp(sched, "the program's sched") == 0);
	EXPECT(strcmp(args, "the program's args") == 0);
	EXPECT(allp[0] == 1 && allp[1] == 2 && allp[2] == 3 && allp[3] == 4);
	EXPECT(gomaxprocs == 2.5);
	EXPECT(ncpu == -1);
	if (__atomic_load_n(&failures, __ATOMIC_SEQ_CST))
		return 1;
	printf("clash ok sum=%ld\n", sum);
	return 0;
}

#ifdef CLASH_SIM
static int sim_main(void *arg)
{
	(void)arg;
	return run();
}

int main(void)
{
	struct sl_sim_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.choice = SL_SIM_RANDOM;
	cfg.seed = 1;
	return sl_sim_run(&cfg, sim_main, NULL);
}
#else
int sl_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return run();
}
#endif
