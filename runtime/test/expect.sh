#!/bin/bash
# expect.sh: run a command and check how it ended.
#   expect.sh [-s STATUS] [-e REGEX]... [-v REGEX]... [-E VAR=VALUE]... -- CMD [ARGS]
# -s  the exit status wanted (default 0); "abort" means killed by SIGABRT
# -e  an extended regex that must match the combined stdout+stderr
# -v  an extended regex that must not match
# -E  an environment variable for CMD
set -u
want=0
must=()
mustnot=()
envs=()
while [ $# -gt 0 ]; do
	case "$1" in
	-s) want=$2; shift 2 ;;
	-e) must+=("$2"); shift 2 ;;
	-v) mustnot+=("$2"); shift 2 ;;
	-E) envs+=("$2"); shift 2 ;;
	--) shift; break ;;
	*) echo "expect.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
out=$(env ${envs[@]+"${envs[@]}"} "$@" 2>&1)
status=$?
fail=0
if [ "$want" = abort ]; then
	[ $status -eq 134 ] || { echo "expect.sh: exit status $status, want SIGABRT (134)"; fail=1; }
elif [ $status -ne "$want" ]; then
	echo "expect.sh: exit status $status, want $want"
	fail=1
fi
for re in ${must[@]+"${must[@]}"}; do
	grep -Eq -- "$re" <<<"$out" || { echo "expect.sh: output lacks /$re/"; fail=1; }
done
for re in ${mustnot[@]+"${mustnot[@]}"}; do
	if grep -Eq -- "$re" <<<"$out"; then echo "expect.sh: output has /$re/"; fail=1; fi
done
if [ $fail -ne 0 ]; then
	echo "---- output of: ${envs[*]:-} $*"
	printf '%s\n' "$out" | tail -n 60
	exit 1
fi
echo "ok: $* (status $status)"
