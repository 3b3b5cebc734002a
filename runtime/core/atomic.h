/*
 * atomic.h: the runtime's atomics, sequentially consistent unless the name
 * says otherwise. runtime.h includes it for the runtime, export_test.h for
 * white-box tests and fuzz targets.
 *
 * In the SL_SIM_FINE build (libschedlab_sim_fine) each one begins with a
 * scheduling point, so that the simulator may switch Ms between any two
 * atomic accesses anywhere in the runtime, the way Tokio's loom swaps the
 * atomics a crate is built with: fuzz_runq drives the real run queues so.
 * In every other build ATOMIC_POINT is nothing and each macro is the bare
 * builtin, as it always was.
 */
#ifndef SCHEDLAB_ATOMIC_H
#define SCHEDLAB_ATOMIC_H

#include <stdbool.h>

#ifdef SL_SIM_FINE
#include "os.h"
/* A scheduling point, then the access e (its operands evaluated after). */
#define ATOMIC_POINT(what, e)                                                                      \
	({                                                                                         \
		SCHEDPOINT("atomic " what);                                                        \
		e;                                                                                 \
	})
#else
#define ATOMIC_POINT(what, e) (e)
#endif

#define atomic_load(p)	   ATOMIC_POINT("load", __atomic_load_n((p), __ATOMIC_SEQ_CST))
#define atomic_store(p, v) ATOMIC_POINT("store", __atomic_store_n((p), (v), __ATOMIC_SEQ_CST))
#define atomic_load_acq(p) ATOMIC_POINT("load_acq", __atomic_load_n((p), __ATOMIC_ACQUIRE))
#define atomic_store_rel(p, v)                                                                     \
	ATOMIC_POINT("store_rel", __atomic_store_n((p), (v), __ATOMIC_RELEASE))
#define atomic_load_relaxed(p) ATOMIC_POINT("load_relaxed", __atomic_load_n((p), __ATOMIC_RELAXED))
#define atomic_store_relaxed(p, v)                                                                 \
	ATOMIC_POINT("store_relaxed", __atomic_store_n((p), (v), __ATOMIC_RELAXED))
#define atomic_xadd(p, d) ATOMIC_POINT("xadd", __atomic_add_fetch((p), (d), __ATOMIC_SEQ_CST))
#define atomic_xchg(p, v) ATOMIC_POINT("xchg", __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST))
#define atomic_cas(p, old, new)                                                                    \
	ATOMIC_POINT("cas", ({                                                                     \
			     __typeof__(*(p)) _o = (old);                                          \
			     __atomic_compare_exchange_n((p), &_o, (new), false, __ATOMIC_SEQ_CST, \
							 __ATOMIC_SEQ_CST);                        \
		     }))
#define atomic_cas_rel(p, old, new)                                                                \
	ATOMIC_POINT("cas_rel", ({                                                                 \
			     __typeof__(*(p)) _o = (old);                                          \
			     __atomic_compare_exchange_n((p), &_o, (new), false, __ATOMIC_RELEASE, \
							 __ATOMIC_RELAXED);                        \
		     }))

#endif
