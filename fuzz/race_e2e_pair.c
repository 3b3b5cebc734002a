/*
 * race_e2e_pair.c: the accesses of test_race_e2e's two goroutines, compiled
 * with the fine build's instrumentation (fuzz/race.cmake,
 * schedlab_fine_instrument) so that they reach the race detector's hooks as
 * the runtime's own accesses do (and with SL_SIM_FINE, as the core sees
 * it, for race_annot.h). test_race_e2e finds the lines of the
 * racing pair by the markers in their comments.
 */
#include "race_e2e_pair.h"
#include "race_annot.h"

int pair_x;	       /* the racy word */
static int started[2]; /* goroutine i is running (relaxed: orders nothing) */
static int published;  /* pair_x is written (release/acquire) */

void pair_start(int me)
{
	__atomic_store_n(&started[me], 1, __ATOMIC_RELAXED);
}

bool pair_other_started(int me)
{
	return __atomic_load_n(&started[1 - me], __ATOMIC_RELAXED);
}

void pair_write(void)
{
	pair_x = 42; /* PAIR: the write */
}

int pair_read(void)
{
	return pair_x; /* PAIR: the read */
}

int pair_read_benign(void)
{
	return RACE_BENIGN_READ(pair_x); /* a documented benign race: not reported */
}

void pair_publish(void)
{
	__atomic_store_n(&published, 1, __ATOMIC_RELEASE);
}

bool pair_published(void)
{
	return __atomic_load_n(&published, __ATOMIC_ACQUIRE);
}
