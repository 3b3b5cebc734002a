/*
 * stackrelease.c: giving back the stack pages of goroutines parked a long
 * time, while every pointer into their stacks stays valid (issue 12).
 *
 * A parked G (_Gwaiting) holds its stack's touched pages, though only the
 * bytes from its saved sp to the top are live: 264 for a G parked in a
 * channel receive, against the 4096-byte page it keeps resident. Releasing
 * it copies those bytes to the heap (a stackrec) and drops the pages; the
 * virtual range stays the G's. The backend registers the chunks that hold
 * released stacks with a userfaultfd and serves any later touch of them, by
 * another goroutine, by the runtime (a sudog, a channel element on the
 * parked G's stack) or by the kernel (read(2) into it), with the page the
 * core computes here (stackrelease_fill: the saved bytes, zeros elsewhere).
 * The owner puts its pages back before it runs again (stackrestore, called
 * from execute_prepare, on every switch to a G: through g0 or direct).
 *
 * Who decides "a long time": sysmon's scavenger pass (stackscavenge, every
 * SCAVENGE_PERIOD_NS) marks every parked G STACK_SEEN; execute clears the
 * mark (stackrestore) when the G runs again; a G still STACK_SEEN at the next
 * pass has been parked for a whole period and goes on the candidate list,
 * which the sysmon ticks after the pass release RELEASE_BATCH at a time.
 *
 * The state word g.stackstate excludes running. The releaser CASes it
 * STACK_SEEN -> STACK_RELEASING, then reads the status again, and goes on
 * only if the G is still _Gwaiting. Every way out of _Gwaiting is a
 * casgstatus CAS (goready, park_commit's abort) that execute_prepare follows. So either
 * the releaser sees the G gone and puts STACK_RESIDENT back, or its CAS is
 * before that casgstatus in the single order of seq_cst operations, and
 * execute's seq_cst load of stackstate (a plain load on amd64) sees
 * RELEASING or RELEASED: it waits for RELEASED and restores.
 *
 * The records: relchunks, sorted by base, one per chunk registered with the
 * userfaultfd, each with a stackrec pointer per stack slot (NULL: resident).
 * They are guarded by the backend's relmu (os_stackrel_lock): the handler
 * thread, the releaser and the restorer hold it, and none of them touches a
 * released stack while holding it (the releaser copies from the parking
 * page, the others write through the userfaultfd), so a fault never waits
 * on relmu's holder. A chunk stays registered until it is unmapped.
 *
 * Opt-in: SL_STACKRELEASE=1 turns it on, =2 makes sysmon release every
 * parked G at every tick (a stress mode for the tests). Off by default, for
 * now: a released G's wake costs 25-46 us instead of under 1, and a
 * debugger cannot read a released stack (gdb, a core file), which is where
 * a deadlock's stuck goroutines are. Off in any case in the simulation
 * (os_replay), under the sanitizers and where the kernel has no userfaultfd
 * with UFFDIO_MOVE for this process (os_stackuffd_init).
 */
#include "runtime.h"

#include "procyield.h"

#include <stdlib.h>
#include <string.h>

enum {
	STACK_RESIDENT = 0,  /* pages in place; not seen parked at the last pass */
	STACK_SEEN = 1,	     /* parked at the last pass and not run since */
	STACK_RELEASING = 2, /* the releaser owns the stack's pages */
	STACK_RELEASED = 3,  /* pages gone; the bytes are in the chunk's stackrec */
};

/* Releases per sysmon tick: about 2 ms of sysmon's time at 6-10 us each. */
#define RELEASE_BATCH 256

bool stackrelease_on;
static bool stackrelease_stress;
int64_t stackreleases, stackrestores, stackrelease_refused;

/* The saved bytes of a released stack: [sp, hi). */
struct stackrec {
	uintptr_t sp;
	bool touched; /* the handler put a page of it back: release again */
	char data[];
};

struct relchunk {
	uintptr_t base;
	size_t len;
	struct stackrec **rec; /* per slot; NULL where the stack is resident */
};

static struct relchunk *relchunks;
static int32_t nrelchunks, caprelchunks;
static size_t relslot; /* guard + stack: a chunk's stride */

/* The pass's candidates, released RELEASE_BATCH a tick. sysmon's only. */
static struct g **cand;
static int32_t ncand, capcand;

