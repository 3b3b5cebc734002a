/*
 * teardown.c: runtime_teardown, which returns a simulated run's runtime to
 * its state before rt0_go (SL_SIM builds only).
 *
 * Every file that owns state resets its own (proc_teardown and friends, at
 * the end of each file); this file only fixes the order. Goroutine structs
 * go before the stack chunks their stacks were cut from, and Ps and Ms last,
 * since the others never point into them after the run.
 */
#include "runtime.h"

void runtime_teardown(void)
{
	goroutine_teardown();
	stack_teardown();
	sema_teardown();
	stw_teardown();
	debug_teardown();
	rt0_teardown();
	chan_teardown();
	sysmon_teardown();
	proc_teardown();
}
