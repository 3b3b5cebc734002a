#!/bin/bash -eu
# fuzz/build.sh: build the fuzz targets the OSS-Fuzz way, with the compiler,
# flags and fuzzing engine the environment names, into $OUT. ClusterFuzz and
# OSS-Fuzz run it as their build.sh; locally:
#
#   CC=clang CFLAGS="-O1 -g -fsanitize=address,fuzzer-no-link" \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/out fuzz/build.sh
#
# Each target gets $OUT/fuzz_NAME, its NAME.dict (the name its options file
# gives) and fuzz_NAME.options, and a seed corpus
# zip ($OUT/fuzz_NAME_seed_corpus.zip).
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${CC:=clang}" "${CFLAGS:=}" "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}" "${OUT:=$SRC/build/oss-fuzz}"
mkdir -p "$OUT"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# The simulated runtime: core, the architecture (less its entry points) and os/sim.
defs=(-DSL_SIM -DSL_SCHEDCHECK -std=gnu11 -I"$SRC/runtime/core" -I"$SRC/runtime/arch/amd64" -I"$SRC/runtime/os" -I"$SRC/runtime/os/sim" -I"$SRC/runtime/include")
objs=()
for f in "$SRC"/runtime/core/*.c "$SRC"/runtime/arch/amd64/*.[cS] "$SRC"/runtime/os/sim/*.c "$SRC"/fuzz/fuzz_common.c; do
	case "$(basename "$f")" in rt0_*) continue ;; esac
	o="$WORK/$(basename "$f").o"
	$CC $CFLAGS "${defs[@]}" -c "$f" -o "$o"
	objs+=("$o")
done
ar rcs "$WORK/libschedlab_sim.a" "${objs[@]}"

for src in "$SRC"/fuzz/fuzz_*.c; do
	name="$(basename "$src" .c)"
	[ "$name" = fuzz_common ] && continue
	t="${name#fuzz_}"
	$CC $CFLAGS "${defs[@]}" -I"$SRC/fuzz" -I"$SRC/runtime/test" "$src" "$WORK/libschedlab_sim.a" \
		$LIB_FUZZING_ENGINE -o "$OUT/$name"
	# The options file names its dictionary as in fuzz/ (dict = api.dict),
	# and the engine looks for that name next to the target.
	[ -f "$SRC/fuzz/$t.dict" ] && cp "$SRC/fuzz/$t.dict" "$OUT/$t.dict"
	[ -f "$SRC/fuzz/$name.options" ] && cp "$SRC/fuzz/$name.options" "$OUT/$name.options"
	if [ -d "$SRC/fuzz/corpus/$t" ]; then
		(cd "$SRC/fuzz/corpus/$t" && python3 -c '
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for n in sorted(os.listdir(".")):
        z.write(n)' "$OUT/${name}_seed_corpus.zip")
	fi
	echo "built $OUT/$name"
done
