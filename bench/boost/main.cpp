// main.cpp: schedlab_bench_boost, the Boost.Fiber column on Google Benchmark.
//
// Takes Google Benchmark's flags (--benchmark_filter, --benchmark_format=json,
// ...). The order below is the order of the runs, the C catalogue's order.
// After the runs the threads of both fiber worlds (catalogue.cpp) are joined.
#include "catalogue.hpp"

int main(int argc, char **argv)
{
	register_pingpong();
	register_spawn();
	register_switch();
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 1;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	bench_stop_worlds();
	return 0;
}
