// WakeupLatency: manual time, reported as ns/op: from the waker's clock read
// just before it sends on an unbuffered channel to the parked receiver's
// clock read just after its receive returns; the receiver then acks on a
// second channel, and the waker waits for the ack before the next op.

package bench

import "testing"

func BenchmarkWakeupLatency(b *testing.B) {
	wake := make(chan int64) // carries the waker's clock read
	ack := make(chan struct{})
	type result struct{ totalNs, wakeups int64 }
	done := make(chan result)
	go func() {
		var r result
		ack <- struct{}{} // running: from here on it parks on wake
		for t0 := range wake {
			t1 := nanotime()
			r.totalNs += t1 - t0
			r.wakeups++
			ack <- struct{}{}
		}
		done <- r
	}()
	<-ack
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		wake <- nanotime()
		<-ack
	}
	b.StopTimer()
	close(wake)
	r := <-done
	if r.wakeups != int64(b.N) {
		b.Fatalf("receiver woke %d times, want %d", r.wakeups, b.N)
	}
	if r.totalNs < 0 {
		b.Fatalf("negative total latency %d ns", r.totalNs)
	}
	b.ReportMetric(float64(r.totalNs)/float64(b.N), "ns/op")
}