void stackrelease_init(void)
{
	const char *e = getenv("SL_STACKRELEASE");
	if (!e || !*e || strcmp(e, "0") == 0)
		return;
	if (strcmp(e, "1") != 0 && strcmp(e, "2") != 0) {
		print("schedlab: SL_STACKRELEASE: ignoring \"%s\" (want 0, 1 or 2)\n", e);
		return;
	}
	if (os_replay)
		return;
	stackrelease_stress = strcmp(e, "2") == 0;
	relslot = stackguardsize + stacksize;
	stackrelease_on = os_stackuffd_init(stacksize);
}

/* The record of the chunk holding addr, or NULL. relmu held. */
static struct relchunk *relchunkof(uintptr_t addr)
{
	int32_t lo = 0, hi = nrelchunks;
	while (lo < hi) {
		int32_t mid = lo + (hi - lo) / 2;
		struct relchunk *c = &relchunks[mid];
		if (addr < c->base)
			hi = mid;
		else if (addr >= c->base + c->len)
			lo = mid + 1;
		else
			return c;
	}
	return NULL;
}

/* The page at page (page-aligned) as the program must see it: the saved
 * bytes of a released stack, zeros anywhere else (memory nobody wrote since
 * it was mapped or dropped). relmu held; on the handler thread or g0. */
void stackrelease_fill(uintptr_t page, char *buf)
{
	size_t ps = os_pagesize();
	memset(buf, 0, ps);
	struct relchunk *c = relchunkof(page);
	if (!c)
		return;
	size_t slot = (page - c->base) / relslot;
	struct stackrec *r = c->rec[slot];
	if (!r)
		return;
	uintptr_t lo = r->sp, hi = c->base + (slot + 1) * relslot;
	uintptr_t from = lo > page ? lo : page, to = hi < page + ps ? hi : page + ps;
	if (from < to)
		memcpy(buf + (from - page), r->data + (from - lo), to - from);
	r->touched = true;
}

/* The record of s's chunk, registering the chunk with the userfaultfd the
 * first time; NULL if the kernel refused. relmu held. */
static struct relchunk *relchunk_add(stack s)
{
	struct relchunk *c = relchunkof(s.lo);
	if (c)
		return c;
	char *base;
	size_t len;
	stackchunk_bounds(s, &base, &len);
	if (nrelchunks == caprelchunks) {
		int32_t cap = caprelchunks ? 2 * caprelchunks : 64;
		struct relchunk *a = realloc(relchunks, (size_t)cap * sizeof *a);
		if (!a)
			return NULL;
		relchunks = a;
		caprelchunks = cap;
	}
	struct stackrec **rec = calloc(len / relslot, sizeof *rec);
	if (!rec)
		return NULL;
	if (!os_stackuffd_register(base, len)) {
		free(rec);
		return NULL;
	}
	int32_t i = nrelchunks;
	while (i > 0 && relchunks[i - 1].base > (uintptr_t)base) {
		relchunks[i] = relchunks[i - 1];
		i--;
	}
	relchunks[i] = (struct relchunk){(uintptr_t)base, len, rec};
	nrelchunks++;
	return &relchunks[i];
}

/* A chunk is being unmapped (stack.c): no stack of it is in use, so none is
 * released; forget its record. Any thread. */
void stackrelease_forget(char *base)
{
	if (!stackrelease_on)
		return;
	os_stackrel_lock();
	struct relchunk *c = relchunkof((uintptr_t)base);
	if (c) {
		free(c->rec);
		int32_t i = (int32_t)(c - relchunks);
		memmove(c, c + 1, (size_t)(nrelchunks - i - 1) * sizeof *c);
		nrelchunks--;
	}
	os_stackrel_unlock();
}

/* Copy the moved pages of [r->sp, hi) from the parking range into r; a
 * page the stack never touched (a frame's unwritten room) is zeros. Only
 * pages mincore finds present are read: reading a missing parking page
 * would fault, and its handler waits for relmu, held here. */
static void stackrec_copy(struct stackrec *r, const char *park, uintptr_t lo, uintptr_t hi)
{
	size_t ps = os_pagesize();
	for (uintptr_t p = r->sp & ~(uintptr_t)(ps - 1); p < hi; p += ps) {
		uintptr_t from = r->sp > p ? r->sp : p;
		if (os_stackparking_present(p - lo))
			memcpy(r->data + (from - r->sp), park + (from - lo), p + ps - from);
		else if (!r->touched) /* first release: nothing saved yet */
			memset(r->data + (from - r->sp), 0, p + ps - from);
	}
}

/*
 * Release gp's stack if gp is still parked and in state from. Not on gp;
 * holds no runtime lock. The record is published before the pages move, so
 * a touch after the move waits on relmu and then finds the saved bytes; the
 * move is atomic, so a write by another thread lands either before it (and
 * is copied) or after it (in the page the handler installs).
 */
