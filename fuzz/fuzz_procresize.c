/*
 * fuzz_procresize: GOMAXPROCS changes amid spawn patterns, blocking and
 * syscalls, in one simulated runtime per input.
 *
 * The program (fuzz_common.h) is a list of operations, one byte each, most
 * followed by argument bytes, run by the main goroutine:
 *
 *	op % 16	 what				 arguments
 *	0	 sl_gomaxprocs(n)		 n = 1 + byte (1..256)
 *	1	 sl_gomaxprocs(the same value); byte >= 128: turns (below),
 *		 2 + byte % 4 goroutines, 1 + (byte >> 2) % 4 rounds, after
 *		 a load phase that leaves their Ms going idle if bit 4
 *	2	 sl_gomaxprocs(1)
 *	3	 a burst of leaves		 1 + byte % 32
 *	4	 a chain, each link spawns the next	 depth 1 + byte % 32
 *	5	 a tree				 depth 1 + byte % 5, width 1 + byte % 3
 *	6	 spawners on many Ps, each spawning leaves   1 + byte % 8, 1 + byte % 8
 *	7	 sl_yield			 1 + byte % 8 times; byte >= 128:
 *		 a handoff to an idle P (see handoff)
 *	8	 channel ping-pong with a partner	 1 + byte % 16 rounds
 *	9	 sl_sleep			 byte * 100 us
 *	10	 goroutines in blocking syscalls	 1 + byte % 4, byte * 100 us each
 *		 (past 10 ms, sysmon retakes the P: handoffp)
 *	11	 waiters parked, readied one by one	 1 + byte % 8; byte >= 128:
 *		 on gopark directly, where a wake can cancel the park (park_m's
 *		 unlockf returns false); else on a channel
 *	12	 a resizer goroutine		 three sizes, 1 + byte each
 *	13	 sl_mutex contention		 1 + byte % 8 goroutines x 1 + byte % 8
 *	14	 sleepers (timers that procresize must move)	 1 + byte % 8, each
 *		 1 + 7 * byte us (one byte each), 16 times that if bit 5
 *	15	 quiesce: wait for everything, then schedcheck with the world stopped
 *
 * Every goroutine spawned, at any depth, takes an id and marks ran[id] when
 * it runs. At the end every id has run exactly once, every ping-pong reply,
 * mutex count and sleep length is right, and schedcheck (which also runs
 * after every stop-the-world in this build) passes.
 */
#include "fuzz_common.h"
#include "export_test.h"
#include "schedlab.h"
#include "schedlab_chan.h"
#include "schedlab_sync.h"
#include "sleeper.h" /* runtime/test: the timed-wait helper the tests share */

#include <string.h>

enum { MAXG = 1024 };

enum kind { LEAF, CHAIN, TREE, SPAWNER, SYSCALLER, WAITER, PARKER, RESIZER, LOCKER, SLEEPER };

struct task {
	uint8_t kind;
	uint8_t a, b; /* depth and width, counts, ... */
	uint8_t sizes[3];
	uint32_t us;
};

static struct {
	struct fuzz_input in;
	sl_waitgroup wg;
	int32_t nspawned; /* ids handed out; main and spawners race for them */
	uint8_t ran[MAXG];
	struct task task[MAXG];
	sl_chan *park;		     /* waiters receive here */
	struct sleeper parker[MAXG]; /* a PARKER's own, by id */
	int64_t parked_sum;
	sl_mutex mu;
	int64_t locked_count, locked_want;
	int64_t early; /* sleepers that woke before their time */
} R;

static void body(void *arg);

/* Spawn a task with a fresh id and return the id; -1, and nothing
 * spawned, once MAXG are taken. */
static int32_t spawn(struct task t)
{
	int32_t id = atomic_xadd(&R.nspawned, 1) - 1;
	if (id >= MAXG)
		return -1;
	R.task[id] = t;
	sl_waitgroup_add(&R.wg, 1);
	sl_go(body, (void *)(intptr_t)id);
	return id;
}

