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
# zip ($OUT/fuzz_NAME_seed_corpus.zip). Needs cmake (3.25 or later); ninja
# if there is one, make otherwise.
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${CC:=clang}" "${CFLAGS:=}" "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}" "${OUT:=$SRC/build/oss-fuzz}"
mkdir -p "$OUT"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Which runtime variant each target links, and with what, is
# fuzz/CMakeLists.txt's business: configure the tree with the environment's
# compiler and flags and let it build the fuzz_NAME targets. The
# instrumentation comes from CFLAGS alone (no SL_SANITIZE, no SL_FUZZ), the
# engine from LIB_FUZZING_ENGINE (SL_FUZZ_ENGINE); -Werror stays off under a
# compiler and flags the project does not pick.
targets=()
for src in "$SRC"/fuzz/fuzz_*.c; do
	name="$(basename "$src" .c)"
	[ "$name" = fuzz_common ] || targets+=("$name")
done
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
cmake -S "$SRC" -B "$WORK/build" "${generator[@]}" \
	-DCMAKE_BUILD_TYPE= -DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" \
	-DCMAKE_ASM_FLAGS="$CFLAGS" -DSL_WERROR=OFF -DSL_BUILD_BENCH=OFF -DSL_BUILD_FUZZ=ON \
	-DSL_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" >"$WORK/configure.log" ||
	{ cat "$WORK/configure.log" >&2; exit 1; }
cmake --build "$WORK/build" --parallel "$(nproc)" --target "${targets[@]}"

for name in "${targets[@]}"; do
	t="${name#fuzz_}"
	cp "$WORK/build/fuzz/$name" "$OUT/$name"
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
