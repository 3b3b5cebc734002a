/*
 * fuzz_spawn: spawn trees, channel pipelines, worker pools, token rings and
 * mutex counters whose results are computed sequentially first, run in one
 * simulated runtime per input under the fuzzer's interleavings while
 * resizer goroutines change GOMAXPROCS underneath them.
 *
 * The program (fuzz_common.h) is read by the main goroutine as a list of
 * operations, one byte each (op % 8), followed by argument bytes. Jobs
 * gather into a phase; a phase ends at a barrier (op 7), after 8 jobs, or at
 * the end of the program. Then every job of the phase and its resizers run
 * at once as goroutines, main waits for all of them, and checks.
 *
 *	op  what	 arguments
 *	0   tree	 a b c: fan-out 1 + a%4, depth (a>>2)%6; b%4 how children
 *			 report (0 one channel of cap (b>>2)%5, 1 WaitGroup and
 *			 result slots, 2 sl_select over a channel per child,
 *			 3 by level: 0/1/2 = depth%3); c seed
 *	1   pipeline	 n b c [d] s...: n elements from a source; b: stages
 *			 1 + b%6, bit 3 cancellable (sink closes `done` after d
 *			 elements; everyone selects on it), bits 4-6 the source
 *			 channel's cap (index into caps[]), bit 7 the source
 *			 sends by select; c seed; d only when bit 3; then one
 *			 byte per stage: bits 0-2 its function, 3-5 its output
 *			 cap (caps[]), bit 6 send/receive by select, bit 7 yield
 *			 on some elements
 *	2   pool	 a n c s: 1 + a%16 workers, (a>>4)%3 how results come
 *			 back (0 one channel and a closer, 1 select over two
 *			 channels, 2 result slots and a WaitGroup); n jobs; c
 *			 caps of the jobs (c&7) and results ((c>>3)&7) channels;
 *			 s seed
 *	3   ring	 a b: 2 + a%31 goroutines pass a token around 1 + b%16
 *			 times over channels of cap (b>>4)%3, then a close goes
 *			 round the ring
 *	4   mutex	 a b: 1 + a%8 goroutines add 1 + (a>>3)%32 times each to a
 *			 shared counter under sl_mutex; b seeds which holders
 *			 yield inside, bit 7 takes the lock by trylock loops
 *	5   resize	 b: resizer (b>>6)&1 calls sl_gomaxprocs(1 + b%64), and
 *			 yields after it if bit 7
 *	6   pause	 b: resizer b&1 sleeps (b>>2)*250 ns if bit 1, else
 *			 yields 1 + (b>>2)%8 times
 *	7   barrier	 b: end the phase; then if bit 7 main sets GOMAXPROCS to
 *			 1 + b%64; if bit 6 main waits until it is the only
 *			 goroutine
 *
 * A resizer is a goroutine of the phase that runs its list of resizes and
 * pauses once. Every expected result (tree values keyed by child index,
 * pipeline outputs element by element, pool results keyed by job index,
 * the ring's token, the counter) is computed by plain sequential C before
 * the phase runs. Channels are closed and receivers must see ok=false and a
 * zeroed element after draining; sends and closes on closed channels must
 * fail with SL_ECLOSED. With one resizer, every sl_gomaxprocs returns the
 * value it set before; after a phase the value is the last one set.
 * Everything is freed before the main goroutine returns; schedcheck runs at
 * every barrier with the world stopped.
 *
 * Bounds keep one input short (a few ms in a release build, tens of ms
 * under ASan): at most 1400 goroutines (one full tree of fan-out 4 and
 * depth 5) and 3000 pipeline element hops per input, 512 elements on any
 * pipeline channel; a job that does not fit is left out.
 */
#include "fuzz_common.h"
#include "export_test.h"
#include "schedlab.h"
#include "schedlab_chan.h"
#include "schedlab_sync.h"

#include <stdlib.h>
#include <string.h>

enum {
	MAXPHASEJOBS = 8,
	MAXACTS = 32,
	MAXSTAGES = 6,
	GBUDGET = 1400,	  /* goroutines per input: one whole tree */
	HOPBUDGET = 3000, /* pipeline elements times hops per input */
	MAXELEMS = 512,	  /* elements on one pipeline channel */
	MAXFANOUT = 4,
	MAXPROCS = 64,
};

/* Pipeline and pool channel capacities, chosen by 3 bits. */
static const uint8_t caps[8] = {0, 0, 1, 1, 2, 3, 16, 100};

static uint32_t mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	FUZZ_CHECK(p != NULL);
	return p;
}

static sl_chan *xchan(size_t elemsize, size_t cap)
{
	sl_chan *c = sl_chan_make(elemsize, cap);
	FUZZ_CHECK(c != NULL);
	return c;
}

/* A channel nobody can use any more: it is closed and drained. Receivers
 * see ok=false and a zeroed element, sends and a second close fail. */
