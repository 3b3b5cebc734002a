/*
 * debug.c: printing, throw and fatal, SL_DEBUG and schedtrace.
 *
 * print() formats into a stack buffer and writes it to stderr (os_write2): no
 * stdio locks, usable with runtime locks held and from the overflow signal
 * handler. SL_DEBUG's value comes from the backend (os_getstartup).
 *
 * throw reports a broken runtime invariant and fatal a user error (deadlock),
 * both as Go does: "fatal error: MSG", then exit status 2; both honour
 * SL_TRACEBACK (traceback.c). Also here: sl_debug_dump, the scheduler dump
 * for any thread, and the fork rule's flag (forked.h).
 */
#include "runtime.h"
#include "forked.h"
#include "traceback.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dbgvars debug;

void print(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= (int)sizeof buf)
		n = (int)sizeof buf - 1;
	os_write2(buf, n);
}

static void printcurg(void)
{
	struct g *gp = getg();
	if (!gp || !gp->m) {
		print("\n(not on a runtime thread)\n");
		return;
	}
	if (gp == gp->m->g0)
		print("\nruntime stack:\n(M%lld on g0)\n", (long long)gp->m->id);
	else
		print("\ngoroutine %lld [running] on M%lld\n", (long long)gp->goid,
		      (long long)gp->m->id);
}

/* throw honours SL_TRACEBACK as Go's does: none prints the message alone,
 * all also every goroutine, crash then aborts for a core dump. */
void throw(const char *s)
{
	struct m *mp = getm();
	if (mp)
		mp->throwing++;
	crashwait();
	print("fatal error: %s\n", s);
	int32_t level = tracebacklevel();
	if (level >= tracebackSingle)
		printcurg();
	if (level >= tracebackAll)
		tracebackothers(getg(), NULL);
	if (level == tracebackCrash)
		abort();
	os_exit(2);
}

/* ---- the fork rule (forked.h) ---- */

uint32_t runtime_forked;

/*
 * The child's only thread, in the atfork handler. Besides the flag, the
 * forking M takes a lock it never releases (m->locks), standing for the
 * runtime's other threads, which are gone: every path into the scheduler
 * already refuses to run holding a lock (schedule, stopm, entersyscall,
 * stopTheWorld), and on that cold path checkforked names the real cause.
 * So the hottest path, schedule(), pays nothing for the rule. The held lock
 * also turns off preemption (preemptcheck, the semaphore handoff's yield):
 * the calls that need no scheduler never yield.
 */
void forkedchild(void)
{
	runtime_forked = 1;
	struct m *mp = getm();
	if (mp)
		mp->locks++;
}

void throwforked(void)
{
	throw("runtime used in a forked child (after fork(), only exec is safe)");
}

/* All goroutines and what they wait for, as in Go's traceback header.
 * Caller may hold sched.lock. */
static void dumpgs(void)
{
	lock(&allglock);
	tracebackothers(NULL, NULL);
	unlock(&allglock);
}

void fatal(const char *s)
{
	/* User output first: nothing is running, so stdio is free. */
	fflush(stdout);
	crashwait();
	print("fatal error: %s\n", s);
	int32_t level = tracebacklevel();
	if (level >= tracebackSingle)
		dumpgs();
	if (level == tracebackCrash)
		abort();
	os_exit(2);
}

/* ---- SL_DEBUG ---- */

