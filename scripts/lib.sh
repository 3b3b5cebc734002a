# shellcheck shell=bash
# scripts/lib.sh: shared helpers for the scripts in this directory.
# Source it, do not run it:  . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# (with "# shellcheck source=scripts/lib.sh" above the line). It works under
# the scripts' `set -euo pipefail` and under plain `set -u` (ci/).
#
#   SL_PACKAGES           the Debian packages the build and tests need
#   sl_ensure_packages    check each with `dpkg -s`; install the missing ones
#                         with apt-get when root, else print the sudo command
#                         and exit 1
#   SL_ROOT               the repository root (the parent of scripts/)

# shellcheck disable=SC2034 # used by the scripts that source this file
SL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# cmake, ninja: the build; gcc, g++: release/debug; clang + libclang-rt-14-dev:
# the tsan/asan presets (clang 14's sanitizer runtimes); gdb + python3: the
# bootstrap walk test; binutils: readelf; libbenchmark-dev: bench/'s Google
# Benchmark shim; libboost-fiber-dev: the Boost.Fiber column; golang-go: the
# Go twins (bench/go); python3-scipy, python3-matplotlib: bench/report.py and
# ci/; valgrind: instruction counts (scripts/opcount); chromium,
# libjs-chart.js: the dashboard and its browser test; npm: the workflow
# validator (@action-validator/cli), python3-yaml: its checks of what the
# workflows name; shellcheck: the scripts' lint test; git:
# the nightly's commits and baselines.
SL_PACKAGES=(cmake ninja-build gcc g++ clang libclang-rt-14-dev gdb python3 binutils
	libbenchmark-dev libboost-fiber-dev golang-go python3-scipy python3-matplotlib
	valgrind chromium libjs-chart.js shellcheck git python3-yaml)
# npm: Debian's package, unless an npm is already there (NodeSource's nodejs
# ships its own and conflicts with Debian's npm).
command -v npm >/dev/null || SL_PACKAGES+=(npm)

sl_ensure_packages() {
	local missing=() p
	for p in "${SL_PACKAGES[@]}"; do
		# "install ok installed" is the only state that counts. (No
		# `dpkg -s | grep -q`: grep's early exit could fail dpkg with
		# SIGPIPE, and pipefail would count an installed package missing.)
		if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
			missing+=("$p")
		fi
	done
	if [ ${#missing[@]} -eq 0 ]; then
		return 0
	fi
	echo "missing packages: ${missing[*]}"
	if [ "$(id -u)" -eq 0 ]; then
		if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"; }; then
			echo "error: apt-get install failed" >&2
			exit 1
		fi
	else
		echo "run this, then try again:"
		echo "  sudo apt-get install -y ${missing[*]}"
		exit 1
	fi
}
