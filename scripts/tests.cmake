# scripts/tests.cmake: the tests of the shell tooling, once per build tree
# without sanitizers or debug checks (included from ci/CMakeLists.txt, which
# only the release preset configures): they run no build flavour's code.
#   scripts.shellcheck  scripts/lint: shellcheck over every shell script of
#                       the repository, and the convention of scripts/
#   scripts.selftest    scripts/selftest: every command's --help and bad
#                       arguments, and scripts/test's presets against
#                       CMakePresets.json and README.md
add_test(NAME scripts.shellcheck COMMAND ${PROJECT_SOURCE_DIR}/scripts/lint)
add_test(NAME scripts.selftest COMMAND ${PROJECT_SOURCE_DIR}/scripts/selftest)
