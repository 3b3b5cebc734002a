/*
 * test_chan: channels. One mode per run (argv[1]); ctest runs each at
 * GOMAXPROCS 1 and 4 where scheduling matters. Modes that must fail (a
 * goroutine blocked forever) are checked from outside with expect.sh, as
 * their EXPECT blocks say.
 */
#include "chanutil.h"
#include "export_test.h"
#include "schedlab.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* ---- ping-pong on unbuffered channels ---- */

enum { PINGS = 100000 };

struct pingpong {
	sl_chan *ping, *pong;
	int64_t n;
	int64_t count;
};

static void ponger(void *arg)
{
	struct pingpong *pp = arg;
	for (;;) {
		int64_t v;
		bool ok;
		CHECK_EQ(sl_chan_recv(pp->ping, &v, &ok), 0);
		if (!ok)
			break;
		pp->count++;
		v++;
		CHECK_EQ(sl_chan_send(pp->pong, &v), 0);
	}
	CHECK_EQ(sl_chan_close(pp->pong), 0);
}

static void pingpong(void)
{
	struct pingpong pp = {sl_chan_make(8, 0), sl_chan_make(8, 0), PINGS, 0};
	sl_go(ponger, &pp);
	for (int64_t i = 0; i < pp.n; i++) {
		int64_t v = i * 3, w = -1;
		bool ok = false;
		CHECK_EQ(sl_chan_send(pp.ping, &v), 0);
		CHECK_EQ(sl_chan_recv(pp.pong, &w, &ok), 0);
		CHECK(ok);
		CHECK_EQ(w, i * 3 + 1);
	}
	CHECK_EQ(sl_chan_close(pp.ping), 0);
	bool ok = true;
	int64_t w = 5;
	CHECK_EQ(sl_chan_recv(pp.pong, &w, &ok), 0);
	CHECK(!ok);
	CHECK_EQ(w, 0);
	CHECK_EQ(pp.count, PINGS);
	CHECK_EQ(sl_chan_free(pp.ping), 0);
	CHECK_EQ(sl_chan_free(pp.pong), 0);
}

/* A ring of goroutines passing one token: every hop a rendezvous. */
enum { RING = 16, LAPS = 2000 };
struct ringnode {
	sl_chan *in, *out;
};

static void ringhop(void *arg)
{
	struct ringnode *n = arg;
	int64_t v;
	bool ok;
	while (sl_chan_recv(n->in, &v, &ok) == 0 && ok) {
		v++;
		CHECK_EQ(sl_chan_send(n->out, &v), 0);
	}
	CHECK_EQ(sl_chan_close(n->out), 0);
}

static void ring(void)
{
	sl_chan *ch[RING + 1];
	for (int i = 0; i <= RING; i++)
		ch[i] = sl_chan_make(sizeof(int64_t), 0);
	struct ringnode nodes[RING];
	for (int i = 0; i < RING; i++) {
		nodes[i] = (struct ringnode){ch[i], ch[i + 1]};
		sl_go(ringhop, &nodes[i]);
	}
	int64_t v = 0;
	for (int lap = 0; lap < LAPS; lap++) {
		CHECK_EQ(sl_chan_send(ch[0], &v), 0);
		bool ok = false;
		CHECK_EQ(sl_chan_recv(ch[RING], &v, &ok), 0);
		CHECK(ok);
	}
	CHECK_EQ(v, (int64_t)RING * LAPS);
	CHECK_EQ(sl_chan_close(ch[0]), 0);
	bool ok = true;
	CHECK_EQ(sl_chan_recv(ch[RING], &v, &ok), 0);
	CHECK(!ok);
	/* every node has closed its out channel, so none uses any channel */
	for (int i = 0; i <= RING; i++)
		CHECK_EQ(sl_chan_free(ch[i]), 0);
}

/* ---- close ---- */

struct waiter {
	sl_chan *c;
	int64_t val;
	bool ok;
	int err;
	int64_t *done;
};

static void blocked_recv(void *arg)
{
	struct waiter *w = arg;
	w->val = -1;
	w->ok = true;
	w->err = sl_chan_recv(w->c, &w->val, &w->ok);
	atomic_xadd(w->done, 1);
}

static void blocked_send(void *arg)
{
	struct waiter *w = arg;
	w->err = sl_chan_send(w->c, &w->val);
	atomic_xadd(w->done, 1);
}

