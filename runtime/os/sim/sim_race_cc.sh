#!/bin/sh
# sim_race_cc.sh OBJCOPY SYMS COMPILER ARGS...: the compiler launcher of the
# fine simulation's core objects (runtime/CMakeLists.txt,
# schedlab_fine_instrument). Compiles, then renames in the object every
# libc function that SYMS names (malloc -> sim_race_malloc, ...), so that
# the core's calls reach sim_race.c's wrappers as ThreadSanitizer's
# interceptors would, and nothing else's do.
set -e
objcopy=$1
syms=$2
shift 2
"$@"
out=
prev=
for a in "$@"; do
	if [ "$prev" = "-o" ]; then
		out=$a
	fi
	prev=$a
done
if [ -z "$out" ]; then
	echo "sim_race_cc.sh: no -o in the compile command" >&2
	exit 1
fi
"$objcopy" --redefine-syms="$syms" "$out"
