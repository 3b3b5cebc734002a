/*
 * test_sync: sl_mutex and sl_waitgroup (schedlab_sync.h). One mode per run
 * (argv[1]); sync.cmake runs the modes at several GOMAXPROCS. No mode passes
 * or fails on timing: where time matters (starvation needs a waiter to have
 * waited over 1 ms) the test waits for it and then checks the state.
 *
 *   mutex          16 goroutines x 20000 increments of a plain counter under
 *                  one mutex, yielding inside and outside the lock so that
 *                  waiters park even at GOMAXPROCS=1; an "inside" flag must
 *                  never be set on entry; the mutex ends unlocked and idle
 *   trylock        trylock on free, held, and starving mutexes
 *   starvation     white-box: a waiter that waited > 1 ms and lost the race
 *                  sets mutexStarving; unlock then hands it the mutex, and
 *                  the last waiter leaves starvation mode
 *   fairness       a hog relocks at once after every unlock; 8 waiters must
 *                  all get the mutex within a bounded number of rounds, and
 *                  starvation mode must have been seen
 *   waitgroup      Wait returns after all Done (counted), reuse over rounds,
 *                  Wait at zero, many waiters released together
 *   bench          timings for the report, not a test
 * Fatal modes (checked with expect.sh): unlock_unlocked, double_unlock,
 * negative_wg, wg_misuse, not_goroutine, deadlock_mutex, deadlock_wg.
 */
#include "check.h"
#include "sema.h"
#include "schedlab.h"

#include <pthread.h>
#include <string.h>

static int32_t procs(void)
{
	return sl_gomaxprocs(0);
}

/* Busy for ns, without yielding. */
static void spin_for(int64_t ns)
{
	int64_t end = os_nanotime() + ns;
	while (os_nanotime() < end) {
	}
}

/* ---- mutual exclusion ---- */

enum { MUTEX_G = 16, MUTEX_ITERS = 20000 };

static sl_mutex mu = SL_MUTEX_INIT;
static int64_t plain_counter; /* guarded by mu, deliberately not atomic */
static int inside;	      /* guarded by mu */
static int64_t bad_entries;   /* atomic */
static sl_waitgroup mutex_wg = SL_WAITGROUP_INIT;

static void incrementer(void *arg)
{
	intptr_t id = (intptr_t)arg;
	for (int i = 0; i < MUTEX_ITERS; i++) {
		sl_mutex_lock(&mu);
		if (inside)
			atomic_xadd(&bad_entries, 1);
		inside = 1;
		plain_counter++;
		/* Yield while holding it now and then, so that others queue
		 * and park (at GOMAXPROCS=1 there is no other contention). */
		if ((i + id) % 97 == 0)
			sl_yield();
		inside = 0;
		sl_mutex_unlock(&mu);
		if ((i + id) % 13 == 0)
			sl_yield();
	}
	sl_waitgroup_done(&mutex_wg);
}

static void test_mutex(void)
{
	sl_waitgroup_add(&mutex_wg, MUTEX_G);
	for (intptr_t i = 0; i < MUTEX_G; i++)
		sl_go(incrementer, (void *)i);
	sl_waitgroup_wait(&mutex_wg);
	sl_mutex_lock(&mu);
	CHECK_EQ(plain_counter, (int64_t)MUTEX_G * MUTEX_ITERS);
	CHECK_EQ(atomic_load(&bad_entries), 0);
	CHECK_EQ(inside, 0);
	sl_mutex_unlock(&mu);
	/* Quiescent: unlocked, no waiters, no flags, no stray semaphore
	 * count. */
	CHECK_EQ(atomic_load(&mu.state), 0);
	CHECK_EQ(atomic_load(&mu.sema), 0);
	CHECK_EQ(semawaiters(&mu.sema), 0);
	printf("mutex: %lld increments at GOMAXPROCS=%d\n", (long long)plain_counter, procs());
}

/* ---- memory reused after the last unlock ---- */

/*
 * An object that its last user recycles: the goroutine that drops the last
 * reference overwrites the object's sl_mutex with other data at once, as a
 * free() and a malloc() elsewhere would. That is allowed as soon as every
 * other user has returned from its last sl_mutex_unlock, and the last user
 * knows that much only because it could lock the mutex after them: so
 * sl_mutex_unlock must not touch the mutex once another goroutine can have
 * locked it. Any late write of the runtime shows in the overwritten words.
 */
