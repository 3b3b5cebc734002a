/*
 * workerpool: fan-out, fan-in. A feeder sends job numbers 1..J on a buffered
 * jobs channel and closes it; W workers take jobs until the channel is
 * closed and drained, and send results on a results channel; the last
 * worker out closes it. main sums the results into a checksum that does not
 * depend on which worker did what, and checks that every job came back once.
 *
 *   workerpool [W [J]]   defaults: 8 workers, 10000 jobs
 */
#include <schedlab.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct result {
	int64_t job;
	int64_t value;
};

static sl_chan *jobs, *results;
static int64_t nworkers, njobs;
static _Atomic int64_t running; /* workers not yet finished */

static void feeder(void *arg)
{
	(void)arg;
	for (int64_t j = 1; j <= njobs; j++)
		sl_chan_send(jobs, &j);
	sl_chan_close(jobs);
}

static void worker(void *arg)
{
	(void)arg;
	int64_t j;
	bool ok;
	while (sl_chan_recv(jobs, &j, &ok) == 0 && ok) {
		struct result r = {j, (int64_t)((uint64_t)j * 2654435761u % 1000003)};
		sl_chan_send(results, &r);
	}
	if (--running == 0)
		sl_chan_close(results);
}

int sl_main(int argc, char **argv)
{
	nworkers = argc > 1 ? atoll(argv[1]) : 8;
	njobs = argc > 2 ? atoll(argv[2]) : 10000;
	if (nworkers < 1 || njobs < 1) {
		fprintf(stderr, "usage: workerpool [workers [jobs]]\n");
		return 2;
	}
	jobs = sl_chan_make(sizeof(int64_t), 16);
	results = sl_chan_make(sizeof(struct result), 16);
	uint8_t *seen = calloc((size_t)njobs + 1, 1);
	if (!jobs || !results || !seen)
		return 1;
	running = nworkers;
	for (int64_t w = 0; w < nworkers; w++)
		sl_go(worker, NULL);
	sl_go(feeder, NULL);

	int64_t n = 0, sum = 0, dup = 0;
	struct result r;
	bool ok;
	while (sl_chan_recv(results, &r, &ok) == 0 && ok) {
		n++;
		sum += r.value;
		if (r.job < 1 || r.job > njobs || seen[r.job]++)
			dup++;
	}
	printf("workers=%lld jobs=%lld results=%lld bad=%lld checksum=%lld\n", (long long)nworkers,
	       (long long)njobs, (long long)n, (long long)dup, (long long)sum);
	sl_chan_free(jobs);
	sl_chan_free(results);
	free(seen);
	return n == njobs && dup == 0 ? 0 : 1;
}
