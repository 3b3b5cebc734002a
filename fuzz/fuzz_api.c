/*
 * fuzz_api.c: every public entry point of schedlab, called with hostile
 * arguments (sizes, counts, NULL, closed and freed objects) from a program
 * that the input spells. Each call's result is checked against what the
 * headers document; after the hostile calls the runtime must still work, which
 * a small workload of goroutines and channels checks every SANITY_EVERY
 * operations and at the end. Runs on the simulated runtime (fuzz_common.h
 * gives the input format: header, program, scheduler choices).
 *
 * The program is a sequence of operations: one byte picks the operation (byte
 * % NOPS), the bytes after it are its arguments. Missing bytes read as zero.
 *
 *  op  name        arguments
 *   0  CHAN_MAKE   x: slot (bits 0-1), elemsize (2-4) from ES[], y: cap from CAP[]
 *                  (bits 0-2); ES x CAP holds zero, small, 2^47-sized and
 *                  SIZE_MAX requests; the ones that cannot fit give NULL
 *   1  SEND        x: slot (0-1), mode (2-4: try, blocking, NULL elem, select,
 *                  blocking select, the rest try), count-1 (5-7)
 *   2  RECV        x: slot (0-1), mode (2-4: try, blocking, NULL elem, NULL ok,
 *                  select, blocking select, select NULL elem and ok, try),
 *                  count-1 (5-7)
 *   3  CLOSE       x: slot (0-1), close twice (2)
 *   4  FREE        x: slot (0-1); y: which calls to make on the freed channel
 *                  (free, close, trysend, tryrecv, send, recv, len/cap, select)
 *   5  QUERY       len and cap of every slot, NULL and the freed channel
 *   6  NULLCHAN    x: bit mask of calls on a NULL channel
 *   7  SELECT      x: descriptors-1 (0-2), block (3), case count (4-5: the
 *                  descriptors, 9, 100, 65536 cycling through them); then one
 *                  byte per descriptor: channel (0-2: slot 0-3, NULL, NULL,
 *                  freed, slot 0), dir (3-4: recv, send, recv, bad value from
 *                  bits 5-6), NULL elem (5), NULL ok (6)
 *   8  SELECT_BAD  x: bad count / NULL array / bad dir (0-2), block (3)
 *   9  GOMAXPROCS  x: value from PROCS[] (0, negative, INT_MIN, 1.., 1025, INT_MAX)
 *  10  MAXTHREADS  x: value from MAXT[] (< 1, or large: a small limit is a
 *                  legitimate "thread exhaustion")
 *  11  SLEEP       x: value from SLEEP[] (INT64_MIN .. 1 ms)
 *  12  INFO        goid, mid, numcpu, stacksize, numgoroutine, sl_run, yield
 *  13  SYSCALL     x: helpers (0-1), GOMAXPROCS during (2-3), rounds-1 (4-5)
 *  14  TIMER       x: slot (0), call (1-3: new, stop, reset, recv, free, close
 *                  its channel, send into it, stop twice); y: ns from TNS[]
 *  15  TIMER_SEL   x: ns (0-2) from TSEL[], the timer's case (3-4)
 *  16  MUTEX       x: call (0-2: lock, trylock, unlock, contend, trylock
 *                  contend, trylock, unlock, contend), helpers-1 (3-4),
 *                  rounds-1 (5-6), a holder sleeps 1.5 ms (7)
 *  17  WAITGROUP   x: call (0-1: add, done, wait, group), value (2-7)
 *  18  FOREVER     x: a goroutine blocked for good: send/recv on NULL, empty
 *                  select, all-NULL select, a very long sleep (at most 4)
 *  19  EBUSY       x: sl_chan_free while main is blocked on the channel (recv,
 *                  send, select recv, select send), with GOMAXPROCS 1
 *  20  CLOSEWAKE   x: close wakes blocked helpers (0-1: send, recv, select
 *                  send, select recv), helpers-1 (2-3), cap 1 (4), yields (5-7)
 *  21  SANITY      x: workers-1 (0-2), values-1 (3-5), cap (6-7)
 *  22  NESTED      x: levels below the root (0-1), fan-out 1-3 (2-3) of a
 *                  goroutine tree
 *
 * Slots hold channels that only the main goroutine uses, so their state is
 * modelled exactly (sent and received counts, closed); temporary channels
 * carry everything that involves other goroutines. The freed channel is only
 * used until the next channel is made, so that its memory cannot belong to a
 * live channel (SL_EFREED is best effort: a later allocation may reuse it).
 *
 * Not called, because the headers make them fatal or undefined (Go panics or
 * throws): sl_syscall_end without sl_syscall_begin, unlock of an unlocked
 * mutex, a negative WaitGroup counter, sl_setmaxthreads below the thread
 * count, sl_chan_free of a timer's channel, blocking forever on the main
 * goroutine, sl_go(NULL, arg) ("go of nil func value", as in Go).
 */
#include "fuzz_common.h"
#include "schedlab.h"
#include "schedlab_sim.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NSLOT	     4
#define NTIMER	     2
#define NDESC	     8 /* select descriptors, and scratch elements */
#define ELEMMAX	     65536
#define MAXFOREVER   4
#define SANITY_EVERY 16
#define BIGCASES     65536
#define TIMEEPOCH    1000000000LL	/* the simulator's clock starts here */
#define HUGE_NS	     ((int64_t)1 << 50) /* longer than any run */
#define ALLOC_LIMIT  ((size_t)1 << 47)	/* elemsize * cap from here never fits */

enum {
	OP_CHAN_MAKE,
	OP_SEND,
	OP_RECV,
	OP_CLOSE,
	OP_FREE,
	OP_QUERY,
	OP_NULLCHAN,
	OP_SELECT,
	OP_SELECT_BAD,
	OP_GOMAXPROCS,
	OP_MAXTHREADS,
	OP_SLEEP,
	OP_INFO,
	OP_SYSCALL,
	OP_TIMER,
	OP_TIMER_SEL,
	OP_MUTEX,
	OP_WAITGROUP,
	OP_FOREVER,
	OP_EBUSY,
	OP_CLOSEWAKE,
	OP_SANITY,
	OP_NESTED,
	NOPS
};

static const size_t ES[8] = {0, 1, 8, 13, 600, 65535, 65536, SIZE_MAX};
static const size_t CAP[8] = {
    0, 1, 2, 3, 64, (size_t)1 << 47, ((size_t)1 << 47) + 1, SIZE_MAX,
};
static const int PROCS[12] = {
    0, -1, INT_MIN, 1, 2, 3, 4, 8, 64, SL_MAX_GOMAXPROCS, SL_MAX_GOMAXPROCS + 1, INT_MAX,
};
static const int MAXT[6] = {0, -1, INT_MIN, 10000, 1 << 20, INT_MAX};
static const int64_t SLEEP[8] = {INT64_MIN, -1, 0, 1, 50, 1000, 100000, 1000000};
/* The last entry overflows now + ns: signed overflow in the runtime
 * (time.c, timer_start), which UBSan reports. */
