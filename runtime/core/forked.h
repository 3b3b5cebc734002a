/*
 * forked.h: the fork rule's check. After fork() the child has one thread, the
 * one that forked, and the memory of every other: Ms, sysmon, the timer
 * sleeper, Ps marked running, locks held by threads that are gone. The
 * runtime does not rebuild itself there (Go neither: after
 * syscall.ForkExec's fork only exec is safe); the backend's fork handler
 * (os/linux/fork.c) calls forkedchild, and every runtime entry that would
 * need another thread or the scheduler calls checkforked first, which
 * throws "runtime used in a forked child" instead of hanging. One global
 * load and a predictable branch; on the slow paths where it can be.
 */
#ifndef SCHEDLAB_FORKED_H
#define SCHEDLAB_FORKED_H

#include <stdint.h>

/* 1 in a child of fork(); written once by the child's only thread. */
extern __attribute__((visibility("hidden"))) uint32_t runtime_forked;
__attribute__((visibility("hidden"), noreturn, cold)) void throwforked(void);
/* In a fork child (the backend's atfork handler): mark the runtime unusable. */
__attribute__((visibility("hidden"))) void forkedchild(void);

static inline void checkforked(void)
{
	if (__builtin_expect(runtime_forked != 0, 0))
		throwforked();
}

#endif
