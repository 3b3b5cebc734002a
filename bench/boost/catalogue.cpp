// catalogue.cpp: bench_register, the bridge from a Google Benchmark run to a
// fiber world, and the two worlds.
//
// Google Benchmark calls every registered function on the benchmark thread
// (the main thread). A thread's fiber scheduler is its own and
// work_stealing's schedulers are one process-wide set of exactly N, built
// once (a static barrier and counter in Boost), so procs 1 and procs N live
// on different threads:
//
//   procs 1  the procs-1 thread: one std::thread, started on the first
//            procs-1 run and reused, with the default round_robin. The
//            benchmark thread hands it the whole run (state and timer
//            included; nothing else touches the state meanwhile) and sleeps
//            on a std::condition_variable until the run returns.
//   procs N  the pool: the benchmark thread plus N-1 helper threads, all on
//            work_stealing(N) (suspend = false: Boost's idle schedulers spin
//            while stealing; with suspend = true a sleeping scheduler is woken
//            only by a remote wake-up, never to steal). Built on the first
//            procs-N run and reused for the life of the process. The body
//            runs in the benchmark thread's main fiber, which work_stealing
//            never hands to another thread (main and dispatcher contexts are
//            pinned), so the benchmark's waits stay on its thread; the fibers
//            it launches are detached into its ready queue and stolen by the
//            helpers.
//
// A pool run, outside the timed region on both ends: the benchmark thread
// opens a generation on a std::mutex gate; each helper, asleep on the gate
// between runs (so neither its thread nor its dispatcher spins between runs
// or during procs-1 runs), wakes, counts itself active and blocks its main
// fiber on a fiber condition variable, which leaves the thread to its
// dispatcher: from then on it runs and steals fibers. Once all N-1 are
// active the body runs; then the benchmark thread ends the generation and
// waits until every helper's main fiber has run again and gone back to the
// gate. At that point no helper is inside a fiber of the run.
//
// A body must return with none of its fibers left ready or blocked (it joins
// them, or its last fiber's final act is a non-blocking signal): nothing runs
// a world's leftovers between runs.
#include "catalogue.hpp"

#include <sched.h>

