/*
 * asm_amd64.S: rt0_go and the context switch.
 *
 * A saved context (gobuf) is one stack pointer. The callee-saved registers,
 * the x87 control word and MXCSR sit on the stack below it, in this order
 * from sp upward:
 *
 *	sp+0  x87 control word	sp+8  MXCSR
 *	sp+16 r15  sp+24 r14  sp+32 r13  sp+40 r12  sp+48 rbx  sp+56 rbp
 *	sp+64 return address
 *
 * Everything else is caller-saved in the SysV ABI, so a switch is a call: no
 * ucontext, no signal mask, no setjmp. The x87 control word and MXCSR are
 * callee-saved too; saving them costs about 1 ns a switch and keeps a
 * goroutine's rounding mode its own.
 */
#include "asm_offsets.h"

	.text

/*
 * void rt0_go(int argc, char **argv)
 *
 * Runs on the OS stack of the thread that starts the runtime (the main thread
 * for executables, the runtime's own thread for library hosts): sets g0's
 * stack bounds from the OS stack, installs g0 in TLS, binds m0 and g0, then
 * args, osinit, schedinit, newproc(runtime_main), mstart. Never returns.
 */
	.globl	rt0_go
	.type	rt0_go, @function
rt0_go:
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset rbp, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register rbp
	pushq	%r12
	pushq	%r13
	movq	%rdi, %r12
	movq	%rsi, %r13

	/* g0's stack: the top G0_OSSTACK bytes of the OS stack, below here. */
	leaq	g0_m0(%rip), %rdi
	movq	%rsp, G_STACK_HI(%rdi)
	leaq	-G0_OSSTACK(%rsp), %rax
	movq	%rax, G_STACK_LO(%rdi)

	/* m0.g0 = &g0_m0; g0_m0.m = &m0; tls_g = &g0_m0 */
	leaq	m0(%rip), %rax
	movq	%rdi, M_G0(%rax)
	movq	%rax, G_M(%rdi)
	movq	%rdi, %fs:tls_g@tpoff

	movl	%r12d, %edi
	movq	%r13, %rsi
	call	args
	call	osinit
	call	schedinit

	/* the main goroutine */
	leaq	runtime_main(%rip), %rdi
	xorl	%esi, %esi
	call	newproc

	call	mstart			/* never returns */
	ud2
	.cfi_endproc
	.size	rt0_go, .-rt0_go

/* void asm_gogo(gobuf *to): resume the context saved in *to. */
	.globl	asm_gogo
	.type	asm_gogo, @function
asm_gogo:
	.cfi_startproc
	movq	(%rdi), %rsp
restore:
	fldcw	(%rsp)
	ldmxcsr	8(%rsp)
	addq	$16, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	/* pop+jmp, not ret: in a ping-pong every return goes somewhere the
	 * return stack buffer did not predict, while the indirect branch
	 * predictor learns the alternation (about 14 -> 7 ns a switch here). */
	popq	%r11
	jmp	*%r11
	.cfi_endproc
	.size	asm_gogo, .-asm_gogo

.macro SAVE_CONTEXT
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$16, %rsp
	stmxcsr	8(%rsp)
	fnstcw	(%rsp)
.endm

/*
 * void asm_mcall(gobuf *save, uintptr_t g0sp, void (*fn)(struct g *), struct g *gp)
 *
 * Save the current context in *save, switch to the g0 stack at g0sp and call
 * fn(gp) there. fn must not return; the saved context resumes when someone
 * asm_gogo()s it, and then asm_mcall returns to its caller.
 */
	.globl	asm_mcall
	.type	asm_mcall, @function
asm_mcall:
	.cfi_startproc
	SAVE_CONTEXT
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	movq	%rcx, %rdi
	call	*%rdx
	ud2
	.cfi_endproc
	.size	asm_mcall, .-asm_mcall

/*
 * void asm_switch(gobuf *save, gobuf *to): save here, resume *to. The bare
 * switch with no scheduler (the SwitchFloor benchmark).
 */
	.globl	asm_switch
	.type	asm_switch, @function
asm_switch:
	.cfi_startproc
	SAVE_CONTEXT
	movq	%rsp, (%rdi)
	movq	(%rsi), %rsp
	jmp	restore
	.cfi_endproc
	.size	asm_switch, .-asm_switch

/*
 * void asm_mstart0(uintptr_t *g0sp, void (*fn)(void))
 *
 * Record an aligned stack pointer on the current (g0) stack as the place
 * where every later mcall starts, and call fn there. fn never returns.
 */
	.globl	asm_mstart0
	.type	asm_mstart0, @function
asm_mstart0:
	.cfi_startproc
	andq	$-16, %rsp
	movq	%rsp, (%rdi)
	call	*%rsi
	ud2
	.cfi_endproc
	.size	asm_mstart0, .-asm_mstart0

/*
 * The first return of a simulated thread lands here (os_sim.c builds the
 * frame): call the function left in rbx. The backtrace ends here.
 */
	.globl	asm_fiber_entry
	.type	asm_fiber_entry, @function
asm_fiber_entry:
	.cfi_startproc
	.cfi_undefined rip
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	call	*%rbx
	ud2
	.cfi_endproc
	.size	asm_fiber_entry, .-asm_fiber_entry

/*
 * The first return of a new goroutine lands here (see gostartcallfn). The
 * backtrace ends here.
 */
	.globl	asm_goroutine_entry
	.type	asm_goroutine_entry, @function
asm_goroutine_entry:
	.cfi_startproc
	.cfi_undefined rip
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	call	gostart			/* runs fn(arg), then goexit */
	ud2
	.cfi_endproc
	.size	asm_goroutine_entry, .-asm_goroutine_entry

	.section .note.GNU-stack, "", @progbits
