/*
 * stack.c: goroutine stacks, and the guard that makes an overflow loud.
 *
 * Stacks are fixed-size (C code cannot move a stack), mmap-backed and cut
 * from chunks of STACKS_PER_CHUNK. Below each usable range lies a guard
 * region. On Linux 6.13+ the guard is installed with MADV_GUARD_INSTALL,
 * which leaves a chunk one VMA; one process_madvise call installs a whole
 * chunk's guards (madvise per stack where process_madvise refuses). Older
 * kernels get mprotect(PROT_NONE) guard pages: two VMAs a stack, so there
 * vm.max_map_count bounds the number of live stacks. SL_DEBUG=stackguard=1
 * forces the mprotect fallback.
 *
 * Free stacks are cached per P (p->stackcache, owner only), refilled from and
 * spilled to a global pool under stackpool.lock in batches. A G gets its
 * stack when it first runs and gives it back when it exits (goroutine.c), so
 * a burst of spawns runs on a few warm stacks, not on a page fault each.
 *
 * The size: SL_STACK_SIZE (bytes, with an optional k/K or m/M suffix) at
 * start-up, default 64 KiB, rounded up to pages, at least 16 KiB.
 *
 * A SIGSEGV in the guard region of the running G's stack is reported as Go
 * reports a stack overflow, naming the goroutine, and exits with status 2.
 */
#define _GNU_SOURCE
#include "runtime.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
#ifndef PIDFD_SELF
#define PIDFD_SELF (-10000) /* Linux 6.14: the calling process */
#endif

#define DEFAULT_STACK_SIZE (64 * 1024)
#define MIN_STACK_SIZE	   (16 * 1024)
#ifdef SL_SIM
#define STACKS_PER_CHUNK 32 /* a simulated run is small, and there are many */
#else
#define STACKS_PER_CHUNK 256
#endif

size_t stacksize = DEFAULT_STACK_SIZE;
size_t stackguardsize;
int64_t stacks_mapped;

enum guardmode { GUARD_UNKNOWN, GUARD_MADVISE, GUARD_MPROTECT };

static struct {
	mutex lock; /* guards everything here */
	stack *free;
	int32_t nfree, capfree;
	enum guardmode mode;
#ifdef SL_SIM
	char **chunks; /* every mapping, for stack_teardown */
	int32_t nchunks;
#endif
} stackpool;

const char *stackguardmode(void)
{
	switch (stackpool.mode) {
	case GUARD_MADVISE:
		return "madvise";
	case GUARD_MPROTECT:
		return "mprotect";
	default:
		return "none yet";
	}
}

static size_t parsesize(const char *s, bool *ok)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	*ok = false;
	if (end == s || errno != 0 || s[0] == '-')
		return 0;
	if (*end == 'k' || *end == 'K') {
		v *= 1024;
		end++;
	} else if (*end == 'm' || *end == 'M') {
		v *= 1024 * 1024;
		end++;
	}
	if (*end != '\0' || v > (1ull << 30))
		return 0;
	*ok = true;
	return (size_t)v;
}

void stackinit(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	lockInit(&stackpool.lock, lockRankStackpool);
	stackguardsize = 4 * page;
	const char *env = getenv("SL_STACK_SIZE");
	if (env && *env) {
		bool ok;
		size_t v = parsesize(env, &ok);
		if (!ok || v < MIN_STACK_SIZE)
			print(
			    "schedlab: ignoring invalid SL_STACK_SIZE=\"%s\": want bytes (suffix k "
			    "or m) from %d to 1G; using %zu\n",
			    env, MIN_STACK_SIZE, stacksize);
		else
			stacksize = v;
	}
	stacksize = (stacksize + page - 1) & ~(page - 1);
}

/* Make room in the pool for n more stacks. stackpool.lock held. */
static void stackpool_reserve(int32_t n)
{
	if (stackpool.nfree + n <= stackpool.capfree)
		return;
	int32_t cap = stackpool.capfree ? stackpool.capfree * 2 : 1024;
	while (cap < stackpool.nfree + n)
		cap *= 2;
	stack *a = realloc(stackpool.free, (size_t)cap * sizeof(stack));
	if (!a)
		throw("out of memory");
	stackpool.free = a;
	stackpool.capfree = cap;
}

