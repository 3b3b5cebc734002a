/*
 * race.c: the simulation's data-race detector (race.h), a FastTrack-style
 * vector-clock engine over the simulated threads, in virtual time. The fine
 * build's hooks (sim_race.c) feed it every instrumented access; os_sim.c
 * feeds it thread creation, futex wakes and the run's bounds.
 *
 * Clocks. Each thread (index tid + 1; the host is index 0) has a vector
 * clock; its own entry is its epoch, bumped after every release it makes
 * (a release store, RMW or fence, a thread it creates, a futex it wakes),
 * so that what it does afterwards is not covered by what it published.
 * An access is recorded with its thread's epoch; record (t, c) happens
 * before thread u's current point iff u's clock has C[t] >= c.
 *
 * Atomics follow ThreadSanitizer's model of C11: each atomic location
 * (exact address) has a sync clock. A release store replaces it with the
 * storer's clock; a release RMW joins the storer's clock into it (it
 * continues a release sequence); an acquire load or RMW joins it into the
 * loader's clock; seq_cst is both; relaxed is neither, and a relaxed store
 * leaves the sync clock as it is, as TSan does (C11 would end the release
 * sequence there: the model can only add edges, never invent a race).
 * Fences: a release fence snapshots the thread's clock, and the thread's
 * later relaxed stores and RMWs join that snapshot into their location's
 * sync clock; every load without acquire (a relaxed load, RMW or failed CAS)
 * joins its location's sync clock into the thread's pending-acquire clock,
 * which an acquire fence joins into the thread's clock. Both are exact to
 * C11 but for the sync clock a relaxed store keeps (conservative, as
 * above). A seq_cst fence is an acquire and a release fence, plus an
 * acquire and release on one global fence clock: a total order of seq_cst
 * fences, more than C11 promises (conservative again). The runtime's locks
 * are atomics and futexes, so they need nothing more.
 *
 * Shadow. Memory is shadowed per 8-byte granule (addr >> 3) in an
 * open-addressed hash table. A granule holds access records, each with a
 * byte mask: thread, epoch, write?, atomic?, pc and step. A new access N
 * checks every record O whose mask overlaps: a race if O does not happen
 * before N (N comes later, so N cannot happen before O), one is a write and
 * not both are atomic. Then N drops from the records the bytes it covers of every O
 * that it subsumes: O happens before N, N is a write or O a read, and not
 * (O plain, N atomic). Any later access racing with such an O races with
 * N too, so nothing is lost (FastTrack's rule, per byte); what stays is the
 * last write of each byte and the reads since that are not ordered before
 * one another, the read-shared case. An access that an existing record of
 * the same thread and epoch already covers changes nothing (the fast path:
 * a hash probe and a compare of one record, usually).
 *
 * Memory. Records beyond a granule's inline three, vector clocks and their
 * growth come from an arena that is rewound, not freed, by race_reset; the
 * tables carry a generation, so reset is O(1) and a granule or a sync clock
 * from an earlier run reads as empty. Nothing is allocated per access but
 * to grow a table or the arena; what a run grew is kept for the next and
 * stays reachable (no leak under LeakSanitizer).
 *
 * Reports. The first race aborts the run with two lines that replay byte
 * for byte: the pcs become file:line (function) through addr2line, spawned
 * at report time only, on the object that holds the pc at its offset in
 * that object; the address is named only when it is static data, as
 * object+offset; steps and thread ids come from the simulator.
 *
 * Single-threaded: only the running simulated thread calls in (race.h).
 */
#define _GNU_SOURCE
#include "race.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The simulator's step count and trace flag (schedlab_sim.h, sim.h). */
uint64_t sl_sim_steps(void);
bool sim_tracing(void);

/* Engine code is bookkeeping: never instrumented for coverage (its hash
 * probes depend on addresses, which would make libFuzzer's feedback differ
 * from process to process) nor for ThreadSanitizer (it is what the hooks
 * call). */
#ifdef __clang__
#define ENGINE __attribute__((no_sanitize("coverage", "thread")))
#else
#define ENGINE __attribute__((no_sanitize_thread))
#endif

