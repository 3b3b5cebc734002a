#!/usr/bin/env bash
# runtime/test/gdb_helpers.sh [--no-core] PROGRAM: check scripts/schedlab-gdb.py
# on PROGRAM (test_gdb_helpers) in gdb, GOMAXPROCS=3. gdb_helpers.py drives
# gdb; this script checks what it printed:
#
#  live  (the script loaded with -x, default stack guards)
#   - `info goroutines` lists the four goroutines with the ids the program
#     itself got from sl_goid, each with its start function, status and wait
#     reason: parked_on_chan waiting [chan receive], parked_on_mutex waiting
#     [sync.Mutex.Lock], parked_on_sleep waiting [sleep], blocked_in_syscall
#     syscall on an M; the main goroutine is running and marked '*';
#   - `info sched` shows gomaxprocs=3, the Ps P0 P1 P2 and every M from M0
#     to sched.mnext-1, each on a thread, and the idle lists and global queue;
#   - `goroutine N bt`, with N taken from the listing, reaches each
#     goroutine's function (and gopark for the parked ones), and a parked
#     goroutine's $sp is 16-byte aligned, as at the return of its call;
#   - failing `goroutine N CMD`s leave the registers and the backtrace of the
#     selected thread as they were; an unknown id and a missing command are
#     errors with a message; the program then runs on, its goroutines
#     finish, and it reaches gdb_all_released.
#  core  (the script auto-loaded through the program's .debug_gdb_scripts
#        section, SL_DEBUG=stackguard=1; skipped with --no-core)
#   - gcore at the same point; on the core, `info goroutines` and `info sched`
#     again, `goroutine N bt` for the goroutine in a syscall, and an error that
#     names the core file for a parked one.
#  errors: a program without the runtime, a program that is not running.
#
# Exit 0 if all holds; else print what failed and gdb's output, exit 1.
# Used by the ctest test gdb.helpers (runtime/test/gdb_helpers.cmake).
set -euo pipefail

core=1
if [ "${1:-}" = "--no-core" ]; then
	core=0
	shift