static void body(void *arg)
{
	int32_t id = (int32_t)(intptr_t)arg;
	struct task t = R.task[id];
	FUZZ_CHECK(atomic_xadd(&R.ran[id], 1) == 1);
	switch (t.kind) {
	case LEAF:
		break;
	case CHAIN:
		if (t.a > 0)
			spawn((struct task){.kind = CHAIN, .a = (uint8_t)(t.a - 1)});
		break;
	case TREE:
		if (t.a > 0)
			for (int i = 0; i < t.b; i++)
				spawn(
				    (struct task){.kind = TREE, .a = (uint8_t)(t.a - 1), .b = t.b});
		break;
	case SPAWNER:
		for (int i = 0; i < t.a; i++)
			spawn((struct task){.kind = LEAF});
		break;
	case SYSCALLER:
		/* A blocking call: the M sleeps in (virtual) time, its P sits in
		 * _Psyscall for sysmon, a stop-the-world or a resize to take. */
		sl_syscall_begin();
		os_usleep(t.us);
		sl_syscall_end();
		break;
	case WAITER: {
		int64_t v;
		bool ok;
		FUZZ_CHECK(sl_chan_recv(R.park, &v, &ok) == 0 && ok);
		atomic_xadd(&R.parked_sum, v);
		break;
	}
	case PARKER:
		sleep_on(&R.parker[id]);
		atomic_xadd(&R.parked_sum, (int64_t)t.a);
		break;
	case RESIZER:
		for (int i = 0; i < 3; i++) {
			sl_gomaxprocs(1 + t.sizes[i]);
			sl_yield();
		}
		break;
	case LOCKER:
		for (int i = 0; i < t.a; i++) {
			sl_mutex_lock(&R.mu);
			int64_t c = R.locked_count;
			sl_yield(); /* hold the lock across a reschedule */
			R.locked_count = c + 1;
			sl_mutex_unlock(&R.mu);
		}
		break;
	case SLEEPER: {
		int64_t start = sl_sim_now(), ns = (int64_t)t.us * 1000;
		sl_sleep(ns);
		if (sl_sim_now() < start + ns)
			atomic_xadd(&R.early, 1);
		break;
	}
	}
	sl_waitgroup_done(&R.wg);
}

struct pair {
	sl_chan *ping, *pong;
};

/* Echo 2v+1 until ping closes, then close pong. */
static void partner(void *arg)
{
	struct pair *pr = arg;
	int64_t v;
	bool ok;
	while (sl_chan_recv(pr->ping, &v, &ok) == 0 && ok) {
		v = 2 * v + 1;
		sl_chan_send(pr->pong, &v);
	}
	sl_chan_close(pr->pong);
}

static void pingpong(int rounds)
{
	sl_chan *ping = sl_chan_make(sizeof(int64_t), 0), *pong = sl_chan_make(sizeof(int64_t), 0);
	FUZZ_CHECK(ping && pong);
	struct pair pr = {ping, pong};
	sl_go(partner, &pr);
	for (int64_t i = 0; i < rounds; i++) {
		int64_t v;
		bool ok;
		FUZZ_CHECK(sl_chan_send(ping, &i) == 0);
		FUZZ_CHECK(sl_chan_recv(pong, &v, &ok) == 0 && ok && v == 2 * i + 1);
	}
	FUZZ_CHECK(sl_chan_close(ping) == 0);
	int64_t v;
	bool ok = true;
	FUZZ_CHECK(sl_chan_recv(pong, &v, &ok) == 0 && !ok); /* the partner is gone */
	FUZZ_CHECK(sl_chan_free(ping) == 0 && sl_chan_free(pong) == 0);
}

static void quiesce(void)
{
	sl_waitgroup_wait(&R.wg);
	schedcheck_stw();
}

static sl_chan *handoff_chan;
static int32_t handoff_started;

static void handoff_target(void *arg)
{
	(void)arg;
	int64_t v;
	bool ok;
	FUZZ_CHECK(sl_chan_recv(handoff_chan, &v, &ok) == 0 && ok);
	atomic_store(&handoff_started, 1);
	sl_waitgroup_done(&R.wg);
}

/*
 * Work conservation (Go's wakep): with the program quiet and a P idle, main
 * readies a parked goroutine and then spins without entering the
 * scheduler, as a CPU-bound goroutine would. An M must be woken to take the
 * readied G from main's runnext; it may not wait until main yields, which
 * here would be never. The bound, in virtual time, is far above what a
 * wakeup, a spin and the 3 us runnext nap take (tens of microseconds) and
 * above the simulator's starvation bound (1 ms).
 */
