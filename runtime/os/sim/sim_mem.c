/*
 * sim_mem.c: goroutine stack mappings that outlive a simulated run: os.h's
 * os_stackmap, os_stackguard and os_stackunmap in the SL_SIM build. The
 * rest of the memory group is the Linux backend's mem.c as it is (through
 * sim_linux_mem.c, which also gives this file mem.c's versions of these
 * three as linux_stackmap, linux_stackguard and linux_stackunmap).
 *
 * A fuzz campaign runs one whole runtime per input. Each run mapped its
 * stack chunks, installed a guard below every stack (a process_madvise call
 * a chunk), faulted in every stack it ran and, under AddressSanitizer, that
 * stack's shadow (gostartcallfn unpoisons a whole stack before its first
 * run), and unmapped it all at teardown, shadow included: in an input that
 * spawns a few goroutines, most of the run's time was the kernel's. So a
 * chunk the runtime unmaps is kept instead (CHUNK_CACHE of them at most; the
 * rest go back to the OS), and the next os_stackmap of the same length
 * hands it out again, with everything os.h promises of a fresh mapping:
 *
 *   - It reads as zeros. When it is kept, the pages its stacks have
 *     resident (mincore) are zeroed in place if they are few (ZERO_PAGES):
 *     they stay resident, and the next run that uses those stacks takes no
 *     page fault on them (at some 2.5 us a fault on this VM, faults were
 *     the kernel's biggest share); else all its pages are dropped
 *     (MADV_DONTNEED) and come back zeroed when touched. The mapping, and
 *     the guards in it, stay.
 *   - Its guards are those os_stackguard asks for. The next run asks for
 *     the same layout (stride, guard, count, kind) unless the stack size
 *     changed; then the installed guards are what it asked for, and are
 *     reused. For any other layout the chunk is first mapped afresh in
 *     place (MAP_FIXED), without guards, and guarded as asked.
 *   - Under AddressSanitizer the stacks the finished run used are poisoned
 *     while the chunk is kept, so that a pointer into a finished run's stack
 *     is reported when it is used, as the fault of an unmapped chunk
 *     reported it. Each stack is unpoisoned whole before its first run
 *     (gostartcallfn), as before; its shadow pages now stay resident, which
 *     is the other half of the saving. A stack no run used was never
 *     handed out: its shadow is zero, as a fresh mapping's.
 *
 * Which chunk the next run gets, and at which address, changes nothing it
 * does: with os_replay nothing in the runtime depends on an address.
 *
 * No lock: the table is touched only from stack.c's calls, which in the
 * simulation all run on the one real thread that runs sl_sim_run (a run's
 * Ms are fibers on it, one at a time), and sl_sim_run runs one runtime at a
 * time, like os_sim.c's own state and its cache of fiber stacks.
 */
#define _GNU_SOURCE
#include "runtime.h"
#include "sanitizers.h"
#include "sim.h"

#include <stdlib.h>
#include <sys/mman.h>

/* Kept chunks, at most: 32 stacks each (os_stackchunk), so room for the
 * 2048 stacks of the largest runs the fuzz targets make; address space,
 * with no memory behind it once kept. */
#define CHUNK_CACHE 64

struct simchunk {
	char *base;
	size_t len;
	/* The guards in place: n slots of stride bytes from base, the first
	 * guard bytes of each guarded, protect as os_stackguard was asked,
	 * how as linux_stackguard answered. stride 0: none yet. */
	size_t stride, guard;
	int32_t n;
	bool protect;
	const char *how;
	bool kept; /* unmapped by a run, waiting for the next os_stackmap */
};

/* Every chunk mapped through os_stackmap and not given back to the OS: the
 * current run's and the kept ones (nkept of them). A chunk the table had
 * no room for is not in it, and goes straight through to mem.c. */
static struct simchunk *chunks;
static int nchunks, capchunks, nkept;

static struct simchunk *chunkat(const void *base)
{
	for (int i = 0; i < nchunks; i++)
		if (chunks[i].base == base)
			return &chunks[i];
	return NULL;
}

static void forget(struct simchunk *c)
{
	if (c->kept)
		nkept--;
	*c = chunks[--nchunks];
}

void *os_stackmap(size_t len)
{
	/* The most recently kept chunk of that length: the warmest. */
	for (int i = nchunks - 1; i >= 0; i--)
		if (chunks[i].kept && chunks[i].len == len) {
			chunks[i].kept = false;
			nkept--;
			return chunks[i].base;
		}
	char *p = linux_stackmap(len);
	if (!p)
		return NULL;
	if (nchunks == capchunks) {
		int cap = capchunks ? 2 * capchunks : 16;
		struct simchunk *a = realloc(chunks, (size_t)cap * sizeof *a);
		if (!a)
			return p; /* untracked: never kept */
		chunks = a;
		capchunks = cap;
	}
	chunks[nchunks++] = (struct simchunk){.base = p, .len = len};
	return p;
}