static const int64_t TNS[8] = {
    INT64_MIN, -1, 0, 1, 1000, 1000000, INT64_MAX / 2, INT64_MAX,
};
static const int64_t TSEL[8] = {-7, 0, 1, 500, 20000, 1000000, INT64_MIN, 1000};

/* A channel that only the main goroutine touches: its state is known. */
struct slot {
	sl_chan *c;
	size_t es, cap;
	uint64_t sent, recvd; /* the values are numbered from 0 */
	uint32_t gen;	      /* which channel, for the values' pattern */
	bool closed;
};

enum pend { PEND_NO, PEND_YES, PEND_MAYBE };

struct tslot {
	sl_timer *t;
	enum pend pend; /* whether sl_timer_stop would find it pending */
	bool owed;	/* a blocking receive is sure to get a value */
	bool closed;	/* we closed its channel */
};

struct api {
	struct fuzz_input in;
	int procs;	/* GOMAXPROCS as it must be */
	int maxthreads; /* sl_setmaxthreads as it must be */
	int forever;	/* goroutines blocked for good */
	size_t stacksize;
	uint32_t gen;
	unsigned nops, nsanity;
	struct slot s[NSLOT];
	sl_chan *stale; /* freed, and no channel made since */
	size_t stale_es;
	struct tslot t[NTIMER];
	sl_mutex mu;
	bool mu_locked;
	sl_waitgroup wg;
	int64_t wg_count;
	uint8_t *buf; /* NDESC elements of ELEMMAX bytes */
};

/* BIGCASES cases, made on first use and kept for the process's later
 * inputs: op_select writes every case it passes before the call, so nothing
 * of an earlier input's is read. 2.5 MiB that each input using it mapped,
 * faulted in and unmapped again (a large block under AddressSanitizer). */
static sl_select_case *bigcases;

/* ---- values ---- */

static uint8_t pat(uint32_t gen, uint64_t seq, size_t i)
{
	return (uint8_t)(seq * 131 + i * 7 + gen * 29 + 1);
}

static void fill(uint8_t *e, const struct slot *s, uint64_t seq)
{
	for (size_t i = 0; i < s->es; i++)
		e[i] = pat(s->gen, seq, i);
}

static bool matches(const uint8_t *e, const struct slot *s, uint64_t seq)
{
	for (size_t i = 0; i < s->es; i++)
		if (e[i] != pat(s->gen, seq, i))
			return false;
	return true;
}

static bool zeroed(const uint8_t *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (e[i])
			return false;
	return true;
}

static uint8_t *elem(struct api *a, int i)
{
	return a->buf + (size_t)i * ELEMMAX;
}

static uint64_t slen(const struct slot *s)
{
	return s->sent - s->recvd;
}

/* ---- channels ---- */

/* Every channel is made here: from now on, the freed channel's memory may
 * belong to the new one. */
static sl_chan *mkchan(struct api *a, size_t es, size_t cap)
{
	a->stale = NULL;
	return sl_chan_make(es, cap);
}

static sl_chan *mustmake(struct api *a, size_t es, size_t cap)
{
	sl_chan *c = mkchan(a, es, cap);
	FUZZ_CHECK(c != NULL);
	return c;
}

static void slot_free(struct api *a, struct slot *s)
{
	FUZZ_CHECK(sl_chan_free(s->c) == 0);
	if (s->c) {
		a->stale = s->c;
		a->stale_es = s->es;
	}
	memset(s, 0, sizeof *s);
}

static void op_chan_make(struct api *a)
{
	uint8_t x = fuzz_byte(&a->in), y = fuzz_byte(&a->in);
	struct slot *s = &a->s[x & 3];
	size_t es = ES[(x >> 2) & 7], cap = CAP[y & 7];
	slot_free(a, s);
	/* Fits: below 64 KiB elements and 2^47 bytes in all. Go makes a channel
	 * of zero-size elements of any capacity; schedlab refuses one above
	 * 2^47, which schedlab_chan.h does not say: accept both. */
	bool fits = es < ELEMMAX && cap <= ALLOC_LIMIT && es * cap < ALLOC_LIMIT;
	bool either = es == 0 && cap > ALLOC_LIMIT;
	sl_chan *c = mkchan(a, es, cap);
	FUZZ_CHECK(either || (c != NULL) == fits);
	if (!c)
		return;
	s->c = c;
	s->es = es;
	s->cap = cap;
	s->gen = ++a->gen;
	FUZZ_CHECK(sl_chan_cap(c) == cap);
	FUZZ_CHECK(sl_chan_len(c) == 0);
}

/* What a send on s does now, never blocking. */
static int send_want(const struct slot *s, bool nullelem)
{
	if (!s->c)
		return SL_EAGAIN;
	if (nullelem && s->es)
		return SL_EINVAL;
	if (s->closed)
		return SL_ECLOSED;
	return slen(s) < s->cap ? 0 : SL_EAGAIN;
}

/* What a receive on s does now: 0 (ok true), 1 (0, ok false) or SL_EAGAIN. */
static int recv_want(const struct slot *s)
{
	if (!s->c)
		return SL_EAGAIN;
	if (slen(s) > 0)
		return 0;
	return s->closed ? 1 : SL_EAGAIN;
}

static void op_send(struct api *a)
{
	uint8_t x = fuzz_byte(&a->in);
	struct slot *s = &a->s[x & 3];
	int mode = (x >> 2) & 7, n = 1 + (x >> 5);
	uint8_t *e = elem(a, 0);
	for (int i = 0; i < n; i++) {
		bool nullelem = mode == 2;
		int want = send_want(s, nullelem);
		bool canblock = s->c && want != SL_EAGAIN;
		fill(e, s, s->sent);
		int r;
		if (mode == 3 || mode == 4) {
			sl_select_case cs = {s->c, SL_SELECT_SEND, e, NULL, 777};
			r = sl_select(&cs, 1, mode == 4 && canblock);
			if (r == 0)
				r = cs.err;
			else
				FUZZ_CHECK(cs.err == 777);
		} else if (mode == 1 && canblock) {
			r = sl_chan_send(s->c, e);
		} else {
			r = sl_chan_trysend(s->c, nullelem ? NULL : e);
		}
		FUZZ_CHECK(r == want);
		if (r == 0)
			s->sent++;
		FUZZ_CHECK(sl_chan_len(s->c) == slen(s));
	}
}

static void op_recv(struct api *a)
{
	uint8_t x = fuzz_byte(&a->in);
	struct slot *s = &a->s[x & 3];
	int mode = (x >> 2) & 7, n = 1 + (x >> 5);
	uint8_t *e = elem(a, 0);
	for (int i = 0; i < n; i++) {
		int want = recv_want(s);
		bool canblock = s->c && want != SL_EAGAIN;
		bool nullelem = mode == 2 || mode == 6, nullok = mode == 3 || mode == 6;
		bool ok = want != 0;
		memset(e, 0xa5, s->es);
		int r;
		if (mode >= 4) {
			sl_select_case cs = {s->c, SL_SELECT_RECV, nullelem ? NULL : e,
					     nullok ? NULL : &ok, 777};
			r = sl_select(&cs, 1, mode == 5 && canblock);
			FUZZ_CHECK(r == SL_EAGAIN ? cs.err == 777 : cs.err == 0);
		} else if (mode == 1 && canblock) {
			r = sl_chan_recv(s->c, nullelem ? NULL : e, nullok ? NULL : &ok);
		} else {
			r = sl_chan_tryrecv(s->c, nullelem ? NULL : e, nullok ? NULL : &ok);
		}
		if (want == SL_EAGAIN) {
			FUZZ_CHECK(r == SL_EAGAIN);
			continue;
		}
		FUZZ_CHECK(r == 0);
		if (want == 0) {
			FUZZ_CHECK(nullok || ok);
			FUZZ_CHECK(nullelem || matches(e, s, s->recvd));
			s->recvd++;
		} else {
			FUZZ_CHECK(nullok || !ok);
			FUZZ_CHECK(nullelem || zeroed(e, s->es));
		}
		FUZZ_CHECK(sl_chan_len(s->c) == slen(s));
	}
}

