// pingpong.cpp: two fibers handing control back and forth.
//
//   YieldPingPong  one op: each of two fibers calls boost::this_fiber::yield
//                  once; both loop b.N times and the benchmark fiber joins
//                  both.
//   ChanPingPong   one op: one round trip on two boost::fibers::
//                  unbuffered_channel<int64_t>: the benchmark fiber pushes i
//                  on ping and pops from pong, a partner fiber echoes i + 1;
//                  every echo is checked.
//
// b.N is one batch of state.max_iterations, as in the C versions.
#include "catalogue.hpp"

#include <boost/fiber/all.hpp>

#include <cstdint>

namespace
{

void yield_loop(int64_t n, int64_t *done)
{
	for (int64_t i = 0; i < n; i++) {
		boost::this_fiber::yield();
		++*done;
	}
}

void yield_pingpong(benchmark::State &st)
{
	const int64_t n = st.max_iterations;
	int64_t done[2] = {0, 0};

	while (st.KeepRunningBatch(n)) {
		boost::fibers::fiber a(yield_loop, n, &done[0]);
		boost::fibers::fiber b(yield_loop, n, &done[1]);
		a.join();
		b.join();
	}
	if (done[0] != n || done[1] != n)
		st.SkipWithError("a yielder lost count");
}

using channel = boost::fibers::unbuffered_channel<int64_t>;

// The partner: echoes every value from ping to pong, plus one, until ping is
// closed; counts its echoes.
void echo_loop(channel *ping, channel *pong, int64_t *echoed)
{
	int64_t v;
	while (ping->pop(v) == boost::fibers::channel_op_status::success) {
		if (pong->push(v + 1) != boost::fibers::channel_op_status::success)
			return;
		++*echoed;
	}
}

// n round trips from the calling fiber; false if an echo came back wrong.
bool pingpong_rounds(channel &ping, channel &pong, int64_t n)
{
	for (int64_t i = 0; i < n; i++) {
		int64_t v = -1;
		if (ping.push(i) != boost::fibers::channel_op_status::success)
			return false;
		if (pong.pop(v) != boost::fibers::channel_op_status::success || v != i + 1)
			return false;
	}
	return true;
}

void chan_pingpong(benchmark::State &st)
{
	const int64_t n = st.max_iterations;
	channel ping, pong;
	int64_t echoed = 0;
	bool ok = true;

	boost::fibers::fiber partner(echo_loop, &ping, &pong, &echoed);
	while (st.KeepRunningBatch(n))
		ok = pingpong_rounds(ping, pong, n);
	ping.close();
	pong.close();
	partner.join();
	if (!ok)
		st.SkipWithError("ping-pong echoed a wrong value");
	else if (echoed != n)
		st.SkipWithError("the partner echoed a wrong number of values");
}

} // namespace

void register_pingpong()
{
	bench_register("YieldPingPong", yield_pingpong);
	bench_register("ChanPingPong", chan_pingpong);
}
