/*
 * rt0.c: the C half of bootstrap (args, osinit, the start-up settings,
 * schedinit, runtime_main), the library entry (a runtime on its own thread,
 * and sl_run for foreign threads), and runtime_teardown, its inverse.
 *
 * Executables: _rt0_amd64_linux -> __libc_start_main -> main -> rt0_go (asm)
 * -> args, osinit, schedinit, newproc(runtime_main), mstart -> schedule.
 * Library hosts: _rt0_amd64_lib (.init_array) or the first sl_run ->
 * rt0_lib_start -> a new thread (os_newosproc0) -> rt0_go, with islibrary
 * set. The simulation: sl_sim_run -> its first fiber -> rt0_go.
 */
#include "runtime.h"
#include "traceback.h"
#include "schedlab.h"

#include <stdio.h>
#include <stdlib.h>

static int rt0_argc;
static char **rt0_argv;

/* 0: not started, 1: starting, 2: main goroutine running. */
static uint32_t runtime_state;

/* The backend's main goroutine body (os_startup.main), or NULL. Set by
 * schedinit, read by runtime_main. */
static void (*backend_main)(void);

void args(int argc, char **argv)
{
	atomic_cas(&runtime_state, 0, 1);
	rt0_argc = argc;
	rt0_argv = argv;
}

/* ncpu is read by sl_numcpu from any thread, possibly while a library
 * host's runtime thread is still here: hence the atomic store. */
void osinit(void)
{
	atomic_store(&ncpu, os_getproccount());
}

/*
 * GOMAXPROCS: a positive decimal integer, anything else ignored, as in Go.
 * Unlike Go, an ignored value gets a one-line warning, and a value above
 * SL_MAX_GOMAXPROCS, however large, is clamped to it with one.
 */
int32_t gomaxprocs_from_env(const char *s, int32_t dflt)
{
	if (!s || !*s)
		return dflt;
	/* Digits only. A value past the limit is clamped however long it is:
	 * once v exceeds the limit, more digits only make it larger. */
	int64_t v = 0;
	bool ok = true;
	for (const char *c = s; *c; c++) {
		if (*c < '0' || *c > '9') {
			ok = false;
			break;
		}
		if (v <= SL_MAX_GOMAXPROCS)
			v = v * 10 + (*c - '0');
	}
	if (!ok || v <= 0) {
		print("schedlab: ignoring invalid GOMAXPROCS=\"%s\": want a positive integer; "
		      "using %d\n",
		      s, dflt);
		return dflt;
	}
	if (v > SL_MAX_GOMAXPROCS) {
		print("schedlab: GOMAXPROCS=%s exceeds the limit of %d; using %d\n", s,
		      SL_MAX_GOMAXPROCS, SL_MAX_GOMAXPROCS);
		return SL_MAX_GOMAXPROCS;
	}
	return (int32_t)v;
}

/*
 * The bootstrap sequence's scheduler half, on m0's g0: locks, the start-up
 * settings (os_getstartup), debug settings, stacks, m0, signals, then the Ps
 * (GOMAXPROCS or the CPU count), with m0 taking allp[0].
 */
void schedinit(void)
{
	lockInit(&sched.lock, lockRankSched);
	lockInit(&sched.gFree.lock, lockRankGFree);
	lockInit(&allglock, lockRankAllg);
	sched.maxmcount = SL_MAXMCOUNT;

	struct os_startup st = {0};
	os_getstartup(&st);
	backend_main = st.main;
	parsedebugvars(st.debug);
	tracebackinit(st.traceback);
	stackinit(st.stack_size);
	m0.g0->goid = -1;
	m0.g0->atomicstatus = _Grunning;
	mcommoninit(&m0, -1);
	os_initsig();

	int32_t procs = gomaxprocs_from_env(st.gomaxprocs, ncpu);
	lock(&sched.lock);
	if (procresize(procs))
		throw("unknown runnable goroutine during bootstrap");
	unlock(&sched.lock);
}

/* The main goroutine: the backend's body if it has one, else sl_main, or
 * nothing more for a library host. */
extern int sl_main(int argc, char **argv) __attribute__((weak));

void runtime_main(void *unused)
{
	(void)unused;
	atomic_store(&mainStarted, true);
	if (!debug.sysmonoff)
		newm(sysmon, NULL, false, -1);
	atomic_store(&runtime_state, 2);
	os_futexwakeup(&runtime_state, INT32_MAX);
	if (backend_main)
		backend_main(); /* never returns */
	if (islibrary)
		return;
	if (!sl_main) {
		print("schedlab: this executable has no sl_main; define int sl_main(int argc, "
		      "char **argv)\n");
		exit(2);
	}
	exit(sl_main(rt0_argc, rt0_argv));
}

