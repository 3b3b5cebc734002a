// SyscallEnterExit: one empty runtime.entersyscall/runtime.exitsyscall pair,
// what syscall.Syscall wraps around the system call itself (reached through
// go:linkname, linkname_test.go). No system call is made.

package bench

import "testing"

// emptySyscall is nosplit like syscall.Syscall: between entersyscall and
// exitsyscall the goroutine must not grow its stack.
//
//go:nosplit
func emptySyscall() {
	entersyscall()
	exitsyscall()
}

func BenchmarkSyscallEnterExit(b *testing.B) {
	for i := 0; i < b.N; i++ {
		emptySyscall()
	}
}
