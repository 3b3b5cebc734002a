/*
 * test_hostile: hostile use of the runtime, each with a clear message and a
 * documented exit, never silent corruption: crashes inside goroutines (the
 * crash report and SL_TRACEBACK), stack overflow at the smallest stack,
 * fork() from a goroutine (the fork rule), blocking APIs from a thread that
 * is not a goroutine, a goroutine that never calls the runtime, and
 * sl_debug_dump with the scheduler's locks held. One mode per run; the
 * modes that must die say how in their EXPECT blocks (expect.sh).
 */
#define _GNU_SOURCE
#include "check.h"
#include "overflow.h"
#include "export_test.h"
#include "schedlab.h"

#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int64_t now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- crashes: global and noinline so that the report can name them ---- */

int *volatile hostile_nilptr;
volatile int hostile_zero;

/* UBSan (the asan preset) would report these before they fault. */
__attribute__((noinline, no_sanitize("undefined"))) int hostile_nil_deref(void)
{
	return *hostile_nilptr + 1;
}

__attribute__((noinline, no_sanitize("undefined"))) int hostile_divide(int a)
{
	return a / hostile_zero;
}

void (*volatile hostile_nilfunc)(void);

__attribute__((noinline)) void hostile_call_nil(void)
{
	hostile_nilfunc();
	__asm__ volatile(""); /* not a tail call: this frame stays */
}

__attribute__((noinline)) void hostile_illegal(void)
{
	__builtin_trap();
}

/* Wait until goroutine goid is parked (_Gwaiting): what "all" and the dumps
 * show of it is then fixed. 30 s, for a loaded machine; it takes ms. */
static void waitparked(int64_t goid)
{
	int64_t deadline = now() + 30 * 1000000000LL;
	while (now() < deadline) {
		for (int32_t i = 0; i < atomic_load(&allglen); i++) {
			struct g *gp = allgs[i];
			if (gp->goid == goid && readgstatus(gp) == _Gwaiting)
				return;
		}
		usleep(1000);
	}
	fprintf(stderr, "goroutine %lld never parked\n", (long long)goid);
	fflush(NULL);
	_Exit(1);
}

static void g0_crash(struct g *gp)
{
	(void)gp;
	hostile_nil_deref();
}

static void crasher(void *arg)
{
	const char *what = arg;
	waitparked(1); /* main, in its channel receive */
	if (!strcmp(what, "nil"))
		printf("%d\n", hostile_nil_deref());
	else if (!strcmp(what, "div"))
		printf("%d\n", hostile_divide(7));
	else if (!strcmp(what, "nilfunc"))
		hostile_call_nil();
	else if (!strcmp(what, "ill"))
		hostile_illegal();
	else if (!strcmp(what, "g0"))
		mcall(g0_crash); /* only a runtime bug crashes on g0: this plays one */
	printf("survived\n");
}

static void *foreign_crasher(void *arg)
{
	(void)arg;
	printf("%d\n", hostile_nil_deref());
	return NULL;
}

static void crash(const char *what)
{
	/* main waits in a channel receive: its header shows in "all". */
	sl_chan *c = sl_chan_make(sizeof(int), 0);
	if (!strcmp(what, "foreign")) {
		/* Not a channel wait: no deadlock report may race the crash. */
		pthread_t t;
		CHECK(pthread_create(&t, NULL, foreign_crasher, NULL) == 0);
		for (;;)
			sl_sleep(1000000);
	} else {
		sl_go(crasher, (void *)what);
	}
	int v;
	bool ok;
	sl_chan_recv(c, &v, &ok);
	printf("survived\n");
}

/* ---- fork ---- */

static int64_t sleeper_goid; /* the last sleeper's, once it runs */

static void sleeper(void *arg)
{
	(void)arg;
	atomic_store(&sleeper_goid, sl_goid());
	for (;;)
		sl_sleep(1000000);
}

/* Parked in one long sleep: still [sleep] whenever a report is printed (a
 * short sleep's goroutine may be running by then, on another P). */
static void longsleeper(void *arg)
{
	(void)arg;
	atomic_store(&sleeper_goid, sl_goid());
	for (;;)
		sl_sleep(3600 * 1000000000LL);
}

static void noop(void *arg)
{
	(void)arg;
}

/* Fork from this goroutine; the child does what, the parent checks how it
 * ended: the exit status it returns. */
