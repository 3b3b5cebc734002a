#!/usr/bin/python3
"""bench/report.py: raw benchmark outputs -> compare.json, compare.md, ratios.png.

    report.py RAWDIR OUTDIR [--context context.json]

RAWDIR holds R repetitions of each column (scripts/bench writes them):
    c-01.json, c-02.json, ...      schedlab_bench: Google Benchmark 1.7.1 JSON
    go-01.txt, go-02.txt, ...      the Go twins: `go test -bench` text output
    boost-01.json, ...             schedlab_bench_boost: Google Benchmark JSON
                                   (optional)

Each implementation's name maps to one canonical name and procs
(bench/README.md, "Names"):
    GB  ScaleSpawn/parked:1000/procs:2/real_time  ->  ScaleSpawn/parked=1000, 2
    Go  BenchmarkScaleSpawn/parked=1000-2         ->  ScaleSpawn/parked=1000, 2
    Go  BenchmarkChanPingPong                     ->  ChanPingPong, 1
A sample is one repetition's per-op wall time in ns (GB real_time converted
from its time_unit; Go ns/op), except ParkedMemory, whose unit is
bytes/goroutine (GB counter bytes_per_goroutine, Go metric bytes/goroutine).
GB aggregate entries and Go `--- SKIP`s (and 0-iteration results) are ignored.

OUTDIR gets:
    compare.json  {"context": {...}, "benchmarks": [{"name", "procs", "unit",
                  "c": {"median", "samples"}, "go": {...} or null,
                  "boost": {...} or null, "ratio_c_go": median C / median Go
                  or null, "p_value": two-sided Mann-Whitney U of the C and Go
                  samples, or null when a side has fewer than 2}]}, in the
                  order the benchmarks first appear in the C outputs; context
                  is the --context file plus GB's library_build_type, num_cpus,
                  mhz_per_cpu and caches
    compare.md    the context, one table row per benchmark and procs with the
                  C/Go target, and YieldPingPong against 4x SwitchFloor
    ratios.png    the C/Go ratios, log x axis

Exit status: 0; 1 when a benchmark reported an error (GB error_occurred, Go
--- FAIL or panic), a raw file could not be read or no C benchmark ran, after
writing what it could; 2 on bad usage or no c-NN.json. An empty GB file (its
filter matched nothing) is no error.
"""
import argparse
import json
import math
import re
import statistics
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from scipy.stats import mannwhitneyu  # noqa: E402

MEMORY = "ParkedMemory"  # measured in bytes/goroutine, not time
MEMORY_GB_COUNTER = "bytes_per_goroutine"
MEMORY_UNIT = "bytes/goroutine"
TIME_UNIT = "ns/op"
NS_PER = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}

# GB name parts that say how it ran, not what: dropped from canonical names.
GB_RUN_PARTS = ("real_time", "manual_time", "process_time")
GB_RUN_PREFIXES = ("min_time:", "min_warmup_time:", "iterations:", "repeats:")

# The targets for median C / median Go; every other benchmark with a
# Go twin gets LOOSE_TARGET.
TIGHT = ("YieldPingPong", "ChanPingPong", "PingPongHog", "CreateGoroutines",
         "SpawnWait", "WakeupLatency", "GOMAXPROCSChange")
TIGHT_TARGET, LOOSE_TARGET = 0.25, 0.5
SWITCH_FACTOR = 4  # YieldPingPong procs 1 within 4x the SwitchFloor round trip

GO_RESULT = re.compile(r"^Benchmark(\S+)\s+(\d+)\s+(.*)$")


def family(name):
    return name.split("/")[0]


def unit_of(name):
    return MEMORY_UNIT if family(name) == MEMORY else TIME_UNIT


def target_of(name):
    return TIGHT_TARGET if family(name) in TIGHT else LOOSE_TARGET


# --- reading ---------------------------------------------------------------

