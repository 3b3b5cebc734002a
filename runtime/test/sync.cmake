# Semaphores, sl_mutex and sl_waitgroup: runtime/core/sema.c.
# test_sema is white-box (sema.h); test_sync uses the public API, with a
# peek at sl_mutex's state bits. Each mode is one run; see the files.

runtime_test(test_sema)
runtime_test(test_sync)

foreach(procs 1 2 4)
  foreach(mode order handoff pingpong counting)
    add_test(NAME sema.${mode}_p${procs} COMMAND test_sema ${mode})
    set_tests_properties(sema.${mode}_p${procs} PROPERTIES ENVIRONMENT GOMAXPROCS=${procs})
    if(mode STREQUAL "handoff")
      # No slice may end between the handoff and its check (test_sema.c).
      set_tests_properties(sema.${mode}_p${procs} PROPERTIES
        ENVIRONMENT "GOMAXPROCS=${procs};SL_DEBUG=sysmonoff=1")
    endif()
  endforeach()
  foreach(mode mutex starvation fairness waitgroup reuse)
    add_test(NAME sync.${mode}_p${procs} COMMAND test_sync ${mode})
    set_tests_properties(sync.${mode}_p${procs} PROPERTIES ENVIRONMENT GOMAXPROCS=${procs})
  endforeach()
endforeach()
add_test(NAME sema.counts COMMAND test_sema counts)
add_test(NAME sema.sameroot COMMAND test_sema sameroot)
add_test(NAME sync.trylock COMMAND test_sync trylock)

# Misuse: Go's messages, exit status 2 (fatal), or abort outside goroutines
# (the EXPECT blocks of test_sync.c).
foreach(case unlock_unlocked double_unlock negative_wg wg_misuse not_goroutine deadlock_mutex
        deadlock_wg)
  expect_test(sync.fatal_${case} test_sync ${case})
endforeach()