static void close_semantics(void)
{
	/* a buffered channel drains before reporting closed */
	sl_chan *c = sl_chan_make(sizeof(int64_t), 3);
	int64_t v = 7;
	CHECK_EQ(sl_chan_send(c, &v), 0);
	v = 8;
	CHECK_EQ(sl_chan_send(c, &v), 0);
	CHECK_EQ(sl_chan_close(c), 0);
	CHECK_EQ(sl_chan_close(c), SL_ECLOSED);
	CHECK_EQ(sl_chan_send(c, &v), SL_ECLOSED);
	CHECK_EQ(sl_chan_trysend(c, &v), SL_ECLOSED);
	CHECK_EQ(sl_chan_len(c), 2);
	bool ok = false;
	CHECK_EQ(sl_chan_recv(c, &v, &ok), 0);
	CHECK(ok);
	CHECK_EQ(v, 7);
	CHECK_EQ(sl_chan_tryrecv(c, &v, &ok), 0);
	CHECK(ok);
	CHECK_EQ(v, 8);
	for (int i = 0; i < 3; i++) {
		v = -1;
		ok = true;
		CHECK_EQ(sl_chan_recv(c, &v, &ok), 0);
		CHECK(!ok);
		CHECK_EQ(v, 0);
		v = -1;
		ok = true;
		CHECK_EQ(sl_chan_tryrecv(c, &v, &ok), 0);
		CHECK(!ok);
		CHECK_EQ(v, 0);
	}
	CHECK_EQ(sl_chan_recv(c, NULL, NULL), 0);
	CHECK_EQ(sl_chan_free(c), 0);

	/* close wakes every blocked receiver with a zero value, not ok */
	enum { K = 10 };
	struct waiter w[K];
	int64_t done = 0;
	c = sl_chan_make(sizeof(int64_t), 0);
	for (int i = 0; i < K; i++) {
		w[i] = (struct waiter){.c = c, .done = &done};
		sl_go(blocked_recv, &w[i]);
	}
	waitparked(c, true, K);
	CHECK_EQ(sl_chan_free(c), SL_EBUSY);
	CHECK_EQ(sl_chan_close(c), 0);
	while (atomic_load(&done) != K)
		sl_yield();
	for (int i = 0; i < K; i++) {
		CHECK_EQ(w[i].err, 0);
		CHECK(!w[i].ok);
		CHECK_EQ(w[i].val, 0);
	}
	CHECK_EQ(sl_chan_free(c), 0);

	/* close wakes every blocked sender with SL_ECLOSED; the buffered
	 * elements stay receivable */
	done = 0;
	c = sl_chan_make(sizeof(int64_t), 2);
	v = 100;
	CHECK_EQ(sl_chan_send(c, &v), 0);
	v = 101;
	CHECK_EQ(sl_chan_send(c, &v), 0);
	for (int i = 0; i < K; i++) {
		w[i] = (struct waiter){.c = c, .val = i, .done = &done, .err = 99};
		sl_go(blocked_send, &w[i]);
	}
	waitparked(c, false, K);
	CHECK_EQ(sl_chan_free(c), SL_EBUSY);
	CHECK_EQ(sl_chan_close(c), 0);
	while (atomic_load(&done) != K)
		sl_yield();
	for (int i = 0; i < K; i++)
		CHECK_EQ(w[i].err, SL_ECLOSED);
	CHECK_EQ(sl_chan_recv(c, &v, &ok), 0);
	CHECK(ok && v == 100);
	CHECK_EQ(sl_chan_recv(c, &v, &ok), 0);
	CHECK(ok && v == 101);
	CHECK_EQ(sl_chan_recv(c, &v, &ok), 0);
	CHECK(!ok && v == 0);
	CHECK_EQ(sl_chan_free(c), 0);

	/* the same with unbuffered channels, and a receiver woken by a send
	 * rather than close is not affected */
	c = sl_chan_make(sizeof(int64_t), 0);
	done = 0;
	w[0] = (struct waiter){.c = c, .val = 5, .done = &done};
	sl_go(blocked_send, &w[0]);
	waitparked(c, false, 1);
	CHECK_EQ(sl_chan_recv(c, &v, &ok), 0);
	CHECK(ok && v == 5);
	while (atomic_load(&done) != 1)
		sl_yield();
	CHECK_EQ(w[0].err, 0);
	CHECK_EQ(sl_chan_close(c), 0);
	CHECK_EQ(sl_chan_free(c), 0);
}

/* ---- FIFO with many senders and receivers ---- */

enum { NSEND = 8, NRECV = 8, PERSENDER = 10000 };

struct fifo {
	sl_chan *c;
	sl_chan *done; /* each sender and receiver sends its id when finished */
	int64_t *seen[NRECV];
	int64_t nseen[NRECV];
};

struct fifoarg {
	struct fifo *f;
	int64_t id;
};

static void fifo_sender(void *arg)
{
	struct fifoarg *a = arg;
	for (int64_t i = 0; i < PERSENDER; i++) {
		int64_t v = a->id << 32 | i;
		CHECK_EQ(sl_chan_send(a->f->c, &v), 0);
	}
	CHECK_EQ(sl_chan_send(a->f->done, &a->id), 0);
}

static void fifo_receiver(void *arg)
{
	struct fifoarg *a = arg;
	struct fifo *f = a->f;
	int64_t last[NSEND];
	for (int i = 0; i < NSEND; i++)
		last[i] = -1;
	for (;;) {
		int64_t v;
		bool ok;
		CHECK_EQ(sl_chan_recv(f->c, &v, &ok), 0);
		if (!ok)
			break;
		int64_t s = v >> 32, i = v & 0xffffffff;
		CHECK(s >= 0 && s < NSEND && i < PERSENDER);
		CHECK(i > last[s]); /* each sender's values arrive in order */
		last[s] = i;
		f->seen[a->id][f->nseen[a->id]++] = v;
	}
	CHECK_EQ(sl_chan_send(f->done, &a->id), 0);
}