enum { REUSE_G = 4, REUSE_ITERS = 64, REUSE_ROUNDS = 4000 };
/* No flag bits and many "waiters": what a stale unlock would act on. */
#define REUSE_STATE 0x5a5a5a58
#define REUSE_SEMA  0xa5a5a5a5u

struct reused {
	sl_mutex mu;
	int32_t refs; /* guarded by mu */
	int64_t sum;  /* guarded by mu */
};
static struct reused reuse_obj;
static sl_waitgroup reuse_wg = SL_WAITGROUP_INIT;

static int32_t reuse_started; /* atomic */

static void reuse_user(void *arg)
{
	(void)arg;
	/* All at once, so that they contend. */
	atomic_xadd(&reuse_started, 1);
	while (atomic_load(&reuse_started) < REUSE_G)
		sl_yield();
	for (int i = 0; i < REUSE_ITERS; i++) {
		sl_mutex_lock(&reuse_obj.mu);
		reuse_obj.sum++;
		/* Now and then a holder yields, so that others park. */
		if (i % 8 == 0)
			sl_yield();
		sl_mutex_unlock(&reuse_obj.mu);
	}
	sl_mutex_lock(&reuse_obj.mu);
	bool last = --reuse_obj.refs == 0;
	sl_yield(); /* the others queue behind the final unlocks */
	sl_mutex_unlock(&reuse_obj.mu);
	if (last) {
		/* Every other user has unlocked for the last time. */
		CHECK_EQ(reuse_obj.sum, (int64_t)REUSE_G * REUSE_ITERS);
		atomic_store(&reuse_obj.mu.state, REUSE_STATE);
		atomic_store(&reuse_obj.mu.sema, REUSE_SEMA);
	}
	sl_waitgroup_done(&reuse_wg);
}

static void test_reuse(void)
{
	for (int r = 0; r < REUSE_ROUNDS; r++) {
		reuse_obj = (struct reused){.mu = SL_MUTEX_INIT, .refs = REUSE_G};
		atomic_store(&reuse_started, 0);
		sl_waitgroup_add(&reuse_wg, REUSE_G);
		for (int i = 0; i < REUSE_G; i++)
			sl_go(reuse_user, NULL);
		sl_waitgroup_wait(&reuse_wg);
		if (atomic_load(&reuse_obj.mu.state) != REUSE_STATE ||
		    atomic_load(&reuse_obj.mu.sema) != REUSE_SEMA) {
			fprintf(stderr,
				"reuse: round %d: the runtime wrote to a mutex after its last "
				"unlock: state %#x sema %#x\n",
				r, (unsigned)reuse_obj.mu.state, (unsigned)reuse_obj.mu.sema);
			exit(1);
		}
	}
	printf("reuse: %d rounds at GOMAXPROCS=%d\n", REUSE_ROUNDS, procs());
}

/* ---- trylock ---- */

static sl_mutex tmu = SL_MUTEX_INIT;
static int32_t try_result = -1;

static void try_other(void *arg)
{
	(void)arg;
	atomic_store(&try_result, sl_mutex_trylock(&tmu) ? 1 : 0);
}

static void test_trylock(void)
{
	CHECK(sl_mutex_trylock(&tmu));
	CHECK_EQ(tmu.state, mutexLocked);
	CHECK(!sl_mutex_trylock(&tmu)); /* not reentrant */
	sl_go(try_other, NULL);
	while (atomic_load(&try_result) == -1)
		sl_yield();
	CHECK_EQ(try_result, 0);
	sl_mutex_unlock(&tmu);
	CHECK_EQ(tmu.state, 0);

	/* Another goroutine may unlock it. */
	CHECK(sl_mutex_trylock(&tmu));
	atomic_store(&try_result, -1);
	sl_mutex_unlock(&tmu);
	sl_go(try_other, NULL);
	while (atomic_load(&try_result) == -1)
		sl_yield();
	CHECK_EQ(try_result, 1);
	CHECK_EQ(tmu.state, mutexLocked);
	sl_mutex_unlock(&tmu);

	/* Starvation mode with the mutex momentarily unlocked (handed to a
	 * waiter that has not run yet): trylock must not barge. White-box. */
	sl_mutex s = {mutexStarving | (1 << mutexWaiterShift), 0};
	CHECK(!sl_mutex_trylock(&s));
	CHECK_EQ(s.state, mutexStarving | (1 << mutexWaiterShift));
	/* Woken alone does not stop it. */
	sl_mutex w = {mutexWoken, 0};
	CHECK(sl_mutex_trylock(&w));
	CHECK_EQ(w.state, mutexWoken | mutexLocked);
	printf("trylock: ok\n");
}

