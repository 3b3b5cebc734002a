/*
 * signal.c: signals on Linux (os.h's signals group, and os_minit): the
 * SIGSEGV/SIGBUS handler that asks the core whether a fault is a goroutine
 * stack overflow (sigstackoverflow), and each M's alternate signal stack for
 * it to run on, since the faulting stack has no room left.
 */
#define _GNU_SOURCE
#include "runtime.h"

#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#define ALTSTACK_SIZE (64 * 1024)

static struct sigaction oldsegv, oldbus;

/* The interrupted stack pointer. */
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

static void fault_handler(int sig, siginfo_t *info, void *uctx)
{
	sigstackoverflow((uintptr_t)info->si_addr, sigctxt_sp(uctx)); /* exits if ours */
	/* Not ours: reinstate whoever handled it before and fault again. */
	sigaction(sig, sig == SIGSEGV ? &oldsegv : &oldbus, NULL);
}

void os_initsig(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &oldsegv);
	sigaction(SIGBUS, &sa, &oldbus);
}

/* An alternate signal stack, unless the thread has one (the sanitizers
 * install their own). */
void os_minit(struct m *mp)
{
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
