/*
 * gbench.h: Google Benchmark from C.
 *
 * A thin C API over Google Benchmark 1.7 (libbenchmark), implemented in
 * gbench.cc. A C benchmark is a function that receives the run's state and a
 * context pointer given at registration:
 *
 *	static void bm_add(gb_state *st, void *ctx)
 *	{
 *		int64_t sum = 0;
 *		while (gb_keep_running_batch(st, 1000))
 *			for (int i = 0; i < 1000; i++)
 *				gb_do_not_optimize(sum += i);
 *	}
 *	...
 *	gb_real_time(gb_arg(gb_register("Add", bm_add, NULL), 8));
 *	return gb_main(argc, argv);
 *
 * Everything maps one to one onto benchmark::State and
 * benchmark::internal::Benchmark, so Google Benchmark's flags, console and
 * JSON output (and libbenchmark-tools' compare.py) work unchanged.
 *
 * Batching: gb_keep_running_batch(st, n) crosses into C++ once per n
 * iterations, so the call costs nothing next to even a 5 ns body. As in
 * Google Benchmark, the last batch may overshoot the planned iteration count;
 * the overshoot is counted. A body that does b.N-style work in one go asks for
 * gb_max_iterations(st) and runs one batch of exactly that size.
 *
 * Profiler marks: gb_mark_timing_start and gb_mark_timing_stop are empty
 * functions, entered just before a run's timed region opens (the first
 * gb_keep_running or gb_keep_running_batch) and just after it closes (the
 * call that returns false, or the body's return). A profiler can cut there:
 * scripts/opcount has callgrind dump its counters on entry to each, so the
 * timed region of every run is one dump, without its set-up.
 */
#ifndef GBENCH_H
#define GBENCH_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gb_state gb_state;	  /* a benchmark::State */
typedef struct gb_benchmark gb_benchmark; /* a benchmark::internal::Benchmark */
typedef void (*gb_func)(gb_state *st, void *ctx);

/* Registration. Each call returns its gb_benchmark so calls chain. All of
 * them must happen before gb_main. */
gb_benchmark *gb_register(const char *name, gb_func fn, void *ctx);
gb_benchmark *gb_arg(gb_benchmark *b, int64_t x);
gb_benchmark *gb_args(gb_benchmark *b, const int64_t *xs, int n); /* one argument tuple */
gb_benchmark *gb_arg_name(gb_benchmark *b, const char *name);
gb_benchmark *gb_arg_names(gb_benchmark *b, const char *const *names, int n);
gb_benchmark *gb_range(gb_benchmark *b, int64_t lo, int64_t hi); /* lo, lo*8, ..., hi */
gb_benchmark *gb_range_multiplier(gb_benchmark *b, int multiplier);
gb_benchmark *gb_threads(gb_benchmark *b, int nthreads);
gb_benchmark *gb_real_time(gb_benchmark *b);	    /* report wall-clock time */
gb_benchmark *gb_manual_time(gb_benchmark *b);	    /* report gb_set_iteration_time's */
gb_benchmark *gb_process_cpu_time(gb_benchmark *b); /* CPU time of all threads, not the caller's */
gb_benchmark *gb_iterations(gb_benchmark *b, int64_t n);
gb_benchmark *gb_min_time(gb_benchmark *b, double seconds);

/* Runs the registered benchmarks under Google Benchmark's command line
 * (--benchmark_filter, --benchmark_format=json, ...). Returns the exit
 * status: 0, or 1 when an argument was not recognized. */
int gb_main(int argc, char **argv);

/* The profiler marks (see above); not for calling. */
void gb_mark_timing_start(void);
void gb_mark_timing_stop(void);

/* The state, from inside a benchmark function. */
bool gb_keep_running(gb_state *st);
bool gb_keep_running_batch(gb_state *st, int64_t n);
int64_t gb_max_iterations(const gb_state *st);	/* the run's planned iteration count */
int64_t gb_iterations_done(const gb_state *st); /* iterations done so far */
int64_t gb_arg_value(const gb_state *st, int i);
int gb_thread_index(const gb_state *st);
int gb_thread_count(const gb_state *st);
void gb_pause_timing(gb_state *st);
void gb_resume_timing(gb_state *st);
void gb_set_iteration_time(gb_state *st, double seconds); /* with gb_manual_time */
void gb_set_items_processed(gb_state *st, int64_t items);
void gb_set_bytes_processed(gb_state *st, int64_t bytes);
void gb_set_label(gb_state *st, const char *label);
void gb_skip_with_error(gb_state *st, const char *msg);
bool gb_error_occurred(const gb_state *st);

/* Custom counters (benchmark::Counter). Flags may be or'ed. */
#define GB_COUNTER_DEFAULT	  0u
#define GB_COUNTER_RATE		  (1u << 0)  /* divided by the run's time */
#define GB_COUNTER_AVG_THREADS	  (1u << 1)  /* divided by the thread count */
#define GB_COUNTER_AVG_ITERATIONS (1u << 3)  /* divided by the iteration count */
#define GB_COUNTER_INVERT	  (1u << 31) /* reported as 1/value */
void gb_counter(gb_state *st, const char *name, double value, unsigned flags);

/* Keep a value or all of memory alive across the optimizer, like
 * benchmark::DoNotOptimize and benchmark::ClobberMemory. */
#define gb_do_not_optimize(x) __asm__ volatile("" : : "r,m"(x) : "memory")
#define gb_clobber_memory()   __asm__ volatile("" : : : "memory")

#ifdef __cplusplus
}
#endif

#endif
