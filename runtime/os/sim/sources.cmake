# runtime/os/sim: the simulation backend, every M a fiber on the caller's
# thread in virtual time (libschedlab_sim). Its stack memory is the host's:
# the Linux backend's mem.c (sim_linux_mem.c compiles it), behind a cache of
# the mappings that runs leave (sim_mem.c).
set(SL_OS_SOURCES os_sim.c sim_cover.c sim_mem.c sim_linux_mem.c sim_race.c race.c sim_props.c)

# In the fuzz preset the simulator keeps its edge counters (which way its
# decisions went is feedback) but not -fsanitize=fuzzer's comparison
# tracing: what it compares (thread states, deadlines, step counts) never
# comes from the input's bytes, so the traced values fed the mutator
# nothing, and at one call per compare they were a third of a campaign's
# time (reschedule runs at every scheduling point).
if(SL_FUZZ)
  set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/os_sim.c
    ${CMAKE_CURRENT_LIST_DIR}/sim_cover.c
    PROPERTIES COMPILE_OPTIONS -fno-sanitize-coverage=trace-cmp)
endif()

# The fine build's hooks (sim_race.c) and the race detector (race.c) run at
# every access of the core: in the fuzz preset without edge counters (their
# branches follow the detector's bookkeeping, not the runtime's paths), and
# the hooks without ASan (they touch the detector's state and call the real
# memcpy and malloc, which ASan intercepts all the same).
if(SL_FUZZ)
  set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/race.c PROPERTIES COMPILE_OPTIONS
    -fno-sanitize=fuzzer-no-link)
endif()
if(SL_SANITIZE STREQUAL "address")
  set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/sim_race.c PROPERTIES COMPILE_OPTIONS
    "-fno-sanitize=address;$<$<BOOL:${SL_FUZZ}>:-fno-sanitize=fuzzer-no-link>")
endif()
