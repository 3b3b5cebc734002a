/*
 * w_sys.c: real blocking syscalls between sl_syscall_begin and
 * sl_syscall_end, and GOMAXPROCS changes from several goroutines at once.
 *
 * Syscalls: pairs of goroutines share a pipe; the reader blocks in read(2)
 * inside a syscall bracket (its P is handed off or retaken by sysmon) until
 * the writer, after a sleep, writes inside a bracket of its own; others
 * bracket a nanosleep(2). Books: every byte written is read, in order.
 *
 * GOMAXPROCS: two to four goroutines call sl_gomaxprocs(1..max_procs) at
 * once, a few milliseconds apart (each call stops the world), while every
 * other family runs. Books: the value a query returns is always in range.
 */
#include "soak.h"

#include <errno.h>
#include <time.h>
#include <unistd.h>

struct pipe_pair {
	int fd[2];
	int bytes;
	uint64_t round;
	sl_waitgroup *wg;
};

static void pipe_reader(void *arg)
{
	struct pipe_pair *p = arg;
	for (int i = 0; i < p->bytes; i++) {
		unsigned char b;
		ssize_t n;
		sl_syscall_begin();
		do
			n = read(p->fd[0], &b, 1);
		while (n < 0 && errno == EINTR);
		sl_syscall_end();
		if (n != 1 || b != (unsigned char)i)
			soak_fail("syscall round %llu: pipe byte %d read as %d (read returned %zd)",
				  (unsigned long long)p->round, i, n == 1 ? b : -1, n);
		soak_add(&soak_syscalls, 1);
	}
	sl_waitgroup_done(p->wg);
}

static void pipe_writer(void *arg)
{
	struct pipe_pair *p = arg;
	uint64_t r = rng_seed(p->round, 400 + (uint64_t)p->fd[1]);
	for (int i = 0; i < p->bytes; i++) {
		unsigned char b = (unsigned char)i;
		ssize_t n;
		sl_sleep(rng_range(&r, 0, 300000)); /* the reader blocks in read meanwhile */
		sl_syscall_begin();
		do
			n = write(p->fd[1], &b, 1);
		while (n < 0 && errno == EINTR);
		sl_syscall_end();
		if (n != 1)
			soak_fail("syscall round %llu: pipe write returned %zd",
				  (unsigned long long)p->round, n);
	}
	sl_waitgroup_done(p->wg);
}

static void napper(void *arg)
{
	struct pipe_pair *p = arg;
	for (int i = 0; i < p->bytes; i++) {
		struct timespec ts = {0, 50000 + 1000 * i};
		sl_syscall_begin();
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
		}
		sl_syscall_end();
		soak_add(&soak_syscalls, 1);
	}
	sl_waitgroup_done(p->wg);
}

struct changer {
	uint64_t round;
	int id, changes;
	sl_waitgroup *wg;
};

static void procs_changer(void *arg)
{
	struct changer *c = arg;
	uint64_t r = rng_seed(c->round, 500 + c->id);
	for (int i = 0; i < c->changes; i++) {
		sl_sleep(rng_range(&r, 2, 20) * 1000000);
		int old = sl_gomaxprocs((int)rng_range(&r, 1, cfg.maxprocs));
		if (old < 1 || old > cfg.maxprocs)
			soak_fail("gomaxprocs round %llu: sl_gomaxprocs returned %d",
				  (unsigned long long)c->round, old);
		soak_add(&soak_procchanges, 1);
	}
	sl_waitgroup_done(c->wg);
}

void w_sys(uint64_t round)
{
	uint64_t r = rng_seed(round, 6);
	sl_waitgroup wg = SL_WAITGROUP_INIT;
	int npipes = (int)rng_range(&r, 1, 6), nnap = (int)rng_range(&r, 0, 4);
	int nchg = (int)rng_range(&r, 2, 4);
	struct pipe_pair p[6 + 4];
	struct changer c[4];
	for (int i = 0; i < npipes; i++) {
		p[i] = (struct pipe_pair){
		    .bytes = (int)rng_range(&r, 1, 30), .round = round, .wg = &wg};
		if (pipe(p[i].fd) != 0)
			soak_fail("pipe: %d", errno);
		sl_waitgroup_add(&wg, 2);
		sl_go(pipe_reader, &p[i]);
		sl_go(pipe_writer, &p[i]);
	}
	for (int i = 0; i < nnap; i++) {
		p[6 + i] = (struct pipe_pair){
		    .bytes = (int)rng_range(&r, 1, 30), .round = round, .wg = &wg};
		sl_waitgroup_add(&wg, 1);
		sl_go(napper, &p[6 + i]);
	}
	for (int i = 0; i < nchg; i++) {
		c[i] = (struct changer){round, i, (int)rng_range(&r, 1, 4), &wg};
		sl_waitgroup_add(&wg, 1);
		sl_go(procs_changer, &c[i]);
	}
	sl_waitgroup_wait(&wg);
	for (int i = 0; i < npipes; i++) {
		close(p[i].fd[0]);
		close(p[i].fd[1]);
	}
}
