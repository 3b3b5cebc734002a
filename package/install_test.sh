#!/bin/bash
# package/install_test.sh CMAKE BUILD_DIR SOURCE_DIR WORK_DIR CC GENERATOR:
# install BUILD_DIR's schedlab (cmake --install --prefix), move the tree
# elsewhere (the package must not know where it was installed), and build
# against it, out of the tree, spawnsum.c (examples/, an sl_main program) and
# package/consumer/host.c (a library host):
#
#   1. with find_package(schedlab) in a fresh CMake project (consumer/);
#   2. with pkg-config and the plain compiler, as schedlab.pc says.
#
# All four must run and print the right thing; the executables' ELF entry
# point must be _rt0_amd64_linux, the hosts' not. The installed archives must
# pass check_globals.sh. Run by the ctest test package.install.
set -u
if [ $# -ne 6 ]; then
	echo "usage: $0 CMAKE BUILD_DIR SOURCE_DIR WORK_DIR CC GENERATOR" >&2
	exit 2
fi
cmake=$1 build=$2 src=$3 work=$4 cc=$5 generator=$6
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}
# run WHAT WANT CMD...: CMD's stdout must be exactly WANT.
run() {
	local what=$1 want=$2 got
	shift 2
	if ! got=$(GOMAXPROCS=2 timeout 60 "$@" 2>&1); then
		fail "$what: exit status $?, output: $got"
	elif [ "$got" != "$want" ]; then
		fail "$what: printed '$got', want '$want'"
	else
		echo "ok $what: $got"
	fi
}
# entry WHAT EXE yes|no: whether EXE's ELF entry point is _rt0_amd64_linux.
entry() {
	local e s
	e=$(readelf -h "$2" | awk '/Entry point address/ { print $4 }')
	s=$(nm "$2" | awk '$3 == "_rt0_amd64_linux" { print "0x" $1 }')
	if [ "$3" = yes ] && [ -n "$s" ] && [ $((e)) -eq $((s)) ]; then
		echo "ok $1: entry point _rt0_amd64_linux"
	elif [ "$3" = no ] && { [ -z "$s" ] || [ $((e)) -ne $((s)) ]; }; then
		echo "ok $1: entry point is not _rt0_amd64_linux"
	else
		fail "$1: entry point $e, _rt0_amd64_linux at '${s:-none}', want $3"
	fi
}
# step WHAT CMD...: run CMD, its output in a log shown on failure.
step() {
	local what=$1
	shift
	if ! "$@" >"$work/step.log" 2>&1; then
		echo "FAIL: $what:"
		cat "$work/step.log"
		exit 1
	fi
}

rm -rf "$work"
mkdir -p "$work/app"

step "cmake --install" "$cmake" --install "$build" --prefix "$work/staged"
mv "$work/staged" "$work/prefix"
prefix=$work/prefix
echo "installed (then moved to $prefix):"
(cd "$prefix" && find . -type f | sort | sed 's/^\.\//  /')

pc=$(find "$prefix" -name schedlab.pc)
[ -n "$pc" ] || fail "no schedlab.pc installed"
for f in include/schedlab/schedlab.h include/schedlab/schedlab_chan.h \
	include/schedlab/schedlab_sync.h; do
	[ -f "$prefix/$f" ] || fail "$f not installed"
done
archives=$(find "$prefix" -name 'libschedlab*.a')
[ -n "$archives" ] || fail "no libschedlab*.a installed"
# shellcheck disable=SC2086 # one archive a word
"$here/check_globals.sh" nm "$src/cmake/schedlab_global_symbols.txt" $archives ||
	fail "the installed archives export more than the API"
if grep -rlF -e "$build" -e "$src" "$prefix" --include='*.cmake' --include='*.pc'; then
	fail "the package names the build or source tree (above)"
fi

cp "$src/examples/spawnsum.c" "$here/consumer/host.c" "$here/consumer/CMakeLists.txt" "$work/app/"

# 1. find_package(schedlab), the prefix found through CMAKE_PREFIX_PATH.
step "configure the find_package consumer" "$cmake" -S "$work/app" -B "$work/app/build" \
	-G "$generator" -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$prefix" \
	-DCMAKE_BUILD_TYPE=Release
grep -F "schedlab 0.1.0 from $prefix/" "$work/step.log" ||
	fail "find_package did not find schedlab 0.1.0 in $prefix"
step "build the find_package consumer" "$cmake" --build "$work/app/build"
run "find_package spawnsum" "sum=5000050000" "$work/app/build/spawnsum"
run "find_package host" "host sum=5050" "$work/app/build/host"
entry "find_package spawnsum" "$work/app/build/spawnsum" yes
entry "find_package host" "$work/app/build/host" no

# 2. pkg-config and the compiler: Libs/Cflags for the host, and the
# variables rt0_exe and ldflags_exe for the executable.
export PKG_CONFIG_PATH
PKG_CONFIG_PATH=$(dirname "$pc")
pkg() { pkg-config "$@" schedlab || fail "pkg-config $* schedlab"; }
# shellcheck disable=SC2046 # pkg-config's output is words
step "cc spawnsum (pkg-config)" "$cc" -O2 -o "$work/app/spawnsum_pc" "$work/app/spawnsum.c" \
	$(pkg --variable=rt0_exe) $(pkg --variable=ldflags_exe) $(pkg --cflags --libs)
# shellcheck disable=SC2046
step "cc host (pkg-config)" "$cc" -O2 -o "$work/app/host_pc" "$work/app/host.c" \
	$(pkg --cflags --libs)
run "pkg-config spawnsum" "sum=5000050000" "$work/app/spawnsum_pc"
run "pkg-config host" "host sum=5050" "$work/app/host_pc"
entry "pkg-config spawnsum" "$work/app/spawnsum_pc" yes
entry "pkg-config host" "$work/app/host_pc" no
[ "$(pkg --modversion)" = 0.1.0 ] || fail "pkg-config --modversion: $(pkg --modversion)"

if [ $failures -ne 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
echo "install: all ok"
