/*
 * pool.h: a population of goroutines parked on one channel receive, shared
 * by the benchmarks that need many goroutines alive (ScaleSpawn,
 * ParkedMemory). One benchmark runs at a time, so the pool is a global.
 */
#ifndef BENCH_POOL_H
#define BENCH_POOL_H

#include <stdint.h>

/* Grow or shrink the pool to k parked goroutines. Returns when the new ones
 * have started (and are parking) or the released ones have exited. From a
 * goroutine. The first growth in the process first reads pool_baseline_rss. */
void pool_resize(int64_t k);

/* The process's resident set before the pool first grew, in bytes. */
int64_t pool_baseline_rss(void);

/* The process's resident set now, in bytes (/proc/self/statm). */
int64_t resident_bytes(void);

#endif