def rep_files(rawdir, prefix, ext):
    """prefix-01.ext, prefix-02.ext, ... in repetition order."""
    pat = re.compile(rf"^{prefix}-(\d+)\.{ext}$")
    found = [(int(m[1]), p) for p in rawdir.iterdir() if (m := pat.match(p.name))]
    return [p for _, p in sorted(found)]


def gb_key(name):
    """'ScaleSpawn/parked:1000/procs:2/real_time' -> ('ScaleSpawn/parked=1000', 2)."""
    parts, procs = [], 1
    for part in name.split("/"):
        if part in GB_RUN_PARTS or part.startswith(GB_RUN_PREFIXES):
            continue
        if part.startswith("procs:"):
            procs = int(part[len("procs:"):])
        else:
            parts.append(part.replace(":", "=", 1))
    return "/".join(parts), procs


def go_key(name):
    """'ScaleSpawn/parked=1000-2' (Benchmark stripped) -> ('ScaleSpawn/parked=1000', 2)."""
    m = re.match(r"^(.*)-(\d+)$", name)
    return (m[1], int(m[2])) if m else (name, 1)


def read_gb(path, errors):
    """One GB JSON file -> ([(key, value)] in file order, GB context)."""
    try:
        text = path.read_text()
        # GB leaves the file empty when --benchmark_filter matches nothing.
        doc = json.loads(text) if text.strip() else {}
    except (OSError, ValueError) as e:
        errors.append(f"{path.name}: cannot read: {e}")
        return [], {}
    results = []
    for b in doc.get("benchmarks", []):
        if b.get("run_type") == "aggregate":
            continue
        name = b.get("run_name", b["name"])
        if b.get("error_occurred"):
            errors.append(f"{path.name}: {name}: {b.get('error_message', 'error')}")
            continue
        key = gb_key(name)
        if unit_of(key[0]) == MEMORY_UNIT:
            if MEMORY_GB_COUNTER not in b:
                errors.append(f"{path.name}: {name}: no {MEMORY_GB_COUNTER} counter")
                continue
            value = float(b[MEMORY_GB_COUNTER])
        else:
            value = float(b["real_time"]) * NS_PER[b.get("time_unit", "ns")]
        results.append((key, value))
    return results, doc.get("context", {})


def read_go(path, errors):
    """One `go test -bench` output -> [(key, value)] in file order."""
    try:
        lines = path.read_text().splitlines()
    except OSError as e:
        errors.append(f"{path.name}: cannot read: {e}")
        return []
    results = []
    for i, line in enumerate(lines):
        # A failure may follow the name on its result line:
        # "BenchmarkX-2   \t--- FAIL: BenchmarkX-2", then indented messages.
        if "--- FAIL" in line or line.startswith("panic:"):
            detail = [line.strip()]
            for more in lines[i + 1:]:
                if not more[:1].isspace():
                    break
                detail.append(more.strip())
            errors.append(f"{path.name}: " + " / ".join(detail))
            continue
        m = GO_RESULT.match(line)
        if not m or int(m[2]) == 0:  # not a result, or a skip inside the run
            continue
        key = go_key(m[1])
        fields = m[3].split()
        metrics = dict(zip(fields[1::2], fields[0::2]))
        unit = unit_of(key[0])
        if unit not in metrics:
            errors.append(f"{path.name}: Benchmark{m[1]}: no {unit} metric")
            continue
        results.append((key, float(metrics[unit])))
    return results


def collect(per_file):
    """[[(key, value)] per repetition] -> {key: [value per repetition]}, ordered
    by first appearance. A key repeated within one file counts once."""
    samples = {}
    for results in per_file:
        seen = set()
        for key, value in results:
            if key not in seen:
                seen.add(key)
                samples.setdefault(key, []).append(value)
    return samples


# --- comparing -------------------------------------------------------------

def summary(samples):
    if not samples:
        return None
    return {"median": statistics.median(samples), "samples": samples}


def ratio(c, go):
    if c is None or go is None or go["median"] == 0:
        return None
    return c["median"] / go["median"]


