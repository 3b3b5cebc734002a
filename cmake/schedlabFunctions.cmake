# The functions a program that uses schedlab calls, the same in this tree
# (runtime/CMakeLists.txt includes this file, over aliases of its own
# targets) and in an installed package (schedlabConfig.cmake includes it,
# over the imported targets):
#
#   schedlab::schedlab  the runtime, libschedlab.a (and Threads::Threads)
#   schedlab::rt0_exe   the executable entry object; linking it makes
#                       _rt0_amd64_linux the ELF entry point
#   schedlab::rt0_lib   the library entry object (_rt0_amd64_lib, run from
#                       .init_array)

# schedlab_executable(NAME SOURCES...): an executable whose ELF entry point is
# _rt0_amd64_linux and whose sl_main runs as the main goroutine; its return
# value is the exit status.
function(schedlab_executable name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE schedlab::rt0_exe schedlab::schedlab)
endfunction()

# schedlab_library_host(TARGET): TARGET owns main; the runtime starts on its
# own thread before main (from .init_array), and TARGET calls sl_run.
function(schedlab_library_host target)
  target_link_libraries(${target} PRIVATE schedlab::rt0_lib schedlab::schedlab)
endfunction()
