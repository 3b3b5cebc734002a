#!/usr/bin/python3
"""bench/smoke_check.py: the checks ctest makes of a smoke run and of the Go twins.

    smoke_check.py run JSON [--exclude REGEX] [--floor]
        JSON is schedlab_bench's --benchmark_out: every benchmark must have
        run (at least one iteration, no error_occurred), and every catalogue
        name of bench/README.md must be there unless REGEX excludes it.
        --floor (release builds): SwitchFloor's round trip must cost less
        CPU time than YieldPingPong's at procs 1. The floor is two bare
        switches and the yield round trip four switches plus the scheduler,
        so a sound floor is a sixth to an eighth of it (6.5 ns against 53
        on Intel Xeon, 15 against 90 to 100 on AMD EPYC), and it came out
        above it when the benchmark lost the floor (104-142 ns on Intel
        while every switch changed MXCSR). CPU time, the whole process's,
        is not inflated by the process waiting for a CPU.
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
NS_PER = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


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


def check_floor(path):
    cpu = {}
    for b in json.loads(Path(path).read_text()).get("benchmarks", []):
        if b.get("run_type") == "aggregate" or b.get("error_occurred"):
            continue
        parts = b.get("run_name", b["name"]).split("/")
        if parts[0] in ("SwitchFloor", "YieldPingPong") and "procs:1" in parts:
            cpu[parts[0]] = float(b["cpu_time"]) * NS_PER[b.get("time_unit", "ns")]
    missing = sorted({"SwitchFloor", "YieldPingPong"} - cpu.keys())
    if missing:
        return [f"floor: {' and '.join(missing)} at procs 1 did not run"]
    floor, yield_ = cpu["SwitchFloor"], cpu["YieldPingPong"]
    print(f"floor: SwitchFloor {floor:.1f} ns, YieldPingPong {yield_:.1f} ns CPU time at procs 1")
    if floor < yield_:
        return []
    return [f"floor: SwitchFloor ({floor:.1f} ns) is not below YieldPingPong ({yield_:.1f} ns) "
            "at procs 1: the bare switch costs more than a scheduler round trip"]


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
        exclude, floor, rest = None, False, argv[2:]
        while rest:
            if rest[0] == "--exclude" and len(rest) >= 2:
                exclude, rest = rest[1], rest[2:]
            elif rest[0] == "--floor":
                floor, rest = True, rest[1:]
            else:
                return usage()
        errors = check_run(argv[1], exclude)
        if floor:
            errors += check_floor(argv[1])
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
