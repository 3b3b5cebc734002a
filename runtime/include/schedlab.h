/*
 * schedlab.h: the public API of the schedlab runtime, a Go-style M:N
 * scheduler (G/M/P) in C.
 *
 * Two ways to run:
 *
 *  - An executable: define sl_main and build with schedlab_executable() in
 *    CMake. The ELF entry point is _rt0_amd64_linux; sl_main runs as the main
 *    goroutine and its return value is the process's exit status, as with
 *    Go's runtime.main. Other goroutines do not keep the process alive.
 *
 *  - A library host that owns main (Google Benchmark, libFuzzer): link with
 *    schedlab_library_host() in CMake. The runtime starts on a thread of its
 *    own before main (or at the first sl_run), and any thread may call
 *    sl_run as often as it likes.
 *
 * Environment, read at start-up:
 *   GOMAXPROCS=N     the number of Ps (Go's rule: a positive integer, else the
 *                    CPU count; bad values get a warning). At most
 *                    SL_MAX_GOMAXPROCS.
 *   SL_STACK_SIZE=B  goroutine stack size in bytes (k/m suffixes), default
 *                    64 KiB, at least 16 KiB. Stacks do not grow: an overflow
 *                    hits a guard region and is reported as Go reports one.
 *   SL_DEBUG=schedtrace=MS,scheddetail=1   periodic scheduler state on stderr.
 *   SL_TRACEBACK=none|single|all|crash   what a crash report shows (Go's
 *                    GOTRACEBACK); default single.
 *   SL_FAULT=all|kind[:rate],...   fault injection for stress runs
 *                    (sl_fault_count); SL_FAULT_SEED=N its seed.
 *
 * Preemption is cooperative: a goroutine gives up its P only when it calls
 * into the runtime (sl_yield, sl_go, blocking calls, returning).
 */
#ifndef SCHEDLAB_H
#define SCHEDLAB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The largest GOMAXPROCS: sl_gomaxprocs and the environment clamp to it. */
#define SL_MAX_GOMAXPROCS 1024

/* The program's main goroutine, for executables. */
int sl_main(int argc, char **argv);

/* Start a goroutine running fn(arg). Callable from goroutines and from any
 * other thread. A NULL fn is fatal, as in Go ("go of nil func value").
 * Once a thread that is not a goroutine has started or readied one, the
 * runtime stops reporting "all goroutines are asleep - deadlock!": that
 * thread may bring work at any time (Go's rule for cgo threads). */
void sl_go(void (*fn)(void *), void *arg);

/* Yield the processor: the caller goes behind the goroutines runnable on its
 * P (Go's runtime.Gosched). Outside a goroutine it yields the thread. */
void sl_yield(void);

/*
 * Go's runtime.GOMAXPROCS: set the number of Ps to n and return the previous
 * value; n < 1 only queries. A change stops the world, resizes, and restarts
 * it. n above SL_MAX_GOMAXPROCS is clamped to it. Safe from many goroutines
 * at once, and from threads that are not goroutines (the call then runs on a
 * borrowed goroutine).
 */
int sl_gomaxprocs(int n);

/* CPUs usable by this process (the affinity mask at start-up). */
int sl_numcpu(void);

/* The current goroutine's id (main is 1), or -1 outside a goroutine. */
int64_t sl_goid(void);

/* The id of the M (OS thread) running the caller, or -1 outside the runtime. */
int64_t sl_mid(void);

/* Sleep for at least ns nanoseconds, parking the goroutine (Go's
 * time.Sleep); ns <= 0 returns at once. Outside a goroutine it sleeps the
 * thread. */
void sl_sleep(int64_t ns);

/* The number of goroutines that exist (Go's runtime.NumGoroutine). */
int sl_numgoroutine(void);

/* Goroutine stack size in bytes. */
size_t sl_stacksize(void);

/* Go's debug.SetMaxThreads: the most Ms allowed (default 10000); exceeding it
 * is fatal ("thread exhaustion"). Returns the previous limit. */
int sl_setmaxthreads(int n);

/*
 * Bracket a call that may block in the kernel (Go's entersyscall and
 * exitsyscall). Between the two the goroutine's P is _Psyscall and may be
 * taken by a stop-the-world; sl_syscall_end gets a P back (the old one, an
 * idle one, or it waits for one) before returning. Call no other schedlab
 * function in between. Outside a goroutine both do nothing.
 */
void sl_syscall_begin(void);
void sl_syscall_end(void);

/*
 * Run fn(arg) as a goroutine and wait for it to return. For threads that are
 * not goroutines (a library host's main, its worker threads); starts the
 * runtime if it is not running. Returns 0, or -1 with a message on stderr
 * when called from a goroutine (call fn directly there).
 */
int sl_run(void (*fn)(void *), void *arg);

#ifdef __cplusplus
}
#endif

#include "schedlab_chan.h" /* channels and select */
#include "schedlab_sync.h" /* mutex and WaitGroup */

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A one-shot timer that sends on a channel (Go's time.NewTimer): after ns
 * nanoseconds the current CLOCK_MONOTONIC time (int64_t ns) is sent on
 * sl_timer_chan(t), a channel of capacity 1; if the previous value was not
 * received, the new one is dropped. Timers live on the creating goroutine's
 * P until they fire; a goroutine waiting on the channel is not a deadlock.
 *
 * sl_timer_new and sl_timer_reset must be called from a goroutine (NULL /
 * false and a message otherwise). sl_timer_stop reports whether it stopped
 * the timer before it fired; sl_timer_reset re-arms it (stopping it first)
 * and reports whether it was still pending. As in Go, a value already sent
 * stays in the channel. sl_timer_free stops it and frees the channel too.
 * A NULL timer gets a message and NULL / false (sl_timer_free: nothing).
 * Durations past the end of int64 time mean never.
 */
typedef struct sl_timer sl_timer;
sl_timer *sl_timer_new(int64_t ns);
sl_chan *sl_timer_chan(sl_timer *t);
bool sl_timer_stop(sl_timer *t);
bool sl_timer_reset(sl_timer *t, int64_t ns);
void sl_timer_free(sl_timer *t);

/*
 * A message for an error code of this API (SL_ECLOSED, SL_EAGAIN, ...), as
 * strerror is for errno: "SL_EFREED: channel used after sl_chan_free". 0 gives
 * "no error", any other code "unknown schedlab error N". Any thread. The text
 * of a known code is a string literal; that of an unknown code sits in a
 * buffer of the calling thread, good until the thread's next sl_strerror of
 * an unknown code (a goroutine keeps its thread until it calls the runtime).
 */
const char *sl_strerror(int code);

/* Print to stderr, from any thread, even one that is not the runtime's and even when the
 * scheduler is wedged (it takes no lock it could wait for forever): the scheddetail dump
 * (every P, M and G) and every goroutine's status and wait reason. */
void sl_debug_dump(void);

/* Faults injected so far by SL_FAULT (kinds "thread", "mmap", "futex", "signal", "noise",
 * "syscall"); 0 when that kind is off, -1 for an unknown kind. Any thread. */
int64_t sl_fault_count(const char *kind);

/*
 * Return every idle stack (and whatever else the runtime caches) to the OS now, as Go's
 * debug.FreeOSMemory does. From a goroutine (from another thread it runs on a borrowed one).
 * It stops the world to empty every P's stack cache into the global pool, then releases every
 * free stack's memory (madvise) and unmaps each mapping whose stacks are all free. Stacks in
 * use, dead Gs (kept, as Go keeps them) and the runtime's small bounded caches stay.
 */
void sl_debug_freeosmemory(void);

#ifdef __cplusplus
}
#endif

#endif
