/*
 * test_select: sl_select. One mode per run (argv[1]); ctest runs each at
 * GOMAXPROCS 1 and 4 where scheduling matters. Fairness bounds are many
 * standard deviations wide: a correct select fails them with probability far
 * below 1e-6.
 */
#include "chanutil.h"
#include "export_test.h"
#include "schedlab.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static sl_select_case recvcase(sl_chan *c, void *elem, bool *ok)
{
	return (sl_select_case){c, SL_SELECT_RECV, elem, ok, 0};
}

static sl_select_case sendcase(sl_chan *c, void *elem)
{
	return (sl_select_case){c, SL_SELECT_SEND, elem, NULL, 0};
}

/* ---- fairness among ready cases ---- */

/* n always-ready receive cases; each chosen 1/n of the time, within 2% (for
 * n = 2: 12 standard deviations). */
static void fairness_n(int n, int rounds)
{
	sl_chan *c[8];
	int64_t val[8];
	bool ok[8];
	sl_select_case cs[8];
	int64_t count[8] = {0};
	for (int i = 0; i < n; i++) {
		c[i] = sl_chan_make(sizeof(int64_t), 1);
		int64_t v = i;
		CHECK_EQ(sl_chan_send(c[i], &v), 0);
		cs[i] = recvcase(c[i], &val[i], &ok[i]);
	}
	for (int r = 0; r < rounds; r++) {
		int k = sl_select(cs, n, true);
		CHECK(k >= 0 && k < n);
		CHECK(ok[k] && val[k] == k);
		count[k]++;
		CHECK_EQ(sl_chan_trysend(c[k], &val[k]), 0); /* ready again */
	}
	double chi2 = 0, expect = (double)rounds / n;
	for (int i = 0; i < n; i++) {
		double frac = (double)count[i] / rounds;
		printf("case %d of %d: %.4f\n", i, n, frac);
		CHECK(fabs(frac - 1.0 / n) < 0.02);
		chi2 += (count[i] - expect) * (count[i] - expect) / expect;
		CHECK_EQ(sl_chan_free(c[i]), 0);
	}
	/* chi-square with n-1 <= 7 degrees of freedom: P(chi2 > 45) < 1e-6 */
	printf("chi2=%.2f\n", chi2);
	CHECK(chi2 < 45);
}

static void fairness(void)
{
	fairness_n(2, 100000);
	fairness_n(3, 100000);
	fairness_n(8, 100000);

	/* a ready send and a ready receive on different channels, and the
	 * same channel twice: still uniform over cases */
	sl_chan *a = sl_chan_make(sizeof(int64_t), 1), *b = sl_chan_make(sizeof(int64_t), 1);
	int64_t v = 1, r;
	bool ok;
	CHECK_EQ(sl_chan_send(b, &v), 0);
	sl_select_case cs[3] = {sendcase(a, &v), recvcase(b, &r, &ok), recvcase(b, &r, &ok)};
	int64_t count[3] = {0};
	for (int i = 0; i < 60000; i++) {
		int k = sl_select(cs, 3, false);
		CHECK(k >= 0 && k < 3);
		count[k]++;
		if (k == 0)
			CHECK_EQ(sl_chan_tryrecv(a, &r, &ok), 0);
		else
			CHECK_EQ(sl_chan_trysend(b, &v), 0);
	}
	for (int i = 0; i < 3; i++)
		CHECK(fabs((double)count[i] / 60000 - 1.0 / 3) < 0.02);
	sl_chan_free(a);
	sl_chan_free(b);
}

/* ---- default (non-blocking) and NULL cases ---- */

