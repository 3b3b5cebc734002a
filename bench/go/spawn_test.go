// Goroutine creation.
//
// CreateGoroutines: Go's benchmarkCreateGoroutines(b, 1)
// (runtime/proc_test.go): one goroutine created by the previous one, in a
// chain of b.N.
//
// CreateGoroutinesParallel: the same with GOMAXPROCS chains of
// b.N/GOMAXPROCS.
//
// SpawnWait: one goroutine spawned that calls Done on a WaitGroup; spawned
// in batches of 1000 (the last batch smaller), each batch waited for.
// ScaleSpawn (scale_test.go) times the same op beside a parked population.

package bench

import (
	"runtime"
	"sync"
	"testing"
)

func benchmarkCreateGoroutines(b *testing.B, procs int) {
	c := make(chan int)
	var f func(n, made int)
	f = func(n, made int) {
		if n == 0 {
			c <- made
			return
		}
		go f(n-1, made+1)
	}
	for i := 0; i < procs; i++ {
		go f(b.N/procs, 0)
	}
	made := 0
	for i := 0; i < procs; i++ {
		made += <-c
	}
	if want := b.N / procs * procs; made != want {
		b.Fatalf("chains created %d goroutines, want %d", made, want)
	}
}

func BenchmarkCreateGoroutines(b *testing.B) {
	benchmarkCreateGoroutines(b, 1)
}

func BenchmarkCreateGoroutinesParallel(b *testing.B) {
	benchmarkCreateGoroutines(b, runtime.GOMAXPROCS(-1))
}

const spawnBatch = 1000

// spawnWG is package-level so that spawnDone captures nothing and each spawn
// allocates nothing: the op is the goroutine, not a closure.
var spawnWG sync.WaitGroup

func spawnDone() {
	spawnWG.Done()
}

// spawnWait is SpawnWait's (and ScaleSpawn's) timed loop. Wait returning is
// the check that every goroutine of a batch ran.
func spawnWait(b *testing.B) {
	spawned := 0
	for spawned < b.N {
		n := b.N - spawned
		if n > spawnBatch {
			n = spawnBatch
		}
		spawnWG.Add(n)
		for i := 0; i < n; i++ {
			go spawnDone()
		}
		spawnWG.Wait()
		spawned += n
	}
	if spawned != b.N {
		b.Fatalf("spawned %d goroutines, want %d", spawned, b.N)
	}
}

func BenchmarkSpawnWait(b *testing.B) {
	spawnWait(b)
}