static int forkrun(const char *what)
{
	fflush(NULL);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (!strcmp(what, "exec")) {
			execl("/bin/sh", "sh", "-c", "exit 7", (char *)NULL);
			_exit(99);
		} else if (!strcmp(what, "sleep")) {
			sl_sleep(1000000);
		} else if (!strcmp(what, "gomaxprocs")) {
			sl_gomaxprocs(3);
		} else if (!strcmp(what, "go")) {
			sl_go(noop, NULL);
		} else if (!strcmp(what, "yield")) {
			sl_yield();
		} else if (!strcmp(what, "recv")) {
			sl_chan *c = sl_chan_make(1, 0);
			char b;
			sl_chan_recv(c, &b, NULL);
		} else if (!strcmp(what, "buffered")) {
			/* Completes without the scheduler: works. */
			sl_chan *c = sl_chan_make(sizeof(int), 1);
			int v = 5, w = 0;
			bool ok;
			if (sl_chan_send(c, &v) != 0 || sl_chan_tryrecv(c, &w, &ok) != 0 || w != 5)
				_exit(98);
			_exit(0);
		}
		fprintf(stderr, "child survived %s\n", what);
		_exit(97);
	}
	/* A child that hangs is the failure this guards against: give it
	 * 30 s (it needs milliseconds), then say so. */
	int st;
	int64_t deadline = now() + 30 * 1000000000LL;
	pid_t w;
	while ((w = waitpid(pid, &st, WNOHANG)) == 0 && now() < deadline)
		usleep(1000);
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		fprintf(stderr, "child hung in %s\n", what);
		fflush(NULL);
		_Exit(1);
	}
	CHECK(w == pid);
	CHECK(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void forktests(void)
{
	/* Sleeping goroutines in the parent: the case that hung 26 in 40. */
	for (int i = 0; i < 4; i++)
		sl_go(sleeper, NULL);
	sl_sleep(5000000);
	CHECK_EQ(forkrun("exec"), 7);
	CHECK_EQ(forkrun("buffered"), 0);
	const char *throwing[] = {"sleep", "gomaxprocs", "go", "yield", "recv"};
	for (int round = 0; round < 5; round++)
		for (size_t i = 0; i < sizeof throwing / sizeof throwing[0]; i++)
			CHECK_EQ(forkrun(throwing[i]), 2);
	/* posix_spawn runs no atfork handlers: a clean child. */
	pid_t pid;
	char *argv[] = {"sh", "-c", "exit 5", NULL};
	CHECK(posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ) == 0);
	int st;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5);
	printf("ok fork\n");
}

/* ---- foreign threads ---- */

static uint32_t foreign_ran;

static void mark(void *arg)
{
	(void)arg;
	atomic_store(&foreign_ran, 1);
}

static void *foreign_api(void *arg)
{
	(void)arg;
	sl_chan *unbuf = sl_chan_make(sizeof(int), 0);
	sl_chan *buf = sl_chan_make(sizeof(int), 1);
	int v = 1, w = 0;
	bool ok;
	/* Blocking channel operations: refused (schedlab_chan.h). */
	CHECK_EQ(sl_chan_send(unbuf, &v), SL_ENOTGOROUTINE);
	CHECK_EQ(sl_chan_recv(unbuf, &w, &ok), SL_ENOTGOROUTINE);
	sl_select_case cases[1] = {{.c = unbuf, .dir = SL_SELECT_RECV, .elem = &w, .ok = &ok}};
	CHECK_EQ(sl_select(cases, 1, true), SL_ENOTGOROUTINE);
	/* The rest works. */
	CHECK_EQ(sl_chan_trysend(unbuf, &v), SL_EAGAIN);
	CHECK_EQ(sl_chan_trysend(buf, &v), 0);
	CHECK_EQ(sl_select(cases, 1, false), SL_EAGAIN);
	CHECK_EQ(sl_chan_tryrecv(buf, &w, &ok), 0);
	CHECK(ok && w == 1);
	/* sl_sleep sleeps the thread, sl_yield yields it, the syscall
	 * brackets do nothing, and there is no goroutine id. */
	int64_t t0 = now();
	sl_sleep(20000000);
	CHECK(now() - t0 >= 20000000);
	sl_yield();
	sl_syscall_begin();
	sl_syscall_end();
	CHECK_EQ(sl_goid(), -1);
	/* Timers need a goroutine: NULL and a message. */
	CHECK(sl_timer_new(1000) == NULL);
	/* sl_go and sl_gomaxprocs work (the latter on a borrowed goroutine). */
	sl_go(mark, NULL);
	int64_t deadline = now() + 30 * 1000000000LL;
	while (!atomic_load(&foreign_ran) && now() < deadline)
		usleep(1000);
	CHECK(atomic_load(&foreign_ran));
	CHECK(sl_gomaxprocs(0) >= 1);
	CHECK_EQ(sl_chan_free(unbuf), 0);
	CHECK_EQ(sl_chan_free(buf), 0);
	printf("ok foreign\n");
	fflush(stdout);
	return NULL;
}

