/*
 * fault.c: fault injection at the OS seam (SL_FAULT), for stress runs of the
 * real build. The spelling, the default rates and what the runtime promises
 * under each fault are in docs/DESIGN.md ("Fault injection") and
 * stress/README.md.
 *
 *   SL_FAULT=all | kind[:rate][,kind[:rate]]...   (a later item wins)
 *   SL_FAULT_SEED=N                               (the PRNGs' seed)
 *
 * Each kind is injected where the backend meets the OS:
 *   thread   os_newosproc: pthread_create fails with EAGAIN (os_linux.c
 *            retries for NEWOSPROC_RETRY_NS before Go's fatal);
 *   mmap     os_stackmap returns NULL (mem.c), as when the kernel refuses;
 *   futex    os_futexsleep returns at once, as on a spurious wake-up or
 *            EINTR (os_linux.c);
 *   signal   a thread of this file sends SIGURG, SIGCHLD and SIGALRM, in
 *            turn, at `rate` per second to random Ms;
 *   noise    every SCHEDPOINT of the core yields, spins or sleeps a few
 *            microseconds;
 *   syscall  entersyscall: the goroutine's "syscall" takes 1-20 ms longer,
 *            long enough for sysmon to retake its P.
 * noise and syscall exist only where SL_FAULT_POINTS compiled the core's
 * hooks (needs_points).
 * A rate is a probability per opportunity in (0,1], except for signal
 * (signals per second). Each injection is counted; sl_fault_count reads the
 * counts.
 *
 * State: the rates are written once by fault_init on m0 before any other M
 * or the signal thread exists, and only read afterwards. The counters are
 * atomics. The PRNG is a xorshift64* per thread in TLS, seeded on the
 * thread's first draw from the seed and a counter of threads: no lock, so
 * that any code (lock() itself, SCHEDPOINTs inside the lock code) may draw.
 * TLS, not struct m, because it serves threads that have no M (foreign
 * threads, the signal thread) and a goroutine that moves to another M only
 * draws from another sequence, which is as random. The registry of M thread
 * ids is append-only: fault_register_thread claims a slot with an atomic add
 * and then publishes the id; the signal thread skips slots not yet
 * published. Ms never exit, so an id stays valid for the life of the process.
 */
#define _GNU_SOURCE
#include "runtime.h"
#include "schedlab.h"

#include "fault.h"
#include "procyield.h"

#include <errno.h>
#include <math.h> /* isfinite */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static const char *const fault_names[FAULT_NKINDS] = {
    [FAULT_THREAD] = "thread", [FAULT_MMAP] = "mmap",	[FAULT_FUTEX] = "futex",
    [FAULT_SIGNAL] = "signal", [FAULT_NOISE] = "noise", [FAULT_SYSCALL] = "syscall",
};

/* The rates `all` and a bare kind use: each survivable by a 30-minute soak
 * that still injects it thousands of times (stress/README.md). thread is
 * high because Ms never exit: a run makes only tens of them, so each must
 * fail many times (about 19 tries, 10 ms, at 0.95) for the count to add up;
 * a whole second of failures (about 1000 tries) stays out of reach. */
static const double fault_defaults[FAULT_NKINDS] = {
    [FAULT_THREAD] = 0.95,   [FAULT_MMAP] = 0.2,   [FAULT_FUTEX] = 0.05,
    [FAULT_SIGNAL] = 2000.0, [FAULT_NOISE] = 0.01, [FAULT_SYSCALL] = 0.05,
};

#define SIGNAL_RATE_MAX 1e6  /* signals per second */
#define MAX_TIDS	4096 /* Ms that can be signalled; later ones are not */

/* Whether the build has the core's fault points: the SCHEDPOINT hooks that
 * noise needs and entersyscall's hook for syscall. */
#ifdef SL_FAULT_POINTS
#define HAVE_FAULT_POINTS 1
#else
#define HAVE_FAULT_POINTS 0
#endif

static bool needs_points(int k)
{
	return k == FAULT_NOISE || k == FAULT_SYSCALL;
}

/* Read by SCHEDPOINT in the SL_FAULT_POINTS build and by entersyscall
 * (os.h); written once, by fault_init, before any other thread can read
 * them. */
bool os_fault_noise_on;
bool os_fault_syscall_on;

/* Written by fault_init only (see the header comment). threshold[k]: inject
 * when a draw is below it; 0 off, UINT64_MAX always. */
static uint64_t threshold[FAULT_NKINDS];
static double signal_rate;
static uint64_t fault_seed;

static uint64_t counts[FAULT_NKINDS]; /* atomic: injections so far */
static uint64_t nthreads;	      /* atomic: threads that have drawn */
static uint64_t signals_arrived;      /* atomic: our handler's calls */

static int32_t ntids;	       /* atomic: slots claimed in tids */
static int32_t tids[MAX_TIDS]; /* atomic: 0 until published */
static int fault_signals[3];   /* those we installed a handler for */
static int nfault_signals;
static struct sigaction our_action;

