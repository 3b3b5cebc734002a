// skipUnlessProcs1, for the benchmarks whose procs column is 1 only
// (PingPongHog, GOMAXPROCSSweep/ps=K), and skipIfProcs1, for those whose
// procs column is N only (WakeupRemote); no benchmarks here.
//
// go test (1.19) calls a benchmark function once with b.N = 1 before it sets
// GOMAXPROCS to the first -cpu value, at whatever GOMAXPROCS the previous
// benchmark left (N, under the driver's -cpu 1,N); that call's result stands
// as the first -cpu value's first probe, and a Skip there drops the benchmark
// from every -cpu value, procs 1 included. So that first call never skips:
// both benchmarks set the GOMAXPROCS they measure themselves, so it does the
// procs 1 work. Every later call skips when GOMAXPROCS != 1; go test then
// prints the procs N row with 0 iterations and NaN ns/op (with -benchtime 1x,
// 1 iteration and no ns/op) followed by the skip message. skipIfProcs1 is
// the mirror image: its first call does the work at whatever GOMAXPROCS it
// finds, and every later call at GOMAXPROCS 1 skips.

package bench

import (
	"runtime"
	"testing"
)

var benchCalled = map[string]bool{} // benchmarks run one at a time

func skipUnlessProcs1(b *testing.B) {
	name := b.Name()
	first := !benchCalled[name]
	benchCalled[name] = true
	if !first && runtime.GOMAXPROCS(0) != 1 {
		b.Skip("procs 1 only")
	}
}

func skipIfProcs1(b *testing.B) {
	name := b.Name()
	first := !benchCalled[name]
	benchCalled[name] = true
	if !first && runtime.GOMAXPROCS(0) == 1 {
		b.Skip("procs N only")
	}
}
