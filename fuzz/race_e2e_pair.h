/*
 * race_e2e_pair.h: the instrumented half of test_race_e2e
 * (race_e2e_pair.c): a racy word and the flags its goroutines meet on.
 */
#ifndef SCHEDLAB_RACE_E2E_PAIR_H
#define SCHEDLAB_RACE_E2E_PAIR_H

#include <stdbool.h>

extern int pair_x;
void pair_start(int me);	 /* goroutine me (0 or 1) runs */
bool pair_other_started(int me); /* and the other one too */
void pair_write(void);		 /* pair_x = 42, plainly */
int pair_read(void);
int pair_read_benign(void); /* pair_x, through RACE_BENIGN_READ */ /* pair_x, plainly */
void pair_publish(void);					   /* a release store of a flag */
bool pair_published(void);					   /* an acquire load of it */

#endif
