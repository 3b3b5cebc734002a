/* chanutil.h: helpers for the channel and select tests: waiting until
 * goroutines are parked on a channel, a done-counter, a foreign thread. */
#ifndef SCHEDLAB_TEST_CHANUTIL_H
#define SCHEDLAB_TEST_CHANUTIL_H

#include "chan.h"
#include "check.h"

#include <pthread.h>
#include <string.h>

/* Sudogs in c's receive (recv true) or send queue, including selects that
 * have been claimed but have not yet cleaned up. */
static inline int nwaiters(sl_chan *ch, bool recv)
{
	struct hchan *c = tohchan(ch);
	int n = 0;
	lock(&c->lock);
	for (struct sudog *sg = recv ? c->recvq.first : c->sendq.first; sg; sg = sg->next)
		n++;
	unlock(&c->lock);
	return n;
}

/* Yield until n goroutines wait on c. */
static inline void waitparked(sl_chan *c, bool recv, int n)
{
	while (nwaiters(c, recv) < n)
		sl_yield();
}

/* Run fn(arg) on a new OS thread that is not a goroutine and wait for it,
 * yielding meanwhile. */
struct foreign {
	void (*fn)(void *);
	void *arg;
	int done;
};

static inline void *foreign_main(void *p)
{
	struct foreign *f = p;
	f->fn(f->arg);
	__atomic_store_n(&f->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static inline void run_foreign(void (*fn)(void *), void *arg)
{
	struct foreign f = {fn, arg, 0};
	pthread_t t;
	CHECK(pthread_create(&t, NULL, foreign_main, &f) == 0);
	while (!__atomic_load_n(&f.done, __ATOMIC_SEQ_CST))
		sl_yield();
	/* The thread has finished its work: the join blocks this M only for
	 * the thread's exit, so it goes without sl_syscall_begin. */
	pthread_join(t, NULL);
}

/* A mode table: each test binary runs the mode named by argv[1]. */
struct mode {
	const char *name;
	void (*fn)(void);
};

static inline int run_mode(const struct mode *modes, int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "";
	for (const struct mode *m = modes; m->name; m++) {
		if (!strcmp(m->name, name)) {
			m->fn();
			printf("ok %s\n", name);
			return 0;
		}
	}
	fprintf(stderr, "unknown mode \"%s\"\n", name);
	return 1;
}

#endif
