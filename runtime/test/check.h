/* check.h: assertions for runtime tests. A failed CHECK prints where and
 * exits 1, so ctest sees a failure. */
#ifndef SCHEDLAB_TEST_CHECK_H
#define SCHEDLAB_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
			fflush(NULL);                                                              \
			_Exit(1);                                                                  \
		}                                                                                  \
	} while (0)

#define CHECK_EQ(a, b)                                                                             \
	do {                                                                                       \
		long long _a = (long long)(a), _b = (long long)(b);                                \
		if (_a != _b) {                                                                    \
			fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s (%lld vs %lld)\n",       \
				__FILE__, __LINE__, #a, #b, _a, _b);                               \
			fflush(NULL);                                                              \
			_Exit(1);                                                                  \
		}                                                                                  \
	} while (0)

#endif
