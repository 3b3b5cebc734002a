/*
 * sim_race.c: what feeds the simulation's data-race detector (race.c), and
 * makes every shared access of the fine build a scheduling point.
 *
 *  - The simulator's happens-before edges that are not memory accesses
 *    (os_sim.c calls sim_race_*): a run's bounds, a thread's creation, a
 *    futex wake.
 *  - ThreadSanitizer's compile-time interface, __tsan_*: in
 *    libschedlab_sim_fine the core (the .c files of runtime/core but
 *    schedcheck.c, nothing else) is compiled with -fsanitize=thread and no
 *    TSan runtime is linked, so these are the hooks its instrumentation
 *    calls (runtime/CMakeLists.txt, schedlab_fine_instrument). Every one
 *    that gcc 12 or clang 14 can emit is here, a missing one being a link
 *    error.
 *  - The libc functions TSan's runtime would intercept in the core's calls
 *    (sim_race_malloc, sim_race_memcpy, ...: the fine objects' calls are
 *    renamed to these as they are compiled, sim_race_syms.txt).
 *
 * A hook on memory other than the running thread's own frames (for plain
 * accesses; every atomic counts) is a scheduling point (sim_access_point:
 * the simulator may switch Ms there, and the choice sources decide, PCT
 * counting it as a step like any other), then the access itself, reported
 * to the detector with the running thread's id and the hook's return
 * address (the access's site). An atomic hook performs the operation after
 * the point, so that point, operation and report are one step. The own
 * frames are [the hook's frame, the current G's stack.hi) when the hook
 * runs on its G's stack (g0's on a g0): locals whose address escaped no
 * further than their frame; accesses to other stacks (a channel's direct
 * send writes the receiver's) stay points. Nor are the program's read-only
 * segments, libFuzzer's edge counters, or trace-only code (below).
 *
 * This file is not instrumented (it is not in core/), and in every build
 * but the fine one nothing calls the hooks. The detector acts only between
 * sim_race_run_begin and sim_race_run_end (race_on), and only in the fine
 * build; runtime_teardown runs after the end, as the host.
 *
 * All of it runs on the simulation's one real thread, one simulated thread
 * at a time, so it needs no lock; the atomics are real atomics all the same
 * (the 128-bit ones excepted, below).
 */
#define _GNU_SOURCE
#include "runtime.h"
#include "sim.h"
#include "race.h"

#include <link.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

/* The hooks act: a run of the fine build is between its bounds (set and
 * cleared by sim_race_run_begin and sim_race_run_end, on the host), and no
 * trace-only code runs (sim_race_quiet). */
static bool race_on;
static bool race_run;  /* between the run's bounds */
static int race_quiet; /* sim_race_quiet's depth */

/*
 * The read-only segments of the program (its code and constants, found once
 * with dl_iterate_phdr: at most MAXRO, the rest are not skipped): an access
 * there cannot race, so it is neither a point nor reported. Most are reads
 * of string literals and constant tables.
 */
#define MAXRO 16
static struct {
	uintptr_t lo, hi;
} ro[MAXRO];
static int nro = -1; /* -1: not looked up yet */

/* The program's own segments (the first object dl_iterate_phdr shows): the
 * runtime is linked statically into it. */
static int ro_segment(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	for (int i = 0; i < info->dlpi_phnum && nro < MAXRO; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_LOAD && !(ph->p_flags & PF_W)) {
			uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
			ro[nro].lo = lo;
			ro[nro].hi = lo + ph->p_memsz;
			nro++;
		}
	}
	return 1;
}

static inline bool readonly(const void *addr)
{
	uintptr_t a = (uintptr_t)addr;
	for (int i = 0; i < nro; i++)
		if (a - ro[i].lo < ro[i].hi - ro[i].lo)
			return true;
	return false;
}

/* The fuzz preset's edge counters (clang's -fsanitize=fuzzer-no-link): the
 * coverage pass's increments are instrumented too, and every thread bumps
 * them. They are the fuzzer's, not the runtime's: neither points nor
 * reported. The section's bounds are the linker's (weak: absent without
 * coverage). */
