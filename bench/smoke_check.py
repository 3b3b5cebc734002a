#!/usr/bin/python3
"""bench/smoke_check.py: checks for ctest that assert nothing about speed.

    smoke_check.py run JSON [--exclude REGEX]
        JSON is schedlab_bench's --benchmark_out: every benchmark must have
        run (at least one iteration, no error_occurred), and every catalogue
        name of bench/README.md must be there unless REGEX excludes it.
    smoke_check.py twins C_LIST GO_LIST
        C_LIST is `schedlab_bench --benchmark_list_tests`, GO_LIST is
        `go test -list Benchmark` over bench/go: every C benchmark but
        SwitchFloor must have a Go twin of the same name, and the reverse.

Exit status 0 when the check holds, 1 with the reasons on stderr otherwise.
"""
import json
import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"
NO_GO_TWIN = {"SwitchFloor"}


def catalogue_names():
    """The base names in the README's catalogue table (first column)."""
    names = set()
    in_table = False
    for line in README.read_text().splitlines():
        if line.startswith("| name | procs |"):
            in_table = True
            continue
        if in_table:
            if not line.startswith("|"):
                break
            for name in re.findall(r"`([A-Za-z0-9]+)", line.split("|")[1]):
                names.add(name)
    return names


def base_name(gb_name):
    return gb_name.split("/")[0]


def check_run(path, exclude):
    errors = []
    data = json.loads(Path(path).read_text())
    seen = set()
    for b in data.get("benchmarks", []):
        seen.add(base_name(b["name"]))
        if b.get("error_occurred"):
            errors.append(f"{b['name']}: {b.get('error_message', 'error')}")
        elif b.get("iterations", 0) < 1:
            errors.append(f"{b['name']}: no iterations")
    for name in sorted(catalogue_names() - seen):
        if not (exclude and re.search(exclude, name)):
            errors.append(f"{name}: in the catalogue but did not run")
    print(f"smoke: {len(data.get('benchmarks', []))} runs of {len(seen)} benchmarks")
    return errors


def check_twins(c_list, go_list):
    c = {base_name(line) for line in Path(c_list).read_text().split() if line}
    go = {
        line[len("Benchmark"):]
        for line in Path(go_list).read_text().split()
        if line.startswith("Benchmark")
    }
    errors = [f"{n}: no Go twin" for n in sorted(c - go - NO_GO_TWIN)]
    errors += [f"{n}: a Go benchmark with no C original" for n in sorted(go - c)]
    missing = catalogue_names() - c
    errors += [f"{n}: in the catalogue, not in schedlab_bench" for n in sorted(missing)]
    print(f"twins: {len(c)} C benchmarks, {len(go)} Go benchmarks")
    return errors


def main(argv):
    if len(argv) >= 2 and argv[0] == "run":
        exclude = None
        if len(argv) == 4 and argv[2] == "--exclude":
            exclude = argv[3]
        elif len(argv) != 2:
            return usage()
        errors = check_run(argv[1], exclude)
    elif len(argv) == 3 and argv[0] == "twins":
        errors = check_twins(argv[1], argv[2])
    else:
        return usage()
    for e in errors:
        print(f"smoke_check: {e}", file=sys.stderr)
    return 1 if errors else 0


def usage():
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
