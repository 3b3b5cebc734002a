# Semaphores, sl_mutex and sl_waitgroup (issue 3): runtime/core/sema.c.
# test_sema is white-box (sema.h); test_sync uses the public API, with a
# peek at sl_mutex's state bits. Each mode is one run; see the files.

runtime_test(test_sema)
runtime_test(test_sync)

foreach(procs 1 2 4)
  foreach(mode order handoff pingpong counting)
    add_test(NAME sema.${mode}_p${procs} COMMAND test_sema ${mode})
    set_tests_properties(sema.${mode}_p${procs} PROPERTIES ENVIRONMENT GOMAXPROCS=${procs})
  endforeach()
  foreach(mode mutex starvation fairness waitgroup)
    add_test(NAME sync.${mode}_p${procs} COMMAND test_sync ${mode})
    set_tests_properties(sync.${mode}_p${procs} PROPERTIES ENVIRONMENT GOMAXPROCS=${procs})
  endforeach()
endforeach()
add_test(NAME sema.counts COMMAND test_sema counts)
add_test(NAME sema.sameroot COMMAND test_sema sameroot)
add_test(NAME sync.trylock COMMAND test_sync trylock)

# Misuse: Go's messages, exit status 2 (fatal), or abort outside goroutines.
function(sync_fatal_test mode)
  add_test(NAME sync.fatal_${mode} COMMAND ${EXPECT} -E GOMAXPROCS=2 ${ARGN} -v "survived"
    -- $<TARGET_FILE:test_sync> ${mode})
endfunction()
sync_fatal_test(unlock_unlocked -s 2 -e "^fatal error: sync: unlock of unlocked mutex$")
sync_fatal_test(double_unlock -s 2 -e "^fatal error: sync: unlock of unlocked mutex$")
sync_fatal_test(negative_wg -s 2 -e "^fatal error: sync: negative WaitGroup counter$")
sync_fatal_test(wg_misuse -s 2
  -e "^fatal error: sync: WaitGroup misuse: Add called concurrently with Wait$")
sync_fatal_test(not_goroutine -s abort
  -e "^schedlab: sl_mutex_lock called from a thread that is not running a goroutine")
sync_fatal_test(deadlock_mutex -s 2 -e "^locked once$"
  -e "^fatal error: all goroutines are asleep - deadlock!$" -e "^goroutine 1 \\[sync.Mutex.Lock\\]:$")
sync_fatal_test(deadlock_wg -s 2 -e "^waiting$"
  -e "^fatal error: all goroutines are asleep - deadlock!$"
  -e "^goroutine 1 \\[sync.WaitGroup.Wait\\]:$")