extern char __start___sancov_cntrs[] __attribute__((weak));
extern char __stop___sancov_cntrs[] __attribute__((weak));

static inline bool counters(const void *addr)
{
	uintptr_t a = (uintptr_t)addr, lo = (uintptr_t)__start___sancov_cntrs;
	return a - lo < (uintptr_t)__stop___sancov_cntrs - lo;
}

/* Trace-only code (SIMEVENT's arguments, os.h) reads the runtime's state
 * only when a run is traced: its accesses are no points and no reports, or
 * a traced run would take other decisions than the same run untraced, and
 * its race reports would differ. Nests. */
void sim_race_quiet(bool quiet);
void sim_race_quiet(bool quiet)
{
	race_quiet += quiet ? 1 : -1;
	race_on = race_run && race_quiet == 0;
}

#ifdef SL_SIM_FINE
static const bool fine = true;
#else
static const bool fine = false;
#endif

void sim_race_run_begin(void)
{
	if (!fine)
		return;
	if (nro < 0) {
		nro = 0;
		dl_iterate_phdr(ro_segment, NULL);
	}
	race_reset();
	race_run = true;
	race_quiet = 0;
	race_on = true;
}

void sim_race_run_end(void)
{
	if (!fine)
		return;
	race_run = race_on = false;
	race_reset();
}

void sim_race_thread_new(int parent, int child)
{
	if (race_on)
		race_thread_new(parent, child);
}

void sim_race_wake(int waker, int wakee)
{
	if (race_on)
		race_wake(waker, wakee);
}

/* ---- the access hooks' common part ---- */

/* Whether addr lies in the running thread's own live frames: from the hook's
 * frame (below which nothing of the caller lives) up to the top of the stack
 * it runs on, the current G's (g0's on g0). Not when the hook runs on
 * another stack than getg()'s (the host's, or mid-switch): then nothing is
 * skipped. */
static inline bool own_frame(const void *addr)
{
	struct g *gp = getg();
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	uintptr_t a = (uintptr_t)addr;
	return gp && sp >= gp->stack.lo && sp < gp->stack.hi && a >= sp && a < gp->stack.hi;
}

/* A plain access of size bytes at addr from the site pc: a point, then the
 * report. */
static inline void plain(const void *addr, size_t size, bool write, const void *pc)
{
	if (!race_on || own_frame(addr) || readonly(addr) || counters(addr))
		return;
	sim_access_point(write ? "write" : "read");
	race_access(sim_current_tid(), addr, size, write, pc);
}

/* A range [addr, addr + size) read or written with no point: reported in
 * pieces that lie within one 8-byte granule each (the detector's accesses
 * are 1 to 16 bytes). */
static void range_report(const void *addr, size_t size, bool write, const void *pc)
{
	int tid = sim_current_tid();
	uintptr_t a = (uintptr_t)addr, end = a + size;
	while (a < end) {
		uintptr_t next = (a | 7) + 1;
		if (next > end)
			next = end;
		race_access(tid, (const void *)a, next - a, write, pc);
		a = next;
	}
}

/* Whether a range lies wholly in the own frames (then it is skipped). */
static inline bool own_range(const void *addr, size_t size)
{
	return own_frame(addr) && own_frame((const char *)addr + size - 1);
}

/* A range access: one point, then the report of every granule. */
static void range(const void *addr, size_t size, bool write, const void *pc)
{
	if (!race_on || size == 0 || own_range(addr, size) || readonly(addr))
		return;
	sim_access_point(write ? "write range" : "read range");
	range_report(addr, size, write, pc);
}

/* An atomic access: a point before the operation (the caller performs it
 * after this returns true, then calls atomic_done). Even on the own frames:
 * an atomic synchronises, and a G that waits on a WaitGroup or a mutex in
 * its own frame acquires through it what the waker did (skipping it would
 * leave the G, and whoever reuses its stack, unordered after the waker). */
static inline bool atomic_begin(const volatile void *addr)
{
	(void)addr;
	if (!race_on)
		return false;
	sim_access_point("atomic");
	return true;
}

