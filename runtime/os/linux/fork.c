/*
 * fork.c: the fork rule on Linux. A pthread_atfork child handler marks the
 * runtime unusable in the child (forkedchild, forked.h): the child has only
 * the thread that forked, so Ms, sysmon, the timer sleeper and any lock
 * another thread held are gone, and a runtime call that needs them throws
 * instead of hanging. exec in the child is safe; so is posix_spawn, which
 * glibc implements with clone(CLONE_VFORK) and runs no atfork handlers.
 */
#define _GNU_SOURCE
#include "runtime.h"
#include "forked.h"

#include <pthread.h>

static void atfork_child(void)
{
	forkedchild();
}

/* Once, from os_initsig at start-up. */
void os_initfork(void)
{
	if (pthread_atfork(NULL, NULL, atfork_child) != 0)
		throw("initfork: pthread_atfork");
}
