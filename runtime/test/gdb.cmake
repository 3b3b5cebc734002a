# The bootstrap walk under gdb: entry point, rt0_go, schedinit, procresize,
# mstart, schedule, sl_main, in that order (gdb_walk.sh, scripts/gdb-bootstrap.py).
# Included from runtime/test/CMakeLists.txt; spawnsum comes from examples/.
add_test(NAME bootstrap.gdb_walk
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/gdb_walk.sh $<TARGET_FILE:spawnsum>)