def p_value(c, go):
    if c is None or go is None or len(c["samples"]) < 2 or len(go["samples"]) < 2:
        return None
    p = float(mannwhitneyu(c["samples"], go["samples"], alternative="two-sided").pvalue)
    return None if math.isnan(p) else p


def compare(c, go, boost):
    entries = []
    for (name, procs), samples in c.items():
        cs, gs = summary(samples), summary(go.get((name, procs)))
        entries.append({
            "name": name,
            "procs": procs,
            "unit": unit_of(name),
            "c": cs,
            "go": gs,
            "boost": summary(boost.get((name, procs))),
            "ratio_c_go": ratio(cs, gs),
            "p_value": p_value(cs, gs),
        })
    return entries


def merged_context(given, gb):
    ctx = {k: gb[k] for k in ("library_build_type", "num_cpus", "mhz_per_cpu", "caches")
           if k in gb}
    ctx.update(given)
    return ctx


# --- writing ---------------------------------------------------------------

def fmt(x):
    """3 significant digits, without exponents for ordinary magnitudes."""
    if x is None:
        return "—"
    r = float(f"{x:.3g}")
    return f"{r:.0f}" if abs(r) >= 100 else f"{r:.3g}"


def fmt_p(p):
    if p is None:
        return "—"
    return "<0.0001" if p < 0.0001 else f"{p:.2g}"


def find(entries, name, procs):
    return next((e for e in entries if e["name"] == name and e["procs"] == procs), None)


def switch_line(entries):
    y, s = find(entries, "YieldPingPong", 1), find(entries, "SwitchFloor", 1)
    goal = f"target: YieldPingPong round trip within {SWITCH_FACTOR}x the SwitchFloor round trip"
    if y is None or s is None:
        return f"YieldPingPong vs SwitchFloor: not measured ({goal})."
    limit = SWITCH_FACTOR * s["c"]["median"]
    met = "met" if y["c"]["median"] <= limit else "not met"
    return (f"YieldPingPong (procs 1) median {fmt(y['c']['median'])} ns vs "
            f"{SWITCH_FACTOR} × SwitchFloor median {fmt(s['c']['median'])} ns = "
            f"{fmt(limit)} ns ({goal}): **{met}**.")


def header(ctx, reps):
    def g(key):
        return ctx.get(key, "?")

    lines = [
        "# schedlab vs Go (vs Boost.Fiber)",
        "",
        f"- date: {g('date')}",
        f"- commit: {g('commit')}",
        f"- CPU: {g('cpu')}; {g('nproc')} usable CPUs of {g('num_cpus')}, "
        f"{g('mhz_per_cpu')} MHz",
        f"- kernel: {g('kernel')}",
        f"- compilers: {g('gcc')}; {g('g++')}; {g('clang')}",
        f"- Go: {g('go')}",
        f"- libbenchmark-dev {g('libbenchmark')}, libboost-fiber-dev {g('boost')}",
        f"- repetitions: {ctx.get('reps', reps)}, min time {g('min_time')} s per "
        f"benchmark and repetition, filter: {ctx.get('filter') or '(all)'}",
        "",
        "Each cell is the median of the repetitions; p is the two-sided "
        "Mann-Whitney U test of the C against the Go repetitions.",
    ]
    if ctx.get("library_build_type") == "debug":
        lines += [
            "",
            "Debian's libbenchmark reports `library_build_type: debug`: that is how "
            "Google Benchmark itself was compiled, so it affects only the harness's own "
            "per-batch bookkeeping (timer reads, iteration counts, counters), not the "
            "measured code: the C runtime and benchmarks and the Boost column are built "
            "-O2 (release preset), the Go twins by go test.",
        ]
    return lines


