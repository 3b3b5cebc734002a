#!/usr/bin/env bash
# exec_rate.sh BUILD_FUZZ_DIR [SOURCE_FUZZ_DIR] [REPEAT] [CAMPAIGN_RUNS]: how
# many inputs per second each libFuzzer target runs on one core, measured
# two ways, in CPU time (user + system) so that a loaded machine does not
# skew it:
#   seeds     fuzz_T -runs=REPEAT on every seed of corpus/T (no mutation):
#             each seed REPEAT times (default 20), in one process;
#   campaign  fuzz_T -seed=1 -runs=CAMPAIGN_RUNS (default 1000) on a scratch
#             copy of the seeds, with the options file's dict and max_len:
#             the inputs libFuzzer makes from the seeds, its own costs
#             included. libFuzzer's own exec/s (wall clock) is shown too.
# BUILD_FUZZ_DIR is the fuzz preset's fuzz/ build directory (it holds the
# fuzz_T binaries); SOURCE_FUZZ_DIR defaults to this script's directory.
# Each target's fine twin (fuzz_T_fine: every shared access a scheduling
# point, and the race detector) is measured on the same seeds and options,
# on the line below it. Compare two builds in one run, back to back, on the
# same machine.
set -euo pipefail
bin="${1:?usage: exec_rate.sh BUILD_FUZZ_DIR [SOURCE_FUZZ_DIR] [REPEAT] [CAMPAIGN_RUNS]}"
src="${2:-$(cd "$(dirname "$0")" && pwd)}"
repeat="${3:-20}"
runs="${4:-1000}"
for v in "$repeat" "$runs"; do
	if ! [[ "$v" =~ ^[0-9]+$ ]] || [ "$v" -lt 1 ]; then
		echo "exec_rate.sh: REPEAT and CAMPAIGN_RUNS must be positive integers, not '$v'" >&2
		exit 2
	fi
done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# cpu CMD...: run CMD (output to $tmp/log), print its user + system seconds;
# on a failure, say so with the log's end and fail (that target's row then
# says so, and the script's status is 1).
cpu() {
	local t
	t="$( { TIMEFORMAT='%U %S'; time "$@" >"$tmp/log" 2>&1; } 2>&1)" || {
		echo "exec_rate.sh: failed: $*" >&2
		tail -n 20 "$tmp/log" >&2
		return 1
	}
	echo "$t" | awk '{ print $1 + $2 }'
}

status=0
printf '%-16s %6s %10s %12s %10s %14s\n' target seeds "seeds:s" "seeds:exec/s" "camp:s" "camp:exec/s"
for corpus in "$src"/corpus/*/; do
	b="$(basename "$corpus")"
	for t in "$b" "${b}_fine"; do
		fz="$bin/fuzz_$t"
		[ -x "$fz" ] || continue
		seeds=("$corpus"*)
		s1="$(cpu "$fz" -runs="$repeat" "${seeds[@]}")" || {
			printf '%-16s failed: an input crashes it (above)\n' "$t"
			status=1
			continue
		}
		flags=(-seed=1 -runs="$runs" -print_final_stats=1)
		opt="$src/fuzz_$b.options"
		if [ -f "$opt" ]; then
			d="$(sed -n 's/^ *dict *= *//p' "$opt")"
			m="$(sed -n 's/^ *max_len *= *//p' "$opt")"
			[ -n "$d" ] && flags+=(-dict="$src/$d")
			[ -n "$m" ] && flags+=(-max_len="$m")
		fi
		rm -rf "$tmp/corpus"
		mkdir "$tmp/corpus"
		cp "${seeds[@]}" "$tmp/corpus/"
		s2="$(cpu "$fz" "${flags[@]}" "$tmp/corpus")" || {
			printf '%-16s failed: an input crashes it (above)\n' "$t"
			status=1
			continue
		}
		wall="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$tmp/log")"
		awk -v t="$t" -v n="${#seeds[@]}" -v r="$repeat" -v s1="$s1" -v s2="$s2" -v runs="$runs" \
			-v wall="$wall" 'BEGIN {
			printf "%-16s %6d %10.2f %12.0f %10.2f %14s\n", t, n, s1, n * r / s1, s2,
				sprintf("%.0f (%s wall)", runs / s2, wall)
		}'
	done
done
exit "$status"