static bool stackrerelease(struct g *gp);

static bool stackrelease_g(struct g *gp, uint8_t from)
{
	if (readgstatus(gp) != _Gwaiting || !atomic_cas(&gp->stackstate, from, STACK_RELEASING))
		return false;
	if (readgstatus(gp) != _Gwaiting) {
		/* It woke between the two reads: execute may be waiting on us. */
		atomic_store(&gp->stackstate, from == STACK_RELEASED ? from : STACK_RESIDENT);
		return false;
	}
	if (from == STACK_RELEASED)
		return stackrerelease(gp);
	/* The whole stack moves (holes allowed): below sp nothing is live (a
	 * parked G is inside asm_mcall's frame, and no red zone survives a
	 * call), so the pages there are dropped in the same two calls. */
	uintptr_t sp = gp->sched.sp, lo = gp->stack.lo, hi = gp->stack.hi;
	struct stackrec *r = malloc(sizeof *r + (hi - sp));
	bool ok = false;
	if (r) {
		r->sp = sp;
		r->touched = false;
		os_stackrel_lock();
		struct relchunk *c = relchunk_add(gp->stack);
		if (c) {
			struct stackrec **slot = &c->rec[(gp->stack.lo - c->base) / relslot];
			*slot = r;
			char *park = os_stackmove((void *)lo, hi - lo);
			if (park) {
				stackrec_copy(r, park, lo, hi);
				os_stackparking_drop(hi - lo);
				ok = true;
			} else {
				*slot = NULL; /* EBUSY: a page shared with a forked child */
			}
		}
		os_stackrel_unlock();
	}
	if (!ok) {
		free(r);
		atomic_xadd(&stackrelease_refused, 1);
		atomic_store(&gp->stackstate, STACK_RESIDENT);
		return false;
	}
	atomic_xadd(&stackreleases, 1);
	atomic_store(&gp->stackstate, STACK_RELEASED);
	return true;
}

/*
 * gp's stack was released and someone touched it since (the handler put
 * pages back from the record): move the pages away again and fold the ones
 * that came back into the record, the newer bytes. Which pages came back is
 * read with mincore on the parking range, so that no missing parking page
 * is read (its fault would wait on relmu, held here). gp is
 * STACK_RELEASING, ours.
 */
static bool stackrerelease(struct g *gp)
{
	uintptr_t lo = gp->stack.lo, hi = gp->stack.hi;
	bool ok = false;
	os_stackrel_lock();
	struct relchunk *c = relchunkof(lo);
	struct stackrec *r = c->rec[(lo - c->base) / relslot];
	if (!r->touched) {
		ok = true;
	} else {
		char *park = os_stackmove((void *)lo, hi - lo);
		if (park) {
			stackrec_copy(r, park, lo, hi);
			os_stackparking_drop(hi - lo);
			r->touched = false;
			ok = true;
		}
	}
	os_stackrel_unlock();
	if (ok)
		atomic_xadd(&stackreleases, 1);
	/* Not ok (EBUSY): the pages stay where they are, and the record too:
	 * the handler still serves the missing ones. */
	atomic_store(&gp->stackstate, STACK_RELEASED);
	return ok;
}

/* Before gp runs again (execute, on g0, holding a P): clear the pass's
 * mark, wait out a release in progress, put released pages back. */
void stackrestore(struct g *gp)
{
	for (;;) {
		uint8_t s = atomic_load(&gp->stackstate);
		if (s == STACK_RESIDENT)
			return;
		if (s == STACK_SEEN) {
			if (atomic_cas(&gp->stackstate, STACK_SEEN, STACK_RESIDENT))
				return;
			continue; /* the releaser took it meanwhile */
		}
		if (s == STACK_RELEASED)
			break;
		procyield(10); /* STACK_RELEASING: a few microseconds */
	}
	size_t ps = os_pagesize();
	char buf[4096] __attribute__((aligned(64)));
	if (ps > sizeof buf)
		throw("stackrestore: page too large");
	os_stackrel_lock();
	struct relchunk *c = relchunkof(gp->stack.lo);
	struct stackrec **slot = &c->rec[(gp->stack.lo - c->base) / relslot];
	struct stackrec *r = *slot;
	uintptr_t r_sp_page = r->sp & ~(uintptr_t)(ps - 1);
	/* A page the handler installed already (someone touched it) may hold
	 * newer writes: os_stackfill leaves it (EEXIST). */
	for (uintptr_t p = r->sp & ~(uintptr_t)(ps - 1); p < gp->stack.hi; p += ps) {
		stackrelease_fill(p, buf);
		os_stackfill((void *)p, buf, ps);
	}
	*slot = NULL;
	os_stackrel_unlock();
	free(r);
	/* Below sp the stack moved away too: zero pages there, or each page the
	 * G touches again would be a trip through the handler thread. */
	if (r_sp_page > gp->stack.lo)
		os_stackzero((void *)gp->stack.lo, r_sp_page - gp->stack.lo);
	atomic_xadd(&stackrestores, 1);
	atomic_store(&gp->stackstate, STACK_RESIDENT);
}