static void fifo_run(size_t cap)
{
	struct fifo f = {
	    sl_chan_make(sizeof(int64_t), cap), sl_chan_make(sizeof(int64_t), 0), {0}, {0}};
	CHECK(f.c && f.done);
	struct fifoarg sa[NSEND], ra[NRECV];
	for (int i = 0; i < NRECV; i++) {
		f.seen[i] = malloc(sizeof(int64_t) * NSEND * PERSENDER);
		ra[i] = (struct fifoarg){&f, i};
		sl_go(fifo_receiver, &ra[i]);
	}
	for (int i = 0; i < NSEND; i++) {
		sa[i] = (struct fifoarg){&f, i};
		sl_go(fifo_sender, &sa[i]);
	}
	for (int i = 0; i < NSEND; i++)
		CHECK_EQ(sl_chan_recv(f.done, NULL, NULL), 0);
	CHECK_EQ(sl_chan_close(f.c), 0);
	for (int i = 0; i < NRECV; i++)
		CHECK_EQ(sl_chan_recv(f.done, NULL, NULL), 0);

	/* every value exactly once */
	uint8_t *count = calloc(NSEND * PERSENDER, 1);
	int64_t total = 0;
	for (int r = 0; r < NRECV; r++) {
		for (int64_t k = 0; k < f.nseen[r]; k++) {
			int64_t v = f.seen[r][k];
			count[(v >> 32) * PERSENDER + (v & 0xffffffff)]++;
		}
		total += f.nseen[r];
		free(f.seen[r]);
	}
	CHECK_EQ(total, NSEND * PERSENDER);
	for (int64_t k = 0; k < NSEND * PERSENDER; k++)
		CHECK_EQ(count[k], 1);
	free(count);
	CHECK_EQ(sl_chan_len(f.c), 0);
	CHECK_EQ(sl_chan_free(f.c), 0);
	CHECK_EQ(sl_chan_free(f.done), 0);
}

static void fifo(void)
{
	fifo_run(64);
	fifo_run(0);
	fifo_run(1);
	fifo_run(1000); /* a buffer in its own allocation */
}

/* ---- misuse ---- */

static sl_chan *shared;

static void foreign_ops(void *arg)
{
	int *res = arg;
	int64_t v = 1;
	bool ok;
	res[0] = sl_chan_send(shared, &v);
	res[1] = sl_chan_recv(shared, &v, &ok);
	res[2] = sl_chan_send(NULL, &v);
	res[3] = sl_chan_recv(NULL, &v, &ok);
	res[4] = sl_chan_trysend(shared, &v); /* buffered, room: works */
	v = 0;
	res[5] = sl_chan_tryrecv(shared, &v, &ok);
	res[6] = (int)v;
	res[7] = sl_chan_tryrecv(shared, &v, &ok);
	sl_select_case cs[1] = {{shared, SL_SELECT_RECV, &v, &ok, 0}};
	res[8] = sl_select(cs, 1, true);
	res[9] = sl_select(cs, 1, false);
	res[10] = sl_chan_close(shared);
}

/* Every call with the freed channel c sees it freed. The runtime's own
 * check first: were it wrong, the calls would use whatever the memory holds. */
static void check_freed(sl_chan *c)
{
	int64_t v = 5;
	bool ok;
	CHECK(chanfreed(tohchan(c)));
	CHECK_EQ(sl_chan_send(c, &v), SL_EFREED);
	CHECK_EQ(sl_chan_recv(c, &v, &ok), SL_EFREED);
	CHECK_EQ(sl_chan_trysend(c, &v), SL_EFREED);
	CHECK_EQ(sl_chan_tryrecv(c, &v, &ok), SL_EFREED);
	CHECK_EQ(sl_chan_close(c), SL_EFREED);
	CHECK_EQ(sl_chan_free(c), SL_EFREED);
	CHECK_EQ(sl_chan_len(c), 0);
	CHECK_EQ(sl_chan_cap(c), 0);
	sl_select_case cs[1] = {{c, SL_SELECT_RECV, &v, &ok, 0}};
	CHECK_EQ(sl_select(cs, 1, false), SL_EFREED);
}

