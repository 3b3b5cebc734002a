/*
 * sim_race.c: the simulation's data-race detector (SL_SIM_FINE). Placeholder
 * interface for os_sim.c's happens-before edges; the detector fills it.
 */
#include "sim.h"

void sim_race_run_begin(void)
{
}

void sim_race_run_end(void)
{
}

void sim_race_thread_new(int parent, int child)
{
	(void)parent;
	(void)child;
}

void sim_race_wake(int waker, int wakee)
{
	(void)waker;
	(void)wakee;
}
