#!/bin/bash
# package/check_globals.sh NM LIST ARCHIVE...: every global symbol that an
# ARCHIVE defines must match a line of LIST (cmake/schedlab_global_symbols.txt:
# names and globs, '#' comments). Prints each archive's count, and for an
# archive with others, all of them; exit 1 then. Used by the ctest tests
# package.globals (the built archives) and package.install (the installed
# ones).
set -u
if [ $# -lt 3 ]; then
	echo "usage: $0 NM LIST ARCHIVE..." >&2
	exit 2
fi
nm=$1
list=$2
shift 2

patterns=()
while read -r line; do
	line=${line%%#*}
	line=${line//[[:space:]]/}
	[ -n "$line" ] && patterns+=("$line")
done <"$list"
if [ ${#patterns[@]} -eq 0 ]; then
	echo "check_globals: no names in $list" >&2
	exit 2
fi

status=0
for archive in "$@"; do
	if ! out=$("$nm" -g --defined-only "$archive" 2>&1); then
		echo "check_globals: $nm failed on $archive:"
		echo "$out"
		status=1
		continue
	fi
	total=0
	bad=()
	has_api=no
	# "ADDRESS TYPE NAME"; an archive member's header ("member.o:") and
	# blank lines have no NAME.
	while read -r _ _ name; do
		[ -n "$name" ] || continue
		total=$((total + 1))
		[ "$name" = sl_go ] && has_api=yes
		ok=no
		for p in "${patterns[@]}"; do
			# shellcheck disable=SC2053 # $p is a glob
			if [[ $name == $p ]]; then
				ok=yes
				break
			fi
		done
		[ $ok = yes ] || bad+=("$name")
	done <<<"$out"
	# An archive nm could not read, or an empty one, must not pass.
	if [ $has_api = no ]; then
		echo "FAIL $archive: no global sl_go among its $total global symbols"
		status=1
	fi
	if [ ${#bad[@]} -gt 0 ]; then
		echo "FAIL $archive: ${#bad[@]} of its $total global symbols are not allowed by $list" \
			"(they would clash with a program's own names; the archive's object must be" \
			"made by runtime/CMakeLists.txt's schedlab_runtime_library, which localizes them):"
		printf '%s\n' "${bad[@]}" | sort | xargs | fold -s -w 96 | sed 's/^/  /'
		status=1
	elif [ $has_api = yes ]; then
		echo "ok $archive: $total global symbols, all allowed"
	fi
done
exit $status