static void errors(void)
{
	/* absurd sizes */
	CHECK(sl_chan_make(65536, 1) == NULL);
	CHECK(sl_chan_make(8, SIZE_MAX) == NULL);
	CHECK(sl_chan_make(8, (size_t)1 << 46) == NULL);
	CHECK(sl_chan_make(0, SIZE_MAX) == NULL); /* beyond Go's int */
	/* zero-size elements need no buffer: any int capacity (Go's rule) */
	sl_chan *big = sl_chan_make(0, (size_t)1 << 60);
	CHECK(big != NULL && sl_chan_cap(big) == (size_t)1 << 60);
	CHECK_EQ(sl_chan_trysend(big, NULL), 0);
	CHECK_EQ(sl_chan_len(big), 1);
	CHECK_EQ(sl_chan_free(big), 0); /* buffered elements are dropped */
	sl_chan *c = sl_chan_make(65535, 0);
	CHECK(c != NULL);
	CHECK_EQ(sl_chan_free(c), 0);

	/* NULL channel */
	int64_t v = 3;
	bool ok;
	CHECK_EQ(sl_chan_close(NULL), SL_EINVAL);
	CHECK_EQ(sl_chan_trysend(NULL, &v), SL_EAGAIN);
	CHECK_EQ(sl_chan_tryrecv(NULL, &v, &ok), SL_EAGAIN);
	CHECK_EQ(sl_chan_len(NULL), 0);
	CHECK_EQ(sl_chan_cap(NULL), 0);
	CHECK_EQ(sl_chan_free(NULL), 0);

	/* NULL element where one is needed */
	c = sl_chan_make(sizeof v, 1);
	CHECK_EQ(sl_chan_send(c, NULL), SL_EINVAL);
	CHECK_EQ(sl_chan_trysend(c, NULL), SL_EINVAL);
	CHECK_EQ(sl_chan_len(c), 0);

	/* use after free */
	CHECK_EQ(sl_chan_trysend(c, &v), 0);
	CHECK_EQ(sl_chan_free(c), 0);
	check_freed(c);

	/* free of a channel with a blocked goroutine */
	int64_t done = 0;
	c = sl_chan_make(sizeof v, 0);
	struct waiter w = {.c = c, .done = &done};
	sl_go(blocked_recv, &w);
	waitparked(c, true, 1);
	CHECK_EQ(sl_chan_free(c), SL_EBUSY);
	v = 42;
	CHECK_EQ(sl_chan_send(c, &v), 0);
	while (atomic_load(&done) != 1)
		sl_yield();
	CHECK(w.ok && w.val == 42);
	CHECK_EQ(sl_chan_free(c), 0);

	/* blocking calls from a thread that is not a goroutine; the others
	 * work there */
	shared = sl_chan_make(sizeof(int64_t), 1);
	int res[11];
	run_foreign(foreign_ops, res);
	CHECK_EQ(res[0], SL_ENOTGOROUTINE);
	CHECK_EQ(res[1], SL_ENOTGOROUTINE);
	CHECK_EQ(res[2], SL_ENOTGOROUTINE);
	CHECK_EQ(res[3], SL_ENOTGOROUTINE);
	CHECK_EQ(res[4], 0);
	CHECK_EQ(res[5], 0);
	CHECK_EQ(res[6], 1);
	CHECK_EQ(res[7], SL_EAGAIN);
	CHECK_EQ(res[8], SL_ENOTGOROUTINE);
	CHECK_EQ(res[9], SL_EAGAIN);
	CHECK_EQ(res[10], 0);
	CHECK_EQ(sl_chan_trysend(shared, &v), SL_ECLOSED);
	CHECK_EQ(sl_chan_free(shared), 0);
}

/* ---- use after free, with the freed memory in demand ---- */

/*
 * SL_EFREED does not depend on what malloc does with freed memory: after a
 * closed channel of each size class (and one with a buffer of its own) is
 * freed, the program allocates thousands of blocks of the sizes around a
 * header's, fills them with the live channel's magic, and makes and frees
 * channels, fewer than the quarantine: every stale handle still reads as
 * freed. Then, past the quarantine, the oldest freed header is the next
 * channel made: the pool reuses its memory rather than grow.
 */
static void freed_reuse(void)
{
	int64_t v = 1;
	sl_chan *stale[3] = {sl_chan_make(sizeof v, 0), sl_chan_make(sizeof v, 32),
			     sl_chan_make(sizeof v, 1000)};
	for (int i = 0; i < 3; i++) {
		CHECK(stale[i] != NULL);
		if (i > 0)
			CHECK_EQ(sl_chan_trysend(stale[i], &v), 0);
		CHECK_EQ(sl_chan_close(stale[i]), 0);
		CHECK_EQ(sl_chan_free(stale[i]), 0);
		check_freed(stale[i]);
	}

	enum { NBLOCKS = 8192 };
	static void *blocks[NBLOCKS];
	for (int i = 0; i < NBLOCKS; i++) {
		size_t words = (sizeof(struct hchan) + (size_t)(i % 700)) / 8 + 1;
		uint64_t *b = malloc(words * 8);
		CHECK(b != NULL);
		for (size_t j = 0; j < words; j++)
			b[j] = HCHAN_MAGIC;
		blocks[i] = b;
	}
	for (int i = 0; i < 3; i++)
		check_freed(stale[i]);

	/* Class 0 holds stale[0] and stale[2] (whose buffer is an allocation
	 * of its own, behind a class-0 header) and, after this, quarantine - 2
	 * more freed headers: not enough to reuse any. */
	for (int i = 0; i < CHANPOOL_QUARANTINE - 2; i++) {
		sl_chan *c = sl_chan_make(sizeof v, 0);
		CHECK(c != NULL && c != stale[0]);
		CHECK_EQ(sl_chan_free(c), 0);
	}
	sl_chan *live[64];
	for (int i = 0; i < 64; i++) {
		live[i] = sl_chan_make(sizeof v, (size_t)i % 3);
		for (int j = 0; j < 3; j++)
			CHECK(live[i] != stale[j]);
		CHECK_EQ(sl_chan_trysend(live[i], &v), i % 3 ? 0 : SL_EAGAIN);
	}
	for (int i = 0; i < 3; i++)
		check_freed(stale[i]);
	for (int i = 0; i < NBLOCKS; i++)
		free(blocks[i]);
	for (int i = 0; i < 64; i++)
		CHECK_EQ(sl_chan_free(live[i]), 0);

	/* stale[0], the oldest, now has CHANPOOL_QUARANTINE - 1 + 64 freed
	 * class-0 headers behind it (the live ones are class 0 too): past the
	 * quarantine, the next class-0 channel reuses it. */
	sl_chan *again = sl_chan_make(sizeof v, 0);
	CHECK(again == stale[0]);
	CHECK_EQ(sl_chan_len(again), 0);
	CHECK_EQ(sl_chan_trysend(again, &v), SL_EAGAIN); /* live, unbuffered */
	CHECK_EQ(sl_chan_free(again), 0);
}