extern char **environ;

ENGINE __attribute__((noreturn)) static void die(const char *msg)
{
	(void)!write(2, msg, strlen(msg));
	abort();
}

/* ---- the arena: per-run memory, rewound by race_reset ---- */

#define ARENA_BLOCK (1u << 20)

struct block {
	struct block *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

static struct {
	struct block *first, *cur;
} A;

ENGINE static void *arena_alloc(size_t n)
{
	n = (n + 15) & ~(size_t)15;
	for (;;) {
		struct block *b = A.cur;
		if (b && b->size - b->used >= n) {
			void *p = b->data + b->used;
			b->used += n;
			return p;
		}
		if (b && b->next) { /* a block an earlier run grew */
			A.cur = b->next;
			A.cur->used = 0;
			continue;
		}
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		struct block *nb = malloc(sizeof *nb + size);
		if (!nb)
			die("sim: race detector: out of memory\n");
		nb->next = NULL;
		nb->size = size;
		nb->used = 0;
		if (b)
			b->next = nb;
		else
			A.first = nb;
		A.cur = nb;
	}
}

ENGINE static void arena_rewind(void)
{
	A.cur = A.first;
	if (A.cur)
		A.cur->used = 0;
}

/* ---- vector clocks ---- */

struct vc {
	uint32_t n, cap; /* entries in use (the rest read as 0), allocated */
	uint32_t *c;	 /* in the arena */
};

ENGINE static inline uint32_t vc_get(const struct vc *v, uint32_t i)
{
	return i < v->n ? v->c[i] : 0;
}

ENGINE static void vc_grow(struct vc *v, uint32_t n)
{
	if (n <= v->n)
		return;
	if (n > v->cap) {
		uint32_t cap = v->cap ? v->cap : 8;
		while (cap < n)
			cap *= 2;
		uint32_t *c = arena_alloc(cap * sizeof *c);
		if (v->n)
			memcpy(c, v->c, v->n * sizeof *c);
		v->c = c;
		v->cap = cap;
	}
	memset(v->c + v->n, 0, (n - v->n) * sizeof *v->c);
	v->n = n;
}

ENGINE static void vc_join(struct vc *dst, const struct vc *src)
{
	vc_grow(dst, src->n);
	for (uint32_t i = 0; i < src->n; i++)
		if (src->c[i] > dst->c[i])
			dst->c[i] = src->c[i];
}

ENGINE static void vc_copy(struct vc *dst, const struct vc *src)
{
	vc_grow(dst, src->n);
	if (src->n)
		memcpy(dst->c, src->c, src->n * sizeof *src->c);
	if (dst->n > src->n)
		memset(dst->c + src->n, 0, (dst->n - src->n) * sizeof *dst->c);
}

/* ---- threads ---- */

struct rthread {
	struct vc clk;	    /* what it has seen; clk[self] is its epoch */
	struct vc relfence; /* its clock at its last release fence */
	struct vc acqpend;  /* sync clocks its relaxed loads read, for an acquire fence */
	bool has_relfence;
};

static struct {
	struct rthread *t; /* by index: tid + 1 */
	uint32_t n, cap;   /* initialised this run, allocated (kept across runs) */
	struct vc scfence; /* the seq_cst fences' total order */
} T;

ENGINE static struct rthread *thread(int tid)
{
	if (tid < -1)
		die("sim: race detector: bad thread id\n");
	uint32_t i = (uint32_t)(tid + 1);
	if (i < T.n)
		return &T.t[i];
	if (i >= T.cap) {
		uint32_t cap = T.cap ? T.cap : 16;
		while (cap <= i)
			cap *= 2;
		struct rthread *nt = realloc(T.t, cap * sizeof *nt);
		if (!nt)
			die("sim: race detector: out of memory\n");
		T.t = nt;
		T.cap = cap;
	}
	for (; T.n <= i; T.n++) { /* first seen this run: only its own epoch, 1 */
		struct rthread *r = &T.t[T.n];
		memset(r, 0, sizeof *r);
		vc_grow(&r->clk, T.n + 1);
		r->clk.c[T.n] = 1;
	}
	return &T.t[i];
}

/* The thread at index i releases: later accesses get a new epoch. */
ENGINE static inline void bump(struct rthread *r, uint32_t i)
{
	r->clk.c[i]++;
}

ENGINE static inline uint32_t tindex(int tid)
{
	return (uint32_t)(tid + 1);
}

/* ---- generation-stamped tables ---- */

static uint32_t gen = 1; /* a slot of another generation is empty */

/* ---- sync clocks of atomic locations ---- */

struct sync {
	uintptr_t addr;
	uint32_t gen;
	struct vc clk; /* n == 0: never released (or forgotten) */
};

static struct {
	struct sync *s;
	uint32_t bits, used; /* 2^bits slots, used of this generation */
} Y;

ENGINE static inline uint32_t hash(uintptr_t key, uint32_t bits)
{
	return (uint32_t)(((uint64_t)key * 0x9E3779B97F4A7C15ull) >> (64 - bits));
}

ENGINE static struct sync *sync_find(uintptr_t addr, bool create);

ENGINE static void sync_grow(void)
{
	struct sync *old = Y.s;
	uint32_t oldn = Y.s ? 1u << Y.bits : 0;
	Y.bits = Y.s ? Y.bits + 1 : 10;
	Y.s = calloc((size_t)1 << Y.bits, sizeof *Y.s);
	if (!Y.s)
		die("sim: race detector: out of memory\n");
	Y.used = 0;
	for (uint32_t i = 0; i < oldn; i++)
		if (old[i].gen == gen) {
			struct sync *s = sync_find(old[i].addr, true);
			s->clk = old[i].clk;
		}
	free(old);
}

ENGINE static struct sync *sync_find(uintptr_t addr, bool create)
{
	if (!Y.s) {
		if (!create)
			return NULL;
		sync_grow();
	}
	uint32_t mask = (1u << Y.bits) - 1;
	for (uint32_t i = hash(addr, Y.bits);; i = (i + 1) & mask) {
		struct sync *s = &Y.s[i];
		if (s->gen != gen) {
			if (!create)
				return NULL;
			if (2 * (Y.used + 1) > (1u << Y.bits)) {
				sync_grow();
				return sync_find(addr, true);
			}
			s->addr = addr;
			s->gen = gen;
			s->clk = (struct vc){0, 0, NULL};
			Y.used++;
			return s;
		}
		if (s->addr == addr)
			return s;
	}
}

/* ---- shadow ---- */

#define ACC_WRITE  1
#define ACC_ATOMIC 2

/* An access record: 24 bytes. */
struct acc {
	uint32_t tid;	    /* thread index (tid + 1) */
	uint32_t epoch;	    /* its clock then */
	uint64_t step : 48; /* the simulator's step */
	uint64_t mask : 8;  /* the granule's bytes it touched */
	uint64_t flags : 8; /* ACC_WRITE, ACC_ATOMIC */
	const void *pc;
};

#define INLINE_ACC 3

/* A granule's records. The cells of a run lie in one array in the order
 * their granules were first touched (neighbours in memory are mostly
 * neighbours here), found through an index of 16-byte slots. */
struct cell {
	uintptr_t key;	 /* addr >> 3 */
	uint16_t n, cap; /* records; cap > INLINE_ACC: they live in ext */
	struct acc *ext; /* in the arena */
	struct acc in[INLINE_ACC];
};

struct slot {
	uintptr_t key;
	uint32_t gen;  /* of another generation: empty */
	uint32_t cell; /* its index in C.c */
};

static struct {
	struct slot *s;
	uint32_t bits, used; /* 2^bits slots, used of this generation */
} H;

static struct {
	struct cell *c;
	uint32_t n, cap; /* this run's cells, allocated */
} C;

ENGINE static inline struct acc *recs(struct cell *c)
{
	return c->cap > INLINE_ACC ? c->ext : c->in;
}

ENGINE static void index_put(uintptr_t key, uint32_t cell)
{
	uint32_t mask = (1u << H.bits) - 1;
	for (uint32_t i = hash(key, H.bits);; i = (i + 1) & mask)
		if (H.s[i].gen != gen) {
			H.s[i] = (struct slot){key, gen, cell};
			H.used++;
			return;
		}
}

/* Twice the slots, the run's cells indexed again. */
ENGINE static void index_grow(void)
{
	H.bits = H.s ? H.bits + 1 : 12;
	free(H.s);
	H.s = calloc((size_t)1 << H.bits, sizeof *H.s);
	if (!H.s)
		die("sim: race detector: out of memory\n");
	H.used = 0;
	for (uint32_t i = 0; i < C.n; i++)
		index_put(C.c[i].key, i);
}

/* The granule's cell, or NULL (create: a new, empty one). The pointer
 * lasts until the next cell_find that creates. */
ENGINE static struct cell *cell_find(uintptr_t key, bool create)
{
	if (H.s) {
		uint32_t mask = (1u << H.bits) - 1;
		for (uint32_t i = hash(key, H.bits);; i = (i + 1) & mask) {
			struct slot *sl = &H.s[i];
			if (sl->gen != gen)
				break;
			if (sl->key == key)
				return &C.c[sl->cell];
		}
	}
	if (!create)
		return NULL;
	if (C.n == C.cap) {
		uint32_t cap = C.cap ? 2 * C.cap : 4096;
		struct cell *c = realloc(C.c, (size_t)cap * sizeof *c);
		if (!c)
			die("sim: race detector: out of memory\n");
		C.c = c;
		C.cap = cap;
	}
	struct cell *c = &C.c[C.n];
	c->key = key;
	c->n = 0;
	c->cap = INLINE_ACC;
	c->ext = NULL;
	if (!H.s || 2 * (H.used + 1) > (1u << H.bits))
		index_grow(); /* indexes C.n - 1 and below */
	index_put(key, C.n);
	C.n++;
	return c;
}

ENGINE static void cell_add(struct cell *c, const struct acc *a)
{
	if (c->n == c->cap) {
		if (c->cap > 16000)
			die("sim: race detector: too many unordered accesses to one granule\n");
		uint16_t cap = (uint16_t)(c->cap * 2 + 2);
		struct acc *ext = arena_alloc(cap * sizeof *ext);
		memcpy(ext, recs(c), c->n * sizeof *ext);
		c->ext = ext;
		c->cap = cap;
	}
	recs(c)[c->n++] = *a;
}

/* ---- reports ---- */

/* The object that holds addr: its file (NULL: the main program) and the
 * bias to subtract to get an address in that file. */
struct where {
	uintptr_t addr;
	const char *file;
	uintptr_t bias;
	bool found;
};

ENGINE static int where_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	struct where *w = data;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		if (w->addr >= lo && w->addr < lo + ph->p_memsz) {
			w->file = info->dlpi_name && info->dlpi_name[0] ? info->dlpi_name : NULL;
			w->bias = info->dlpi_addr;
			w->found = true;
			return 1;
		}
	}
	return 0;
}

