// Go's own channel workloads (runtime/chan_test.go), rewritten with counts
// that are checked.
//
// ChanSync: Go's BenchmarkChanSync: one unbuffered send or receive. Two
// goroutines take quanta of 1000 calls from a shared counter of
// b.N/1000/2*2 quanta; in an even quantum a goroutine receives then sends,
// in an odd one it sends then receives.
//
// ChanProdCons0, ChanProdCons10, ChanProdCons100: Go's
// benchmarkChanProdCons(b, size, 0): one element through a channel of
// capacity 0, 10 or 100, with GOMAXPROCS producer/consumer pairs; producers
// take quanta of 1000 elements from a shared counter of b.N/1000 quanta and
// each ends with a 0 that stops one consumer.

package bench

import (
	"runtime"
	"sync/atomic"
	"testing"
)

const callsPerSched = 1000

func BenchmarkChanSync(b *testing.B) {
	const procs = 2
	quanta := int32(b.N / callsPerSched / procs * procs)
	left := quanta
	type tally struct{ sends, recvs int } // recvs sums the 1s received
	c := make(chan tally, procs)
	myc := make(chan int)
	for p := 0; p < procs; p++ {
		go func() {
			var t tally
			for {
				i := atomic.AddInt32(&left, -1)
				if i < 0 {
					break
				}
				for g := 0; g < callsPerSched; g++ {
					if i%2 == 0 {
						t.recvs += <-myc
						myc <- 1
					} else {
						myc <- 1
						t.recvs += <-myc
					}
					t.sends++
				}
			}
			c <- t
		}()
	}
	var total tally
	for p := 0; p < procs; p++ {
		t := <-c
		total.sends += t.sends
		total.recvs += t.recvs
	}
	want := int(quanta) * callsPerSched
	if total.sends != want || total.recvs != want {
		b.Fatalf("%d sends and %d receives, want %d of each", total.sends, total.recvs, want)
	}
}

func benchmarkChanProdCons(b *testing.B, chanSize int) {
	procs := runtime.GOMAXPROCS(-1)
	quanta := int32(b.N / callsPerSched)
	left := quanta
	produced := make(chan int, procs)
	consumed := make(chan int, procs)
	myc := make(chan int, chanSize)
	for p := 0; p < procs; p++ {
		go func() {
			n := 0
			for atomic.AddInt32(&left, -1) >= 0 {
				for g := 0; g < callsPerSched; g++ {
					myc <- 1
					n++
				}
			}
			myc <- 0
			produced <- n
		}()
		go func() {
			n := 0
			for {
				v := <-myc
				if v == 0 {
					break
				}
				n += v
			}
			consumed <- n
		}()
	}
	var sent, received int
	for p := 0; p < procs; p++ {
		sent += <-produced
		received += <-consumed
	}
	want := int(quanta) * callsPerSched
	if sent != want || received != want {
		b.Fatalf("%d elements sent and %d received, want %d", sent, received, want)
	}
}

func BenchmarkChanProdCons0(b *testing.B) {
	benchmarkChanProdCons(b, 0)
}

func BenchmarkChanProdCons10(b *testing.B) {
	benchmarkChanProdCons(b, 10)
}

func BenchmarkChanProdCons100(b *testing.B) {
	benchmarkChanProdCons(b, 100)
}