fi
if [ $# -ne 1 ]; then
	echo "usage: $0 [--no-core] PROGRAM" >&2
	exit 2
fi
prog=$1
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
scripts="$(cd "$here/../../scripts" && pwd)"
helper="$scripts/schedlab-gdb.py"
driver="$here/gdb_helpers.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failures=0
out=""
fail() {
	echo "gdb_helpers: FAIL: $*"
	failures=$((failures + 1))
}

# section NAME: the lines of section NAME of $out.
section() {
	awk -v name="=== $1 ===" '$0 == name { on = 1; next } on && $0 == "=== end ===" { exit } on' <<<"$out"
}

# listing_line FUNCTION: the line of a listing ($1's section) for FUNCTION.
listing_line() {
	local text
	text=$(section "$1")
	grep -E "[[:space:]]$2[[:space:]]" <<<"$text" | head -n 1 || true
}

# expect_in SECTION REGEX WHAT: SECTION has a line matching REGEX. (No
# `section | grep -q`: grep's early exit would fail the pipe.)
expect_in() {
	local text
	text=$(section "$1")
	grep -qE -- "$2" <<<"$text" || fail "$3 (no /$2/ in '$1')"
}

# ---- live ----
out=$(GDB_HELPERS_MODE=live GOMAXPROCS=3 timeout 300 \
	gdb -q -batch -nx -x "$helper" -x "$driver" --args "$prog" 2>&1 | tr -d '\000') || true
live_out=$out

grep -q '^READY ' <<<"$out" || fail "the four goroutines never showed up blocked"
declare -A want=(
	[parked_on_chan]='waiting +\[chan receive\]'
	[parked_on_mutex]='waiting +\[sync\.Mutex\.Lock\]'
	[parked_on_sleep]='waiting +\[sleep\]'
	[blocked_in_syscall]='syscall +M[0-9]+ '
)
for fn in parked_on_chan parked_on_mutex parked_on_sleep blocked_in_syscall; do
	line=$(listing_line "info goroutines" "$fn")
	goid=$(awk -v fn="$fn" '$1 == "GOID" && $2 == fn { print $3 }' <<<"$out")
	[ -n "$line" ] || {
		fail "info goroutines: no line for $fn"
		continue
	}
	id=$(sed -E 's/^\*? *([0-9]+).*/\1/' <<<"$line")
	if [ -z "$goid" ] || [ "$id" != "$goid" ]; then
		fail "info goroutines: $fn has id '$id', the program says '$goid'"
	fi
	grep -qE "^ *$id +${want[$fn]}" <<<"$line" ||
		fail "info goroutines: $fn: want /${want[$fn]}/, got '$line'"
	bt=$(section "goroutine-bt $fn")
	grep -qE "in $fn \(|^#[0-9]+ +$fn \(" <<<"$bt" || fail "goroutine $id bt does not reach $fn"
	if [ "$fn" != blocked_in_syscall ]; then
		grep -qE ' gopark \(' <<<"$bt" || fail "goroutine $id bt ($fn) has no gopark frame"
		expect_in "goroutine-sp $fn" '^\$[0-9]+ = 0x0$' "goroutine $id: \$sp is not 16-byte aligned"
	fi
	if grep -q '^ERROR' <<<"$bt"; then
		fail "goroutine $id bt ($fn) failed"
	fi
done
expect_in "info goroutines" '^\* *1 +running .* runtime_main +gdb_stop_here ' \
	"info goroutines: main is not '* 1 running ... gdb_stop_here'"
[ "$(grep -c '^\*' <<<"$(section "info goroutines")")" -eq 1 ] ||
	fail "info goroutines: want exactly one goroutine marked '*'"

# info sched: every P and every M
expect_in "info sched" '^sched: gomaxprocs=3 npidle=[0-9]+ nmspinning=[0-9]+ ' "info sched: header"
for p in 0 1 2; do
	expect_in "info sched" "^  P$p +(idle|running|syscall|gcstop) +m=(M[0-9]+|-) +runq=[0-9]+ .*runnext=" \
		"info sched: P$p"
done
mnext=$(section "info sched" | sed -nE 's/^sched: .* mnext=([0-9]+) .*/\1/p')
nthreads=$(section "info sched" | sed -nE 's/^sched: .* threads=([0-9]+) .*/\1/p')
if [ -z "$mnext" ] || [ "$mnext" -lt 3 ]; then
	fail "info sched: mnext is '$mnext'"
else
	[ "$nthreads" = "$mnext" ] || fail "info sched: threads=$nthreads but mnext=$mnext"
	for ((m = 0; m < mnext; m++)); do
		expect_in "info sched" "^  M$m +p=(P[0-9]+|-) +curg=(G[0-9]+|-) +spinning=(true|false) +blocked=(true|false) +thread [0-9]+ \(LWP [0-9]+\)" \
			"info sched: M$m (on a thread)"
	done
fi
expect_in "info sched" "^  M[0-9]+ .* curg=G1 " "info sched: no M runs G1"
expect_in "info sched" '^idle Ps \(npidle=[0-9]+\): ' "info sched: idle Ps"
expect_in "info sched" '^idle Ms \(nmidle=[0-9]+\): ' "info sched: idle Ms"
expect_in "info sched" '^global run queue \(runqsize=[0-9]+\): ' "info sched: global run queue"

# the registers and the selected thread's backtrace survive failing commands
before=$(sed -n 's/^REGS before //p' <<<"$out")
after=$(sed -n 's/^REGS after //p' <<<"$out")
if [ -z "$before" ] || [ "$before" != "$after" ]; then
	fail "registers changed: before '$before', after '$after'"
fi
[ "$(section bt-before)" = "$(section bt-after)" ] || fail "the backtrace changed"
expect_in bt-before '^#0 +gdb_stop_here ' "bt: not stopped in gdb_stop_here"
expect_in goroutine-bad-cmd '^ERROR' "goroutine N frame function no_such_function did not fail"
expect_in goroutine-bad-cmd2 '^ERROR: Undefined command: "no_such_command"' \
	"goroutine N no_such_command did not fail"
expect_in goroutine-info-frame '^Stack level 0, frame at 0x' "goroutine N info frame"
expect_in goroutine-unknown '^ERROR: schedlab: no goroutine 99999 ' "goroutine 99999: no error"
expect_in goroutine-usage '^ERROR: usage: goroutine N CMD' "goroutine: no usage message"
for fn in parked_on_chan parked_on_mutex parked_on_sleep blocked_in_syscall sl_main; do
	expect_in "goroutine all bt" "in $fn \(" "goroutine all bt does not reach $fn"
done
grep -q '^released goroutines ' <<<"$out" || fail "the program did not go on after gdb"
grep -qx 'REACHED gdb_all_released' <<<"$out" ||
	fail "the program did not reach gdb_all_released after gdb"

# ---- core ----
if [ "$core" = 1 ]; then
	entries=$(readelf -p .debug_gdb_scripts "$prog" 2>&1 || true)
	if ! grep -qF "$helper" <<<"$entries"; then
		fail "$prog has no .debug_gdb_scripts entry naming $helper"
	fi
	# Auto-loaded (no -x). Guards made with mprotect: gdb 13's gcore cannot
	# read the stack chunks that MADV_GUARD_INSTALL guards (zeros).
	out=$(GDB_HELPERS_MODE=core GDB_HELPERS_CORE="$tmp/core" GOMAXPROCS=3 \
		SL_DEBUG=stackguard=1 MALLOC_ARENA_MAX=1 timeout 300 \
		gdb -q -batch -nx -iex "set auto-load safe-path $scripts" -x "$driver" \
		--args "$prog" 2>&1 | tr -d '\000') || true
	core_out=$out
	grep -q '^READY ' <<<"$out" || fail "core: the four goroutines never showed up blocked"
	for fn in parked_on_chan parked_on_mutex parked_on_sleep; do
		grep -qE "waiting +\[" <<<"$(listing_line "core info goroutines" "$fn")" ||
			fail "core: info goroutines: $fn is not waiting"
	done
	grep -qE "syscall +M[0-9]+ " <<<"$(listing_line "core info goroutines" blocked_in_syscall)" ||
		fail "core: info goroutines: blocked_in_syscall is not in a syscall on an M"
	expect_in "core info sched" '^  P2 ' "core: info sched: P2"
	expect_in "core goroutine-bt blocked_in_syscall" "in blocked_in_syscall \(" \
		"core: goroutine N bt does not reach blocked_in_syscall"
	expect_in "core goroutine-bt parked_on_chan" "^ERROR: schedlab: goroutine [0-9]+ is waiting: .* core file" \
		"core: goroutine N bt of a parked goroutine: no core file error"
else
	core_out="(skipped)"
fi

# ---- errors ----
out=$(gdb -q -batch -nx -x "$helper" -ex 'info goroutines' /bin/true 2>&1 | tr -d '\000') || true
grep -q 'schedlab: this program has no schedlab runtime' <<<"$out" ||
	fail "a program without the runtime: got '$out'"
errors_out=$out
out=$(gdb -q -batch -nx -x "$helper" -ex 'info sched' "$prog" 2>&1 | tr -d '\000') || true
grep -q 'schedlab: the program is not running' <<<"$out" ||
	fail "a program that is not running: got '$out'"
errors_out+=$'\n'$out

if [ "$failures" -ne 0 ]; then
	echo "--- live gdb output ---"
	echo "$live_out"
	echo "--- core gdb output ---"
	echo "$core_out"
	echo "--- error cases ---"
	echo "$errors_out"
	exit 1
fi
out=$live_out
section "info goroutines"
section "info sched"
echo "gdb_helpers: OK"
