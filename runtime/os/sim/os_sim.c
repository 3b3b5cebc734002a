/*
 * os_sim.c: the OS seam (os.h) as a deterministic simulation (the SL_SIM
 * build, libschedlab_sim), and sl_sim_run, which runs one runtime from
 * rt0_go to runtime_teardown. Stack memory is the host's (os/linux/mem.c).
 *
 * The whole runtime runs on the caller's thread. Every M is a "simulated
 * thread": a fiber with its own g0 stack, switched with asm_switch. Exactly
 * one runs at a time, and only at a scheduling point (SCHEDPOINT in the
 * runtime, and every seam call here) may another take over. Which one is
 * the choice source's decision: a PRNG, PCT, or the fuzzer's bytes. A thread
 * that sleeps on a futex or in usleep is blocked until woken or until its
 * virtual deadline.
 *
 * Virtual time advances SIM_TICK ns per scheduling point, and jumps to the
 * next deadline when every thread is blocked. Nothing here reads a real
 * clock, so a run is a function of its configuration alone.
 *
 * The start-up settings are the run's configuration (GOMAXPROCS) and the
 * environment (SL_DEBUG, SL_STACK_SIZE); the main goroutine runs the run's
 * function (sim_main). Signals stay the host's: there is one real thread for
 * every M, and no overflow reporter.
 *
 * The current G lives in the one real thread's TLS slot, so a switch between
 * simulated threads saves the outgoing thread's g and installs the incoming
 * one's. Each switch is announced to AddressSanitizer as a fiber switch onto
 * the incoming thread's current stack (its user G's, or its g0's).
 */
#define _GNU_SOURCE
#include "runtime.h"
#include "asm_offsets.h"
#include "schedlab_sim.h"
#include "sanitizers.h"
#include "sim.h"
#include "../linux/fault.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SIM_TICK  50			   /* virtual ns per scheduling point */
#define SIM_STACK (G0_OSSTACK + 64 * 1024) /* every simulated thread's stack */

/* Runs replay exactly, and a process runs many small ones: few stacks a
 * chunk. */
const bool os_replay = true;
const int32_t os_stackchunk = 32;

/* A runnable thread that has not run for this many steps runs next, as a
 * real kernel would run it sooner or later. Without this, PCT's strict
 * priorities turn any spin-wait on a lower-priority thread into a livelock
 * that no real machine has. */
#define SIM_STARVE 20000

struct simthread {
	gobuf ctx;	    /* saved while switched out */
	struct g *g;	    /* its current G (TLS) while switched out */
	struct m *mp;	    /* its M (&m0 for T0, set as T0 starts) */
	char *stack;	    /* [stack, stack + SIM_STACK) */
	int id;		    /* T0 is m0's thread */
	bool blocked;	    /* in futexsleep or usleep */
	uint32_t *waitaddr; /* the futex slept on, or NULL */
	int64_t deadline;   /* virtual wake-up time, or -1 */
	uint64_t blockseq;  /* FIFO order among sleepers */
	uint32_t prio;	    /* PCT priority: the highest runnable runs */
	uint64_t lastran;   /* the step at which it last ran */
	void *fake_stack;   /* ASan's fake stack while switched out */
};

/* The simulator's state: one run at a time. Only touched by the running
 * simulated thread or by sl_sim_run between runs. */
static struct {
	struct sl_sim_config cfg;
	bool running;
	struct simthread **threads;
	struct simthread **run; /* reschedule's scratch: the runnable ones */
	int nthreads, capthreads;
	struct simthread *cur;
	gobuf hostctx; /* sl_sim_run's own context */
	const void *host_stack_lo;
	size_t host_stack_size;
	void *host_fake_stack;
	int64_t now;
	uint64_t steps;
	uint64_t blockseq;
	uint64_t rng;
	size_t bytepos;
	bool yielding; /* the current thread asked to go last (osyield) */
	uint64_t pct_change[16];
	int pct_nchange;
	int exitcode;
	int (*mainfn)(void *);
	void *mainarg;
	bool gomaxprocs_set; /* the configuration named gomaxprocs */
	char gomaxprocs[16]; /* then cfg.gomaxprocs, as os_getstartup's string */
} S;

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void write_all(int fd, const char *buf, int n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, (size_t)n);
		if (w <= 0)
			return;
		buf += w;
		n -= (int)w;
	}
}

static void trace_write(const char *buf, int n)
{
	write_all(S.cfg.trace_fd ? S.cfg.trace_fd : 2, buf, n);
}

