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
 * Memory goes back to the OS (Go's scavenger, for stacks): the pool keeps
 * its free stacks on two lists, free (pages maybe resident, a LIFO whose
 * bottom has stayed unused longest) and released (no memory behind them).
 * sysmon calls stackscavenge: a pass every second marks the bottom of free
 * that nobody took since the last pass, and the ticks after it release
 * those stacks (os_stackrelease) a batch a tick, keeping SCAVENGE_RETAIN;
 * a chunk all of whose stacks are released is unmapped. The hot paths (the
 * P caches) do no bookkeeping: it is all on the pool's slow paths.
 * sl_debug_freeosmemory flushes the P caches and releases everything free.
 * A refused mapping is retried with a backoff and smaller chunks before
 * "out of memory" (stackpool_grow). docs/DESIGN.md, "Memory", has the
 * numbers.
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
#include "schedlab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_STACK_SIZE (64 * 1024)
#define MIN_STACK_SIZE	   (16 * 1024)
#define GUARD_SIZE	   (64 * 1024)

/* The background scavenger keeps this many free stacks resident in the pool
 * (besides the P caches), so that a program that spawns a few goroutines
 * now and then never pays a page fault for them. */
#define SCAVENGE_RETAIN 64
/* Stacks the background scavenger releases per call (per sysmon tick), so
 * that a call costs sysmon well under a millisecond and holds stackpool.lock
 * only to move a batch between lists, never across a system call. */
#define SCAVENGE_BATCH 256

/* A refused stack mapping is tried again this many times in all, after a
 * backoff of 1 ms doubling to 64 ms (639 ms of sleep at most), with smaller
 * chunks after every 4 refusals (os_stackchunk, then an eighth of it, ...,
 * down to one stack); then it is fatal. With SL_FAULT=mmap:0.2 every try is
 * refused with probability 0.2, so a chunk fails for good with 0.2^16, about
 * 7e-12. */
#define GROW_TRIES	   16
#define GROW_BACKOFF_US	   1000
#define GROW_BACKOFF_SHIFT 6

size_t stacksize = DEFAULT_STACK_SIZE;
size_t stackguardsize;
int64_t stacks_mapped;
int64_t stacks_released;
int64_t stackchunks_unmapped;
int64_t stackmap_refusals;
int64_t scavenge_passes;

/* One mapping of stacks: nstacks slots of guard + stack from base. */
struct stackchunk {
	char *base;
	size_t len;
	int32_t nstacks;
	int32_t nreleased; /* its stacks on stackpool.released */
};

static struct {
	mutex lock; /* guards everything here */
	/* Free stacks whose pages may be resident, a LIFO: the top (the end)
	 * is the warmest, the bottom has stayed unused the longest. */
	stack *free;
	int32_t nfree, capfree;
	/* The fewest stacks free has held since the scavenger's last pass: the
	 * bottom freelow have not moved since. */
	int32_t freelow;
	/* The bottom idle stacks of free stayed unused for a whole pass and are
	 * to be released, SCAVENGE_BATCH a tick. */
	int32_t idle;
	/* Free stacks with no memory behind them: released ones (their memory
	 * went back to the OS, os_stackrelease) and ones never used since their
	 * chunk was mapped. They read as zeros, and cost a page fault per page
	 * touched when used. */
	stack *released;
	int32_t nreleased, capreleased;
	const char *guard; /* how the last chunk was guarded, or NULL */
	/* Every mapping, sorted by base, for stackchunkof and stack_teardown. */
	struct stackchunk *chunks;
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
	stackrelease_init();
}

/* Make room in the list *a (n entries, room for *cap) for k more.
 * stackpool.lock held. */
static void stacklist_reserve(stack **a, int32_t n, int32_t *cap, int32_t k)
{
	if (n + k <= *cap)
		return;
	int32_t c = *cap ? *cap * 2 : 1024;
	while (c < n + k)
		c *= 2;
	stack *b = realloc(*a, (size_t)c * sizeof(stack));
	if (!b)
		throw("out of memory");
	*a = b;
	*cap = c;
}

/* Give a list that is mostly empty after a burst half its room back. The
 * lists are the pool's only memory that grows with the peak, besides the
 * chunks. stackpool.lock held. */
static void stacklist_shrink(stack **a, int32_t n, int32_t *cap)
{
	if (*cap <= 1024 || n >= *cap / 4)
		return;
	stack *b = realloc(*a, (size_t)(*cap / 2) * sizeof(stack));
	if (b) {
		*a = b;
		*cap /= 2;
	}
}

/* The chunk s was cut from: a binary search of the chunks by base. Only the
 * search depends on addresses, not its result, so the simulation replays.
 * stackpool.lock held. */
static struct stackchunk *stackchunkof(stack s)
{
	int32_t lo = 0, hi = stackpool.nchunks;
	while (lo < hi) {
		int32_t mid = lo + (hi - lo) / 2;
		struct stackchunk *c = &stackpool.chunks[mid];
		if (s.lo < (uintptr_t)c->base)
			hi = mid;
		else if (s.lo >= (uintptr_t)c->base + c->len)
			lo = mid + 1;
		else
			return c;
	}
	print("runtime: stack=[%#lx, %#lx] is in no stack mapping\n", s.lo, s.hi);
	throw("stackchunkof: stack not from the pool");
}

/* The mapping s was cut from (stackrelease.c's releaser, before it takes
 * relmu: no lock is taken under relmu, stackrelease.c says why). */
void stackchunk_bounds(stack s, char **base, size_t *len)
{
	lock(&stackpool.lock);
	struct stackchunk *c = stackchunkof(s);
	*base = c->base;
	*len = c->len;
	unlock(&stackpool.lock);
}

/* Remember a chunk whose n stacks all go on the released list, keeping the
 * list sorted by base. stackpool.lock held. */
static void stackpool_addchunk(char *base, size_t len, int32_t n)
{
	if (stackpool.nchunks == stackpool.capchunks) {
		int32_t cap = stackpool.capchunks ? 2 * stackpool.capchunks : 16;
		struct stackchunk *a = realloc(stackpool.chunks, (size_t)cap * sizeof *a);
		if (!a)
			throw("out of memory");
		stackpool.chunks = a;
		stackpool.capchunks = cap;
	}
	int32_t i = stackpool.nchunks;
	while (i > 0 && stackpool.chunks[i - 1].base > base) {
		stackpool.chunks[i] = stackpool.chunks[i - 1];
		i--;
	}
	stackpool.chunks[i] = (struct stackchunk){base, len, n, n};
	stackpool.nchunks++;
}

/* Map a chunk of n stacks and push them on the released list: like released
 * stacks, they are zeros that no page backs yet, and the scavenger has
 * nothing to release in them. False if the OS refused. stackpool.lock
 * held. */
static bool stackpool_map(int32_t n)
{
	size_t slot = stackguardsize + stacksize;
	size_t len = slot * (size_t)n;
	char *base = os_stackmap(len);
	if (!base)
		return false;
	stacklist_reserve(&stackpool.released, stackpool.nreleased, &stackpool.capreleased, n);
	atomic_store(&stacks_mapped, stacks_mapped + n);
	stackpool_addchunk(base, len, n);
	stackpool.guard = os_stackguard(base, slot, stackguardsize, n, debug.stackguard == 1);
	for (int32_t i = n - 1; i >= 0; i--) {
		char *guard = base + (size_t)i * slot;
		stack s = {(uintptr_t)(guard + stackguardsize), (uintptr_t)(guard + slot)};
		stackpool.released[stackpool.nreleased++] = s;
	}
	return true;
}

/*
 * Both free lists are empty: map a chunk. A refusal is tried again (see
 * GROW_TRIES) with stackpool.lock dropped during the backoff, so that the
 * stacks other threads free meanwhile are found: the caller looks at the
 * lists again when this returns. Nothing in the pool can be scavenged to
 * make room here (it is empty; the stacks in P caches are their owners').
 * stackpool.lock held; the thread may hold a P (it sleeps with it, as a
 * page fault would).
 */
static void stackpool_grow(void)
{
	int32_t n = os_stackchunk;
	for (int32_t try = 1;; try++) {
		if (stackpool_map(n))
			return;
		atomic_store(&stackmap_refusals, stackmap_refusals + 1);
		if (try == GROW_TRIES)
			break;
		if (try % 4 == 0 && n > 1)
			n = n / 8 > 0 ? n / 8 : 1;
		int32_t shift = try - 1 < GROW_BACKOFF_SHIFT ? try - 1 : GROW_BACKOFF_SHIFT;
		unlock(&stackpool.lock);
		os_usleep((uint32_t)GROW_BACKOFF_US << shift);
		lock(&stackpool.lock);
		if (stackpool.nfree > 0 || stackpool.nreleased > 0)
			return;
	}
	print("runtime: out of memory: cannot map %zu bytes of goroutine stacks (%lld mapped, %d "
	      "tries)\n",
	      (stackguardsize + stacksize) * (size_t)n, (long long)stacks_mapped, GROW_TRIES);
	throw("out of memory");
}

/* A stack from the pool: the warmest free one, else a released one, else
 * from a new chunk. stackpool.lock held (dropped and taken again if it must
 * map). */
static stack stackpool_pop(void)
{
	for (;;) {
		if (stackpool.nfree > 0) {
			stack s = stackpool.free[--stackpool.nfree];
			if (stackpool.nfree < stackpool.freelow)
				stackpool.freelow = stackpool.nfree;
			if (stackpool.nfree < stackpool.idle)
				stackpool.idle = stackpool.nfree;
			return s;
		}
		if (stackpool.nreleased > 0) {
			stack s = stackpool.released[--stackpool.nreleased];
			stackchunkof(s)->nreleased--;
			return s;
		}
		stackpool_grow();
	}
}

static void stackcache_refill(struct p *pp)
{
	lock(&stackpool.lock);
	while (pp->nstackcache < STACKCACHE_SIZE / 2)
		pp->stackcache[pp->nstackcache++] = stackpool_pop();
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
	stack s = stackpool_pop();
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
	stacklist_reserve(&stackpool.free, stackpool.nfree, &stackpool.capfree,
			  1 + (pp ? STACKCACHE_SIZE / 2 : 0));
	stackpool.free[stackpool.nfree++] = s;
	while (pp && pp->nstackcache > STACKCACHE_SIZE / 2)
		stackpool.free[stackpool.nfree++] = pp->stackcache[--pp->nstackcache];
	unlock(&stackpool.lock);
}

/* Move all of pp's cached stacks to the global pool. stackpool.lock held;
 * pp's owner, or the world stopped. */
static void stackcache_spill(struct p *pp)
{
	stacklist_reserve(&stackpool.free, stackpool.nfree, &stackpool.capfree, pp->nstackcache);
	while (pp->nstackcache > 0)
		stackpool.free[stackpool.nfree++] = pp->stackcache[--pp->nstackcache];
}

/* Return pp's cached stacks to the global pool (procresize destroying pp).
 * World stopped. */
void stackcache_clear(struct p *pp)
{
	if (pp->nstackcache == 0)
		return;
	lock(&stackpool.lock);
	stackcache_spill(pp);
	unlock(&stackpool.lock);
}

/* ---- the scavenger: free stacks back to the OS ---- */

/*
 * Release the bottom k (at most cap) stacks of the free list, the longest
 * unused, into buf: they leave the list under stackpool.lock, so no one else
 * can reach them while os_stackrelease runs with the lock dropped, then go
 * on the released list. Their chunks cannot be unmapped meanwhile (a chunk
 * goes only when all its stacks are on the released list). stackpool.lock
 * held on entry and on return.
 */
static void stackpool_release(stack *buf, int32_t k)
{
	memcpy(buf, stackpool.free, (size_t)k * sizeof(stack));
	stackpool.nfree -= k;
	memmove(stackpool.free, stackpool.free + k, (size_t)stackpool.nfree * sizeof(stack));
	stackpool.freelow = stackpool.freelow > k ? stackpool.freelow - k : 0;
	stackpool.idle = stackpool.idle > k ? stackpool.idle - k : 0;
	unlock(&stackpool.lock);
	for (int32_t i = 0; i < k; i++) {
		os_stackrelease((void *)buf[i].lo, stacksize);
		stackrelease_zero(buf[i]);
	}
	lock(&stackpool.lock);
	stacklist_reserve(&stackpool.released, stackpool.nreleased, &stackpool.capreleased, k);
	for (int32_t i = 0; i < k; i++) {
		stackpool.released[stackpool.nreleased++] = buf[i];
		stackchunkof(buf[i])->nreleased++;
	}
	atomic_store(&stacks_released, stacks_released + k);
}

/*
 * Unmap every chunk whose stacks are all on the released list, taking them
 * off it, so that address space and VMAs go back too (and the next burst
 * maps again). stackpool.lock held on entry and on return; dropped for the
 * munmaps.
 */
static void stackpool_unmapfree(void)
{
	int32_t nfull = 0;
	for (int32_t i = 0; i < stackpool.nchunks; i++)
		if (stackpool.chunks[i].nreleased == stackpool.chunks[i].nstacks)
			nfull++;
	if (nfull > 0) {
		struct stackchunk *gone = malloc((size_t)nfull * sizeof *gone);
		if (!gone)
			return; /* unmapping is an economy; try at the next pass */
		int32_t n = 0;
		for (int32_t i = 0; i < stackpool.nreleased; i++) {
			stack s = stackpool.released[i];
			struct stackchunk *c = stackchunkof(s);
			if (c->nreleased != c->nstacks)
				stackpool.released[n++] = s;
		}
		stackpool.nreleased = n;
		n = 0;
		int32_t kept = 0;
		for (int32_t i = 0; i < stackpool.nchunks; i++) {
			struct stackchunk c = stackpool.chunks[i];
			if (c.nreleased == c.nstacks)
				gone[n++] = c;
			else
				stackpool.chunks[kept++] = c;
		}
		stackpool.nchunks = kept;
		unlock(&stackpool.lock);
		for (int32_t i = 0; i < n; i++) {
			stackrelease_forget(gone[i].base);
			os_stackunmap(gone[i].base, gone[i].len);
		}
		free(gone);
		lock(&stackpool.lock);
		atomic_store(&stackchunks_unmapped, stackchunks_unmapped + n);
	}
	stacklist_shrink(&stackpool.free, stackpool.nfree, &stackpool.capfree);
	stacklist_shrink(&stackpool.released, stackpool.nreleased, &stackpool.capreleased);
}

/*
 * The background scavenger (Go's bgscavenge, for stacks), called by sysmon:
 * pass at every SCAVENGE_PERIOD_NS of sysmon's time, else only while it
 * returned true at the last call. A pass marks the stacks at the bottom of
 * the free list that no one took since the previous pass (the low-water
 * mark, freelow) as idle; each call then releases up to SCAVENGE_BATCH idle
 * stacks, keeping SCAVENGE_RETAIN free ones resident, and unmaps the chunks
 * left with no stack in use. Returns whether idle stacks remain to release.
 * On sysmon's thread; takes stackpool.lock, never for a system call.
 */
bool stackscavenge(bool pass)
{
	stack buf[SCAVENGE_BATCH];
	lock(&stackpool.lock);
	if (pass) {
		atomic_store(&scavenge_passes, scavenge_passes + 1);
		stackpool.idle =
		    stackpool.freelow < stackpool.nfree ? stackpool.freelow : stackpool.nfree;
		stackpool.freelow = stackpool.nfree;
	}
	int32_t k = stackpool.idle - SCAVENGE_RETAIN;
	if (k > SCAVENGE_BATCH)
		k = SCAVENGE_BATCH;
	if (k <= 0) {
		stackpool.idle = 0;
	} else {
		stackpool_release(buf, k);
		stackpool_unmapfree();
	}
	bool more = stackpool.idle > 0;
	unlock(&stackpool.lock);
	/* Parked goroutines' stacks (stackrelease.c), paced the same way. */
	if (stackrelease_tick(pass))
		more = true;
	return more;
}

#define FREEOS_BATCH 32 /* on the caller's goroutine stack: keep it small */

static void freeosmemory_on_g(void *arg)
{
	(void)arg;
	sl_debug_freeosmemory();
}

/*
 * Go's debug.FreeOSMemory, for what schedlab caches: stop the world to empty
 * every P's stack cache into the pool (only a P's owner may touch its cache,
 * and a stopped P has none), start it again, then release every stack that
 * was free then and unmap every chunk with no stack in use. Stacks freed
 * after the flush, and dead Gs (kept, as Go keeps them: allgs), stay.
 */
void sl_debug_freeosmemory(void)
{
	if (!is_user_g()) {
		sl_run(freeosmemory_on_g, NULL);
		return;
	}
	stopTheWorld("FreeOSMemory");
	lock(&stackpool.lock);
	for (int32_t i = 0; i < gomaxprocs; i++)
		stackcache_spill(allp[i]);
	int32_t n = stackpool.nfree;
	unlock(&stackpool.lock);
	startTheWorld();

	stack buf[FREEOS_BATCH];
	lock(&stackpool.lock);
	while (n > 0 && stackpool.nfree > 0) {
		int32_t k = n < FREEOS_BATCH ? n : FREEOS_BATCH;
		if (k > stackpool.nfree)
			k = stackpool.nfree;
		stackpool_release(buf, k);
		n -= k;
	}
	stackpool_unmapfree();
	unlock(&stackpool.lock);
	stackrelease_all();
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
	for (int32_t i = 0; i < stackpool.nchunks; i++)
		os_stackunmap(stackpool.chunks[i].base, stackpool.chunks[i].len);
	free(stackpool.chunks);
	free(stackpool.free);
	free(stackpool.released);
	memset(&stackpool, 0, sizeof stackpool);
	stacksize = DEFAULT_STACK_SIZE;
	stackguardsize = 0;
	stacks_mapped = 0;
	stacks_released = 0;
	stackchunks_unmapped = 0;
	stackmap_refusals = 0;
	scavenge_passes = 0;
}
