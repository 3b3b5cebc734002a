/*
 * test_throws: broken invariants and API limits stop the program with Go's
 * message. Each mode forces one; expect.sh checks the message and the exit
 * status (2 for throw, SIGABRT for schedcheck) that the mode's EXPECT block
 * names.
 */
#include "check.h"
#include "overflow.h"
#include "export_test.h"
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

/*
 * One frame of KB KiB, written at its bottom first: without probing, the
 * first touch lands KB KiB below the caller, past the 64 KiB guard when KB
 * is larger, in whatever lies there (another goroutine's stack).
 */
#define BIGFRAME(KB)                                                                               \
	static __attribute__((noinline)) int bigframe_##KB(void)                                   \
	{                                                                                          \
		volatile char buf[(KB)*1024];                                                      \
		/* the whole array escapes: no compiler may shrink the frame */                    \
		__asm__ volatile("" : : "r"(buf) : "memory");                                      \
		buf[0] = 1;                                                                        \
		buf[sizeof buf - 1] = 2;                                                           \
		return buf[0] + buf[sizeof buf - 1];                                               \
	}
BIGFRAME(72)
BIGFRAME(84)
BIGFRAME(160)

static int bigframe_done;

static void bigframe(void *arg)
{
	int kb = (int)(intptr_t)arg;
	int r = kb == 72 ? bigframe_72() : kb == 84 ? bigframe_84() : bigframe_160();
	atomic_store(&bigframe_done, r);
}

