/*
 * os.h: the OS seam. Every place the runtime touches the OS or real time goes
 * through these functions. os_linux.c implements them with threads and
 * futexes; a simulation backend can implement them on fibers with virtual
 * time, without touching the scheduler's logic.
 */
#ifndef SCHEDLAB_OS_H
#define SCHEDLAB_OS_H

#include <stdint.h>

struct m;

/* Start a thread for mp that calls mstart() with mp installed. */
void os_newosproc(struct m *mp);
/* Sleep while *addr == val, for at most ns (ns < 0: forever). May wake
 * spuriously. */
void os_futexsleep(uint32_t *addr, uint32_t val, int64_t ns);
/* Wake up to cnt threads sleeping on addr. */
void os_futexwakeup(uint32_t *addr, uint32_t cnt);
/* Monotonic time in nanoseconds. */
int64_t os_nanotime(void);
void os_usleep(uint32_t us);
void os_osyield(void);
/* CPUs in this thread's affinity mask (at least 1). */
int32_t os_getproccount(void);
/* The bounds of the calling thread's own stack. */
void os_threadstack(uintptr_t *lo, uintptr_t *hi);
/* Leave the process now, without atexit handlers. */
void os_exit(int code) __attribute__((noreturn));
/* Write to stderr, unbuffered. */
void os_write2(const char *buf, int n);

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
 */
#ifdef SL_SIM
void sim_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sim_cover(const char *kind, uint32_t from, uint32_t to, const char *site);
#define SIMEVENT(...)		       sim_event(__VA_ARGS__)
#define SIMCOVER(kind, from, to, site) sim_cover((kind), (from), (to), (site))
#else
#define SIMEVENT(...)		       ((void)0)
#define SIMCOVER(kind, from, to, site) ((void)0)
#endif

#endif
