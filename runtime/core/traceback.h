/*
 * traceback.h: what a backend's fault handler hands the core's crash report
 * (traceback.c). The backend classifies the signal, unwinds from the signal
 * context and supplies a symbolizer; the core owns every word of the report.
 */
#ifndef SCHEDLAB_TRACEBACK_H
#define SCHEDLAB_TRACEBACK_H

#include <stddef.h>
#include <stdint.h>

struct g;

/* What the fault means, in Go's terms (signal_unix.go's sigpanic). */
enum crashkind {
	crashNil,    /* a memory fault below 0x1000: nil pointer dereference */
	crashFault,  /* any other memory fault: "unexpected fault address" */
	crashIntDiv, /* integer divide by zero */
	crashIntOvf, /* integer overflow (INT_MIN / -1) */
	crashFloat,  /* another arithmetic fault */
	crashSignal, /* an illegal instruction, a trap: "SIGILL: ..." */
};

#define CRASH_MAXFRAMES 64

struct sigcrash {
	int sig;	      /* the signal's number */
	const char *signame;  /* Go's spelling: "SIGSEGV: segmentation violation" */
	const char *sigshort; /* "SIGSEGV" */
	enum crashkind kind;
	int code;	/* si_code */
	uintptr_t addr; /* si_addr */
	uintptr_t pc, sp;
	/* The interrupted frames, innermost (pc) first, ending at the
	 * goroutine's entry or the thread's start. */
	int32_t nframes;
	uintptr_t frames[CRASH_MAXFRAMES];
	/* Writes pc as "name+0xoff\n\tmodule+0xoff" (or the second half
	 * alone) into buf; returns its length. Signal context: no locks. */
	int (*symbolize)(uintptr_t pc, char *buf, size_t len);
};

/* SL_TRACEBACK's levels, in order (GOTRACEBACK's). */
enum { tracebackNone, tracebackSingle, tracebackAll, tracebackCrash };
__attribute__((visibility("hidden"))) int32_t tracebacklevel(void);
/* Wait forever if another thread is printing a crash report. */
__attribute__((visibility("hidden"))) void crashwait(void);
/* Every goroutine but skip: its header, and with symbolize its entry. */
__attribute__((visibility("hidden"))) void
tracebackothers(struct g *skip, int (*symbolize)(uintptr_t, char *, size_t));

/* Print the report for c and exit 2 (or abort with SL_TRACEBACK=crash). On
 * the faulting thread, in the handler. */
__attribute__((visibility("hidden"), noreturn)) void sigcrash(const struct sigcrash *c);
/* SL_TRACEBACK's value, or NULL: parsed once at start-up. */
__attribute__((visibility("hidden"))) void tracebackinit(const char *env);

#endif
