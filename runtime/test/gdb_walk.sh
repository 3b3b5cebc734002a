#!/bin/bash
# runtime/test/gdb_walk.sh PROGRAM [ARGS]: walk PROGRAM's bootstrap in gdb
# (scripts/gdb-bootstrap.py, GOMAXPROCS=2) and check that it stops, in this
# order, at
#
#   _rt0_amd64_linux (in rt0_linux_amd64.S), rt0_go, schedinit, procresize,
#   mstart, schedule, sl_main
#
# and that the script says WALK OK. Exit 0 if so; else print gdb's output and
# exit 1. Used by the ctest test bootstrap.gdb_walk (runtime/test/gdb.cmake).
set -u

if [ $# -lt 1 ]; then
	echo "usage: $0 PROGRAM [ARGS]" >&2
	exit 2
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
script="$here/../../scripts/gdb-bootstrap.py"

out=$(GOMAXPROCS=2 timeout 120 gdb -q -batch -nx -x "$script" --args "$@" 2>&1)
rc=$?

want="_rt0_amd64_linux rt0_go schedinit procresize mstart schedule sl_main"
got=$(awk '$1 == "STOP" { printf "%s%s", sep, $2; sep = " " }' <<<"$out")
entry_file=$(awk '$1 == "STOP" { split($3, a, ":"); print a[1]; exit }' <<<"$out")

fail() {
	echo "gdb_walk: $*"
	echo "--- gdb output (exit status $rc) ---"
	echo "$out"
	exit 1
}

[ "$got" = "$want" ] || fail "stops were '$got', want '$want'"
[ "$entry_file" = "rt0_linux_amd64.S" ] ||
	fail "entry stop is in '$entry_file', want rt0_linux_amd64.S (is the .S built with -g?)"
grep -qx "WALK OK" <<<"$out" || fail "no 'WALK OK'"
[ "$rc" -eq 0 ] || fail "gdb exited with status $rc"

grep -E '^(STOP|WALK)' <<<"$out"
exit 0