static void *foreign_sync(void *arg)
{
	const char *what = arg;
	if (!strcmp(what, "mutex")) {
		static sl_mutex m;
		sl_mutex_lock(&m);
	} else {
		static sl_waitgroup wg;
		sl_waitgroup_wait(&wg);
	}
	printf("survived\n");
	return NULL;
}

static void on_thread(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	CHECK(pthread_create(&t, NULL, fn, arg) == 0);
	/* Join with the goroutine parked, not its thread blocked: poll. */
	while (pthread_tryjoin_np(t, NULL) != 0)
		sl_sleep(1000000);
}

/* ---- a goroutine that never calls the runtime ---- */

static uint32_t spinning, spin_stop, handoff_ran;

static void hog(void *arg)
{
	(void)arg;
	atomic_store(&spinning, 1);
	while (!atomic_load_relaxed(&spin_stop))
		; /* no runtime call: holds its P */
}

static void pong(void *arg)
{
	sl_chan **c = arg;
	int v;
	bool ok;
	while (sl_chan_recv(c[0], &v, &ok) == 0 && ok)
		sl_chan_send(c[1], &v);
	sl_chan_close(c[1]);
}

static void handoff(void *arg)
{
	(void)arg;
	atomic_store(&handoff_ran, 1);
}

static void cooperative(void)
{
	CHECK_EQ(sl_gomaxprocs(0), 2);
	sl_go(hog, NULL);
	while (!atomic_load(&spinning))
		sl_yield();
	/* The other P: channel ping-pong. */
	sl_chan *c[2] = {sl_chan_make(sizeof(int), 0), sl_chan_make(sizeof(int), 0)};
	sl_go(pong, c);
	for (int i = 0; i < 1000; i++) {
		int v = i, w = -1;
		CHECK_EQ(sl_chan_send(c[0], &v), 0);
		CHECK_EQ(sl_chan_recv(c[1], &w, NULL), 0);
		CHECK_EQ(w, i);
	}
	/* Timers fire. */
	int64_t t0 = now();
	sl_sleep(10000000);
	CHECK(now() - t0 >= 10000000);
	sl_timer *t = sl_timer_new(1000000);
	int64_t when;
	CHECK_EQ(sl_chan_recv(sl_timer_chan(t), &when, NULL), 0);
	sl_timer_free(t);
	/* sysmon works: this goroutine blocks in a syscall holding the only
	 * P the hog leaves; sysmon hands the P off and handoff runs. */
	sl_go(handoff, NULL);
	sl_syscall_begin();
	int64_t deadline = now() + 30 * 1000000000LL;
	while (!atomic_load(&handoff_ran) && now() < deadline)
		usleep(1000);
	sl_syscall_end();
	CHECK(atomic_load(&handoff_ran));
	CHECK(atomic_load(&spinning));
	atomic_store(&spin_stop, 1);
	sl_chan_close(c[0]);
	bool ok = true;
	int v;
	CHECK_EQ(sl_chan_recv(c[1], &v, &ok), 0); /* pong is done with both */
	CHECK(!ok);
	CHECK_EQ(sl_chan_free(c[0]), 0);
	CHECK_EQ(sl_chan_free(c[1]), 0);
	printf("ok cooperative\n");
}

/* ---- sl_debug_dump ---- */

static void *dumper(void *arg)
{
	(void)arg;
	sl_debug_dump();
	return NULL;
}

