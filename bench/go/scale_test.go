// ScaleSpawn/parked=K: SpawnWait's op (one goroutine spawned that calls Done
// on a WaitGroup, in batches of 1000, each batch waited for) with
// K = 1000, 10000, 100000, 1000000 goroutines alive and parked on one channel
// receive (the pool in pool_test.go, resized before the timer starts). The
// pool shrinks to 0 once every sub-benchmark has run.

package bench

import (
	"fmt"
	"testing"
)

func BenchmarkScaleSpawn(b *testing.B) {
	for _, k := range []int{1000, 10000, 100000, 1000000} {
		if k > maxParked {
			break
		}
		k := k
		b.Run(fmt.Sprintf("parked=%d", k), func(b *testing.B) {
			resize(b, k)
			b.ResetTimer()
			spawnWait(b)
		})
	}
	resize(b, 0)
}