ENGINE static struct where where_is(uintptr_t addr)
{
	struct where w = {addr, NULL, 0, false};
	dl_iterate_phdr(where_cb, &w);
	return w;
}

/* snprintf, which may cut: the report's parts are bounded by their buffers. */
ENGINE __attribute__((format(printf, 3, 4))) static void fmt(char *buf, size_t len, const char *f,
							     ...)
{
	va_list ap;
	va_start(ap, f);
	vsnprintf(buf, len, f, ap);
	va_end(ap);
}

ENGINE static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* The main program's full path: addr2line's own /proc/self/exe is itself. */
ENGINE static void self_path(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	if (n <= 0)
		fmt(buf, len, "the program");
	else
		buf[n] = 0;
}

/* Run argv[0] (from PATH) with stdout into buf; false if it could not run. */
ENGINE static bool run_tool(char *const argv[], char *buf, size_t len)
{
	int fds[2];
	buf[0] = 0;
	if (pipe(fds) != 0)
		return false;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	int err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	size_t got = 0;
	int status = -1;
	if (err == 0) {
		ssize_t r;
		while (got < len - 1 && (r = read(fds[0], buf + got, len - 1 - got)) > 0)
			got += (size_t)r;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	close(fds[0]);
	buf[got] = 0;
	return err == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The innermost function (inlined or not) at address a (not a return
 * address) of the object that holds it, and its file:line, or false.
 * llvm-symbolizer if there is one: binutils' addr2line does not see the
 * inlined frames in clang's DWARF 5, and names the outer function. Then
 * addr2line. Either answers the same for the same binary, every run. */
ENGINE static bool addr2line(uintptr_t a, char *fn, size_t fnlen, char *loc, size_t loclen)
{
	struct where w = where_is(a);
	char exe[512];
	if (!w.found)
		return false;
	if (!w.file)
		self_path(exe, sizeof exe);
	const char *file = w.file ? w.file : exe;
	char addr[32], obj[600], buf[4096];
	fmt(addr, sizeof addr, "0x%lx", (unsigned long)(a - w.bias));
	fmt(obj, sizeof obj, "--obj=%s", file);
	char *llvm[] = {"llvm-symbolizer", "--inlines", obj, addr, NULL};
	char *binutils[] = {"addr2line", "-f", "-i", "-e", (char *)file, addr, NULL};
	bool ok = run_tool(llvm, buf, sizeof buf) && strncmp(buf, "??", 2) != 0;
	if (!ok && !run_tool(binutils, buf, sizeof buf))
		return false;
	/* The first two lines: the innermost function, then its
	 * file:line[:column][ (discriminator N)]. */
	char *f = buf, *nl = strchr(f, '\n');
	if (!nl)
		return false;
	*nl = 0;
	char *l = nl + 1;
	nl = strchr(l, '\n');
	if (nl)
		*nl = 0;
	char *disc = strstr(l, " (discriminator");
	if (disc)
		*disc = 0;
	char *c2 = strrchr(l, ':');
	if (c2 && c2 > l) { /* file:line:column -> file:line */
		char *c1 = c2 - 1;
		while (c1 > l && *c1 >= '0' && *c1 <= '9')
			c1--;
		if (*c1 == ':' && c1 < c2 - 1)
			*c2 = 0;
	}
	if (strncmp(l, "??", 2) == 0 || strncmp(f, "??", 2) == 0)
		return false;
	fmt(fn, fnlen, "%s", f);
	fmt(loc, loclen, "%s", l);
	return true;
}

/* The source tree's root as the debug information names it: the prefix of
 * this very file's name there (it ends in runtime/os/sim/race.c). File
 * names under it print relative to it, so that two checkouts of one tree
 * report alike. */
ENGINE static const char *source_root(char *buf, size_t len)
{
	static const char self[] = "runtime/os/sim/race.c";
	char fn[256];
	buf[0] = 0;
	if (!addr2line((uintptr_t)race_reset, fn, sizeof fn, buf, len))
		return buf;
	char *colon = strrchr(buf, ':');
	if (colon)
		*colon = 0;
	size_t n = strlen(buf), m = sizeof self - 1;
	if (n >= m && strcmp(&buf[n - m], self) == 0)
		buf[n - m] = 0;
	else
		buf[0] = 0;
	return buf;
}

/* pc (a return address) as "file:line (function)", the call's own line.
 * Deterministic: the object and the offset in it do not change with ASLR.
 * Without addr2line (or its knowledge), "object+0xOFF". */
ENGINE static void symbolize(const void *pc, const char *root, char *out, size_t len)
{
	uintptr_t a = (uintptr_t)pc - 1; /* the call, not what follows it */
	char fn[256], loc[512];
	if (addr2line(a, fn, sizeof fn, loc, sizeof loc)) {
		size_t r = strlen(root);
		fmt(out, len, "%s (%s)", r && strncmp(loc, root, r) == 0 ? loc + r : loc, fn);
		return;
	}
	struct where w = where_is(a);
	char exe[512];
	if (!w.found) {
		fmt(out, len, "?? (a pc outside any object)");
		return;
	}
	if (!w.file)
		self_path(exe, sizeof exe);
	fmt(out, len, "%s+0x%lx", base_name(w.file ? w.file : exe), (unsigned long)(a - w.bias));
}

ENGINE static const char *kind(uint8_t flags)
{
	switch (flags & (ACC_WRITE | ACC_ATOMIC)) {
	case ACC_WRITE:
		return "write";
	case ACC_ATOMIC:
		return "atomic read";
	case ACC_WRITE | ACC_ATOMIC:
		return "atomic write";
	default:
		return "read";
	}
}

ENGINE static void thread_name(uint32_t idx, char *buf, size_t len)
{
	if (idx == 0)
		fmt(buf, len, "host");
	else
		fmt(buf, len, "T%u", idx - 1);
}

ENGINE __attribute__((noreturn)) static void report(uintptr_t addr, size_t size,
						    const struct acc *now, const struct acc *prev)
{
	char obj[600], cur[600], old[600], tn[16], to[16];
	struct where w = where_is(addr);
	if (w.found) {
		char exe[512];
		if (!w.file)
			self_path(exe, sizeof exe);
		fmt(obj, sizeof obj, "%s+0x%lx", base_name(w.file ? w.file : exe),
		    (unsigned long)(addr - w.bias));
	} else {
		fmt(obj, sizeof obj, "heap or stack memory");
	}
	char root[512];
	source_root(root, sizeof root);
	symbolize(now->pc, root, cur, sizeof cur);
	symbolize(prev->pc, root, old, sizeof old);
	thread_name(now->tid, tn, sizeof tn);
	thread_name(prev->tid, to, sizeof to);
	char buf[2400];
	int n = snprintf(
	    buf, sizeof buf,
	    "sim: data race on %s (%u byte%s) at step %llu (%s): %s at %s\n"
	    "  previous %s at step %llu (%s): %s\n"
	    "  %s\n",
	    obj, (unsigned)size, size == 1 ? "" : "s", (unsigned long long)now->step, tn,
	    kind(now->flags), cur, kind(prev->flags), (unsigned long long)prev->step, to, old,
	    sim_tracing() ? "the trace above shows the steps" : "SL_SIM_TRACE=1 to see the steps");
	if (n > (int)sizeof buf)
		n = (int)sizeof buf;
	const char *p = buf;
	while (n > 0) {
		ssize_t wr = write(2, p, (size_t)n);
		if (wr <= 0)
			break;
		p += wr;
		n -= (int)wr;
	}
	abort();
}

/* ---- the check ---- */

/* Whether o may be dropped for n's bytes: anything that would race with o
 * and is not ordered after n races with n (the caller knows o happens
 * before n). */
ENGINE static inline bool subsumes(const struct acc *n, const struct acc *o)
{
	if (!(n->flags & ACC_WRITE) && (o->flags & ACC_WRITE))
		return false; /* a read cannot stand for a write */
	if ((n->flags & ACC_ATOMIC) && !(o->flags & ACC_ATOMIC))
		return false; /* an atomic cannot stand for a plain access */
	return true;
}

/* One granule's part of an access: check a against every record, then
 * record it. */
ENGINE static void access_granule(uintptr_t key, struct acc *a, uintptr_t addr, size_t size,
				  const struct vc *clk)
{
	struct cell *c = cell_find(key, true);
	struct acc *r = recs(c);
	/* The fast path: a record of the same thread and epoch, as atomic,
	 * a write or as much a read, already covers these bytes (a loop, a
	 * field read again, a read after a write). Whatever would race with
	 * this access races with that one, with the same happens-before:
	 * nothing between them released. The report then names the first
	 * access of the epoch, an equally true witness. */
	for (uint16_t i = 0; i < c->n; i++)
		if (r[i].tid == a->tid && r[i].epoch == a->epoch &&
		    (r[i].mask & a->mask) == a->mask &&
		    ((r[i].flags ^ a->flags) & ACC_ATOMIC) == 0 &&
		    (r[i].flags & ACC_WRITE) >= (a->flags & ACC_WRITE))
			return;
	bool write = a->flags & ACC_WRITE, atomic = a->flags & ACC_ATOMIC;
	for (uint16_t i = 0; i < c->n; i++) {
		struct acc *o = &r[i];
		if (!(o->mask & a->mask))
			continue;
		bool hb = o->tid == a->tid || vc_get(clk, o->tid) >= o->epoch;
		if (!hb && (write || (o->flags & ACC_WRITE)) &&
		    !(atomic && (o->flags & ACC_ATOMIC)))
			report(addr, size, a, o);
	}
	/* Drop the bytes a subsumes, then compact. */
	uint16_t k = 0;
	for (uint16_t i = 0; i < c->n; i++) {
		struct acc *o = &r[i];
		if ((o->mask & a->mask) && (o->tid == a->tid || vc_get(clk, o->tid) >= o->epoch) &&
		    subsumes(a, o))
			o->mask &= (uint8_t)~a->mask;
		if (o->mask) {
			if (o->tid == a->tid && o->epoch == a->epoch && o->pc == a->pc &&
			    o->flags == a->flags) {
				a->mask |= o->mask; /* the same access, on more bytes */
				continue;
			}
			r[k++] = *o;
		}
	}
	c->n = k;
	cell_add(c, a);
}

ENGINE static void check(int tid, const void *addr, size_t size, uint8_t flags, const void *pc)
{
	if (size == 0)
		return;
	uint32_t idx = tindex(tid);
	struct rthread *t = thread(tid);
	struct acc a = {
	    .tid = idx,
	    .epoch = t->clk.c[idx],
	    .flags = flags,
	    .step = sl_sim_steps(),
	    .pc = pc,
	};
	uintptr_t p = (uintptr_t)addr, end = p + size;
	while (p < end) {
		uintptr_t key = p >> 3, gend = (key + 1) << 3;
		uintptr_t e = end < gend ? end : gend;
		a.mask = (uint8_t)(((1u << (e - p)) - 1) << (p & 7));
		access_granule(key, &a, (uintptr_t)addr, size, &t->clk);
		p = e;
	}
}

/* ---- the API ---- */

ENGINE void race_reset(void)
{
	if (++gen == 0) { /* wrapped: every stamp may be stale-but-equal */
		if (H.s)
			memset(H.s, 0, ((size_t)1 << H.bits) * sizeof *H.s);
		if (Y.s)
			memset(Y.s, 0, ((size_t)1 << Y.bits) * sizeof *Y.s);
		gen = 1;
	}
	H.used = 0;
	C.n = 0;
	Y.used = 0;
	T.n = 0;
	T.scfence = (struct vc){0, 0, NULL};
	arena_rewind();
}

ENGINE void race_thread_new(int parent, int child)
{
	struct rthread *p = thread(parent);
	uint32_t pi = tindex(parent), ci = tindex(child);
	struct rthread *c = thread(child);
	p = &T.t[pi];			 /* thread() may have moved the array */
	uint32_t own = c->clk.c[ci] + 1; /* a reused id goes on from its last epoch */
	vc_copy(&c->clk, &p->clk);
	vc_grow(&c->clk, ci + 1);
	if (c->clk.c[ci] < own)
		c->clk.c[ci] = own;
	c->has_relfence = false;
	c->relfence.n = 0;
	c->acqpend.n = 0;
	bump(p, pi);
}

ENGINE void race_wake(int waker, int wakee)
{
	thread(waker);
	struct rthread *e = thread(wakee), *w = &T.t[tindex(waker)];
	vc_join(&e->clk, &w->clk);
	bump(w, tindex(waker));
}

ENGINE void race_access(int tid, const void *addr, size_t size, bool write, const void *pc)
{
	check(tid, addr, size, write ? ACC_WRITE : 0, pc);
}

ENGINE static inline bool acquires(int mo)
{
	return mo == __ATOMIC_CONSUME || mo == __ATOMIC_ACQUIRE || mo == __ATOMIC_ACQ_REL ||
	       mo == __ATOMIC_SEQ_CST;
}

ENGINE static inline bool releases(int mo)
{
	return mo == __ATOMIC_RELEASE || mo == __ATOMIC_ACQ_REL || mo == __ATOMIC_SEQ_CST;
}

/* The load half acquires first, then the access is checked, then the store
 * half releases: an acquire that reads a release store is ordered after
 * what preceded that store, a plain write of the same word included (C11;
 * TSan checks an RMW before its acquire). */
ENGINE void race_atomic(int tid, const void *addr, size_t size, int op, int mo, const void *pc)
{
	bool store = op == RACE_STORE || op == RACE_RMW;
	struct rthread *t = thread(tid);
	uint32_t i = tindex(tid);
	uintptr_t a = (uintptr_t)addr;
	if (op != RACE_STORE) { /* the load half */
		struct sync *s = sync_find(a, false);
		if (s && s->clk.n)
			vc_join(acquires(mo) ? &t->clk : &t->acqpend, &s->clk);
	}
	check(tid, addr, size, (uint8_t)(ACC_ATOMIC | (store ? ACC_WRITE : 0)), pc);
	if (!store)
		return;
	if (releases(mo)) {
		struct sync *s = sync_find(a, true);
		if (op == RACE_STORE)
			vc_copy(&s->clk, &t->clk);
		else
			vc_join(&s->clk, &t->clk);
		bump(t, i);
	} else if (t->has_relfence) { /* a relaxed store after a release fence */
		struct sync *s = sync_find(a, true);
		vc_join(&s->clk, &t->relfence);
	}
}

ENGINE void race_fence(int tid, int mo)
{
	struct rthread *t = thread(tid);
	uint32_t i = tindex(tid);
	if (acquires(mo))
		vc_join(&t->clk, &t->acqpend);
	if (mo == __ATOMIC_SEQ_CST) {
		vc_join(&t->clk, &T.scfence);
		vc_join(&T.scfence, &t->clk);
	}
	if (releases(mo)) {
		vc_copy(&t->relfence, &t->clk);
		t->has_relfence = true;
		bump(t, i);
	}
}

ENGINE void race_free(const void *addr, size_t size)
{
	if (size == 0)
		return;
	uintptr_t lo = (uintptr_t)addr, hi = lo + size;
	uintptr_t klo = lo >> 3, khi = (hi - 1) >> 3;
	/* Shadow: granule by granule, or every cell of the run when they
	 * are fewer. */
	if (C.n) {
		bool each = khi - klo < C.n;
		for (uintptr_t k = klo, i = 0; each ? k <= khi : i < C.n; k++, i++) {
			struct cell *c = each ? cell_find(k, false) : &C.c[i];
			if (!c || c->key < klo || c->key > khi)
				continue;
			uintptr_t s = c->key << 3, e = s + 8;
			uintptr_t from = lo > s ? lo : s, to = hi < e ? hi : e;
			uint8_t m = (uint8_t)(((1u << (to - from)) - 1) << (from & 7));
			struct acc *r = recs(c);
			uint16_t n = 0;
			for (uint16_t j = 0; j < c->n; j++)
				if ((r[j].mask &= (uint8_t)~m))
					r[n++] = r[j];
			c->n = n;
		}
	}
	/* Sync clocks: an empty clock is a location never released. */
	if (Y.s && Y.used) {
		uint32_t slots = 1u << Y.bits;
		if (size <= slots) {
			for (uintptr_t p = lo; p < hi; p++) {
				struct sync *s = sync_find(p, false);
				if (s)
					s->clk.n = 0;
			}
		} else {
			for (uint32_t j = 0; j < slots; j++)
				if (Y.s[j].gen == gen && Y.s[j].addr >= lo && Y.s[j].addr < hi)
					Y.s[j].clk.n = 0;
		}
	}
}

/* RACE_BENIGN_READ's copy (runtime/core/race_annot.h): this file is not
 * instrumented, so the detector never sees it. */
ENGINE void race_benign_read(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
}