/* ---- starvation mode ---- */

static sl_mutex smu = SL_MUTEX_INIT;
static int32_t w_got; /* atomic */

static void starve_waiter(void *arg)
{
	(void)arg;
	sl_mutex_lock(&smu);
	atomic_store(&w_got, 1);
	sl_mutex_unlock(&smu);
}

static void test_starvation(void)
{
	/*
	 * Each round: main holds smu; W queues and parks; main holds on for
	 * 2 ms more, unlocks (waking W) and relocks at once, before W runs.
	 * W then has waited > 1 ms and finds the mutex locked: it must set
	 * mutexStarving and requeue. Another P may run W in that window of a
	 * few hundred instructions (or, at GOMAXPROCS=1, a preemption request
	 * can make the relock yield); then W wins and the round is retried, a
	 * bounded number of times.
	 */
	enum { MAX_ROUNDS = 50 };
	int round;
	for (round = 0; round < MAX_ROUNDS; round++) {
		atomic_store(&w_got, 0);
		sl_mutex_lock(&smu);
		sl_go(starve_waiter, NULL);
		while (semawaiters(&smu.sema) != 1)
			sl_yield();
		CHECK_EQ(atomic_load(&smu.state), mutexLocked | (1 << mutexWaiterShift));
		spin_for(2 * starvationThresholdNs);
		sl_mutex_unlock(&smu); /* normal mode: wakes W */
		sl_mutex_lock(&smu);   /* barge in */
		if (atomic_load(&w_got)) {
			/* W won the race and has come and gone; main waited
			 * for it. */
			sl_mutex_unlock(&smu);
			continue;
		}
		/* W is awake (or about to be) and has waited > 1 ms: it sets
		 * mutexStarving while we hold the mutex. Nothing else can
		 * change the state, so this loop ends. */
		while (!(atomic_load(&smu.state) & mutexStarving))
			sl_yield();
		while (semawaiters(&smu.sema) != 1)
			sl_yield();
		CHECK_EQ(atomic_load(&smu.state),
			 mutexLocked | mutexStarving | (1 << mutexWaiterShift));
		CHECK_EQ(atomic_load(&w_got), 0);
		/* Starvation mode: unlock hands the mutex to W, which runs
		 * at once on this P (at GOMAXPROCS=1, before unlock returns)
		 * and, being the last waiter, leaves starvation mode. */
		sl_mutex_unlock(&smu);
		if (procs() == 1)
			CHECK_EQ(atomic_load(&w_got), 1);
		while (!atomic_load(&w_got))
			sl_yield();
		/* A newcomer while W held it would have queued; none did. */
		sl_mutex_lock(&smu);
		CHECK_EQ(atomic_load(&smu.state), mutexLocked);
		sl_mutex_unlock(&smu);
		break;
	}
	CHECK(round < MAX_ROUNDS);
	CHECK_EQ(atomic_load(&smu.state), 0);
	CHECK_EQ(atomic_load(&smu.sema), 0);
	printf("starvation: entered and left after %d retries at GOMAXPROCS=%d\n", round, procs());
}

/* ---- fairness in starvation mode ---- */

enum { FAIR_WAITERS = 8 };

static sl_mutex fmu = SL_MUTEX_INIT;
static int32_t fair_got[FAIR_WAITERS];
static int32_t fair_done; /* atomic */

static void fair_waiter(void *arg)
{
	intptr_t id = (intptr_t)arg;
	sl_mutex_lock(&fmu);
	fair_got[id]++;
	atomic_xadd(&fair_done, 1);
	sl_mutex_unlock(&fmu);
}

static void test_fairness(void)
{
	/*
	 * The hog holds fmu for 300 us at a time, yielding inside (so that
	 * waiters get to run and find it locked) and relocking right after
	 * each unlock. In normal mode a woken waiter always loses to the
	 * running hog; once one has waited 1 ms the mutex starves, unlock
	 * hands it over, and the hog must queue behind every waiter.
	 */
	enum { MAX_ROUNDS = 5000 };
	bool seen_starving = false;
	int rounds = 0;
	sl_mutex_lock(&fmu);
	for (intptr_t i = 0; i < FAIR_WAITERS; i++)
		sl_go(fair_waiter, (void *)i);
	for (;;) {
		int64_t until = os_nanotime() + 300 * 1000;
		while (os_nanotime() < until) {
			if (atomic_load(&fmu.state) & mutexStarving)
				seen_starving = true;
			sl_yield();
		}
		if (atomic_load(&fmu.state) & mutexStarving)
			seen_starving = true;
		rounds++;
		if (atomic_load(&fair_done) == FAIR_WAITERS)
			break;
		CHECK(rounds < MAX_ROUNDS);
		sl_mutex_unlock(&fmu);
		sl_mutex_lock(&fmu);
	}
	sl_mutex_unlock(&fmu);
	for (int i = 0; i < FAIR_WAITERS; i++)
		CHECK_EQ(fair_got[i], 1);
	/* At GOMAXPROCS=1 the waiters run only while the hog holds the
	 * mutex, so only starvation mode can have let them in. */
	if (procs() == 1)
		CHECK(seen_starving);
	CHECK_EQ(atomic_load(&fmu.state), 0);
	printf("fairness: %d waiters served in %d hog rounds, starving seen: %d\n", FAIR_WAITERS,
	       rounds, seen_starving);
}