/* ---- try-operations, len and cap ---- */

static void try_ops(void)
{
	int64_t v = 1, r;
	bool ok;
	/* unbuffered: only with a partner already waiting */
	sl_chan *c = sl_chan_make(sizeof v, 0);
	CHECK_EQ(sl_chan_cap(c), 0);
	CHECK_EQ(sl_chan_trysend(c, &v), SL_EAGAIN);
	CHECK_EQ(sl_chan_tryrecv(c, &r, &ok), SL_EAGAIN);
	int64_t done = 0;
	struct waiter w = {.c = c, .done = &done};
	sl_go(blocked_recv, &w);
	waitparked(c, true, 1);
	v = 77;
	CHECK_EQ(sl_chan_trysend(c, &v), 0);
	while (atomic_load(&done) != 1)
		sl_yield();
	CHECK(w.ok && w.val == 77);
	w = (struct waiter){.c = c, .val = 78, .done = &done};
	sl_go(blocked_send, &w);
	waitparked(c, false, 1);
	r = 0;
	ok = false;
	CHECK_EQ(sl_chan_tryrecv(c, &r, &ok), 0);
	CHECK(ok && r == 78);
	while (atomic_load(&done) != 2)
		sl_yield();
	CHECK_EQ(w.err, 0);
	CHECK_EQ(sl_chan_free(c), 0);

	/* buffered: len and cap follow */
	c = sl_chan_make(sizeof v, 5);
	CHECK_EQ(sl_chan_cap(c), 5);
	for (int64_t i = 0; i < 5; i++) {
		CHECK_EQ(sl_chan_len(c), i);
		CHECK_EQ(sl_chan_trysend(c, &i), 0);
	}
	CHECK_EQ(sl_chan_len(c), 5);
	CHECK_EQ(sl_chan_trysend(c, &v), SL_EAGAIN);
	for (int64_t i = 0; i < 5; i++) {
		CHECK_EQ(sl_chan_tryrecv(c, &r, &ok), 0);
		CHECK(ok && r == i);
		CHECK_EQ(sl_chan_len(c), 4 - i);
	}
	CHECK_EQ(sl_chan_tryrecv(c, &r, &ok), SL_EAGAIN);
	/* wrap around the ring many times */
	for (int64_t i = 0; i < 100; i++) {
		CHECK_EQ(sl_chan_trysend(c, &i), 0);
		if (i % 3 == 2) {
			for (int64_t k = i - 2; k <= i; k++) {
				CHECK_EQ(sl_chan_tryrecv(c, &r, &ok), 0);
				CHECK_EQ(r, k);
			}
		}
	}
	CHECK_EQ(sl_chan_tryrecv(c, &r, &ok), 0);
	CHECK_EQ(r, 99);
	/* a full buffer with a blocked sender: receive takes the head and
	 * moves the sender's value in */
	for (int64_t i = 0; i < 5; i++)
		CHECK_EQ(sl_chan_send(c, &i), 0);
	w = (struct waiter){.c = c, .val = 5, .done = &done};
	sl_go(blocked_send, &w);
	waitparked(c, false, 1);
	CHECK_EQ(sl_chan_len(c), 5);
	for (int64_t i = 0; i <= 5; i++) {
		CHECK_EQ(sl_chan_tryrecv(c, &r, &ok), 0);
		CHECK_EQ(r, i);
	}
	while (atomic_load(&done) != 3)
		sl_yield();
	CHECK_EQ(w.err, 0);
	CHECK_EQ(sl_chan_free(c), 0);
}

/* ---- elemsize 0 ---- */

static void zero_sender(void *arg)
{
	sl_chan *c = arg;
	for (int i = 0; i < 1000; i++)
		CHECK_EQ(sl_chan_send(c, NULL), 0);
	CHECK_EQ(sl_chan_close(c), 0);
}