bool sim_tracing(void)
{
	return S.running && S.cfg.trace;
}

void sim_event(const char *fmt, ...)
{
	if (!sim_tracing())
		return;
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = snprintf(buf, sizeof buf, "%8llu T%d ", (unsigned long long)S.steps,
			 S.cur ? S.cur->id : -1);
	if (n < 0)
		return;
	n += vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 2)
		n = (int)sizeof buf - 2;
	buf[n++] = '\n';
	trace_write(buf, n);
}

/* A failure of the simulated machine itself (a hang, a livelock, an exit):
 * say where, then abort so that a fuzzer keeps the input. */
static NORETURN void sim_fail(const char *what)
{
	char buf[200];
	int n = snprintf(buf, sizeof buf, "sim: %s (step %llu, t=%lld ns, %d threads)\n", what,
			 (unsigned long long)S.steps, (long long)S.now, S.nthreads);
	os_write2(buf, n);
	abort();
}

/* ---- switching ---- */

#ifdef SL_ASAN
static void stack_of(struct simthread *t, const void **lo, size_t *size)
{
	struct g *gp = t->g;
	if (gp && t->mp && gp != t->mp->g0) {
		*lo = (const void *)gp->stack.lo;
		*size = gp->stack.hi - gp->stack.lo;
	} else {
		*lo = t->stack;
		*size = SIM_STACK;
	}
}

#endif

/* Run `to` until something switches back here. The TLS g is the incoming
 * thread's while it runs; the caller's is restored by whoever resumes it. */
static void switch_to(struct simthread *to)
{
	struct simthread *from = S.cur;
	from->g = getg();
	S.cur = to;
#ifdef SL_ASAN
	const void *lo;
	size_t size;
	stack_of(to, &lo, &size);
	__sanitizer_start_switch_fiber(&from->fake_stack, lo, size);
#endif
	setg(to->g);
	asm_switch(&from->ctx, &to->ctx);
#ifdef SL_ASAN
	__sanitizer_finish_switch_fiber(from->fake_stack, NULL, NULL);
#endif
}

/* A new simulated thread's first frame (via asm_fiber_entry). */
static NORETURN void thread_start(void)
{
#ifdef SL_ASAN
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
	struct simthread *t = S.cur;
	if (t->id == 0) {
		t->mp = &m0;
		rt0_go(0, NULL); /* m0: the bootstrap, as on a real main thread */
	}
	setg(t->mp->g0);
	mstart();
	throw("sim: mstart returned");
}

static struct simthread *thread_new(struct m *mp)
{
	struct simthread *t = calloc(1, sizeof *t);
	char *stk =
	    mmap(NULL, SIM_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!t || stk == MAP_FAILED)
		sim_fail("out of memory for a simulated thread");
	if (S.nthreads == S.capthreads) {
		int cap = S.capthreads ? 2 * S.capthreads : 16;
		struct simthread **n = realloc(S.threads, (size_t)cap * sizeof *n);
		struct simthread **r = n ? realloc(S.run, (size_t)cap * sizeof *r) : NULL;
		if (!n || !r)
			sim_fail("out of memory for a simulated thread");
		S.threads = n;
		S.run = r;
		S.capthreads = cap;
	}
	t->stack = stk;
	t->mp = mp;
	t->id = S.nthreads;
	t->deadline = -1;
	t->lastran = S.steps;
	/* The frame asm_switch's restore pops: x87 control word, MXCSR, r15
	 * r14 r13 r12 rbx rbp, return address. rbx carries the function. */
	uint64_t *sp = (uint64_t *)((uintptr_t)(stk + SIM_STACK) - 80);
	sp[0] = 0x037f;
	sp[1] = 0x1f80;
	for (int i = 2; i <= 7; i++)
		sp[i] = 0;
	sp[6] = (uint64_t)(uintptr_t)thread_start;
	sp[8] = (uint64_t)(uintptr_t)asm_fiber_entry;
	t->ctx.sp = (uintptr_t)sp;
	if (S.cfg.choice == SL_SIM_PCT)
		t->prio = (uint32_t)S.cfg.pct_depth + (uint32_t)(splitmix(&S.rng) % 10000);
	S.threads[S.nthreads++] = t;
	return t;
}

/* ---- the decision ---- */

static uint32_t choose(uint32_t n)
{
	if (S.cfg.choice == SL_SIM_BYTES && S.bytepos < S.cfg.nbytes)
		return S.cfg.bytes[S.bytepos++] % n;
	return (uint32_t)(splitmix(&S.rng) % n);
}

