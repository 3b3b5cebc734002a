#!/bin/bash -eu
# .clusterfuzzlite/build.sh: ClusterFuzzLite's (and OSS-Fuzz's) build step.
# The base image sets CC, CFLAGS, LIB_FUZZING_ENGINE and OUT for the
# sanitizer being built; fuzz/build.sh builds every fuzz target into $OUT with
# its dictionary, options and seed corpus.
cd "$SRC/schedlab"
fuzz/build.sh
# The options files name the dictionaries as in fuzz/ (dict = api.dict), and
# the engine looks for that name next to the target.
cp fuzz/*.dict "$OUT/"
