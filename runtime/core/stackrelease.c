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
 * The state byte g.stackstate. STACK_BUSY belongs to whoever CASed it there
 * (a releaser, or the restorer), and only that thread moves it on; everyone
 * else waits (the restorer) or skips the G (a releaser). A releaser CASes
 * SEEN (or RESIDENT, or RELEASED) -> BUSY, then reads the status again and
 * goes on only if the G is still _Gwaiting. Every way out of _Gwaiting is a
 * casgstatus CAS (goready, park_commit's abort) that execute_prepare
 * follows. So either the releaser sees the G gone and puts the old state
 * back, or its CAS is before that casgstatus in the single order of seq_cst
 * operations, and execute's seq_cst load of stackstate (a plain load on
 * amd64) sees BUSY or RELEASED: it waits out BUSY, and a RELEASED stack it
 * takes with RELEASED -> BUSY before restoring it, so that no releaser's
 * store can land on top of the restore's (a releaser that found the G
 * awake stores RELEASED back: without the restorer's CAS that store could
 * follow the restorer's RESIDENT, and the running G would look released).
 *
 * The records: relchunks, sorted by base, one per chunk registered with the
 * userfaultfd, each with a stackrec pointer per stack slot (NULL: resident),
 * and fillpage, guarded by the backend's relmu (os_stackrel_lock). Who holds
 * relmu, and on which stack:
 *   - the handler thread (its own pthread stack), serving a fault;
 *   - sysmon's releaser and its pass (sysmon's thread stack);
 *   - the restorer, stackrestore from execute_prepare: on g0 (a thread
 *     stack), or, after a direct switch (gopark, gosched, goexit1), on the
 *     stack of the user G that is switching out, which may hold the lock of
 *     the channel or semaphore it parks on until park_finish runs;
 *   - sl_debug_freeosmemory's calls (stackrelease_all, _zero, _forget), on
 *     the calling user G's stack.
 * The rule that keeps relmu from deadlocking: a holder of relmu
 *   (1) takes no other lock and waits for nothing but the kernel: no runtime
 *       lock, no malloc or free (glibc's arena locks: a goroutine holding
 *       one may itself be waiting for the handler), no print but on the way
 *       to a throw; everything it needs is allocated before and freed after;
 *   (2) touches no page that the handler may have to serve: a released
 *       stack only through UFFDIO_COPY, the parking range only where mincore
 *       finds a page, its own stack only where it is present. On a thread
 *       stack that is everywhere. On a user G's stack (the restorer in a
 *       direct switch, sl_debug_freeosmemory) the pages below the G's
 *       deepest touch may be missing pages of a registered chunk:
 *       os_stackrel_lock writes the RELMU_STACK bytes below its caller's
 *       frame before it takes the lock (a fault there is served like any
 *       other, nothing held), the critical sections here stay far inside
 *       that (small frames, the page size cached in relpage: sysconf's frames
 *       were the ones that crossed), and the G is running, so no releaser
 *       takes those pages away meanwhile.
 * Then relmu's holder waits for no one, and the handler and every thread
 * faulting in a registered chunk wait only for relmu. relmu may be taken
 * with any runtime lock held (the direct switch's channel lock), and no lock
 * is taken under it: a leaf below every rank in DESIGN.md's table, kept by
 * the backend (a pthread mutex), not by the rank checker. Before the direct
 * switches the restorer ran on g0 only, and (2) held by accident; after
 * them a restore on the parking G's stack called sysconf under relmu a page
 * below the G's deepest touch, its fault waited for the handler, the handler
 * for relmu, and sysmon's pass behind both (the soak's hang;
 * scavenge.relmu_exclusion). The backend checks (2): a fault by relmu's
 * holder throws instead of hanging.
 *
 * Opt-in: SL_STACKRELEASE=1 turns it on, =2 makes sysmon release every
 * parked G at every tick (a stress mode for the tests). Off by default: a
 * released G's wake costs tens of microseconds instead of under one, and a
 * debugger cannot read a released stack (gdb, a core file), which is where
 * a deadlock's stuck goroutines are. Off in any case in the simulation
 * (os_replay), under the sanitizers and where the kernel has no userfaultfd
 * with UFFDIO_MOVE for this process (os_stackuffd_init).
 */
