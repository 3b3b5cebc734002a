/*
 * rt0_linux_amd64.S: the entry points.
 *
 * Built twice. Without RT0_LIB it is the executable entry: the ELF entry point
 * _rt0_amd64_linux, which does what crt1's _start does (hands argc/argv from
 * the initial stack to __libc_start_main so that libc, TLS and the sanitizers
 * initialize) and names rt0_go's C-ABI face, main, as the function libc calls.
 * main is also the symbol crt1.o asks for, so the ordinary link works.
 *
 * With RT0_LIB it is the library entry for hosts that own main (Google
 * Benchmark, libFuzzer): _rt0_amd64_lib sits in .init_array, as Go's does for
 * c-archive builds, and starts the runtime on a thread of its own.
 */
#include "asm_offsets.h"

	.text
#ifndef RT0_LIB

	.globl	_rt0_amd64_linux
	.type	_rt0_amd64_linux, @function
_rt0_amd64_linux:
	.cfi_startproc
	.cfi_undefined rip
	xorl	%ebp, %ebp
	movq	%rdx, %r9		/* rtld_fini from the dynamic loader */
	popq	%rsi			/* argc */
	movq	%rsp, %rdx		/* argv */
	andq	$~15, %rsp
	pushq	%rax			/* keep the stack 16-byte aligned */
	pushq	%rsp			/* stack_end */
	xorl	%r8d, %r8d		/* fini: libc runs .fini_array itself */
	xorl	%ecx, %ecx		/* init: libc runs .init_array itself */
	leaq	main(%rip), %rdi
	call	*__libc_start_main@GOTPCREL(%rip)
	hlt
	.cfi_endproc
	.size	_rt0_amd64_linux, .-_rt0_amd64_linux

/* int main(int argc, char **argv, char **envp): libc's call into the runtime.
 * rt0_go never returns; the process exits when the main goroutine does. */
	.globl	main
	.type	main, @function
main:
	.cfi_startproc
	jmp	rt0_go
	.cfi_endproc
	.size	main, .-main

#else

/* void _rt0_amd64_lib(int argc, char **argv, char **envp), from .init_array. */
	.globl	_rt0_amd64_lib
	.type	_rt0_amd64_lib, @function
_rt0_amd64_lib:
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	movq	%rsp, %rbp
	call	rt0_lib_start		/* (argc, argv): starts the runtime's thread */
	popq	%rbp
	.cfi_def_cfa_offset 8
	ret
	.cfi_endproc
	.size	_rt0_amd64_lib, .-_rt0_amd64_lib

	.section .init_array, "aw"
	.p2align 3
	.quad	_rt0_amd64_lib

#endif

	.section .note.GNU-stack, "", @progbits
