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
 *   memory        os_pagesize, os_stackmap, os_stackunmap, os_stackrelease, os_stackguard
 *   signals       os_initsig (stack overflow and crash reports: sigstackoverflow,
 *                 sigcrash), os_initfork
 *   start-up      os_getproccount, os_getstartup, os_replay, os_stackchunk
 *   process       os_exit, os_write2
 *   faults        os_fault_syscall, os_fault_noise (SL_FAULT; nothing in the
 *                 simulation)
 *   simulation    SCHEDPOINT, SIMEVENT, SIMCOVER, SIMHOOK: nothing in the real
 *                 build (SCHEDPOINT: fault injection's noise under
 *                 SL_FAULT_POINTS)
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

/* ---- memory: goroutine stacks (stack.c; os_stackmap, os_stackguard under stackpool.lock) */

size_t os_pagesize(void);
/* Map len bytes of zeroed read-write memory for stacks, committed lazily.
 * NULL when the OS refuses (ENOMEM, or an injected fault): the caller
 * decides what that means. */
void *os_stackmap(size_t len);
void os_stackunmap(void *p, size_t len);
/* Give the memory of [p, p + len), page-aligned inside an os_stackmap
 * mapping, back to the OS, keeping the mapping and the guards around it: the
 * range reads as zeros when next touched. Called without stackpool.lock, on
 * stacks no one else can reach. */
void os_stackrelease(void *p, size_t len);
/*
 * Make the n guard regions [base + i*stride, base + i*stride + guard) fault
 * on any access; protect asks for page protection even where the OS has a
 * lighter guard (SL_DEBUG=stackguard=1). Returns how it guarded, for
 * stackguardmode: "madvise" or "mprotect". Throws if it cannot. Calls are
 * serialized by the caller.
 */
const char *os_stackguard(char *base, size_t stride, size_t guard, int32_t n, bool protect);
/*
 * Releasing parked goroutines' stacks (stackrelease.c; Linux with
 * userfaultfd and UFFDIO_MOVE, off in the simulation and under the
 * sanitizers, where init returns false and nothing else is called).
 * os_stackuffd_init starts the fault handler; register adds a chunk;
 * os_stackrel_lock/unlock is relmu, the records' lock (a holder takes no
 * other lock and touches no page the handler would serve: stackrelease.c);
 * move takes a stack's pages to the parking range (NULL if none moved),
 * parking_present/drop read and empty it, fill installs a page unless one is
 * there, zero maps the zero page over missing ones.
 */
bool os_stackuffd_init(size_t maxlen);
bool os_stackuffd_register(void *base, size_t len);
void os_stackrel_lock(void);
void os_stackrel_unlock(void);
void *os_stackmove(void *p, size_t len);
void os_stackparking_drop(size_t len);
bool os_stackparking_present(size_t off);
void os_stackfill(void *dst, const void *src, size_t len);
void os_stackzero(void *p, size_t len);

/* ---- signals ---- */

/* Install the fault handler: a memory fault in a goroutine's guard calls
 * sigstackoverflow (stack.c); any other synchronous fault on a runtime
 * thread becomes sigcrash's report (traceback.c); a fault on a thread that
 * is not the runtime's goes to the handler installed before, if any. Once,
 * in schedinit. */
void os_initsig(void);
/* The fork rule (forked.h): a fork child's runtime throws. From os_initsig. */
void os_initfork(void);

/* ---- start-up ---- */

/* CPUs in this thread's affinity mask (at least 1). */
int32_t os_getproccount(void);

/*
 * The start-up settings, as the environment spells them (Linux: GOMAXPROCS,
 * SL_DEBUG, SL_STACK_SIZE and SL_TRACEBACK; the simulation: GOMAXPROCS from the run's
 * configuration). NULL where unset; the core parses them, and the strings
 * need only outlive schedinit.
 */
struct os_startup {
	const char *gomaxprocs; /* NULL: as many Ps as CPUs */
	const char *debug;
	const char *stack_size;
	const char *traceback; /* SL_TRACEBACK: what a crash report shows */
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

/* ---- faults: SL_FAULT's injection (Linux: fault.c; the simulation: none) ---- */

/*
 * On the goroutine that has just entered a syscall (end of entersyscall, its
 * P _Psyscall, no locks held), in builds with SL_FAULT_POINTS (like noise:
 * release's syscall path must not change), when os_fault_syscall_on: under
 * SL_FAULT=syscall, at the rate, make the syscall take 1-20 ms longer, so
 * that sysmon retakes and hands off the P. The flag is written once at
 * start-up, before any other thread runs, and keeps the call off the path
 * when the fault is off (always, in the simulation).
 */
extern bool os_fault_syscall_on;
void os_fault_syscall(void);

/* ---- the simulation's hooks ---- */

/*
 * A scheduling point: a place where a simulated scheduler may switch Ms. It
 * compiles to nothing in the real build, except with SL_FAULT_POINTS (the
 * debug, tsan and asan presets), where it is a test of one flag that
 * SL_FAULT=noise sets, and then a call that may yield, spin or sleep a few
 * microseconds (os_fault_noise, with the site's name) to widen the window
 * the site marks. The flag is written once at start-up, before any other
 * thread runs.
 */
#ifdef SL_SIM
void os_schedpoint(const char *where);
#define SCHEDPOINT(where) os_schedpoint(where)
#elif defined(SL_FAULT_POINTS)
extern bool os_fault_noise_on;
void os_fault_noise(const char *where);
#define SCHEDPOINT(where) (__builtin_expect(os_fault_noise_on, 0) ? os_fault_noise(where) : (void)0)
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
/* os_sim.c: a run is on and traced. SIMEVENT tests it before it evaluates
 * its arguments (sim_event would return at once). */
extern bool sim_trace_on;
/* The fine build's hooks ignore what runs between sim_race_quiet(true) and
 * (false), so that a traced run takes the decisions of the same run
 * untraced: the trace's own reads are neither points nor race-checked
 * (os/sim/sim_race.c). */
void sim_race_quiet(bool quiet);
#define SIMEVENT(...)                                                                              \
	(__builtin_expect(sim_trace_on, 0)                                                         \
	     ? (sim_race_quiet(true), sim_event(__VA_ARGS__), sim_race_quiet(false))               \
	     : (void)0)
#define SIMCOVER(kind, from, to, site) sim_cover((kind), (from), (to), (site))
#define SIMHOOK(call)		       (call)
#else
#define SIMEVENT(...)		       ((void)0)
#define SIMCOVER(kind, from, to, site) ((void)0)
/* type-checked, never evaluated */
#define SIMHOOK(call)		       ((void)(0 && ((call), 0)))
#endif

#endif
