/*
 * syscall.c: the scheduler's share of a system call.
 *
 *   SyscallEnterExit  one op: an empty sl_syscall_begin / sl_syscall_end
 *                     pair (Go's entersyscall / exitsyscall with nothing in
 *                     between): the P goes to _Psyscall and comes back.
 */
#include <schedlab.h>

#include "catalogue.h"

static void syscall_enter_exit(gb_state *st)
{
	while (gb_keep_running_batch(st, 1000))
		for (int i = 0; i < 1000; i++) {
			sl_syscall_begin();
			sl_syscall_end();
		}
}

void register_syscall(void)
{
	static const struct bench_def def = {.name = "SyscallEnterExit",
					     .body = syscall_enter_exit};
	bench_register(&def);
}
