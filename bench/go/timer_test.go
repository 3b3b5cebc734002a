// Sleeps and timers.
//
// Sleep1ns: one time.Sleep(1), the shortest sleep that parks the goroutine on
// a timer (time.Sleep(0) returns at once).
//
// TimerLatency: manual time, reported as ns/op: a 20 µs sleep's overshoot,
// the monotonic time time.Sleep(20µs) takes minus 20 µs.

package bench

import (
	"testing"
	"time"
)

func BenchmarkSleep1ns(b *testing.B) {
	for i := 0; i < b.N; i++ {
		time.Sleep(time.Nanosecond)
	}
}

const timerSleep = 20 * time.Microsecond

func BenchmarkTimerLatency(b *testing.B) {
	var totalNs int64
	for i := 0; i < b.N; i++ {
		t0 := nanotime()
		time.Sleep(timerSleep)
		elapsed := nanotime() - t0
		if elapsed < int64(timerSleep) {
			b.Fatalf("time.Sleep(%v) returned after %d ns", timerSleep, elapsed)
		}
		totalNs += elapsed - int64(timerSleep)
	}
	b.ReportMetric(float64(totalNs)/float64(b.N), "ns/op")
}
