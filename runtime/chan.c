/* chan.c: being written (issue 3). */
#include "runtime.h"
