# fuzz/race.cmake: the race detector's tests, included by fuzz/CMakeLists.txt.
#   fuzz.race_engine  test_race: the engine (runtime/os/sim/race.c) alone,
#                     through its API, a child process per case;
#   fuzz.race_e2e     test_race_e2e: a racy pair and ordered pairs in the fine
#                     simulation; race_e2e_pair.c is instrumented as the
#                     runtime's core is (schedlab_fine_instrument).
add_executable(test_race test_race.c ${PROJECT_SOURCE_DIR}/runtime/os/sim/race.c)
target_include_directories(test_race PRIVATE ${PROJECT_SOURCE_DIR}/runtime/os/sim)
add_test(NAME fuzz.race_engine COMMAND test_race)

add_library(race_e2e_pair OBJECT race_e2e_pair.c)
schedlab_fine_instrument(race_e2e_pair)
target_compile_definitions(race_e2e_pair PRIVATE SL_SIM SL_SIM_FINE)
target_include_directories(race_e2e_pair PRIVATE ${PROJECT_SOURCE_DIR}/runtime/core)
add_executable(test_race_e2e test_race_e2e.c $<TARGET_OBJECTS:race_e2e_pair>)
target_link_libraries(test_race_e2e PRIVATE schedlab_sim_fine_internal)
target_compile_definitions(test_race_e2e PRIVATE SL_SIM
  RACE_E2E_PAIR_SRC="${CMAKE_CURRENT_SOURCE_DIR}/race_e2e_pair.c")
add_test(NAME fuzz.race_e2e COMMAND test_race_e2e)