/* gcc may add its HLE bits (__ATOMIC_HLE_ACQUIRE, ...) above the order. */
#define MO(mo) ((int)(mo)&0xffff)

static inline void atomic_done(const volatile void *addr, size_t size, int op, int mo,
			       const void *pc)
{
	race_atomic(sim_current_tid(), (const void *)addr, size, op, MO(mo), pc);
}

/* ---- ThreadSanitizer's interface: set-up, function entry and exit ---- */

/* The instrumented objects' constructors call it; there is nothing to set
 * up. */
void __tsan_init(void)
{
}

/* Function entries and exits are not instrumented (schedlab_fine_instrument
 * turns them off); a report names its two sites by their return addresses
 * alone. */
void __tsan_func_entry(void *call_pc)
{
	(void)call_pc;
}

void __tsan_func_exit(void)
{
}

/* ---- plain accesses ---- */

#define RA __builtin_return_address(0)

#define PLAIN_HOOKS(n)                                                                             \
	void __tsan_read##n(void *addr)                                                            \
	{                                                                                          \
		plain(addr, n, false, RA);                                                         \
	}                                                                                          \
	void __tsan_write##n(void *addr)                                                           \
	{                                                                                          \
		plain(addr, n, true, RA);                                                          \
	}                                                                                          \
	void __tsan_read##n##_pc(void *addr, void *pc)                                             \
	{                                                                                          \
		plain(addr, n, false, pc);                                                         \
	}                                                                                          \
	void __tsan_write##n##_pc(void *addr, void *pc)                                            \
	{                                                                                          \
		plain(addr, n, true, pc);                                                          \
	}                                                                                          \
	void __tsan_volatile_read##n(void *addr)                                                   \
	{                                                                                          \
		plain(addr, n, false, RA);                                                         \
	}                                                                                          \
	void __tsan_volatile_write##n(void *addr)                                                  \
	{                                                                                          \
		plain(addr, n, true, RA);                                                          \
	}                                                                                          \
	/* LLVM's compound read-modify-write (-tsan-compound-read-before-write):                   \
	 * the write decides. */                                                                   \
	void __tsan_read_write##n(void *addr)                                                      \
	{                                                                                          \
		plain(addr, n, true, RA);                                                          \
	}

/* Unaligned: the same access (the detector splits what straddles
 * granules). */
#define UNALIGNED_HOOKS(n)                                                                         \
	void __tsan_unaligned_read##n(void *addr)                                                  \
	{                                                                                          \
		plain(addr, n, false, RA);                                                         \
	}                                                                                          \
	void __tsan_unaligned_write##n(void *addr)                                                 \
	{                                                                                          \
		plain(addr, n, true, RA);                                                          \
	}                                                                                          \
	void __tsan_unaligned_volatile_read##n(void *addr)                                         \
	{                                                                                          \
		plain(addr, n, false, RA);                                                         \
	}                                                                                          \
	void __tsan_unaligned_volatile_write##n(void *addr)                                        \
	{                                                                                          \
		plain(addr, n, true, RA);                                                          \
	}                                                                                          \
	void __tsan_unaligned_read_write##n(void *addr)                                            \
	{                                                                                          \
		plain(addr, n, true, RA);                                                          \
	}

/* Declared here: no header declares the compiler's interface. */
#define PLAIN_DECLS(n)                                                                             \
	void __tsan_read##n(void *);                                                               \
	void __tsan_write##n(void *);                                                              \
	void __tsan_read##n##_pc(void *, void *);                                                  \
	void __tsan_write##n##_pc(void *, void *);                                                 \
	void __tsan_volatile_read##n(void *);                                                      \
	void __tsan_volatile_write##n(void *);                                                     \
	void __tsan_read_write##n(void *);
#define UNALIGNED_DECLS(n)                                                                         \
	void __tsan_unaligned_read##n(void *);                                                     \
	void __tsan_unaligned_write##n(void *);                                                    \
	void __tsan_unaligned_volatile_read##n(void *);                                            \
	void __tsan_unaligned_volatile_write##n(void *);                                           \
	void __tsan_unaligned_read_write##n(void *);