int sl_main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	struct m *mp = getm();
	if (!strcmp(mode, "wirep_already")) {
		/*
		 * EXPECT wirep_already
		 * args    wirep_already
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^fatal error: wirep: already in go$
		 * nomatch survived
		 */
		wirep(mp->p);
	} else if (!strcmp(mode, "wirep_invalid")) {
		/*
		 * EXPECT wirep_invalid
		 * args    wirep_invalid
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^wirep: p->m=0x[0-9a-f]+\(0\) p->status=1$
		 * match   ^fatal error: wirep: invalid p state$
		 * nomatch survived
		 */
		/* Pretend to have no P and wire one that an M owns. */
		struct p *pp = mp->p;
		mp->p = NULL;
		wirep(pp);
	} else if (!strcmp(mode, "go_nil")) {
		/*
		 * EXPECT go_nil
		 * args    go_nil
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^fatal error: go of nil func value$
		 * nomatch survived
		 */
		sl_go(NULL, NULL);
	} else if (!strcmp(mode, "releasep_arg")) {
		/*
		 * EXPECT releasep_arg
		 * args    releasep_arg
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^fatal error: releasep: invalid arg$
		 * nomatch survived
		 */
		mp->p = NULL;
		releasep();
	} else if (!strcmp(mode, "releasep_state")) {
		/*
		 * EXPECT releasep_state
		 * args    releasep_state
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^releasep: m=0x[0-9a-f]+ m->p=0x[0-9a-f]+ p->m=0x[0-9a-f]+ p->status=0$
		 * match   ^fatal error: releasep: invalid p state$
		 * nomatch survived
		 */
		atomic_store(&mp->p->status, _Pidle);
		releasep();
	} else if (!strcmp(mode, "procresize_invalid")) {
		/*
		 * EXPECT procresize_invalid
		 * args    procresize_invalid
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^fatal error: procresize: invalid arg$
		 * nomatch survived
		 */
		lock(&sched.lock);
		procresize(0);
	} else if (!strcmp(mode, "schedule_locks")) {
		/*
		 * EXPECT schedule_locks
		 * args    schedule_locks
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^fatal error: schedule: holding locks$
		 * nomatch survived
		 */
		lock(&allglock);
		sl_yield();
	} else if (!strcmp(mode, "lock_order")) {
		/*
		 * EXPECT lock_order
		 * args    lock_order
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   lock ordering problem: acquiring sched \(rank [0-9]+\) while holding \
		 *         allg \(rank [0-9]+\)
		 * match   ^fatal error: lock ordering problem$
		 * nomatch survived
		 */
		lock(&allglock);
		lock(&sched.lock);
		unlock(&sched.lock);
		unlock(&allglock);
		printf("no lock ranking in this build\n");
		return 0;
	} else if (!strcmp(mode, "casgstatus")) {
		/*
		 * EXPECT casgstatus
		 * args    casgstatus
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   casgstatus: goroutine 1: waiting->runnable, but status is running
		 * match   ^fatal error: casgstatus: bad transition$
		 * nomatch survived
		 */
		casgstatus(getg(), _Gwaiting, _Grunnable);
	} else if (!strcmp(mode, "ready_running")) {
		/*
		 * EXPECT ready_running
		 * args    ready_running
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   gp->atomicstatus=running
		 * match   ^fatal error: bad g->status in ready$
		 * nomatch survived
		 */
		goready(getg());
	} else if (!strcmp(mode, "thread_exhaustion")) {
		/*
		 * EXPECT thread_exhaustion
		 * args    thread_exhaustion
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^runtime: program exceeds 1-thread limit$
		 * match   ^fatal error: thread exhaustion$
		 * nomatch survived
		 */
		/* Only m0 exists yet; a second M is one too many. */
		sl_setmaxthreads(1);
		sl_go(spin, NULL);
		for (;;)
			sl_yield();
	} else if (!strcmp(mode, "stack_overflow")) {
		/*
		 * EXPECT stack_overflow
		 * args    stack_overflow
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^runtime: goroutine stack exceeds 65536-byte limit$
		 * match   ^fatal error: stack overflow$
		 * match   ^goroutine [0-9]+ \[running\]
		 * nomatch survived
		 */
		/*
		 * EXPECT stack_overflow_mprotect_guard
		 * args    stack_overflow
		 * env     GOMAXPROCS=2
		 * env     SL_DEBUG=stackguard=1
		 * status  2
		 * match   ^runtime: goroutine stack exceeds 65536-byte limit$
		 * match   ^fatal error: stack overflow$
		 * nomatch survived
		 */
		sl_go(overflow, NULL);
		for (;;)
			sl_yield();
	} else if (!strcmp(mode, "bigframe") && argc > 2) {
		/*
		 * A frame larger than the stack, with goroutines parked on the
		 * stacks below: each is a stack overflow, reported, exit 2.
		 *
		 * EXPECT bigframe_72k
		 * args    bigframe 72
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^runtime: goroutine stack exceeds 65536-byte limit$
		 * match   ^fatal error: stack overflow$
		 * nomatch survived
		 */
		/*
		 * EXPECT bigframe_84k
		 * args    bigframe 84
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^runtime: goroutine stack exceeds 65536-byte limit$
		 * match   ^fatal error: stack overflow$
		 * nomatch survived
		 */
		/*
		 * EXPECT bigframe_160k
		 * args    bigframe 160
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^runtime: goroutine stack exceeds 65536-byte limit$
		 * match   ^fatal error: stack overflow$
		 * nomatch survived
		 */
		for (int i = 0; i < 64; i++)
			sl_go(spin, NULL);
		sl_go(bigframe, (void *)(intptr_t)atoi(argv[2]));
		while (!atomic_load(&bigframe_done))
			sl_yield();
		printf("survived\n");
		return 0;
	} else if (!strcmp(mode, "schedcheck")) {
		/*
		 * EXPECT schedcheck
		 * args    schedcheck
		 * env     GOMAXPROCS=2
		 * status  abort
		 * match   ^schedcheck: invariant violated: npidle matches the idle list$
		 * match   ^SCHED[ ]
		 * nomatch survived
		 */
		/* Corrupt a counter and check. */
		stopTheWorld("test");
		lock(&sched.lock);
		atomic_store(&sched.npidle, sched.npidle + 3);
		schedcheck(SCHEDCHECK_STOPPED);
	} else if (!strcmp(mode, "schedcheck_bad_place")) {
		/*
		 * EXPECT schedcheck_bad_place
		 * args    schedcheck_bad_place
		 * env     GOMAXPROCS=2
		 * status  abort
		 * match   ^schedcheck: invariant violated: a G's place matches its status$
		 * match   is runnable but found in a P's free list
		 * nomatch survived
		 */
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