/*
 * Pick the thread to run next, jumping the clock over idle stretches, and
 * switch to it. Returns when the caller (S.cur) runs again; if it blocked,
 * someone has woken it or its deadline has passed.
 */
static void reschedule(void)
{
	struct simthread *self = S.cur;
	struct simthread **run = S.run;
	for (;;) {
		int n = 0, nall = 0;
		int64_t next = -1;
		struct simthread *only = NULL;
		for (int i = 0; i < S.nthreads; i++) {
			struct simthread *t = S.threads[i];
			if (t->blocked && t->deadline >= 0 && t->deadline <= S.now) {
				t->blocked = false;
				t->waitaddr = NULL;
			}
			if (t->blocked) {
				if (t->deadline >= 0 && (next < 0 || t->deadline < next))
					next = t->deadline;
				continue;
			}
			nall++;
			only = t;
			if (t == self && S.yielding)
				continue;
			run[n++] = t;
		}
		if (nall == 0) {
			if (next < 0)
				sim_fail("every thread is blocked for ever (a lost wakeup)");
			S.now = next;
			continue;
		}
		S.yielding = false;
		if (n == 0)
			run[n++] = only; /* the yielder is all there is */
		struct simthread *pick = NULL;
		for (int i = 0; i < n; i++)
			if (run[i] != self && S.steps - run[i]->lastran > SIM_STARVE &&
			    (!pick || run[i]->lastran < pick->lastran))
				pick = run[i];
		if (pick) {
			/* Starved (SIM_STARVE). Under PCT it also goes to the top:
			 * one step, and the old order would starve it again at
			 * once; a kernel gives a starved thread a real slice. */
			if (S.cfg.choice == SL_SIM_PCT)
				for (int i = 0; i < S.nthreads; i++)
					if (S.threads[i]->prio >= pick->prio)
						pick->prio = S.threads[i]->prio + 1;
		} else if (n == 1) {
			pick = run[0];
		} else if (S.cfg.choice == SL_SIM_PCT) {
			pick = run[0];
			for (int i = 1; i < n; i++)
				if (run[i]->prio > pick->prio)
					pick = run[i];
		} else {
			/* RANDOM and spent BYTES keep the current thread 3 times in
			 * 4, so runs are not all switches; BYTES decide fully. */
			bool decided = S.cfg.choice == SL_SIM_BYTES && S.bytepos < S.cfg.nbytes;
			bool selfok = false;
			for (int i = 0; i < n; i++)
				selfok |= run[i] == self;
			if (!decided && selfok && splitmix(&S.rng) % 4 != 0)
				pick = self;
			else
				pick = run[choose((uint32_t)n)];
		}
		self->lastran = S.steps;
		if (pick != self) {
			if (S.cfg.trace)
				sim_event("-> T%d (M%lld)", pick->id,
					  pick->mp ? (long long)pick->mp->id : 0LL);
			pick->lastran = S.steps;
			switch_to(pick);
		}
		return;
	}
}

/* A scheduling point: time passes, and another thread may run. */
void os_schedpoint(const char *where)
{
	(void)where;
	if (!S.running)
		return;
	if (++S.steps > S.cfg.max_steps)
		sim_fail("too many steps (a livelock?)");
	S.now += SIM_TICK;
	if (S.now > S.cfg.max_time)
		sim_fail("virtual time ran out (a hang?)");
	if (S.cfg.choice == SL_SIM_PCT) {
		for (int i = 0; i < S.pct_nchange; i++)
			if (S.pct_change[i] == S.steps)
				S.cur->prio = (uint32_t)(S.pct_nchange - i);
	}
	reschedule();
}

/* What a futex address is, for the trace (addresses differ run to run). */
static const char *futexname(uint32_t *addr)
{
	if (addr == &sched.tgen)
		return "the timer sleep";
	for (struct m *mp = allm; mp; mp = mp->alllink)
		if (addr == &mp->park.key)
			return "its M's park note";
	return "a runtime lock or note";
}

static void block(uint32_t *addr, int64_t deadline)
{
	if (S.cfg.trace) {
		if (deadline < 0)
			sim_event("blocks on futex %s", futexname(addr));
		else
			sim_event("blocks on %s for %lld ns", addr ? futexname(addr) : "usleep",
				  (long long)(deadline - S.now));
	}
	S.cur->blocked = true;
	S.cur->waitaddr = addr;
	S.cur->deadline = deadline;
	S.cur->blockseq = ++S.blockseq;
	reschedule();
}

