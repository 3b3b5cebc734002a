#!/usr/bin/env bash
# fuzz/check_mutants.sh ROOT: the planted bugs still plant. fuzz/mutants.txt
# and fuzz/mutants/*.patch must name the same mutants, and every patch must
# apply cleanly to ROOT's tree as it stands, uncommitted edits included (git
# apply --check in a git checkout, else patch --dry-run without fuzz). A core
# edit that breaks a mutant fails here, with how to regenerate its patch
# (fuzz/mutants.txt). The ctest test fuzz.mutants_apply.
set -euo pipefail

root="${1:?usage: fuzz/check_mutants.sh ROOT}"
cd "$root"
list=fuzz/mutants.txt
[ -f "$list" ] || {
	echo "check_mutants: no $list in $root" >&2
	exit 1
}

listed="$(awk -F'\t' '$1 != "" && $1 !~ /^#/ { print $1 }' "$list" | sort)"
patched="$(find fuzz/mutants -maxdepth 1 -name '*.patch' -printf '%f\n' 2>/dev/null |
	sed 's/\.patch$//' | sort)"
bad=0
while read -r name; do
	[ -n "$name" ] || continue
	echo "check_mutants: $list lists $name, but there is no fuzz/mutants/$name.patch" >&2
	bad=1
done < <(comm -23 <(echo "$listed") <(echo "$patched"))
while read -r name; do
	[ -n "$name" ] || continue
	echo "check_mutants: fuzz/mutants/$name.patch is not listed in $list" >&2
	bad=1
done < <(comm -13 <(echo "$listed") <(echo "$patched"))
dups="$(echo "$listed" | uniq -d)"
if [ -n "$dups" ]; then
	echo "check_mutants: listed twice in $list: $(echo "$dups" | tr '\n' ' ')" >&2
	bad=1
fi

# git apply only in the checkout's own root: from a subdirectory it would
# skip the paths outside it.
gitroot=""
if command -v git >/dev/null; then
	gitroot="$(git rev-parse --show-toplevel 2>/dev/null || true)"
fi
if [ -n "$gitroot" ] && [ "$(cd "$gitroot" && pwd -P)" = "$(pwd -P)" ]; then
	how="git apply --check"
else
	how="patch --dry-run -p1 -F0"
fi
n=0
for p in fuzz/mutants/*.patch; do
	[ -f "$p" ] || continue
	n=$((n + 1))
	if ! grep -q '^+++ b/' "$p"; then
		echo "check_mutants: $p changes no file" >&2
		bad=1
		continue
	fi
	if [ "$how" = "git apply --check" ]; then
		out="$(git apply --check "$p" 2>&1)" && continue
	else
		out="$(patch --dry-run -p1 -F0 -N -f -s <"$p" 2>&1)" && continue
	fi
	echo "check_mutants: $p no longer applies ($how):" >&2
	while IFS= read -r line; do
		echo "    $line" >&2
	done <<<"$out"
	echo "  regenerate it as fuzz/mutants.txt says" >&2
	bad=1
done
[ "$bad" -eq 0 ] || exit 1
echo "check_mutants: $n patches apply ($how), and $list lists exactly them"