static void nonblocking(void)
{
	sl_chan *u = sl_chan_make(sizeof(int64_t), 0), *f = sl_chan_make(sizeof(int64_t), 1);
	int64_t v = 5, r = 0;
	bool ok = false;
	CHECK_EQ(sl_chan_send(f, &v), 0); /* f full */
	sl_select_case cs[4] = {recvcase(u, &r, &ok), sendcase(u, &v), sendcase(f, &v),
				recvcase(NULL, &r, &ok)};
	for (int i = 0; i < 100; i++)
		CHECK_EQ(sl_select(cs, 4, false), SL_EAGAIN);
	CHECK_EQ(sl_select(NULL, 0, false), SL_EAGAIN);
	sl_select_case nils[2] = {recvcase(NULL, &r, &ok), sendcase(NULL, &v)};
	CHECK_EQ(sl_select(nils, 2, false), SL_EAGAIN);
	/* make one ready */
	CHECK_EQ(sl_chan_recv(f, &r, &ok), 0);
	CHECK_EQ(sl_select(cs, 4, false), 2);
	CHECK_EQ(cs[2].err, 0);
	CHECK_EQ(sl_chan_len(f), 1);

	/* bad arguments */
	CHECK_EQ(sl_select(cs, -1, false), SL_EINVAL);
	CHECK_EQ(sl_select(NULL, 1, false), SL_EINVAL);
	CHECK_EQ(sl_select(cs, 65537, false), SL_EINVAL);
	sl_select_case bad[1] = {{u, 0, &v, NULL, 0}};
	CHECK_EQ(sl_select(bad, 1, false), SL_EINVAL);
	bad[0] = sendcase(u, NULL);
	CHECK_EQ(sl_select(bad, 1, true), SL_EINVAL);
	sl_chan_free(u);
	sl_chan_free(f);
}

/* ---- closed channels ---- */

struct selarg {
	sl_select_case cs[3];
	int n;
	int res;
	int64_t *done;
};

static void selector(void *arg)
{
	struct selarg *s = arg;
	s->res = sl_select(s->cs, s->n, true);
	atomic_xadd(s->done, 1);
}

static void closed(void)
{
	sl_chan *c = sl_chan_make(sizeof(int64_t), 0), *e = sl_chan_make(sizeof(int64_t), 0);
	CHECK_EQ(sl_chan_close(c), 0);
	int64_t v = 5, r = -1;
	bool ok = true;
	sl_select_case cs[2] = {recvcase(e, &r, &ok), recvcase(c, &r, &ok)};
	CHECK_EQ(sl_select(cs, 2, true), 1);
	CHECK(!ok && r == 0);
	CHECK_EQ(cs[1].err, 0);
	sl_select_case ss[2] = {recvcase(e, &r, &ok), sendcase(c, &v)};
	CHECK_EQ(sl_select(ss, 2, false), 1);
	CHECK_EQ(ss[1].err, SL_ECLOSED);

	/* a closed buffered channel drains first */
	sl_chan *b = sl_chan_make(sizeof(int64_t), 2);
	CHECK_EQ(sl_chan_send(b, &v), 0);
	CHECK_EQ(sl_chan_close(b), 0);
	sl_select_case bs[1] = {recvcase(b, &r, &ok)};
	CHECK_EQ(sl_select(bs, 1, true), 0);
	CHECK(ok && r == 5);
	CHECK_EQ(sl_select(bs, 1, true), 0);
	CHECK(!ok && r == 0);

	/* blocked selects woken by close: a receive case sees !ok, a send
	 * case SL_ECLOSED */
	sl_chan *d = sl_chan_make(sizeof(int64_t), 0), *d2 = sl_chan_make(sizeof(int64_t), 0);
	int64_t done = 0, r1 = -1, r2 = -1;
	bool ok1 = true;
	struct selarg s1 = {{recvcase(e, &r2, NULL), recvcase(d, &r1, &ok1)}, 2, -9, &done};
	struct selarg s2 = {{recvcase(e, &r2, NULL), sendcase(d2, &v)}, 2, -9, &done};
	s2.cs[1].err = 12345;
	sl_go(selector, &s1);
	sl_go(selector, &s2);
	waitparked(d, true, 1);
	waitparked(d2, false, 1);
	CHECK_EQ(sl_chan_close(d), 0);
	CHECK_EQ(sl_chan_close(d2), 0);
	while (atomic_load(&done) != 2)
		sl_yield();
	CHECK_EQ(s1.res, 1);
	CHECK(!ok1 && r1 == 0);
	CHECK_EQ(s2.res, 1);
	CHECK_EQ(s2.cs[1].err, SL_ECLOSED);
	CHECK_EQ(r2, -1);
	/* they cleaned up after themselves on e */
	CHECK_EQ(nwaiters(e, true), 0);
	CHECK_EQ(sl_chan_free(e), 0);
	CHECK_EQ(sl_chan_free(c), 0);
	CHECK_EQ(sl_chan_free(b), 0);
	CHECK_EQ(sl_chan_free(d), 0);
	CHECK_EQ(sl_chan_free(d2), 0);
}

/* ---- a blocked select is woken exactly once ---- */

enum { K = 6 };

struct sendarg {
	sl_chan *c;
	int64_t v;
	int64_t *done;
};