/* ---- library entry ---- */

static void lib_thread(void)
{
	rt0_go(rt0_argc, rt0_argv);
}

/* Called by _rt0_amd64_lib from .init_array (argc/argv as libc passes them),
 * or lazily by the first sl_run. Idempotent: the first caller to move
 * runtime_state from 0 starts the runtime thread; an executable's args() has
 * already moved it. */
void rt0_lib_start(int argc, char **argv);
void rt0_lib_start(int argc, char **argv)
{
	if (argv && !rt0_argv) {
		rt0_argc = argc;
		rt0_argv = argv;
	}
	if (!atomic_cas(&runtime_state, 0, 1))
		return;
	islibrary = true;
	int err = os_newosproc0(lib_thread);
	if (err) {
		fprintf(stderr, "schedlab: cannot start the runtime thread: errno %d\n", err);
		abort();
	}
}

/* Make sure a runtime is up and its main goroutine running. Foreign
 * threads only. */
static void ensure_runtime(void)
{
	if (atomic_load(&runtime_state) == 0)
		rt0_lib_start(0, NULL);
	uint32_t s;
	while ((s = atomic_load(&runtime_state)) != 2)
		os_futexsleep(&runtime_state, s, -1);
}

struct runreq {
	void (*fn)(void *);
	void *arg;
	note done;
};

static void run_on_g(void *arg)
{
	struct runreq *r = arg;
	r->fn(r->arg);
	notewakeup(&r->done);
}

int sl_run(void (*fn)(void *), void *arg)
{
	if (getg()) {
		fprintf(stderr, "schedlab: sl_run called on a runtime thread; from a goroutine, "
				"call the function directly\n");
		return -1;
	}
	ensure_runtime();
	struct runreq r = {fn, arg, {0}};
	newproc(run_on_g, &r);
	notesleep(&r.done);
	return 0;
}

/* ---- the rest of the public API ---- */

void sl_go(void (*fn)(void *), void *arg)
{
	if (!fn)
		throw("go of nil func value");
	if (!getg())
		ensure_runtime();
	newproc(fn, arg);
	preemptcheck();
}

void sl_yield(void)
{
	if (!is_user_g()) {
		os_osyield();
		return;
	}
	gosched();
}

int sl_numgoroutine(void)
{
	preemptcheck();
	/* Every G ever made, less the dead ones on free lists. Racy, as Go's. */
	int32_t n = atomic_load(&allglen) - atomic_load(&sched.gFree.stack.n);
	int32_t procs = atomic_load(&gomaxprocs);
	for (int32_t i = 0; i < procs; i++)
		n -= atomic_load(&allp[i]->gFree.n);
	return n < 1 ? 1 : n;
}

int sl_numcpu(void)
{
	int32_t n = atomic_load(&ncpu);
	return n ? n : os_getproccount();
}

int64_t sl_goid(void)
{
	return is_user_g() ? getg()->goid : -1;
}

int64_t sl_mid(void)
{
	struct m *mp = getm();
	return mp ? mp->id : -1;
}

size_t sl_stacksize(void)
{
	return stacksize;
}

int sl_setmaxthreads(int n)
{
	if (!getg())
		ensure_runtime();
	lock(&sched.lock);
	int old = sched.maxmcount;
	unlock(&sched.lock);
	if (n < 1) {
		fprintf(stderr, "schedlab: sl_setmaxthreads(%d): want at least 1; limit stays %d\n",
			n, old);
		return old;
	}
	setmaxmcount(n);
	return old;
}

/* ---- teardown ---- */

void rt0_teardown(void)
{
	rt0_argc = 0;
	rt0_argv = NULL;
	runtime_state = 0;
	backend_main = NULL;
}

/*
 * Every file that owns state resets its own (proc_teardown and friends);
 * this only fixes the order. Goroutine structs go before the stack chunks
 * their stacks were cut from, and Ps and Ms last, since the others never
 * point into them after the run.
 */
void runtime_teardown(void)
{
	goroutine_teardown();
	stack_teardown();
	sema_teardown();
	stw_teardown();
	debug_teardown();
	rt0_teardown();
	chan_teardown();
	sysmon_teardown();
	proc_teardown();
}