static void handoff(void)
{
	quiesce();
	if (sl_gomaxprocs(0) < 2)
		sl_gomaxprocs(2);
	handoff_chan = sl_chan_make(sizeof(int64_t), 0);
	FUZZ_CHECK(handoff_chan != NULL);
	atomic_store(&handoff_started, 0);
	sl_waitgroup_add(&R.wg, 1);
	sl_go(handoff_target, NULL);
	sl_sleep(100 * 1000); /* it runs, and parks in the receive */
	int64_t v = 1, t0 = sl_sim_now();
	FUZZ_CHECK(sl_chan_send(handoff_chan, &v) == 0); /* readies it: our runnext */
	while (!atomic_load(&handoff_started)) {
		SCHEDPOINT("spin"); /* a CPU, busy: other Ms run meanwhile */
		FUZZ_CHECK(sl_sim_now() - t0 < 20 * 1000 * 1000);
	}
	quiesce();
	FUZZ_CHECK(sl_chan_free(handoff_chan) == 0);
}

/*
 * Turns: Go's TestGoroutineParallelism2. n goroutines at GOMAXPROCS >= n
 * take turns on an atomic counter, each waiting for its turn in a compute
 * loop that never enters the runtime (sl_sim_spin), so that every one of
 * them needs a P of its own at once: a goroutine left in a run queue while
 * a P idles (a lost wakeup) stalls them all, and the simulator's
 * work-conservation property names it. As in Go's test, a load phase may
 * come first: n goroutines meet on a counter and exit, so that their Ms go
 * idle while the takers of turns are being spawned. A waiter yields only
 * when it cannot be helped: a stop-the-world waits for its P (Go would
 * preempt it; schedlab's preemption is cooperative), GOMAXPROCS went below
 * n (a resizer), or after TURN_PATIENCE spins, three times the property's
 * bound (SIM_PROP_BOUND, 10 ms), so that the property always speaks first.
 * Under PCT each turn
 * passed can cost the simulator's starvation bound (20000 steps), hence
 * TURNBUDGET turns an input.
 */
enum { TURN_PATIENCE = 3 * 10 * 1000 * 1000 / 50, TURNBUDGET = 24 };

/* A load phase's own counter: its goroutines may still be leaving when
 * the next phase starts. */
struct phase {
	int32_t met, n;
	sl_chan *done;
};

static struct {
	int32_t turn, n, rounds, budget, nphases;
	struct phase phase[TURNBUDGET]; /* each turns op spends at least 1 */
	sl_waitgroup wg;
} T;

/* Wait in a compute loop until *p == want, with n goroutines waiting so
 * (see above). */
static void spin_until(int32_t *p, int32_t want, int32_t n)
{
	for (int32_t spins = 1; atomic_load(p) != want; spins++) {
		sl_sim_spin();
		if (atomic_load(&sched.gcwaiting) ||
		    (spins % 64 == 0 && atomic_load(&gomaxprocs) < n) || spins >= TURN_PATIENCE) {
			sl_yield();
			spins = 0;
		}
	}
}

static void loader(void *arg)
{
	struct phase *ph = arg;
	if (atomic_xadd(&ph->met, 1) == ph->n) {
		int32_t v = 1;
		FUZZ_CHECK(sl_chan_send(ph->done, &v) == 0);
		return;
	}
	spin_until(&ph->met, ph->n, ph->n);
}

static void turner(void *arg)
{
	int32_t id = (int32_t)(intptr_t)arg;
	for (int32_t r = 0; r < T.rounds; r++) {
		int32_t want = r * T.n + id;
		spin_until(&T.turn, want, T.n);
		FUZZ_CHECK(atomic_xadd(&T.turn, 1) == want + 1);
	}
	sl_waitgroup_done(&T.wg);
}

static void turns(int32_t n, int32_t rounds, bool load)
{
	int32_t procs = sl_gomaxprocs(0);
	T.n = n < procs ? n : procs;
	T.rounds = rounds;
	if (T.n * T.rounds > TURNBUDGET - T.budget)
		return;
	T.budget += T.n * T.rounds;
	struct phase *ph = load ? &T.phase[T.nphases++] : NULL;
	if (ph) {
		ph->n = T.n;
		ph->done = sl_chan_make(sizeof(int32_t), 0);
		FUZZ_CHECK(ph->done != NULL);
		for (int32_t i = 0; i < T.n; i++)
			sl_go(loader, ph);
		int32_t v;
		bool ok;
		FUZZ_CHECK(sl_chan_recv(ph->done, &v, &ok) == 0 && ok);
	}
	atomic_store(&T.turn, 0);
	sl_waitgroup_add(&T.wg, T.n);
	for (int32_t i = 0; i < T.n; i++)
		sl_go(turner, (void *)(intptr_t)i);
	sl_waitgroup_wait(&T.wg);
	FUZZ_CHECK(atomic_load(&T.turn) == T.n * T.rounds);
	if (ph)
		FUZZ_CHECK(sl_chan_free(ph->done) == 0);
}