/* Guard every stack of a chunk with one process_madvise call. */
static bool install_guards_batch(char *base, size_t slot)
{
	struct iovec iov[STACKS_PER_CHUNK];
	for (int i = 0; i < STACKS_PER_CHUNK; i++) {
		iov[i].iov_base = base + (size_t)i * slot;
		iov[i].iov_len = stackguardsize;
	}
	long want = (long)(stackguardsize * STACKS_PER_CHUNK);
	if (syscall(SYS_process_madvise, PIDFD_SELF, iov, STACKS_PER_CHUNK, MADV_GUARD_INSTALL,
		    0) != want)
		return false;
	stackpool.mode = GUARD_MADVISE;
	return true;
}

/* Guard each stack with madvise, or find out that the kernel cannot. */
static void install_guards_each(char *base, size_t slot)
{
	for (int i = 0; i < STACKS_PER_CHUNK; i++) {
		char *guard = base + (size_t)i * slot;
		if (madvise(guard, stackguardsize, MADV_GUARD_INSTALL) == 0) {
			stackpool.mode = GUARD_MADVISE;
		} else if (stackpool.mode == GUARD_UNKNOWN && errno == EINVAL) {
			stackpool.mode = GUARD_MPROTECT; /* before Linux 6.13 */
			return;
		} else {
			print("runtime: madvise(MADV_GUARD_INSTALL) failed (errno %d)\n", errno);
			throw("stack guard");
		}
	}
}

/* Map a chunk and add its stacks to the pool. stackpool.lock held. */
static void stackpool_grow(void)
{
	size_t slot = stackguardsize + stacksize;
	size_t len = slot * STACKS_PER_CHUNK;
	char *base = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (base == MAP_FAILED) {
		print("runtime: cannot map %zu bytes of goroutine stacks (errno %d)\n", len, errno);
		throw("out of memory allocating stack");
	}
	stackpool_reserve(STACKS_PER_CHUNK);
	atomic_store(&stacks_mapped, stacks_mapped + STACKS_PER_CHUNK);
#ifdef SL_SIM
	char **chunks = realloc(stackpool.chunks, (size_t)(stackpool.nchunks + 1) * sizeof *chunks);
	if (!chunks)
		throw("out of memory");
	stackpool.chunks = chunks;
	stackpool.chunks[stackpool.nchunks++] = base;
#endif
	if (debug.stackguard == 1)
		stackpool.mode = GUARD_MPROTECT;
	if (stackpool.mode != GUARD_MPROTECT && !install_guards_batch(base, slot))
		install_guards_each(base, slot);
	for (int i = STACKS_PER_CHUNK - 1; i >= 0; i--) {
		char *guard = base + (size_t)i * slot;
		if (stackpool.mode == GUARD_MPROTECT && mprotect(guard, stackguardsize, PROT_NONE))
			throw("stack guard: mprotect");
		stack s = {(uintptr_t)(guard + stackguardsize), (uintptr_t)(guard + slot)};
		stackpool.free[stackpool.nfree++] = s;
	}
}

static void stackcache_refill(struct p *pp)
{
	lock(&stackpool.lock);
	while (pp->nstackcache < STACKCACHE_SIZE / 2) {
		if (stackpool.nfree == 0)
			stackpool_grow();
		pp->stackcache[pp->nstackcache++] = stackpool.free[--stackpool.nfree];
	}
	unlock(&stackpool.lock);
}

/* A stack of stacksize usable bytes. From pp's cache when the caller holds a
 * P, else from the global pool. */
stack stackalloc(void)
{
	struct m *mp = getm();
	struct p *pp = mp ? mp->p : NULL;
	if (pp) {
		if (pp->nstackcache == 0)
			stackcache_refill(pp);
		return pp->stackcache[--pp->nstackcache];
	}
	lock(&stackpool.lock);
	if (stackpool.nfree == 0)
		stackpool_grow();
	stack s = stackpool.free[--stackpool.nfree];
	unlock(&stackpool.lock);
	return s;
}

