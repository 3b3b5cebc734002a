/*
 * procyield.h: Go's procyield on amd64, a spin-wait of n PAUSE
 * instructions, which tell the core that this is a spin loop (less power,
 * no memory-order mis-speculation on exit). For the active spins of lock
 * and sl_mutex. Every architecture provides procyield.h.
 */
#ifndef SCHEDLAB_PROCYIELD_H
#define SCHEDLAB_PROCYIELD_H

static inline void procyield(int n)
{
	for (int i = 0; i < n; i++)
		__builtin_ia32_pause();
}

#endif