const char *os_stackguard(char *base, size_t stride, size_t guard, int32_t n, bool protect)
{
	struct simchunk *c = chunkat(base);
	if (!c)
		return linux_stackguard(base, stride, guard, n, protect);
	if (c->stride == stride && c->guard == guard && c->n == n && c->protect == protect)
		return c->how; /* a kept chunk's guards, as asked */
	if (c->stride != 0) {
		/* Guarded for another layout: start from a fresh mapping. */
		void *p = mmap(base, c->len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK | MAP_FIXED,
			       -1, 0);
		if (p == MAP_FAILED)
			throw("sim: cannot map a kept stack chunk afresh");
#ifdef SL_ASAN
		ASAN_UNPOISON_MEMORY_REGION(base, c->len);
#endif
	}
	c->how = linux_stackguard(base, stride, guard, n, protect);
	c->stride = stride;
	c->guard = guard;
	c->n = n;
	c->protect = protect;
	return c->how;
}

/* Zero [p, p + len) with plain stores that AddressSanitizer does not check:
 * the stacks of a finished run still carry the poison of their frames'
 * redzones in the shadow. Volatile, so that the compiler cannot make the
 * loop a memset call (which ASan intercepts, and checks). */
#ifdef SL_ASAN
__attribute__((no_sanitize("address")))
#endif
static void
zero_unchecked(char *p, size_t len)
{
	volatile uint64_t *w = (volatile uint64_t *)(void *)p;
	for (size_t i = 0; i < len / sizeof *w; i++)
		w[i] = 0;
}

/* Pages of stacks a kept chunk may zero in place, at most; past that its
 * pages are dropped instead. A page fault costs this VM some 2.5 us, a page
 * of stores well under one, so a run that used a few stacks leaves them
 * resident, zeroed, for the next; a run that used many (or deep) stacks
 * drops them, so that no later run zeroes pages it may not touch. */
#define ZERO_PAGES 16

/*
 * Make c what a fresh mapping is, keeping its guards: every page of its
 * stacks reads as zeros. mincore says which pages the runs made resident
 * (never the guards, which are not looked at): up to ZERO_PAGES are zeroed
 * in place, else the whole chunk's pages are dropped (MADV_DONTNEED, which
 * keeps the mapping and its guards). Under AddressSanitizer every stack with
 * a resident page is then poisoned (see the top of the file). False if the
 * pages could not be dropped: the caller unmaps the chunk.
 */
static bool keep(const struct simchunk *c)
{
	size_t page = os_pagesize();
	size_t stride = c->stride, guard = c->guard;
	int32_t n = c->n;
	if (stride == 0 || stride % page || guard % page || (size_t)n * stride != c->len) {
		stride = c->len; /* no layout known: one stack, no guard */
		guard = 0;
		n = 1;
	}
	unsigned char *vec = malloc(c->len / page);
	bool known = vec && mincore(c->base, c->len, vec) == 0;
	size_t resident = 0;
	for (int32_t i = 0; known && i < n; i++)
		for (size_t off = (size_t)i * stride + guard; off < (size_t)(i + 1) * stride;
		     off += page)
			resident += vec[off / page] & 1;
	bool ok = true;
	if (known && resident <= ZERO_PAGES) {
		for (int32_t i = 0; i < n; i++)
			for (size_t off = (size_t)i * stride + guard;
			     off < (size_t)(i + 1) * stride; off += page)
				if (vec[off / page] & 1)
					zero_unchecked(c->base + off, page);
	} else {
		ok = madvise(c->base, c->len, MADV_DONTNEED) == 0;
	}
#ifdef SL_ASAN
	/* A stack with a resident page was used; without mincore's answer,
	 * any may have been. */
	for (int32_t i = 0; ok && i < n; i++) {
		size_t lo = (size_t)i * stride + guard, hi = (size_t)(i + 1) * stride;
		bool used = !known;
		for (size_t off = lo; !used && off < hi; off += page)
			used = vec[off / page] & 1;
		if (used)
			ASAN_POISON_MEMORY_REGION(c->base + lo, hi - lo);
	}
#endif
	free(vec);
	return ok;
}

void os_stackunmap(void *p, size_t len)
{
	struct simchunk *c = chunkat(p);
	if (c && c->len == len && !c->kept && nkept < CHUNK_CACHE && keep(c)) {
		c->kept = true;
		nkept++;
		return;
	}
	/* Not ours, or no room, or the pages would not go: back to the OS. */
	if (c)
		forget(c);
	linux_stackunmap(p, len);
}
