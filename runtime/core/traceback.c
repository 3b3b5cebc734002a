/*
 * traceback.c: the crash report and SL_TRACEBACK.
 *
 * A synchronous fault that is not a stack overflow (a nil dereference, a
 * divide by zero, an illegal instruction) reaches sigcrash from the
 * backend's handler (os/linux/signal.c), on the faulting thread's alternate
 * signal stack, with the signal classified and the interrupted frames
 * unwound (traceback.h). sigcrash prints what Go prints for the same fault
 * and exits 2:
 *
 *   panic: runtime error: invalid memory address or nil pointer dereference
 *   [signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x...]
 *
 *   goroutine 7 [running]:
 *   function+0xoff            (or ? where no exported symbol covers pc)
 *   	module+0xoff            (addr2line -e module 0xoff)
 *   ...
 *
 * On g0 or a thread that is not the runtime's, "fatal error: unexpected
 * signal during runtime execution" and "runtime stack:" instead. The runtime
 * does not record who created a goroutine, so there is no "created by".
 *
 * SL_TRACEBACK (GOTRACEBACK's levels): none prints the panic and signal
 * lines only; single (the default) adds the crashing goroutine's frames;
 * all adds every other goroutine's header and entry function (their frames
 * are not unwound: parked goroutines are not walked from a signal handler;
 * scripts/schedlab-gdb.py's `info goroutines` and `goroutine N bt` show
 * them); crash is all, then abort() for a core dump. throw and fatal
 * (debug.c) honour it too (tracebacklevel).
 *
 * Only print (vsnprintf into a stack buffer, write(2)) and reads of runtime
 * state: no locks, so a crash with sched.lock or allglock held still
 * reports. Reading allgs unlocked may see a list mid-growth; a dying process
 * accepts that.
 */
#include "runtime.h"
#include "traceback.h"

#include <stdlib.h>
#include <string.h>

static int32_t tblevel = tracebackSingle;

static uint32_t crashing; /* the first thread to crash reports; others wait */
static _Thread_local bool crashedhere;

/* For throw and fatal: while another thread prints a crash report, wait for
 * it to end the process rather than exit under it. */
void crashwait(void)
{
	if (atomic_load(&crashing) && !crashedhere)
		for (;;)
			os_usleep(1000000);
}

int32_t tracebacklevel(void)
{
	return tblevel;
}

/* Once, at start-up (schedinit, with os_startup's value). A
 * bad value gets a warning and the default, as SL_DEBUG's do. */
void tracebackinit(const char *env)
{
	tblevel = tracebackSingle;
	if (!env)
		return;
	if (!strcmp(env, "none"))
		tblevel = tracebackNone;
	else if (!strcmp(env, "single"))
		tblevel = tracebackSingle;
	else if (!strcmp(env, "all"))
		tblevel = tracebackAll;
	else if (!strcmp(env, "crash"))
		tblevel = tracebackCrash;
	else
		print("schedlab: SL_TRACEBACK: ignoring \"%s\" (want none, single, all or "
		      "crash)\n",
		      env);
}

/* Every goroutine but skip (NULL: all): Go's header, "goroutine N [status
 * or wait reason]:", and with symbolize its entry function. Takes no lock:
 * the crash report and sl_debug_dump call it unlocked, fatal's dumpgs under
 * allglock. */
NO_SANITIZE_THREAD void tracebackothers(struct g *skip, int (*symbolize)(uintptr_t, char *, size_t))
{
	char buf[640];
	for (int32_t i = 0; i < allglen; i++) {
		struct g *gp = allgs[i];
		if (!gp || gp == skip)
			continue;
		uint32_t s = readgstatus(gp);
		if (s == _Gdead)
			continue;
		const char *what = s == _Gwaiting ? waitreasonname(gp->waitreason) : gstatusname(s);
		print("\ngoroutine %lld [%s]:\n", (long long)gp->goid, what);
		if (symbolize && gp->fn) {
			symbolize((uintptr_t)gp->fn, buf, sizeof buf);
			print("(entry) %s\n", buf);
		}
	}
}

static void printframes(const struct sigcrash *c)
{
	char buf[640];
	for (int32_t i = 0; i < c->nframes; i++) {
		/* A return address names the line after its call: ask
		 * about the call itself. */
		uintptr_t pc = i == 0 ? c->frames[i] : c->frames[i] - 1;
		c->symbolize(pc, buf, sizeof buf);
		print("%s\n", buf);
	}
	if (c->nframes == CRASH_MAXFRAMES)
		print("...additional frames elided...\n");
}

void sigcrash(const struct sigcrash *c)
{
	if (atomic_xchg(&crashing, 1) != 0) {
		if (crashedhere) {
			print("fatal error: unexpected signal while crashing\n");
			os_exit(2);
		}
		for (;;) /* another thread reports and exits */
			os_usleep(1000000);
	}
	crashedhere = true;
	struct g *gp = getg();
	struct m *mp = gp ? gp->m : NULL;
	bool user = gp && mp && gp != mp->g0;
	if (mp)
		mp->throwing++;

	if (c->kind == crashSignal) {
		/* Go's report for a signal that is not a panic (_SigThrow). */
		print("%s\nPC=0x%lx m=%lld sigcode=%d\n", c->signame, (unsigned long)c->pc,
		      mp ? (long long)mp->id : -1LL, c->code);
	} else {
		if (c->kind == crashFault)
			print("unexpected fault address 0x%lx\n", (unsigned long)c->addr);
		if (!user)
			print("fatal error: unexpected signal during runtime execution\n");
		else if (c->kind == crashNil)
			print("panic: runtime error: invalid memory address or nil pointer "
			      "dereference\n");
		else if (c->kind == crashIntDiv)
			print("panic: runtime error: integer divide by zero\n");
		else if (c->kind == crashIntOvf)
			print("panic: runtime error: integer overflow\n");
		else if (c->kind == crashFloat)
			print("panic: runtime error: floating point error\n");
		else
			print("fatal error: fault\n");
		print("[signal %s code=0x%x addr=0x%lx pc=0x%lx]\n", c->signame, (unsigned)c->code,
		      (unsigned long)c->addr, (unsigned long)c->pc);
	}

	if (tblevel >= tracebackSingle) {
		if (user) {
			print("\ngoroutine %lld [running]:\n", (long long)gp->goid);
			printframes(c);
		} else {
			if (mp)
				print("\nruntime stack:\n");
			else
				print("\nstack of a thread that is not the runtime's:\n");
			printframes(c);
			if (mp && mp->curg)
				print("\ngoroutine %lld [%s]:\n", (long long)mp->curg->goid,
				      gstatusname(readgstatus(mp->curg)));
		}
	}
	if (tblevel >= tracebackAll)
		tracebackothers(user ? gp : mp ? mp->curg : NULL, c->symbolize);
	if (tblevel == tracebackCrash)
		abort();
	os_exit(2);
}