/* ---- WaitGroup ---- */

enum { WG_WORKERS = 64, WG_ROUNDS = 50, WG_WAITERS = 20 };

static sl_waitgroup wg = SL_WAITGROUP_INIT;
static int64_t worked; /* atomic */

static void worker(void *arg)
{
	(void)arg;
	if (fastrand() % 2)
		sl_yield();
	atomic_xadd(&worked, 1);
	sl_waitgroup_done(&wg);
}

static sl_waitgroup gate = SL_WAITGROUP_INIT;
static sl_waitgroup released = SL_WAITGROUP_INIT;
static int64_t gate_opened; /* atomic */

static void gate_waiter(void *arg)
{
	(void)arg;
	sl_waitgroup_wait(&gate);
	/* Wait returned only after the gate was opened. */
	CHECK_EQ(atomic_load(&gate_opened), 1);
	sl_waitgroup_done(&released);
}

static void test_waitgroup(void)
{
	/* Wait at zero returns at once, new or after a full cycle. */
	sl_waitgroup z = SL_WAITGROUP_INIT;
	sl_waitgroup_wait(&z);
	sl_waitgroup_add(&z, 3);
	sl_waitgroup_add(&z, -3);
	sl_waitgroup_wait(&z);
	CHECK_EQ(z.state, 0);

	/* Reuse over rounds: Wait returns only after every worker's Done. */
	for (int r = 1; r <= WG_ROUNDS; r++) {
		sl_waitgroup_add(&wg, WG_WORKERS);
		for (int i = 0; i < WG_WORKERS; i++)
			sl_go(worker, NULL);
		sl_waitgroup_wait(&wg);
		CHECK_EQ(atomic_load(&worked), (int64_t)r * WG_WORKERS);
		CHECK_EQ(atomic_load(&wg.state), 0);
	}

	/* Many waiters, all parked, released by one Done. */
	sl_waitgroup_add(&gate, 1);
	sl_waitgroup_add(&released, WG_WAITERS);
	for (int i = 0; i < WG_WAITERS; i++)
		sl_go(gate_waiter, NULL);
	while (semawaiters(&gate.sema) != WG_WAITERS)
		sl_yield();
	CHECK_EQ(atomic_load(&gate.state), ((uint64_t)1 << 32) | WG_WAITERS);
	atomic_store(&gate_opened, 1);
	sl_waitgroup_done(&gate);
	sl_waitgroup_wait(&released);
	CHECK_EQ(atomic_load(&gate.state), 0);
	CHECK_EQ(atomic_load(&gate.sema), 0);
	CHECK_EQ(semawaiters(&gate.sema), 0);
	printf("waitgroup: ok at GOMAXPROCS=%d\n", procs());
}

/* ---- measurements (not a test) ---- */

enum { BENCH_G = 4, BENCH_ITERS = 100000 };
static sl_mutex bmu = SL_MUTEX_INIT;
static int64_t bcount;
static sl_waitgroup bwg = SL_WAITGROUP_INIT;

static void bench_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < BENCH_ITERS; i++) {
		sl_mutex_lock(&bmu);
		bcount++;
		sl_mutex_unlock(&bmu);
	}
	sl_waitgroup_done(&bwg);
}

