// Ping-pongs between two goroutines.
//
// YieldPingPong: two goroutines each call runtime.Gosched once; both loop
// b.N times and the benchmark goroutine waits for both.
//
// ChanPingPong: one round trip on two unbuffered channels: the benchmark
// goroutine sends on ping and receives on pong, a partner echoes.
//
// PingPongHog: Go's BenchmarkPingPongHog (runtime/proc_test.go): one round
// trip between two goroutines beside a third that spins on a non-blocking
// select. Procs 1 only: it skips at GOMAXPROCS > 1 (see procs1_test.go), and
// sets GOMAXPROCS(1) itself, as the original does.

package bench

import (
	"runtime"
	"sync"
	"testing"
)

func BenchmarkYieldPingPong(b *testing.B) {
	var wg sync.WaitGroup
	var counts [2]int
	wg.Add(2)
	for g := range counts {
		go func(g int) {
			defer wg.Done()
			n := 0
			for i := 0; i < b.N; i++ {
				runtime.Gosched()
				n++
			}
			counts[g] = n
		}(g)
	}
	wg.Wait()
	for g, n := range counts {
		if n != b.N {
			b.Fatalf("goroutine %d yielded %d times, want %d", g, n, b.N)
		}
	}
}

func BenchmarkChanPingPong(b *testing.B) {
	ping, pong := make(chan int), make(chan int)
	echoed := make(chan int)
	go func() {
		n := 0
		for v := range ping {
			pong <- v + 1
			n++
		}
		echoed <- n
	}()
	bad, got := -1, 0
	for i := 0; i < b.N; i++ {
		ping <- i
		if v := <-pong; v != i+1 {
			bad, got = i, v
			break
		}
	}
	close(ping)
	n := <-echoed
	if bad >= 0 {
		b.Fatalf("round trip %d: sent %d, got back %d", bad, bad, got)
	}
	if n != b.N {
		b.Fatalf("partner echoed %d times, want %d", n, b.N)
	}
}

func BenchmarkPingPongHog(b *testing.B) {
	skipUnlessProcs1(b) // procs1_test.go: skips at GOMAXPROCS > 1
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))

	// The CPU hog: spins on a non-blocking select until stop is closed.
	stop, done := make(chan bool), make(chan bool)
	go func() {
		for {
			select {
			case <-stop:
				done <- true
				return
			default:
			}
		}
	}()

	// b.N round trips; each side adds 1 to the value it passes on, so the
	// value the benchmark goroutine gets back at the end counts every hop.
	ping, pong := make(chan int), make(chan int)
	go func() {
		for j := 0; j < b.N; j++ {
			pong <- <-ping + 1
		}
		close(stop)
		done <- true
	}()
	go func() {
		for i := 0; i < b.N; i++ {
			ping <- <-pong + 1
		}
		done <- true
	}()
	b.ResetTimer()
	ping <- 0 // start the ping-pong
	<-stop
	b.StopTimer()
	hops := <-ping // the last ping, let its sender exit
	<-done         // all three goroutines have exited
	<-done
	<-done
	if hops != 2*b.N {
		b.Fatalf("%d hops, want %d (2 per round trip)", hops, 2*b.N)
	}
}