void __tsan_init(void);
void __tsan_func_entry(void *call_pc);
void __tsan_func_exit(void);
PLAIN_DECLS(1)
PLAIN_DECLS(2)
PLAIN_DECLS(4)
PLAIN_DECLS(8)
PLAIN_DECLS(16)
UNALIGNED_DECLS(1)
UNALIGNED_DECLS(2)
UNALIGNED_DECLS(4)
UNALIGNED_DECLS(8)
UNALIGNED_DECLS(16)

PLAIN_HOOKS(1)
PLAIN_HOOKS(2)
PLAIN_HOOKS(4)
PLAIN_HOOKS(8)
PLAIN_HOOKS(16)
UNALIGNED_HOOKS(1)
UNALIGNED_HOOKS(2)
UNALIGNED_HOOKS(4)
UNALIGNED_HOOKS(8)
UNALIGNED_HOOKS(16)

/* gcc: an aggregate's copy or a store of a large object. */
void __tsan_read_range(void *addr, unsigned long size);
void __tsan_write_range(void *addr, unsigned long size);
void __tsan_read_range_pc(void *addr, unsigned long size, void *pc);
void __tsan_write_range_pc(void *addr, unsigned long size, void *pc);

void __tsan_read_range(void *addr, unsigned long size)
{
	range(addr, size, false, RA);
}

void __tsan_write_range(void *addr, unsigned long size)
{
	range(addr, size, true, RA);
}

void __tsan_read_range_pc(void *addr, unsigned long size, void *pc)
{
	range(addr, size, false, pc);
}

void __tsan_write_range_pc(void *addr, unsigned long size, void *pc)
{
	range(addr, size, true, pc);
}

/* C++'s virtual table pointers: the core is C, but the interface is whole. */
void __tsan_vptr_update(void **vptr_p, void *new_val);
void __tsan_vptr_read(void **vptr_p);

void __tsan_vptr_update(void **vptr_p, void *new_val)
{
	if (*vptr_p != new_val)
		plain(vptr_p, sizeof *vptr_p, true, RA);
}

void __tsan_vptr_read(void **vptr_p)
{
	plain(vptr_p, sizeof *vptr_p, false, RA);
}

/* ---- the memory intrinsics and the allocator ---- */

/* memcpy, memmove and memset of the core (its calls renamed, and newer
 * clangs' __tsan_memcpy ...): one point, the source read and the
 * destination written, then the real function. */
static void *copy(void *dst, const void *src, size_t n, bool move, const void *pc)
{
	if (race_on && n > 0 && !(own_range(dst, n) && own_range(src, n))) {
		sim_access_point(move ? "memmove" : "memcpy");
		if (!own_range(src, n) && !readonly(src))
			range_report(src, n, false, pc);
		if (!own_range(dst, n))
			range_report(dst, n, true, pc);
	}
	return move ? memmove(dst, src, n) : memcpy(dst, src, n);
}

void *sim_race_memcpy(void *dst, const void *src, size_t n);
void *sim_race_memmove(void *dst, const void *src, size_t n);
void *sim_race_memset(void *dst, int c, size_t n);
void *__tsan_memcpy(void *dst, const void *src, size_t n);
void *__tsan_memmove(void *dst, const void *src, size_t n);
void *__tsan_memset(void *dst, int c, size_t n);

void *sim_race_memcpy(void *dst, const void *src, size_t n)
{
	return copy(dst, src, n, false, RA);
}

void *sim_race_memmove(void *dst, const void *src, size_t n)
{
	return copy(dst, src, n, true, RA);
}

void *sim_race_memset(void *dst, int c, size_t n)
{
	range(dst, n, true, RA);
	return memset(dst, c, n);
}

void *__tsan_memcpy(void *dst, const void *src, size_t n)
{
	return copy(dst, src, n, false, RA);
}

void *__tsan_memmove(void *dst, const void *src, size_t n)
{
	return copy(dst, src, n, true, RA);
}

void *__tsan_memset(void *dst, int c, size_t n)
{
	range(dst, n, true, RA);
	return memset(dst, c, n);
}