static void op_close(struct api *a)
{
	uint8_t x = fuzz_byte(&a->in);
	struct slot *s = &a->s[x & 3];
	for (int i = 0; i < 1 + ((x >> 2) & 1); i++) {
		int r = sl_chan_close(s->c);
		if (!s->c) {
			FUZZ_CHECK(r == SL_EINVAL);
			continue;
		}
		FUZZ_CHECK(r == (s->closed ? SL_ECLOSED : 0));
		s->closed = true;
		/* The buffer stays for the receivers. */
		FUZZ_CHECK(sl_chan_len(s->c) == slen(s));
	}
}

/* Calls on the freed channel (the slot's old one), chosen by mask. Each must
 * see SL_EFREED, or 0 where the header says so (len, cap). */
static void probe_freed(struct api *a, uint8_t mask)
{
	sl_chan *c = a->stale;
	if (!c)
		return;
	uint8_t *e = elem(a, 0);
	memset(e, 0, a->stale_es);
	bool ok;
	if (mask & 1)
		FUZZ_CHECK(sl_chan_free(c) == SL_EFREED);
	if (mask & 2)
		FUZZ_CHECK(sl_chan_close(c) == SL_EFREED);
	if (mask & 4)
		FUZZ_CHECK(sl_chan_trysend(c, e) == SL_EFREED);
	if (mask & 8)
		FUZZ_CHECK(sl_chan_tryrecv(c, e, &ok) == SL_EFREED);
	if (mask & 16)
		FUZZ_CHECK(sl_chan_send(c, e) == SL_EFREED);
	if (mask & 32)
		FUZZ_CHECK(sl_chan_recv(c, e, &ok) == SL_EFREED);
	if (mask & 64)
		FUZZ_CHECK(sl_chan_len(c) == 0 && sl_chan_cap(c) == 0);
	if (mask & 128) {
		sl_select_case cs[2] = {
		    {NULL, SL_SELECT_RECV, NULL, NULL, 777},
		    {c, (mask & 1) ? SL_SELECT_SEND : SL_SELECT_RECV, e, &ok, 777},
		};
		FUZZ_CHECK(sl_select(cs, 2, true) == SL_EFREED);
		FUZZ_CHECK(sl_select(cs, 2, false) == SL_EFREED);
		FUZZ_CHECK(cs[0].err == 777 && cs[1].err == 777);
	}
}

static void op_free(struct api *a)
{
	uint8_t x = fuzz_byte(&a->in), mask = fuzz_byte(&a->in);
	/* Only main uses a slot's channel: nobody is blocked on it. */
	slot_free(a, &a->s[x & 3]);
	probe_freed(a, mask);
}

static void op_query(struct api *a)
{
	for (int i = 0; i < NSLOT; i++) {
		struct slot *s = &a->s[i];
		FUZZ_CHECK(sl_chan_len(s->c) == slen(s));
		FUZZ_CHECK(sl_chan_cap(s->c) == s->cap);
	}
	FUZZ_CHECK(sl_chan_len(NULL) == 0 && sl_chan_cap(NULL) == 0);
	if (a->stale)
		FUZZ_CHECK(sl_chan_len(a->stale) == 0 && sl_chan_cap(a->stale) == 0);
}

static void op_nullchan(struct api *a)
{
	uint8_t m = fuzz_byte(&a->in);
	uint8_t *e = elem(a, 0);
	bool ok = true;
	if (m & 1)
		FUZZ_CHECK(sl_chan_trysend(NULL, e) == SL_EAGAIN);
	if (m & 2) /* NULL elem too: the channel decides first */
		FUZZ_CHECK(sl_chan_trysend(NULL, NULL) == SL_EAGAIN);
	if (m & 4) {
		FUZZ_CHECK(sl_chan_tryrecv(NULL, e, &ok) == SL_EAGAIN);
		FUZZ_CHECK(sl_chan_tryrecv(NULL, NULL, NULL) == SL_EAGAIN);
	}
	if (m & 8)
		FUZZ_CHECK(sl_chan_close(NULL) == SL_EINVAL);
	if (m & 16)
		FUZZ_CHECK(sl_chan_free(NULL) == 0);
	if (m & 32)
		FUZZ_CHECK(sl_chan_len(NULL) == 0 && sl_chan_cap(NULL) == 0);
	if (m & 64) {
		sl_select_case cs[3] = {
		    {NULL, SL_SELECT_SEND, NULL, NULL, 777},
		    {NULL, SL_SELECT_RECV, NULL, NULL, 777},
		    {NULL, SL_SELECT_SEND, e, &ok, 777},
		};
		FUZZ_CHECK(sl_select(cs, 3, false) == SL_EAGAIN);
		FUZZ_CHECK(cs[0].err == 777 && cs[1].err == 777 && cs[2].err == 777);
	}
	if (m & 128)
		FUZZ_CHECK(sl_select(NULL, 0, false) == SL_EAGAIN);
}

/* ---- select ---- */

struct desc {
	int slot; /* 0..3, -1 NULL, -2 the freed channel */
	int dir;
	bool nullelem, nullok;
	bool ok; /* the case's ok, when not NULL */
};

static const int BADDIR[4] = {0, 3, -1, INT_MIN};

static sl_chan *desc_chan(struct api *a, const struct desc *d)
{
	if (d->slot >= 0)
		return a->s[d->slot].c;
	return d->slot == -2 ? a->stale : NULL;
}

