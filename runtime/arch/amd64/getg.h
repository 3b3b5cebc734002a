/*
 * getg.h: the current G on amd64. It lives in one thread-local slot, tls_g
 * (switch.c), as in Go; rt0_go and the switch code in asm_amd64.S write it
 * too. Every architecture provides getg.h with getg and setg.
 *
 * The slot is read with a volatile asm load so that the compiler never
 * caches it (or the address of the TLS block) across a switch: a goroutine
 * can resume on another thread. The local-exec model is right because
 * libschedlab is linked statically.
 */
#ifndef SCHEDLAB_GETG_H
#define SCHEDLAB_GETG_H

struct g;

extern __thread struct g *tls_g;

static inline struct g *getg(void)
{
	struct g *gp;
	__asm__ volatile("movq %%fs:tls_g@tpoff, %0" : "=r"(gp));
	return gp;
}

static inline void setg(struct g *gp)
{
	__asm__ volatile("movq %0, %%fs:tls_g@tpoff" : : "r"(gp) : "memory");
}

#endif
