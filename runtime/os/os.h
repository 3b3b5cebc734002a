/*
 * os.h: the OS seam, and the only one. runtime/core/ touches the OS, the
 * environment and real time through these functions and nothing else (of
 * libc it uses only ISO C: malloc, stdio, strtoull, exit, abort); each
 * backend under runtime/os/ (linux: threads and futexes; sim: every M a fiber
 * on one thread, in virtual time) implements all of them, so a second OS is a
 * new folder there. Where the simulation needs the core to behave
 * differently, it says so here (os_replay, os_getstartup), not in the core.
 *
 *   threads       os_newosproc, os_newosproc0, os_minit, os_threadstack
 *   sleep, wake   os_futexsleep, os_futexwakeup, os_usleep, os_osyield
 *   time          os_nanotime
 *   memory        os_pagesize, os_stackmap, os_stackunmap, os_stackguard
 *   signals       os_initsig (the stack overflow report, sigstackoverflow)
 *   start-up      os_getproccount, os_getstartup, os_replay, os_stackchunk
 *   process       os_exit, os_write2
 *   simulation    SCHEDPOINT, SIMEVENT, SIMCOVER, SIMHOOK: nothing in the real build
 *
 * Backends may call the core's internals (runtime.h: print, throw, mstart,
 * rt0_go, ...); the core includes no backend header.
 */
#ifndef SCHEDLAB_OS_H
#define SCHEDLAB_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct m;

/* ---- threads ---- */

/* Start a thread for mp that calls mstart() with mp installed. Throws if it
 * cannot. */
void os_newosproc(struct m *mp);
/* Start a detached thread on an ordinary C stack that calls fn, before there
 * is a runtime (the library entry's runtime thread, which becomes m0's).
 * Returns 0, or the error number if no thread could be made. */
int os_newosproc0(void (*fn)(void));
/* Set up the calling thread for mp (its alternate signal stack). On mp's own
 * thread, in mstart, before it runs anything else. */
void os_minit(struct m *mp);
/* The bounds of the calling thread's own stack. */
void os_threadstack(uintptr_t *lo, uintptr_t *hi);

/* ---- sleep and wake-up ---- */

/* Sleep while *addr == val, for at most ns (ns < 0: forever). May wake
 * spuriously. */
void os_futexsleep(uint32_t *addr, uint32_t val, int64_t ns);
/* Wake up to cnt threads sleeping on addr. */
void os_futexwakeup(uint32_t *addr, uint32_t cnt);
void os_usleep(uint32_t us);
void os_osyield(void);

/* ---- time ---- */

/* Monotonic time in nanoseconds. */
int64_t os_nanotime(void);

/* ---- memory: goroutine stacks (stack.c, under stackpool.lock) ---- */

size_t os_pagesize(void);
/* Map len bytes of zeroed read-write memory for stacks, committed lazily.
 * NULL when the OS refuses (ENOMEM, or an injected fault): the caller
 * decides what that means. */
void *os_stackmap(size_t len);
void os_stackunmap(void *p, size_t len);
/*
 * Make the n guard regions [base + i*stride, base + i*stride + guard) fault
 * on any access; protect asks for page protection even where the OS has a
 * lighter guard (SL_DEBUG=stackguard=1). Returns how it guarded, for
 * stackguardmode: "madvise" or "mprotect". Throws if it cannot. Calls are
 * serialized by the caller.
 */
const char *os_stackguard(char *base, size_t stride, size_t guard, int32_t n, bool protect);

/* ---- signals ---- */

/* Install the stack overflow reporter: a memory fault calls
 * sigstackoverflow (stack.c) on the faulting thread, in signal context; a
 * fault it declines takes its course as if the runtime had not been there.
 * Once, in schedinit. */
void os_initsig(void);

/* ---- start-up ---- */

/* CPUs in this thread's affinity mask (at least 1). */
int32_t os_getproccount(void);

/*
 * The start-up settings, as the environment spells them (Linux: GOMAXPROCS,
 * SL_DEBUG and SL_STACK_SIZE; the simulation: GOMAXPROCS from the run's
 * configuration). NULL where unset; the core parses them, and the strings
 * need only outlive schedinit.
 */
struct os_startup {
	const char *gomaxprocs; /* NULL: as many Ps as CPUs */
	const char *debug;
	const char *stack_size;
	/* The main goroutine's body, where the backend has its own (the
	 * simulation: the run's function, then back to sl_sim_run); it never
	 * returns. NULL: sl_main, or nothing for a library host. */
	void (*main)(void);
};
/* Once, in schedinit, on m0's g0. */
void os_getstartup(struct os_startup *st);

/*
 * Whether runs must replay exactly. Then nothing the runtime orders may
 * depend on an address's value, which ASLR and the heap's history change:
 * semaphores share one wait bucket (sema.c), and select locks channels in
 * creation order (chan.h). A constant of the backend.
 */
extern const bool os_replay;
/* Goroutine stacks per mapping: many for a long-lived process, fewer where a
 * process runs many small runtimes (the simulation). A constant. */
extern const int32_t os_stackchunk;

/* ---- the process ---- */

/* Leave the process now, without atexit handlers. */
void os_exit(int code) __attribute__((noreturn));
/* Write to stderr, unbuffered. */
void os_write2(const char *buf, int n);

/* ---- the simulation's hooks ---- */

/*
 * A scheduling point: a place where a simulated scheduler may switch Ms. It
 * compiles to nothing in the real build.
 */
#ifdef SL_SIM
void os_schedpoint(const char *where);
#define SCHEDPOINT(where) os_schedpoint(where)
#else
#define SCHEDPOINT(where) ((void)0)
#endif

/*
 * What the simulation records (os_sim.c, sim_cover.c); nothing in the real
 * build. SIMEVENT prints a trace line when SL_SIM_TRACE is on. SIMCOVER
 * counts a transition of kind ("P", "G", or an event family such as
 * "procresize") from one state to another at a site (the function).
 * SIMHOOK(call) makes a call only in the simulation, for what takes work to
 * find out before it can be counted; in the real build the call and its
 * arguments are not even evaluated.
 */
#ifdef SL_SIM
void sim_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sim_cover(const char *kind, uint32_t from, uint32_t to, const char *site);
#define SIMEVENT(...)		       sim_event(__VA_ARGS__)
#define SIMCOVER(kind, from, to, site) sim_cover((kind), (from), (to), (site))
#define SIMHOOK(call)		       (call)
#else
#define SIMEVENT(...)		       ((void)0)
#define SIMCOVER(kind, from, to, site) ((void)0)
/* type-checked, never evaluated */
#define SIMHOOK(call)		       ((void)(0 && ((call), 0)))
#endif

#endif