static void op_select(struct api *a)
{
	uint8_t x = fuzz_byte(&a->in);
	int nd = 1 + (x & 7);
	bool block = x & 8;
	static const int NCASES[4] = {0, 9, 100, BIGCASES};
	int n = NCASES[(x >> 4) & 3] ? NCASES[(x >> 4) & 3] : nd;
	struct desc d[NDESC];
	for (int i = 0; i < nd; i++) {
		uint8_t b = fuzz_byte(&a->in);
		static const int CH[8] = {0, 1, 2, 3, -1, -1, -2, 0};
		d[i].slot = CH[b & 7];
		switch ((b >> 3) & 3) {
		case 1:
			d[i].dir = SL_SELECT_SEND;
			break;
		case 3:
			d[i].dir = BADDIR[(b >> 5) & 3];
			break;
		default:
			d[i].dir = SL_SELECT_RECV;
		}
		d[i].nullelem = b & 32;
		d[i].nullok = b & 64;
		d[i].ok = true;
	}

	/* The errors it may report, and the descriptors that are ready. */
	bool einval = false, efreed = false, ready[NDESC] = {false}, anyready = false;
	for (int i = 0; i < nd; i++) {
		struct desc *dd = &d[i];
		if (dd->dir != SL_SELECT_SEND && dd->dir != SL_SELECT_RECV) {
			einval = true;
			continue;
		}
		sl_chan *c = desc_chan(a, dd);
		if (!c)
			continue;
		if (dd->slot == -2) {
			efreed = true;
			continue;
		}
		struct slot *s = &a->s[dd->slot];
		if (dd->dir == SL_SELECT_SEND && s->es && dd->nullelem) {
			einval = true;
			continue;
		}
		ready[i] = dd->dir == SL_SELECT_SEND ? send_want(s, false) != SL_EAGAIN
						     : recv_want(s) != SL_EAGAIN;
		anyready |= ready[i];
	}
	bool err = einval || efreed;
	/* A blocking select that nothing can wake would block for ever. */
	if (block && !err && !anyready)
		block = false;

	sl_select_case small[100], *cs = small;
	if (n == BIGCASES) {
		if (!bigcases) {
			bigcases = malloc(BIGCASES * sizeof *bigcases);
			FUZZ_CHECK(bigcases != NULL);
		}
		cs = bigcases;
	}
	for (int i = 0; i < nd; i++) {
		uint8_t *e = elem(a, i);
		if (d[i].slot >= 0 && d[i].dir == SL_SELECT_SEND)
			fill(e, &a->s[d[i].slot], a->s[d[i].slot].sent);
		else if (d[i].slot >= 0)
			memset(e, 0xa5, a->s[d[i].slot].es);
	}
	for (int i = 0; i < n; i++) {
		struct desc *dd = &d[i % nd];
		cs[i] = (sl_select_case){desc_chan(a, dd), dd->dir,
					 dd->nullelem ? NULL : elem(a, i % nd),
					 dd->nullok ? NULL : &dd->ok, 777};
	}
	int r = sl_select(cs, n, block);

	if (err) {
		FUZZ_CHECK((einval && r == SL_EINVAL) || (efreed && r == SL_EFREED));
		return;
	}
	if (!anyready) {
		FUZZ_CHECK(r == SL_EAGAIN);
		for (int i = 0; i < n; i++)
			FUZZ_CHECK(cs[i].err == 777);
		return;
	}
	FUZZ_CHECK(r >= 0 && r < n && ready[r % nd]);
	for (int i = 0; i < n; i++)
		FUZZ_CHECK(i == r || cs[i].err == 777);
	struct desc *dd = &d[r % nd];
	struct slot *s = &a->s[dd->slot];
	uint8_t *e = elem(a, r % nd);
	if (dd->dir == SL_SELECT_SEND) {
		if (s->closed) {
			FUZZ_CHECK(cs[r].err == SL_ECLOSED);
		} else {
			FUZZ_CHECK(cs[r].err == 0);
			s->sent++;
		}
	} else {
		FUZZ_CHECK(cs[r].err == 0);
		if (slen(s) > 0) {
			FUZZ_CHECK(dd->nullok || dd->ok);
			FUZZ_CHECK(dd->nullelem || matches(e, s, s->recvd));
			s->recvd++;
		} else {
			FUZZ_CHECK(dd->nullok || !dd->ok);
			FUZZ_CHECK(dd->nullelem || zeroed(e, s->es));
		}
	}
	/* Receive cases not chosen leave their elements alone. */
	for (int i = 0; i < nd; i++) {
		if (i == r % nd || d[i].slot < 0 || d[i].dir != SL_SELECT_RECV || d[i].nullelem ||
		    !a->s[d[i].slot].es)
			continue;
		FUZZ_CHECK(elem(a, i)[0] == 0xa5);
	}
	FUZZ_CHECK(sl_chan_len(s->c) == slen(s));
}

static void op_select_bad(struct api *a)
{
	uint8_t x = fuzz_byte(&a->in);
	bool block = x & 8;
	bool ok = true;
	sl_select_case cs[2] = {
	    {NULL, SL_SELECT_RECV, NULL, &ok, 777},
	    {NULL, SL_SELECT_SEND, NULL, NULL, 777},
	};
	switch (x & 7) {
	case 0:
		FUZZ_CHECK(sl_select(cs, -1, block) == SL_EINVAL);
		break;
	case 1:
		FUZZ_CHECK(sl_select(cs, INT_MIN, block) == SL_EINVAL);
		break;
	case 2: /* one above the limit: rejected before the array is read */
		FUZZ_CHECK(sl_select(cs, BIGCASES + 1, block) == SL_EINVAL);
		break;
	case 3:
		FUZZ_CHECK(sl_select(cs, INT_MAX, block) == SL_EINVAL);
		break;
	case 4:
		FUZZ_CHECK(sl_select(NULL, 1 + (x >> 4), block) == SL_EINVAL);
		break;
	case 5: /* no cases and no array: Go's select {} with a default */
		FUZZ_CHECK(sl_select(NULL, 0, false) == SL_EAGAIN);
		FUZZ_CHECK(sl_select(cs, 0, false) == SL_EAGAIN);
		break;
	case 6: {
		/* A bad dir, after a case on a live channel. */
		struct slot *s = &a->s[(x >> 4) & 3];
		cs[0].c = s->c;
		cs[1].dir = BADDIR[x >> 6];
		cs[1].c = s->c;
		FUZZ_CHECK(sl_select(cs, 2, block) == SL_EINVAL);
		break;
	}
	default:
		/* NULL channels only: a send with a NULL element is fine there. */
		FUZZ_CHECK(sl_select(cs, 2, false) == SL_EAGAIN);
	}
	FUZZ_CHECK(cs[0].err == 777 && cs[1].err == 777);
}

/* ---- the scheduler's knobs ---- */

static void set_procs(struct api *a, int n)
{
	int old = sl_gomaxprocs(n);
	FUZZ_CHECK(old == a->procs);
	if (n >= 1)
		a->procs = n > SL_MAX_GOMAXPROCS ? SL_MAX_GOMAXPROCS : n;
	FUZZ_CHECK(sl_gomaxprocs(0) == a->procs);
}

static void op_gomaxprocs(struct api *a)
{
	set_procs(a, PROCS[fuzz_byte(&a->in) % 12]);
}

static void op_maxthreads(struct api *a)
{
	int n = MAXT[fuzz_byte(&a->in) % 6];
	FUZZ_CHECK(sl_setmaxthreads(n) == a->maxthreads);
	if (n >= 1)
		a->maxthreads = n;
}

static void op_sleep(struct api *a)
{
	int64_t ns = SLEEP[fuzz_byte(&a->in) & 7];
	int64_t t0 = sl_sim_now();
	sl_sleep(ns);
	if (ns > 0)
		FUZZ_CHECK(sl_sim_now() - t0 >= ns);
}

static void set_flag(void *arg)
{
	*(bool *)arg = true;
}

