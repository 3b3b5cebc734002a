/*
 * mem.c: goroutine stack memory on Linux (os.h's memory group): anonymous
 * mappings, the guard regions below each stack, and giving a free stack's
 * pages back (os_stackrelease, for the scavenger in stack.c).
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
#include "sanitizers.h"

#include "fault.h"

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
	if (fault_inject(FAULT_MMAP))
		return NULL;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/*
 * AddressSanitizer's shadow of [p, p + len) (a byte for 8), written when a
 * goroutine's frames were poisoned: two pages a 64 KiB stack, which stay
 * resident after the stack's own pages go, and even after munmap. Give them
 * back too; they read as zeros, addressable, as free memory must be. The
 * range's last shadow page is rounded in (above lies what the caller did
 * not pass), its first one rounded down for a stack (below it lies its
 * guard, whose shadow is zeros anyway) and in for a mapping.
 */
static void release_shadow(void *p, size_t len, bool stack)
{
#ifdef SL_ASAN
	size_t scale, offset;
	__asan_get_shadow_mapping(&scale, &offset);
	uintptr_t page = os_pagesize();
	uintptr_t lo = ((uintptr_t)p >> scale) + offset;
	uintptr_t hi = (((uintptr_t)p + len) >> scale) + offset;
	lo = stack ? lo & ~(page - 1) : (lo + page - 1) & ~(page - 1);
	hi &= ~(page - 1);
	if (lo < hi)
		madvise((void *)lo, hi - lo, MADV_DONTNEED);
#else
	(void)p;
	(void)len;
	(void)stack;
#endif
}

void os_stackunmap(void *p, size_t len)
{
	munmap(p, len);
	release_shadow(p, len, false);
}

/* MADV_DONTNEED drops the pages of a private anonymous range at once (they
 * come back zeroed on the next touch). Only the usable range is passed, so
 * the guards below and above are untouched (a MADV_GUARD_INSTALL marker
 * survives DONTNEED anyway; an mprotect guard is another VMA). A refusal
 * only keeps the memory resident. */
void os_stackrelease(void *p, size_t len)
{
	madvise(p, len, MADV_DONTNEED);
	release_shadow(p, len, true);
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
