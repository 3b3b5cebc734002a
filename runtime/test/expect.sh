#!/usr/bin/env bash
# expect.sh: run a test program and check how it ended, as the EXPECT block
# of one case in the program's source says.
#
#   expect.sh -f SOURCE -c CASE [-D NAME=VALUE]... [-n] -- PROGRAM [ARGS]
#
# -n prints what would be run and checked, and runs nothing.
#
# SOURCE holds, in a comment next to the code that the case runs, a block
# that starts with a line "EXPECT CASE" and holds one directive a line:
#
#   /*
#    * EXPECT wirep_already
#    * args    wirep_already                    PROGRAM's arguments, after ARGS
#    * env     GOMAXPROCS=2                     an environment variable
#    * status  2                                the exit status (default 0);
#    *                                          "abort": killed by SIGABRT
#    * match   ^fatal error: wirep: already in go$
#    * nomatch survived
#    */
#
# match and nomatch take an extended regex (grep -E, the rest of the line)
# that must and must not match a line of the combined stdout and stderr; each
# directive may come any number of times. A directive that ends in a
# backslash goes on in the next line, whose leading blanks are dropped (so a
# long regex stays within the 100 columns that clang-format would otherwise
# reflow, breaking it). The block ends at the end of the
# comment ("*/"), at an empty comment line, or at the next EXPECT. ${NAME} in
# a directive is the VALUE of -D NAME=VALUE (a parametrised case: one block,
# the ctest test for each value says it).
#
# It is an error, reported and failing the test, if SOURCE has no block or two
# for CASE, a directive is unknown or malformed, a ${NAME} has no -D or a -D
# is unused.
#
# The options of old, -s STATUS, -e REGEX, -v REGEX and -E VAR=VALUE, still
# add to the block's (or stand alone without -f), for tests of tools whose
# output has no source file of its own.
#
# Exit status: 0 when the program ended as expected; 1 if not (with the
# program's output); 2 on a bad block or bad usage.
set -euo pipefail

usage() {
	echo "expect.sh: $1" >&2
	echo "usage: expect.sh -f SOURCE -c CASE [-D NAME=VALUE]... -- PROGRAM [ARGS]" >&2
	exit 2
}

source_file="" case_name="" want="" want_from="" dry_run=0
vars=() must=() mustnot=() envs=() args=()
while [ $# -gt 0 ]; do
	case "$1" in
	-f | -c | -D | -s | -e | -v | -E) [ $# -ge 2 ] || usage "$1 needs a value" ;;
	esac
	case "$1" in
	-f) source_file=$2 ;;
	-c) case_name=$2 ;;
	-D)
		[[ "$2" == [A-Za-z_]*=* ]] || usage "-D wants NAME=VALUE, not '$2'"
		vars+=("$2")
		;;
	-s) want=$2 want_from="-s" ;;
	-e) must+=("$2") ;;
	-v) mustnot+=("$2") ;;
	-E) envs+=("$2") ;;
	-n)
		dry_run=1
		shift
		continue
		;;
	--)
		shift
		break
		;;
	*) usage "unknown option '$1'" ;;
	esac
	shift 2
