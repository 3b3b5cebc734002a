// The parked population shared by ScaleSpawn and ParkedMemory (no
// benchmarks here): a package-level pool of goroutines, each parked on a
// receive from one channel, and resize, which grows or shrinks it before a
// benchmark's timer starts. The baseline resident set is read once, just
// before the pool first grows.

package bench

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strconv"
	"sync"
	"testing"
)

var (
	poolCh      = make(chan struct{}) // every pool goroutine is parked receiving from it
	poolSize    int                   // goroutines in the pool now
	poolReady   sync.WaitGroup        // one Done per new goroutine, just before it parks
	poolExit    sync.WaitGroup        // one Done per released goroutine, as it exits
	baselineRSS int64                 // resident bytes before the pool first grew
	baselineSet bool
	baselineBy  string // the benchmark whose resize read the baseline
)

// parker is a pool goroutine. It takes no arguments so that spawning it
// allocates nothing: what ParkedMemory measures is the goroutine alone.
func parker() {
	ch := poolCh
	poolReady.Done()
	<-ch
	poolExit.Done()
}

// resize grows or shrinks the pool to k goroutines and returns once every new
// goroutine has reached its receive and every released one has exited.
func resize(b testing.TB, k int) {
	switch {
	case k > poolSize:
		if !baselineSet {
			baselineRSS = readRSS(b)
			baselineSet = true
			baselineBy = b.Name()
		}
		n := k - poolSize
		poolReady.Add(n)
		for i := 0; i < n; i++ {
			go parker()
		}
		poolReady.Wait()
	case k < poolSize:
		n := poolSize - k
		poolExit.Add(n)
		if k == 0 {
			close(poolCh)
		} else {
			for i := 0; i < n; i++ {
				poolCh <- struct{}{}
			}
		}
		poolExit.Wait()
		if k == 0 {
			poolCh = make(chan struct{})
		}
	}
	poolSize = k
}

// maxParked is SCHEDLAB_BENCH_MAX_PARKED, as the C catalogue reads it: the
// benchmarks that park more goroutines do not run (ci/nightly --quick leaves
// out the million). Unset: no limit. A bad value stops the binary at once.
var maxParked = func() int {
	s, ok := os.LookupEnv("SCHEDLAB_BENCH_MAX_PARKED")
	if !ok {
		return math.MaxInt
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		fmt.Fprintf(os.Stderr, "go_bench: SCHEDLAB_BENCH_MAX_PARKED=%s: want a whole number >= 1\n", s)
		os.Exit(2)
	}
	return n
}()

// readRSS returns the process's resident set in bytes: field 2 of
// /proc/self/statm (resident pages) times the page size.
func readRSS(b testing.TB) int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		b.Fatalf("reading resident set: %v", err)
	}
	fields := bytes.Fields(data)
	if len(fields) < 2 {
		b.Fatalf("/proc/self/statm: unexpected contents %q", data)
	}
	pages, err := strconv.ParseInt(string(fields[1]), 10, 64)
	if err != nil {
		b.Fatalf("/proc/self/statm: resident field: %v", err)
	}
	return pages * int64(os.Getpagesize())
}
