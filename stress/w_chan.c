/*
 * w_chan.c: channels with many senders and receivers. One round picks a
 * capacity (unbuffered or buffered), the numbers of senders, receivers and
 * values, whether each side blocks or polls (try-operations with yields),
 * and when the channel is closed: after the last send, or in the middle,
 * racing the sends and waking whoever blocks on it.
 *
 * Books: a value is (slot, ~slot), slot = sender * per_sender + k. A send
 * that returns 0 counts the slot in `sent`; a receive counts it in `got`.
 * After the round every slot must be received exactly as often as it was
 * sent (once, or never when the close beat its send): "value 12 of chan
 * round 3 counted 2 times, want 1". A torn or invented value fails at once.
 */
#include "soak.h"

#include <stdio.h>

struct val {
	uint64_t slot, check;
};

struct cround {
	uint64_t round;
	sl_chan *c;
	struct tally sent, got;
	int per_sender;
	bool poll_send, poll_recv;
	sl_waitgroup senders, receivers;
	_Atomic int received;
};

struct role {
	struct cround *cr;
	int id;
};

static void sender(void *arg)
{
	struct role *r = arg;
	struct cround *cr = r->cr;
	for (int k = 0; k < cr->per_sender; k++) {
		uint64_t slot = (uint64_t)r->id * cr->per_sender + k;
		struct val v = {slot, ~slot};
		int rc;
		if (cr->poll_send && k % 2)
			while ((rc = sl_chan_trysend(cr->c, &v)) == SL_EAGAIN)
				sl_yield();
		else
			rc = sl_chan_send(cr->c, &v);
		if (rc == SL_ECLOSED)
			break; /* the close won: the rest are never sent */
		if (rc != 0)
			soak_fail("chan round %llu: send returned %d",
				  (unsigned long long)cr->round, rc);
		tally_hit(&cr->sent, (int)slot);
		soak_add(&soak_sent, 1);
	}
	sl_waitgroup_done(&cr->senders);
}

static void receiver(void *arg)
{
	struct role *r = arg;
	struct cround *cr = r->cr;
	for (;;) {
		struct val v;
		bool ok;
		int rc;
		if (cr->poll_recv && (atomic_load(&cr->received) & 1))
			while ((rc = sl_chan_tryrecv(cr->c, &v, &ok)) == SL_EAGAIN)
				sl_yield();
		else
			rc = sl_chan_recv(cr->c, &v, &ok);
		if (rc != 0)
			soak_fail("chan round %llu: receive returned %d",
				  (unsigned long long)cr->round, rc);
		if (!ok) {
			if (v.slot || v.check)
				soak_fail("chan round %llu: a receive from the closed channel gave "
					  "a value that is not zero",
					  (unsigned long long)cr->round);
			break;
		}
		if (v.check != ~v.slot || v.slot >= (uint64_t)cr->got.len)
			soak_fail("chan round %llu: received a torn or invented value (slot %llu, "
				  "check %llx)",
				  (unsigned long long)cr->round, (unsigned long long)v.slot,
				  (unsigned long long)v.check);
		if (tally_hit(&cr->got, (int)v.slot) > 1)
			soak_fail("value %llu of chan round %llu received twice",
				  (unsigned long long)v.slot, (unsigned long long)cr->round);
		atomic_fetch_add(&cr->received, 1);
		soak_add(&soak_received, 1);
	}
	sl_waitgroup_done(&cr->receivers);
}

void w_chan(uint64_t round)
{
	static const int caps[] = {0, 0, 1, 4, 64};
	uint64_t r = rng_seed(round, 2);
	struct cround cr = {.round = round};
	int nsend = (int)rng_range(&r, 1, 16), nrecv = (int)rng_range(&r, 1, 16);
	cr.per_sender = (int)rng_range(&r, 1, 300);
	cr.poll_send = rng_range(&r, 0, 3) == 0;
	/* Only one side polls: a try-send and a try-receive on an unbuffered
	 * channel never meet. */
	cr.poll_recv = !cr.poll_send && rng_range(&r, 0, 3) == 0;
	bool racing_close = rng_range(&r, 0, 2) == 0;
	int close_after = (int)rng_range(&r, 0, nsend * cr.per_sender);
	cr.c = sl_chan_make(sizeof(struct val), caps[rng_range(&r, 0, 4)]);
	if (!cr.c)
		soak_fail("sl_chan_make failed");
	int total = nsend * cr.per_sender;
	tally_init(&cr.sent, total);
	tally_init(&cr.got, total);

	struct role roles[32];
	sl_waitgroup_add(&cr.senders, nsend);
	sl_waitgroup_add(&cr.receivers, nrecv);
	for (int i = 0; i < nrecv; i++) {
		roles[16 + i] = (struct role){&cr, i};
		sl_go(receiver, &roles[16 + i]);
	}
	for (int i = 0; i < nsend; i++) {
		roles[i] = (struct role){&cr, i};
		sl_go(sender, &roles[i]);
	}
	if (racing_close) {
		/* Close in the middle: senders blocked on it get SL_ECLOSED,
		 * the values in the buffer still reach the receivers. */
		while (atomic_load(&cr.received) < close_after && sl_chan_len(cr.c) == 0 &&
		       atomic_load(&cr.received) < total)
			sl_yield();
		if (sl_chan_close(cr.c) != 0)
			soak_fail("chan round %llu: close failed", (unsigned long long)round);
		sl_waitgroup_wait(&cr.senders);
	} else {
		sl_waitgroup_wait(&cr.senders);
		if (sl_chan_close(cr.c) != 0)
			soak_fail("chan round %llu: close failed", (unsigned long long)round);
	}
	sl_waitgroup_wait(&cr.receivers);
	soak_op();
	if (sl_chan_close(cr.c) != SL_ECLOSED)
		soak_fail("chan round %llu: a second close did not report SL_ECLOSED",
			  (unsigned long long)round);
	tally_check(&cr.got, &cr.sent, "value of chan", round);
	int rc = sl_chan_free(cr.c);
	if (rc != 0)
		soak_fail("chan round %llu: sl_chan_free returned %d (%s)",
			  (unsigned long long)round, rc, sl_strerror(rc));
	tally_free(&cr.sent);
	tally_free(&cr.got);
}