static void debugdump(bool wedged)
{
	sl_go(longsleeper, NULL);
	while (!atomic_load(&sleeper_goid))
		sl_sleep(1000000);
	waitparked(atomic_load(&sleeper_goid));
	if (wedged) {
		/* A thread that holds sched.lock and allglock forever: the dump
		 * still comes, unlocked, and says so. */
		CHECK(atomic_cas(&sched.lock.key, 0u, 1u));
		CHECK(atomic_cas(&allglock.key, 0u, 1u));
	}
	pthread_t t;
	CHECK(pthread_create(&t, NULL, dumper, NULL) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	sl_debug_dump(); /* from a goroutine too */
	if (wedged) {
		atomic_store(&allglock.key, 0u);
		atomic_store(&sched.lock.key, 0u);
	}
	printf("ok debug_dump\n");
}

int sl_main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "crash") && argc > 2) {
		/*
		 * EXPECT crash_nil
		 * args    crash nil
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^panic: runtime error: invalid memory address or nil pointer dereference$
		 * match   ^\[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 \
		 *         pc=0x[0-9a-f]+\]$
		 * match   ^goroutine [0-9]+ \[running\]:$
		 * match   ^hostile_nil_deref\+0x[0-9a-f]+$
		 * match   ^	/.*test_hostile\+0x[0-9a-f]+$
		 * nomatch ^goroutine 1 \[
		 * nomatch survived
		 */
		/*
		 * EXPECT crash_nil_none
		 * args    crash nil
		 * env     SL_TRACEBACK=none
		 * status  2
		 * match   ^panic: runtime error: invalid memory address or nil pointer dereference$
		 * match   ^\[signal SIGSEGV: segmentation violation
		 * nomatch ^goroutine
		 * nomatch survived
		 */
		/*
		 * EXPECT crash_nil_all
		 * args    crash nil
		 * env     SL_TRACEBACK=all
		 * status  2
		 * match   ^panic: runtime error: invalid memory address or nil pointer dereference$
		 * match   ^goroutine [0-9]+ \[running\]:$
		 * match   ^hostile_nil_deref\+0x[0-9a-f]+$
		 * match   ^goroutine 1 \[chan receive\]:$
		 * nomatch survived
		 */
		/*
		 * EXPECT crash_nil_crash
		 * args    crash nil
		 * env     SL_TRACEBACK=crash
		 * status  abort
		 * match   ^panic: runtime error: invalid memory address or nil pointer dereference$
		 * match   ^goroutine 1 \[chan receive\]:$
		 * nomatch survived
		 */
		/*
		 * EXPECT crash_nil_badenv
		 * args    crash nil
		 * env     SL_TRACEBACK=loud
		 * status  2
		 * match   ^schedlab: SL_TRACEBACK: ignoring "loud" \(want none, single, all \
		 *         or crash\)$
		 * match   ^goroutine [0-9]+ \[running\]:$
		 * nomatch ^goroutine 1 \[
		 * nomatch survived
		 */
		/*
		 * A call through a NULL function pointer: pc 0 is in no
		 * module, and the frame below comes from the return address.
		 *
		 * EXPECT crash_nilfunc
		 * args    crash nilfunc
		 * status  2
		 * match   ^panic: runtime error: invalid memory address or nil pointer dereference$
		 * match   ^\[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x0\]$
		 * match   ^hostile_call_nil\+0x[0-9a-f]+$
		 * nomatch survived
		 */
		/*
		 * EXPECT crash_div
		 * args    crash div
		 * status  2
		 * match   ^panic: runtime error: integer divide by zero$
		 * match   ^\[signal SIGFPE: floating-point exception code=0x1 addr=0x[0-9a-f]+ \
		 *         pc=0x[0-9a-f]+\]$
		 * match   ^hostile_divide\+0x[0-9a-f]+$
		 * nomatch survived
		 */
		/*
		 * EXPECT crash_ill
		 * args    crash ill
		 * status  2
		 * match   ^SIGILL: illegal instruction$
		 * match   ^PC=0x[0-9a-f]+ m=[0-9]+ sigcode=[0-9]+$
		 * match   ^goroutine [0-9]+ \[running\]:$
		 * match   ^hostile_illegal\+0x[0-9a-f]+$
		 * nomatch survived
		 */
		/*
		 * EXPECT crash_g0
		 * args    crash g0
		 * status  2
		 * match   ^fatal error: unexpected signal during runtime execution$
		 * match   ^\[signal SIGSEGV: segmentation violation code=0x1 addr=0x0
		 * match   ^runtime stack:$
		 * match   ^hostile_nil_deref\+0x[0-9a-f]+$
		 * match   ^goroutine [0-9]+ \[running\]:$
		 * nomatch survived
		 */
		/*
		 * Without a sanitizer (whose handler was there first and takes
		 * faults on threads that are not the runtime's):
		 *
		 * EXPECT crash_foreign
		 * args    crash foreign
		 * status  2
		 * match   ^fatal error: unexpected signal during runtime execution$
		 * match   ^stack of a thread that is not the runtime's:$
		 * match   ^hostile_nil_deref\+0x[0-9a-f]+$
		 * nomatch survived
		 */
		crash(argv[2]);
	} else if (!strcmp(mode, "throw_all")) {
		/*
		 * throw honours SL_TRACEBACK: all lists every goroutine.
		 *
		 * EXPECT throw_all
		 * args    throw_all
		 * env     SL_TRACEBACK=all
		 * status  2
		 * match   ^fatal error: go of nil func value$
		 * match   ^goroutine 1 \[running\] on M
		 * match   ^goroutine [0-9]+ \[sleep\]:$
		 */
		sl_go(longsleeper, NULL);
		while (!atomic_load(&sleeper_goid))
			sl_sleep(1000000);
		waitparked(atomic_load(&sleeper_goid));
		sl_go(NULL, NULL);
	} else if (!strcmp(mode, "stack_overflow")) {
		/*
		 * EXPECT stack_overflow_16k
		 * args    stack_overflow
		 * env     SL_STACK_SIZE=16k
		 * status  2
		 * match   ^runtime: goroutine stack exceeds 16384-byte limit$
		 * match   ^fatal error: stack overflow$
		 * match   ^goroutine [0-9]+ \[running\]
		 * nomatch survived
		 */
		/*
		 * EXPECT stack_overflow_default
		 * args    stack_overflow
		 * env     SL_TRACEBACK=all
		 * status  2
		 * match   ^runtime: goroutine stack exceeds 65536-byte limit$
		 * match   ^fatal error: stack overflow$
		 * nomatch survived
		 */
		sl_go(overflow, NULL);
		for (;;)
			sl_yield();
	} else if (!strcmp(mode, "fork")) {
		/*
		 * The fork rule: exec and posix_spawn work; in a fork child,
		 * anything that needs the scheduler throws (exit 2), and a
		 * buffered send with room works.
		 *
		 * EXPECT fork
		 * args    fork
		 * env     GOMAXPROCS=4
		 * match   ^fatal error: runtime used in a forked child \(after fork\(\), only \
		 *         exec is safe\)$
		 * match   ^ok fork$
		 * nomatch child survived
		 * nomatch child hung
		 */
		forktests();
	} else if (!strcmp(mode, "foreign")) {
		on_thread(foreign_api, NULL);
	} else if (!strcmp(mode, "wake_unmapped")) {
		/* A wake after the release may find the waiter's memory gone
		 * (sl_run's note on an exited foreign thread's stack): the
		 * private futex wake must succeed there (os_futexwakeup). */
		long pg = sysconf(_SC_PAGESIZE);
		uint32_t *key = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK(key != MAP_FAILED);
		CHECK_EQ(munmap(key, (size_t)pg), 0);
		os_futexwakeup(key, 1);
		printf("ok wake_unmapped\n");
	} else if (!strcmp(mode, "foreign_sync") && argc > 2) {
		/*
		 * EXPECT foreign_mutex
		 * args    foreign_sync mutex
		 * status  abort
		 * match   ^schedlab: sl_mutex_lock called from a thread that is not running \
		 *         a goroutine
		 * nomatch survived
		 */
		/*
		 * EXPECT foreign_waitgroup
		 * args    foreign_sync waitgroup
		 * status  abort
		 * match   ^schedlab: sl_waitgroup_wait called from a thread that is not running a \
		 *         goroutine
		 * nomatch survived
		 */
		on_thread(foreign_sync, argv[2]);
	} else if (!strcmp(mode, "cooperative")) {
		cooperative();
	} else if (!strcmp(mode, "debug_dump")) {
		/*
		 * EXPECT debug_dump
		 * args    debug_dump
		 * env     GOMAXPROCS=2
		 * match   ^schedlab: sl_debug_dump$
		 * match   ^SCHED [0-9]+ms: gomaxprocs=2
		 * match   ^  P1: status=
		 * match   ^  M0: p=
		 * match   ^goroutine 1 \[running\]:$
		 * match   ^goroutine [0-9]+ \[sleep\]:$
		 * match   ^ok debug_dump$
		 */
		/*
		 * EXPECT debug_dump_wedged
		 * args    debug_dump wedged
		 * env     GOMAXPROCS=2
		 * match   ^schedlab: sl_debug_dump \(sched.lock busy: unlocked reads\) \(allglock \
		 *         busy: unlocked reads\)$
		 * match   ^  G1: status=
		 * match   ^goroutine [0-9]+ \[sleep\]:$
		 * match   ^ok debug_dump$
		 */
		debugdump(argc > 2);
	} else {
		fprintf(stderr, "usage: test_hostile MODE\n");
		return 1;
	}
	return 0;
}