static __thread uint64_t rng_state; /* 0: not seeded yet */

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* xorshift64*, seeded on the thread's first draw. */
uint64_t fault_rand(void)
{
	uint64_t x = rng_state;
	if (x == 0) {
		x = splitmix64(fault_seed ^ splitmix64(atomic_xadd(&nthreads, 1)));
		if (x == 0)
			x = 1;
	}
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

bool fault_inject(enum fault_kind k)
{
	uint64_t t = threshold[k];
	if (t == 0 || (t != UINT64_MAX && fault_rand() >= t))
		return false;
	atomic_xadd(&counts[k], 1);
	return true;
}

int64_t sl_fault_count(const char *kind)
{
	if (!kind)
		return -1;
	for (int k = 0; k < FAULT_NKINDS; k++)
		if (strcmp(kind, fault_names[k]) == 0)
			return (int64_t)atomic_load(&counts[k]);
	return -1;
}

/* ---- the kinds the core calls for (os.h's faults group) ---- */

void os_fault_noise(const char *where)
{
	(void)where;
	if (!fault_inject(FAULT_NOISE))
		return;
	uint64_t r = fault_rand();
	switch (r % 3) {
	case 0:
		sched_yield();
		break;
	case 1: /* a few hundred nanoseconds */
		procyield(50 + (int)((r >> 8) % 200));
		break;
	default:
		os_usleep(1 + (uint32_t)((r >> 8) % 10));
		break;
	}
}

void os_fault_syscall(void)
{
	if (fault_inject(FAULT_SYSCALL))
		os_usleep(1000 + (uint32_t)(fault_rand() % 19001));
}

/* ---- signals ---- */

/* Count, and nothing else: the point is the interrupted wait. Touches no
 * errno. */
static void fault_sighandler(int sig, siginfo_t *info, void *uctx)
{
	(void)sig;
	(void)info;
	(void)uctx;
	__atomic_add_fetch(&signals_arrived, 1, __ATOMIC_RELAXED);
}

void fault_register_thread(void)
{
	if (signal_rate == 0)
		return;
	int32_t i = atomic_xadd(&ntids, 1) - 1;
	if (i < MAX_TIDS)
		atomic_store(&tids[i], (int32_t)syscall(SYS_gettid));
}

/* Whether sig's handler is still ours (the program may have installed its
 * own since: then it gets no injected signals). */
static bool still_ours(int sig)
{
	struct sigaction cur;
	return sigaction(sig, NULL, &cur) == 0 && (cur.sa_flags & SA_SIGINFO) &&
	       cur.sa_sigaction == fault_sighandler;
}

/* The signal thread: signal_rate signals a second, round-robin over the
 * kinds, each to a random registered M. Blocks every signal itself. */
static void *signal_thread(void *arg)
{
	(void)arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pid_t pid = getpid();
	double period = 1e9 / signal_rate;
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	double acc = 0;
	uint32_t turn = 0;
	for (;;) {
		acc += period;
		int64_t step = (int64_t)acc;
		acc -= (double)step;
		next.tv_nsec += step % 1000000000;
		next.tv_sec += step / 1000000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) {
		}
		/* Far behind (a stopped process, an overloaded machine): do
		 * not burst to catch up. */
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > next.tv_sec + 1)
			next = now;
		int32_t n = atomic_load(&ntids);
		if (n > MAX_TIDS)
			n = MAX_TIDS;
		if (n == 0)
			continue;
		int32_t tid = atomic_load(&tids[fault_rand() % (uint32_t)n]);
		int sig = fault_signals[turn++ % (uint32_t)nfault_signals];
		if (tid == 0 || !still_ours(sig))
			continue;
		if (syscall(SYS_tgkill, pid, tid, sig) == 0)
			atomic_xadd(&counts[FAULT_SIGNAL], 1);
	}
	return NULL;
}

/* Install the counting handler on SIGURG, SIGCHLD and SIGALRM where the
 * program has none of its own, and start the signal thread. Without
 * SA_RESTART: a blocking call that a signal interrupts fails with EINTR,
 * which is the fault. */
static void signals_start(void)
{
	static const int sigs[] = {SIGURG, SIGCHLD, SIGALRM};
	memset(&our_action, 0, sizeof our_action);
	our_action.sa_sigaction = fault_sighandler;
	our_action.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&our_action.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction old;
		if (sigaction(sigs[i], NULL, &old) != 0)
			continue;
		if (old.sa_handler != SIG_DFL)
			continue; /* the program's own, or ignored on purpose */
		if (sigaction(sigs[i], &our_action, NULL) == 0)
			fault_signals[nfault_signals++] = sigs[i];
	}
	if (nfault_signals == 0)
		return; /* the program handles all three itself: nothing to send */
	pthread_attr_t attr;
	pthread_t t;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int err = pthread_create(&t, &attr, signal_thread, NULL);
	pthread_attr_destroy(&attr);
	if (err != 0) {
		print("runtime: SL_FAULT: cannot start the signal thread (errno=%d)\n", err);
		os_exit(2);
	}
}