static void check_closed_drained(sl_chan *c, size_t elemsize)
{
	uint8_t buf[16];
	bool ok = true;
	memset(buf, 0xA5, sizeof buf);
	FUZZ_CHECK(sl_chan_recv(c, buf, &ok) == 0 && !ok);
	for (size_t i = 0; i < elemsize; i++)
		FUZZ_CHECK(buf[i] == 0);
	ok = true;
	FUZZ_CHECK(sl_chan_tryrecv(c, buf, &ok) == 0 && !ok);
	memset(buf, 0, sizeof buf);
	FUZZ_CHECK(sl_chan_trysend(c, buf) == SL_ECLOSED);
	FUZZ_CHECK(sl_chan_send(c, buf) == SL_ECLOSED);
	FUZZ_CHECK(sl_chan_close(c) == SL_ECLOSED);
	FUZZ_CHECK(sl_chan_len(c) == 0);
}

/* A value-chosen pause: nothing, a yield, or a short sleep. */
static void maybe_pause(uint32_t h)
{
	switch (h & 15) {
	case 0:
	case 1:
		sl_yield();
		break;
	case 2:
		sl_sleep((int64_t)((h >> 4) % 3000));
		break;
	case 3:
		FUZZ_CHECK(sl_gomaxprocs(0) >= 1 && sl_gomaxprocs(0) <= MAXPROCS);
		break;
	default:
		break;
	}
}

/* ---- trees ---- */

enum { T_CHAN, T_WG, T_SELECT, T_MIXED };

struct tree {
	int fanout, depth, mode, cap;
	uint32_t seed;
	uint32_t expect;
};

struct tmsg {
	uint32_t index, value;
};

/* A child's assignment; the parent owns it and frees it once every child
 * has reported. */
struct tnode {
	const struct tree *t;
	uint32_t id;
	int level, index, mode;
	sl_chan *reply;	  /* T_CHAN, T_SELECT */
	sl_waitgroup *wg; /* T_WG */
	uint32_t *slot;	  /* T_WG */
};

static uint32_t tree_nodes(int fanout, int depth)
{
	uint32_t n = 0, w = 1;
	for (int i = 0; i <= depth; i++, w *= (uint32_t)fanout)
		n += w;
	return n;
}

static uint32_t tree_child_id(uint32_t id, int i)
{
	return id * 5 + (uint32_t)i + 1;
}

static uint32_t tree_combine(uint32_t id, const uint32_t *vals, int n)
{
	uint32_t h = mix32(id ^ 0x9e3779b9u);
	for (int i = 0; i < n; i++)
		h = mix32(h * 1000003u + vals[i]);
	return h;
}

/* The value of node id, sequentially. */
static uint32_t tree_expect(const struct tree *t, uint32_t id, int level)
{
	if (level == 0)
		return mix32(t->seed ^ id) & 0xffffff;
	uint32_t vals[MAXFANOUT];
	for (int i = 0; i < t->fanout; i++)
		vals[i] = tree_expect(t, tree_child_id(id, i), level - 1);
	return tree_combine(id ^ t->seed, vals, t->fanout);
}

static void tree_child(void *arg);

/* The value of node id, computed by goroutines: one per child. */
static uint32_t tree_node(const struct tree *t, uint32_t id, int level)
{
	uint32_t h = mix32(t->seed + id * 7919u);
	maybe_pause(h);
	if (level == 0)
		return mix32(t->seed ^ id) & 0xffffff;
	int mode = t->mode == T_MIXED ? level % 3 : t->mode;
	int n = t->fanout;
	struct tnode *kids = xcalloc((size_t)n, sizeof *kids);
	uint32_t vals[MAXFANOUT] = {0};
	bool got[MAXFANOUT] = {false};
	sl_waitgroup wg = SL_WAITGROUP_INIT;
	sl_chan *one = NULL;
	sl_select_case cases[MAXFANOUT];
	struct tmsg msgs[MAXFANOUT];
	bool oks[MAXFANOUT];
	if (mode == T_CHAN)
		one = xchan(sizeof(struct tmsg), (size_t)t->cap);
	if (mode == T_WG)
		sl_waitgroup_add(&wg, n);
	for (int i = 0; i < n; i++) {
		struct tnode *k = &kids[i];
		*k = (struct tnode){.t = t,
				    .id = tree_child_id(id, i),
				    .level = level - 1,
				    .index = i,
				    .mode = mode,
				    .reply = one,
				    .wg = &wg,
				    .slot = &vals[i]};
		if (mode == T_SELECT) {
			k->reply = xchan(sizeof(struct tmsg), (size_t)(i & 1));
			cases[i] = (sl_select_case){
			    .c = k->reply, .dir = SL_SELECT_RECV, .elem = &msgs[i], .ok = &oks[i]};
		}
	}
	/* Spawn in order or backwards, as the node's hash says. */
	for (int j = 0; j < n; j++)
		sl_go(tree_child, &kids[(h & 16) ? n - 1 - j : j]);
	switch (mode) {
	case T_CHAN:
		for (int j = 0; j < n; j++) {
			struct tmsg m = {0};
			bool ok = false;
			FUZZ_CHECK(sl_chan_recv(one, &m, &ok) == 0 && ok);
			FUZZ_CHECK(m.index < (uint32_t)n && !got[m.index]);
			got[m.index] = true;
			vals[m.index] = m.value;
		}
		FUZZ_CHECK(sl_chan_len(one) == 0);
		FUZZ_CHECK(sl_chan_free(one) == 0);
		break;
	case T_WG:
		sl_waitgroup_wait(&wg);
		break;
	case T_SELECT:
		for (int j = 0; j < n; j++) {
			int r = sl_select(cases, n, true);
			FUZZ_CHECK(r >= 0 && r < n && cases[r].c != NULL && oks[r]);
			FUZZ_CHECK(cases[r].err == 0 && msgs[r].index == (uint32_t)r);
			vals[r] = msgs[r].value;
			FUZZ_CHECK(sl_chan_free(cases[r].c) == 0);
			cases[r].c = NULL; /* never ready again */
		}
		/* Every case is NULL now: a non-blocking select finds none. */
		FUZZ_CHECK(sl_select(cases, n, false) == SL_EAGAIN);
		break;
	}
	free(kids);
	return tree_combine(id ^ t->seed, vals, n);
}

