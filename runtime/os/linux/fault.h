/*
 * fault.h: the Linux backend's fault injection (fault.c), as the backend's
 * own files call it. The core sees only os.h's faults group.
 *
 * mem.c includes this file from both backends (the simulation compiles
 * mem.c too); os_sim.c defines fault_inject as a constant false there.
 */
#ifndef SCHEDLAB_LINUX_FAULT_H
#define SCHEDLAB_LINUX_FAULT_H

#include <stdbool.h>
#include <stdint.h>

/* The kinds of SL_FAULT, in the order of their names (fault.c). */
enum fault_kind {
	FAULT_THREAD,  /* os_newosproc: pthread_create fails with EAGAIN */
	FAULT_MMAP,    /* os_stackmap: NULL, as if the OS refused */
	FAULT_FUTEX,   /* os_futexsleep: returns at once */
	FAULT_SIGNAL,  /* a backend thread sends SIGURG, SIGCHLD, SIGALRM to Ms */
	FAULT_NOISE,   /* SCHEDPOINT: a yield, a spin or a short sleep */
	FAULT_SYSCALL, /* entersyscall: the "syscall" takes 1-20 ms */
	FAULT_NKINDS
};

/* Whether to inject a fault of kind k at this opportunity: true at the
 * kind's rate (never when it is off), and then counted. Any thread, any
 * context but a signal handler; lock-free. */
HIDDEN bool fault_inject(enum fault_kind k);

/* The calling thread's next pseudo-random number, for the shape of a fault
 * (SL_FAULT_SEED seeds them). Any thread; lock-free. */
HIDDEN uint64_t fault_rand(void);

/* Parse SL_FAULT and SL_FAULT_SEED, install the signal handlers and start the
 * signal thread if asked. From os_getstartup, on m0 before any other M
 * exists; only the first call does anything. A bad value exits 2. */
HIDDEN void fault_init(void);

/* Record the calling thread, an M's, as a target of injected signals. On the
 * new thread, first thing (os_linux.c's thread_start); m0's thread is
 * recorded by fault_init. */
HIDDEN void fault_register_thread(void);

#endif
