/*
 * sim.h: what the simulated build (SL_SIM) adds between os_sim.c and the
 * rest of the runtime: the start-up settings it imposes, the main
 * goroutine's body, and teardown.
 */
#ifndef SCHEDLAB_SIM_INTERNAL_H
#define SCHEDLAB_SIM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

/* GOMAXPROCS at start-up: the run's configuration, not the environment. */
int32_t sim_gomaxprocs(void);
/* runtime_main's body in a simulated run: the run's main function, then
 * back to sl_sim_run. */
__attribute__((noreturn)) void sim_main(void);
bool sim_tracing(void);

/*
 * Free everything the runtime allocated and reset every global to its
 * state before rt0_go, so that another run can start. Only between runs:
 * no simulated thread runs, and none ever will again.
 */
void runtime_teardown(void);
void proc_teardown(void);
void goroutine_teardown(void);
void stack_teardown(void);
void sema_teardown(void);
void stw_teardown(void);
void debug_teardown(void);
void rt0_teardown(void);
void chan_teardown(void);
void sysmon_teardown(void);

#endif
