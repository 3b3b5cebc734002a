/*
 * test_race_e2e.c: the race detector end to end, in the fine simulation
 * (libschedlab_sim_fine). A program under sl_sim_run at GOMAXPROCS 2 starts
 * two goroutines that hold two Ms at once: each announces itself and spins
 * (on a relaxed flag, every load a scheduling point) until the other has
 * started, so neither can run on the other's M and the simulator
 * interleaves them. Then one writes a word and the other reads it, in
 * race_e2e_pair.c, which is instrumented as the runtime's core is.
 *
 * Cases, each with its verdict: "racy" (nothing orders the pair: the run
 * aborts with the detector's report, naming both lines), and the pair
 * ordered by an atomic release/acquire, by an sl_mutex (the runtime's
 * sync.c: atomics and semaphores), by a channel (chan.c: locks and a
 * handoff), each with no report, over several seeds; and the racy pair
 * again with the read annotated benign (race_annot.h): no report. `test_race_e2e` runs
 * each case as a child process (`test_race_e2e case NAME SEED`) and checks
 * its exit and its stderr; the racy case runs twice, and the two reports
 * must be the same bytes (fresh processes: other addresses, same report).
 */
#define _GNU_SOURCE
#include "race_e2e_pair.h"
#include "schedlab.h"
#include "schedlab_chan.h"
#include "schedlab_sim.h"
#include "schedlab_sync.h"

#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum order { RACY, ATOMIC, MUTEX, CHAN, BENIGN };

static struct {
	enum order how;
	sl_waitgroup wg;
	sl_mutex mu;
	sl_chan *ch;
} P;

/* Goroutine `me` runs; wait until the other does too (two Ms at once). */
static void meet(int me)
{
	pair_start(me);
	while (!pair_other_started(me))
		;
}

static void writer(void *arg)
{
	(void)arg;
	meet(0);
	switch (P.how) {
	case RACY:
	case BENIGN:
		pair_write();
		break;
	case ATOMIC:
		pair_write();
		pair_publish();
		break;
	case MUTEX:
		sl_mutex_lock(&P.mu);
		pair_write();
		sl_mutex_unlock(&P.mu);
		break;
	case CHAN: {
		int v = 1;
		pair_write();
		sl_chan_send(P.ch, &v);
		break;
	}
	}
	sl_waitgroup_done(&P.wg);
}

static void reader(void *arg)
{
	(void)arg;
	meet(1);
	switch (P.how) {
	case RACY:
		(void)pair_read();
		break;
	case BENIGN:
		(void)pair_read_benign();
		break;
	case ATOMIC:
		while (!pair_published())
			;
		(void)pair_read();
		break;
	case MUTEX:
		sl_mutex_lock(&P.mu);
		(void)pair_read();
		sl_mutex_unlock(&P.mu);
		break;
	case CHAN: {
		int v;
		bool ok;
		sl_chan_recv(P.ch, &v, &ok);
		(void)pair_read();
		break;
	}
	}
	sl_waitgroup_done(&P.wg);
}

static int run_main(void *arg)
{
	(void)arg;
	sl_waitgroup_add(&P.wg, 2);
	if (P.how == CHAN)
		P.ch = sl_chan_make(sizeof(int), 0);
	sl_go(writer, NULL);
	sl_go(reader, NULL);
	sl_waitgroup_wait(&P.wg);
	if (P.ch)
		sl_chan_free(P.ch);
	return 0;
}

static const struct {
	const char *name;
	enum order how;
} cases[] = {
    {"racy", RACY}, {"atomic", ATOMIC}, {"mutex", MUTEX}, {"chan", CHAN}, {"benign", BENIGN}};
#define NCASES (int)(sizeof cases / sizeof cases[0])

static int run_case(const char *name, unsigned long long seed)
{
	for (int i = 0; i < NCASES; i++)
		if (strcmp(cases[i].name, name) == 0) {
			P.how = cases[i].how;
			P.wg = (sl_waitgroup)SL_WAITGROUP_INIT;
			P.mu = (sl_mutex)SL_MUTEX_INIT;
			struct sl_sim_config cfg = {
			    .choice = SL_SIM_RANDOM, .seed = seed, .ncpu = 2, .gomaxprocs = 2};
			return sl_sim_run(&cfg, run_main, NULL);
		}
	fprintf(stderr, "test_race_e2e: no case %s\n", name);
	return 2;
}

/* ---- the parent ---- */

