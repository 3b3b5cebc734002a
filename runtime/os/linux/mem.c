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

/* ---- releasing parked goroutines' stacks (stackrelease.c) ----
 *
 * One userfaultfd (MISSING mode) covers the chunks that hold released
 * stacks; a handler thread serves a fault there with the page the core
 * computes (stackrelease_fill: the saved bytes, or zeros), so that a
 * pointer into a parked goroutine's stack keeps working, from user code and
 * from the kernel (read(2) into it) alike. A release moves the pages away
 * atomically (UFFDIO_MOVE to a private parking range), so no write by
 * another thread between the copy and the drop can be lost. Off under the
 * sanitizers.
 *
 * relmu guards the core's records (stackrelease.c lists its holders and the
 * rule they keep: no other lock under it, no touch of a page the handler
 * would serve). os_stackrel_lock makes the rule's stack half hold for a
 * holder on a goroutine stack: it writes RELMU_STACK bytes below its
 * caller's frame first, and records the holder's thread id (relmu_holder),
 * with which the handler turns a broken rule from a hang into a throw: the
 * kernel tells it which thread faulted (UFFD_FEATURE_THREAD_ID). */
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <fcntl.h>
#include <signal.h>
#ifndef UFFD_FEATURE_MOVE
#define UFFD_FEATURE_MOVE (1 << 16)
#endif
struct sl_uffdio_move {
	__u64 dst, src, len, mode;
	__s64 move;
};
#define SL_UFFDIO_MOVE			    _IOWR(UFFDIO, 0x05, struct sl_uffdio_move)
#define SL_UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES (1 << 1)

/* The stack a relmu holder may use below the frame that took it: the
 * critical sections in stackrelease.c use a few hundred bytes (small
 * frames, memcpy, ioctl, the unlock). */
#define RELMU_STACK 2048

#if !defined(SL_ASAN) && !defined(SL_TSAN)
static int uffd = -1;
static char *parking;
static size_t parkinglen;
static size_t relps; /* the page size, read once: no sysconf under relmu */
static pthread_mutex_t relmu = PTHREAD_MUTEX_INITIALIZER;
static int32_t relmu_holder; /* the holder's thread id, 0 when free; relmu */
static __thread int32_t reltid;

/* Write RELMU_STACK bytes of the stack below the caller, a store at least
 * every 512 bytes, so that every page of it is present (the caller's own
 * frame, under a page, shares a page with the call's return address or the
 * bytes written here). A fault here is served with nothing held. */
static __attribute__((noinline)) void relmu_probe(void)
{
	volatile char pad[RELMU_STACK];
	for (size_t i = 0; i < sizeof pad; i += 512)
		pad[i] = 0;
	pad[sizeof pad - 1] = 0;
}

void os_stackrel_lock(void)
{
	relmu_probe();
	if (!reltid)
		reltid = (int32_t)syscall(SYS_gettid);
	pthread_mutex_lock(&relmu);
	atomic_store_relaxed(&relmu_holder, reltid);
}

void os_stackrel_unlock(void)
{
	atomic_store_relaxed(&relmu_holder, 0);
	pthread_mutex_unlock(&relmu);
}

static void *uffd_handler(void *arg)
{
	(void)arg;
	size_t page = os_pagesize();
	/* The page UFFDIO_COPY copies from, mapped rather than static: a
	 * static buffer aligned past the page size gave the executable a LOAD
	 * segment of its own, which valgrind (scripts/opcount) cannot read. */
	char *buf = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		throw("stack release: cannot map the handler's page");
	for (;;) {
		struct uffd_msg m;
		struct pollfd p = {uffd, POLLIN, 0};
		poll(&p, 1, -1);
		if (read(uffd, &m, sizeof m) != sizeof m || m.event != UFFD_EVENT_PAGEFAULT)
			continue;
		uintptr_t a = m.arg.pagefault.address & ~(uintptr_t)(page - 1);
		/* The faulting thread waits for this handler; if it holds relmu
		 * it stays the holder (its unlock comes after the fault), and
		 * the lock below would never return. */
		int32_t t = (int32_t)m.arg.pagefault.feat.ptid;
		if (t != 0 && atomic_load_relaxed(&relmu_holder) == t) {
			print("runtime: stack release: thread %d faulted at %#lx holding relmu\n",
			      (int)t, (unsigned long)m.arg.pagefault.address);
			throw("stack release: fault holding relmu");
		}
		os_stackrel_lock();
		stackrelease_fill(a, buf);
		struct uffdio_copy c = {a, (uintptr_t)buf, page, 0, 0};
		if (ioctl(uffd, UFFDIO_COPY, &c) && errno != EEXIST) {
			print("runtime: userfaultfd: UFFDIO_COPY at %#lx failed (errno %d)\n", a,
			      errno);
			throw("stack release");
		}
		os_stackrel_unlock();
	}
	return NULL;
}