/* What holds on any goroutine; main's goid is 1. sl_run prints a line. */
static void goroutine_checks(struct api *a, bool main, bool run)
{
	FUZZ_CHECK(main ? sl_goid() == 1 : sl_goid() > 1);
	FUZZ_CHECK(sl_mid() >= 0);
	FUZZ_CHECK(sl_numcpu() == a->in.cfg.ncpu);
	FUZZ_CHECK(sl_stacksize() == a->stacksize);
	FUZZ_CHECK(sl_numgoroutine() >= 1 + a->forever + !main);
	if (run) {
		bool ran = false;
		FUZZ_CHECK(sl_run(set_flag, &ran) == -1);
		FUZZ_CHECK(!ran);
	}
}

static void op_info(struct api *a)
{
	goroutine_checks(a, true, true);
	sl_yield();
	FUZZ_CHECK(sl_goid() == 1);
}

/* ---- syscalls ---- */

struct sys_helper {
	struct api *a;
	sl_waitgroup *wg;
	int rounds;
};

/* Work without schedlab calls, as between syscall begin and end. */
static uint64_t spin(uint64_t n)
{
	volatile uint64_t x = 0;
	for (uint64_t i = 0; i < n; i++)
		x += i;
	return x;
}

static void sys_helper(void *arg)
{
	struct sys_helper *h = arg;
	int64_t id = sl_goid();
	for (int i = 0; i < h->rounds; i++) {
		sl_syscall_begin();
		spin(100);
		sl_syscall_end();
		FUZZ_CHECK(sl_goid() == id);
		sl_yield();
	}
	sl_waitgroup_done(h->wg);
}

static void op_syscall(struct api *a)
{
	uint8_t x = fuzz_byte(&a->in);
	int k = x & 3, rounds = 1 + ((x >> 4) & 3);
	sl_waitgroup wg = SL_WAITGROUP_INIT;
	struct sys_helper h = {a, &wg, rounds};
	sl_waitgroup_add(&wg, k);
	for (int i = 0; i < k; i++)
		sl_go(sys_helper, &h);
	/* A stop-the-world takes the Ps of goroutines in syscalls. */
	set_procs(a, 1 + ((x >> 2) & 3));
	for (int i = 0; i < rounds; i++) {
		sl_syscall_begin();
		spin(200);
		sl_syscall_end();
		FUZZ_CHECK(sl_goid() == 1);
	}
	sl_waitgroup_wait(&wg);
}

/* ---- timers ---- */

static bool huge(int64_t ns)
{
	return ns >= HUGE_NS;
}

/* A value from a timer's channel: the time it fired, or 42 that we put in. */
static void check_time(int64_t v)
{
	FUZZ_CHECK(v == 42 || (v >= TIMEEPOCH && v <= sl_sim_now()));
}

static void timer_free(struct tslot *ts)
{
	sl_timer_free(ts->t);
	memset(ts, 0, sizeof *ts);
}

static void check_stop(struct tslot *ts, bool r)
{
	if (ts->pend == PEND_YES)
		FUZZ_CHECK(r);
	if (ts->pend == PEND_NO)
		FUZZ_CHECK(!r);
}

static void op_timer(struct api *a)
{
	uint8_t x = fuzz_byte(&a->in), y = fuzz_byte(&a->in);
	struct tslot *ts = &a->t[x & 1];
	int64_t ns = TNS[y & 7];
	int call = (x >> 1) & 7;
	if (call == 0 || call == 4) {
		timer_free(ts); /* sl_timer_free(NULL) does nothing */
		if (call == 4)
			return;
		a->stale = NULL; /* it makes a channel */
		ts->t = sl_timer_new(ns);
		FUZZ_CHECK(ts->t != NULL);
		sl_chan *c = sl_timer_chan(ts->t);
		FUZZ_CHECK(c != NULL && sl_chan_cap(c) == 1 && sl_chan_len(c) <= 1);
		ts->pend = huge(ns) ? PEND_YES : PEND_MAYBE;
		ts->owed = !huge(ns);
		return;
	}
	if (!ts->t) {
		/* A NULL timer: a message, and NULL / false. */
		if (call == 1)
			FUZZ_CHECK(!sl_timer_stop(NULL));
		else if (call == 2)
			FUZZ_CHECK(!sl_timer_reset(NULL, 1000));
		else
			FUZZ_CHECK(sl_timer_chan(NULL) == NULL);
		return;
	}
	sl_chan *c = sl_timer_chan(ts->t);
	int64_t v = -1;
	bool ok = false;
	switch (call) {
	case 1:
		check_stop(ts, sl_timer_stop(ts->t));
		ts->pend = PEND_NO;
		ts->owed = false;
		break;
	case 2:
		check_stop(ts, sl_timer_reset(ts->t, ns));
		ts->pend = huge(ns) ? PEND_YES : PEND_MAYBE;
		/* A value in the channel, or the new one, will come. */
		ts->owed = !huge(ns);
		break;
	case 3:
		if (ts->owed || ts->closed) {
			FUZZ_CHECK(sl_chan_recv(c, &v, &ok) == 0);
			FUZZ_CHECK(ok || ts->closed);
		} else {
			int r = sl_chan_tryrecv(c, &v, &ok);
			FUZZ_CHECK(r == 0 || r == SL_EAGAIN);
			if (r != 0)
				break;
		}
		if (ok)
			check_time(v);
		else
			FUZZ_CHECK(v == 0);
		ts->owed = false;
		break;
	case 5: /* hostile, but allowed: the timer's send then fails */
		FUZZ_CHECK(sl_chan_close(c) == (ts->closed ? SL_ECLOSED : 0));
		ts->closed = true;
		break;
	case 6: {
		/* Send into it ourselves: the timer's value is then dropped. */
		int64_t mine = 42;
		int r = sl_chan_trysend(c, &mine);
		FUZZ_CHECK(ts->closed ? r == SL_ECLOSED : (r == 0 || r == SL_EAGAIN));
		FUZZ_CHECK(sl_chan_len(c) <= 1 && sl_chan_cap(c) == 1);
		break;
	}
	default:
		check_stop(ts, sl_timer_stop(ts->t));
		FUZZ_CHECK(!sl_timer_stop(ts->t));
		ts->pend = PEND_NO;
		ts->owed = false;
	}
}

/* A blocking select that only a timer can end. */
static void op_timer_sel(struct api *a)
{
	uint8_t x = fuzz_byte(&a->in);
	int64_t ns = TSEL[x & 7];
	int tc = (x >> 3) & 3;
	int64_t t0 = sl_sim_now();
	a->stale = NULL;
	sl_timer *t = sl_timer_new(ns);
	FUZZ_CHECK(t != NULL);
	int64_t v = -1;
	bool ok = false, ok2 = true;
	uint8_t *e = elem(a, 0);
	sl_select_case cs[4];
	for (int i = 0, k = 0; i < 4; i++) {
		if (i == tc) {
			cs[i] = (sl_select_case){sl_timer_chan(t), SL_SELECT_RECV, &v, &ok, 777};
			continue;
		}
		/* A slot that cannot proceed, or NULL. */
		sl_chan *c = NULL;
		int dir = SL_SELECT_RECV;
		for (; k < NSLOT && !c; k++) {
			struct slot *s = &a->s[k];
			if (recv_want(s) == SL_EAGAIN)
				c = s->c;
			else if (send_want(s, false) == SL_EAGAIN)
				c = s->c, dir = SL_SELECT_SEND;
		}
		cs[i] = (sl_select_case){c, dir, e, &ok2, 777};
	}
	FUZZ_CHECK(sl_select(cs, 4, true) == tc);
	FUZZ_CHECK(cs[tc].err == 0 && ok);
	FUZZ_CHECK(v >= t0 + (ns > 0 ? ns : 0) && v <= sl_sim_now());
	for (int i = 0; i < 4; i++)
		FUZZ_CHECK(i == tc || cs[i].err == 777);
	FUZZ_CHECK(!sl_timer_stop(t)); /* it fired */
	sl_timer_free(t);
}

