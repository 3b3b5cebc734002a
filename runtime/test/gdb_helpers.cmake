# scripts/schedlab-gdb.py (info goroutines, goroutine N bt, info sched) on a
# program stopped with goroutines parked on a channel, a mutex and a sleep,
# and one in a syscall (gdb_helpers.sh, gdb_helpers.py, test_gdb_helpers.c).
# The program links libschedlab as users do, runtime symbols localized.
# Under the sanitizers the live checks run but not the core-file ones: gcore
# would dump their shadow memory's terabytes of address space.
# Included from runtime/test/CMakeLists.txt.
schedlab_executable(test_gdb_helpers test_gdb_helpers.c)
if(SL_SANITIZE STREQUAL "")
  set(sl_gdb_helpers_args "")
else()
  set(sl_gdb_helpers_args --no-core)
endif()
add_test(NAME gdb.helpers
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/gdb_helpers.sh ${sl_gdb_helpers_args}
    $<TARGET_FILE:test_gdb_helpers>)