static void tree_child(void *arg)
{
	struct tnode *k = arg;
	uint32_t v = tree_node(k->t, k->id, k->level);
	struct tmsg m = {(uint32_t)k->index, v};
	switch (k->mode) {
	case T_CHAN:
	case T_SELECT:
		FUZZ_CHECK(sl_chan_send(k->reply, &m) == 0);
		break;
	case T_WG:
		*k->slot = v;
		sl_waitgroup_done(k->wg);
		break;
	}
}

static void tree_run(struct tree *t)
{
	FUZZ_CHECK(tree_node(t, 0, t->depth) == t->expect);
}

/* ---- pipelines ---- */

enum { F_AFFINE, F_XOR, F_DROPODD, F_DROP3, F_DUP, F_SUM, F_PAIR, F_INDEX };

struct stage {
	uint8_t fn, cap;
	bool sel, yield;
	uint32_t k;
};

/* A stage's running state: the same code runs sequentially and in its
 * goroutine. */
struct stagestate {
	uint32_t acc, held, count;
	bool has;
};

/* Feed x to the stage; its outputs go to out (at most 2). */
static int stage_step(const struct stage *s, struct stagestate *st, uint32_t x, uint32_t *out)
{
	switch (s->fn) {
	case F_AFFINE:
		out[0] = x * 3 + s->k;
		return 1;
	case F_XOR:
		out[0] = x ^ (x >> 7) ^ s->k;
		return 1;
	case F_DROPODD:
		if (x & 1)
			return 0;
		out[0] = x;
		return 1;
	case F_DROP3:
		if (x % 3 == 0)
			return 0;
		out[0] = x;
		return 1;
	case F_DUP:
		out[0] = x;
		out[1] = x ^ s->k;
		return 2;
	case F_SUM:
		st->acc += x;
		out[0] = st->acc;
		return 1;
	case F_PAIR:
		if (!st->has) {
			st->held = x;
			st->has = true;
			return 0;
		}
		st->has = false;
		out[0] = st->held * 2 + x;
		return 1;
	default: /* F_INDEX */
		out[0] = (st->count++ << 20) ^ x;
		return 1;
	}
}

/* The input has ended: what the stage still holds. */
static int stage_flush(const struct stage *s, struct stagestate *st, uint32_t *out)
{
	if (s->fn == F_PAIR && st->has) {
		st->has = false;
		out[0] = st->held;
		return 1;
	}
	return 0;
}

struct pipe {
	int nel, nst, cancel_at;
	bool cancel, srcsel;
	uint8_t srccap;
	uint32_t seed;
	struct stage st[MAXSTAGES];
	uint32_t *expect;
	int nexpect;
	sl_chan *ch[MAXSTAGES + 1]; /* ch[0] from the source, ch[nst] to the sink */
	sl_chan *done;		    /* closed by the sink to cancel */
	sl_waitgroup wg;	    /* the source and the stages */
};

struct pipearg {
	struct pipe *p;
	int idx; /* 0 the source, 1..nst the stages */
};

static uint32_t pipe_source(const struct pipe *p, int i)
{
	return mix32(p->seed * 65537u + (uint32_t)i) & 0xfffff;
}

/* The sink's expected elements; false where a stage would hold more than
 * MAXELEMS elements or the whole pipeline would pass more than hops. */
static bool pipe_expect(struct pipe *p, int *hops)
{
	uint32_t *cur = xcalloc(MAXELEMS, sizeof *cur), *next = xcalloc(MAXELEMS, sizeof *next);
	int n = p->nel, h = n;
	for (int i = 0; i < n; i++)
		cur[i] = pipe_source(p, i);
	for (int s = 0; s < p->nst; s++) {
		struct stagestate st = {0};
		int m = 0;
		uint32_t out[2];
		for (int i = 0; i < n; i++) {
			int k = stage_step(&p->st[s], &st, cur[i], out);
			if (m + k > MAXELEMS) {
				free(cur);
				free(next);
				return false;
			}
			for (int j = 0; j < k; j++)
				next[m++] = out[j];
		}
		int k = stage_flush(&p->st[s], &st, out);
		if (m + k > MAXELEMS) {
			free(cur);
			free(next);
			return false;
		}
		for (int j = 0; j < k; j++)
			next[m++] = out[j];
		uint32_t *t = cur;
		cur = next;
		next = t;
		n = m;
		h += n;
	}
	free(next);
	if (h > *hops) {
		free(cur);
		return false;
	}
	*hops -= h;
	p->expect = cur;
	p->nexpect = n;
	return true;
}