/* ---- mutex and WaitGroup ---- */

struct mu_helper {
	struct api *a;
	sl_waitgroup wg;
	int rounds;
	bool sleep, try;
	int64_t count; /* under a->mu */
};

static void mu_helper(void *arg)
{
	struct mu_helper *h = arg;
	for (int i = 0; i < h->rounds; i++) {
		if (h->try) {
			while (!sl_mutex_trylock(&h->a->mu))
				sl_yield();
		} else {
			sl_mutex_lock(&h->a->mu);
		}
		h->count++;
		if (i & 1)
			sl_yield(); /* holding it */
		if (h->sleep && i == 0)
			sl_sleep(1500000); /* waiters past 1 ms: starvation mode */
		sl_mutex_unlock(&h->a->mu);
	}
	sl_waitgroup_done(&h->wg);
}

static void op_mutex(struct api *a)
{
	uint8_t x = fuzz_byte(&a->in);
	switch (x & 7) {
	case 0:
		if (!a->mu_locked) { /* locking it again would never return */
			sl_mutex_lock(&a->mu);
			a->mu_locked = true;
		}
		break;
	case 1:
	case 5: {
		bool r = sl_mutex_trylock(&a->mu);
		if (a->mu_locked)
			FUZZ_CHECK(!r);
		a->mu_locked |= r;
		break;
	}
	case 2:
	case 6:
		if (a->mu_locked) { /* unlock of an unlocked mutex is fatal */
			sl_mutex_unlock(&a->mu);
			a->mu_locked = false;
		}
		break;
	default: {
		int k = 1 + ((x >> 3) & 3);
		/* A holder that sleeps makes waiters wait past 1 ms (starvation
		 * mode); spinning trylockers would make that a long busy run. */
		bool try = (x & 7) == 4;
		struct mu_helper h = {
		    a, SL_WAITGROUP_INIT, 1 + ((x >> 5) & 3), !try && (x >> 7), try, 0};
		sl_waitgroup_add(&h.wg, k);
		for (int i = 0; i < k; i++)
			sl_go(mu_helper, &h);
		if (a->mu_locked) {
			sl_yield();
			sl_mutex_unlock(&a->mu);
			a->mu_locked = false;
		}
		sl_waitgroup_wait(&h.wg);
		FUZZ_CHECK(h.count == (int64_t)k * h.rounds);
	}
	}
}

struct wg_helper {
	sl_waitgroup *wg;
	int delta;
};

static void wg_helper(void *arg)
{
	struct wg_helper *h = arg;
	sl_yield();
	sl_waitgroup_add(h->wg, h->delta);
}

static void op_waitgroup(struct api *a)
{
	uint8_t x = fuzz_byte(&a->in);
	int v = x >> 2;
	switch (x & 3) {
	case 0: {
		static const int64_t ADD[8] = {0, 1, 2, 7, 1000, 65535, -1, 0};
		int64_t d = ADD[v & 7];
		if (d < 0) /* up to INT_MAX: beyond it the counter wraps negative */
			d = INT_MAX - a->wg_count;
		if (a->wg_count + d > INT_MAX)
			d = 0;
		sl_waitgroup_add(&a->wg, (int)d);
		a->wg_count += d;
		break;
	}
	case 1:
		if (a->wg_count == 0) /* below 0 is fatal */
			break;
		if (v & 1) {
			sl_waitgroup_done(&a->wg);
			a->wg_count--;
		} else {
			sl_waitgroup_add(&a->wg, (int)-a->wg_count);
			a->wg_count = 0;
		}
		break;
	case 2: {
		/* Another goroutine brings it to 0 while we wait. */
		struct wg_helper h = {&a->wg, (int)-a->wg_count};
		if (a->wg_count > 0)
			sl_go(wg_helper, &h);
		sl_waitgroup_wait(&a->wg);
		a->wg_count = 0;
		break;
	}
	default: {
		int k = 1 + (v & 15);
		sl_waitgroup wg = SL_WAITGROUP_INIT;
		struct wg_helper h = {&wg, -1};
		sl_waitgroup_add(&wg, k);
		for (int i = 0; i < k; i++)
			sl_go(wg_helper, &h);
		sl_waitgroup_wait(&wg);
		sl_waitgroup_wait(&wg); /* at 0: returns at once */
	}
	}
}

/* ---- goroutines blocked for good ---- */

static void forever(void *arg)
{
	int v = (int)(intptr_t)arg;
	uint8_t e[8] = {0};
	bool ok;
	sl_select_case cs[2] = {
	    {NULL, SL_SELECT_RECV, e, &ok, 777},
	    {NULL, SL_SELECT_SEND, e, NULL, 777},
	};
	switch (v) {
	case 0:
		sl_chan_send(NULL, e);
		break;
	case 1:
		sl_chan_recv(NULL, e, &ok);
		break;
	case 2:
		sl_select(NULL, 0, true);
		break;
	case 3:
		sl_select(cs, 2, true);
		break;
	default:
		/* INT64_MAX overflows now + ns in sl_sleep (time.c). */
		sl_sleep(INT64_MAX);
	}
	fuzz_fail(__FILE__, __LINE__, "a goroutine blocked for ever returned");
}

static void op_forever(struct api *a)
{
	uint8_t x = fuzz_byte(&a->in);
	if (a->forever >= MAXFOREVER)
		return;
	a->forever++;
	sl_go(forever, (void *)(intptr_t)(x % 5));
	sl_yield();
}

/* ---- sl_chan_free with a blocked goroutine ---- */

struct busy {
	sl_chan *c;
	int variant;
	int freed; /* sl_chan_free's result */
	int other; /* the helper's own operation, after SL_EBUSY */
	int64_t got;
	sl_waitgroup wg;
};

static void busy_helper(void *arg)
{
	struct busy *b = arg;
	b->freed = sl_chan_free(b->c);
	if (b->freed == SL_EBUSY) {
		/* Main is blocked on it, so it is still alive: serve it. */
		int64_t v = 4242;
		bool ok = false;
		if (b->variant & 1) {
			b->other = sl_chan_recv(b->c, &b->got, &ok);
			if (!ok)
				b->other = -100;
		} else {
			b->other = sl_chan_send(b->c, &v);
		}
	}
	sl_waitgroup_done(&b->wg);
}

