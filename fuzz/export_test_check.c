/*
 * export_test_check.c: runtime/core/export_test.h and runtime.h in one
 * translation unit. export_test.h declares again the runtime names that
 * tests and fuzz targets use; here each declaration meets the runtime's own,
 * and one that has drifted (a parameter, a return type, a global's type) is
 * a compile error. Built twice, with and without SL_SIM (fuzz/CMakeLists.txt).
 */
#include "runtime.h"

#include "export_test.h"
