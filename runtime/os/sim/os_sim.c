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
#include "sim_props.h"
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
	int nthreads, capthreads;
	/* The runnable threads (not blocked), as a bitmap over thread ids
	 * (bit id % 64 of word id / 64), and how many: reschedule walks the
	 * runnable ones in id order, never the blocked. Set and cleared with
	 * simthread.blocked, in setrunnable and setblocked only. */
	uint64_t *runmask;
	int nrunnable;
	/* A lower bound on the earliest deadline of a blocked thread
	 * (INT64_MAX: none is known): reschedule looks for sleepers to wake
	 * only once the clock reaches it. Lowered by block; made exact again
	 * by wake_expired; a sleeper woken early by a futex leaves it low,
	 * which costs one needless scan and nothing else. */
	int64_t wakeat;
	/* A lower bound on lastran over the runnable threads: no thread can be
	 * starved (SIM_STARVE) while steps - oldest <= SIM_STARVE. lastran
	 * only grows, so it stays a bound; setrunnable lowers it for a thread
	 * that slept, and reschedule makes it exact when it scans. */
	uint64_t oldest;
	uint64_t pct_next; /* the next step in pct_change, or UINT64_MAX */
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

/* S.running && S.cfg.trace, as a plain flag: what SIMEVENT can test before
 * it evaluates its arguments. Set and cleared by sl_sim_run with
 * S.running, outside any run's fibers. */
bool sim_trace_on;