/*
 * With one P, the helper runs only once main has parked on the channel:
 * preemption is cooperative, and nothing asks main to yield on the way (no
 * stop-the-world is in flight, as only main changes GOMAXPROCS, and sysmon
 * asks only after 10 ms of one time slice, which the sleep has just
 * restarted). So the helper finds main blocked, and sl_chan_free must say
 * SL_EBUSY and leave the channel alone. Should main yield before its call
 * looks at the channel after all, the helper frees it first and main's call
 * sees SL_EFREED (sl_chan_send and _recv check after their preemption point;
 * sl_select checks before it, which is why the slice must be fresh).
 */
static void op_ebusy(struct api *a)
{
	uint8_t x = fuzz_byte(&a->in);
	int procs = a->procs;
	set_procs(a, 1);
	struct busy b = {mustmake(a, 8, 0), x & 3, 1, 1, 0, SL_WAITGROUP_INIT};
	sl_sleep(1);
	sl_waitgroup_add(&b.wg, 1);
	sl_go(busy_helper, &b);
	int64_t v = 7;
	bool ok = false;
	int r;
	sl_select_case cs[2] = {
	    {NULL, SL_SELECT_SEND, NULL, NULL, 777},
	    {b.c, (b.variant & 1) ? SL_SELECT_SEND : SL_SELECT_RECV, &v, &ok, 777},
	};
	switch (b.variant) {
	case 0:
		r = sl_chan_recv(b.c, &v, &ok);
		break;
	case 1:
		r = sl_chan_send(b.c, &v);
		break;
	default:
		r = sl_select(cs, 2, true);
		if (r == 1) {
			FUZZ_CHECK(cs[1].err == 0);
			r = 0;
		}
	}
	sl_waitgroup_wait(&b.wg);
	if (b.freed == SL_EBUSY) {
		FUZZ_CHECK(r == 0 && b.other == 0);
		if (b.variant & 1)
			FUZZ_CHECK(b.got == 7);
		else
			FUZZ_CHECK(ok && v == 4242);
		FUZZ_CHECK(sl_chan_free(b.c) == 0);
	} else {
		FUZZ_CHECK(b.freed == 0 && r == SL_EFREED);
		FUZZ_CHECK(cs[0].err == 777 && cs[1].err == 777);
		FUZZ_CHECK(sl_chan_free(b.c) == SL_EFREED);
	}
	set_procs(a, procs);
}

/* ---- close wakes whoever is blocked ---- */

struct cw {
	sl_chan *c;
	int variant;
	sl_waitgroup wg;
	int sent;    /* sends that went through (into the buffer) */
	int bad;     /* results that close must not give */
	sl_mutex mu; /* guards sent and bad */
};

static void cw_helper(void *arg)
{
	struct cw *w = arg;
	int64_t v = 99;
	bool ok = true;
	int r, bad = 0, sent = 0;
	sl_select_case cs[2] = {
	    {NULL, SL_SELECT_RECV, NULL, NULL, 777},
	    {w->c, (w->variant & 1) ? SL_SELECT_RECV : SL_SELECT_SEND, &v, &ok, 777},
	};
	switch (w->variant) {
	case 0: /* send: into the buffer, or woken by close */
		r = sl_chan_send(w->c, &v);
		sent = r == 0;
		bad = r != 0 && r != SL_ECLOSED;
		break;
	case 1: /* receive: nobody sends, so close */
		r = sl_chan_recv(w->c, &v, &ok);
		bad = r != 0 || ok || v != 0;
		break;
	case 2:
		r = sl_select(cs, 2, true);
		sent = r == 1 && cs[1].err == 0;
		bad = r != 1 || (cs[1].err != 0 && cs[1].err != SL_ECLOSED) || cs[0].err != 777;
		break;
	default:
		r = sl_select(cs, 2, true);
		bad = r != 1 || cs[1].err != 0 || ok || v != 0 || cs[0].err != 777;
	}
	sl_mutex_lock(&w->mu);
	w->sent += sent;
	w->bad += bad;
	sl_mutex_unlock(&w->mu);
	sl_waitgroup_done(&w->wg);
}

static void op_closewake(struct api *a)
{
	uint8_t x = fuzz_byte(&a->in);
	int k = 1 + ((x >> 2) & 3);
	size_t cap = (x >> 4) & 1;
	struct cw w = {mustmake(a, 8, cap), x & 3, SL_WAITGROUP_INIT, 0, 0, SL_MUTEX_INIT};
	sl_waitgroup_add(&w.wg, k);
	for (int i = 0; i < k; i++)
		sl_go(cw_helper, &w);
	for (int i = 0; i < (x >> 5); i++)
		sl_yield();
	FUZZ_CHECK(sl_chan_close(w.c) == 0);
	sl_waitgroup_wait(&w.wg);
	FUZZ_CHECK(w.bad == 0);
	FUZZ_CHECK((size_t)w.sent <= cap && sl_chan_len(w.c) == (size_t)w.sent);
	FUZZ_CHECK(sl_chan_close(w.c) == SL_ECLOSED);
	int64_t v = -1;
	bool ok = false;
	for (int i = 0; i < w.sent; i++) {
		FUZZ_CHECK(sl_chan_tryrecv(w.c, &v, &ok) == 0 && ok && v == 99);
	}
	FUZZ_CHECK(sl_chan_tryrecv(w.c, &v, &ok) == 0 && !ok && v == 0);
	FUZZ_CHECK(sl_chan_free(w.c) == 0);
}

/* ---- the sanity workload ---- */

struct san {
	sl_chan *c;
	int k;	      /* values per worker */
	bool reverse; /* workers receive, main sends */
	sl_waitgroup wg;
	sl_mutex mu;
	int64_t sum; /* under mu */
	int nextid;  /* under mu */
};

static void san_worker(void *arg)
{
	struct san *s = arg;
	sl_mutex_lock(&s->mu);
	int id = s->nextid++;
	sl_mutex_unlock(&s->mu);
	int64_t sum = 0;
	for (int j = 0; j < s->k; j++) {
		if (s->reverse) {
			int64_t v = -1;
			bool ok = false;
			FUZZ_CHECK(sl_chan_recv(s->c, &v, &ok) == 0 && ok);
			sum += v;
		} else {
			int64_t v = (int64_t)id << 16 | j;
			FUZZ_CHECK(sl_chan_send(s->c, &v) == 0);
		}
		if (j & 1)
			sl_yield();
	}
	sl_mutex_lock(&s->mu);
	s->sum += sum;
	sl_mutex_unlock(&s->mu);
	sl_waitgroup_done(&s->wg);
}

