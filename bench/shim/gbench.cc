// gbench.cc: the C API of gbench.h, implemented over Google Benchmark.
//
// The opaque C handles are the C++ objects themselves: a gb_state* is a
// benchmark::State*, a gb_benchmark* a benchmark::internal::Benchmark*. A C
// benchmark is registered as a lambda that captures its function and context
// pointer and calls them with the state. The keep-running calls pass the
// profiler marks of gbench.h on the way in and out of the timed region.

#include "gbench.h"

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

namespace
{

benchmark::State *S(gb_state *st)
{
	return reinterpret_cast<benchmark::State *>(st);
}
const benchmark::State *S(const gb_state *st)
{
	return reinterpret_cast<const benchmark::State *>(st);
}
benchmark::internal::Benchmark *B(gb_benchmark *b)
{
	return reinterpret_cast<benchmark::internal::Benchmark *>(b);
}
gb_benchmark *C(benchmark::internal::Benchmark *b)
{
	return reinterpret_cast<gb_benchmark *>(b);
}

// The state whose timed region is open (one run at a time; the body may call
// from different threads, one after another).
const benchmark::State *timed = nullptr;

void open_timing(const benchmark::State *st)
{
	if (st != timed) {
		timed = st;
		gb_mark_timing_start();
	}
}

void close_timing(const benchmark::State *st)
{
	if (st == timed) {
		gb_mark_timing_stop();
		timed = nullptr;
	}
}

} // namespace

extern "C" {

// Not inlined, not optimized away: the empty asm is a side effect.
__attribute__((noinline)) void gb_mark_timing_start(void)
{
	__asm__ volatile("");
}
__attribute__((noinline)) void gb_mark_timing_stop(void)
{
	__asm__ volatile("");
}

gb_benchmark *gb_register(const char *name, gb_func fn, void *ctx)
{
	return C(benchmark::RegisterBenchmark(name, [fn, ctx](benchmark::State &st) {
		fn(reinterpret_cast<gb_state *>(&st), ctx);
		close_timing(&st);
	}));
}

gb_benchmark *gb_arg(gb_benchmark *b, int64_t x)
{
	return C(B(b)->Arg(x));
}

gb_benchmark *gb_args(gb_benchmark *b, const int64_t *xs, int n)
{
	return C(B(b)->Args(std::vector<int64_t>(xs, xs + n)));
}

gb_benchmark *gb_arg_name(gb_benchmark *b, const char *name)
{
	return C(B(b)->ArgName(name));
}

gb_benchmark *gb_arg_names(gb_benchmark *b, const char *const *names, int n)
{
	return C(B(b)->ArgNames(std::vector<std::string>(names, names + n)));
}

gb_benchmark *gb_range(gb_benchmark *b, int64_t lo, int64_t hi)
{
	return C(B(b)->Range(lo, hi));
}

gb_benchmark *gb_range_multiplier(gb_benchmark *b, int multiplier)
{
	return C(B(b)->RangeMultiplier(multiplier));
}

gb_benchmark *gb_threads(gb_benchmark *b, int nthreads)
{
	return C(B(b)->Threads(nthreads));
}
gb_benchmark *gb_real_time(gb_benchmark *b)
{
	return C(B(b)->UseRealTime());
}
gb_benchmark *gb_manual_time(gb_benchmark *b)
{
	return C(B(b)->UseManualTime());
}
gb_benchmark *gb_process_cpu_time(gb_benchmark *b)
{
	return C(B(b)->MeasureProcessCPUTime());
}
gb_benchmark *gb_iterations(gb_benchmark *b, int64_t n)
{
	return C(B(b)->Iterations(n));
}
gb_benchmark *gb_min_time(gb_benchmark *b, double seconds)
{
	return C(B(b)->MinTime(seconds));
}

int gb_main(int argc, char **argv)
{
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 1;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}

bool gb_keep_running(gb_state *st)
{
	open_timing(S(st));
	bool more = S(st)->KeepRunning();
	if (!more)
		close_timing(S(st));
	return more;
}
bool gb_keep_running_batch(gb_state *st, int64_t n)
{
	open_timing(S(st));
	bool more = S(st)->KeepRunningBatch(n);
	if (!more)
		close_timing(S(st));
	return more;
}
int64_t gb_max_iterations(const gb_state *st)
{
	return S(st)->max_iterations;
}
int64_t gb_iterations_done(const gb_state *st)
{
	return S(st)->iterations();
}
int64_t gb_arg_value(const gb_state *st, int i)
{
	return S(st)->range(i);
}
int gb_thread_index(const gb_state *st)
{
	return S(st)->thread_index();
}
int gb_thread_count(const gb_state *st)
{
	return S(st)->threads();
}
void gb_pause_timing(gb_state *st)
{
	S(st)->PauseTiming();
}
void gb_resume_timing(gb_state *st)
{
	S(st)->ResumeTiming();
}
void gb_set_iteration_time(gb_state *st, double seconds)
{
	S(st)->SetIterationTime(seconds);
}
void gb_set_items_processed(gb_state *st, int64_t items)
{
	S(st)->SetItemsProcessed(items);
}
void gb_set_bytes_processed(gb_state *st, int64_t bytes)
{
	S(st)->SetBytesProcessed(bytes);
}
void gb_set_label(gb_state *st, const char *label)
{
	S(st)->SetLabel(label);
}
void gb_skip_with_error(gb_state *st, const char *msg)
{
	S(st)->SkipWithError(msg);
}
bool gb_error_occurred(const gb_state *st)
{
	return S(st)->error_occurred();
}

void gb_counter(gb_state *st, const char *name, double value, unsigned flags)
{
	S(st)->counters[name] =
	    benchmark::Counter(value, static_cast<benchmark::Counter::Flags>(flags));
}

} // extern "C"