/* Send v on c, or give up when the pipeline is cancelled. */
static bool pipe_send(struct pipe *p, sl_chan *c, uint32_t v, bool sel)
{
	if (!p->cancel && !sel) {
		FUZZ_CHECK(sl_chan_send(c, &v) == 0);
		return true;
	}
	/* A NULL channel's case, when not cancellable, is never ready. */
	sl_select_case cs[2] = {
	    {.c = c, .dir = SL_SELECT_SEND, .elem = &v},
	    {.c = p->cancel ? p->done : NULL, .dir = SL_SELECT_RECV},
	};
	int r = sl_select(cs, 2, true);
	FUZZ_CHECK(r == 0 || (r == 1 && p->cancel));
	if (r == 0)
		FUZZ_CHECK(cs[0].err == 0);
	return r == 0;
}

/* Receive from c: false once it is closed and drained, or when the
 * pipeline is cancelled. */
static bool pipe_recv(struct pipe *p, sl_chan *c, uint32_t *v, bool sel)
{
	bool ok = false;
	*v = 0xdeadbeef;
	if (!sel) {
		FUZZ_CHECK(sl_chan_recv(c, v, &ok) == 0);
	} else {
		bool dok = true;
		sl_select_case cs[2] = {
		    {.c = c, .dir = SL_SELECT_RECV, .elem = v, .ok = &ok},
		    {.c = p->cancel ? p->done : NULL, .dir = SL_SELECT_RECV, .ok = &dok},
		};
		int r = sl_select(cs, 2, true);
		FUZZ_CHECK(r == 0 || (r == 1 && p->cancel && !dok));
		if (r == 1)
			return false;
	}
	if (!ok)
		FUZZ_CHECK(*v == 0);
	return ok;
}

static bool pipe_cancelled(struct pipe *p)
{
	bool ok = true;
	return p->cancel && sl_chan_tryrecv(p->done, NULL, &ok) == 0;
}

static void pipe_stage(void *arg)
{
	struct pipearg *a = arg;
	struct pipe *p = a->p;
	if (a->idx == 0) {
		sl_chan *out = p->ch[0];
		for (int i = 0; i < p->nel; i++)
			if (!pipe_send(p, out, pipe_source(p, i), p->srcsel))
				break;
		FUZZ_CHECK(sl_chan_close(out) == 0);
		sl_waitgroup_done(&p->wg);
		return;
	}
	const struct stage *s = &p->st[a->idx - 1];
	sl_chan *in = p->ch[a->idx - 1], *out = p->ch[a->idx];
	struct stagestate st = {0};
	uint32_t x, o[2];
	bool live = true;
	while (live && pipe_recv(p, in, &x, s->sel)) {
		if (s->yield && (x & 3) == 0)
			sl_yield();
		int k = stage_step(s, &st, x, o);
		for (int j = 0; j < k && live; j++)
			live = pipe_send(p, out, o[j], s->sel);
	}
	/* Flush only an input that really ended: a cancelled upstream closes
	 * early, and what the stage holds would not be the next element. */
	if (live && !pipe_cancelled(p)) {
		int k = stage_flush(s, &st, o);
		for (int j = 0; j < k && live; j++)
			live = pipe_send(p, out, o[j], s->sel);
	}
	FUZZ_CHECK(sl_chan_close(out) == 0);
	sl_waitgroup_done(&p->wg);
}

static void pipe_run(struct pipe *p)
{
	struct pipearg args[MAXSTAGES + 1];
	p->ch[0] = xchan(sizeof(uint32_t), p->srccap);
	for (int s = 0; s < p->nst; s++)
		p->ch[s + 1] = xchan(sizeof(uint32_t), p->st[s].cap);
	if (p->cancel)
		p->done = xchan(0, 0);
	sl_waitgroup_add(&p->wg, p->nst + 1);
	for (int i = 0; i <= p->nst; i++) {
		args[i] = (struct pipearg){p, i};
		sl_go(pipe_stage, &args[i]);
	}
	sl_chan *last = p->ch[p->nst];
	int n = 0;
	bool cancelled = false;
	if (p->cancel && p->cancel_at == 0) {
		FUZZ_CHECK(sl_chan_close(p->done) == 0);
		cancelled = true;
	}
	for (;;) {
		uint32_t v = 0xdeadbeef;
		bool ok = false;
		FUZZ_CHECK(sl_chan_recv(last, &v, &ok) == 0);
		if (!ok) {
			FUZZ_CHECK(v == 0);
			break;
		}
		/* Order is kept along a pipeline: what arrives is a prefix. */
		FUZZ_CHECK(n < p->nexpect && v == p->expect[n]);
		n++;
		if (p->cancel && !cancelled && n == p->cancel_at) {
			FUZZ_CHECK(sl_chan_close(p->done) == 0);
			cancelled = true;
		}
	}
	if (cancelled)
		FUZZ_CHECK(n >= p->cancel_at);
	else
		FUZZ_CHECK(n == p->nexpect);
	sl_waitgroup_wait(&p->wg);
	for (int s = 0; s <= p->nst; s++) {
		/* A stage that gave up leaves its input closed, not drained. */
		uint32_t v;
		bool ok = true;
		for (int k = 0; cancelled && ok; k++)
			FUZZ_CHECK(k <= MAXELEMS && sl_chan_recv(p->ch[s], &v, &ok) == 0);
		check_closed_drained(p->ch[s], sizeof(uint32_t));
		FUZZ_CHECK(sl_chan_free(p->ch[s]) == 0);
	}
	if (p->done) {
		if (!cancelled)
			FUZZ_CHECK(sl_chan_close(p->done) == 0);
		check_closed_drained(p->done, 0);
		FUZZ_CHECK(sl_chan_free(p->done) == 0);
	}
}

