#!/bin/bash
# ci/test/test_nightly.sh WORKDIR: ci/nightly end to end, reduced to two
# benchmarks, two repetitions and two seconds of one fuzzer, into a scratch
# history, dashboard and fuzz directory under WORKDIR (nothing in results/).
#
#   1. bad arguments, a baseline git does not know and one that does not
#      build: exit 2, nothing measured, nothing written to the history;
#   2. a first run without a baseline: exit 0, one history document, a summary
#      that calls it the first run, a dashboard;
#   3. a second run with --baseline HEAD: the baseline is built in its
#      worktree and interleaved, compare.json has baseline rows, the baseline's
#      instruction counts equal HEAD's within the 1% gate (the same code), the
#      history holds two documents, and the dashboard is redrawn;
#   4. a corrupt history document: the run says so, exits 1, and neither the
#      document nor the dashboard is touched.
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=${1:?usage: test_nightly.sh WORKDIR}
rm -rf "$work"
mkdir -p "$work" || exit 1
cd "$root" || exit 1
PY=/usr/bin/python3

failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}
expect_rc() { # expect_rc WANT GOT WHAT
	[ "$2" -eq "$1" ] || fail "$3: exit $2, expected $1"
}

common=(--quick --filter '^(YieldPingPong|SwitchFloor)/' --reps 2 --min-time 0.01
	--fuzz-targets runq --fuzz-seconds 2 --fuzz-dir "$work/fuzz" --stress-seconds 0
	--history "$work/history" --dashboard "$work/dashboard")

# 1. bad input
ci/nightly --budget soon >"$work/bad1.log" 2>&1
expect_rc 2 $? "--budget soon"
grep -q -- "--budget wants" "$work/bad1.log" || fail "--budget soon: no message"
ci/nightly "${common[@]}" --baseline no-such-revision --out "$work/bad" >"$work/bad2.log" 2>&1
expect_rc 2 $? "--baseline no-such-revision"
grep -q "not a commit" "$work/bad2.log" || fail "a bad baseline: no message"
if [ -e "$work/bad" ] || [ -e "$work/history" ]; then fail "a bad baseline wrote files"; fi

# A baseline that does not build (a commit of this tree whose CMakeLists.txt
# fails, made without touching the checkout): exit 2 before any measurement.
idx=$(mktemp)
GIT_INDEX_FILE=$idx git read-tree HEAD &&
	blob=$( (git show HEAD:CMakeLists.txt && echo 'message(FATAL_ERROR "a broken baseline")') |
		git hash-object -w --stdin) &&
	GIT_INDEX_FILE=$idx git update-index --cacheinfo "100644,$blob,CMakeLists.txt" &&
	broken=$(git commit-tree -p HEAD -m "a broken baseline" "$(GIT_INDEX_FILE=$idx git write-tree)")
rm -f "$idx"
ci/nightly "${common[@]}" --baseline "$broken" --out "$work/broken" >"$work/bad3.log" 2>&1
expect_rc 2 $? "a baseline that does not build"
grep -q "does not build" "$work/bad3.log" || fail "a baseline that does not build: no message"
grep -qE '^\[nightly 2/6\] bench .*started' "$work/bad3.log" && fail "a broken baseline: bench ran"
if [ -e "$work/history" ]; then fail "a broken baseline wrote a history"; fi

# 2. the first run
ci/nightly "${common[@]}" --no-baseline --out "$work/run1" >"$work/run1.log" 2>&1
rc=$?
expect_rc 0 "$rc" "first run"
[ "$rc" -eq 0 ] || tail -n 40 "$work/run1.log"
n=$(find "$work/history" -name '*.json' | wc -l)
[ "$n" -eq 1 ] || fail "first run: $n history documents, expected 1"
grep -q "first run in this history" "$work/run1/summary.md" || fail "first run: summary.md"
for step in build bench instructions fuzz record; do
	grep -qE "^\[nightly [0-9]/6\] $step +ok " "$work/run1.log" ||
		fail "first run: no 'ok' progress line for step $step"