bool os_stackuffd_init(size_t maxlen)
{
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false; /* not root and vm.unprivileged_userfaultfd=0 */
	struct uffdio_api api = {UFFD_API, UFFD_FEATURE_MOVE | UFFD_FEATURE_THREAD_ID, 0};
	if (ioctl(fd, UFFDIO_API, &api)) {
		close(fd);
		return false; /* before Linux 6.8 */
	}
	parking = mmap(NULL, maxlen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (parking == MAP_FAILED) {
		close(fd);
		return false;
	}
	struct uffdio_register r = {{(uintptr_t)parking, maxlen}, UFFDIO_REGISTER_MODE_MISSING, 0};
	if (ioctl(fd, UFFDIO_REGISTER, &r)) {
		munmap(parking, maxlen);
		close(fd);
		return false;
	}
	parkinglen = maxlen;
	relps = os_pagesize();
	uffd = fd;
	/* The handler takes no signal: the process's handlers (signal.c) run
	 * on Ms and foreign threads, never here. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_t t;
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&at, 256 * 1024);
	if (pthread_create(&t, &at, uffd_handler, NULL))
		throw("stack release: cannot start the userfaultfd thread");
	pthread_attr_destroy(&at);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return true;
}

/* relmu held (a leaf ioctl: it takes the kernel's mmap lock, which no
 * faulting thread holds while it waits for the handler). */
bool os_stackuffd_register(void *base, size_t len)
{
	struct uffdio_register r = {{(uintptr_t)base, len}, UFFDIO_REGISTER_MODE_MISSING, 0};
	return ioctl(uffd, UFFDIO_REGISTER, &r) == 0;
}

/* Move the pages of [p, p + len) (holes allowed) to the parking range:
 * missing there afterwards, atomically page by page. A move cut short
 * (EAGAIN: a page changing under it) goes on from where it stopped; one
 * refused (EBUSY: a page shared with a forked child) stops there, the rest
 * left in place. NULL if nothing moved. relmu held. */
void *os_stackmove(void *p, size_t len)
{
	if (len > parkinglen)
		return NULL;
	size_t done = 0;
	for (int tries = 0; done < len && tries < 16; tries++) {
		struct sl_uffdio_move mv = {(uintptr_t)parking + done, (uintptr_t)p + done,
					    len - done, SL_UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES, 0};
		int rc = ioctl(uffd, SL_UFFDIO_MOVE, &mv);
		if (mv.move > 0)
			done += (size_t)mv.move;
		if (rc == 0 || errno != EAGAIN)
			break;
	}
	return done > 0 ? parking : NULL;
}

/* Whether the parking page at off holds a page (mincore). relmu held. */
bool os_stackparking_present(size_t off)
{
	unsigned char v = 0;
	size_t ps = relps;
	if (mincore(parking + (off & ~(ps - 1)), ps, &v))
		return false;
	return v & 1;
}

void os_stackparking_drop(size_t len)
{
	madvise(parking, len, MADV_DONTNEED);
}

/* Map the zero page over the missing pages of [p, p + len) (page-aligned),
 * skipping the present ones, so that a later touch there faults the
 * ordinary way (a write copies the zero page) instead of going through the
 * handler thread. Any thread, relmu not held; an economy: a refusal is
 * ignored (the handler serves what stays missing). */
void os_stackzero(void *p, size_t len)
{
	size_t ps = relps;
	uintptr_t a = (uintptr_t)p, end = a + len;
	while (a < end) {
		struct uffdio_zeropage z = {{a, end - a}, 0, 0};
		if (ioctl(uffd, UFFDIO_ZEROPAGE, &z) == 0)
			return;
		if (errno != EEXIST && errno != EAGAIN)
			return;
		a += z.zeropage > 0 ? (uintptr_t)z.zeropage : ps; /* past a present page */
	}
}

/* Install a page at dst from src unless one is there already. relmu held. */
void os_stackfill(void *dst, const void *src, size_t len)
{
	struct uffdio_copy c = {(uintptr_t)dst, (uintptr_t)src, len, 0, 0};
	if (ioctl(uffd, UFFDIO_COPY, &c) && errno != EEXIST) {
		print("runtime: userfaultfd: UFFDIO_COPY at %p failed (errno %d)\n", dst, errno);
		throw("stack release");
	}
}

#else /* the sanitizers: off (their fibers and shadow would need it too) */

bool os_stackuffd_init(size_t maxlen)
{
	(void)maxlen;
	return false;
}

/* Never called while stackrelease_on is false. */
bool os_stackuffd_register(void *base, size_t len)
{
	(void)base;
	(void)len;
	return false;
}
void os_stackrel_lock(void)
{
}
void os_stackrel_unlock(void)
{
}
void *os_stackmove(void *p, size_t len)
{
	(void)p;
	(void)len;
	return NULL;
}
bool os_stackparking_present(size_t off)
{
	(void)off;
	return false;
}
void os_stackparking_drop(size_t len)
{
	(void)len;
}
void os_stackzero(void *p, size_t len)
{
	(void)p;
	(void)len;
}
void os_stackfill(void *dst, const void *src, size_t len)
{
	(void)dst;
	(void)src;
	(void)len;
}
#endif