done
[ $# -gt 0 ] || usage "no program to run"
if [ -n "$source_file$case_name" ] && { [ -z "$source_file" ] || [ -z "$case_name" ]; }; then
	usage "-f and -c go together"
fi

# bad MESSAGE: a broken expectation, which fails the test on its own.
bad() {
	echo "expect.sh: $source_file: EXPECT $case_name: $1" >&2
	exit 2
}

# read_block: the directive lines of CASE's block, "LINE KEY VALUE", one a
# line, continuations joined.
read_block() {
	local line in=0 blocks=0 n=0 body pending="" first=0 end
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		# A comment line: " * text", "/* text" or "// text". Anything else,
		# an EXPECT line, "*/" or an empty comment line ends a block.
		end=1 body=""
		if [[ "$line" =~ ^[[:space:]]*(/\*+|\*|//)[[:space:]]?(.*)$ ]]; then
			body=${BASH_REMATCH[2]}
			if [[ ! "$body" =~ ^EXPECT[[:space:]] ]] && [[ "$body" != /* ]] &&
				[[ ! "$body" =~ ^[[:space:]]*$ ]]; then
				end=0
			fi
		fi
		if [ "$end" -eq 1 ]; then
			if [ "$in" -eq 1 ] && [ -n "$pending" ]; then
				bad "line $first: the block ends inside a continued directive"
			fi
			in=0
			if [[ "$body" =~ ^EXPECT[[:space:]]+([^[:space:]]+)[[:space:]]*$ ]] &&
				[ "${BASH_REMATCH[1]}" = "$case_name" ]; then
				in=1
				blocks=$((blocks + 1))
			fi
			continue
		fi
		[ "$in" -eq 1 ] || continue
		[[ "$body" != *"*/"* ]] || bad "line $n: a directive shares its line with '*/'"
		if [ -n "$pending" ]; then
			body="$pending${body#"${body%%[![:space:]]*}"}"
		else
			first=$n
		fi
		if [[ "$body" == *\\ ]]; then
			pending=${body%\\}
			continue
		fi
		pending=""
		echo "$first $body"
	done <"$source_file"
	if [ "$in" -eq 1 ] && [ -n "$pending" ]; then
		bad "line $first: the block ends inside a continued directive"
	fi
	[ "$blocks" -gt 0 ] || bad "no such block (a comment line 'EXPECT $case_name' next to the code it runs)"
	[ "$blocks" -eq 1 ] || bad "$blocks blocks; one, please"
}

# substitute LINE: $value with every ${NAME} of -D replaced (in place, not in
# a subshell: it marks each NAME used).
declare -A used=()
substitute() {
	local kv name
	for kv in ${vars[@]+"${vars[@]}"}; do
		name=${kv%%=*}
		if [[ "$value" == *"\${$name}"* ]]; then
			value=${value//"\${$name}"/"${kv#*=}"}
			used[$name]=1
		fi
	done
	if [[ "$value" =~ \$\{([A-Za-z_][A-Za-z0-9_]*)\} ]]; then
		bad "line $1: \${${BASH_REMATCH[1]}} is not given (-D ${BASH_REMATCH[1]}=VALUE)"
	fi
}

if [ -n "$source_file" ]; then
	[ -r "$source_file" ] || usage "cannot read $source_file"
	block=$(read_block) || exit 2
	nblock=0
	while IFS= read -r entry; do
		[ -n "$entry" ] || continue
		n=${entry%% *}
		directive=${entry#* }
		key=${directive%%[[:space:]]*}
		value=""
		if [[ "$directive" =~ ^[^[:space:]]+[[:space:]]+(.*)$ ]]; then
			value=${BASH_REMATCH[1]}
		fi
		[ -n "$value" ] || bad "line $n: '$key' wants a value"
		substitute "$n"
		nblock=$((nblock + 1))
		case "$key" in
		args)
			read -r -a words <<<"$value"
			args+=("${words[@]}")
			;;
		env)
			[[ "$value" == [A-Za-z_]*=* ]] || bad "line $n: env wants VAR=VALUE, not '$value'"
			envs+=("$value")
			;;
		status)
			[ -z "$want" ] || bad "line $n: a second exit status (the first: $want)"
			[[ "$value" =~ ^([0-9]+|abort)$ ]] || bad "line $n: status wants a number or abort, not '$value'"
			want=$value want_from="line $n"
			;;
		match) must+=("$value") ;;
		nomatch) mustnot+=("$value") ;;
		*) bad "line $n: unknown directive '$key' (args, env, status, match, nomatch)" ;;
		esac
	done <<<"$block"
	[ "$nblock" -gt 0 ] || bad "the block is empty"
	# -D NAME that no directive uses: a typo in the test or in the block.
	for kv in ${vars[@]+"${vars[@]}"}; do
		[ -n "${used[${kv%%=*}]:-}" ] || bad "-D ${kv%%=*} is used by no directive"
	done
fi
: "${want:=0}"

if [ "$dry_run" -eq 1 ]; then
	echo "run:     $*${args[*]+ ${args[*]}}"
	for e in ${envs[@]+"${envs[@]}"}; do echo "env:     $e"; done
	echo "status:  $want"
	for re in ${must[@]+"${must[@]}"}; do echo "match:   $re"; done
	for re in ${mustnot[@]+"${mustnot[@]}"}; do echo "nomatch: $re"; done
	exit 0
fi

status=0
out=$(env ${envs[@]+"${envs[@]}"} "$@" ${args[@]+"${args[@]}"} 2>&1) || status=$?
fail=0
if [ "$want" = abort ]; then
	if [ "$status" -ne 134 ]; then
		echo "expect.sh: exit status $status, want SIGABRT (134)"
		fail=1
	fi
elif [ "$status" -ne "$want" ]; then
	echo "expect.sh: exit status $status, want $want${want_from:+ ($want_from)}"
	fail=1
fi
for re in ${must[@]+"${must[@]}"}; do
	if ! grep -Eq -- "$re" <<<"$out"; then
		echo "expect.sh: output lacks /$re/"
		fail=1
	fi
done
for re in ${mustnot[@]+"${mustnot[@]}"}; do
	if grep -Eq -- "$re" <<<"$out"; then
		echo "expect.sh: output has /$re/"
		fail=1
	fi
done
what="${envs[*]:-} $* ${args[*]:-}"
if [ "$fail" -ne 0 ]; then
	echo "---- ${source_file:+$source_file: EXPECT $case_name: }output of: $what"
	printf '%s\n' "$out" | tail -n 60
	exit 1
fi
echo "ok: ${source_file:+$case_name: }$what (status $status)"
