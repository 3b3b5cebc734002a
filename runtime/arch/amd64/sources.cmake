# runtime/arch/amd64: context switch, the bootstrap assembly and the entry
# points. SL_ARCH_RT0 is the source of the two entry objects.
set(SL_ARCH_SOURCES asm_amd64.S switch.c)
set(SL_ARCH_RT0 rt0_linux_amd64.S)