static void elemsize0(void)
{
	sl_chan *c = sl_chan_make(0, 3);
	CHECK(c);
	CHECK_EQ(sl_chan_cap(c), 3);
	char dummy = 'x';
	CHECK_EQ(sl_chan_send(c, NULL), 0);
	CHECK_EQ(sl_chan_send(c, &dummy), 0);
	CHECK_EQ(sl_chan_trysend(c, NULL), 0);
	CHECK_EQ(sl_chan_len(c), 3);
	CHECK_EQ(sl_chan_trysend(c, NULL), SL_EAGAIN);
	bool ok = false;
	CHECK_EQ(sl_chan_recv(c, NULL, &ok), 0);
	CHECK(ok);
	CHECK_EQ(sl_chan_recv(c, &dummy, &ok), 0);
	CHECK(ok && dummy == 'x'); /* nothing is copied */
	CHECK_EQ(sl_chan_len(c), 1);
	CHECK_EQ(sl_chan_close(c), 0);
	CHECK_EQ(sl_chan_tryrecv(c, NULL, &ok), 0);
	CHECK(ok);
	CHECK_EQ(sl_chan_tryrecv(c, NULL, &ok), 0);
	CHECK(!ok);
	CHECK_EQ(sl_chan_free(c), 0);

	c = sl_chan_make(0, 0);
	sl_go(zero_sender, c);
	int n = 0;
	while (sl_chan_recv(c, NULL, &ok) == 0 && ok)
		n++;
	CHECK_EQ(n, 1000);
	CHECK_EQ(sl_chan_free(c), 0);
}

/* ---- chansend_nb, the timers' send ---- */

static void nb(void)
{
	int64_t v = 9, r;
	bool ok;
	CHECK(!chansend_nb(NULL, &v));
	sl_chan *c = sl_chan_make(sizeof v, 1);
	CHECK(chansend_nb(tohchan(c), &v));
	CHECK(!chansend_nb(tohchan(c), &v)); /* full */
	CHECK_EQ(sl_chan_recv(c, &r, &ok), 0);
	CHECK(ok && r == 9);
	CHECK_EQ(sl_chan_close(c), 0);
	CHECK(!chansend_nb(tohchan(c), &v)); /* closed */
	CHECK_EQ(sl_chan_free(c), 0);

	c = sl_chan_make(sizeof v, 0);
	CHECK(!chansend_nb(tohchan(c), &v)); /* nobody waiting */
	int64_t done = 0;
	struct waiter w = {.c = c, .done = &done};
	sl_go(blocked_recv, &w);
	waitparked(c, true, 1);
	v = 10;
	CHECK(chansend_nb(tohchan(c), &v));
	while (atomic_load(&done) != 1)
		sl_yield();
	CHECK(w.ok && w.val == 10);
	CHECK_EQ(sl_chan_free(c), 0);
}

/* ---- the lock-free fast paths ---- */

/*
 * A try-operation, chansend_nb and a non-blocking select with one channel
 * that find the channel not ready answer without its lock (Go's fast paths,
 * chan.c): here the lock is held throughout, so a path that took it would
 * stop the test (the debug build's rank check throws on a channel lock taken
 * twice; elsewhere it would wait for ever).
 */
static void nolock(void)
{
	int64_t v = 7, r;
	bool ok;
	sl_chan *u = sl_chan_make(sizeof v, 0), *b = sl_chan_make(sizeof v, 2);
	sl_select_case recv1[2] = {{NULL, SL_SELECT_RECV, &r, &ok, 0},
				   {u, SL_SELECT_RECV, &r, &ok, 0}};
	sl_select_case send1[2] = {{u, SL_SELECT_SEND, &v, NULL, 0},
				   {NULL, SL_SELECT_SEND, &v, NULL, 0}};

	/* unbuffered, nobody waiting: neither direction is ready */
	lock(&tohchan(u)->lock);
	CHECK_EQ(sl_chan_trysend(u, &v), SL_EAGAIN);
	CHECK_EQ(sl_chan_tryrecv(u, &r, &ok), SL_EAGAIN);
	CHECK(!chansend_nb(tohchan(u), &v));
	CHECK_EQ(sl_select(recv1, 2, false), SL_EAGAIN);
	CHECK_EQ(sl_select(send1, 2, false), SL_EAGAIN);
	unlock(&tohchan(u)->lock);

	/* buffered: empty, then full */
	recv1[1].c = b;
	send1[0].c = b;
	lock(&tohchan(b)->lock);
	CHECK_EQ(sl_chan_tryrecv(b, &r, &ok), SL_EAGAIN);
	CHECK_EQ(sl_select(recv1, 2, false), SL_EAGAIN);
	unlock(&tohchan(b)->lock);
	CHECK_EQ(sl_chan_send(b, &v), 0);
	CHECK_EQ(sl_chan_send(b, &v), 0);
	lock(&tohchan(b)->lock);
	CHECK_EQ(sl_chan_trysend(b, &v), SL_EAGAIN);
	CHECK(!chansend_nb(tohchan(b), &v));
	CHECK_EQ(sl_select(send1, 2, false), SL_EAGAIN);
	unlock(&tohchan(b)->lock);

	/* closed and drained: a receive completes (zero, !ok) without the lock */
	CHECK_EQ(sl_chan_close(b), 0);
	CHECK_EQ(sl_chan_recv(b, &r, &ok), 0);
	CHECK_EQ(sl_chan_recv(b, &r, &ok), 0);
	CHECK(ok && r == 7);
	CHECK_EQ(sl_chan_close(u), 0);
	sl_chan *both[2] = {u, b};
	for (int i = 0; i < 2; i++) {
		sl_chan *c = both[i];
		recv1[1].c = c;
		lock(&tohchan(c)->lock);
		r = 5;
		ok = true;
		CHECK_EQ(sl_chan_tryrecv(c, &r, &ok), 0);
		CHECK(!ok && r == 0);
		r = 5;
		ok = true;
		recv1[1].err = -1;
		CHECK_EQ(sl_select(recv1, 2, false), 1);
		CHECK(!ok && r == 0 && recv1[1].err == 0);
		unlock(&tohchan(c)->lock);
	}
	CHECK_EQ(sl_chan_free(u), 0);
	CHECK_EQ(sl_chan_free(b), 0);
}

