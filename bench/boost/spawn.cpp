// spawn.cpp: creating fibers.
//
//   CreateGoroutines  Go's benchmarkCreateGoroutines(b, 1): a chain of b.N
//                     fibers, each launching the next (boost::fibers::fiber,
//                     detached) and exiting; the last one pushes the chain's
//                     length on a channel, which is checked.
//                     One op: one fiber created, run and exited.
//   SpawnWait         fibers launched (detached) in batches of 1000, each
//                     decrementing the batch's counter under a fiber mutex
//                     and notifying a fiber condition variable at zero; each
//                     batch waited for. One op: one fiber. The fibers'
//                     completions are counted and checked.
//
// Fibers get Boost's default stack (boost::fibers::default_stack: 128 KiB
// from malloc, per fiber), what a Boost user gets; b.N is one batch of
// state.max_iterations, as in the C versions.
//
// The synchronization objects are static, like the C version's chain_end
// (one benchmark runs at a time): a detached fiber may still be inside
// notify or unlock when the fiber it woke returns from the run, so they must
// outlive every run.
#include "catalogue.hpp"

#include <boost/fiber/all.hpp>

#include <algorithm>
#include <cstdint>
#include <mutex>

namespace
{

// Where the end of each chain reports the number of fibers it ran. Buffered
// (Go's is unbuffered), so that the last link never blocks: it exits as soon
// as it has pushed, and no fiber of the run is left behind when the benchmark
// fiber's receive returns.
boost::fibers::buffered_channel<int64_t> chain_end{2};

// Link `depth` of a chain with n links still to launch after it.
void chain_link(int64_t n, int64_t depth)
{
	if (n == 0)
		chain_end.push(depth + 1);
	else
		boost::fibers::fiber(chain_link, n - 1, depth + 1).detach();
}

void create_goroutines(benchmark::State &st)
{
	const int64_t n = st.max_iterations;
	int64_t links = -1;

	while (st.KeepRunningBatch(n)) {
		boost::fibers::fiber(chain_link, n, int64_t{0}).detach();
		if (chain_end.pop(links) != boost::fibers::channel_op_status::success)
			links = -1;
	}
	// Link 0 is launched by the benchmark fiber, links 1..n by the chain.
	if (links != n + 1)
		st.SkipWithError("the chain ran a wrong number of fibers");
}

struct batch_counter {
	boost::fibers::mutex mu;
	boost::fibers::condition_variable zero;
	int64_t pending = 0;
	int64_t done = 0; // over the whole run
} batch;

void done_one()
{
	std::lock_guard<boost::fibers::mutex> lk(batch.mu);
	batch.done++;
	if (--batch.pending == 0)
		batch.zero.notify_one();
}

void spawn_wait(int64_t n)
{
	const int64_t batch_size = 1000;

	for (int64_t i = 0; i < n; i += batch_size) {
		const int64_t k = std::min(batch_size, n - i);
		{
			std::lock_guard<boost::fibers::mutex> lk(batch.mu);
			batch.pending = k;
		}
		for (int64_t j = 0; j < k; j++)
			boost::fibers::fiber(done_one).detach();
		std::unique_lock<boost::fibers::mutex> lk(batch.mu);
		batch.zero.wait(lk, [] { return batch.pending == 0; });
	}
}

void spawn_wait_bench(benchmark::State &st)
{
	const int64_t n = st.max_iterations;

	{
		std::lock_guard<boost::fibers::mutex> lk(batch.mu);
		batch.done = 0;
	}
	while (st.KeepRunningBatch(n))
		spawn_wait(n);
	std::lock_guard<boost::fibers::mutex> lk(batch.mu);
	if (batch.done != n)
		st.SkipWithError("a batch lost a fiber");
}

} // namespace

void register_spawn()
{
	bench_register("CreateGoroutines", create_goroutines);
	bench_register("SpawnWait", spawn_wait_bench);
}
