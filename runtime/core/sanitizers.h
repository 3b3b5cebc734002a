/*
 * sanitizers.h: which sanitizer this file is compiled for, the same test
 * for gcc (__SANITIZE_*__) and clang (__has_feature). SL_ASAN brings the
 * AddressSanitizer interfaces (poisoning, fiber switches), SL_TSAN the
 * ThreadSanitizer fiber interface (never in the simulation). Included by
 * the files that annotate: the context switch, the simulation's fibers, the
 * channel header pool.
 */
#ifndef SCHEDLAB_SANITIZERS_H
#define SCHEDLAB_SANITIZERS_H

#ifndef __has_feature
#define __has_feature(x) 0
#endif

#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
#define SL_ASAN 1
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

/* Not in the simulation: there the fine build's core is compiled with
 * TSan's instrumentation, but its hooks are the simulation's own (os/sim/
 * sim_race.c), no TSan runtime is linked, and the simulated Ms are the race
 * detector's threads: a G switch stays within one, and no fiber is
 * announced. */
#if (defined(__SANITIZE_THREAD__) || __has_feature(thread_sanitizer)) && !defined(SL_SIM)
#define SL_TSAN 1
#include <sanitizer/tsan_interface.h>
#endif

#endif
