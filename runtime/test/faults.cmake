# Fault injection at the OS seam (SL_FAULT, runtime/os/linux/fault.c): each
# kind at a high rate over a workload that exercises it (test_faults.c), the
# faults that must end the program, and the settings that are refused (the
# EXPECT blocks of test_faults.c). Real threads only: the simulation injects
# nothing.

runtime_test(test_faults)

# fault_test(KIND SL_FAULT GOMAXPROCS): the mode KIND under SL_FAULT.
function(fault_test mode fault procs)
  add_test(NAME faults.${mode} COMMAND test_faults ${mode})
  set_tests_properties(faults.${mode} PROPERTIES TIMEOUT 300
    ENVIRONMENT "SL_FAULT=${fault};SL_FAULT_SEED=1;GOMAXPROCS=${procs}"
    PASS_REGULAR_EXPRESSION "\nok ${mode}\n$")
endfunction()

add_test(NAME faults.counts COMMAND test_faults counts)
set_tests_properties(faults.counts PROPERTIES ENVIRONMENT "SL_FAULT=;GOMAXPROCS=4"
  PASS_REGULAR_EXPRESSION "^ok counts\n$")
fault_test(thread thread:0.9 4)
fault_test(futex futex:0.5 4)
fault_test(signal signal:20000 4)
if(SL_FAULT_POINTS)
  fault_test(syscall syscall:0.5 2)
  fault_test(noise noise:0.3 4)
  fault_test(all all 4)
else()
  # Without the fault points: noise or syscall named is refused, `all`
  # skips them.
  expect_test(faults.noise_unavailable test_faults noise_unavailable)
  expect_test(faults.syscall_unavailable test_faults syscall_unavailable)
  expect_test(faults.all_without_noise test_faults all_without_noise)
endif()

foreach(case thread_fatal mmap_fatal bad_unknown bad_unknown_in_list bad_rate_range bad_rate_zero
        bad_rate_junk bad_rate_empty bad_signal_rate bad_empty_item bad_all_rate bad_seed)
  expect_test(faults.${case} test_faults ${case})
endforeach()

# Out of address space while spawning (ulimit -v): Go's out-of-memory fatal,
# not a SIGSEGV. Not under the sanitizers, whose shadow memory alone needs
# terabytes of address space.
if(SL_SANITIZE STREQUAL "")
  add_test(NAME faults.oom_ulimit COMMAND ${EXPECT} -f ${CMAKE_CURRENT_SOURCE_DIR}/test_faults.c
    -c oom -- sh -c "ulimit -v 300000 && exec \"$0\" \"$@\"" $<TARGET_FILE:test_faults>)
endif()
