/*
 * test_throws: broken invariants and API limits stop the program with Go's
 * message. Each mode forces one; expect.sh checks the message and the exit
 * status (2 for throw, SIGABRT for schedcheck).
 */
#include "check.h"
#include "runtime.h"
#include "schedlab.h"

#include <string.h>

static void count_exit(void *arg)
{
	atomic_xadd((int64_t *)arg, 1);
}

static void spin(void *arg)
{
	(void)arg;
	for (;;)
		sl_yield();
}

/* Unbounded as far as the compiler can tell: the limit is never reached. */
static volatile int limit = 1 << 30;

static int recurse(int depth)
{
	volatile char frame[1024];
	frame[0] = (char)depth;
	frame[sizeof frame - 1] = (char)depth;
	if (depth > limit)
		return 0;
	return recurse(depth + 1) + frame[0] + frame[sizeof frame - 1];
}

static void overflow(void *arg)
{
	(void)arg;
	printf("%d\n", recurse(0));
}

int sl_main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	struct m *mp = getm();
	if (!strcmp(mode, "wirep_already")) {
		wirep(mp->p);
	} else if (!strcmp(mode, "wirep_invalid")) {
		/* Pretend to have no P and wire one that an M owns. */
		struct p *pp = mp->p;
		mp->p = NULL;
		wirep(pp);
	} else if (!strcmp(mode, "go_nil")) {
		sl_go(NULL, NULL);
	} else if (!strcmp(mode, "releasep_arg")) {
		mp->p = NULL;
		releasep();
	} else if (!strcmp(mode, "releasep_state")) {
		atomic_store(&mp->p->status, _Pidle);
		releasep();
	} else if (!strcmp(mode, "procresize_invalid")) {
		lock(&sched.lock);
		procresize(0);
	} else if (!strcmp(mode, "schedule_locks")) {
		lock(&allglock);
		sl_yield();
	} else if (!strcmp(mode, "lock_order")) {
		lock(&allglock);
		lock(&sched.lock);
		unlock(&sched.lock);
		unlock(&allglock);
		printf("no lock ranking in this build\n");
		return 0;
	} else if (!strcmp(mode, "casgstatus")) {
		casgstatus(getg(), _Gwaiting, _Grunnable);
	} else if (!strcmp(mode, "ready_running")) {
		goready(getg());
	} else if (!strcmp(mode, "thread_exhaustion")) {
		/* Only m0 exists yet; a second M is one too many. */
		sl_setmaxthreads(1);
		sl_go(spin, NULL);
		for (;;)
			sl_yield();
	} else if (!strcmp(mode, "stack_overflow")) {
		sl_go(overflow, NULL);
		for (;;)
			sl_yield();
	} else if (!strcmp(mode, "schedcheck")) {
		/* Corrupt a counter and check. */
		stopTheWorld("test");
		lock(&sched.lock);
		atomic_store(&sched.npidle, sched.npidle + 3);
		schedcheck(SCHEDCHECK_STOPPED);
	} else if (!strcmp(mode, "schedcheck_bad_place")) {
		/* A runnable G on a free list: revive a dead one. */
		static int64_t exited;
		struct g *gp = NULL;
		sl_go(count_exit, &exited);
		while (!atomic_load(&exited))
			sl_yield();
		sl_yield(); /* let it finish exiting */
		stopTheWorld("test");
		lock(&sched.lock);
		lock(&allglock);
		for (int i = 0; i < allglen; i++)
			if (readgstatus(allgs[i]) == _Gdead)
				gp = allgs[i];
		unlock(&allglock);
		CHECK(gp != NULL);
		atomic_store(&gp->atomicstatus, _Grunnable);
		schedcheck(SCHEDCHECK_STOPPED);
	} else {
		fprintf(stderr, "test_throws: unknown mode %s\n", mode);
		return 1;
	}
	printf("survived %s\n", mode);
	return 0;
}
