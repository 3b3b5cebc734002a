# Hostile use (test_hostile.c): crash reports and SL_TRACEBACK, stack
# overflow at the smallest stack, the fork rule, foreign threads, a goroutine
# that never calls the runtime, sl_debug_dump. The crash reports name
# functions through the dynamic symbol table: the test exports its symbols.

runtime_test(test_hostile)
set_target_properties(test_hostile PROPERTIES ENABLE_EXPORTS ON)

foreach(case crash_nil crash_nil_none crash_nil_all crash_nil_crash crash_nil_badenv crash_nilfunc crash_div
        crash_ill crash_g0 throw_all stack_overflow_16k stack_overflow_default fork
        foreign_mutex foreign_waitgroup debug_dump debug_dump_wedged)
  expect_test(hostile.${case} test_hostile ${case})
endforeach()
# A sanitizer's handler, installed first, takes faults on foreign threads.
if(SL_SANITIZE STREQUAL "")
  expect_test(hostile.crash_foreign test_hostile crash_foreign)
endif()

# These check what they must with CHECK (exit status 1) and end with "ok MODE".
add_test(NAME hostile.foreign_api COMMAND test_hostile foreign)
add_test(NAME hostile.wake_unmapped COMMAND test_hostile wake_unmapped)
add_test(NAME hostile.cooperative_p2 COMMAND test_hostile cooperative)
set_tests_properties(hostile.cooperative_p2 PROPERTIES ENVIRONMENT GOMAXPROCS=2)