done
grep -qE "estimated remaining [0-9]+m[0-9]{2}s" "$work/run1.log" || fail "no remaining-time estimate"
[ -s "$work/dashboard/index.html" ] || fail "first run: no dashboard"
"$PY" - "$work/run1" <<'EOF' || fail "first run: instructions.json / fuzz.json"
import json, sys
d = sys.argv[1]
insn = {(r["name"], r["procs"]): r["per_op"] for r in json.load(open(f"{d}/instructions.json"))}
assert insn.get(("YieldPingPong", 1), 0) > 0, insn
fuzz = json.load(open(f"{d}/fuzz.json"))
assert fuzz[0]["target"] == "runq" and fuzz[0]["execs"] > 0, fuzz
EOF
cp "$work/dashboard/index.html" "$work/dashboard-1.html"

# 3. the second run, against HEAD as its baseline
ci/nightly "${common[@]}" --baseline HEAD --out "$work/run2" >"$work/run2.log" 2>&1
rc=$?
expect_rc 0 "$rc" "second run (baseline HEAD)"
[ "$rc" -eq 0 ] || tail -n 40 "$work/run2.log"
n=$(find "$work/history" -name '*.json' | wc -l)
[ "$n" -eq 2 ] || fail "second run: $n history documents, expected 2"
tree=clean
[ -z "$(git status --porcelain -- runtime bench)" ] || tree=dirty
[ "$tree" = clean ] || echo "test_nightly: runtime/ or bench/ differ from HEAD: counts not compared with the baseline's"
"$PY" - "$work/run2" "$tree" <<'EOF' || fail "second run: the baseline's rows and counts"
import json, sys
d = sys.argv[1]
rows = json.load(open(f"{d}/bench/compare.json"))["benchmarks"]
assert rows and all(r["baseline"] and len(r["baseline"]["samples"]) == 2 for r in rows), rows
cand = {(r["name"], r["procs"]): r["per_op"] for r in json.load(open(f"{d}/instructions.json"))}
base = {(r["name"], r["procs"]): r["per_op"]
        for r in json.load(open(f"{d}/instructions-base.json"))}
assert cand.keys() == base.keys() and cand, (cand, base)
# The baseline is HEAD and the candidate the working tree: the same code
# only when the runtime and the benchmarks are committed as they are.
if sys.argv[2] == "clean":
    for k in cand:
        assert abs(cand[k] - base[k]) <= 0.01 * base[k], (k, cand[k], base[k])
EOF
cmp -s "$work/dashboard/index.html" "$work/dashboard-1.html" && fail "second run: dashboard not redrawn"

# 4. a corrupt document: reported, nothing touched
bad="$work/history/20000101T000000Z-000000000000-000000000000.json"
echo '{"schema": 1, "id": ' >"$bad"
cp "$work/dashboard/index.html" "$work/dashboard-2.html"
ci/nightly "${common[@]}" --no-baseline --out "$work/run3" >"$work/run3.log" 2>&1
expect_rc 1 $? "corrupt history"
grep -q "$(basename "$bad")" "$work/run3/summary.md" || fail "corrupt history: not named in summary.md"
[ "$(cat "$bad")" = '{"schema": 1, "id": ' ] || fail "corrupt history: the document was changed"
cmp -s "$work/dashboard/index.html" "$work/dashboard-2.html" || fail "corrupt history: dashboard changed"
n=$(find "$work/history" -name '*.json' | wc -l)
[ "$n" -eq 3 ] || fail "corrupt history: $n files, expected the 2 runs and the bad one"

if [ "$failures" -eq 0 ]; then
	echo "test_nightly: ok"
else
	echo "test_nightly: $failures failed"
fi
[ "$failures" -eq 0 ]
