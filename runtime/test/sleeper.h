/* sleeper.h: a one-goroutine semaphore on gopark/goready, for tests that
 * hand control between goroutines. wake() may come before or after
 * sleep_on(); a wakeup is never lost. */
#ifndef SCHEDLAB_TEST_SLEEPER_H
#define SCHEDLAB_TEST_SLEEPER_H

#include "export_test.h"

struct sleeper {
	int32_t tokens;
	struct g *parked;
};

static inline bool publish_or_cancel(struct g *gp, void *arg)
{
	struct sleeper *s = arg;
	atomic_store(&s->parked, gp);
	/* A token that arrived before we published: take ourselves back
	 * unless the waker already did, in which case it readies us. */
	if (atomic_load(&s->tokens) > 0 && atomic_cas(&s->parked, gp, NULL))
		return false;
	return true;
}

static inline void sleep_on(struct sleeper *s)
{
	for (;;) {
		int32_t t = atomic_load(&s->tokens);
		if (t > 0 && atomic_cas(&s->tokens, t, t - 1))
			return;
		if (t == 0)
			gopark(publish_or_cancel, s, waitReasonTest, s);
	}
}

static inline void wake(struct sleeper *s)
{
	atomic_xadd(&s->tokens, 1);
	struct g *gp = atomic_xchg(&s->parked, NULL);
	if (gp)
		goready(gp);
}

#endif
