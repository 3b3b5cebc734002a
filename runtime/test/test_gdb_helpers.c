/*
 * test_gdb_helpers: a program for scripts/schedlab-gdb.py to look at
 * (runtime/test/gdb_helpers.sh). Public API only, linked as users link it
 * (schedlab_executable: the runtime's internal symbols are local there).
 *
 * sl_main starts four goroutines, each in a function whose name the
 * backtraces must reach:
 *
 *   parked_on_chan      receives on a channel nobody sends on: waiting [chan receive]
 *   parked_on_mutex     locks the mutex sl_main holds: waiting [sync.Mutex.Lock]
 *   parked_on_sleep     sleeps for a minute: waiting [sleep]
 *   blocked_in_syscall  reads from an empty pipe between sl_syscall_begin and
 *                       sl_syscall_end: syscall, on a thread of its own
 *
 * Once each has said that it is about to block, sl_main calls
 * gdb_stop_here() (the debugger's breakpoint) once per round, a few
 * milliseconds apart, for stop_rounds rounds: 3 by default, and as many as
 * the debugger wants (it sets stop_rounds until it sees every goroutine
 * blocked, then sets it to 0). Then sl_main releases the goroutines, waits
 * for the three that can finish, prints "released goroutines", calls
 * gdb_all_released() (the debugger's second breakpoint) and exits 0: the
 * program also runs to completion outside gdb.
 *
 * The goroutine ids are left in chan_goid, mutex_goid, sleep_goid and
 * syscall_goid for the driver to check the listing against.
 */
#include "schedlab.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

static sl_chan *ch;
static sl_mutex mu;
static int pipefd[2];
static int arrived; /* goroutines about to block (atomic) */
static sl_waitgroup finished;

/* Read and written by the gdb driver. */
volatile int64_t chan_goid, mutex_goid, sleep_goid, syscall_goid;
volatile int stop_rounds = 3;

static void about_to_block(volatile int64_t *goid)
{
	*goid = sl_goid();
	__atomic_add_fetch(&arrived, 1, __ATOMIC_SEQ_CST);
}

/* The asm barriers after the blocking calls keep them from being tail calls,
 * which would take these frames off the stack. */
static __attribute__((noinline)) void parked_on_chan(void *arg)
{
	(void)arg;
	about_to_block(&chan_goid);
	int v = 0;
	CHECK(sl_chan_recv(ch, &v, NULL) == 0);
	CHECK(v == 42);
	sl_waitgroup_done(&finished);
}

static __attribute__((noinline)) void parked_on_mutex(void *arg)
{
	(void)arg;
	about_to_block(&mutex_goid);
	sl_mutex_lock(&mu);
	sl_mutex_unlock(&mu);
	sl_waitgroup_done(&finished);
}

static __attribute__((noinline)) void parked_on_sleep(void *arg)
{
	(void)arg;
	about_to_block(&sleep_goid);
	sl_sleep(60LL * 1000 * 1000 * 1000);
	__asm__ volatile("" ::: "memory");
}

static __attribute__((noinline)) void blocked_in_syscall(void *arg)
{
	(void)arg;
	about_to_block(&syscall_goid);
	char c;
	sl_syscall_begin();
	ssize_t n = read(pipefd[0], &c, 1);
	sl_syscall_end();
	CHECK(n == 1);
	sl_waitgroup_done(&finished);
}

/* The debugger's breakpoints; round counts the calls. */
__attribute__((noinline)) void gdb_stop_here(int round)
{
	__asm__ volatile("" : : "r"(round) : "memory");
}

__attribute__((noinline)) void gdb_all_released(void)
{
	__asm__ volatile("" ::: "memory");
}

int sl_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ch = sl_chan_make(sizeof(int), 0);
	CHECK(ch != NULL);
	CHECK(pipe(pipefd) == 0);
	sl_mutex_lock(&mu);
	sl_waitgroup_add(&finished, 3);

	sl_go(parked_on_chan, NULL);
	sl_go(parked_on_mutex, NULL);
	sl_go(parked_on_sleep, NULL);
	sl_go(blocked_in_syscall, NULL);

	for (int i = 0; __atomic_load_n(&arrived, __ATOMIC_SEQ_CST) < 4; i++) {
		CHECK(i < 10000); /* 10 s */
		sl_sleep(1000 * 1000);
	}
	for (int round = 0; round < stop_rounds; round++) {
		sl_sleep(5 * 1000 * 1000);
		gdb_stop_here(round);
	}

	int v = 42;
	CHECK(sl_chan_send(ch, &v) == 0);
	sl_mutex_unlock(&mu);
	CHECK(write(pipefd[1], "x", 1) == 1);
	sl_waitgroup_wait(&finished);
	printf("released goroutines %lld %lld %lld %lld\n", (long long)chan_goid,
	       (long long)mutex_goid, (long long)sleep_goid, (long long)syscall_goid);
	fflush(stdout);
	gdb_all_released();
	/* parked_on_sleep still sleeps; returning ends the process. */
	return 0;
}