static int child(const char *name, unsigned long long seed, char *err, size_t len)
{
	int e[2];
	if (pipe(e))
		abort();
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, e[1], 2);
	posix_spawn_file_actions_addclose(&fa, e[0]);
	char s[32];
	snprintf(s, sizeof s, "%llu", seed);
	char *argv[] = {"test_race_e2e", "case", (char *)name, s, NULL};
	pid_t pid;
	if (posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ) != 0)
		abort();
	posix_spawn_file_actions_destroy(&fa);
	close(e[1]);
	size_t got = 0;
	ssize_t r;
	while (got < len - 1 && (r = read(e[0], err + got, len - 1 - got)) > 0)
		got += (size_t)r;
	err[got] = 0;
	close(e[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		;
	return status;
}

/* The line of race_e2e_pair.c that carries `marker`. */
static int marker_line(const char *marker)
{
	FILE *f = fopen(RACE_E2E_PAIR_SRC, "r");
	if (!f) {
		perror(RACE_E2E_PAIR_SRC);
		exit(1);
	}
	char line[256];
	int n = 0, found = 0;
	while (fgets(line, sizeof line, f)) {
		n++;
		if (strstr(line, marker)) {
			found = n;
			break;
		}
	}
	fclose(f);
	return found;
}

/* The report names the pair, in either order, on two Ms: its first line
 * "sim: data race on test_race_e2e+0xOFF (4 bytes) at step S (Ti): KIND at
 * LOC", its second "  previous KIND at step S' (Tj): LOC", with i != j and
 * S' < S. */
static bool names_both(const char *err, const char *wloc, const char *rloc)
{
	const char *p = strstr(err, "sim: data race on test_race_e2e+0x");
	if (!p || !(p = strstr(p, " (4 bytes) at step ")))
		return false;
	unsigned long long s1, s2;
	int t1, t2;
	char k1[16], k2[16], l1[256], l2[256];
	if (sscanf(p, " (4 bytes) at step %llu (T%d): %15s at %255[^\n]", &s1, &t1, k1, l1) != 4)
		return false;
	if (!(p = strstr(p, "\n  previous ")) ||
	    sscanf(p, "\n  previous %15s at step %llu (T%d): %255[^\n]", k2, &s2, &t2, l2) != 4)
		return false;
	bool wr =
	    !strcmp(k1, "write") && !strcmp(l1, wloc) && !strcmp(k2, "read") && !strcmp(l2, rloc);
	bool rw =
	    !strcmp(k1, "read") && !strcmp(l1, rloc) && !strcmp(k2, "write") && !strcmp(l2, wloc);
	return (wr || rw) && t1 != t2 && s2 < s1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "case") == 0)
		return run_case(argv[2], strtoull(argv[3], NULL, 10));
	if (argc != 1) {
		fprintf(stderr, "usage: test_race_e2e [case NAME SEED]\n");
		return 2;
	}
	static char err[1 << 16], err2[1 << 16];
	int failed = 0;
	char wline[128], rline[128];
	snprintf(wline, sizeof wline, "fuzz/race_e2e_pair.c:%d (pair_write)",
		 marker_line("PAIR: the write"));
	snprintf(rline, sizeof rline, "fuzz/race_e2e_pair.c:%d (pair_read)",
		 marker_line("PAIR: the read"));
	/* The racy pair: a report naming both accesses, the same twice. */
	for (unsigned long long seed = 1; seed <= 3; seed++) {
		int st = child("racy", seed, err, sizeof err);
		bool ok =
		    WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT && names_both(err, wline, rline);
		if (!ok) {
			fprintf(
			    stderr,
			    "FAIL racy seed %llu: expected SIGABRT and a report naming\n  %s\n  "
			    "%s\ngot status %#x:\n%s\n",
			    seed, wline, rline, st, err);
			failed++;
			continue;
		}
		st = child("racy", seed, err2, sizeof err2);
		if (strcmp(err, err2) != 0) {
			fprintf(stderr, "FAIL racy seed %llu: two replays, two reports:\n%s---\n%s",
				seed, err, err2);
			failed++;
			continue;
		}
		const char *line = strstr(err, "sim: data race");
		printf("ok   racy seed %llu: %.*s\n", seed, (int)strcspn(line, "\n"), line);
	}
	/* The ordered pairs: no report, whatever the interleaving. */
	for (int i = 1; i < NCASES; i++)
		for (unsigned long long seed = 1; seed <= 10; seed++) {
			int st = child(cases[i].name, seed, err, sizeof err);
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || strstr(err, "sim: ")) {
				fprintf(stderr,
					"FAIL %s seed %llu: expected no race, status %#x:\n%s\n",
					cases[i].name, seed, st, err);
				failed++;
			} else if (seed == 10) {
				printf("ok   %s: no race in seeds 1..10\n", cases[i].name);
			}
		}
	printf("%d failed\n", failed);
	return failed != 0;
}