/* ---- the seam ---- */

void os_newosproc(struct m *mp)
{
	struct simthread *t = thread_new(mp);
	mp->osthread = (uintptr_t)t->id;
	SIMEVENT("newosproc M%lld as T%d", (long long)mp->id, t->id);
	os_schedpoint("newosproc");
}

int os_newosproc0(void (*fn)(void))
{
	(void)fn;
	sim_fail("the library entry has no simulated thread: a simulated runtime starts in "
		 "sl_sim_run");
}

void os_minit(struct m *mp)
{
	(void)mp;
}

void os_initsig(void)
{
}

void os_futexsleep(uint32_t *addr, uint32_t val, int64_t ns)
{
	os_schedpoint("futexsleep");
	if (atomic_load(addr) != val)
		return;
	int64_t deadline;
	if (ns < 0)
		deadline = -1;
	else if (__builtin_add_overflow(S.now, ns, &deadline))
		deadline = INT64_MAX;
	block(addr, deadline);
}

void os_futexwakeup(uint32_t *addr, uint32_t cnt)
{
	while (cnt > 0) {
		struct simthread *first = NULL;
		for (int i = 0; i < S.nthreads; i++) {
			struct simthread *t = S.threads[i];
			if (t->blocked && t->waitaddr == addr &&
			    (!first || t->blockseq < first->blockseq))
				first = t;
		}
		if (!first)
			break;
		first->blocked = false;
		first->waitaddr = NULL;
		cnt--;
		if (S.cfg.trace)
			sim_event("wakes T%d", first->id);
	}
	os_schedpoint("futexwakeup");
}

int64_t os_nanotime(void)
{
	return S.now;
}

void os_usleep(uint32_t us)
{
	os_schedpoint("usleep");
	block(NULL, S.now + (int64_t)us * 1000);
}

void os_osyield(void)
{
	S.yielding = true;
	os_schedpoint("osyield");
}

int32_t os_getproccount(void)
{
	return S.cfg.ncpu;
}

void os_threadstack(uintptr_t *lo, uintptr_t *hi)
{
	*lo = (uintptr_t)S.cur->stack;
	*hi = (uintptr_t)S.cur->stack + SIM_STACK;
}

void os_exit(int code)
{
	char buf[64];
	snprintf(buf, sizeof buf, "the runtime called exit(%d)", code);
	sim_fail(buf);
}

void os_write2(const char *buf, int n)
{
	write_all(2, buf, n);
}

/* ---- faults: SL_FAULT is the real build's; the simulation injects none ---- */

/* For mem.c, which both backends compile (os/linux/fault.h). */
bool fault_inject(enum fault_kind k)
{
	(void)k;
	return false;
}

bool os_fault_syscall_on = false;

void os_fault_syscall(void)
{
}

/* No kind is ever on here: 0 for each kind sl_fault_count knows, as the
 * real build reports a kind that is off. */
int64_t sl_fault_count(const char *kind)
{
	static const char *const kinds[] = {"thread", "mmap",  "futex",
					    "signal", "noise", "syscall"};
	for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kind, kinds[i]) == 0)
			return 0;
	return -1;
}

/* ---- runs ---- */

/* The main goroutine's body (runtime_main, via os_getstartup): the run's
 * main function, then back to sl_sim_run. Never returns. */
static NORETURN void sim_main(void)
{
	S.exitcode = S.mainfn(S.mainarg);
	SIMEVENT("main returned %d", S.exitcode);
	S.cur->g = getg();
#ifdef SL_ASAN
	__sanitizer_start_switch_fiber(NULL, S.host_stack_lo, S.host_stack_size);
#endif
	setg(NULL);
	asm_gogo(&S.hostctx);
}

void os_getstartup(struct os_startup *st)
{
	st->gomaxprocs = NULL; /* as many Ps as CPUs: cfg.ncpu */
	if (S.gomaxprocs_set) {
		snprintf(S.gomaxprocs, sizeof S.gomaxprocs, "%d", S.cfg.gomaxprocs);
		st->gomaxprocs = S.gomaxprocs;
	}
	st->debug = getenv("SL_DEBUG");
	st->stack_size = getenv("SL_STACK_SIZE");
	st->main = sim_main;
}

uint64_t sl_sim_steps(void)
{
	return S.steps;
}

int64_t sl_sim_now(void)
{
	return S.now;
}

