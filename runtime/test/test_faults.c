/*
 * test_faults: SL_FAULT, the fault injection at the OS seam (fault.c). Each
 * survivable kind runs at a high rate over a workload that gives it many
 * chances, and the mode checks the workload's exact result and that the
 * kind was injected (sl_fault_count). The modes that must die (every thread
 * creation failing, every stack mapping failing, out of address space, bad
 * settings) say how in their EXPECT blocks, for expect.sh.
 *
 *   counts    no SL_FAULT: every kind counts 0, unknown kinds -1
 *   thread    goroutines block in syscalls, so Ps are handed to new Ms
 *             whose pthread_create often fails: all of them run, once
 *   futex     channels, sl_mutex, timers and idle Ms over futex sleeps that
 *             often return at once: exact sums
 *   signal    channel waits, sleeps and a blocking read under 20000
 *             signals a second: exact sums, the read retried on EINTR
 *   noise     channels, select and sl_mutex with every scheduling point
 *             perturbed (builds with SL_FAULT_POINTS)
 *   syscall   syscalls made long at random, sysmon retaking their Ps
 *   all       every kind at its default rate over the mixed workload
 *   oom       parked goroutines until the address space (ulimit -v) runs out
 *   must_die  a program that would run: its EXPECT blocks set SL_FAULT so
 *             that it cannot (thread:1 retries for the documented second,
 *             then Go's newosproc fatal; mmap:1 is out of memory), or so
 *             badly that the runtime refuses to start
 */
#include "check.h"
#include "export_test.h"
#include "schedlab.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const kinds[] = {"thread", "mmap", "futex", "signal", "noise", "syscall"};

/* ---- the mixed workload: channels, select, sl_mutex, sleeps ---- */

#define PRODUCERS 8
#define CONSUMERS 4
#define ITEMS	  2000 /* per producer */

static sl_chan *work, *done_ch;
static sl_mutex mu = SL_MUTEX_INIT;
static int64_t total;	  /* guarded by mu */
static int64_t nreceived; /* guarded by mu */
static sl_waitgroup wg = SL_WAITGROUP_INIT;

static void producer(void *arg)
{
	int64_t id = (int64_t)(intptr_t)arg;
	for (int64_t i = 0; i < ITEMS; i++) {
		int64_t v = id * ITEMS + i;
		CHECK_EQ(sl_chan_send(work, &v), 0);
		if (i % 250 == 0)
			sl_sleep(20 * 1000); /* a timer: time.c's futex sleep */
	}
	sl_waitgroup_done(&wg);
}

static void consumer(void *arg)
{
	(void)arg;
	int64_t v, sum = 0, n = 0, mine = 0;
	bool ok;
	for (;;) {
		CHECK_EQ(sl_chan_recv(work, &v, &ok), 0);
		if (!ok)
			break;
		sum += v;
		n++;
		mine++;
		if (n % 64 == 0) { /* fold into the shared total under contention */
			sl_mutex_lock(&mu);
			total += sum;
			nreceived += n;
			sl_mutex_unlock(&mu);
			sum = n = 0;
		}
	}
	sl_mutex_lock(&mu);
	total += sum;
	nreceived += n;
	sl_mutex_unlock(&mu);
	CHECK_EQ(sl_chan_send(done_ch, &mine), 0);
}

/* A select over a ticker-like timer and a quit channel, until quit. */
static void selector(void *arg)
{
	sl_chan *quit = arg;
	int64_t ticks = 0;
	for (;;) {
		sl_timer *t = sl_timer_new(100 * 1000);
		int64_t when;
		sl_select_case cs[2] = {
		    {.c = sl_timer_chan(t), .dir = SL_SELECT_RECV, .elem = &when},
		    {.c = quit, .dir = SL_SELECT_RECV},
		};
		int i = sl_select(cs, 2, true);
		sl_timer_free(t);
		if (i == 1)
			break;
		CHECK_EQ(i, 0);
		ticks++;
	}
	CHECK_EQ(sl_chan_send(done_ch, &ticks), 0);
}

