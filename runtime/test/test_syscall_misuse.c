/*
 * test_syscall_misuse: sl_syscall_begin / sl_syscall_end used wrongly stop
 * the program with Go's message, from syscall.c's cold paths (kept out of
 * the line of the empty syscall pair). One mode per run; expect.sh checks
 * each mode's EXPECT block. Mode "pairs" is the right use, for contrast.
 */
#include "check.h"
#include "export_test.h"
#include "schedlab.h"

#include <stdio.h>
#include <string.h>

int sl_main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "pairs")) {
		/*
		 * EXPECT pairs
		 * args    pairs
		 * env     GOMAXPROCS=2
		 * match   ^ok pairs$
		 */
		for (int i = 0; i < 1000; i++) {
			sl_syscall_begin();
			sl_syscall_end();
		}
	} else if (!strcmp(mode, "end_unpaired")) {
		/*
		 * EXPECT end_unpaired
		 * args    end_unpaired
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^schedlab: sl_syscall_end without sl_syscall_begin \(goroutine 1\)$
		 * match   ^fatal error: exitsyscall: syscall frame is no longer valid$
		 * nomatch survived
		 */
		sl_syscall_begin();
		sl_syscall_end();
		sl_syscall_end(); /* the second end has no begin */
	} else if (!strcmp(mode, "begin_locked")) {
		/*
		 * EXPECT begin_locked
		 * args    begin_locked
		 * env     GOMAXPROCS=2
		 * status  2
		 * match   ^fatal error: entersyscall: holding locks$
		 * nomatch survived
		 */
		lock(&allglock);
		sl_syscall_begin();
	} else {
		fprintf(stderr, "unknown mode \"%s\"\n", mode);
		return 1;
	}
	printf(!strcmp(mode, "pairs") ? "ok %s\n" : "survived %s\n", mode);
	return 0;
}