/* ---- worker pools ---- */

enum { P_CHAN, P_SELECT2, P_SLOTS };

struct pmsg {
	uint32_t idx, value;
};

struct pool {
	int workers, n, mode;
	uint8_t jcap, rcap;
	uint32_t seed;
	sl_chan *jobs, *res[2];
	sl_waitgroup wg; /* the workers */
	uint32_t *slot;
	uint8_t *seen;
};

static uint32_t pool_input(const struct pool *pl, int i)
{
	return mix32(pl->seed ^ ((uint32_t)i * 2654435761u));
}

/* A worker's job: some rounds of mixing, maybe a pause. */
static uint32_t pool_work(uint32_t x, bool pause)
{
	uint32_t v = x;
	for (uint32_t i = 0; i < (x & 7); i++)
		v = mix32(v + i);
	if (pause) {
		if (((x >> 3) & 3) == 0)
			sl_yield();
		if (((x >> 5) & 15) == 0)
			sl_sleep((int64_t)((x >> 9) & 4095));
	}
	return v;
}

static void pool_producer(void *arg)
{
	struct pool *pl = arg;
	for (int i = 0; i < pl->n; i++) {
		struct pmsg m = {(uint32_t)i, pool_input(pl, i)};
		FUZZ_CHECK(sl_chan_send(pl->jobs, &m) == 0);
	}
	FUZZ_CHECK(sl_chan_close(pl->jobs) == 0);
}

static void pool_worker(void *arg)
{
	struct pool *pl = arg;
	struct pmsg m;
	bool ok;
	for (;;) {
		FUZZ_CHECK(sl_chan_recv(pl->jobs, &m, &ok) == 0);
		if (!ok)
			break;
		m.value = pool_work(m.value, true);
		switch (pl->mode) {
		case P_CHAN:
			FUZZ_CHECK(sl_chan_send(pl->res[0], &m) == 0);
			break;
		case P_SELECT2: {
			sl_select_case cs[2] = {
			    {.c = pl->res[0], .dir = SL_SELECT_SEND, .elem = &m},
			    {.c = pl->res[1], .dir = SL_SELECT_SEND, .elem = &m},
			};
			int r = sl_select(cs, 2, true);
			FUZZ_CHECK((r == 0 || r == 1) && cs[r].err == 0);
			break;
		}
		default:
			pl->slot[m.idx] = m.value;
			pl->seen[m.idx]++;
			break;
		}
	}
	sl_waitgroup_done(&pl->wg);
}

/* Close the results once every worker is done (Go's closer goroutine). */
static void pool_closer(void *arg)
{
	struct pool *pl = arg;
	sl_waitgroup_wait(&pl->wg);
	FUZZ_CHECK(sl_chan_close(pl->res[0]) == 0);
	if (pl->res[1])
		FUZZ_CHECK(sl_chan_close(pl->res[1]) == 0);
}

static void pool_take(struct pool *pl, const struct pmsg *m)
{
	FUZZ_CHECK(m->idx < (uint32_t)pl->n && pl->seen[m->idx] == 0);
	pl->seen[m->idx] = 1;
	pl->slot[m->idx] = m->value;
}

