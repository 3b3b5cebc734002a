/*
 * mem.c: goroutine stack memory on Linux (os.h's memory group): anonymous
 * mappings, and the guard regions below each stack.
 *
 * On Linux 6.13+ a guard is installed with MADV_GUARD_INSTALL, which leaves a
 * chunk one VMA; one process_madvise call installs a whole chunk's guards
 * (madvise per stack where process_madvise refuses). Older kernels get
 * mprotect(PROT_NONE) guard pages: two VMAs a stack, so there vm.max_map_count
 * bounds the number of live stacks. SL_DEBUG=stackguard=1 asks for them too.
 *
 * The simulation compiles this file as well (os/sim/sources.cmake): its
 * stacks are the host's memory.
 */
#define _GNU_SOURCE
#include "runtime.h"

#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
#ifndef PIDFD_SELF
#define PIDFD_SELF (-10000) /* Linux 6.14: the calling process */
#endif

#define GUARD_BATCH 256 /* guards per process_madvise call */

/* What the kernel offers, learned from the first chunk. Callers of
 * os_stackguard serialize (stackpool.lock). */
static enum { GUARD_UNKNOWN, GUARD_MADVISE, GUARD_MPROTECT } kernel_guard;

size_t os_pagesize(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

void *os_stackmap(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void os_stackunmap(void *p, size_t len)
{
	munmap(p, len);
}

/* Install every guard with process_madvise, GUARD_BATCH at a time. */
static bool guard_batch(char *base, size_t stride, size_t guard, int32_t n)
{
	struct iovec iov[GUARD_BATCH];
	for (int32_t done = 0; done < n;) {
		int32_t k = n - done < GUARD_BATCH ? n - done : GUARD_BATCH;
		for (int32_t i = 0; i < k; i++) {
			iov[i].iov_base = base + (size_t)(done + i) * stride;
			iov[i].iov_len = guard;
		}
		long want = (long)(guard * (size_t)k);
		if (syscall(SYS_process_madvise, PIDFD_SELF, iov, (size_t)k, MADV_GUARD_INSTALL,
			    0) != want)
			return false;
		done += k;
	}
	return true;
}

/* Install each guard with madvise, or find out that the kernel cannot
 * (false). */
static bool guard_each(char *base, size_t stride, size_t guard, int32_t n)
{
	for (int32_t i = 0; i < n; i++) {
		if (madvise(base + (size_t)i * stride, guard, MADV_GUARD_INSTALL) == 0) {
			kernel_guard = GUARD_MADVISE;
		} else if (kernel_guard == GUARD_UNKNOWN && errno == EINVAL) {
			kernel_guard = GUARD_MPROTECT; /* before Linux 6.13 */
			return false;
		} else {
			print("runtime: madvise(MADV_GUARD_INSTALL) failed (errno %d)\n", errno);
			throw("stack guard");
		}
	}
	return true;
}

const char *os_stackguard(char *base, size_t stride, size_t guard, int32_t n, bool protect)
{
	if (!protect && kernel_guard != GUARD_MPROTECT) {
		if (guard_batch(base, stride, guard, n)) {
			kernel_guard = GUARD_MADVISE;
			return "madvise";
		}
		if (guard_each(base, stride, guard, n))
			return "madvise";
	}
	for (int32_t i = n - 1; i >= 0; i--)
		if (mprotect(base + (size_t)i * stride, guard, PROT_NONE))
			throw("stack guard: mprotect");
	return "mprotect";
}
