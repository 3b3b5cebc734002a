/*
 * atomic.h: the runtime's atomics, sequentially consistent unless the name
 * says otherwise. runtime.h includes it for the runtime, export_test.h for
 * white-box tests and fuzz targets.
 *
 * Each macro is the bare builtin in every build. In the fine simulation
 * (libschedlab_sim_fine) the core is compiled with ThreadSanitizer's
 * instrumentation, so each builtin there becomes a call of a hook
 * (__tsan_atomic32_load, ...) that is a scheduling point and tells the race
 * detector the access and its memory order (os/sim/sim_race.c); nothing
 * here changes for it.
 */
#ifndef SCHEDLAB_ATOMIC_H
#define SCHEDLAB_ATOMIC_H

#include <stdbool.h>

#define atomic_load(p)		   (__atomic_load_n((p), __ATOMIC_SEQ_CST))
#define atomic_store(p, v)	   (__atomic_store_n((p), (v), __ATOMIC_SEQ_CST))
#define atomic_load_acq(p)	   (__atomic_load_n((p), __ATOMIC_ACQUIRE))
#define atomic_store_rel(p, v)	   (__atomic_store_n((p), (v), __ATOMIC_RELEASE))
#define atomic_load_relaxed(p)	   (__atomic_load_n((p), __ATOMIC_RELAXED))
#define atomic_store_relaxed(p, v) (__atomic_store_n((p), (v), __ATOMIC_RELAXED))
#define atomic_xadd(p, d)	   (__atomic_add_fetch((p), (d), __ATOMIC_SEQ_CST))
#define atomic_xchg(p, v)	   (__atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST))
#define atomic_cas(p, old, new)                                                                    \
	(({                                                                                        \
		__typeof__(*(p)) _o = (old);                                                       \
		__atomic_compare_exchange_n((p), &_o, (new), false, __ATOMIC_SEQ_CST,              \
					    __ATOMIC_SEQ_CST);                                     \
	}))
#define atomic_cas_rel(p, old, new)                                                                \
	(({                                                                                        \
		__typeof__(*(p)) _o = (old);                                                       \
		__atomic_compare_exchange_n((p), &_o, (new), false, __ATOMIC_RELEASE,              \
					    __ATOMIC_RELAXED);                                     \
	}))

#endif
