#!/usr/bin/env bash
# runtime/test/test_expect.sh EXPECT_SH: expect.sh's own test (ctest:
# expect.selftest). It writes a C file of EXPECT blocks and runs a small
# shell program under each: a right expectation passes, and every kind of
# wrong one fails (exit 1), as does every broken block (exit 2, with a
# message that says what is wrong).
set -euo pipefail

expect=${1:?usage: test_expect.sh EXPECT_SH}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# The program: prints its arguments and $GREETING, then exits with $1.
prog=$tmp/prog.sh
cat >"$prog" <<'EOF'
#!/bin/sh
echo "hello ${GREETING:-nobody}: $*"
echo "fatal error: something broke" >&2
exit "$1"
EOF
chmod +x "$prog"

src=$tmp/cases.c
cat >"$src" <<'EOF'
/* A file of EXPECT blocks, as a test program's source holds them. */
static void good(void)
{
	/*
	 * EXPECT good
	 * args    2 x
	 * env     GREETING=world
	 * status  2
	 * match   ^hello world: 2 x$
	 * match   ^fatal error: something \
	 *         broke$
	 * nomatch survived
	 */
}

/*
 * EXPECT param
 * args    ${code}
 * env     GREETING=${who}
 * status  ${code}
 * match   ^hello ${who}: ${code}$
 */

/* EXPECT wrong_status
 * args    3
 * status  2
 */
// EXPECT wrong_match
// args    0
// match   ^hello world
/* EXPECT wrong_nomatch
 * args    0
 * nomatch fatal error
 */
/*
 * EXPECT abort_wanted
 * args    2
 * status  abort
 */
/*
 * EXPECT unknown_key
 * args    0
 * matches x
 */
/*
 * EXPECT twice
 * args    0
 */
/*
 * EXPECT twice
 * args    0
 */
/*
 * EXPECT empty
 *
 * args    0
 */
/*
 * EXPECT bad_status
 * status  two
 */
/*
 * EXPECT two_statuses
 * status  0
 * status  0
 */
/*
 * EXPECT dangling
 * args    0
 * match   x \
 */
/*
 * EXPECT closing
 * args    0 */
EOF

# check WANT_RC WANT_REGEX CASE [-D ...]: expect.sh on CASE exits WANT_RC and
# says something that matches WANT_REGEX.
check() {
	local want=$1 re=$2 case=$3 rc=0
	shift 3
	"$expect" -f "$src" -c "$case" "$@" -- "$prog" >"$tmp/out" 2>&1 || rc=$?
	if [ "$rc" -eq "$want" ] && grep -Eq -- "$re" "$tmp/out"; then
		echo "ok    $case $*: exit $rc, /$re/"
	else
		echo "FAIL  $case $*: exit $rc (want $want), output (want /$re/):"
		sed 's/^/      /' "$tmp/out"
		failed=$((failed + 1))
	fi
}

check 0 '^ok: good: ' good
check 0 '^ok: param: ' param -D code=3 -D who=you
check 2 'a second exit status' param -D code=3 -D who=you -s 3
check 1 'exit status 3, want 2 \(line 26\)' wrong_status
check 1 'output lacks /\^hello world/' wrong_match
check 1 'output has /fatal error/' wrong_nomatch
check 1 'want SIGABRT' abort_wanted
check 1 'output lacks /extra/' good -e extra
check 2 "no such block \\(a comment line 'EXPECT missing'" missing
check 2 "unknown directive 'matches'" unknown_key
check 2 '2 blocks; one, please' twice
check 2 'the block is empty' empty
check 2 'status wants a number or abort' bad_status
check 2 'a second exit status' two_statuses
check 2 'ends inside a continued directive' dangling
check 2 "shares its line with '\\*/'" closing
check 2 "\\\$\\{who\\} is not given" param -D code=0
check 2 '-D extra is used by no directive' param -D code=0 -D who=x -D extra=1

echo
if [ "$failed" -eq 0 ]; then
	echo "test_expect: all checks passed"
else
	echo "test_expect: $failed check(s) failed"
fi
[ "$failed" -eq 0 ]
