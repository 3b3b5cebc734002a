/*
 * w_select.c: sl_select over many channels. One round makes 2..12 channels
 * of mixed capacities; senders select over a random subset of send cases
 * (the value goes to whichever is ready), receivers select over every
 * channel's receive case; each side blocks, or polls with the default case
 * (non-blocking select and a yield). In half the rounds the senders pass a
 * barrier before every few values, so that many channels become ready at
 * the same moment from different Ms; in the others a closer closes the
 * channels one by one while the senders are still sending (a send case then
 * reports SL_ECLOSED and the sender tries the channels still open).
 *
 * Books: as in w_chan.c, every slot is received exactly as often as a select
 * reported it sent.
 */
#include "soak.h"

enum { MAXCH = 12, MAXROLE = 12 };

struct sround {
	uint64_t round;
	int nch;
	sl_chan *c[MAXCH];
	struct tally sent, got;
	int nsend, per_sender;
	bool barrier, block_send, block_recv;
	_Atomic int arrived, gen; /* the barrier */
	sl_waitgroup senders, receivers;
};

struct srole {
	struct sround *sr;
	int id;
};

/* A barrier that yields while it waits (a spinning goroutine would hold
 * its P). Only for rounds where no sender stops early. */
static void barrier(struct sround *sr)
{
	int gen = atomic_load(&sr->gen);
	if (atomic_fetch_add(&sr->arrived, 1) + 1 == sr->nsend) {
		atomic_store(&sr->arrived, 0);
		atomic_fetch_add(&sr->gen, 1);
		return;
	}
	while (atomic_load(&sr->gen) == gen)
		sl_yield();
}

static void sender(void *arg)
{
	struct srole *ro = arg;
	struct sround *sr = ro->sr;
	uint64_t r = rng_seed(sr->round, 100 + ro->id);
	bool open[MAXCH];
	for (int i = 0; i < sr->nch; i++)
		open[i] = true;
	for (int k = 0; k < sr->per_sender; k++) {
		if (sr->barrier && k % 4 == 0)
			barrier(sr);
		uint64_t slot = (uint64_t)ro->id * sr->per_sender + k, v = slot;
		for (;;) {
			sl_select_case cs[MAXCH];
			int map[MAXCH], n = 0;
			for (int i = 0; i < sr->nch; i++)
				if (open[i] && (n == 0 || rng_range(&r, 0, 1))) {
					cs[n] =
					    (sl_select_case){sr->c[i], SL_SELECT_SEND, &v, 0, 0};
					map[n++] = i;
				}
			if (n == 0)
				goto out; /* every channel closed: the rest are never sent */
			int rc;
			while ((rc = sl_select(cs, n, sr->block_send)) == SL_EAGAIN)
				sl_yield();
			soak_add(&soak_selects, 1);
			if (rc < 0 || rc >= n)
				soak_fail("select round %llu: send select returned %d",
					  (unsigned long long)sr->round, rc);
			if (cs[rc].err == SL_ECLOSED) {
				open[map[rc]] = false;
				continue;
			}
			tally_hit(&sr->sent, (int)slot);
			soak_add(&soak_sent, 1);
			break;
		}
	}
out:
	sl_waitgroup_done(&sr->senders);
}

static void receiver(void *arg)
{
	struct srole *ro = arg;
	struct sround *sr = ro->sr;
	uint64_t v[MAXCH];
	bool ok[MAXCH];
	sl_select_case cs[MAXCH];
	int open = sr->nch;
	for (int i = 0; i < sr->nch; i++)
		cs[i] = (sl_select_case){sr->c[i], SL_SELECT_RECV, &v[i], &ok[i], 0};
	while (open > 0) {
		int rc;
		while ((rc = sl_select(cs, sr->nch, sr->block_recv)) == SL_EAGAIN)
			sl_yield();
		soak_add(&soak_selects, 1);
		if (rc < 0 || rc >= sr->nch)
			soak_fail("select round %llu: receive select returned %d",
				  (unsigned long long)sr->round, rc);
		if (!ok[rc]) {
			cs[rc].c = NULL; /* closed and drained: never ready again */
			open--;
			continue;
		}
		if (v[rc] >= (uint64_t)sr->got.len)
			soak_fail("select round %llu: received an invented value %llu",
				  (unsigned long long)sr->round, (unsigned long long)v[rc]);
		if (tally_hit(&sr->got, (int)v[rc]) > 1)
			soak_fail("value %llu of select round %llu received twice",
				  (unsigned long long)v[rc], (unsigned long long)sr->round);
		soak_add(&soak_received, 1);
	}
	sl_waitgroup_done(&sr->receivers);
}

void w_select(uint64_t round)
{
	static const int caps[] = {0, 0, 1, 8};
	uint64_t r = rng_seed(round, 3);
	struct sround sr = {.round = round};
	sr.nch = (int)rng_range(&r, 2, MAXCH);
	sr.nsend = (int)rng_range(&r, 1, MAXROLE);
	int nrecv = (int)rng_range(&r, 1, MAXROLE);
	sr.per_sender = (int)rng_range(&r, 1, 200);
	sr.barrier = rng_range(&r, 0, 1);
	sr.block_send = rng_range(&r, 0, 3) != 0;
	/* Only one side polls: non-blocking selects on both sides of an
	 * unbuffered channel never meet. */
	sr.block_recv = !sr.block_send || rng_range(&r, 0, 3) != 0;
	for (int i = 0; i < sr.nch; i++)
		if (!(sr.c[i] = sl_chan_make(sizeof(uint64_t), caps[rng_range(&r, 0, 3)])))
			soak_fail("sl_chan_make failed");
	int total = sr.nsend * sr.per_sender;
	tally_init(&sr.sent, total);
	tally_init(&sr.got, total);

	struct srole roles[2 * MAXROLE];
	sl_waitgroup_add(&sr.senders, sr.nsend);
	sl_waitgroup_add(&sr.receivers, nrecv);
	for (int i = 0; i < nrecv; i++) {
		roles[MAXROLE + i] = (struct srole){&sr, i};
		sl_go(receiver, &roles[MAXROLE + i]);
	}
	for (int i = 0; i < sr.nsend; i++) {
		roles[i] = (struct srole){&sr, i};
		sl_go(sender, &roles[i]);
	}
	if (!sr.barrier) {
		/* Close racing the sends: one channel after another, a few
		 * yields apart. */
		for (int i = 0; i < sr.nch; i++) {
			for (int64_t y = rng_range(&r, 0, 200); y > 0; y--)
				sl_yield();
			if (sl_chan_close(sr.c[i]) != 0)
				soak_fail("select round %llu: close failed",
					  (unsigned long long)round);
			soak_op();
		}
		sl_waitgroup_wait(&sr.senders);
	} else {
		sl_waitgroup_wait(&sr.senders);
		for (int i = 0; i < sr.nch; i++)
			if (sl_chan_close(sr.c[i]) != 0)
				soak_fail("select round %llu: close failed",
					  (unsigned long long)round);
	}
	sl_waitgroup_wait(&sr.receivers);
	tally_check(&sr.got, &sr.sent, "value of select", round);
	for (int i = 0; i < sr.nch; i++) {
		int rc = sl_chan_free(sr.c[i]);
		if (rc != 0)
			soak_fail("select round %llu: sl_chan_free returned %d",
				  (unsigned long long)round, rc);
	}
	tally_free(&sr.sent);
	tally_free(&sr.got);
}