#include <boost/fiber/algo/work_stealing.hpp>
#include <boost/fiber/all.hpp>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace
{

using task = std::function<void()>;

// The procs-1 world: one thread that runs one task at a time.
class procs1_thread
{
      public:
	// Runs fn on the procs-1 thread and returns when it has returned.
	void run(const task &fn)
	{
		std::unique_lock<std::mutex> lk(mu_);
		if (!thread_.joinable())
			thread_ = std::thread([this] { loop(); });
		task_ = &fn;
		cv_.notify_all();
		cv_.wait(lk, [this] { return task_ == nullptr; });
	}

	void stop()
	{
		{
			std::lock_guard<std::mutex> lk(mu_);
			quit_ = true;
		}
		cv_.notify_all();
		if (thread_.joinable())
			thread_.join();
	}

      private:
	void loop()
	{
		// Builds this thread's scheduler (round_robin) now rather than in
		// the first run's timed region.
		(void)boost::this_fiber::get_id();
		std::unique_lock<std::mutex> lk(mu_);
		for (;;) {
			cv_.wait(lk, [this] { return task_ != nullptr || quit_; });
			if (task_ == nullptr)
				return;
			const task *fn = task_;
			lk.unlock();
			(*fn)();
			lk.lock();
			task_ = nullptr;
			cv_.notify_all();
		}
	}

	std::mutex mu_;
	std::condition_variable cv_;
	const task *task_ = nullptr;
	bool quit_ = false;
	std::thread thread_;
};

// The procs-N world: the benchmark thread and n-1 helpers on work_stealing.
class pool
{
      public:
	explicit pool(unsigned n) : n_(n)
	{
	}

	// Runs fn in the calling thread's main fiber with the helpers stealing;
	// always from the benchmark thread.
	void run(const task &fn)
	{
		start_once();
		uint64_t gen;
		{
			std::lock_guard<std::mutex> lk(gate_mu_);
			gen = ++gen_;
		}
		gate_cv_.notify_all();
		{
			std::unique_lock<boost::fibers::mutex> lk(run_mu_);
			run_cv_.wait(lk, [this] { return active_ == n_ - 1; });
		}
		fn();
		{
			std::unique_lock<boost::fibers::mutex> lk(run_mu_);
			ended_ = gen;
			run_cv_.notify_all();
			run_cv_.wait(lk, [this] { return active_ == 0; });
		}
	}

	void stop()
	{
		{
			std::lock_guard<std::mutex> lk(gate_mu_);
			quit_ = true;
		}
		gate_cv_.notify_all();
		for (std::thread &t : helpers_)
			t.join();
		helpers_.clear();
	}

      private:
	// The first run builds the pool: work_stealing's constructor waits until
	// all n threads have constructed theirs.
	void start_once()
	{
		if (started_)
			return;
		started_ = true;
		for (unsigned i = 1; i < n_; i++)
			helpers_.emplace_back([this] { helper(); });
		boost::fibers::use_scheduling_algorithm<boost::fibers::algo::work_stealing>(n_);
	}

	void helper()
	{
		boost::fibers::use_scheduling_algorithm<boost::fibers::algo::work_stealing>(n_);
		uint64_t seen = 0;
		for (;;) {
			{
				std::unique_lock<std::mutex> lk(gate_mu_);
				gate_cv_.wait(lk, [&] { return quit_ || gen_ != seen; });
				if (quit_)
					return;
				seen = gen_;
			}
			std::unique_lock<boost::fibers::mutex> lk(run_mu_);
			active_++;
			run_cv_.notify_all();
			run_cv_.wait(lk, [&] { return ended_ == seen; });
			active_--;
			run_cv_.notify_all();
		}
	}

	const unsigned n_;
	bool started_ = false; // touched by the benchmark thread only
	std::vector<std::thread> helpers_;

	// The gate the helpers sleep on between runs.
	std::mutex gate_mu_;
	std::condition_variable gate_cv_;
	uint64_t gen_ = 0;
	bool quit_ = false;

	// A run in progress.
	boost::fibers::mutex run_mu_;
	boost::fibers::condition_variable run_cv_;
	unsigned active_ = 0;
	uint64_t ended_ = 0;
};

// Both worlds are never destroyed: a thread left asleep on them by an early
// exit keeps valid objects under it. bench_stop_worlds joins their threads.
procs1_thread &the_procs1_thread()
{
	static procs1_thread *t = new procs1_thread;
	return *t;
}

pool &the_pool()
{
	static pool *p = new pool(static_cast<unsigned>(bench_numcpu()));
	return *p;
}

bool pool_used = false;

} // namespace

int bench_numcpu()
{
	static const int n = [] {
		cpu_set_t set;
		CPU_ZERO(&set);
		if (sched_getaffinity(0, sizeof set, &set) != 0)
			return 1;
		int count = CPU_COUNT(&set);
		return count > 0 ? count : 1;
	}();
	return n;
}

void bench_register(const char *name, bench_body body, bool procs1_only)
{
	const int n = bench_numcpu();
	benchmark::internal::Benchmark *b =
	    benchmark::RegisterBenchmark(name, [body, n](benchmark::State &st) {
		    const task fn = [body, &st] { body(st); };
		    const int64_t procs = st.range(0);
		    if (procs == 1) {
			    the_procs1_thread().run(fn);
		    } else if (procs == n) {
			    pool_used = true;
			    the_pool().run(fn);
		    } else {
			    st.SkipWithError("procs is neither 1 nor the CPU count");
		    }
	    });
	b->ArgNames({"procs"});
	b->Arg(1);
	if (!procs1_only && n > 1)
		b->Arg(n);
	b->MeasureProcessCPUTime();
	b->UseRealTime();
}

void bench_stop_worlds()
{
	the_procs1_thread().stop();
	if (pool_used)
		the_pool().stop();
}
