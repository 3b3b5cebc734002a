// What the benchmarks take from package runtime through go:linkname (no
// benchmarks here). Bodiless declarations compile only in a package that has
// an assembly file, hence the empty linkname.s; package syscall reaches
// entersyscall/exitsyscall the same way.
//
//   nanotime      the monotonic clock (CLOCK_MONOTONIC through the vDSO), read
//                 by the manual-time benchmarks WakeupLatency and TimerLatency;
//                 time.Now would add a wall-clock read to every measurement.
//   entersyscall  the pair SyscallEnterExit times.
//   exitsyscall

package bench

import _ "unsafe" // for go:linkname

//go:linkname nanotime runtime.nanotime
func nanotime() int64

//go:linkname entersyscall runtime.entersyscall
func entersyscall()

//go:linkname exitsyscall runtime.exitsyscall
func exitsyscall()