#include "runtime.h"

#include "procyield.h"

#include <stdlib.h>
#include <string.h>

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
static size_t relpage; /* os_pagesize(), read once: no sysconf under relmu */
static char *fillpage; /* the restorer's page buffer; relmu */

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
	relpage = os_pagesize();
	fillpage = aligned_alloc(relpage, relpage);
	if (!fillpage)
		return;
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
 * it was mapped or dropped). relmu held; buf is the handler's page or
 * fillpage, never a goroutine stack. */
void stackrelease_fill(uintptr_t page, char *buf)
{
	size_t ps = relpage;
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

/* Memory for a chunk's first record, allocated with relmu dropped (rule 1):
 * relchunk_add says what it wants, the caller allocates and tries again. */
struct relspare {
	struct stackrec **rec;	/* a slot array for the new chunk */
	struct relchunk *arr;	/* a bigger relchunks, room for arrgot */
	int32_t arrcap, arrgot; /* wanted, and allocated */
	struct relchunk *old;	/* the relchunks it replaced: freed after relmu */
	bool want, failed;
};

/* The record of the chunk [base, base + len) holding a stack, registering
 * the chunk with the userfaultfd the first time. NULL with sp->want set:
 * allocate (relspare_fill) and call again; NULL with sp->failed: the kernel
 * refused. relmu held; allocates nothing. */
static struct relchunk *relchunk_add(char *base, size_t len, struct relspare *sp)
{
	struct relchunk *c = relchunkof((uintptr_t)base);
	if (c)
		return c;
	sp->want = false;
	if (nrelchunks == caprelchunks && sp->arrgot <= nrelchunks) {
		sp->arrcap = caprelchunks ? 2 * caprelchunks : 64;
		sp->want = true;
	}
	if (!sp->rec)
		sp->want = true;
	if (sp->want)
		return NULL;
	if (nrelchunks == caprelchunks) {
		memcpy(sp->arr, relchunks, (size_t)nrelchunks * sizeof *relchunks);
		sp->old = relchunks;
		relchunks = sp->arr;
		caprelchunks = sp->arrgot;
		sp->arr = NULL;
		sp->arrgot = 0;
	}
	if (!os_stackuffd_register(base, len)) {
		sp->failed = true;
		return NULL;
	}
	int32_t i = nrelchunks;
	while (i > 0 && relchunks[i - 1].base > (uintptr_t)base) {
		relchunks[i] = relchunks[i - 1];
		i--;
	}
	relchunks[i] = (struct relchunk){(uintptr_t)base, len, sp->rec};
	sp->rec = NULL;
	nrelchunks++;
	return &relchunks[i];
}

/* What relchunk_add wanted, for a chunk of len bytes. relmu not held. */
static bool relspare_fill(struct relspare *sp, size_t len)
{
	if (!sp->rec && !(sp->rec = calloc(len / relslot, sizeof *sp->rec)))
		return false;
	if (sp->arrcap > sp->arrgot) { /* none yet, or one outgrown meanwhile */
		free(sp->arr);
		sp->arrgot = 0;
		sp->arr = malloc((size_t)sp->arrcap * sizeof *sp->arr);
		if (!sp->arr)
			return false;
		sp->arrgot = sp->arrcap;
	}
	return true;
}

static void relspare_free(struct relspare *sp)
{
	free(sp->rec);
	free(sp->arr);
	free(sp->old);
}

/* A chunk is being unmapped (stack.c): no stack of it is in use, so none is
 * released; forget its record. Any thread, holding no lock. */
void stackrelease_forget(char *base)
{
	if (!stackrelease_on)
		return;
	struct stackrec **rec = NULL;
	os_stackrel_lock();
	struct relchunk *c = relchunkof((uintptr_t)base);
	if (c) {
		rec = c->rec;
		int32_t i = (int32_t)(c - relchunks);
		memmove(c, c + 1, (size_t)(nrelchunks - i - 1) * sizeof *c);
		nrelchunks--;
	}
	os_stackrel_unlock();
	free(rec);
}

/* Copy the moved pages of [r->sp, hi) from the parking range into r; a
 * page the stack never touched (a frame's unwritten room), or one the move
 * left in place (a partial move), is zeros on a first release, and keeps
 * its saved bytes on a release again. Only pages mincore finds present are
 * read: reading a missing parking page would fault, and its handler waits
 * for relmu, held here. */
static void stackrec_copy(struct stackrec *r, const char *park, uintptr_t lo, uintptr_t hi,
			  bool first)
{
	size_t ps = relpage;
	for (uintptr_t p = r->sp & ~(uintptr_t)(ps - 1); p < hi; p += ps) {
		uintptr_t from = r->sp > p ? r->sp : p;
		if (os_stackparking_present(p - lo))
			memcpy(r->data + (from - r->sp), park + (from - lo), p + ps - from);
		else if (first)
			memset(r->data + (from - r->sp), 0, p + ps - from);
	}
}

/* The stack's pages move to the parking range and their bytes into r. A
 * move that stopped part way (EAGAIN, EBUSY: a page shared with a forked
 * child) is kept: the pages it left are resident and stay the G's, the
 * handler is never asked for them, and the restore leaves them in place
 * (EEXIST). false if nothing moved. relmu held. */
static bool stackrec_move(struct stackrec *r, uintptr_t lo, uintptr_t hi, bool first)
{
	char *park = os_stackmove((void *)lo, hi - lo);
	if (!park)
		return false;
	stackrec_copy(r, park, lo, hi, first);
	os_stackparking_drop(hi - lo);
	return true;
}

static bool stackrerelease(struct g *gp);

/*
 * Release gp's stack if gp is still parked and in state from. Not on gp;
 * holds no runtime lock. The record is published before the pages move, so
 * a touch after the move waits on relmu and then finds the saved bytes; the
 * move is atomic, so a write by another thread lands either before it (and
 * is copied) or after it (in the page the handler installs).
 */
static bool stackrelease_g(struct g *gp, uint8_t from)
{
	if (readgstatus(gp) != _Gwaiting || !atomic_cas(&gp->stackstate, from, STACK_BUSY))
		return false;
	/* STACK_BUSY: ours. */
	if (readgstatus(gp) != _Gwaiting) {
		/* It woke between the two reads: execute may be waiting on us. */
		atomic_store(&gp->stackstate, from == STACK_RELEASED ? from : STACK_RESIDENT);
		return false;
	}
	if (from == STACK_RELEASED)
		return stackrerelease(gp);
	/* The whole stack moves (holes allowed): below sp nothing is live (a
	 * parked G is inside its switch's frame, and no red zone survives a
	 * call), so the pages there are dropped in the same call. Everything
	 * relmu's section needs is allocated first (rule 1). */
	uintptr_t sp = gp->sched.sp, lo = gp->stack.lo, hi = gp->stack.hi;
	struct stackrec *r = malloc(sizeof *r + (hi - sp));
	char *base = NULL;
	size_t len = 0;
	struct relspare spare = {0};
	bool ok = false;
	if (r) {
		r->sp = sp;
		r->touched = false;
		stackchunk_bounds(gp->stack, &base, &len); /* stackpool.lock, not under relmu */
	}
	while (r) {
		os_stackrel_lock();
		struct relchunk *c = relchunk_add(base, len, &spare);
		if (c) {
			struct stackrec **slot = &c->rec[(lo - c->base) / relslot];
			*slot = r;
			ok = stackrec_move(r, lo, hi, true);
			if (!ok)
				*slot = NULL; /* nothing moved: every page is in place */
		}
		os_stackrel_unlock();
		if (c || !spare.want || !relspare_fill(&spare, len))
			break;
	}
	relspare_free(&spare);
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
 * that came back into the record, the newer bytes. gp is STACK_BUSY, ours.
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
	} else if (stackrec_move(r, lo, hi, false)) {
		r->touched = false;
		ok = true;
	}
	os_stackrel_unlock();
	if (ok)
		atomic_xadd(&stackreleases, 1);
	/* Not ok: the pages stay where they are, and the record too: the
	 * handler still serves the missing ones. */
	atomic_store(&gp->stackstate, STACK_RELEASED);
	return ok;
}

