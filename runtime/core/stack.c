/*
 * stack.c: goroutine stacks, and the guard that makes an overflow loud.
 *
 * Stacks are fixed-size (C code cannot move a stack), cut from chunks of
 * os_stackchunk that the backend maps (os_stackmap), each usable range with
 * a guard region below it that the backend makes fault (os_stackguard: on
 * Linux a MADV_GUARD_INSTALL guard, or mprotect guard pages on kernels before
 * 6.13 and with SL_DEBUG=stackguard=1).
 *
 * Free stacks are cached per P (p->stackcache, owner only), refilled from and
 * spilled to a global pool under stackpool.lock in batches. A G gets its
 * stack when it first runs and gives it back when it exits (goroutine.c), so
 * a burst of spawns runs on a few warm stacks, not on a page fault each.
 *
 * The size: SL_STACK_SIZE (bytes, with an optional k/K or m/M suffix) at
 * start-up, default 64 KiB, rounded up to pages, at least 16 KiB.
 *
 * A fault in the guard region of the running G's stack is reported as Go
 * reports a stack overflow, naming the goroutine, and exits with status 2
 * (sigstackoverflow, called from the backend's handler).
 *
 * The guard is GUARD_SIZE (64 KiB) of address space, no memory: an overflow
 * by a frame smaller than that lands in it wherever the frame first writes.
 * A larger frame could jump over the guard into the stack below, another
 * goroutine's, without a fault; the runtime and the code that links it are
 * built with -fstack-clash-protection, which touches such a frame page by
 * page from the top as it is allocated, so the first touch past the stack
 * is in the guard. Code built without that flag must keep every frame under
 * GUARD_SIZE. A bigger guard was rejected as the remedy: address space per
 * goroutine would grow with the largest frame anyone might write.
 */
#include "runtime.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_STACK_SIZE (64 * 1024)
#define MIN_STACK_SIZE	   (16 * 1024)
#define GUARD_SIZE	   (64 * 1024)

size_t stacksize = DEFAULT_STACK_SIZE;
size_t stackguardsize;
int64_t stacks_mapped;

static struct {
	mutex lock; /* guards everything here */
	stack *free;
	int32_t nfree, capfree;
	const char *guard; /* how the last chunk was guarded, or NULL */
	char **chunks;	   /* every mapping, for stack_teardown */
	int32_t nchunks, capchunks;
} stackpool;

const char *stackguardmode(void)
{
	return stackpool.guard ? stackpool.guard : "none yet";
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

/* Once, in schedinit; env is SL_STACK_SIZE's value, or NULL. */
void stackinit(const char *env)
{
	size_t page = os_pagesize();
	lockInit(&stackpool.lock, lockRankStackpool);
	stackguardsize = (GUARD_SIZE + page - 1) / page * page;
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

/* Remember a chunk for stack_teardown. stackpool.lock held. */
static void stackpool_addchunk(char *base)
{
	if (stackpool.nchunks == stackpool.capchunks) {
		int32_t cap = stackpool.capchunks ? 2 * stackpool.capchunks : 16;
		char **a = realloc(stackpool.chunks, (size_t)cap * sizeof *a);
		if (!a)
			throw("out of memory");
		stackpool.chunks = a;
		stackpool.capchunks = cap;
	}
	stackpool.chunks[stackpool.nchunks++] = base;
}

/* Map a chunk and add its stacks to the pool. stackpool.lock held. */
static void stackpool_grow(void)
{
	size_t slot = stackguardsize + stacksize;
	size_t len = slot * (size_t)os_stackchunk;
	char *base = os_stackmap(len);
	if (!base) {
		print("runtime: out of memory: cannot map %zu bytes of goroutine stacks (%lld "
		      "mapped)\n",
		      len, (long long)stacks_mapped);
		throw("out of memory");
	}
	stackpool_reserve(os_stackchunk);
	atomic_store(&stacks_mapped, stacks_mapped + os_stackchunk);
	stackpool_addchunk(base);
	stackpool.guard =
	    os_stackguard(base, slot, stackguardsize, os_stackchunk, debug.stackguard == 1);
	for (int32_t i = os_stackchunk - 1; i >= 0; i--) {
		char *guard = base + (size_t)i * slot;
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

void sigstackoverflow(uintptr_t fault, uintptr_t sp)
{
	struct g *gp = getg();
	if (!gp || !gp->m || gp == gp->m->g0 || fault >= gp->stack.lo ||
	    fault < gp->stack.lo - stackguardsize)
		return;
	print("runtime: goroutine stack exceeds %zu-byte limit\n", stacksize);
	print("runtime: sp=%#llx stack=[%#lx, %#lx] fault=%#lx\n", (unsigned long long)sp,
	      gp->stack.lo, gp->stack.hi, fault);
	print("fatal error: stack overflow\n\ngoroutine %lld [running] on M%lld\n",
	      (long long)gp->goid, (long long)gp->m->id);
	os_exit(2);
}

void stack_teardown(void)
{
	size_t len = (stackguardsize + stacksize) * (size_t)os_stackchunk;
	for (int32_t i = 0; i < stackpool.nchunks; i++)
		os_stackunmap(stackpool.chunks[i], len);
	free(stackpool.chunks);
	free(stackpool.free);
	memset(&stackpool, 0, sizeof stackpool);
	stacksize = DEFAULT_STACK_SIZE;
	stackguardsize = 0;
	stacks_mapped = 0;
}
