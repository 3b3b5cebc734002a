#!/bin/bash -eu
# .clusterfuzzlite/build.sh: ClusterFuzzLite's (and OSS-Fuzz's) build step.
# The base image sets CC, CFLAGS, LIB_FUZZING_ENGINE and OUT for the
# sanitizer being built; fuzz/build.sh builds every fuzz target into $OUT with
# its dictionary, options and seed corpus.
cd "$SRC/schedlab"
exec fuzz/build.sh