int sl_sim_run(const struct sl_sim_config *cfg, int (*fn)(void *), void *arg)
{
	if (S.running || getg()) {
		fprintf(stderr, "schedlab: sl_sim_run: a runtime is already running here\n");
		return -1;
	}
	const char *bad = !cfg	? "no configuration"
			  : !fn ? "no main function"
			  : cfg->choice < SL_SIM_RANDOM || cfg->choice > SL_SIM_BYTES
			      ? "choice is not SL_SIM_RANDOM, SL_SIM_PCT or SL_SIM_BYTES"
			  : cfg->ncpu < 0 ? "ncpu is negative"
			  : cfg->gomaxprocs < 0 || cfg->gomaxprocs > SL_MAX_GOMAXPROCS
			      ? "gomaxprocs is outside 0..SL_MAX_GOMAXPROCS"
			  : cfg->pct_depth < 0 || cfg->pct_depth > 16 ? "pct_depth is outside 0..16"
			  : cfg->choice == SL_SIM_BYTES && cfg->nbytes && !cfg->bytes
			      ? "nbytes without bytes"
			      : NULL;
	if (bad) {
		fprintf(stderr, "schedlab: sl_sim_run: invalid configuration: %s\n", bad);
		return -1;
	}
	memset(&S, 0, sizeof S);
	S.cfg = *cfg;
	if (!S.cfg.ncpu)
		S.cfg.ncpu = 4;
	S.gomaxprocs_set = S.cfg.gomaxprocs != 0;
	if (!S.cfg.gomaxprocs)
		S.cfg.gomaxprocs = S.cfg.ncpu;
	if (!S.cfg.max_steps)
		S.cfg.max_steps = 20 * 1000 * 1000;
	if (!S.cfg.max_time)
		S.cfg.max_time = 600LL * 1000 * 1000 * 1000;
	if (!S.cfg.pct_depth)
		S.cfg.pct_depth = 3;
	if (!S.cfg.pct_steps)
		S.cfg.pct_steps = 20000;
	const char *tr = getenv("SL_SIM_TRACE");
	if (tr && *tr && strcmp(tr, "0") != 0)
		S.cfg.trace = 1;
	S.rng = S.cfg.seed ^ 0x5C4EDu;
	if (S.cfg.choice == SL_SIM_PCT) {
		S.pct_nchange = S.cfg.pct_depth - 1;
		for (int i = 0; i < S.pct_nchange; i++)
			S.pct_change[i] = 1 + splitmix(&S.rng) % S.cfg.pct_steps;
	}
	S.mainfn = fn;
	S.mainarg = arg;
	S.now = 1000 * 1000 * 1000; /* a nonzero epoch: 0 means "no time" to timers */

	/* The host's own stack, for ASan's switch back. */
	struct simthread host = {0};
	host.id = -1;
	S.cur = &host;
#ifdef SL_ASAN
	pthread_attr_t attr;
	void *lo;
	size_t size;
	pthread_getattr_np(pthread_self(), &attr);
	pthread_attr_getstack(&attr, &lo, &size);
	pthread_attr_destroy(&attr);
	S.host_stack_lo = lo;
	S.host_stack_size = size;
#endif
	S.running = true;
	if (S.cfg.trace)
		sim_event("run: choice %d seed %llu ncpu %d gomaxprocs %d", S.cfg.choice,
			  (unsigned long long)S.cfg.seed, S.cfg.ncpu, S.cfg.gomaxprocs);
	struct simthread *t0 = thread_new(NULL);
	S.cur = &host;
	S.threads[0] = t0;
	/* Run m0's thread; sim_main resumes hostctx when main returns. */
	struct simthread *to = t0;
	S.cur = to;
#ifdef SL_ASAN
	__sanitizer_start_switch_fiber(&S.host_fake_stack, to->stack, SIM_STACK);
#endif
	asm_switch(&S.hostctx, &to->ctx);
#ifdef SL_ASAN
	__sanitizer_finish_switch_fiber(S.host_fake_stack, NULL, NULL);
#endif
	setg(NULL);
	S.running = false;
	int code = S.exitcode;
	if (S.cfg.trace) {
		char buf[120];
		int n = snprintf(buf, sizeof buf, "%8llu end: exit %d at t=%lld ns, %d threads\n",
				 (unsigned long long)S.steps, code, (long long)S.now, S.nthreads);
		trace_write(buf, n);
	}
	runtime_teardown();
	for (int i = 0; i < S.nthreads; i++) {
		munmap(S.threads[i]->stack, SIM_STACK);
		free(S.threads[i]);
	}
	free(S.threads);
	free(S.run);
	memset(&S, 0, sizeof S);
	return code;
}