/*
 * A non-blocking select with one channel (the others nil) goes through the
 * try-operations (select.c, selectnb1): each outcome is the one selectgo
 * gives, with the case index, *ok and err set as there.
 */
static void select_nb1(void)
{
	int64_t v = 11, r = 0;
	bool ok = false;
	sl_chan *b = sl_chan_make(sizeof v, 1);
	sl_select_case cs[3] = {
	    {NULL, SL_SELECT_SEND, &v, NULL, 0},
	    {NULL, SL_SELECT_RECV, &r, &ok, 0},
	    {b, SL_SELECT_SEND, &v, NULL, -1},
	};
	/* send: room, then full */
	CHECK_EQ(sl_select(cs, 3, false), 2);
	CHECK_EQ(cs[2].err, 0);
	CHECK_EQ(sl_chan_len(b), 1);
	CHECK_EQ(sl_select(cs, 3, false), SL_EAGAIN);
	/* a send case with no element for a sized channel: refused first */
	cs[2].elem = NULL;
	CHECK_EQ(sl_select(cs, 3, false), SL_EINVAL);
	cs[2].elem = &v;
	/* receive: the element, then nothing */
	cs[2] = (sl_select_case){b, SL_SELECT_RECV, &r, &ok, -1};
	CHECK_EQ(sl_select(cs, 3, false), 2);
	CHECK(ok && r == 11 && cs[2].err == 0);
	CHECK_EQ(sl_select(cs, 3, false), SL_EAGAIN);
	/* closed with an element: the element first, then zero and !ok */
	v = 12;
	CHECK_EQ(sl_chan_send(b, &v), 0);
	CHECK_EQ(sl_chan_close(b), 0);
	r = 0;
	CHECK_EQ(sl_select(cs, 3, false), 2);
	CHECK(ok && r == 12);
	r = 3;
	CHECK_EQ(sl_select(cs, 3, false), 2);
	CHECK(!ok && r == 0 && cs[2].err == 0);
	/* send on closed: the case, with SL_ECLOSED */
	cs[2] = (sl_select_case){b, SL_SELECT_SEND, &v, NULL, 0};
	CHECK_EQ(sl_select(cs, 3, false), 2);
	CHECK_EQ(cs[2].err, SL_ECLOSED);
	CHECK_EQ(sl_chan_free(b), 0);

	/* unbuffered: only with a partner waiting, which it completes */
	sl_chan *u = sl_chan_make(sizeof v, 0);
	int64_t done = 0;
	struct waiter w = {.c = u, .done = &done};
	cs[2] = (sl_select_case){u, SL_SELECT_SEND, &v, NULL, -1};
	CHECK_EQ(sl_select(cs, 3, false), SL_EAGAIN);
	sl_go(blocked_recv, &w);
	waitparked(u, true, 1);
	v = 13;
	CHECK_EQ(sl_select(cs, 3, false), 2);
	CHECK_EQ(cs[2].err, 0);
	while (atomic_load(&done) != 1)
		sl_yield();
	CHECK(w.ok && w.val == 13 && w.err == 0);
	w = (struct waiter){.c = u, .val = 14, .done = &done};
	cs[2] = (sl_select_case){u, SL_SELECT_RECV, &r, &ok, -1};
	CHECK_EQ(sl_select(cs, 3, false), SL_EAGAIN);
	sl_go(blocked_send, &w);
	waitparked(u, false, 1);
	r = 0;
	ok = false;
	CHECK_EQ(sl_select(cs, 3, false), 2);
	CHECK(ok && r == 14 && cs[2].err == 0);
	while (atomic_load(&done) != 2)
		sl_yield();
	CHECK_EQ(w.err, 0);
	CHECK_EQ(sl_chan_free(u), 0);
}

/* ---- a stop-the-world while goroutines communicate ---- */

