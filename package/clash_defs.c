/*
 * clash_defs.c: the clash program's own functions and globals, under names
 * the runtime uses inside (Go's: lock, sched, schedule, newproc, ...). Of
 * other types than the runtime's, and in a file of their own, so that every
 * use in clash.c goes through the linker: with an archive that leaked those
 * names the link fails ("multiple definition of `lock'"), or a call binds to
 * the wrong definition and clash.c's counts or values are off.
 */
#include "clash.h"

long clash_calls[CLASH_NFUNCS];

#define COUNT(f) __atomic_add_fetch(&clash_calls[CLASH_##f], 1, __ATOMIC_SEQ_CST)

/* Globals: the runtime has a struct debug, struct schedt sched, a function
 * args, an array allp, int32 gomaxprocs and ncpu. */
int debug = 7;
char sched[32] = "the program's sched";
const char *args = "the program's args";
long allp[4] = {1, 2, 3, 4};
double gomaxprocs = 2.5;
long ncpu = -1;

void lock(long *l)
{
	COUNT(LOCK);
	__atomic_add_fetch(l, 1, __ATOMIC_SEQ_CST); /* from many goroutines at once */
}

void unlock(long *l)
{
	COUNT(UNLOCK);
	__atomic_sub_fetch(l, 1, __ATOMIC_SEQ_CST);
}

int print(const char *s)
{
	COUNT(PRINT);
	return (int)__builtin_strlen(s);
}

int throw(int x)
{
	COUNT(THROW);
	return x + 1;
}

int fatal(int x)
{
	COUNT(FATAL);
	return x + 2;
}

int schedule(int x)
{
	COUNT(SCHEDULE);
	return x + 3;
}

int execute(int x)
{
	COUNT(EXECUTE);
	return x * 2;
}

int ready(int x)
{
	COUNT(READY);
	return x - 1;
}

int newproc(int a, int b)
{
	COUNT(NEWPROC);
	return a + b;
}

int stopm(void)
{
	COUNT(STOPM);
	return 11;
}

int startm(void)
{
	COUNT(STARTM);
	return 12;
}

int checkdead(void)
{
	COUNT(CHECKDEAD);
	return 13;
}
