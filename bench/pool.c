/*
 * pool.c: the parked population of pool.h.
 *
 * Every member blocks in sl_chan_recv on `release`; shrinking sends one
 * value per member to let go, and each leaving member signals `left`.
 */
#include "pool.h"

#include <schedlab.h>
#include <schedlab_chan.h>
#include <schedlab_sync.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static sl_chan *release;
static int64_t size;
static int64_t baseline = -1;
static sl_waitgroup started = SL_WAITGROUP_INIT;
static sl_waitgroup left = SL_WAITGROUP_INIT;

int64_t resident_bytes(void)
{
	long pages_total, pages_resident = -1;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL || fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2) {
		fprintf(stderr, "bench: cannot read /proc/self/statm\n");
		exit(1);
	}
	fclose(f);
	return (int64_t)pages_resident * sysconf(_SC_PAGESIZE);
}

int64_t pool_baseline_rss(void)
{
	return baseline;
}

static void member(void *arg)
{
	(void)arg;
	sl_waitgroup_done(&started);
	sl_chan_recv(release, NULL, NULL);
	sl_waitgroup_done(&left);
}

void pool_resize(int64_t k)
{
	if (release == NULL)
		release = sl_chan_make(0, 0);
	if (baseline < 0)
		baseline = resident_bytes();
	if (k > size) {
		sl_waitgroup_add(&started, (int)(k - size));
		for (; size < k; size++)
			sl_go(member, NULL);
		sl_waitgroup_wait(&started);
	} else if (k < size) {
		sl_waitgroup_add(&left, (int)(size - k));
		for (; size > k; size--)
			sl_chan_send(release, NULL);
		sl_waitgroup_wait(&left);
	}
}