static void chatter(void *arg)
{
	struct pingpong *pp = arg;
	int64_t v;
	bool ok;
	while (sl_chan_recv(pp->ping, &v, &ok) == 0 && ok) {
		CHECK_EQ(sl_chan_send(pp->pong, &v), 0);
	}
	CHECK_EQ(sl_chan_close(pp->pong), 0);
}

static void resize(void)
{
	struct pingpong pp = {sl_chan_make(8, 0), sl_chan_make(8, 4), 0, 0};
	sl_go(chatter, &pp);
	for (int64_t i = 0; i < 20000; i++) {
		if (i % 1000 == 0)
			sl_gomaxprocs(1 + (int)(i / 1000) % 4);
		int64_t w;
		bool ok;
		CHECK_EQ(sl_chan_send(pp.ping, &i), 0);
		CHECK_EQ(sl_chan_recv(pp.pong, &w, &ok), 0);
		CHECK(ok && w == i);
	}
	CHECK_EQ(sl_chan_close(pp.ping), 0);
	bool ok = true;
	CHECK_EQ(sl_chan_recv(pp.pong, NULL, &ok), 0);
	CHECK(!ok);
	CHECK_EQ(sl_chan_free(pp.ping), 0);
	CHECK_EQ(sl_chan_free(pp.pong), 0);
}

/* ---- things that block forever (checked by expect.sh) ---- */

/*
 * EXPECT nilsend
 * args    nilsend
 * env     GOMAXPROCS=2
 * status  2
 * match   ^blocking$
 * match   ^fatal error: all goroutines are asleep - deadlock!$
 * match   ^goroutine 1 \[chan send \(nil chan\)\]:$
 * nomatch unreachable
 */
static void nilsend(void)
{
	int64_t v = 0;
	printf("blocking\n");
	fflush(stdout);
	sl_chan_send(NULL, &v);
	printf("unreachable\n");
}

/*
 * EXPECT nilrecv
 * args    nilrecv
 * env     GOMAXPROCS=2
 * status  2
 * match   ^blocking$
 * match   ^fatal error: all goroutines are asleep - deadlock!$
 * match   ^goroutine 1 \[chan receive \(nil chan\)\]:$
 * nomatch unreachable
 */
static void nilrecv(void)
{
	printf("blocking\n");
	fflush(stdout);
	sl_chan_recv(NULL, NULL, NULL);
	printf("unreachable\n");
}

/*
 * EXPECT recvdeadlock
 * args    recvdeadlock
 * env     GOMAXPROCS=2
 * status  2
 * match   ^blocking$
 * match   ^fatal error: all goroutines are asleep - deadlock!$
 * match   ^goroutine 1 \[chan receive\]:$
 * nomatch unreachable
 */
static void recvdeadlock(void)
{
	sl_chan *c = sl_chan_make(4, 0);
	printf("blocking\n");
	fflush(stdout);
	sl_chan_recv(c, NULL, NULL);
	printf("unreachable\n");
}

/* ---- measurement: not a test of speed, only of the output ---- */

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void bench(void)
{
	const char *s = getenv("PINGS");
	int64_t n = s ? atoll(s) : 100000;
	struct pingpong pp = {sl_chan_make(8, 0), sl_chan_make(8, 0), n, 0};
	sl_go(ponger, &pp);
	int64_t v = 0, w;
	bool ok;
	CHECK_EQ(sl_chan_send(pp.ping, &v), 0); /* warm up */
	CHECK_EQ(sl_chan_recv(pp.pong, &w, &ok), 0);
	int64_t t0 = now_ns();
	for (int64_t i = 0; i < n; i++) {
		CHECK_EQ(sl_chan_send(pp.ping, &i), 0);
		CHECK_EQ(sl_chan_recv(pp.pong, &w, &ok), 0);
	}
	int64_t dt = now_ns() - t0;
	CHECK_EQ(w, n);
	printf("chan ping-pong round trip: %.1f ns (%lld rounds, GOMAXPROCS=%d)\n",
	       (double)dt / (double)n, (long long)n, sl_gomaxprocs(0));
	CHECK_EQ(sl_chan_close(pp.ping), 0);
	CHECK_EQ(sl_chan_recv(pp.pong, NULL, &ok), 0);
	CHECK(!ok);
	CHECK_EQ(sl_chan_free(pp.ping), 0);
	CHECK_EQ(sl_chan_free(pp.pong), 0);
}

static const struct mode modes[] = {
    {"pingpong", pingpong},
    {"ring", ring},
    {"close", close_semantics},
    {"fifo", fifo},
    {"errors", errors},
    {"try", try_ops},
    {"elemsize0", elemsize0},
    {"nb", nb},
    {"resize", resize},
    {"nilsend", nilsend},
    {"nilrecv", nilrecv},
    {"recvdeadlock", recvdeadlock},
    {"bench", bench},
    {"freed_reuse", freed_reuse},
    {"nolock", nolock},
    {"select_nb1", select_nb1},
    {NULL, NULL},
};

int sl_main(int argc, char **argv)
{
	return run_mode(modes, argc, argv);
}