static void pool_run(struct pool *pl)
{
	pl->slot = xcalloc((size_t)pl->n, sizeof *pl->slot);
	pl->seen = xcalloc((size_t)pl->n, sizeof *pl->seen);
	pl->jobs = xchan(sizeof(struct pmsg), pl->jcap);
	if (pl->mode != P_SLOTS)
		pl->res[0] = xchan(sizeof(struct pmsg), pl->rcap);
	if (pl->mode == P_SELECT2)
		pl->res[1] = xchan(sizeof(struct pmsg), pl->rcap / 2);
	sl_waitgroup_add(&pl->wg, pl->workers);
	sl_go(pool_producer, pl);
	for (int i = 0; i < pl->workers; i++)
		sl_go(pool_worker, pl);
	switch (pl->mode) {
	case P_CHAN:
		sl_go(pool_closer, pl);
		for (;;) {
			struct pmsg m;
			bool ok;
			FUZZ_CHECK(sl_chan_recv(pl->res[0], &m, &ok) == 0);
			if (!ok)
				break;
			pool_take(pl, &m);
		}
		break;
	case P_SELECT2: {
		sl_go(pool_closer, pl);
		struct pmsg m[2];
		bool ok[2];
		sl_select_case cs[2] = {
		    {.c = pl->res[0], .dir = SL_SELECT_RECV, .elem = &m[0], .ok = &ok[0]},
		    {.c = pl->res[1], .dir = SL_SELECT_RECV, .elem = &m[1], .ok = &ok[1]},
		};
		/* Go's idiom: a closed channel's case becomes a nil channel's. */
		while (cs[0].c || cs[1].c) {
			int r = sl_select(cs, 2, true);
			FUZZ_CHECK((r == 0 || r == 1) && cs[r].c != NULL);
			if (ok[r])
				pool_take(pl, &m[r]);
			else
				cs[r].c = NULL;
		}
		break;
	}
	default:
		sl_waitgroup_wait(&pl->wg);
		break;
	}
	for (int i = 0; i < pl->n; i++) {
		FUZZ_CHECK(pl->seen[i] == 1);
		FUZZ_CHECK(pl->slot[i] == pool_work(pool_input(pl, i), false));
	}
	/* pool_closer waited for every worker, and each worker saw jobs
	 * closed; in P_SLOTS the workers' WaitGroup says as much. */
	check_closed_drained(pl->jobs, sizeof(struct pmsg));
	FUZZ_CHECK(sl_chan_free(pl->jobs) == 0);
	for (int i = 0; i < 2; i++) {
		if (!pl->res[i])
			continue;
		check_closed_drained(pl->res[i], sizeof(struct pmsg));
		FUZZ_CHECK(sl_chan_free(pl->res[i]) == 0);
	}
	free(pl->slot);
	free(pl->seen);
}

/* ---- rings ---- */

struct ring {
	int n, rounds;
	uint8_t cap;
	uint32_t seed;
	sl_chan **ch; /* ch[i] is node i's input */
};

struct ringarg {
	struct ring *r;
	int i;
};

static uint32_t ring_hop(uint32_t tok, int i)
{
	return mix32(tok + (uint32_t)i);
}

static uint32_t ring_expect(const struct ring *r)
{
	uint32_t tok = r->seed;
	for (int k = 0; k < r->rounds; k++) {
		for (int i = 1; i < r->n; i++)
			tok = ring_hop(tok, i);
		tok = mix32(tok ^ (uint32_t)k);
	}
	return tok;
}

static void ring_node(void *arg)
{
	struct ringarg *a = arg;
	sl_chan *in = a->r->ch[a->i], *out = a->r->ch[(a->i + 1) % a->r->n];
	int i = a->i;
	uint32_t tok;
	bool ok;
	for (;;) {
		FUZZ_CHECK(sl_chan_recv(in, &tok, &ok) == 0);
		if (!ok)
			break;
		tok = ring_hop(tok, i);
		FUZZ_CHECK(sl_chan_send(out, &tok) == 0);
	}
	/* Pass the close on; node 0 sees it come back. */
	FUZZ_CHECK(sl_chan_close(out) == 0);
}

static void ring_run(struct ring *r)
{
	r->ch = xcalloc((size_t)r->n, sizeof *r->ch);
	struct ringarg *args = xcalloc((size_t)r->n, sizeof *args);
	for (int i = 0; i < r->n; i++)
		r->ch[i] = xchan(sizeof(uint32_t), r->cap);
	for (int i = 1; i < r->n; i++) {
		args[i] = (struct ringarg){r, i};
		sl_go(ring_node, &args[i]);
	}
	uint32_t tok = r->seed;
	bool ok;
	for (int k = 0; k < r->rounds; k++) {
		FUZZ_CHECK(sl_chan_send(r->ch[1], &tok) == 0);
		FUZZ_CHECK(sl_chan_recv(r->ch[0], &tok, &ok) == 0 && ok);
		tok = mix32(tok ^ (uint32_t)k);
	}
	FUZZ_CHECK(tok == ring_expect(r));
	FUZZ_CHECK(sl_chan_close(r->ch[1]) == 0);
	/* The close has been round: every node is done with its channels. */
	for (int i = 0; i < r->n; i++) {
		check_closed_drained(r->ch[i], sizeof(uint32_t));
		FUZZ_CHECK(sl_chan_free(r->ch[i]) == 0);
	}
	free(r->ch);
	free(args);
}

/* ---- mutex counters ---- */

struct counter {
	int k, m;
	uint8_t pattern;
	bool trylock;
	sl_mutex mu;
	sl_waitgroup wg;
	bool inside;
	uint64_t value;
};

struct counterarg {
	struct counter *c;
	int i;
};

static uint64_t counter_add(int i, int j)
{
	return (uint64_t)(i + 1) * 1000 + (uint64_t)j;
}

static void counter_worker(void *arg)
{
	struct counterarg *a = arg;
	struct counter *c = a->c;
	for (int j = 0; j < c->m; j++) {
		if (c->trylock && (j & 1)) {
			while (!sl_mutex_trylock(&c->mu))
				sl_yield();
		} else {
			sl_mutex_lock(&c->mu);
		}
		FUZZ_CHECK(!c->inside);
		c->inside = true;
		uint64_t v = c->value;
		if ((mix32(c->pattern + (uint32_t)(a->i * 64 + j)) & 3) == 0)
			sl_yield(); /* hold the lock across a reschedule */
		c->value = v + counter_add(a->i, j);
		c->inside = false;
		sl_mutex_unlock(&c->mu);
	}
	sl_waitgroup_done(&c->wg);
}