static void sender(void *arg)
{
	struct sendarg *a = arg;
	CHECK_EQ(sl_chan_send(a->c, &a->v), 0);
	atomic_xadd(a->done, 1);
}

struct bigsel {
	sl_select_case *cs;
	int n;
	int res;
	int64_t *done;
};

static void bigselector(void *arg)
{
	struct bigsel *b = arg;
	b->res = sl_select(b->cs, b->n, true);
	atomic_xadd(b->done, 1);
}

static void wakeonce_round(size_t cap)
{
	sl_chan *c[K];
	int64_t vals[K];
	bool oks[K];
	int64_t done = 0, seldone = 0;
	struct sendarg sa[K];
	sl_select_case cs[K];
	for (int i = 0; i < K; i++) {
		c[i] = sl_chan_make(sizeof(int64_t), cap);
		vals[i] = -1;
		oks[i] = false;
		cs[i] = recvcase(c[i], &vals[i], &oks[i]);
	}
	for (int i = 0; i < K; i++)
		sa[i] = (struct sendarg){c[i], 1000 + i, &done};
	/* a goroutine selects over the K channels; then K senders at once */
	struct bigsel bs = {cs, K, -9, &seldone};
	sl_go(bigselector, &bs);
	for (int i = 0; i < K; i++)
		waitparked(c[i], true, 1);
	for (int i = 0; i < K; i++)
		sl_go(sender, &sa[i]);
	while (atomic_load(&seldone) != 1)
		sl_yield();
	int k = bs.res;
	CHECK(k >= 0 && k < K);
	CHECK(oks[k] && vals[k] == 1000 + k);
	for (int i = 0; i < K; i++)
		if (i != k)
			CHECK(vals[i] == -1 && !oks[i]);
	/* the other K-1 values are still there, each exactly once */
	for (int i = 0; i < K; i++) {
		if (i == k)
			continue;
		int64_t r;
		bool ok;
		CHECK_EQ(sl_chan_recv(c[i], &r, &ok), 0);
		CHECK(ok && r == 1000 + i);
		CHECK_EQ(sl_chan_tryrecv(c[i], &r, &ok), SL_EAGAIN);
	}
	CHECK_EQ(sl_chan_tryrecv(c[k], &vals[k], &oks[k]), SL_EAGAIN);
	while (atomic_load(&done) != K)
		sl_yield();
	for (int i = 0; i < K; i++) {
		CHECK_EQ(nwaiters(c[i], true), 0);
		CHECK_EQ(nwaiters(c[i], false), 0);
		CHECK_EQ(sl_chan_free(c[i]), 0);
	}
}

/* Producers each send N values on their own channel; one goroutine collects
 * all K*N with blocking selects. A select woken twice would lose or repeat a
 * value, or trip the runtime's status checks. */
enum { N = 5000 };

struct producer {
	sl_chan *c;
	int64_t id;
};

static void produce(void *arg)
{
	struct producer *p = arg;
	for (int64_t i = 0; i < N; i++) {
		int64_t v = p->id * N + i;
		CHECK_EQ(sl_chan_send(p->c, &v), 0);
	}
}

static void collect(size_t cap)
{
	sl_chan *c[K];
	struct producer p[K];
	int64_t vals[K];
	bool oks[K];
	sl_select_case cs[K];
	for (int i = 0; i < K; i++) {
		c[i] = sl_chan_make(sizeof(int64_t), cap);
		p[i] = (struct producer){c[i], i};
		cs[i] = recvcase(c[i], &vals[i], &oks[i]);
	}
	for (int i = 0; i < K; i++)
		sl_go(produce, &p[i]);
	int64_t next[K] = {0};
	for (int64_t n = 0; n < (int64_t)K * N; n++) {
		int k = sl_select(cs, K, true);
		CHECK(k >= 0 && k < K && oks[k]);
		CHECK_EQ(vals[k], k * N + next[k]); /* in order, none lost or repeated */
		next[k]++;
	}
	for (int i = 0; i < K; i++) {
		CHECK_EQ(next[i], N);
		int64_t r;
		bool ok;
		CHECK_EQ(sl_chan_tryrecv(c[i], &r, &ok), SL_EAGAIN);
	}
	/* producers may still be returning from their last send */
	for (int i = 0; i < K; i++) {
		while (nwaiters(c[i], false) != 0)
			sl_yield();
		CHECK_EQ(sl_chan_free(c[i]), 0);
	}
}

