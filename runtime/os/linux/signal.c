/*
 * signal.c: signals on Linux (os.h's signals group, and os_minit). One
 * handler for the synchronous faults, SIGSEGV, SIGBUS, SIGFPE, SIGILL and
 * SIGTRAP, running on each M's alternate signal stack (the faulting stack
 * may have no room left): a fault in a goroutine's stack guard is the stack
 * overflow report (sigstackoverflow, stack.c); any other becomes the core's
 * crash report (sigcrash, traceback.c), for which this file classifies the
 * signal, unwinds from the signal context and symbolizes.
 *
 * Unwinding is libgcc's _Unwind_Backtrace, called in the handler: it walks
 * the handler's own frames, through the kernel's signal frame (the
 * sigreturn trampoline's CFI), into the interrupted code, and stops where
 * the CFI says a stack ends (asm_goroutine_entry and the thread's start mark
 * rip undefined) or, on a goroutine, where a frame's CFA leaves the
 * goroutine's stack. It is called once at start-up so that its one-time
 * set-up does not first run in a handler. Symbols come from dladdr1 (the
 * dynamic symbol table: exported functions; the executables here link with
 * -rdynamic, see cmake/schedlabFunctions.cmake), checked against the
 * symbol's size so that a static function is never named after the
 * exported one before it; every frame also gets module+offset for
 * `addr2line -e module offset`.
 *
 * A fault while the handler runs (a corrupt stack under the unwinder) comes
 * back here (SA_NODEFER) and ends the process with a line that says so,
 * never the kernel's silent SIGSEGV. A fault on a thread that is not the
 * runtime's goes to the handler that was there before (a host's, a
 * sanitizer's) when there was one.
 */
#define _GNU_SOURCE
#include "runtime.h"
#include "traceback.h"

#include <dlfcn.h>
#include <link.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <ucontext.h>
#include <unistd.h>
#include <unwind.h>

#define ALTSTACK_SIZE (64 * 1024)

static const int fatalsigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP};
#define NSIGS ((int)(sizeof fatalsigs / sizeof fatalsigs[0]))
static struct sigaction oldact[NSIGS];

/* 1 while this thread is in the handler: a second fault is the handler's. */
static __thread int inhandler;

/* The main executable's path, for frames in it (dladdr names it ""). */
static char exepath[512];

