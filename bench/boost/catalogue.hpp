// catalogue.hpp: how a benchmark of the Boost column is declared.
//
// A body is a plain function of the Google Benchmark state. bench_register
// registers it as NAME/procs:P/process_time/real_time with
// ArgNames({"procs"}), P being 1 and the CPU count N of the affinity mask (1
// only when N == 1, or for a procs-1-only benchmark), and runs it in the fiber
// world of its procs (see catalogue.cpp): procs 1 on the procs-1 thread with
// round_robin, procs N on the benchmark thread's main fiber with the benchmark
// thread and N-1 helpers all on work_stealing(N). Either way the body starts
// in a thread's main fiber, which no scheduler migrates, so it may block on
// fiber primitives and wait for the fibers it launched. CPU time is the whole
// process's, as in the C column: procs 1 runs on a thread that is not the
// benchmark thread, and at procs N the helpers' work (and their spinning
// while they steal) is part of the cost.
//
// Ops are those of bench/README.md's catalogue; each file's header says what
// one op is.
#ifndef BENCH_BOOST_CATALOGUE_HPP
#define BENCH_BOOST_CATALOGUE_HPP

#include <benchmark/benchmark.h>

using bench_body = void (*)(benchmark::State &st);

// Registers body as name, at procs 1 and N (or 1 only). Call before the
// benchmarks run.
void bench_register(const char *name, bench_body body, bool procs1_only = false);

// The CPU count: CPU_COUNT of the benchmark process's affinity mask.
int bench_numcpu();

// Joins the threads of both fiber worlds; call once, after the benchmarks ran.
void bench_stop_worlds();

// Each benchmark file registers its benchmarks in one function; main.cpp calls
// them in catalogue order.
void register_pingpong();
void register_spawn();
void register_switch();

#endif
