/*
 * test_syscall: stop-the-world while a P sits in a syscall. A goroutine
 * blocks in read() on an empty pipe inside sl_syscall_begin/end; meanwhile
 * GOMAXPROCS changes twice and schedcheck runs with the world stopped, all
 * while the read is still blocked. Then the read completes and the goroutine
 * gets a P back (its old one is gone: the stop took it).
 */
#include "check.h"
#include "export_test.h"
#include "schedlab.h"

#include <unistd.h>

static int fds[2];
static int in_syscall, left_syscall;
static char got;

static void reader(void *arg)
{
	(void)arg;
	sl_syscall_begin();
	atomic_store(&in_syscall, 1);
	CHECK_EQ(read(fds[0], &got, 1), 1);
	sl_syscall_end();
	atomic_store(&left_syscall, 1);
	/* Back on a P: the scheduler still works for us. */
	CHECK(getm()->p && getm()->p->m == getm());
	sl_yield();
}

int sl_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	CHECK_EQ(pipe(fds), 0);
	sl_gomaxprocs(2);
	sl_go(reader, NULL);
	while (!atomic_load(&in_syscall))
		sl_yield();
	for (int i = 0; i < 1000; i++)
		sl_yield(); /* let it reach read() */
	CHECK_EQ(sl_gomaxprocs(3), 2);
	CHECK(!atomic_load(&left_syscall));
	schedcheck_stw();
	CHECK_EQ(sl_gomaxprocs(1), 3);
	schedcheck_stw();
	CHECK(!atomic_load(&left_syscall));
	CHECK_EQ(write(fds[1], "x", 1), 1);
	while (!atomic_load(&left_syscall))
		sl_yield();
	CHECK_EQ(got, 'x');
	schedcheck_stw();
	/* a syscall bracket with nothing to wait for, many times */
	for (int i = 0; i < 10000; i++) {
		sl_syscall_begin();
		sl_syscall_end();
	}
	printf("syscall: stopped the world 4 times around a blocked read, ok\n");
	return 0;
}