static void wakeonce(void)
{
	for (int i = 0; i < 200; i++) {
		wakeonce_round(0);
		wakeonce_round(1);
	}
	collect(0);
	collect(3);
}

/* ---- send and receive cases mixed ---- */

/* A buffering proxy: receives from in while its queue has room, sends the
 * oldest to out while it holds any; a case is disabled with a NULL channel. */
enum { PROXYN = 20000, QCAP = 7 };

struct proxy {
	sl_chan *in, *out;
};

static void proxy(void *arg)
{
	struct proxy *px = arg;
	int64_t q[QCAP];
	int head = 0, n = 0;
	bool inopen = true;
	int64_t r, s;
	bool ok;
	while (inopen || n > 0) {
		if (n > 0)
			s = q[head];
		sl_select_case cs[2] = {recvcase(inopen && n < QCAP ? px->in : NULL, &r, &ok),
					sendcase(n > 0 ? px->out : NULL, &s)};
		int k = sl_select(cs, 2, true);
		if (k == 0) {
			if (!ok) {
				inopen = false;
				continue;
			}
			q[(head + n) % QCAP] = r;
			n++;
		} else {
			CHECK_EQ(k, 1);
			CHECK_EQ(cs[1].err, 0);
			head = (head + 1) % QCAP;
			n--;
		}
	}
	CHECK_EQ(sl_chan_close(px->out), 0);
}

static void feed(void *arg)
{
	sl_chan *in = arg;
	for (int64_t i = 0; i < PROXYN; i++)
		CHECK_EQ(sl_chan_send(in, &i), 0);
	CHECK_EQ(sl_chan_close(in), 0);
}

/* Two goroutines each select {send c, receive c} on one unbuffered channel:
 * they can only pair with each other, one sending and one receiving. */
struct pairarg {
	sl_chan *c;
	int64_t id;
	int64_t sent, got;
	int64_t gotsum;
	sl_chan *done;
};

static void pairer(void *arg)
{
	struct pairarg *a = arg;
	for (int i = 0; i < 5000; i++) {
		int64_t v = a->id, r = -1;
		bool ok;
		sl_select_case cs[2] = {sendcase(a->c, &v), recvcase(a->c, &r, &ok)};
		int k = sl_select(cs, 2, true);
		if (k == 0) {
			a->sent++;
		} else {
			CHECK(ok && r == 1 - a->id);
			a->got++;
		}
	}
	CHECK_EQ(sl_chan_send(a->done, NULL), 0);
}

static void mixed(void)
{
	struct proxy px = {sl_chan_make(sizeof(int64_t), 0), sl_chan_make(sizeof(int64_t), 0)};
	sl_go(proxy, &px);
	sl_go(feed, px.in);
	int64_t want = 0, r;
	bool ok;
	while (sl_chan_recv(px.out, &r, &ok) == 0 && ok)
		CHECK_EQ(r, want++);
	CHECK_EQ(want, PROXYN);

	sl_chan *c = sl_chan_make(sizeof(int64_t), 0), *done = sl_chan_make(0, 0);
	struct pairarg a[2] = {{c, 0, 0, 0, 0, done}, {c, 1, 0, 0, 0, done}};
	sl_go(pairer, &a[0]);
	sl_go(pairer, &a[1]);
	CHECK_EQ(sl_chan_recv(done, NULL, NULL), 0);
	CHECK_EQ(sl_chan_recv(done, NULL, NULL), 0);
	CHECK_EQ(a[0].sent, a[1].got);
	CHECK_EQ(a[1].sent, a[0].got);
	CHECK_EQ(a[0].sent + a[0].got, 5000);
	CHECK_EQ(nwaiters(c, true) + nwaiters(c, false), 0);
	CHECK_EQ(sl_chan_free(c), 0);
	CHECK_EQ(sl_chan_free(done), 0);
	CHECK_EQ(sl_chan_free(px.in), 0);
	CHECK_EQ(sl_chan_free(px.out), 0);
}

/* ---- more cases than fit on the stack, channels repeated ---- */

