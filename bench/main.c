/*
 * main.c: schedlab_bench, the C catalogue on Google Benchmark.
 *
 * A library host: the runtime starts from .init_array, and every benchmark
 * body enters it through sl_run (catalogue.c). Takes Google Benchmark's
 * flags (--benchmark_filter, --benchmark_format=json, ...). The order below
 * is the order of the runs: ParkedMemory comes first so that the resident set
 * it starts from holds no goroutine memory yet.
 */
#include "catalogue.h"

int main(int argc, char **argv)
{
	register_memory();
	register_pingpong();
	register_chan();
	register_spawn();
	register_wakeup();
	register_gomaxprocs();
	register_syscall();
	register_timer();
	register_scale();
	register_switch();
	return gb_main(argc, argv);
}
