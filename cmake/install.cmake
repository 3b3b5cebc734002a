# cmake --install: the headers, libschedlab.a and libschedlab_sim.a, the two
# entry objects, a CMake package (find_package(schedlab)) and schedlab.pc.
# Included from the top CMakeLists.txt. The install test (package/) builds
# programs against the result, both ways.
#
#   include/schedlab/schedlab*.h           -I.../include/schedlab, so that
#                                          #include "schedlab.h" works
#   lib/libschedlab.a, lib/libschedlab_sim.a
#   lib/schedlab/rt0_exe.o, rt0_lib.o     the entry objects
#   lib/cmake/schedlab/                    schedlabConfig.cmake and friends
#   lib/pkgconfig/schedlab.pc
#   share/schedlab/schedlab-gdb.py         the gdb helpers
include(CMakePackageConfigHelpers)

set(SL_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/schedlab)
set(SL_INSTALL_RT0DIR ${CMAKE_INSTALL_LIBDIR}/schedlab)

set(sl_libraries schedlab)
if(TARGET schedlab_sim)
  list(APPEND sl_libraries schedlab_sim)
endif()
# A sanitizer build's archives need the sanitizer's runtime wherever they
# are linked: an installed one says so itself.
if(SL_LINK_FLAGS)
  foreach(lib IN LISTS sl_libraries)
    target_link_options(${lib} INTERFACE "$<INSTALL_INTERFACE:${SL_LINK_FLAGS}>")
  endforeach()
endif()
install(TARGETS ${sl_libraries} EXPORT schedlabTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
file(GLOB sl_headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/runtime/include/*.h)
install(FILES ${sl_headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/schedlab)
# The gdb helpers (info goroutines, goroutine N bt, info sched):
#   source <prefix>/share/schedlab/schedlab-gdb.py
install(FILES ${PROJECT_SOURCE_DIR}/scripts/schedlab-gdb.py
  DESTINATION ${CMAKE_INSTALL_DATADIR}/schedlab)
install(FILES $<TARGET_OBJECTS:schedlab_rt0_exe> DESTINATION ${SL_INSTALL_RT0DIR} RENAME rt0_exe.o)
install(FILES $<TARGET_OBJECTS:schedlab_rt0_lib> DESTINATION ${SL_INSTALL_RT0DIR} RENAME rt0_lib.o)

install(EXPORT schedlabTargets NAMESPACE schedlab:: DESTINATION ${SL_INSTALL_CMAKEDIR})
configure_package_config_file(cmake/schedlabConfig.cmake.in
  ${PROJECT_BINARY_DIR}/schedlabConfig.cmake
  INSTALL_DESTINATION ${SL_INSTALL_CMAKEDIR}
  PATH_VARS SL_INSTALL_RT0DIR)
# 0.x: a minor release may change the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/schedlabConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/schedlabConfig.cmake
  ${PROJECT_BINARY_DIR}/schedlabConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/schedlabFunctions.cmake
  DESTINATION ${SL_INSTALL_CMAKEDIR})

# schedlab.pc finds its prefix from where it lies (${pcfiledir}), so the
# tree may be installed with --prefix or DESTDIR, or moved.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  message(FATAL_ERROR "schedlab.pc wants CMAKE_INSTALL_LIBDIR and CMAKE_INSTALL_INCLUDEDIR "
    "relative to the prefix")
endif()
file(RELATIVE_PATH SL_PC_PREFIX_FROM_PCDIR /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
string(REGEX REPLACE "/$" "" SL_PC_PREFIX_FROM_PCDIR "${SL_PC_PREFIX_FROM_PCDIR}")
set(SL_PC_LINK_FLAGS "")
foreach(flag IN LISTS SL_LINK_FLAGS)
  string(APPEND SL_PC_LINK_FLAGS " ${flag}")
endforeach()
configure_file(cmake/schedlab.pc.in ${PROJECT_BINARY_DIR}/schedlab.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/schedlab.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
