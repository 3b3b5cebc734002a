/* asm_offsets.h: struct offsets shared by the assembly and C (checked by
 * static assertions in switch.c). */
#ifndef SCHEDLAB_ASM_OFFSETS_H
#define SCHEDLAB_ASM_OFFSETS_H
#define G_STACK_LO 0
#define G_STACK_HI 8
#define G_SCHED_SP 16
#define G_M	   24
#define M_G0	   0
/* How much of the OS stack rt0_go claims for g0 (Go claims 64 KiB). */
#define G0_OSSTACK (256 * 1024)
#endif