static void counter_run(struct counter *c)
{
	struct counterarg args[8];
	uint64_t want = 0;
	for (int i = 0; i < c->k; i++)
		for (int j = 0; j < c->m; j++)
			want += counter_add(i, j);
	sl_waitgroup_add(&c->wg, c->k);
	for (int i = 0; i < c->k; i++) {
		args[i] = (struct counterarg){c, i};
		sl_go(counter_worker, &args[i]);
	}
	sl_waitgroup_wait(&c->wg);
	sl_mutex_lock(&c->mu);
	FUZZ_CHECK(c->value == want && !c->inside);
	sl_mutex_unlock(&c->mu);
}

/* ---- phases ---- */

enum jobkind { J_TREE, J_PIPE, J_POOL, J_RING, J_COUNTER };

struct job {
	enum jobkind kind;
	union {
		struct tree tree;
		struct pipe pipe;
		struct pool pool;
		struct ring ring;
		struct counter counter;
	} u;
};

enum { A_RESIZE, A_SLEEP, A_YIELD };

struct act {
	uint8_t kind;
	int v;
	bool yield;
};

struct resizer {
	struct act act[MAXACTS];
	int nact, nresize, last;
	bool alone; /* the only resizer: every previous value is known */
	int prev;   /* GOMAXPROCS when the phase began */
};

static struct {
	struct fuzz_input in;
	struct job job[MAXPHASEJOBS];
	int njob;
	struct resizer rz[2];
	sl_waitgroup wg; /* the phase's goroutines */
	int gbudget, hops;
	int procs; /* GOMAXPROCS between phases */
} R;

static void job_main(void *arg)
{
	struct job *j = arg;
	switch (j->kind) {
	case J_TREE:
		tree_run(&j->u.tree);
		break;
	case J_PIPE:
		pipe_run(&j->u.pipe);
		break;
	case J_POOL:
		pool_run(&j->u.pool);
		break;
	case J_RING:
		ring_run(&j->u.ring);
		break;
	case J_COUNTER:
		counter_run(&j->u.counter);
		break;
	}
	sl_waitgroup_done(&R.wg);
}

static void resizer_main(void *arg)
{
	struct resizer *z = arg;
	int want = z->prev;
	for (int i = 0; i < z->nact; i++) {
		const struct act *a = &z->act[i];
		switch (a->kind) {
		case A_RESIZE: {
			int prev = sl_gomaxprocs(a->v);
			if (z->alone)
				FUZZ_CHECK(prev == want);
			else
				FUZZ_CHECK(prev >= 1 && prev <= MAXPROCS);
			want = a->v;
			if (a->yield)
				sl_yield();
			break;
		}
		case A_SLEEP:
			sl_sleep(a->v);
			break;
		default:
			for (int k = 0; k < a->v; k++)
				sl_yield();
			break;
		}
	}
	sl_waitgroup_done(&R.wg);
}

/* Take n goroutines from the input's budget, if there are that many. */
static bool take_goroutines(int n)
{
	if (n > R.gbudget)
		return false;
	R.gbudget -= n;
	return true;
}

/* Read one job's arguments; false if it does not fit the budget. */
static bool read_job(uint8_t op, struct job *j)
{
	struct fuzz_input *in = &R.in;
	memset(j, 0, sizeof *j);
	switch (op) {
	case 0: {
		struct tree *t = &j->u.tree;
		uint8_t a = fuzz_byte(in), b = fuzz_byte(in), c = fuzz_byte(in);
		j->kind = J_TREE;
		t->fanout = 1 + a % 4;
		t->depth = (a >> 2) % 6;
		t->mode = b % 4;
		t->cap = (b >> 2) % 5;
		t->seed = mix32(c + 0x100u);
		/* Shallower until it fits: the root is the job's goroutine. */
		while (t->depth > 0 && (int)tree_nodes(t->fanout, t->depth) > R.gbudget)
			t->depth--;
		if (!take_goroutines((int)tree_nodes(t->fanout, t->depth)))
			return false;
		t->expect = tree_expect(t, 0, t->depth);
		return true;
	}
	case 1: {
		struct pipe *p = &j->u.pipe;
		uint8_t n = fuzz_byte(in), b = fuzz_byte(in), c = fuzz_byte(in);
		j->kind = J_PIPE;
		p->nel = n;
		p->nst = 1 + b % MAXSTAGES;
		p->cancel = (b >> 3) & 1;
		p->srccap = caps[(b >> 4) & 7];
		p->srcsel = (b >> 7) & 1;
		p->seed = c;
		if (p->cancel)
			p->cancel_at = fuzz_byte(in);
		for (int s = 0; s < p->nst; s++) {
			uint8_t x = fuzz_byte(in);
			p->st[s] = (struct stage){.fn = x & 7,
						  .cap = caps[(x >> 3) & 7],
						  .sel = (x >> 6) & 1,
						  .yield = (x >> 7) & 1,
						  .k = (uint32_t)s * 7919u + x};
		}
		if (!pipe_expect(p, &R.hops))
			return false;
		if (!take_goroutines(p->nst + 2)) {
			free(p->expect);
			p->expect = NULL;
			return false;
		}
		return true;
	}
	case 2: {
		struct pool *pl = &j->u.pool;
		uint8_t a = fuzz_byte(in), n = fuzz_byte(in), c = fuzz_byte(in), s = fuzz_byte(in);
		j->kind = J_POOL;
		pl->workers = 1 + a % 16;
		pl->mode = (a >> 4) % 3;
		pl->n = n;
		pl->jcap = caps[c & 7];
		pl->rcap = caps[(c >> 3) & 7];
		pl->seed = mix32(s + 0x200u);
		return take_goroutines(pl->workers + 3);
	}
	case 3: {
		struct ring *r = &j->u.ring;
		uint8_t a = fuzz_byte(in), b = fuzz_byte(in);
		j->kind = J_RING;
		r->n = 2 + a % 31;
		r->rounds = 1 + b % 16;
		r->cap = (uint8_t)((b >> 4) % 3);
		r->seed = mix32((uint32_t)a << 8 | b);
		return take_goroutines(r->n);
	}
	default: {
		struct counter *c = &j->u.counter;
		uint8_t a = fuzz_byte(in), b = fuzz_byte(in);
		j->kind = J_COUNTER;
		c->k = 1 + a % 8;
		c->m = 1 + (a >> 3) % 32;
		c->pattern = b & 127;
		c->trylock = (b >> 7) & 1;
		return take_goroutines(c->k + 1);
	}
	}
}