/* Before gp runs again (execute_prepare, holding a P: on g0, or on the
 * switching-out G's stack after a direct switch): clear the pass's mark,
 * wait out a release in progress, put released pages back. */
void stackrestore(struct g *gp)
{
	for (;;) {
		uint8_t s = atomic_load(&gp->stackstate);
		if (s == STACK_RESIDENT)
			return;
		if (s == STACK_SEEN) {
			if (atomic_cas(&gp->stackstate, STACK_SEEN, STACK_RESIDENT))
				return;
			continue; /* a releaser took it meanwhile */
		}
		if (s == STACK_RELEASED) {
			if (atomic_cas(&gp->stackstate, STACK_RELEASED, STACK_BUSY))
				break; /* ours */
			continue;
		}
		/* STACK_BUSY: a releaser that holds no lock and waits only for
		 * relmu, stackpool.lock and malloc, none of which waits for this
		 * thread; a few microseconds. */
		procyield(10);
	}
	size_t ps = relpage;
	uintptr_t lo = gp->stack.lo, hi = gp->stack.hi;
	os_stackrel_lock();
	struct relchunk *c = relchunkof(lo);
	struct stackrec **slot = &c->rec[(lo - c->base) / relslot];
	struct stackrec *r = *slot;
	uintptr_t sppage = r->sp & ~(uintptr_t)(ps - 1);
	/* A page the handler installed already (someone touched it) may hold
	 * newer writes, and one a partial move left was never gone:
	 * os_stackfill leaves both (EEXIST). */
	for (uintptr_t p = sppage; p < hi; p += ps) {
		stackrelease_fill(p, fillpage);
		os_stackfill((void *)p, fillpage, ps);
	}
	*slot = NULL;
	os_stackrel_unlock();
	free(r);
	/* Below sp the stack moved away too: zero pages there, or each page the
	 * G touches again would be a trip through the handler thread. */
	if (sppage > lo)
		os_stackzero((void *)lo, sppage - lo);
	atomic_xadd(&stackrestores, 1);
	atomic_store(&gp->stackstate, STACK_RESIDENT);
}

/*
 * The page holding p as the program must see it, installed now from the
 * caller's thread if p lies in a released stack that nobody touched since
 * its release: what the handler would do at the first touch, without the
 * round trip through the handler thread (two thread switches, most of a
 * released goroutine's wake). For the code that is about to touch a parked
 * G's wait record (a waker dequeueing its sudog); the G stays parked and
 * released (its owner restores the rest), so this is allowed on any stack,
 * holding any runtime lock (relmu's rule: stackrelease.c's header). A stale
 * answer costs only the round trip it was to save.
 */
void stackrelease_touch(const void *p)
{
	if (!stackrelease_on)
		return;
	uintptr_t a = (uintptr_t)p, page = a & ~(uintptr_t)(relpage - 1);
	os_stackrel_lock();
	struct relchunk *c = relchunkof(a);
	struct stackrec *r = c ? c->rec[(a - c->base) / relslot] : NULL;
	if (r && !r->touched && a >= r->sp) {
		stackrelease_fill(page, fillpage);
		os_stackfill((void *)page, fillpage, relpage);
	}
	os_stackrel_unlock();
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
