/*
 * test_sim: the simulation backend (libschedlab_sim).
 *   determinism  the same configuration gives a byte-identical trace, run
 *                after run in one process, whatever ran in between; another
 *                seed gives another trace
 *   teardown     hundreds of runs in one process, each choice source, each
 *                leaving nothing behind (the asan build's LeakSanitizer
 *                checks at exit) and the next starting clean
 *   virtual_time sleeps take virtual time, not real time: an hour's sleep
 *                returns at once, and no sleeper wakes early
 *   misuse       a bad configuration or a nested run is an error, not a run
 */
#define _GNU_SOURCE
#include "check.h"
#include "schedlab.h"
#include "schedlab_chan.h"
#include "schedlab_sim.h"
#include "schedlab_sync.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* A workload with something of everything: spawns, a resize, channels,
 * a mutex, a sleep. Returns its result (the sum of 0..NCHILD-1). */
enum { NCHILD = 24 };
static sl_chan *results;
static sl_mutex mu = SL_MUTEX_INIT;
static int64_t counter;

static void child(void *arg)
{
	int64_t v = (int64_t)(intptr_t)arg;
	sl_yield();
	sl_mutex_lock(&mu);
	counter++;
	sl_mutex_unlock(&mu);
	if (v % 5 == 0)
		sl_sleep(3000 + v * 100);
	sl_chan_send(results, &v);
}

static int workload(void *arg)
{
	(void)arg;
	counter = 0;
	results = sl_chan_make(sizeof(int64_t), 3);
	for (intptr_t i = 0; i < NCHILD; i++) {
		sl_go(child, (void *)i);
		if (i == NCHILD / 2)
			sl_gomaxprocs(3);
	}
	int64_t sum = 0;
	for (int i = 0; i < NCHILD; i++) {
		int64_t v;
		bool ok;
		CHECK_EQ(sl_chan_recv(results, &v, &ok), 0);
		sum += v;
	}
	sl_gomaxprocs(1);
	sl_gomaxprocs(5);
	CHECK_EQ(counter, NCHILD);
	CHECK_EQ(sl_chan_free(results), 0);
	return (int)sum;
}

static const int WANT = NCHILD * (NCHILD - 1) / 2;

/* Run the workload with cfg, tracing into memory; return the trace. */
static char *traced_run(struct sl_sim_config cfg, size_t *len)
{
	int fd = memfd_create("trace", 0);
	CHECK(fd >= 0);
	cfg.trace = 1;
	cfg.trace_fd = fd;
	CHECK_EQ(sl_sim_run(&cfg, workload, NULL), WANT);
	off_t n = lseek(fd, 0, SEEK_END);
	CHECK(n > 0);
	char *buf = malloc((size_t)n + 1);
	CHECK(buf && pread(fd, buf, (size_t)n, 0) == n);
	buf[n] = 0;
	close(fd);
	*len = (size_t)n;
	return buf;
}

static void determinism(void)
{
	uint8_t bytes[300];
	for (int i = 0; i < 300; i++)
		bytes[i] = (uint8_t)(i * 37 + 11);
	struct sl_sim_config cfgs[] = {
	    {.choice = SL_SIM_RANDOM, .seed = 42},
	    {.choice = SL_SIM_PCT, .seed = 42, .pct_depth = 4},
	    {.choice = SL_SIM_BYTES, .seed = 42, .bytes = bytes, .nbytes = sizeof bytes},
	};
	for (unsigned i = 0; i < sizeof cfgs / sizeof cfgs[0]; i++) {
		size_t n1, n2, n3;
		char *a = traced_run(cfgs[i], &n1);
		char *b = traced_run(cfgs[i], &n2);
		CHECK_EQ(n1, n2);
		CHECK(memcmp(a, b, n1) == 0);
		CHECK(strstr(a, " -> T")); /* Ms really interleaved */
		CHECK(strstr(a, "procresize 3 -> 1"));
		struct sl_sim_config other = cfgs[i];
		other.seed = 43;
		if (other.choice == SL_SIM_BYTES)
			other.bytes = (const uint8_t *)"\x01\x02\x03";
		other.nbytes = other.choice == SL_SIM_BYTES ? 3 : 0;
		char *c = traced_run(other, &n3);
		CHECK(n3 != n1 || memcmp(a, c, n1) != 0);
		/* and nothing of the other run leaks into the next one */
		size_t n4;
		char *d = traced_run(cfgs[i], &n4);
		CHECK_EQ(n1, n4);
		CHECK(memcmp(a, d, n1) == 0);
		free(a);
		free(b);
		free(c);
		free(d);
	}
	printf("determinism: 3 choice sources, identical traces, another seed differs\n");
}

static void teardown(void)
{
	for (int i = 0; i < 300; i++) {
		struct sl_sim_config cfg = {
		    .choice = (enum sl_sim_choice)(i % 3),
		    .seed = (uint64_t)i,
		    .ncpu = 1 + i % 6,
		};
		CHECK_EQ(sl_sim_run(&cfg, workload, NULL), WANT);
	}
	printf("teardown: 300 runs in one process\n");
}

static int sleeper(void *arg)
{
	(void)arg;
	int64_t t0 = sl_sim_now();
	sl_sleep(3600LL * 1000 * 1000 * 1000);
	CHECK(sl_sim_now() >= t0 + 3600LL * 1000 * 1000 * 1000);
	return 7;
}

static void virtual_time(void)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	struct sl_sim_config cfg = {.choice = SL_SIM_RANDOM, .max_time = 7200LL * 1000000000};
	CHECK_EQ(sl_sim_run(&cfg, sleeper, NULL), 7);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK(b.tv_sec - a.tv_sec < 60); /* an hour of virtual time, not of real */
	printf("virtual_time: an hour's sleep in a moment\n");
}

static int nested(void *arg)
{
	(void)arg;
	struct sl_sim_config cfg = {0};
	return sl_sim_run(&cfg, nested, NULL);
}

static void misuse(void)
{
	struct sl_sim_config bad[] = {
	    {.choice = (enum sl_sim_choice)7},
	    {.ncpu = -1},
	    {.gomaxprocs = 100000},
	    {.pct_depth = 99},
	    {.choice = SL_SIM_BYTES, .nbytes = 4},
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_EQ(sl_sim_run(&bad[i], workload, NULL), -1);
	CHECK_EQ(sl_sim_run(NULL, workload, NULL), -1);
	struct sl_sim_config ok = {0};
	CHECK_EQ(sl_sim_run(&ok, NULL, NULL), -1);
	CHECK_EQ(sl_sim_run(&ok, nested, NULL), -1);
	CHECK_EQ(sl_sim_run(&ok, workload, NULL), WANT); /* still usable */
	printf("misuse: rejected with a message, and the next run works\n");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "determinism"))
		determinism();
	else if (!strcmp(mode, "teardown"))
		teardown();
	else if (!strcmp(mode, "virtual_time"))
		virtual_time();
	else if (!strcmp(mode, "misuse"))
		misuse();
	else {
		fprintf(stderr, "test_sim: unknown mode '%s'\n", mode);
		return 2;
	}
	return 0;
}