/* ---- parsing SL_FAULT ---- */

#define FAULT_KNOWN "known: thread, mmap, futex, signal, noise, syscall, all"

static NORETURN void bad_fault(const char *env, const char *what, const char *item, int len)
{
	print("runtime: SL_FAULT=\"%s\": %s '%.*s' (%s; spelling: all, or kind[:rate],...)\n", env,
	      what, len, item, FAULT_KNOWN);
	os_exit(2);
}

/* Set kind k's rate from the text [s, s+len), or its default when len is
 * 0. */
static void set_rate(const char *env, int k, const char *s, int len, double *rates)
{
	if (len == 0) {
		rates[k] = fault_defaults[k];
		return;
	}
	char buf[64];
	if (len >= (int)sizeof buf)
		bad_fault(env, "bad rate", s, len);
	memcpy(buf, s, (size_t)len);
	buf[len] = '\0';
	char *end;
	errno = 0;
	double v = strtod(buf, &end);
	bool isnum = end != buf && *end == '\0' && errno == 0 && isfinite(v);
	if (k == FAULT_SIGNAL) {
		if (!isnum || !(v > 0 && v <= SIGNAL_RATE_MAX)) {
			print("runtime: SL_FAULT=\"%s\": rate '%s' of signal: want signals per "
			      "second in (0,%.0f]\n",
			      env, buf, SIGNAL_RATE_MAX);
			os_exit(2);
		}
	} else if (!isnum || !(v > 0 && v <= 1)) {
		print("runtime: SL_FAULT=\"%s\": rate '%s' of %s: want a probability in (0,1]\n",
		      env, buf, fault_names[k]);
		os_exit(2);
	}
	rates[k] = v;
}

/* Parse SL_FAULT into rates (0: off), or exit 2 naming the bad part. */
static void parse_fault(const char *env, double *rates)
{
	const char *s = env;
	for (;;) {
		const char *comma = strchr(s, ',');
		int len = comma ? (int)(comma - s) : (int)strlen(s);
		const char *colon = memchr(s, ':', (size_t)len);
		int namelen = colon ? (int)(colon - s) : len;
		const char *rate = colon ? colon + 1 : s + len;
		int ratelen = colon ? len - namelen - 1 : 0;
		if (len == 0)
			bad_fault(env, "empty fault", s, 0);
		if (colon && ratelen == 0)
			bad_fault(env, "empty rate in", s, len);
		if (namelen == 3 && strncmp(s, "all", 3) == 0) {
			if (colon)
				bad_fault(env, "'all' takes no rate:", s, len);
			for (int k = 0; k < FAULT_NKINDS; k++)
				if (!needs_points(k) || HAVE_FAULT_POINTS)
					rates[k] = fault_defaults[k];
		} else {
			int k = 0;
			while (k < FAULT_NKINDS &&
			       !((int)strlen(fault_names[k]) == namelen &&
				 strncmp(s, fault_names[k], (size_t)namelen) == 0))
				k++;
			if (k == FAULT_NKINDS)
				bad_fault(env, "unknown fault", s, namelen);
			if (needs_points(k) && !HAVE_FAULT_POINTS) {
				print("runtime: SL_FAULT=\"%s\": fault '%s' needs the fault points "
				      "that this build lacks (SL_FAULT_POINTS=ON: the debug, tsan "
				      "and asan presets)\n",
				      env, fault_names[k]);
				os_exit(2);
			}
			set_rate(env, k, rate, ratelen, rates);
		}
		if (!comma)
			break;
		s = comma + 1;
	}
}

/* From os_getstartup: once, in schedinit, on m0 before any other M. */
void fault_init(void)
{
	const char *seed = getenv("SL_FAULT_SEED");
	if (seed && *seed) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(seed, &end, 0);
		if (end == seed || *end != '\0' || errno != 0 || seed[0] == '-') {
			print("runtime: SL_FAULT_SEED=\"%s\": want an unsigned 64-bit integer\n",
			      seed);
			os_exit(2);
		}
		fault_seed = v;
	} else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		fault_seed = splitmix64((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
					(uint64_t)getpid());
	}
	const char *env = getenv("SL_FAULT");
	if (!env || !*env)
		return;
	double rates[FAULT_NKINDS] = {0};
	parse_fault(env, rates);
	for (int k = 0; k < FAULT_NKINDS; k++) {
		if (k == FAULT_SIGNAL || rates[k] == 0)
			continue;
		threshold[k] =
		    rates[k] >= 1 ? UINT64_MAX : (uint64_t)(rates[k] * 18446744073709551616.0);
		if (threshold[k] == 0)
			threshold[k] = 1;
	}
	os_fault_noise_on = threshold[FAULT_NOISE] != 0;
	os_fault_syscall_on = threshold[FAULT_SYSCALL] != 0;
	signal_rate = rates[FAULT_SIGNAL];
	if (signal_rate > 0) {
		fault_register_thread(); /* m0's: schedinit runs on it */
		signals_start();
	}
}