/* Run the workload once and check its every number. */
static void mixed_workload(void)
{
	work = sl_chan_make(sizeof(int64_t), 0);
	done_ch = sl_chan_make(sizeof(int64_t), CONSUMERS + 1);
	sl_chan *quit = sl_chan_make(0, 0);
	total = nreceived = 0;
	sl_go(selector, quit);
	sl_waitgroup_add(&wg, PRODUCERS);
	for (int i = 0; i < PRODUCERS; i++)
		sl_go(producer, (void *)(intptr_t)i);
	for (int i = 0; i < CONSUMERS; i++)
		sl_go(consumer, NULL);
	sl_waitgroup_wait(&wg);
	CHECK_EQ(sl_chan_close(work), 0);
	CHECK_EQ(sl_chan_close(quit), 0);
	int64_t got = 0, v;
	bool ok;
	for (int i = 0; i < CONSUMERS + 1; i++) {
		CHECK_EQ(sl_chan_recv(done_ch, &v, &ok), 0);
		CHECK(ok);
		got += v;
	}
	int64_t n = (int64_t)PRODUCERS * ITEMS;
	sl_mutex_lock(&mu);
	CHECK_EQ(nreceived, n);
	CHECK_EQ(total, n * (n - 1) / 2);
	sl_mutex_unlock(&mu);
	CHECK(got >= n); /* every item, plus the selector's ticks */
	CHECK_EQ(sl_chan_free(work), 0);
	CHECK_EQ(sl_chan_free(done_ch), 0);
	CHECK_EQ(sl_chan_free(quit), 0);
}

/* ---- syscalls ---- */

#define SYSCALLERS 16

static int64_t syscalls_done;

/* A goroutine that blocks its M in the kernel for ms, inside the syscall
 * bracket, n times. */
static void syscaller(void *arg)
{
	int ms = (int)(intptr_t)arg;
	for (int i = 0; i < 8; i++) {
		sl_syscall_begin();
		usleep((useconds_t)ms * 1000);
		sl_syscall_end();
		atomic_xadd(&syscalls_done, 1);
	}
	sl_waitgroup_done(&wg);
}

static void syscall_workload(int ms)
{
	atomic_store(&syscalls_done, 0);
	sl_waitgroup_add(&wg, SYSCALLERS);
	for (int i = 0; i < SYSCALLERS; i++)
		sl_go(syscaller, (void *)(intptr_t)ms);
	sl_waitgroup_wait(&wg);
	CHECK_EQ(atomic_load(&syscalls_done), SYSCALLERS * 8);
}

/* ---- signals: a blocking read that the signals interrupt ---- */

static int fds[2];
static int64_t eintrs;
static sl_waitgroup rwg = SL_WAITGROUP_INIT;

static void reader(void *arg)
{
	(void)arg;
	char c;
	ssize_t r;
	sl_syscall_begin();
	while ((r = read(fds[0], &c, 1)) < 0 && errno == EINTR)
		eintrs++;
	sl_syscall_end();
	CHECK_EQ(r, 1);
	CHECK_EQ(c, 'x');
	sl_waitgroup_done(&rwg);
}

/* ---- out of memory: parked goroutines until there is no more ---- */

static void parked(void *arg)
{
	sl_chan *never = arg;
	int64_t v;
	bool ok;
	sl_chan_recv(never, &v, &ok);
}

static void check_kind(const char *kind)
{
	int64_t n = sl_fault_count(kind);
	printf("%s: %lld faults injected\n", kind, (long long)n);
	CHECK(n > 0);
}

