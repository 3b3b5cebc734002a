#!/bin/bash
# check_determinism.sh BUILD_FUZZ_DIR SOURCE_FUZZ_DIR: replay every seed of
# every target twice, each in a fresh process (so ASLR moves everything),
# with the decision trace on, and fail if any two traces differ.
set -u
bin="$1" src="$2"
n=0 bad=0
for corpus in "$src"/corpus/*/; do
	t="$(basename "$corpus")"
	replay="$bin/replay_$t"
	[ -x "$replay" ] || continue
	for f in "$corpus"*; do
		a="$("$replay" --trace "$f" 2>&1 | md5sum)"
		b="$("$replay" --trace "$f" 2>&1 | md5sum)"
		n=$((n + 1))
		if [ "$a" != "$b" ]; then
			echo "trace differs between two replays: $f"
			bad=$((bad + 1))
		fi
	done
done
echo "$n seeds replayed twice, $bad with differing traces"
[ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