/* Give a stack back: to the caller's P cache, spilling half of a full cache
 * to the global pool. On g0 holding a P, or any thread (global pool). */
void stackfree(stack s)
{
	struct m *mp = getm();
	struct p *pp = mp ? mp->p : NULL;
	if (pp && pp->nstackcache < STACKCACHE_SIZE) {
		pp->stackcache[pp->nstackcache++] = s;
		return;
	}
	lock(&stackpool.lock);
	stackpool_reserve(1 + (pp ? STACKCACHE_SIZE / 2 : 0));
	stackpool.free[stackpool.nfree++] = s;
	while (pp && pp->nstackcache > STACKCACHE_SIZE / 2)
		stackpool.free[stackpool.nfree++] = pp->stackcache[--pp->nstackcache];
	unlock(&stackpool.lock);
}

/* Return pp's cached stacks to the global pool (procresize destroying pp).
 * World stopped. */
void stackcache_clear(struct p *pp)
{
	lock(&stackpool.lock);
	stackpool_reserve(pp->nstackcache);
	while (pp->nstackcache > 0) {
		stackpool.free[stackpool.nfree++] = pp->stackcache[--pp->nstackcache];
	}
	unlock(&stackpool.lock);
}

/* ---- overflow reporting ---- */

static struct sigaction oldsegv, oldbus;

static void overflow_handler(int sig, siginfo_t *info, void *uctx)
{
	struct g *gp = getg();
	uintptr_t addr = (uintptr_t)info->si_addr;
	if (gp && gp->m && gp != gp->m->g0 && addr < gp->stack.lo &&
	    addr >= gp->stack.lo - stackguardsize) {
		ucontext_t *uc = uctx;
		print("runtime: goroutine stack exceeds %zu-byte limit\n", stacksize);
		print("runtime: sp=%#llx stack=[%#lx, %#lx] fault=%#lx\n",
		      (unsigned long long)uc->uc_mcontext.gregs[REG_RSP], gp->stack.lo,
		      gp->stack.hi, addr);
		print("fatal error: stack overflow\n\ngoroutine %lld [running] on M%lld\n",
		      (long long)gp->goid, (long long)gp->m->id);
		os_exit(2);
	}
	/* Not ours: reinstate whoever handled it before and fault again. */
	sigaction(sig, sig == SIGSEGV ? &oldsegv : &oldbus, NULL);
}

/* Install the overflow reporter. Once, in schedinit. */
void initsig(void)
{
#ifdef SL_SIM
	return; /* one real thread for every M: signals stay the host's */
#endif
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = overflow_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &oldsegv);
	sigaction(SIGBUS, &sa, &oldbus);
}

/* Give the calling M's thread an alternate signal stack, unless it has one
 * (the sanitizers install their own). On the M's own thread. */
void minit_signals(struct m *mp)
{
#ifdef SL_SIM
	(void)mp;
	return;
#endif
	stack_t old;
	if (sigaltstack(NULL, &old) == 0 && !(old.ss_flags & SS_DISABLE))
		return;
	size_t size = 64 * 1024;
	if (!mp->altstack) {
		mp->altstack =
		    mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mp->altstack == MAP_FAILED)
			throw("minit: cannot allocate signal stack");
	}
	stack_t ss = {.ss_sp = mp->altstack, .ss_size = size, .ss_flags = 0};
	if (sigaltstack(&ss, NULL) != 0)
		throw("minit: sigaltstack");
}

#ifdef SL_SIM
void stack_teardown(void)
{
	size_t len = (stackguardsize + stacksize) * STACKS_PER_CHUNK;
	for (int32_t i = 0; i < stackpool.nchunks; i++)
		munmap(stackpool.chunks[i], len);
	free(stackpool.chunks);
	free(stackpool.free);
	memset(&stackpool, 0, sizeof stackpool);
	stacksize = DEFAULT_STACK_SIZE;
	stackguardsize = 0;
	stacks_mapped = 0;
}
#endif
