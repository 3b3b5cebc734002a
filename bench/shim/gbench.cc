// gbench.cc: the C API of gbench.h, implemented over Google Benchmark.
//
// The opaque C handles are the C++ objects themselves: a gb_state* is a
// benchmark::State*, a gb_benchmark* a benchmark::internal::Benchmark*. A C
// benchmark is registered as a lambda that captures its function and context
// pointer and calls them with the state.

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

} // namespace

extern "C" {

gb_benchmark *gb_register(const char *name, gb_func fn, void *ctx)
{
	return C(benchmark::RegisterBenchmark(
	    name, [fn, ctx](benchmark::State &st) { fn(reinterpret_cast<gb_state *>(&st), ctx); }));
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
	return S(st)->KeepRunning();
}
bool gb_keep_running_batch(gb_state *st, int64_t n)
{
	return S(st)->KeepRunningBatch(n);
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