static void sanity(struct api *a, uint8_t x)
{
	static const size_t SCAP[4] = {0, 1, 4, 64};
	int n = 1 + (x & 7), k = 1 + ((x >> 3) & 7);
	struct san s = {mustmake(a, 8, SCAP[x >> 6]),
			k,
			a->nsanity++ & 1,
			SL_WAITGROUP_INIT,
			SL_MUTEX_INIT,
			0,
			0};
	sl_waitgroup_add(&s.wg, n);
	for (int i = 0; i < n; i++)
		sl_go(san_worker, &s);
	int64_t next[8] = {0}, want = 0, sum = 0;
	for (int i = 0; i < n * k; i++) {
		int64_t v = (int64_t)(i % n) << 16 | i / n;
		bool ok = false;
		sl_select_case cs[2] = {
		    {NULL, SL_SELECT_RECV, NULL, NULL, 777},
		    {s.c, s.reverse ? SL_SELECT_SEND : SL_SELECT_RECV, &v, &ok, 777},
		};
		want += v;
		if (s.reverse) {
			if (i & 1)
				FUZZ_CHECK(sl_chan_send(s.c, &v) == 0);
			else
				FUZZ_CHECK(sl_select(cs, 2, true) == 1 && cs[1].err == 0);
			continue;
		}
		if (i & 1)
			FUZZ_CHECK(sl_chan_recv(s.c, &v, &ok) == 0 && ok);
		else
			FUZZ_CHECK(sl_select(cs, 2, true) == 1 && cs[1].err == 0 && ok);
		/* One sender's values arrive in its order. */
		int id = (int)(v >> 16), j = (int)(v & 0xffff);
		FUZZ_CHECK(id >= 0 && id < n && j == next[id]);
		next[id]++;
		sum += v;
	}
	sl_waitgroup_wait(&s.wg);
	FUZZ_CHECK(s.reverse ? s.sum == want : sum == want);
	FUZZ_CHECK(sl_chan_len(s.c) == 0);
	int64_t v = 1;
	bool ok = true;
	FUZZ_CHECK(sl_chan_tryrecv(s.c, &v, &ok) == SL_EAGAIN);
	FUZZ_CHECK(sl_chan_close(s.c) == 0);
	FUZZ_CHECK(sl_chan_trysend(s.c, &v) == SL_ECLOSED);
	FUZZ_CHECK(sl_chan_tryrecv(s.c, &v, &ok) == 0 && !ok && v == 0);
	FUZZ_CHECK(sl_chan_free(s.c) == 0);
	FUZZ_CHECK(sl_gomaxprocs(0) == a->procs);
}

/* ---- a tree of goroutines ---- */

struct tree {
	struct api *a;
	sl_mutex mu;
	int nodes; /* under mu */
	int fanout;
};

struct node {
	struct tree *t;
	sl_waitgroup *parent; /* done when this node's subtree is */
	int depth;
};

static void tree_node(void *arg)
{
	struct node *nd = arg;
	struct tree *t = nd->t;
	goroutine_checks(t->a, false, false);
	FUZZ_CHECK(sl_gomaxprocs(0) == t->a->procs);
	if (nd->depth > 0) {
		/* The children read kids[] and wg: wait for them. */
		struct node kids[3];
		sl_waitgroup wg = SL_WAITGROUP_INIT;
		sl_waitgroup_add(&wg, t->fanout);
		for (int i = 0; i < t->fanout; i++) {
			kids[i] = (struct node){t, &wg, nd->depth - 1};
			sl_go(tree_node, &kids[i]);
		}
		sl_yield();
		sl_waitgroup_wait(&wg);
	}
	sl_mutex_lock(&t->mu);
	t->nodes++;
	sl_mutex_unlock(&t->mu);
	sl_waitgroup_done(nd->parent);
}

static void op_nested(struct api *a)
{
	uint8_t x = fuzz_byte(&a->in);
	int depth = x & 3, fanout = 1 + ((x >> 2) & 3) % 3;
	struct tree t = {a, SL_MUTEX_INIT, 0, fanout};
	sl_waitgroup wg = SL_WAITGROUP_INIT;
	struct node root = {&t, &wg, depth};
	sl_waitgroup_add(&wg, 1);
	sl_go(tree_node, &root);
	sl_waitgroup_wait(&wg);
	int want = 0;
	for (int d = 0, p = 1; d <= depth; d++, p *= fanout)
		want += p;
	FUZZ_CHECK(t.nodes == want);
}

/* ---- the program ---- */

static int api_main(void *arg)
{
	struct api *a = arg;
	a->buf = malloc(NDESC * ELEMMAX);
	FUZZ_CHECK(a->buf != NULL);
	a->procs = sl_gomaxprocs(0);
	FUZZ_CHECK(a->procs == a->in.cfg.ncpu);
	a->maxthreads = 10000; /* the default (schedlab.h) */
	a->stacksize = sl_stacksize();
	FUZZ_CHECK(a->stacksize >= 16 * 1024);
	FUZZ_CHECK(sl_goid() == 1);

	while (fuzz_more(&a->in)) {
		switch (fuzz_byte(&a->in) % NOPS) {
		case OP_CHAN_MAKE:
			op_chan_make(a);
			break;
		case OP_SEND:
			op_send(a);
			break;
		case OP_RECV:
			op_recv(a);
			break;
		case OP_CLOSE:
			op_close(a);
			break;
		case OP_FREE:
			op_free(a);
			break;
		case OP_QUERY:
			op_query(a);
			break;
		case OP_NULLCHAN:
			op_nullchan(a);
			break;
		case OP_SELECT:
			op_select(a);
			break;
		case OP_SELECT_BAD:
			op_select_bad(a);
			break;
		case OP_GOMAXPROCS:
			op_gomaxprocs(a);
			break;
		case OP_MAXTHREADS:
			op_maxthreads(a);
			break;
		case OP_SLEEP:
			op_sleep(a);
			break;
		case OP_INFO:
			op_info(a);
			break;
		case OP_SYSCALL:
			op_syscall(a);
			break;
		case OP_TIMER:
			op_timer(a);
			break;
		case OP_TIMER_SEL:
			op_timer_sel(a);
			break;
		case OP_MUTEX:
			op_mutex(a);
			break;
		case OP_WAITGROUP:
			op_waitgroup(a);
			break;
		case OP_FOREVER:
			op_forever(a);
			break;
		case OP_EBUSY:
			op_ebusy(a);
			break;
		case OP_CLOSEWAKE:
			op_closewake(a);
			break;
		case OP_SANITY:
			sanity(a, fuzz_byte(&a->in));
			break;
		default:
			op_nested(a);
		}
		if (++a->nops % SANITY_EVERY == 0)
			sanity(a, (uint8_t)(a->nops * 37));
	}

	/* Still a working runtime, and nothing left behind. */
	sanity(a, 0x5b);
	op_query(a);
	if (a->mu_locked)
		sl_mutex_unlock(&a->mu);
	FUZZ_CHECK(sl_mutex_trylock(&a->mu));
	sl_mutex_unlock(&a->mu);
	if (a->wg_count)
		sl_waitgroup_add(&a->wg, (int)-a->wg_count);
	sl_waitgroup_wait(&a->wg);
	for (int i = 0; i < NTIMER; i++)
		timer_free(&a->t[i]);
	for (int i = 0; i < NSLOT; i++)
		slot_free(a, &a->s[i]);
	FUZZ_CHECK(sl_gomaxprocs(0) == a->procs);
	FUZZ_CHECK(sl_setmaxthreads(-1) == a->maxthreads);
	free(a->buf);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api *a = calloc(1, sizeof *a);
	FUZZ_CHECK(a != NULL);
	fuzz_input_parse(&a->in, data, size);
	FUZZ_CHECK(sl_sim_run(&a->in.cfg, api_main, a) == 0);
	free(a);
	return 0;
}