static void bench(void)
{
	enum { N = 20 * 1000 * 1000 };
	sl_mutex m = SL_MUTEX_INIT;
	int64_t t0 = os_nanotime();
	for (int i = 0; i < N; i++) {
		sl_mutex_lock(&m);
		sl_mutex_unlock(&m);
	}
	int64_t t1 = os_nanotime();
	printf("uncontended lock+unlock: %.2f ns\n", (double)(t1 - t0) / N);

	t0 = os_nanotime();
	sl_waitgroup_add(&bwg, BENCH_G);
	for (int i = 0; i < BENCH_G; i++)
		sl_go(bench_worker, NULL);
	sl_waitgroup_wait(&bwg);
	t1 = os_nanotime();
	CHECK_EQ(bcount, (int64_t)BENCH_G * BENCH_ITERS);
	printf("contended %d x %d at GOMAXPROCS=%d: %.2f ms\n", BENCH_G, BENCH_ITERS, procs(),
	       (double)(t1 - t0) / 1e6);
}

/* ---- fatal cases ---- */

static void *foreign_thread(void *arg)
{
	sl_mutex_lock(arg);
	return NULL;
}

static int fatal_mode(const char *mode)
{
	sl_mutex m = SL_MUTEX_INIT;
	sl_waitgroup w = SL_WAITGROUP_INIT;
	if (!strcmp(mode, "unlock_unlocked")) {
		/*
		 * EXPECT unlock_unlocked
		 * args    unlock_unlocked
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^fatal error: sync: unlock of unlocked mutex$
		 * nomatch survived
		 */
		sl_mutex_unlock(&m);
	} else if (!strcmp(mode, "double_unlock")) {
		/*
		 * EXPECT double_unlock
		 * args    double_unlock
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^fatal error: sync: unlock of unlocked mutex$
		 * nomatch survived
		 */
		sl_mutex_lock(&m);
		sl_mutex_unlock(&m);
		sl_mutex_unlock(&m);
	} else if (!strcmp(mode, "negative_wg")) {
		/*
		 * EXPECT negative_wg
		 * args    negative_wg
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^fatal error: sync: negative WaitGroup counter$
		 * nomatch survived
		 */
		sl_waitgroup_add(&w, 2);
		sl_waitgroup_done(&w);
		sl_waitgroup_done(&w);
		sl_waitgroup_done(&w);
	} else if (!strcmp(mode, "wg_misuse")) {
		/*
		 * EXPECT wg_misuse
		 * args    wg_misuse
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^fatal error: sync: WaitGroup misuse: Add called concurrently with Wait$
		 * nomatch survived
		 */
		/* White-box: the state between the Done that reached zero
		 * and its reset (counter 0, one waiter); an Add now is Go's
		 * "Add called concurrently with Wait". */
		w.state = 1;
		sl_waitgroup_add(&w, 1);
	} else if (!strcmp(mode, "not_goroutine")) {
		/*
		 * EXPECT not_goroutine
		 * args    not_goroutine
		 * env     GOMAXPROCS=2
		 * status  abort
		 * match   ^schedlab: sl_mutex_lock called from a thread that is not running a \
		 *         goroutine
		 * nomatch survived
		 */
		pthread_t t;
		CHECK_EQ(pthread_create(&t, NULL, foreign_thread, &m), 0);
		pthread_join(t, NULL);
	} else if (!strcmp(mode, "deadlock_mutex")) {
		/*
		 * EXPECT deadlock_mutex
		 * args    deadlock_mutex
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^locked once$
		 * match   ^fatal error: all goroutines are asleep - deadlock!$
		 * match   ^goroutine 1 \[sync.Mutex.Lock\]:$
		 * nomatch survived
		 */
		sl_mutex_lock(&m);
		printf("locked once\n");
		fflush(stdout);
		sl_mutex_lock(&m);
	} else if (!strcmp(mode, "deadlock_wg")) {
		/*
		 * EXPECT deadlock_wg
		 * args    deadlock_wg
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^waiting$
		 * match   ^fatal error: all goroutines are asleep - deadlock!$
		 * match   ^goroutine 1 \[sync.WaitGroup.Wait\]:$
		 * nomatch survived
		 */
		sl_waitgroup_add(&w, 1);
		printf("waiting\n");
		fflush(stdout);
		sl_waitgroup_wait(&w);
	} else {
		fprintf(stderr, "test_sync: unknown mode %s\n", mode);
		return 1;
	}
	printf("survived\n");
	return 0;
}

int sl_main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "mutex"))
		test_mutex();
	else if (!strcmp(mode, "trylock"))
		test_trylock();
	else if (!strcmp(mode, "starvation"))
		test_starvation();
	else if (!strcmp(mode, "fairness"))
		test_fairness();
	else if (!strcmp(mode, "waitgroup"))
		test_waitgroup();
	else if (!strcmp(mode, "reuse"))
		test_reuse();
	else if (!strcmp(mode, "bench"))
		bench();
	else
		return fatal_mode(mode);
	return 0;
}