bool sim_tracing(void)
{
	return sim_trace_on;
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

/* A failure of the simulated machine itself (a hang, a livelock, an exit,
 * a global property broken: sim_props.c): say where, then abort so that a
 * fuzzer keeps the input. */
NORETURN void sim_fail(const char *what)
{
	char buf[600];
	int n = snprintf(buf, sizeof buf, "sim: %s (step %llu, t=%lld ns, %d threads)\n", what,
			 (unsigned long long)S.steps, (long long)S.now, S.nthreads);
	os_write2(buf, n);
	abort();
}

/* A run stopped for going on too long: name the G that starves (the
 * runnable one that has waited longest), as well as where and when. */
static NORETURN void sim_fail_starving(const char *what)
{
	char g[200], buf[400];
	sim_props_starving(g, sizeof g);
	snprintf(buf, sizeof buf, "%s; the longest runnable: %s", what, g);
	sim_fail(buf);
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

/* ---- thread stacks ---- */

/*
 * The stacks of finished runs, kept for the next: a process runs many small
 * runs, and mapping, faulting in and unmapping every thread's stack each
 * time (with ASan, its shadow too) was a good part of a run's cost. Like S,
 * it belongs to the one run at a time, all of whose threads are fibers on
 * the caller's thread, so it needs no lock. At most STACK_CACHE stacks are
 * kept; the rest are unmapped as before.
 *
 * A reused stack holds the old run's bytes, which no code may read before
 * writing (a fresh mapping's zeros are no promise of os.h either); under
 * ASan its shadow may still hold the redzones of frames that were live
 * when the old run ended (its threads never return), so stack_get
 * unpoisons it whole.
 */
#define STACK_CACHE 64

static char *stack_cache[STACK_CACHE];
static int nstack_cache;

static char *stack_get(void)
{
	if (nstack_cache > 0) {
		char *stk = stack_cache[--nstack_cache];
#ifdef SL_ASAN
		ASAN_UNPOISON_MEMORY_REGION(stk, SIM_STACK);
#endif
		return stk;
	}
	char *stk =
	    mmap(NULL, SIM_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return stk == MAP_FAILED ? NULL : stk;
}

static void stack_put(char *stk)
{
	if (nstack_cache < STACK_CACHE)
		stack_cache[nstack_cache++] = stk;
	else
		munmap(stk, SIM_STACK);
}

/* ---- the runnable set ---- */

/* t leaves futexsleep or usleep (or starts): it may run from now on. */
static void setrunnable(struct simthread *t)
{
	t->blocked = false;
	t->waitaddr = NULL;
	S.runmask[t->id / 64] |= 1ull << (t->id % 64);
	S.nrunnable++;
	if (t->lastran < S.oldest)
		S.oldest = t->lastran;
}

/* The current thread sleeps on addr (NULL: usleep) until deadline (-1:
 * until woken). */
static void setblocked(struct simthread *t, uint32_t *addr, int64_t deadline)
{
	t->blocked = true;
	t->waitaddr = addr;
	t->deadline = deadline;
	t->blockseq = ++S.blockseq;
	S.runmask[t->id / 64] &= ~(1ull << (t->id % 64));
	S.nrunnable--;
	if (deadline >= 0 && deadline < S.wakeat)
		S.wakeat = deadline;
}

static struct simthread *thread_new(struct m *mp)
{
	struct simthread *t = calloc(1, sizeof *t);
	char *stk = stack_get();
	if (!t || !stk)
		sim_fail("out of memory for a simulated thread");
	if (S.nthreads == S.capthreads) {
		int cap = S.capthreads ? 2 * S.capthreads : 64; /* whole words */
		struct simthread **n = realloc(S.threads, (size_t)cap * sizeof *n);
		if (n)
			S.threads = n;
		uint64_t *r = n ? realloc(S.runmask, (size_t)cap / 64 * sizeof *r) : NULL;
		if (!n || !r)
			sim_fail("out of memory for a simulated thread");
		memset(r + S.capthreads / 64, 0, (size_t)(cap - S.capthreads) / 64 * sizeof *r);
		S.runmask = r;
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
	setrunnable(t);
	sim_race_thread_new(S.cur ? S.cur->id : -1, t->id); /* creation orders the child */
	return t;
}

/* ---- the decision ---- */

static uint32_t choose(uint32_t n)
{
	if (S.cfg.choice == SL_SIM_BYTES && S.bytepos < S.cfg.nbytes)
		return S.cfg.bytes[S.bytepos++] % n;
	return (uint32_t)(splitmix(&S.rng) % n);
}

/* The runnable threads but skip (NULL: none) in id order, one word of the
 * bitmap at a time: bits of word w are the ids 64w..64w+63. */
static uint64_t runword(int w, const struct simthread *skip)
{
	uint64_t m = S.runmask[w];
	if (skip && skip->id / 64 == w)
		m &= ~(1ull << (skip->id % 64));
	return m;
}

/* The bits set in x. (__builtin_popcountll is a libgcc call on a CPU the
 * compiler may not assume has POPCNT.) */
static uint32_t popcount64(uint64_t x)
{
	x -= (x >> 1) & 0x5555555555555555ull;
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
	return (uint32_t)((x * 0x0101010101010101ull) >> 56);
}

/* The k-th (from 0) runnable thread but skip, in id order: the k-th entry
 * of the list of candidates a scan of S.threads would build. */
static struct simthread *nth_runnable(uint32_t k, const struct simthread *skip)
{
	for (int w = 0; w < S.capthreads / 64; w++) {
		uint64_t m = runword(w, skip);
		uint32_t c = popcount64(m);
		if (k >= c) {
			k -= c;
			continue;
		}
		while (k--)
			m &= m - 1; /* drop the lowest */
		return S.threads[w * 64 + __builtin_ctzll(m)];
	}
	sim_fail("nth_runnable: fewer runnable threads than counted");
}

/* Wake every sleeper whose deadline has passed, and make wakeat exact. */
static void wake_expired(void)
{
	int64_t next = INT64_MAX;
	for (int i = 0; i < S.nthreads; i++) {
		struct simthread *t = S.threads[i];
		if (!t->blocked || t->deadline < 0)
			continue;
		if (t->deadline <= S.now)
			setrunnable(t);
		else if (t->deadline < next)
			next = t->deadline;
	}
	S.wakeat = next;
}

/*
 * Pick the thread to run next, jumping the clock over idle stretches, and
 * switch to it. Returns when the caller (S.cur) runs again; if it blocked,
 * someone has woken it or its deadline has passed.
 *
 * The candidates are the runnable threads in id order, less the current one
 * if it yields and another can run; every decision below (the starved one,
 * PCT's highest priority, the choice's index) is made over that list, so
 * the bitmap walk decides exactly as a scan of every thread would.
 */
static void reschedule(void)
{
	struct simthread *self = S.cur;
	for (;;) {
		if (S.now >= S.wakeat)
			wake_expired();
		if (S.nrunnable > 0)
			break;
		/* Every thread is blocked: jump to the earliest deadline (wakeat
		 * may be below it, so look). */
		int64_t next = -1;
		for (int i = 0; i < S.nthreads; i++) {
			struct simthread *t = S.threads[i];
			if (t->deadline >= 0 && (next < 0 || t->deadline < next))
				next = t->deadline;
		}
		if (next < 0)
			sim_fail_starving("every thread is blocked for ever (a lost wakeup)");
		S.now = next;
		S.wakeat = next;
	}
	/* The yielder goes last, unless it is all there is. */
	const struct simthread *skip =
	    S.yielding && !self->blocked && S.nrunnable > 1 ? self : NULL;
	uint32_t n = (uint32_t)S.nrunnable - (skip ? 1 : 0);
	S.yielding = false;
	struct simthread *pick = NULL;
	if (S.steps - S.oldest > SIM_STARVE) {
		/* Someone may be starved: look, and make oldest exact. */
		uint64_t oldest = UINT64_MAX;
		for (int w = 0; w < S.capthreads / 64; w++)
			for (uint64_t m = S.runmask[w]; m; m &= m - 1) {
				struct simthread *t = S.threads[w * 64 + __builtin_ctzll(m)];
				if (t->lastran < oldest)
					oldest = t->lastran;
				if (t != skip && t != self && S.steps - t->lastran > SIM_STARVE &&
				    (!pick || t->lastran < pick->lastran))
					pick = t;
			}
		S.oldest = oldest;
	}
	if (pick) {
		/* Starved (SIM_STARVE). Under PCT it also goes to the top:
		 * one step, and the old order would starve it again at
		 * once; a kernel gives a starved thread a real slice. */
		if (S.cfg.choice == SL_SIM_PCT)
			for (int i = 0; i < S.nthreads; i++)
				if (S.threads[i]->prio >= pick->prio)
					pick->prio = S.threads[i]->prio + 1;
	} else if (n == 1) {
		pick = nth_runnable(0, skip);
	} else if (S.cfg.choice == SL_SIM_PCT) {
		/* The highest priority; the first in id order among equals. */
		for (int w = 0; w < S.capthreads / 64; w++)
			for (uint64_t m = runword(w, skip); m; m &= m - 1) {
				struct simthread *t = S.threads[w * 64 + __builtin_ctzll(m)];
				if (!pick || t->prio > pick->prio)
					pick = t;
			}
	} else {
		/* RANDOM and spent BYTES keep the current thread 3 times in
		 * 4, so runs are not all switches; BYTES decide fully. */
		bool decided = S.cfg.choice == SL_SIM_BYTES && S.bytepos < S.cfg.nbytes;
		bool selfok = !self->blocked && skip != self;
		if (!decided && selfok && splitmix(&S.rng) % 4 != 0)
			pick = self;
		else
			pick = nth_runnable(choose(n), skip);
	}
	self->lastran = S.steps;
	if (pick != self) {
		if (S.cfg.trace)
			sim_event("-> T%d (M%lld)", pick->id,
				  pick->mp ? (long long)pick->mp->id : 0LL);
		pick->lastran = S.steps;
		switch_to(pick);
	}
}

/* A scheduling point: time passes, the global properties are checked
 * (sim_props.c), and another thread may run. */
void os_schedpoint(const char *where)
{
	(void)where;
	if (!S.running)
		return;
	if (++S.steps > S.cfg.max_steps)
		sim_fail_starving("too many steps (a livelock?)");
	S.now += SIM_TICK;
	if (S.now > S.cfg.max_time)
		sim_fail_starving("virtual time ran out (a hang?)");
	sim_props_check(S.now);
	if (S.cfg.choice == SL_SIM_PCT && S.steps >= S.pct_next) {
		/* A change point (pct_next: the earliest one not yet passed). */
		uint64_t next = UINT64_MAX;
		for (int i = 0; i < S.pct_nchange; i++) {
			if (S.pct_change[i] == S.steps)
				S.cur->prio = (uint32_t)(S.pct_nchange - i);
			else if (S.pct_change[i] > S.steps && S.pct_change[i] < next)
				next = S.pct_change[i];
		}
		S.pct_next = next;
	}
	reschedule();
}

/* A scheduling point at a memory access (the fine build's hooks,
 * sim_race.c). */
void sim_access_point(const char *what)
{
	os_schedpoint(what);
}

int sim_current_tid(void)
{
	return S.cur ? S.cur->id : -1;
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
	setblocked(S.cur, addr, deadline);
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
		setrunnable(first);
		sim_race_wake(S.cur->id, first->id); /* the wake orders the sleeper */
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
	sim_props_main(1); /* the properties hold from here */
	S.exitcode = S.mainfn(S.mainarg);
	sim_props_main(0); /* not in the teardown */
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

/* A goroutine's compute loop, one iteration: a scheduling point, where
 * time passes and other threads run, but no call into the runtime: the G
 * keeps its P, as a CPU-bound goroutine does between runtime calls. */
void sl_sim_spin(void)
{
	if (!S.running || !getg()) {
		fprintf(stderr, "schedlab: sl_sim_spin: not inside a simulated run\n");
		return;
	}
	os_schedpoint("sl_sim_spin");
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
	S.wakeat = INT64_MAX;
	S.pct_next = 0; /* the first scheduling point finds the first change */
	S.mainfn = fn;
	S.mainarg = arg;
	S.now = 1000 * 1000 * 1000; /* a nonzero epoch: 0 means "no time" to timers */

	/* The host's own stack, for ASan's switch back. */
	struct simthread host = {0};
	host.id = -1;
	S.cur = &host;
#ifdef SL_ASAN
	/* Asked once per host thread: a thread's stack does not move, and
	 * for the main thread glibc reads /proc/self/maps to answer. */
	static __thread void *host_lo;
	static __thread size_t host_size;
	if (!host_lo) {
		pthread_attr_t attr;
		pthread_getattr_np(pthread_self(), &attr);
		pthread_attr_getstack(&attr, &host_lo, &host_size);
		pthread_attr_destroy(&attr);
	}
	S.host_stack_lo = host_lo;
	S.host_stack_size = host_size;
#endif
	S.running = true;
	sim_trace_on = S.cfg.trace;
	sim_race_run_begin();
	sim_props_run_begin();
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
	sim_race_run_end();
	S.running = false;
	sim_trace_on = false;
	int code = S.exitcode;
	if (S.cfg.trace) {
		char buf[120];
		int n = snprintf(buf, sizeof buf, "%8llu end: exit %d at t=%lld ns, %d threads\n",
				 (unsigned long long)S.steps, code, (long long)S.now, S.nthreads);
		trace_write(buf, n);
	}
	runtime_teardown();
	for (int i = 0; i < S.nthreads; i++) {
		stack_put(S.threads[i]->stack);
		free(S.threads[i]);
	}
	free(S.threads);
	free(S.runmask);
	memset(&S, 0, sizeof S);
	return code;
}