def table(entries):
    lines = [
        "| benchmark | procs | unit | C | Go | Boost | C/Go | p | target | met |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for e in entries:
        r = e["ratio_c_go"]
        if r is None:
            target = met = "—"
        else:
            t = target_of(e["name"])
            target, met = f"<= {t:g}", ("met" if r <= t else "not met")
        cells = [f"`{e['name']}`", str(e["procs"]), e["unit"], fmt(e["c"]["median"]),
                 fmt(e["go"] and e["go"]["median"]), fmt(e["boost"] and e["boost"]["median"]),
                 fmt(r), fmt_p(e["p_value"]), target, met]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def write_md(path, ctx, entries, reps):
    lines = header(ctx, reps) + [""] + table(entries) + ["", switch_line(entries), ""]
    path.write_text("\n".join(lines))


def write_png(path, entries):
    rows = [e for e in entries if e["ratio_c_go"] is not None]
    fig, ax = plt.subplots(figsize=(9, 1.6 + 0.3 * max(len(rows), 1)))
    if rows:
        ratios = [e["ratio_c_go"] for e in rows]
        colors = ["tab:green" if e["ratio_c_go"] <= target_of(e["name"]) else "tab:red"
                  for e in rows]
        ax.set_xscale("log")
        ax.barh(range(len(rows)), ratios, color=colors)
        ax.set_yticks(range(len(rows)), [f"{e['name']}  procs {e['procs']}" for e in rows])
        ax.invert_yaxis()
        lo, hi = min(ratios + [0.25]) / 2, max(ratios + [1.0]) * 2
        ax.set_xlim(lo, hi)
        # 1-2.5-5 steps per decade (0.25 and 0.5 are the targets), so the
        # labels stay apart however wide the range is.
        ticks = [m * 10.0 ** k for k in range(-6, 4) for m in (1, 2.5, 5)
                 if lo <= m * 10.0 ** k <= hi]
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.minorticks_off()
        for y, r in enumerate(ratios):
            ax.text(r * 1.04, y, fmt(r), va="center", fontsize=8)
    else:
        ax.text(0.5, 0.5, "no benchmark with both C and Go results", ha="center",
                transform=ax.transAxes)
    for x, style, label in ((0.25, ":", "target 0.25"), (0.5, "--", "target 0.5"),
                            (1.0, "-", "parity 1")):
        ax.axvline(x, color="black", linestyle=style, linewidth=1, label=label)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_xlabel("median C / median Go (lower: C faster or smaller)")
    ax.set_title("schedlab / Go, median of the repetitions (green: target met)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --- main ------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description="raw benchmark outputs -> compare.json, "
                                 "compare.md, ratios.png (see the module docstring)")
    ap.add_argument("rawdir", type=Path)
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--context", type=Path, help="JSON object to put under \"context\"")
    args = ap.parse_args(argv)

    errors = []
    c_files = rep_files(args.rawdir, "c", "json") if args.rawdir.is_dir() else []
    if not c_files:
        print(f"report.py: no c-NN.json in {args.rawdir}", file=sys.stderr)
        return 2
    c_runs = [read_gb(p, errors) for p in c_files]
    go = collect(read_go(p, errors) for p in rep_files(args.rawdir, "go", "txt"))
    boost = collect(read_gb(p, errors)[0] for p in rep_files(args.rawdir, "boost", "json"))
    c = collect(results for results, _ in c_runs)
    if not c:
        errors.append(f"no C results in {', '.join(p.name for p in c_files)}")
    for (name, procs) in dict.fromkeys(k for k in [*go, *boost] if k not in c):
        print(f"report.py: warning: {name} procs {procs} has no C result; left out",
              file=sys.stderr)

    given = json.loads(args.context.read_text()) if args.context else {}
    gb_ctx = next((ctx for _, ctx in c_runs if ctx), {})
    ctx = merged_context(given, gb_ctx)
    entries = compare(c, go, boost)

    args.outdir.mkdir(parents=True, exist_ok=True)
    with open(args.outdir / "compare.json", "w") as f:
        json.dump({"context": ctx, "benchmarks": entries}, f, indent=2)
        f.write("\n")
    write_md(args.outdir / "compare.md", ctx, entries, len(c_files))
    write_png(args.outdir / "ratios.png", entries)

    for e in errors:
        print(f"report.py: error: {e}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
