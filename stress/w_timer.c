/*
 * w_timer.c: sleeps and timers, stopped, reset and freed around the moment
 * they fire. Each of a round's goroutines runs a series of trials, one
 * pattern each: a sleep; a timer waited for; a stop near the deadline, by
 * the owner or by another goroutine (the stop races the timer firing on
 * another M); a stop-drain-reset; a reset of a pending timer; a free near
 * the deadline.
 *
 * Books, per trial: no value before its deadline (the value the timer sends
 * and the receiver's own clock, both CLOCK_MONOTONIC, against the time taken
 * before arming plus the duration); a stop that reports it stopped the timer
 * means no value ever comes; one arm gives at most one value ("fired
 * twice"); and a sleep lasts at least its duration.
 */
#include "soak.h"

#define US 1000ll
#define MS (1000 * US)

struct stopper {
	sl_timer *t;
	int64_t after;
	sl_chan *result; /* bool: what sl_timer_stop said */
};

static void stop_later(void *arg)
{
	struct stopper *s = arg;
	sl_sleep(s->after);
	bool stopped = sl_timer_stop(s->t);
	sl_chan_send(s->result, &stopped);
}

static void check_value(int64_t v, int64_t deadline, const char *what, uint64_t round)
{
	int64_t now = soak_now();
	if (v < deadline || now < deadline)
		soak_fail("timer fired early (%s, round %llu): value %lld ns and receipt %lld ns "
			  "before the deadline",
			  what, (unsigned long long)round, (long long)(deadline - v),
			  (long long)(deadline - now));
	soak_add(&soak_timers, 1);
}

/* After one value was taken (or none was due), nothing more may come. */
static void check_quiet(sl_timer *t, int64_t wait, const char *what, uint64_t round)
{
	int64_t v;
	sl_sleep(wait);
	if (sl_chan_tryrecv(sl_timer_chan(t), &v, NULL) != SL_EAGAIN)
		soak_fail("timer fired twice, or after a stop that stopped it (%s, round %llu)",
			  what, (unsigned long long)round);
}

/* The value of a stop that said "too late" must arrive; one that said
 * "stopped" must never. */
static void after_stop(sl_timer *t, bool stopped, int64_t deadline, const char *what,
		       uint64_t round)
{
	if (stopped) {
		int64_t left = deadline - soak_now();
		check_quiet(t, (left > 0 ? left : 0) + 1 * MS, what, round);
	} else {
		int64_t v;
		sl_chan_recv(sl_timer_chan(t), &v, NULL);
		check_value(v, deadline, what, round);
		check_quiet(t, 200 * US, what, round);
	}
}

static void trial(uint64_t *r, uint64_t round)
{
	int64_t d = rng_range(r, 0, 2 * MS), jitter = rng_range(r, -300, 300) * US;
	int64_t near = d + jitter > 0 ? d + jitter : 0;
	int64_t start = soak_now(), v;
	sl_timer *t;
	switch (rng_range(r, 0, 6)) {
	case 0: /* sleep */
		sl_sleep(d);
		if (soak_now() - start < d)
			soak_fail("sl_sleep(%lld) returned %lld ns early (round %llu)",
				  (long long)d, (long long)(d - (soak_now() - start)),
				  (unsigned long long)round);
		soak_add(&soak_timers, 1);
		return;
	case 1: /* wait for it */
		t = sl_timer_new(d);
		sl_chan_recv(sl_timer_chan(t), &v, NULL);
		check_value(v, start + d, "wait", round);
		check_quiet(t, rng_range(r, 0, 500) * US, "wait", round);
		break;
	case 2: /* the owner stops it near the deadline */
		t = sl_timer_new(d);
		sl_sleep(near);
		after_stop(t, sl_timer_stop(t), start + d, "stop", round);
		break;
	case 3: { /* another goroutine stops it near the deadline */
		t = sl_timer_new(d);
		struct stopper s = {t, near, sl_chan_make(sizeof(bool), 0)};
		bool stopped;
		sl_go(stop_later, &s);
		sl_chan_recv(s.result, &stopped, NULL);
		sl_chan_free(s.result);
		after_stop(t, stopped, start + d, "stop from another goroutine", round);
		break;
	}
	case 4: { /* stop, drain, reset: Go's way to reuse a timer */
		t = sl_timer_new(d);
		sl_sleep(near);
		after_stop(t, sl_timer_stop(t), start + d, "stop before reset", round);
		int64_t d2 = rng_range(r, 0, 2 * MS), start2 = soak_now();
		if (sl_timer_reset(t, d2))
			soak_fail(
			    "sl_timer_reset of a stopped timer reported it pending (round %llu)",
			    (unsigned long long)round);
		sl_chan_recv(sl_timer_chan(t), &v, NULL);
		check_value(v, start2 + d2, "reset", round);
		check_quiet(t, 200 * US, "reset", round);
		break;
	}
	case 5: { /* reset while pending: only the new deadline counts */
		t = sl_timer_new(60000 * MS);
		int64_t start2 = soak_now();
		if (!sl_timer_reset(t, d))
			soak_fail(
			    "sl_timer_reset of a pending timer reported it stopped (round %llu)",
			    (unsigned long long)round);
		sl_chan_recv(sl_timer_chan(t), &v, NULL);
		check_value(v, start2 + d, "reset while pending", round);
		check_quiet(t, 200 * US, "reset while pending", round);
		break;
	}
	default: /* freed near the deadline, maybe while it fires */
		t = sl_timer_new(d);
		sl_sleep(near);
		break;
	}
	sl_timer_free(t);
	soak_op();
}

struct tround {
	uint64_t round;
	int id, trials;
	sl_waitgroup *wg;
};

static void timer_goroutine(void *arg)
{
	struct tround *tr = arg;
	uint64_t r = rng_seed(tr->round, 200 + tr->id);
	for (int i = 0; i < tr->trials; i++)
		trial(&r, tr->round);
	sl_waitgroup_done(tr->wg);
}

void w_timer(uint64_t round)
{
	uint64_t r = rng_seed(round, 4);
	int n = (int)rng_range(&r, 4, 32);
	struct tround tr[32];
	sl_waitgroup wg = SL_WAITGROUP_INIT;
	sl_waitgroup_add(&wg, n);
	for (int i = 0; i < n; i++) {
		tr[i] = (struct tround){round, i, (int)rng_range(&r, 5, 30), &wg};
		sl_go(timer_goroutine, &tr[i]);
	}
	sl_waitgroup_wait(&wg);
}
