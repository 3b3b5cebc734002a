# Stack memory back to the OS: the scavenger and sl_debug_freeosmemory
# (runtime/core/stack.c), and the retry of a refused stack mapping. One mode
# per run; see test_scavenge.c.

runtime_test(test_scavenge)

foreach(mode freeosmemory reuse steady)
  add_test(NAME scavenge.${mode} COMMAND test_scavenge ${mode})
  set_tests_properties(scavenge.${mode} PROPERTIES ENVIRONMENT GOMAXPROCS=2
    PASS_REGULAR_EXPRESSION "\n${mode}: ok\n$")
endforeach()
# Parked goroutines' stacks released (stackrelease.c, opt-in with
# SL_STACKRELEASE=1); where the kernel or a sanitizer rules it out they
# say so and pass.
foreach(mode parked_pointers parked_memory)
  add_test(NAME scavenge.${mode} COMMAND test_scavenge ${mode})
  set_tests_properties(scavenge.${mode} PROPERTIES ENVIRONMENT "GOMAXPROCS=2;SL_STACKRELEASE=1"
    PASS_REGULAR_EXPRESSION "\n${mode}: ok\n$")
endforeach()
# relmu's exclusion (test_scavenge.c): restores on a parking goroutine's
# stack, 16 bytes deeper each round; a deadlock is reported by the test's
# watchdog after 30 s of no progress (or thrown by the handler's check).
add_test(NAME scavenge.relmu_exclusion COMMAND test_scavenge relmu_exclusion)
set_tests_properties(scavenge.relmu_exclusion PROPERTIES
  ENVIRONMENT "GOMAXPROCS=1;SL_STACKRELEASE=1" TIMEOUT 300
  PASS_REGULAR_EXPRESSION "\nrelmu_exclusion: ok\n$")
# sysmon's scavenger, on its own: polls RSS for up to 60 s.
add_test(NAME scavenge.background COMMAND test_scavenge background)
set_tests_properties(scavenge.background PROPERTIES ENVIRONMENT GOMAXPROCS=4 TIMEOUT 300
  PASS_REGULAR_EXPRESSION "\nbackground: ok\n$")
# Half the stack mappings refused: retried, nothing lost.
add_test(NAME scavenge.mmap_retry COMMAND test_scavenge mmap_retry)
set_tests_properties(scavenge.mmap_retry PROPERTIES
  ENVIRONMENT "GOMAXPROCS=4;SL_FAULT=mmap:0.5;SL_FAULT_SEED=1"
  PASS_REGULAR_EXPRESSION "\nmmap_retry: ok\n$")
# A released stack keeps its guard (madvise guards, and mprotect ones).
expect_test(scavenge.stackrelease_badenv test_scavenge stackrelease_badenv)
expect_test(scavenge.guard test_scavenge guard)
expect_test(scavenge.guard_mprotect test_scavenge guard_mprotect)
