/*
 * sim.h: what os_sim.c shares with the rest of the simulation backend
 * (sim_cover.c). The core sees none of it: its hooks are in os.h.
 */
#ifndef SCHEDLAB_SIM_INTERNAL_H
#define SCHEDLAB_SIM_INTERNAL_H

#include <stdbool.h>

/* Whether a run is on and its decisions are traced (SL_SIM_TRACE). */
bool sim_tracing(void);

#endif