/* The interrupted stack pointer and program counter. */
static uintptr_t sigctxt_sp(void *uctx)
{
	ucontext_t *uc = uctx;
#if defined(__x86_64__)
	return (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
	return (uintptr_t)uc->uc_mcontext.sp;
#else
#error "os/linux/signal.c: no stack pointer in this architecture's ucontext"
#endif
}

static uintptr_t sigctxt_pc(void *uctx)
{
	ucontext_t *uc = uctx;
#if defined(__x86_64__)
	return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
	return (uintptr_t)uc->uc_mcontext.pc;
#endif
}

static int sigindex(int sig)
{
	for (int i = 0; i < NSIGS; i++)
		if (fatalsigs[i] == sig)
			return i;
	return -1;
}

/* Go's names (runtime/sigtab_linux_generic.go). */
static void signames(int sig, const char **full, const char **brief)
{
	switch (sig) {
	case SIGSEGV:
		*full = "SIGSEGV: segmentation violation", *brief = "SIGSEGV";
		break;
	case SIGBUS:
		*full = "SIGBUS: bus error", *brief = "SIGBUS";
		break;
	case SIGFPE:
		*full = "SIGFPE: floating-point exception", *brief = "SIGFPE";
		break;
	case SIGILL:
		*full = "SIGILL: illegal instruction", *brief = "SIGILL";
		break;
	default:
		*full = "SIGTRAP: trace trap", *brief = "SIGTRAP";
		break;
	}
}

/* What Go's sigpanic makes of the fault. A signal sent by kill or raise
 * (si_code <= 0) is no fault of the code it interrupted. */
static enum crashkind classify(int sig, const siginfo_t *info)
{
	if (info->si_code <= 0)
		return crashSignal;
	uintptr_t addr = (uintptr_t)info->si_addr;
	switch (sig) {
	case SIGSEGV:
		return addr < 0x1000 ? crashNil : crashFault;
	case SIGBUS:
		return info->si_code == BUS_ADRERR && addr < 0x1000 ? crashNil : crashFault;
	case SIGFPE:
		return info->si_code == FPE_INTDIV   ? crashIntDiv
		       : info->si_code == FPE_INTOVF ? crashIntOvf
						     : crashFloat;
	default:
		return crashSignal;
	}
}

static int symbolize(uintptr_t pc, char *buf, size_t len)
{
	Dl_info info, info2;
	const ElfW(Sym) *sym = NULL;
	struct link_map *lm = NULL;
	int n;
	if (!dladdr1((void *)pc, &info, (void **)&sym, RTLD_DL_SYMENT) ||
	    !dladdr1((void *)pc, &info2, (void **)&lm, RTLD_DL_LINKMAP) || !lm)
		n = snprintf(buf, len, "?\n\t?+0x%lx", (unsigned long)pc);
	else {
		/* The main program's l_name is "": its path is exepath. */
		const char *mod = lm->l_name && *lm->l_name ? lm->l_name : exepath;
		/* l_addr is the load bias: pc less it is the address in the
		 * file, what addr2line wants, PIE or not. */
		unsigned long off = (unsigned long)(pc - lm->l_addr);
		uintptr_t s = (uintptr_t)info.dli_saddr;
		if (info.dli_sname && sym && pc >= s && pc < s + sym->st_size)
			n = snprintf(buf, len, "%s+0x%lx\n\t%s+0x%lx", info.dli_sname,
				     (unsigned long)(pc - s), mod, off);
		else
			n = snprintf(buf, len, "?\n\t%s+0x%lx", mod, off);
	}
	if (n < 0)
		return 0;
	return n >= (int)len ? (int)len - 1 : n;
}

struct unwinding {
	struct sigcrash *c;
	bool started; /* reached the interrupted frame */
	bool bounded; /* a goroutine: stop where the CFA leaves [lo, hi] */
	uintptr_t lo, hi;
};

static _Unwind_Reason_Code unwind_cb(struct _Unwind_Context *ctx, void *arg)
{
	struct unwinding *u = arg;
	int before = 0;
	uintptr_t ip = (uintptr_t)_Unwind_GetIPInfo(ctx, &before);
	if (!u->started) {
		/* The handler's own frames and the signal frame. */
		if (ip != u->c->pc)
			return _URC_NO_REASON;
		u->started = true;
	} else {
		uintptr_t cfa = (uintptr_t)_Unwind_GetCFA(ctx);
		if (ip == 0 || (u->bounded && (cfa < u->lo || cfa > u->hi)))
			return _URC_END_OF_STACK;
	}
	u->c->frames[u->c->nframes++] = ip;
	/* asm_mcall's CFI does not follow its switch onto g0: the frames on
	 * g0 end there. */
	if (_Unwind_GetRegionStart(ctx) == (uintptr_t)asm_mcall)
		return _URC_END_OF_STACK;
	return u->c->nframes == CRASH_MAXFRAMES ? _URC_END_OF_STACK : _URC_NO_REASON;
}

static _Unwind_Reason_Code unwind_nothing(struct _Unwind_Context *ctx, void *arg)
{
	(void)ctx;
	(void)arg;
	return _URC_END_OF_STACK;
}

static void fault_handler(int sig, siginfo_t *info, void *uctx)
{
	if (inhandler) {
		static const char msg[] = "fatal error: unexpected signal while printing a "
					  "crash report\n";
		os_write2(msg, (int)sizeof msg - 1);
		os_exit(2);
	}
	inhandler = 1;
	struct g *gp = getg();
	int i = sigindex(sig);
	if (!gp && i >= 0 &&
	    (oldact[i].sa_flags & SA_SIGINFO
		 ? oldact[i].sa_sigaction != NULL
		 : oldact[i].sa_handler != SIG_DFL && oldact[i].sa_handler != SIG_IGN)) {
		/* Not a runtime thread, and someone handled this before us:
		 * reinstate them and let the fault happen again. */
		sigaction(sig, &oldact[i], NULL);
		inhandler = 0;
		return;
	}
	if (sig == SIGSEGV || sig == SIGBUS)
		sigstackoverflow((uintptr_t)info->si_addr, sigctxt_sp(uctx)); /* exits if ours */

	/* On the alternate stack (64 KiB): the frames are 512 bytes. */
	struct sigcrash local;
	struct sigcrash *c = &local;
	memset(c, 0, sizeof *c);
	c->sig = sig;
	signames(sig, &c->signame, &c->sigshort);
	c->kind = classify(sig, info);
	c->code = info->si_code;
	c->addr = (uintptr_t)info->si_addr;
	c->pc = sigctxt_pc(uctx);
	c->sp = sigctxt_sp(uctx);
	c->symbolize = symbolize;
	struct unwinding u = {.c = c};
	if (gp && gp->stack.hi) {
		/* A goroutine's stack, or g0's (the thread's): the CFI of
		 * asm_mcall leads off g0 onto the goroutine's stack, whose
		 * frames there are not this thread's to walk. */
		u.bounded = true;
		u.lo = gp->stack.lo;
		u.hi = gp->stack.hi;
	}
	_Unwind_Backtrace(unwind_cb, &u);
	if (c->nframes == 0)
		c->frames[c->nframes++] = c->pc; /* unwinding found no way past pc */
	Dl_info dl;
	if (c->nframes == 1 && u.bounded && c->sp >= u.lo && c->sp + sizeof(uintptr_t) <= u.hi &&
	    !dladdr((void *)c->pc, &dl)) {
		/* pc is in no module: a call through a bad function pointer,
		 * which left its return address at sp. */
		c->frames[c->nframes++] = *(uintptr_t *)c->sp;
	}
	sigcrash(c);
}

void os_initsig(void)
{
	ssize_t n = readlink("/proc/self/exe", exepath, sizeof exepath - 1);
	exepath[n > 0 ? n : 0] = 0;
	/* The unwinder's and dladdr's first use, out of signal context. */
	_Unwind_Backtrace(unwind_nothing, NULL);
	Dl_info info;
	dladdr((void *)os_initsig, &info);

	os_initfork();

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < NSIGS; i++)
		sigaction(fatalsigs[i], &sa, &oldact[i]);
}

/* An alternate signal stack, unless the thread has one (the sanitizers
 * install their own); and no timer slack. */
void os_minit(struct m *mp)
{
	/* The kernel stretches a thread's sleeps by its timer slack, 50 us by
	 * default: a thief's 3 us wait for a running owner's runnext took some
	 * 60, and a 20 us timer overshot by as much. An M's sleeps are the
	 * scheduler's latency; 1 ns is the least slack there is (0 restores the
	 * default). Best effort: a failure leaves the default. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	stack_t old;
	if (sigaltstack(NULL, &old) == 0 && !(old.ss_flags & SS_DISABLE))
		return;
	if (!mp->altstack) {
		mp->altstack = mmap(NULL, ALTSTACK_SIZE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mp->altstack == MAP_FAILED)
			throw("minit: cannot allocate signal stack");
	}
	stack_t ss = {.ss_sp = mp->altstack, .ss_size = ALTSTACK_SIZE, .ss_flags = 0};
	if (sigaltstack(&ss, NULL) != 0)
		throw("minit: sigaltstack");
}