/* Whether gp's released stack was touched since (a racy read: a stale
 * answer only delays or wastes a release). sysmon. */
static bool stackrec_touched(struct g *gp)
{
	os_stackrel_lock();
	struct relchunk *c = relchunkof(gp->stack.lo);
	struct stackrec *r = c ? c->rec[(gp->stack.lo - c->base) / relslot] : NULL;
	bool t = r && r->touched;
	os_stackrel_unlock();
	return t;
}

/* Mark the parked Gs seen; the ones seen at the last pass become
 * candidates. allgs is read in batches under allglock. sysmon. */
static void stackrelease_pass(void)
{
	struct g *batch[128];
	ncand = 0;
	for (int32_t i = 0;;) {
		lock(&allglock);
		int32_t n = 0;
		while (n < 128 && i < allglen)
			batch[n++] = allgs[i++];
		unlock(&allglock);
		if (n == 0)
			break;
		for (int32_t k = 0; k < n; k++) {
			struct g *gp = batch[k];
			if (readgstatus(gp) != _Gwaiting)
				continue;
			uint8_t s = atomic_load(&gp->stackstate);
			if (s == STACK_RESIDENT) {
				atomic_cas(&gp->stackstate, STACK_RESIDENT, STACK_SEEN);
			} else if (s == STACK_SEEN ||
				   (s == STACK_RELEASED && stackrec_touched(gp))) {
				if (ncand == capcand) {
					int32_t cap = capcand ? 2 * capcand : 1024;
					struct g **a = realloc(cand, (size_t)cap * sizeof *a);
					if (!a)
						return; /* an economy: next pass */
					cand = a;
					capcand = cap;
				}
				cand[ncand++] = gp;
			}
		}
	}
}

/*
 * From stackscavenge, on sysmon: a pass (every SCAVENGE_PERIOD_NS) collects
 * the candidates; every call releases up to RELEASE_BATCH of them. Returns
 * whether candidates remain. A candidate that ran since is no longer
 * STACK_SEEN and is skipped by stackrelease_g's CAS.
 */
bool stackrelease_tick(bool pass)
{
	if (!stackrelease_on)
		return false;
	if (stackrelease_stress) {
		/* Every parked G, at every tick. */
		stackrelease_pass();
		for (int32_t k = 0; k < ncand; k++)
			if (!stackrelease_g(cand[k], STACK_SEEN))
				stackrelease_g(cand[k], STACK_RELEASED);
		stackrelease_pass(); /* the rest are seen now */
		for (int32_t k = 0; k < ncand; k++)
			stackrelease_g(cand[k], STACK_SEEN);
		ncand = 0;
		return true; /* called again at the next tick */
	}
	if (pass)
		stackrelease_pass();
	for (int32_t k = 0; k < RELEASE_BATCH && ncand > 0; k++) {
		struct g *gp = cand[--ncand];
		if (!stackrelease_g(gp, STACK_SEEN))
			stackrelease_g(gp, STACK_RELEASED);
	}
	return ncand > 0;
}

/* Release every parked G now (sl_debug_freeosmemory). On a user G. */
void stackrelease_all(void)
{
	if (!stackrelease_on)
		return;
	lock(&allglock);
	int32_t n = allglen;
	unlock(&allglock);
	for (int32_t i = 0; i < n; i++) {
		lock(&allglock);
		struct g *gp = allgs[i];
		unlock(&allglock);
		if (gp != getg() && !stackrelease_g(gp, STACK_RESIDENT) &&
		    !stackrelease_g(gp, STACK_SEEN))
			stackrelease_g(gp, STACK_RELEASED);
	}
}

/* The scavenger dropped the pages of free stack s (os_stackrelease): in a
 * registered chunk, map the zero page there, as in stackrestore. Holds no
 * lock; s is no one's. */
void stackrelease_zero(stack s)
{
	if (!stackrelease_on)
		return;
	os_stackrel_lock();
	bool reg = relchunkof(s.lo) != NULL;
	os_stackrel_unlock();
	if (reg)
		os_stackzero((void *)s.lo, s.hi - s.lo);
}