static void many(void)
{
	enum { NC = 12, NCASES = 30 };
	sl_chan *c[NC];
	for (int i = 0; i < NC; i++)
		c[i] = sl_chan_make(sizeof(int64_t), 0);
	sl_select_case cs[NCASES];
	int64_t vals[NCASES];
	bool oks[NCASES];
	for (int i = 0; i < NCASES; i++)
		cs[i] = recvcase(c[(i * 7) % NC], &vals[i], &oks[i]);
	int64_t done = 0;
	struct bigsel bs = {cs, NCASES, -9, &done};
	for (int round = 0; round < 200; round++) {
		for (int i = 0; i < NCASES; i++)
			vals[i] = -1;
		bs.res = -9;
		sl_go(bigselector, &bs);
		int which = round % NC;
		waitparked(c[which], true, 1);
		int64_t v = round;
		CHECK_EQ(sl_chan_send(c[which], &v), 0);
		while (atomic_load(&done) != round + 1)
			sl_yield();
		int k = bs.res;
		CHECK(k >= 0 && k < NCASES);
		CHECK(cs[k].c == c[which]);
		CHECK(oks[k] && vals[k] == round);
		for (int i = 0; i < NC; i++)
			CHECK_EQ(nwaiters(c[i], true), 0);
	}
	/* and ready ones: uniform over the cases of the ready channel */
	sl_chan *b = sl_chan_make(sizeof(int64_t), 1);
	int64_t v = 1;
	for (int i = 0; i < NCASES; i += 3)
		cs[i] = recvcase(b, &vals[i], &oks[i]);
	int64_t count[NCASES] = {0};
	for (int r = 0; r < 20000; r++) {
		CHECK_EQ(sl_chan_send(b, &v), 0);
		int k = sl_select(cs, NCASES, false);
		CHECK(k >= 0 && k % 3 == 0);
		count[k]++;
	}
	for (int i = 0; i < NCASES; i += 3)
		CHECK(fabs((double)count[i] / 20000 - 0.1) < 0.02);
	for (int i = 0; i < NC; i++)
		CHECK_EQ(sl_chan_free(c[i]), 0);
	CHECK_EQ(sl_chan_free(b), 0);
}

/* ---- from a thread that is not a goroutine ---- */

static void foreign_select(void *arg)
{
	int *res = arg;
	sl_chan *c = sl_chan_make(sizeof(int64_t), 1);
	int64_t v = 4, r = 0;
	bool ok = false;
	sl_select_case cs[2] = {recvcase(c, &r, &ok), sendcase(c, &v)};
	res[0] = sl_select(cs, 2, true);
	res[1] = sl_select(cs, 1, false);
	res[2] = sl_select(cs, 2, false); /* only the send is ready */
	res[3] = sl_select(cs, 1, false);
	res[4] = (int)r;
	res[5] = sl_select(NULL, 0, true);
	sl_chan_free(c);
}

static void foreign(void)
{
	int res[6];
	run_foreign(foreign_select, res);
	CHECK_EQ(res[0], SL_ENOTGOROUTINE);
	CHECK_EQ(res[1], SL_EAGAIN);
	CHECK_EQ(res[2], 1);
	CHECK_EQ(res[3], 0);
	CHECK_EQ(res[4], 4);
	CHECK_EQ(res[5], SL_ENOTGOROUTINE);
}

/* ---- blocked forever (checked by expect.sh) ---- */

/*
 * EXPECT nocases
 * args    nocases
 * env     GOMAXPROCS=2
 * status  2
 * match   ^blocking$
 * match   ^fatal error: all goroutines are asleep - deadlock!$
 * match   ^goroutine 1 \[select \(no cases\)\]:$
 * nomatch unreachable
 */
static void nocases(void)
{
	printf("blocking\n");
	fflush(stdout);
	sl_select(NULL, 0, true);
	printf("unreachable\n");
}

/*
 * EXPECT allnil
 * args    allnil
 * env     GOMAXPROCS=2
 * status  2
 * match   ^blocking$
 * match   ^fatal error: all goroutines are asleep - deadlock!$
 * match   ^goroutine 1 \[select\]:$
 * nomatch unreachable
 */
static void allnil(void)
{
	int64_t r;
	sl_select_case cs[2] = {recvcase(NULL, &r, NULL), sendcase(NULL, &r)};
	printf("blocking\n");
	fflush(stdout);
	sl_select(cs, 2, true);
	printf("unreachable\n");
}

static const struct mode modes[] = {
    {"fairness", fairness}, {"nonblocking", nonblocking},
    {"closed", closed},	    {"wakeonce", wakeonce},
    {"mixed", mixed},	    {"many", many},
    {"foreign", foreign},   {"nocases", nocases},
    {"allnil", allnil},	    {NULL, NULL},
};

int sl_main(int argc, char **argv)
{
	return run_mode(modes, argc, argv);
}