static void add_act(struct resizer *z, struct act a)
{
	if (z->nact < MAXACTS)
		z->act[z->nact++] = a;
}

/* Run the phase read so far, check it, and free it. */
static void run_phase(void)
{
	int nrz = 0;
	for (int i = 0; i < 2; i++)
		nrz += R.rz[i].nact > 0;
	int nresizing = (R.rz[0].nresize > 0) + (R.rz[1].nresize > 0);
	for (int i = 0; i < 2; i++) {
		R.rz[i].alone = nresizing <= 1;
		R.rz[i].prev = R.procs;
	}
	sl_waitgroup_add(&R.wg, R.njob + nrz);
	/* The resizers start first, so that they overlap the jobs. */
	for (int i = 0; i < 2; i++)
		if (R.rz[i].nact > 0)
			sl_go(resizer_main, &R.rz[i]);
	for (int i = 0; i < R.njob; i++)
		sl_go(job_main, &R.job[i]);
	sl_waitgroup_wait(&R.wg);

	int now = sl_gomaxprocs(0);
	if (nresizing == 0)
		FUZZ_CHECK(now == R.procs);
	else if (nresizing == 1)
		FUZZ_CHECK(now == (R.rz[0].nresize ? R.rz[0].last : R.rz[1].last));
	else
		FUZZ_CHECK(now == R.rz[0].last || now == R.rz[1].last);
	R.procs = now;
	schedcheck_stw();

	for (int i = 0; i < R.njob; i++)
		if (R.job[i].kind == J_PIPE)
			free(R.job[i].u.pipe.expect);
	R.njob = 0;
	memset(R.rz, 0, sizeof R.rz);
}

/* Wait (in virtual time) until main is the only goroutine left. */
static void wait_alone(void)
{
	for (int i = 0; i < 1000 && sl_numgoroutine() > 1; i++)
		sl_sleep(1000);
	FUZZ_CHECK(sl_numgoroutine() == 1);
}

static int program(void *arg)
{
	(void)arg;
	struct fuzz_input *in = &R.in;
	R.procs = sl_gomaxprocs(0);
	FUZZ_CHECK(R.procs == in->cfg.ncpu);
	while (fuzz_more(in)) {
		uint8_t op = fuzz_byte(in) % 8;
		if (op <= 4) {
			if (read_job(op, &R.job[R.njob]))
				R.njob++;
			if (R.njob == MAXPHASEJOBS)
				run_phase();
		} else if (op == 5) {
			uint8_t b = fuzz_byte(in);
			struct resizer *z = &R.rz[(b >> 6) & 1];
			int n = 1 + b % 64;
			if (z->nact < MAXACTS) {
				z->nresize++;
				z->last = n;
			}
			add_act(z, (struct act){.kind = A_RESIZE, .v = n, .yield = (b >> 7) & 1});
		} else if (op == 6) {
			uint8_t b = fuzz_byte(in);
			struct resizer *z = &R.rz[b & 1];
			if (b & 2)
				add_act(z, (struct act){.kind = A_SLEEP, .v = (b >> 2) * 250});
			else
				add_act(z, (struct act){.kind = A_YIELD, .v = 1 + (b >> 2) % 8});
		} else {
			uint8_t b = fuzz_byte(in);
			run_phase();
			if (b & 0x80) {
				int n = 1 + b % 64;
				FUZZ_CHECK(sl_gomaxprocs(n) == R.procs);
				R.procs = n;
			}
			if (b & 0x40)
				wait_alone();
		}
	}
	run_phase();
	wait_alone();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(&R, 0, sizeof R);
	fuzz_input_parse(&R.in, data, size);
	R.gbudget = GBUDGET;
	R.hops = HOPBUDGET;
	FUZZ_CHECK(sl_sim_run(&R.in.cfg, program, NULL) == 0);
	return 0;
}