static bool parseint(const char *s, size_t len, int32_t *out)
{
	if (len == 0 || len > 9)
		return false;
	int32_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* SL_DEBUG=schedtrace=MS,scheddetail=1, in the spirit of GODEBUG. Unknown
 * keys and bad values are reported and ignored. sysmonoff=1 starts no
 * sysmon: nothing then retakes a P from a syscall or ends a goroutine's 10ms
 * slice, so a hog is never preempted and a blocking syscall holds its P; what
 * is left runs the same instructions whatever the clock says, which is what
 * scripts/opcount wants under valgrind (its clock runs 50 times slow, and
 * sysmon's ticks and preemptions would become part of every op). env is
 * SL_DEBUG's value, or NULL. Once, in schedinit. */
void parsedebugvars(const char *env)
{
	if (!env)
		return;
	const char *s = env;
	while (*s) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		const char *eq = memchr(s, '=', len);
		bool ok = false;
		if (eq) {
			size_t klen = (size_t)(eq - s);
			const char *v = eq + 1;
			size_t vlen = len - klen - 1;
			if (klen == 10 && !memcmp(s, "schedtrace", 10))
				ok = parseint(v, vlen, &debug.schedtrace);
			else if (klen == 11 && !memcmp(s, "scheddetail", 11))
				ok = parseint(v, vlen, &debug.scheddetail);
			else if (klen == 10 && !memcmp(s, "stackguard", 10))
				ok = parseint(v, vlen, &debug.stackguard) && debug.stackguard <= 1;
			else if (klen == 9 && !memcmp(s, "sysmonoff", 9))
				ok = parseint(v, vlen, &debug.sysmonoff) && debug.sysmonoff <= 1;
		}
		if (!ok)
			print("schedlab: SL_DEBUG: ignoring \"%.*s\" (want schedtrace=MS, "
			      "scheddetail=1, stackguard=1 or sysmonoff=1)\n",
			      (int)len, s);
		s += len;
		if (*s == ',')
			s++;
	}
}

/* ---- schedtrace ---- */

static int64_t starttime;

/* Print the scheduler's state in the spirit of GODEBUG=schedtrace. With
 * detailed, every P, M and G. Takes sched.lock and allglock unless the
 * caller already holds them (take_locks false: schedcheck, about to abort).
 * Like Go's, it reads running Ps, Ms and Gs without their owners' consent:
 * the numbers are a snapshot that may tear, so ThreadSanitizer is told not to
 * watch these reads. */
NO_SANITIZE_THREAD static void dumpsched(bool detailed, bool take_locks)
{
	int64_t now = os_nanotime();
	if (!starttime)
		starttime = now;
	if (take_locks)
		lock(&sched.lock);
	print("SCHED %lldms: gomaxprocs=%d idleprocs=%d threads=%d spinningthreads=%d "
	      "idlethreads=%d runqueue=%d",
	      (long long)((now - starttime) / 1000000), gomaxprocs, atomic_load(&sched.npidle),
	      mcount(), atomic_load(&sched.nmspinning), sched.nmidle, sched.runqsize);
	if (detailed)
		print(" gcwaiting=%u nmidlelocked=%d stopwait=%d\n", atomic_load(&sched.gcwaiting),
		      sched.nmidlelocked, sched.stopwait);
	else
		print(" [");
	for (int32_t i = 0; i < gomaxprocs; i++) {
		struct p *pp = allp[i];
		struct m *mp = pp->m;
		uint32_t n = runqlen(pp);
		if (detailed)
			print("  P%d: status=%u schedtick=%u syscalltick=%u m=%lld runqsize=%u "
			      "gfreecnt=%d\n",
			      i, atomic_load(&pp->status), pp->schedtick, pp->syscalltick,
			      mp ? (long long)mp->id : -1LL, n, pp->gFree.n);
		else
			print(i + 1 < gomaxprocs ? "%u " : "%u", n);
	}
	if (!detailed) {
		print("]\n");
		if (take_locks)
			unlock(&sched.lock);
		return;
	}
	for (struct m *mp = atomic_load(&allm); mp; mp = mp->alllink) {
		struct p *pp = mp->p;
		struct g *curg = mp->curg;
		print("  M%lld: p=%d curg=%lld locks=%d spinning=%s blocked=%s\n",
		      (long long)mp->id, pp ? pp->id : -1, curg ? (long long)curg->goid : -1LL,
		      mp->locks, mp->spinning ? "true" : "false",
		      atomic_load(&mp->blocked) ? "true" : "false");
	}
	if (take_locks)
		lock(&allglock);
	for (int32_t i = 0; i < allglen; i++) {
		struct g *gp = allgs[i];
		uint32_t s = readgstatus(gp);
		struct m *mp = gp->m;
		print("  G%lld: status=%u(%s) m=%lld\n", (long long)gp->goid, s,
		      s == _Gwaiting ? waitreasonname(gp->waitreason) : "",
		      mp ? (long long)mp->id : -1LL);
	}
	if (take_locks) {
		unlock(&allglock);
		unlock(&sched.lock);
	}
}

void schedtrace(bool detailed)
{
	dumpsched(detailed, true);
}

/*
 * A bounded try-lock for sl_debug_dump, beside lock.c's protocol (0 free,
 * 1 held, 2 held with sleepers): a CAS from free to held, retried every
 * 100us for at most ns. No lock rank bookkeeping and no m->locks count: the
 * caller may be any thread, and it releases with dbg_unlock, never unlock().
 */
static bool dbg_trylock(mutex *l, int64_t ns)
{
	int64_t deadline = os_nanotime() + ns;
	for (;;) {
		if (atomic_cas(&l->key, 0, 1))
			return true;
		if (os_nanotime() >= deadline)
			return false;
		os_usleep(100);
	}
}

/* Release a lock dbg_trylock took: free it, and wake one sleeper if lock()
 * marked it contended meanwhile (as unlock does). */
static void dbg_unlock(mutex *l)
{
	if (atomic_xchg(&l->key, 0) == 2)
		os_futexwakeup(&l->key, 1);
}

/*
 * Public (schedlab.h): the detailed scheddetail dump and every goroutine's
 * status and wait reason, from any thread, even with the scheduler wedged.
 * It waits at most a quarter second for each of sched.lock and allglock (a thread
 * that holds one forever must not take the dump down with it); a lock it
 * could not get, it reads past without, and says so: the lines that follow
 * may then tear, and a list being grown under it (allgs) could be read as
 * it is replaced, a risk a dump for a wedged process accepts.
 */
NO_SANITIZE_THREAD void sl_debug_dump(void)
{
	bool have_sched = dbg_trylock(&sched.lock, 250000000);
	bool have_allg = dbg_trylock(&allglock, 250000000);
	print("schedlab: sl_debug_dump%s%s\n",
	      have_sched ? "" : " (sched.lock busy: unlocked reads)",
	      have_allg ? "" : " (allglock busy: unlocked reads)");
	dumpsched(true, false);
	tracebackothers(NULL, NULL);
	if (have_allg)
		dbg_unlock(&allglock);
	if (have_sched)
		dbg_unlock(&sched.lock);
}

/* The detailed dump without taking locks: the caller holds some of them and
 * is about to die. */
void schedtrace_unlocked(void)
{
	dumpsched(true, false);
}

void debug_teardown(void)
{
	memset(&debug, 0, sizeof debug);
	starttime = 0;
	schedcheck_passes = 0;
}
