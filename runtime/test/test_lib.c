/*
 * test_lib: a library host. It owns main; the runtime started on its own
 * thread from .init_array (_rt0_amd64_lib). Several foreign threads run
 * functions as goroutines with sl_run, many times each, and those goroutines
 * spawn and wait for more. GOMAXPROCS changes from a foreign thread too.
 */
#include "check.h"
#include "schedlab.h"

#include <pthread.h>
#include <string.h>

enum { THREADS = 4, CALLS = 200, FANOUT = 20 };

struct job {
	int id;
	int64_t children_done;
	int64_t result;
	int64_t goid;
};

static void child(void *arg)
{
	struct job *j = arg;
	sl_yield();
	__atomic_add_fetch(&j->result, j->id, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&j->children_done, 1, __ATOMIC_SEQ_CST);
}

static void job_main(void *arg)
{
	struct job *j = arg;
	j->goid = sl_goid();
	CHECK(sl_goid() > 0);
	if (j->id % 1000 == 0)
		CHECK_EQ(sl_run(job_main, j), -1); /* misuse from a goroutine */
	for (int i = 0; i < FANOUT; i++)
		sl_go(child, j);
	while (__atomic_load_n(&j->children_done, __ATOMIC_SEQ_CST) != FANOUT)
		sl_yield();
}

static void *host_thread(void *arg)
{
	int t = (int)(intptr_t)arg;
	CHECK_EQ(sl_goid(), -1);
	for (int c = 0; c < CALLS; c++) {
		struct job j;
		memset(&j, 0, sizeof j);
		j.id = t * 1000 + c;
		CHECK_EQ(sl_run(job_main, &j), 0);
		/* sl_run returned: the goroutine and its children are done */
		CHECK_EQ(j.children_done, FANOUT);
		CHECK_EQ(j.result, (int64_t)FANOUT * j.id);
		CHECK(j.goid > 0);
		if (c % 50 == 0)
			CHECK(sl_gomaxprocs(1 + (c / 50 + t) % 3) >= 1);
	}
	return NULL;
}

int main(void)
{
	pthread_t th[THREADS];
	for (int t = 0; t < THREADS; t++)
		pthread_create(&th[t], NULL, host_thread, (void *)(intptr_t)t);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	/* and from main itself, after all that */
	struct job j;
	memset(&j, 0, sizeof j);
	j.id = 7;
	CHECK_EQ(sl_run(job_main, &j), 0);
	CHECK_EQ(j.result, 7 * FANOUT);
	printf("lib: %d sl_run calls from %d threads, ok\n", THREADS * CALLS + 1, THREADS + 1);
	return 0;
}