/*
 * The allocator: a block malloc hands out may hold the shadow of an earlier
 * block at the same address, whose last accesses have no happens-before
 * edge to the new owner's first (malloc's own locks are not seen). So a
 * block's shadow is forgotten when it is handed out and when it is given
 * back, over its whole usable size. Neither is a scheduling point: the
 * allocator touches no state of the runtime's. The core's pools (free Gs,
 * stacks, channel headers) need nothing: each hands an object out under
 * the same lock or P that took it back, which orders the old owner's
 * accesses before the new owner's, and accesses to a G's stack by its own
 * G are not reported at all.
 */
static inline void forget(void *p)
{
	if (race_on && p)
		race_free(p, malloc_usable_size(p));
}

void *sim_race_malloc(size_t n);
void *sim_race_calloc(size_t n, size_t size);
void *sim_race_realloc(void *p, size_t n);
void sim_race_free(void *p);
int sim_race_posix_memalign(void **p, size_t align, size_t n);
void *sim_race_aligned_alloc(size_t align, size_t n);

void *sim_race_malloc(size_t n)
{
	void *p = malloc(n);
	forget(p);
	return p;
}

void *sim_race_calloc(size_t n, size_t size)
{
	void *p = calloc(n, size);
	forget(p);
	return p;
}

/* The old block's shadow is forgotten as it goes (realloc may free it, or
 * keep it and grow it), the new block's as it comes. */
void *sim_race_realloc(void *p, size_t n)
{
	forget(p);
	void *q = realloc(p, n);
	forget(q);
	return q;
}

void sim_race_free(void *p)
{
	forget(p);
	free(p);
}

int sim_race_posix_memalign(void **p, size_t align, size_t n)
{
	int err = posix_memalign(p, align, n);
	if (!err)
		forget(*p);
	return err;
}

void *sim_race_aligned_alloc(size_t align, size_t n)
{
	void *p = aligned_alloc(align, n);
	forget(p);
	return p;
}

/* ---- atomics ---- */

/*
 * __tsan_atomicN_OP for N = 8, 16, 32, 64 and 128 bits. TSan's memory
 * orders (relaxed, consume, acquire, release, acq_rel, seq_cst = 0..5) are
 * the __ATOMIC_* values; the order is reported, and the operation itself is
 * done sequentially consistent (one real thread runs the simulation: any
 * order is as good). The 128-bit ones are done as plain accesses: only this
 * thread touches the simulated runtime's memory, and x86-64's __int128
 * atomics would need libatomic (or -mcx16).
 */
typedef int tsan_mo;

