# Channel and select tests. Each binary runs one mode per test;
# modes whose outcome depends on scheduling run at GOMAXPROCS 1 and 4. Modes
# that block forever are checked from outside with expect.sh (their EXPECT
# blocks).

runtime_test(test_chan)
runtime_test(test_select)
target_link_libraries(test_select PRIVATE m)

function(chan_tests exe prefix)
  foreach(mode ${ARGN})
    foreach(procs 1 4)
      add_test(NAME ${prefix}.${mode}_p${procs} COMMAND ${exe} ${mode})
      set_tests_properties(${prefix}.${mode}_p${procs} PROPERTIES
        TIMEOUT 120 ENVIRONMENT GOMAXPROCS=${procs} PASS_REGULAR_EXPRESSION "^ok ${mode}\n$|\nok ${mode}\n$")
    endforeach()
  endforeach()
endfunction()

chan_tests(test_chan chan pingpong ring close fifo errors try elemsize0 nb resize freed_reuse nolock
  select_nb1)
chan_tests(test_select select fairness nonblocking closed wakeonce mixed many foreign)

# Blocked forever: the deadlock report names what each goroutine waits on
# (the EXPECT blocks of test_chan.c and test_select.c).
foreach(case nilsend nilrecv recvdeadlock)
  expect_test(chan.${case} test_chan ${case})
endforeach()
foreach(case nocases allnil)
  expect_test(select.${case} test_select ${case})
endforeach()

# The ping-pong measurement: only its output is checked, never its speed.
add_test(NAME chan.bench_output COMMAND test_chan bench)
set_tests_properties(chan.bench_output PROPERTIES ENVIRONMENT "GOMAXPROCS=1;PINGS=10000"
  PASS_REGULAR_EXPRESSION "^chan ping-pong round trip: [0-9.]+ ns \\(10000 rounds, GOMAXPROCS=1\\)\nok bench\n$")