static int program(void *arg)
{
	(void)arg;
	struct fuzz_input *in = &R.in;
	R.park = sl_chan_make(sizeof(int64_t), 0);
	FUZZ_CHECK(R.park != NULL);
	int64_t parked_want = 0;
	while (fuzz_more(in)) {
		uint8_t op = fuzz_byte(in) % 16, x = fuzz_byte(in);
		switch (op) {
		case 0:
			sl_gomaxprocs(1 + x);
			FUZZ_CHECK(sl_gomaxprocs(0) >= 1);
			break;
		case 1:
			if (x >= 128) {
				turns(2 + x % 4, 1 + (x >> 2) % 4, (x >> 4) & 1);
				break;
			}
			sl_gomaxprocs(sl_gomaxprocs(0));
			break;
		case 2:
			sl_gomaxprocs(1);
			break;
		case 3:
			for (int i = 0; i < 1 + x % 32; i++)
				spawn((struct task){.kind = LEAF});
			break;
		case 4:
			spawn((struct task){.kind = CHAIN, .a = (uint8_t)(x % 32)});
			break;
		case 5:
			spawn((struct task){.kind = TREE,
					    .a = (uint8_t)(x % 5),
					    .b = (uint8_t)(1 + fuzz_byte(in) % 3)});
			break;
		case 6: {
			uint8_t leaves = (uint8_t)(1 + fuzz_byte(in) % 8);
			for (int i = 0; i < 1 + x % 8; i++)
				spawn((struct task){.kind = SPAWNER, .a = leaves});
			break;
		}
		case 7:
			if (x >= 128) {
				handoff();
				break;
			}
			for (int i = 0; i < 1 + x % 8; i++)
				sl_yield();
			break;
		case 8:
			pingpong(1 + x % 16);
			break;
		case 9:
			sl_sleep((int64_t)x * 100 * 1000);
			break;
		case 10: {
			uint32_t us = 100u * fuzz_byte(in);
			for (int i = 0; i < 1 + x % 4; i++)
				spawn((struct task){.kind = SYSCALLER, .us = us});
			break;
		}
		case 11: {
			if (x >= 128) {
				for (int i = 0; i < 1 + x % 8; i++) {
					int32_t id =
					    spawn((struct task){.kind = PARKER, .a = (uint8_t)i});
					if (id < 0)
						break;
					wake(&R.parker[id]); /* before or after it parks */
					parked_want += i;
				}
				break;
			}
			int n = 0; /* the waiters that got an id */
			for (int i = 0; i < 1 + x % 8; i++)
				n += spawn((struct task){.kind = WAITER}) >= 0;
			for (int64_t i = 1; i <= n; i++) {
				FUZZ_CHECK(sl_chan_send(R.park, &i) == 0);
				parked_want += i;
			}
			break;
		}
		case 12:
			spawn((struct task){.kind = RESIZER,
					    .sizes = {x, fuzz_byte(in), fuzz_byte(in)}});
			break;
		case 13: {
			uint8_t each = (uint8_t)(1 + fuzz_byte(in) % 8);
			for (int i = 0; i < 1 + x % 8; i++)
				if (spawn((struct task){.kind = LOCKER, .a = each}) >= 0)
					R.locked_want += each;
			break;
		}
		case 14: {
			/* Bit 5: 16 times longer, up to 28.6 ms, so that timers due
			 * more than the simulator's lateness bound (10 ms) apart
			 * share the heaps. */
			uint32_t scale = x & 0x20 ? 16u : 1u;
			for (int i = 0; i < 1 + x % 8; i++)
				spawn((struct task){.kind = SLEEPER,
						    .us = (1u + fuzz_byte(in) * 7u) * scale});
			break;
		}
		case 15:
			quiesce();
			break;
		}
	}
	quiesce();
	int32_t n = R.nspawned < MAXG ? R.nspawned : MAXG;
	for (int32_t i = 0; i < n; i++)
		FUZZ_CHECK(R.ran[i] == 1);
	FUZZ_CHECK(R.locked_count == R.locked_want);
	FUZZ_CHECK(R.parked_sum == parked_want);
	FUZZ_CHECK(R.early == 0);
	FUZZ_CHECK(sl_chan_free(R.park) == 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(&R, 0, sizeof R);
	memset(&T, 0, sizeof T);
	fuzz_input_parse(&R.in, data, size);
	FUZZ_CHECK(sl_sim_run(&R.in.cfg, program, NULL) == 0);
	return 0;
}