#define ATOMIC_HOOKS(n, T)                                                                         \
	T __tsan_atomic##n##_load(const volatile T *a, tsan_mo mo);                                \
	void __tsan_atomic##n##_store(volatile T *a, T v, tsan_mo mo);                             \
	T __tsan_atomic##n##_exchange(volatile T *a, T v, tsan_mo mo);                             \
	T __tsan_atomic##n##_fetch_add(volatile T *a, T v, tsan_mo mo);                            \
	T __tsan_atomic##n##_fetch_sub(volatile T *a, T v, tsan_mo mo);                            \
	T __tsan_atomic##n##_fetch_and(volatile T *a, T v, tsan_mo mo);                            \
	T __tsan_atomic##n##_fetch_or(volatile T *a, T v, tsan_mo mo);                             \
	T __tsan_atomic##n##_fetch_xor(volatile T *a, T v, tsan_mo mo);                            \
	T __tsan_atomic##n##_fetch_nand(volatile T *a, T v, tsan_mo mo);                           \
	int __tsan_atomic##n##_compare_exchange_strong(volatile T *a, T *c, T v, tsan_mo mo,       \
						       tsan_mo fmo);                               \
	int __tsan_atomic##n##_compare_exchange_weak(volatile T *a, T *c, T v, tsan_mo mo,         \
						     tsan_mo fmo);                                 \
	T __tsan_atomic##n##_compare_exchange_val(volatile T *a, T c, T v, tsan_mo mo,             \
						  tsan_mo fmo);                                    \
                                                                                                   \
	T __tsan_atomic##n##_load(const volatile T *a, tsan_mo mo)                                 \
	{                                                                                          \
		bool on = atomic_begin(a);                                                         \
		T r = LOAD##n(a);                                                                  \
		if (on)                                                                            \
			atomic_done(a, sizeof(T), RACE_LOAD, mo, RA);                              \
		return r;                                                                          \
	}                                                                                          \
	void __tsan_atomic##n##_store(volatile T *a, T v, tsan_mo mo)                              \
	{                                                                                          \
		bool on = atomic_begin(a);                                                         \
		STORE##n(a, v);                                                                    \
		if (on)                                                                            \
			atomic_done(a, sizeof(T), RACE_STORE, mo, RA);                             \
	}                                                                                          \
	RMW_HOOK(n, T, exchange, XCHG##n)                                                          \
	RMW_HOOK(n, T, fetch_add, ADD##n)                                                          \
	RMW_HOOK(n, T, fetch_sub, SUB##n)                                                          \
	RMW_HOOK(n, T, fetch_and, AND##n)                                                          \
	RMW_HOOK(n, T, fetch_or, OR##n)                                                            \
	RMW_HOOK(n, T, fetch_xor, XOR##n)                                                          \
	RMW_HOOK(n, T, fetch_nand, NAND##n)                                                        \
	/* A successful CAS is a read-modify-write with the success order; a                       \
	 * failed one a load with the failure order. */                                            \
	int __tsan_atomic##n##_compare_exchange_strong(volatile T *a, T *c, T v, tsan_mo mo,       \
						       tsan_mo fmo)                                \
	{                                                                                          \
		bool on = atomic_begin(a);                                                         \
		bool ok = CAS##n(a, c, v);                                                         \
		if (on)                                                                            \
			atomic_done(a, sizeof(T), ok ? RACE_RMW : RACE_CAS_FAIL, ok ? mo : fmo,    \
				    RA);                                                           \
		return ok;                                                                         \
	}                                                                                          \
	/* Weak: never fails spuriously here (a spurious failure would be a                        \
	 * decision of its own, and no caller may depend on it). */                                \
	int __tsan_atomic##n##_compare_exchange_weak(volatile T *a, T *c, T v, tsan_mo mo,         \
						     tsan_mo fmo)                                  \
	{                                                                                          \
		bool on = atomic_begin(a);                                                         \
		bool ok = CAS##n(a, c, v);                                                         \
		if (on)                                                                            \
			atomic_done(a, sizeof(T), ok ? RACE_RMW : RACE_CAS_FAIL, ok ? mo : fmo,    \
				    RA);                                                           \
		return ok;                                                                         \
	}                                                                                          \
	T __tsan_atomic##n##_compare_exchange_val(volatile T *a, T c, T v, tsan_mo mo,             \
						  tsan_mo fmo)                                     \
	{                                                                                          \
		bool on = atomic_begin(a);                                                         \
		bool ok = CAS##n(a, &c, v);                                                        \
		if (on)                                                                            \
			atomic_done(a, sizeof(T), ok ? RACE_RMW : RACE_CAS_FAIL, ok ? mo : fmo,    \
				    RA);                                                           \
		return c;                                                                          \
	}

#define RMW_HOOK(n, T, name, OP)                                                                   \
	T __tsan_atomic##n##_##name(volatile T *a, T v, tsan_mo mo)                                \
	{                                                                                          \
		bool on = atomic_begin(a);                                                         \
		T r = OP(a, v);                                                                    \
		if (on)                                                                            \
			atomic_done(a, sizeof(T), RACE_RMW, mo, RA);                               \
		return r;                                                                          \
	}

/* The real operations, 8 to 64 bits. */
#define SC	      __ATOMIC_SEQ_CST
#define LOADB(a)      __atomic_load_n(a, SC)
#define STOREB(a, v)  __atomic_store_n(a, v, SC)
#define XCHGB(a, v)   __atomic_exchange_n(a, v, SC)
#define ADDB(a, v)    __atomic_fetch_add(a, v, SC)
#define SUBB(a, v)    __atomic_fetch_sub(a, v, SC)
#define ANDB(a, v)    __atomic_fetch_and(a, v, SC)
#define ORB(a, v)     __atomic_fetch_or(a, v, SC)
#define XORB(a, v)    __atomic_fetch_xor(a, v, SC)
#define NANDB(a, v)   __atomic_fetch_nand(a, v, SC)
#define CASB(a, c, v) __atomic_compare_exchange_n(a, c, v, false, SC, SC)

#define LOAD8	LOADB
#define LOAD16	LOADB
#define LOAD32	LOADB
#define LOAD64	LOADB
#define STORE8	STOREB
#define STORE16 STOREB
#define STORE32 STOREB
#define STORE64 STOREB
#define XCHG8	XCHGB
#define XCHG16	XCHGB
#define XCHG32	XCHGB
#define XCHG64	XCHGB
#define ADD8	ADDB
#define ADD16	ADDB
#define ADD32	ADDB
#define ADD64	ADDB
#define SUB8	SUBB
#define SUB16	SUBB
#define SUB32	SUBB
#define SUB64	SUBB
#define AND8	ANDB
#define AND16	ANDB
#define AND32	ANDB
#define AND64	ANDB
#define OR8	ORB
#define OR16	ORB
#define OR32	ORB
#define OR64	ORB
#define XOR8	XORB
#define XOR16	XORB
#define XOR32	XORB
#define XOR64	XORB
#define NAND8	NANDB
#define NAND16	NANDB
#define NAND32	NANDB
#define NAND64	NANDB
#define CAS8	CASB
#define CAS16	CASB
#define CAS32	CASB
#define CAS64	CASB

/* 128 bits: plain, on the one real thread (above). */
typedef __int128 a128;
static inline a128 rmw_load128(const volatile a128 *a)
{
	return *a;
}
static inline void rmw_store128(volatile a128 *a, a128 v)
{
	*a = v;
}
#define RMW128(name, expr)                                                                         \
	static inline a128 name(volatile a128 *a, a128 v)                                          \
	{                                                                                          \
		a128 old = *a;                                                                     \
		*a = (expr);                                                                       \
		return old;                                                                        \
	}
RMW128(rmw_xchg128, v)
RMW128(rmw_add128, (a128)((unsigned __int128)old + (unsigned __int128)v))
RMW128(rmw_sub128, (a128)((unsigned __int128)old - (unsigned __int128)v))
RMW128(rmw_and128, old &v)
RMW128(rmw_or128, old | v)
RMW128(rmw_xor128, old ^ v)
RMW128(rmw_nand128, ~(old &v))
static inline bool rmw_cas128(volatile a128 *a, a128 *c, a128 v)
{
	if (*a == *c) {
		*a = v;
		return true;
	}
	*c = *a;
	return false;
}
#define LOAD128	 rmw_load128
#define STORE128 rmw_store128
#define XCHG128	 rmw_xchg128
#define ADD128	 rmw_add128
#define SUB128	 rmw_sub128
#define AND128	 rmw_and128
#define OR128	 rmw_or128
#define XOR128	 rmw_xor128
#define NAND128	 rmw_nand128
#define CAS128	 rmw_cas128

ATOMIC_HOOKS(8, uint8_t)
ATOMIC_HOOKS(16, uint16_t)
ATOMIC_HOOKS(32, uint32_t)
ATOMIC_HOOKS(64, uint64_t)
ATOMIC_HOOKS(128, a128)

/* Fences: reported with their order, no point (a fence touches no
 * memory: the accesses around it are the points). A signal fence orders a
 * thread against its own signal handlers only: nothing to report. */
void __tsan_atomic_thread_fence(tsan_mo mo);
void __tsan_atomic_signal_fence(tsan_mo mo);

void __tsan_atomic_thread_fence(tsan_mo mo)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (race_on)
		race_fence(sim_current_tid(), MO(mo));
}

void __tsan_atomic_signal_fence(tsan_mo mo)
{
	(void)mo;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}
