// switch.cpp: Boost's floor under every fiber operation.
//
//   SwitchFloor  one op: one round trip between two boost::context::fiber
//                contexts, no fiber scheduler in between: the benchmark side
//                resumes the other side, which counts the visit and resumes
//                the benchmark side (two switches, two jump_fcontext).
//                Procs 1. The other side's stack is a 64 KiB
//                boost::context::fixedsize_stack, as the C version's is
//                64 KiB. Batches of 1000 ops, as in the C version; the
//                visits are checked against the ops.
#include "catalogue.hpp"

#include <boost/context/fiber.hpp>
#include <boost/context/fixedsize_stack.hpp>

#include <cstdint>
#include <memory>
#include <utility>

namespace
{

namespace ctx = boost::context;

void switch_floor(benchmark::State &st)
{
	const int batch = 1000;
	int64_t n = 0, visits = 0;
	bool stop = false;

	ctx::fiber other(std::allocator_arg, ctx::fixedsize_stack(64 * 1024),
			 [&visits, &stop](ctx::fiber &&back) {
				 while (!stop) {
					 visits++;
					 back = std::move(back).resume();
				 }
				 return std::move(back);
			 });
	while (st.KeepRunningBatch(batch)) {
		for (int i = 0; i < batch; i++)
			other = std::move(other).resume();
		n += batch;
	}
	// One more resume, untimed: the other side leaves its loop and returns,
	// which leaves `other` empty and its stack released.
	stop = true;
	other = std::move(other).resume();
	if (visits != n || other)
		st.SkipWithError("the other context missed a switch");
}

} // namespace

void register_switch()
{
	bench_register("SwitchFloor", switch_floor, true);
}
