/*
 * race.h: the simulation's deterministic data-race detector (race.c), as the
 * fine build's hooks (sim_race.c) and os_sim.c's happens-before edges call
 * it. It knows nothing of the runtime: threads are the simulator's thread
 * ids (0.., -1 for the host), accesses are addresses, sizes and the return
 * addresses of the instrumentation calls.
 *
 * Happens-before is kept in virtual time with a vector clock per simulated
 * thread: program order, thread creation (race_thread_new), futex wakes
 * (race_wake), atomics with their C11 memory orders (race_atomic) and
 * fences (race_fence), modelled as ThreadSanitizer does. Every plain and
 * atomic access is checked against the shadow of the bytes it touches; two
 * accesses to overlapping bytes, at least one a write, not both atomic,
 * neither ordered before the other, are a data race: the engine prints a
 * report that replays byte for byte (no addresses, file:line from the pcs)
 * and aborts, so that a fuzzer keeps the input.
 *
 * Every function is called on the one real thread of the simulation, by the
 * running simulated thread or by sl_sim_run between runs; none blocks or
 * switches. None allocates on an access, except to grow its tables.
 */
#ifndef SCHEDLAB_SIM_RACE_H
#define SCHEDLAB_SIM_RACE_H

#include <stdbool.h>
#include <stddef.h>

/* race_atomic's op. */
#define RACE_LOAD     0 /* an atomic load */
#define RACE_STORE    1 /* an atomic store */
#define RACE_RMW      2 /* exchange, fetch_*, a successful compare-exchange */
#define RACE_CAS_FAIL 3 /* a failed compare-exchange: a load with the failure order */

/* A run begins or ends: forget every clock and every shadow. */
void race_reset(void);

/* Thread `child` starts, ordered after everything `parent` (-1: the host)
 * did so far. */
void race_thread_new(int parent, int child);

/* A futex wake: the sleeper `wakee` is ordered after what `waker` did so
 * far. */
void race_wake(int waker, int wakee);

/* A plain access of `size` bytes (1..16, any alignment) by thread `tid`.
 * `pc` is the instrumentation call's return address (the engine symbolizes
 * pc - 1, the call itself). Reports and aborts on a race. */
void race_access(int tid, const void *addr, size_t size, bool write, const void *pc);

/* An atomic access: op is RACE_LOAD..RACE_CAS_FAIL, mo one of __ATOMIC_*
 * (the same numbers as ThreadSanitizer's __tsan_memory_order). Checked as a
 * read (load, failed CAS) or a write (store, RMW) that races only with
 * plain accesses, then synchronises by its memory order. */
void race_atomic(int tid, const void *addr, size_t size, int op, int mo, const void *pc);

/* An atomic_thread_fence(mo) by thread `tid`. */
void race_fence(int tid, int mo);

/* The memory [addr, addr + size) is given back (or reused for something
 * else): forget its shadow and any synchronisation clock on it. */
void race_free(const void *addr, size_t size);

#endif
