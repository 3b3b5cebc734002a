/* clash.h: the clash program's own definitions (clash_defs.c). */
#ifndef SCHEDLAB_PACKAGE_CLASH_H
#define SCHEDLAB_PACKAGE_CLASH_H

enum {
	CLASH_LOCK,
	CLASH_UNLOCK,
	CLASH_PRINT,
	CLASH_THROW,
	CLASH_FATAL,
	CLASH_SCHEDULE,
	CLASH_EXECUTE,
	CLASH_READY,
	CLASH_NEWPROC,
	CLASH_STOPM,
	CLASH_STARTM,
	CLASH_CHECKDEAD,
	CLASH_NFUNCS
};
extern long clash_calls[CLASH_NFUNCS];

extern int debug;
extern char sched[32];
extern const char *args;
extern long allp[4];
extern double gomaxprocs;
extern long ncpu;

void lock(long *l);
void unlock(long *l);
int print(const char *s);
int throw(int x);
int fatal(int x);
int schedule(int x);
int execute(int x);
int ready(int x);
int newproc(int a, int b);
int stopm(void);
int startm(void);
int checkdead(void);

#endif