int sl_main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "counts")) {
		for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
			CHECK_EQ(sl_fault_count(kinds[i]), 0);
		CHECK_EQ(sl_fault_count("all"), -1);
		CHECK_EQ(sl_fault_count("futx"), -1);
		CHECK_EQ(sl_fault_count(""), -1);
		CHECK_EQ(sl_fault_count(NULL), -1);
		mixed_workload();
		for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
			CHECK_EQ(sl_fault_count(kinds[i]), 0);
		printf("ok counts\n");
		return 0;
	}
	if (!strcmp(mode, "thread")) {
		/* 16 goroutines each in a 5 ms syscall at a time: sysmon hands
		 * their Ps to new Ms, most of whose first pthread_create fails
		 * (SL_FAULT=thread:0.9). */
		syscall_workload(5);
		mixed_workload();
		check_kind("thread");
		CHECK_EQ(sl_fault_count("futex"), 0);
		printf("ok thread\n");
		return 0;
	}
	if (!strcmp(mode, "futex")) {
		mixed_workload();
		syscall_workload(1);
		check_kind("futex");
		printf("ok futex\n");
		return 0;
	}
	if (!strcmp(mode, "signal") || !strcmp(mode, "all")) {
		CHECK_EQ(pipe(fds), 0);
		sl_waitgroup_add(&rwg, 1);
		sl_go(reader, NULL);
		mixed_workload();
		syscall_workload(1);
		sl_sleep(50 * 1000 * 1000); /* the reader waits through more signals */
		CHECK_EQ(write(fds[1], "x", 1), 1);
		sl_waitgroup_wait(&rwg);
		if (!strcmp(mode, "signal")) {
			check_kind("signal");
			printf("reader: %lld EINTRs\n", (long long)eintrs);
		} else {
			/* Only signal is sure to be injected in so short a run at
			 * the default rates; the others are counted. */
			for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
				printf("%s: %lld\n", kinds[i], (long long)sl_fault_count(kinds[i]));
			check_kind("signal");
		}
		printf("ok %s\n", mode);
		return 0;
	}
	if (!strcmp(mode, "noise")) {
		mixed_workload();
		check_kind("noise");
		printf("ok noise\n");
		return 0;
	}
	if (!strcmp(mode, "syscall")) {
		syscall_workload(0);
		mixed_workload();
		check_kind("syscall");
		printf("ok syscall\n");
		return 0;
	}
	if (!strcmp(mode, "oom")) {
		/*
		 * EXPECT oom
		 * args    oom
		 * env     GOMAXPROCS=1
		 * status  2
		 * match   ^runtime: out of memory: .
		 * match   ^fatal error: out of memory$
		 * nomatch SIGSEGV|Segmentation|survived
		 */
		sl_chan *never = sl_chan_make(sizeof(int64_t), 0);
		for (int64_t i = 0; i < 10 * 1000 * 1000; i++) {
			sl_go(parked, never);
			sl_yield(); /* it runs, gets its stack, parks */
		}
		printf("survived 10000000 parked goroutines\n");
		return 1;
	}
	if (!strcmp(mode, "must_die")) {
		/*
		 * EXPECT thread_fatal
		 * args    must_die
		 * env     SL_FAULT=thread:1
		 * status  2
		 * match   ^runtime: pthread_create: EAGAIN for [1-9][0-9]{3,} ms \([0-9]+ tries\)$
		 * match   ^runtime: failed to create new OS thread \
		 *         \(have [0-9]+ already; errno=11\)$
		 * match   ^fatal error: newosproc$
		 * nomatch survived
		 *
		 * EXPECT mmap_fatal
		 * args    must_die
		 * env     SL_FAULT=mmap:1
		 * status  2
		 * match   ^runtime: out of memory: .
		 * match   ^fatal error: out of memory$
		 * nomatch SIGSEGV|Segmentation|survived
		 *
		 * EXPECT bad_unknown
		 * args    must_die
		 * env     SL_FAULT=futx
		 * status  2
		 * match   ^runtime: SL_FAULT="futx": unknown fault 'futx' \
		 *         \(known: thread, mmap, futex, signal, noise, syscall, all; \
		 *         spelling: all, or kind\[:rate\],\.\.\.\)$
		 * nomatch survived
		 *
		 * EXPECT bad_unknown_in_list
		 * args    must_die
		 * env     SL_FAULT=futex:0.5,mmap,thraed:0.1
		 * status  2
		 * match   ^runtime: SL_FAULT="futex:0.5,mmap,thraed:0.1": \
		 *         unknown fault 'thraed' \(known: thread
		 * nomatch survived
		 *
		 * EXPECT bad_rate_range
		 * args    must_die
		 * env     SL_FAULT=futex:2
		 * status  2
		 * match   ^runtime: SL_FAULT="futex:2": rate '2' of futex: \
		 *         want a probability in \(0,1\]$
		 * nomatch survived
		 *
		 * EXPECT bad_rate_zero
		 * args    must_die
		 * env     SL_FAULT=mmap:0
		 * status  2
		 * match   ^runtime: SL_FAULT="mmap:0": rate '0' of mmap: \
		 *         want a probability in \(0,1\]$
		 * nomatch survived
		 *
		 * EXPECT bad_rate_junk
		 * args    must_die
		 * env     SL_FAULT=thread:0.1x
		 * status  2
		 * match   ^runtime: SL_FAULT="thread:0.1x": rate '0.1x' of thread: \
		 *         want a probability in \(0,1\]$
		 * nomatch survived
		 *
		 * EXPECT bad_rate_empty
		 * args    must_die
		 * env     SL_FAULT=syscall:
		 * status  2
		 * match   ^runtime: SL_FAULT="syscall:": empty rate in 'syscall:' \
		 *         \(known: thread
		 * nomatch survived
		 *
		 * EXPECT bad_signal_rate
		 * args    must_die
		 * env     SL_FAULT=signal:-5
		 * status  2
		 * match   ^runtime: SL_FAULT="signal:-5": rate '-5' of signal: \
		 *         want signals per second in \(0,1000000\]$
		 * nomatch survived
		 *
		 * EXPECT bad_empty_item
		 * args    must_die
		 * env     SL_FAULT=futex,,mmap
		 * status  2
		 * match   ^runtime: SL_FAULT="futex,,mmap": empty fault '' \(known: thread
		 * nomatch survived
		 *
		 * EXPECT bad_all_rate
		 * args    must_die
		 * env     SL_FAULT=all:0.5
		 * status  2
		 * match   ^runtime: SL_FAULT="all:0.5": 'all' takes no rate: 'all:0.5' \
		 *         \(known: thread
		 * nomatch survived
		 *
		 * EXPECT bad_seed
		 * args    must_die
		 * env     SL_FAULT=futex
		 * env     SL_FAULT_SEED=12ab
		 * status  2
		 * match   ^runtime: SL_FAULT_SEED="12ab": want an unsigned 64-bit integer$
		 * nomatch survived
		 *
		 * EXPECT noise_unavailable
		 * args    must_die
		 * env     SL_FAULT=noise:0.5
		 * status  2
		 * match   ^runtime: SL_FAULT="noise:0.5": fault 'noise' needs the \
		 *         fault points that this build lacks \(SL_FAULT_POINTS=ON: \
		 *         the debug, tsan and asan presets\)$
		 * nomatch survived
		 */
		/*
		 * EXPECT syscall_unavailable
		 * args    must_die
		 * env     SL_FAULT=futex,syscall
		 * status  2
		 * match   ^runtime: SL_FAULT="futex,syscall": fault 'syscall' needs the \
		 *         fault points that this build lacks \(SL_FAULT_POINTS=ON: \
		 *         the debug, tsan and asan presets\)$
		 * nomatch survived
		 */
		for (int i = 0; i < 64; i++)
			sl_go(parked, sl_chan_make(sizeof(int64_t), 0));
		sl_sleep(10 * 1000 * 1000);
		printf("survived\n");
		return 0;
	}
	if (!strcmp(mode, "all_without_noise")) {
		/*
		 * EXPECT all_without_noise
		 * args    all_without_noise
		 * env     SL_FAULT=all
		 * match   ^noise: 0 syscall: 0$
		 * match   ^ok all_without_noise$
		 */
		mixed_workload();
		printf("noise: %lld syscall: %lld\n", (long long)sl_fault_count("noise"),
		       (long long)sl_fault_count("syscall"));
		printf("ok all_without_noise\n");
		return 0;
	}
	fprintf(stderr, "test_faults: unknown mode %s\n", mode);
	return 2;
}
