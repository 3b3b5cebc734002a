// ParkedMemory, the parked goroutine's resident cost. This file is named to
// sort first: go test runs benchmarks in file-name order, then source order,
// so ParkedMemory runs before anything else has grown the process and the
// baseline resident set (read by resize just before the pool first grows) is
// clean.
//
// ParkedMemory: unit bytes/goroutine, the resident set (/proc/self/statm)
// with 1,000,000 goroutines parked on one channel receive, minus the baseline,
// divided by 1,000,000. No runtime.GC: what is resident is what is measured.
// The growth happens once per call with the timer running, so that the
// first call (seconds long) already exceeds any -benchtime and go test does
// not call again with a larger b.N; the pool shrinks back to 0 before the
// call returns. ns/op means nothing here.

package bench

import (
	"runtime"
	"testing"
)

const parkedMemoryCount = 1000000

func BenchmarkParkedMemory(b *testing.B) {
	if parkedMemoryCount > maxParked {
		b.Skipf("SCHEDLAB_BENCH_MAX_PARKED=%d: no million parked goroutines", maxParked)
	}
	if poolSize != 0 {
		b.Fatalf("pool holds %d goroutines before ParkedMemory", poolSize)
	}
	resize(b, parkedMemoryCount)
	rss := readRSS(b)
	if g := runtime.NumGoroutine(); g < parkedMemoryCount {
		b.Fatalf("%d goroutines alive, want at least %d parked", g, parkedMemoryCount)
	}
	if baselineBy != b.Name() {
		b.Logf("baseline resident set was read by %s, not ParkedMemory: it may include that benchmark's memory", baselineBy)
	}
	b.StopTimer()
	resize(b, 0)
	if rss <= baselineRSS {
		b.Fatalf("resident set %d bytes with %d parked is not above the baseline %d", rss, parkedMemoryCount, baselineRSS)
	}
	b.ReportMetric(float64(rss-baselineRSS)/parkedMemoryCount, "bytes/goroutine")
}
