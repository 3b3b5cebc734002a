// WakeupLatency: manual time, reported as ns/op: from the waker's clock read
// just before it sends on an unbuffered channel to the parked receiver's
// clock read just after its receive returns; the receiver then acks on a
// second channel, and the waker waits for the ack before the next op.
//
// WakeupRemote: manual time, procs N only (skipIfProcs1). The waker keeps its
// P: it sends with a non-blocking select, retried until the receiver is
// parked, then spins on an atomic, calling nothing in the runtime, until the
// receiver stores its ack there; so another M (spinning, or woken by the
// send's wakep) must steal the receiver from the waker's runnext. Timed from
// the waker's clock read just before the send that succeeded to the
// receiver's just after its receive; metric waker_ns: the waker's own time in
// that send.

package bench

import (
	"sync/atomic"
	"testing"
)

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

func BenchmarkWakeupRemote(b *testing.B) {
	skipIfProcs1(b)
	wake := make(chan int64) // carries the waker's clock read
	var acked int64          // the receiver's wakeups so far
	type result struct{ totalNs, wakeups int64 }
	done := make(chan result)
	n := b.N
	go func() {
		var r result
		for i := 0; i < n; i++ {
			t0 := <-wake
			r.totalNs += nanotime() - t0
			r.wakeups++
			atomic.StoreInt64(&acked, int64(i+1))
		}
		done <- r
	}()
	b.ResetTimer()
	var wakerNs int64
	for i := 0; i < n; i++ {
		for {
			now := nanotime()
			select {
			case wake <- now:
				wakerNs += nanotime() - now
			default:
				continue
			}
			break
		}
		for atomic.LoadInt64(&acked) != int64(i+1) {
		}
	}
	b.StopTimer()
	r := <-done
	if r.wakeups != int64(b.N) {
		b.Fatalf("receiver woke %d times, want %d", r.wakeups, b.N)
	}
	b.ReportMetric(float64(r.totalNs)/float64(b.N), "ns/op")
	b.ReportMetric(float64(wakerNs)/float64(b.N), "waker_ns")
}
