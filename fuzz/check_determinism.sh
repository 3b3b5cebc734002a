#!/bin/bash
# check_determinism.sh BUILD_FUZZ_DIR SOURCE_FUZZ_DIR: replay every seed of
# every target twice, each in a fresh process (so ASLR moves everything),
# with the decision trace on, and fail if any two traces differ. Both builds
# of each target: replay_T (the coarse simulation) and replay_T_fine (every
# shared access a scheduling point, and the race detector). In the fine
# build a race report is part of the output compared, and it must also be
# the same without the trace: tracing must not change the run (os.h's
# SIMEVENT is quiet for the race hooks), so that SL_SIM_TRACE=1 shows the
# steps of the very race a fuzzer reported.
set -u
bin="$1" src="$2"
n=0 bad=0
# race OUTPUT: a race report's two sites and steps (its last line differs
# with and without the trace by design).
race() { grep -a -A1 '^sim: data race' <<<"$1"; }
for corpus in "$src"/corpus/*/; do
	t="$(basename "$corpus")"
	for replay in "$bin/replay_$t" "$bin/replay_${t}_fine"; do
		[ -x "$replay" ] || continue
		for f in "$corpus"*; do
			a="$("$replay" --trace "$f" 2>&1)"
			b="$("$replay" --trace "$f" 2>&1)"
			n=$((n + 1))
			if [ "$a" != "$b" ]; then
				echo "trace differs between two replays: ${replay##*/} $f"
				bad=$((bad + 1))
			elif [ "${replay%_fine}" != "$replay" ]; then
				c="$("$replay" "$f" 2>&1)"
				if [ "$(race "$a")" != "$(race "$c")" ]; then
					echo "the race report differs with and without the trace: ${replay##*/} $f"
					bad=$((bad + 1))
				fi
			fi
		done
	done
done
echo "$n seeds replayed twice, $bad with differing traces or reports"
[ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
