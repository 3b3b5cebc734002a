// GOMAXPROCS changes (stop the world + procresize). Both restore GOMAXPROCS.
//
// GOMAXPROCSChange: one runtime.GOMAXPROCS call that changes the value,
// alternating between procs (the GOMAXPROCS the benchmark finds) and
// 2*procs.
//
// GOMAXPROCSSweep/ps=K: the same, alternating between K and 2K, for
// K = 1, 2, 4, ..., 512 (1 to 1024 Ps). Procs 1 only: each sub-benchmark
// skips at GOMAXPROCS > 1 (see procs1_test.go).

package bench

import (
	"fmt"
	"runtime"
	"testing"
)

// gomaxprocsAlternate sets GOMAXPROCS to k untimed, then times b.N calls
// alternating 2k, k, 2k, ..., checking that each returns the value the
// previous one set, and restores the GOMAXPROCS it found.
func gomaxprocsAlternate(b *testing.B, k int) {
	orig := runtime.GOMAXPROCS(k)
	b.ResetTimer()
	cur, bad, got := k, -1, 0
	for i := 0; i < b.N; i++ {
		next := 3*k - cur // k -> 2k -> k
		if prev := runtime.GOMAXPROCS(next); prev != cur {
			bad, got = i, prev
			break
		}
		cur = next
	}
	b.StopTimer()
	runtime.GOMAXPROCS(orig)
	if bad >= 0 {
		b.Fatalf("call %d: GOMAXPROCS returned %d, want %d", bad, got, cur)
	}
}

func BenchmarkGOMAXPROCSChange(b *testing.B) {
	gomaxprocsAlternate(b, runtime.GOMAXPROCS(0))
}

func BenchmarkGOMAXPROCSSweep(b *testing.B) {
	// No skip here: this top-level function runs once, at whatever GOMAXPROCS
	// the previous benchmark left; each sub-benchmark runs at every -cpu value.
	for k := 1; k <= 512; k *= 2 {
		k := k
		b.Run(fmt.Sprintf("ps=%d", k), func(b *testing.B) {
			skipUnlessProcs1(b) // procs1_test.go: skips at GOMAXPROCS > 1
			gomaxprocsAlternate(b, k)
		})
	}
}
