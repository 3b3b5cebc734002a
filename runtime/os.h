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

#endif
