#!/usr/bin/python3
"""bench/report.py: raw benchmark outputs -> compare.json, compare.md, ratios.png.

    report.py RAWDIR OUTDIR [--context context.json] [--ab-threshold PCT]

RAWDIR holds R repetitions of each column (scripts/bench writes them):
    c-01.json, c-02.json, ...      schedlab_bench: Google Benchmark 1.7.1 JSON
    go-01.txt, go-02.txt, ...      the Go twins: `go test -bench` text output
    boost-01.json, ...             schedlab_bench_boost: Google Benchmark JSON
                                   (optional)
    base-01.json, ...              the baseline revision's schedlab_bench
                                   (scripts/bench --baseline REV), same JSON
                                   as c-NN.json (optional)

Each implementation's name maps to one canonical name and procs
(bench/README.md, "Names"):
    GB  ScaleSpawn/parked:1000/procs:2/real_time  ->  ScaleSpawn/parked=1000, 2
    GB  TimerLatency/procs:2/process_time/manual_time  ->  TimerLatency, 2
    Go  BenchmarkScaleSpawn/parked=1000-2         ->  ScaleSpawn/parked=1000, 2
    Go  BenchmarkChanPingPong                     ->  ChanPingPong, 1
A sample is one repetition's per-op wall time in ns (GB real_time, which is
the manual time for manual_time benchmarks, converted from its time_unit; Go
ns/op), except ParkedMemory, whose unit is bytes/goroutine (GB counter
bytes_per_goroutine, Go metric bytes/goroutine). GB aggregate entries and Go
`--- SKIP`s (and 0-iteration results) are ignored.

Noise. Each implementation's summary has its coefficient of variation over
the repetitions ("cv", stats.cv); a row is "noisy" when the C or the Go cv is
above NOISE_CV (5%). A sample is "short" when its trial ran fewer than
MIN_ITERATIONS (100) iterations (GB "iterations", go test's count): its per-op
figure is then one-off costs (first touches, a 10 ms scheduler slice in
PingPongHog) divided by a handful of ops, not a steady state. ParkedMemory
runs 1 iteration by design and is exempt. One short sample marks that
implementation's summary "short"; compare.md prints "too short" for its median
and for the ratios that use it (compare.json keeps the numbers).

A/B. With base-NN.json, each benchmark's C samples (the candidate) are
compared with the baseline's by stats.ab_compare: the Hodges-Lehmann shift,
its distribution-free 95% interval, the Mann-Whitney U p-value, and a verdict:
"regression" when the whole interval lies above +PCT% of the baseline
median (--ab-threshold, default 5), "improvement" when all below -PCT%.

OUTDIR gets:
    compare.json  {"context": {...}, "benchmarks": [{"name", "procs", "unit",
                  "c": {"median", "samples", "cv", "short"}, "go": {...} or
                  null, "boost": {...} or null, "ratio_c_go": median C /
                  median Go or null, "p_value": two-sided Mann-Whitney U of
                  the C and Go samples, or null when a side has fewer than 2,
                  "noisy": C or Go cv above 5%, "baseline": {...} like "c", or
                  null without a baseline result, "ab": null or {"ratio",
                  "shift_pct", "ci_pct": [lo, hi] or null, "p_value",
                  "verdict"} (stats.ab_compare)}], "ab_threshold_pct": PCT},
                  in the order the benchmarks first appear in the C outputs;
                  context is the --context file plus GB's library_build_type,
                  num_cpus, mhz_per_cpu and caches
    compare.md    the context, one table row per benchmark and procs with the
                  C/Go target and the noise, YieldPingPong against 4x
                  SwitchFloor, and with a baseline an A/B table headed by a
                  one-line summary of the regressions
    ratios.png    the C/Go ratios (not the too-short ones), log x axis

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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stats  # noqa: E402

MEMORY = "ParkedMemory"  # measured in bytes/goroutine, not time
MEMORY_GB_COUNTER = "bytes_per_goroutine"
MEMORY_UNIT = "bytes/goroutine"
TIME_UNIT = "ns/op"
NS_PER = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}

# GB name parts that say how it ran, not what: dropped from canonical names.
GB_RUN_PARTS = ("real_time", "manual_time", "process_time")
GB_RUN_PREFIXES = ("min_time:", "min_warmup_time:", "iterations:", "repeats:")

# The targets for median C / median Go: the benchmarks in TIGHT get
# TIGHT_TARGET, those in MID MID_TARGET (issue 12: the channel handoffs and
# the syscall pair), every other benchmark with a Go twin LOOSE_TARGET.
TIGHT = ("YieldPingPong", "ChanPingPong", "PingPongHog", "CreateGoroutines",
         "SpawnWait", "WakeupLatency", "GOMAXPROCSChange")
MID = ("ChanSync", "ChanProdCons0", "ChanProdCons10", "ChanProdCons100", "SyscallEnterExit")
TIGHT_TARGET, MID_TARGET, LOOSE_TARGET = 0.25, 0.4, 0.5
SWITCH_FACTOR = 4  # YieldPingPong procs 1 within 4x the SwitchFloor round trip

NOISE_CV = 0.05      # a row is noisy above this C or Go cv
MIN_ITERATIONS = 100  # a time trial of fewer iterations is too short
AB_THRESHOLD_PCT = 5.0
TOO_SHORT = "too short"

GO_RESULT = re.compile(r"^Benchmark(\S+)\s+(\d+)\s+(.*)$")


def family(name):
    return name.split("/")[0]


def unit_of(name):
    return MEMORY_UNIT if family(name) == MEMORY else TIME_UNIT


def target_of(name):
    if family(name) in TIGHT:
        return TIGHT_TARGET
    return MID_TARGET if family(name) in MID else LOOSE_TARGET


def is_short(name, iterations):
    """A trial of fewer than MIN_ITERATIONS iterations (not ParkedMemory's)."""
    return unit_of(name) == TIME_UNIT and iterations is not None and iterations < MIN_ITERATIONS


# --- reading ---------------------------------------------------------------

def rep_files(rawdir, prefix, ext):
    """prefix-01.ext, prefix-02.ext, ... in repetition order."""
    pat = re.compile(rf"^{prefix}-(\d+)\.{ext}$")
    found = [(int(m[1]), p) for p in rawdir.iterdir() if (m := pat.match(p.name))]
    return [p for _, p in sorted(found)]


def gb_key(name):
    """'ScaleSpawn/parked:1000/procs:2/real_time' -> ('ScaleSpawn/parked=1000', 2);
    'YieldPingPong/procs:1/process_time/real_time' -> ('YieldPingPong', 1)."""
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
    """One GB JSON file -> ([(key, value, short)] in file order, GB context)."""
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
        results.append((key, value, is_short(key[0], b.get("iterations"))))
    return results, doc.get("context", {})


def read_go(path, errors):
    """One `go test -bench` output -> [(key, value, short)] in file order."""
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
        results.append((key, float(metrics[unit]), is_short(key[0], int(m[2]))))
    return results


def collect(per_file):
    """[[(key, value, short)] per repetition] -> {key: ([value per repetition],
    any sample short)}, ordered by first appearance. A key repeated within one
    file counts once."""
    samples = {}
    for results in per_file:
        seen = set()
        for key, value, short in results:
            if key not in seen:
                seen.add(key)
                values, was_short = samples.get(key, ([], False))
                values.append(value)
                samples[key] = (values, was_short or short)
    return samples


# --- comparing -------------------------------------------------------------

def summary(column):
    """(samples, short) or None -> {"median", "samples", "cv", "short"} or None."""
    if not column or not column[0]:
        return None
    samples, short = column
    return {"median": statistics.median(samples), "samples": samples,
            "cv": stats.cv(samples), "short": short}


def ratio(c, go):
    if c is None or go is None or go["median"] == 0:
        return None
    return c["median"] / go["median"]


def p_value(c, go):
    if c is None or go is None:
        return None
    return stats.p_value(c["samples"], go["samples"])


def noisy(*sides):
    return any(s is not None and s["cv"] is not None and s["cv"] > NOISE_CV for s in sides)


def ab(cand, base, threshold_pct, errors, label):
    if cand is None or base is None:
        return None
    try:
        return stats.ab_compare(cand["samples"], base["samples"], threshold_pct)
    except ValueError as e:
        errors.append(f"A/B {label}: {e}")
        return None


def compare(c, go, boost, base=None, threshold_pct=AB_THRESHOLD_PCT, errors=None):
    errors = [] if errors is None else errors
    base = base or {}
    entries = []
    for (name, procs), column in c.items():
        cs, gs = summary(column), summary(go.get((name, procs)))
        bs = summary(base.get((name, procs)))
        entries.append({
            "name": name,
            "procs": procs,
            "unit": unit_of(name),
            "c": cs,
            "go": gs,
            "boost": summary(boost.get((name, procs))),
            "ratio_c_go": ratio(cs, gs),
            "p_value": p_value(cs, gs),
            "noisy": noisy(cs, gs),
            "baseline": bs,
            "ab": ab(cs, bs, threshold_pct, errors, f"{name} procs {procs}"),
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


def fmt_pct(x, signed=False):
    if x is None:
        return "—"
    return f"{x:+.1f}%" if signed else f"{x:.1f}%"


def cv_pct(side):
    return "—" if side is None or side["cv"] is None else fmt_pct(100 * side["cv"])


def median_cell(side):
    if side is None:
        return "—"
    return TOO_SHORT if side["short"] else fmt(side["median"])


def short(*sides):
    return any(s is not None and s["short"] for s in sides)


def find(entries, name, procs):
    return next((e for e in entries if e["name"] == name and e["procs"] == procs), None)


def switch_line(entries):
    y, s = find(entries, "YieldPingPong", 1), find(entries, "SwitchFloor", 1)
    goal = f"target: YieldPingPong round trip within {SWITCH_FACTOR}x the SwitchFloor round trip"
    if y is None or s is None:
        return f"YieldPingPong vs SwitchFloor: not measured ({goal})."
    if short(y["c"], s["c"]):
        return f"YieldPingPong vs SwitchFloor: trials too short ({goal})."
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
    ]
    if ctx.get("baseline"):
        lines.append(f"- baseline (A/B): {ctx['baseline']}")
    lines += [
        f"- CPU: {g('cpu')}; {g('nproc')} usable CPUs of {g('num_cpus')}, "
        f"{g('mhz_per_cpu')} MHz",
    ]
    if any(k in ctx for k in ("governor", "turbo", "pinned")):
        lines.append(f"- frequency governor: {ctx.get('governor') or 'not readable'}, turbo: "
                     f"{ctx.get('turbo') or 'not readable'}, pinned to CPUs: "
                     f"{ctx.get('pinned') or '(not pinned)'}")
    lines += [
        f"- kernel: {g('kernel')}",
        f"- compilers: {g('gcc')}; {g('g++')}; {g('clang')}",
        f"- Go: {g('go')}",
        f"- libbenchmark-dev {g('libbenchmark')}, libboost-fiber-dev {g('boost')}",
        f"- repetitions: {ctx.get('reps', reps)}, min time {g('min_time')} s per "
        f"benchmark and repetition, filter: {ctx.get('filter') or '(all)'}",
        "",
        "Each cell is the median of the repetitions; p is the two-sided "
        "Mann-Whitney U test of the C against the Go repetitions. CV is the "
        "coefficient of variation (stdev / mean) of the C and the Go repetitions; "
        f"a row is **noisy** when either is above {NOISE_CV:.0%}. \"{TOO_SHORT}\": "
        f"a repetition ran fewer than {MIN_ITERATIONS} iterations, so its per-op "
        "time is mostly one-off costs (raise --min-time).",
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
        "| benchmark | procs | unit | C | Go | Boost | C/Go | p | target | met "
        "| CV C / Go | noise |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for e in entries:
        r = e["ratio_c_go"]
        if r is None or short(e["c"], e["go"]):
            target = met = "—"
        else:
            t = target_of(e["name"])
            target, met = f"<= {t:g}", ("met" if r <= t else "not met")
        r_cell = TOO_SHORT if r is not None and short(e["c"], e["go"]) else fmt(r)
        cv_cell = " / ".join(cv_pct(s) for s in (e["c"], e["go"]))
        cells = [f"`{e['name']}`", str(e["procs"]), e["unit"], median_cell(e["c"]),
                 median_cell(e["go"]), median_cell(e["boost"]), r_cell,
                 fmt_p(e["p_value"]), target, met, cv_cell,
                 "**noisy**" if e["noisy"] else ""]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def ab_summary(entries, threshold_pct, baseline_rev):
    """The A/B section's one line: the regressions by name, counts of the rest."""
    against = f"against baseline {baseline_rev}" if baseline_rev else "against the baseline"
    rows = [e for e in entries if e["ab"] is not None]
    counts = {v: [e for e in rows if e["ab"]["verdict"] == v] for v in stats.VERDICTS}
    regs = counts["regression"]
    if regs:
        named = ", ".join(
            f"`{e['name']}` procs {e['procs']} {fmt_pct(e['ab']['shift_pct'], True)} "
            f"[{fmt_pct(e['ab']['ci_pct'][0], True)}, {fmt_pct(e['ab']['ci_pct'][1], True)}]"
            + (f" ({TOO_SHORT})" if short(e["c"], e["baseline"]) else "")
            for e in regs)
        head = f"**{len(regs)} regression{'s' if len(regs) != 1 else ''}** {against}: {named}"
    else:
        head = f"No regression {against}"
    rest = [f"{len(counts[v])} {'with ' if v == 'too few samples' else ''}{v}"
            for v in ("improvement", "unchanged", "too few samples") if counts[v]]
    missing = len(entries) - len(rows)
    if missing:
        rest.append(f"{missing} without a baseline result")
    return (f"{head} (threshold ±{threshold_pct:g}%)"
            + (f"; {', '.join(rest)}." if rest else "."))


def ab_table(entries):
    lines = [
        "| benchmark | procs | unit | cand | base | cand/base | shift [95% CI] | p | verdict |",
        "|---|---:|---|---:|---:|---:|---|---:|---|",
    ]
    for e in entries:
        a = e["ab"]
        if a is None:
            ratio_cell = shift_cell = p_cell = "—"
            verdict = "no baseline" if e["baseline"] is None else "—"
        else:
            ratio_cell = TOO_SHORT if short(e["c"], e["baseline"]) else fmt(a["ratio"])
            ci = ("no 95% CI" if a["ci_pct"] is None else
                  f"{fmt_pct(a['ci_pct'][0], True)}, {fmt_pct(a['ci_pct'][1], True)}")
            shift_cell = f"{fmt_pct(a['shift_pct'], True)} [{ci}]"
            p_cell = fmt_p(a["p_value"])
            verdict = f"**{a['verdict']}**" if a["verdict"] == "regression" else a["verdict"]
        cells = [f"`{e['name']}`", str(e["procs"]), e["unit"], median_cell(e["c"]),
                 median_cell(e["baseline"]), ratio_cell, shift_cell, p_cell, verdict]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def ab_section(ctx, entries, threshold_pct):
    rev = ctx.get("baseline") or ""
    return [
        f"## A/B: this commit (cand) against the baseline{' ' + rev if rev else ''} (base)",
        "",
        ab_summary(entries, threshold_pct, rev),
        "",
        "Both C binaries ran interleaved, repetition by repetition. shift: the "
        "Hodges-Lehmann estimate of cand - base in % of the base median, with its "
        "distribution-free 95% interval (none with fewer than 4 repetitions a side); "
        "p: two-sided Mann-Whitney U. A regression is an interval entirely above "
        f"+{threshold_pct:g}%, an improvement one entirely below -{threshold_pct:g}%.",
        "",
    ] + ab_table(entries)


def write_md(path, ctx, entries, reps, threshold_pct=AB_THRESHOLD_PCT, with_ab=False):
    lines = header(ctx, reps) + [""] + table(entries) + ["", switch_line(entries), ""]
    if with_ab:
        lines += ab_section(ctx, entries, threshold_pct) + [""]
    path.write_text("\n".join(lines))


def tick_label(t):
    """A tick value as a plain number ('0.00025', '2.5', '1000'); powers of ten
    below 1e-5 or from 1e6 as 10^k, anything else there as m×10^k."""
    t = float(f"{t:.3g}")
    if 1e-5 <= t < 1e6:
        s = f"{t:.10f}".rstrip("0").rstrip(".")
        return s
    k = math.floor(math.log10(t))
    m = float(f"{t / 10 ** k:.3g}")
    return f"$10^{{{k}}}$" if m == 1 else f"${m:g}\\times10^{{{k}}}$"


def log_ticks(lo, hi, max_ticks=8):
    """Tick values for a log axis over [lo, hi] (0 < lo < hi): 1, 2.5 and 5 per
    decade while the range spans at most 2 decades (0.25 and 0.5 are the
    targets), else the powers of ten in it, every k-th one (counted from 1)
    so that at most max_ticks remain."""
    eps = 1e-9

    def inside(t):
        return lo * (1 - eps) <= t <= hi * (1 + eps)

    k_lo, k_hi = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    if math.log10(hi / lo) <= 2:
        return [t for k in range(k_lo, k_hi + 1) for m in (1, 2.5, 5)
                if inside(t := m * 10.0 ** k)]
    powers = [k for k in range(k_lo, k_hi + 1) if inside(10.0 ** k)]
    step = math.ceil(len(powers) / max_ticks)
    return [10.0 ** k for k in powers if k % step == 0]


def ratio_figure(entries):
    """The C/Go ratio chart (too-short rows left out, and named below it)."""
    rows = [e for e in entries if e["ratio_c_go"] is not None and not short(e["c"], e["go"])]
    left_out = [e for e in entries if e["ratio_c_go"] is not None and short(e["c"], e["go"])]
    fig, ax = plt.subplots(figsize=(9, 1.8 + 0.3 * max(len(rows), 1)))
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
        ticks = log_ticks(lo, hi)
        ax.set_xticks(ticks, [tick_label(t) for t in ticks])
        ax.minorticks_off()
        for y, r in enumerate(ratios):
            ax.text(r * 1.04, y, tick_label(r), va="center", fontsize=8)
    else:
        ax.text(0.5, 0.5, "no benchmark with both C and Go results", ha="center",
                transform=ax.transAxes)
    for x, style, label in ((0.25, ":", "target 0.25"), (0.5, "--", "target 0.5"),
                            (1.0, "-", "parity 1")):
        ax.axvline(x, color="black", linestyle=style, linewidth=1, label=label)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    xlabel = "median C / median Go (lower: C faster or smaller)"
    if left_out:
        xlabel += "\nnot shown, trials too short: " + ", ".join(
            f"{e['name']} procs {e['procs']}" for e in left_out)
    ax.set_xlabel(xlabel)
    ax.set_title("schedlab / Go, median of the repetitions (green: target met)")
    fig.tight_layout()
    return fig


def write_png(path, entries):
    fig = ratio_figure(entries)
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --- main ------------------------------------------------------------------

def threshold_arg(text):
    try:
        x = float(text)
    except ValueError:
        x = math.nan
    if not (math.isfinite(x) and x >= 0):
        raise argparse.ArgumentTypeError(f"wants a percentage >= 0 such as 5, not '{text}'")
    return x


def main(argv=None):
    ap = argparse.ArgumentParser(description="raw benchmark outputs -> compare.json, "
                                 "compare.md, ratios.png (see the module docstring)")
    ap.add_argument("rawdir", type=Path)
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--context", type=Path, help="JSON object to put under \"context\"")
    ap.add_argument("--ab-threshold", type=threshold_arg, default=AB_THRESHOLD_PCT,
                    metavar="PCT", help="A/B: a regression is a 95%% interval entirely "
                    "above +PCT%% (default %(default)g)")
    args = ap.parse_args(argv)

    errors = []
    c_files = rep_files(args.rawdir, "c", "json") if args.rawdir.is_dir() else []
    if not c_files:
        print(f"report.py: no c-NN.json in {args.rawdir}", file=sys.stderr)
        return 2
    c_runs = [read_gb(p, errors) for p in c_files]
    go = collect(read_go(p, errors) for p in rep_files(args.rawdir, "go", "txt"))
    boost = collect(read_gb(p, errors)[0] for p in rep_files(args.rawdir, "boost", "json"))
    base_files = rep_files(args.rawdir, "base", "json")
    base = collect(read_gb(p, errors)[0] for p in base_files)
    c = collect(results for results, _ in c_runs)
    if not c:
        errors.append(f"no C results in {', '.join(p.name for p in c_files)}")
    for (name, procs) in dict.fromkeys(k for k in [*go, *boost, *base] if k not in c):
        print(f"report.py: warning: {name} procs {procs} has no C result; left out",
              file=sys.stderr)

    given = json.loads(args.context.read_text()) if args.context else {}
    gb_ctx = next((ctx for _, ctx in c_runs if ctx), {})
    ctx = merged_context(given, gb_ctx)
    entries = compare(c, go, boost, base, args.ab_threshold, errors)

    args.outdir.mkdir(parents=True, exist_ok=True)
    with open(args.outdir / "compare.json", "w") as f:
        json.dump({"context": ctx, "benchmarks": entries,
                   "ab_threshold_pct": args.ab_threshold}, f, indent=2)
        f.write("\n")
    write_md(args.outdir / "compare.md", ctx, entries, len(c_files), args.ab_threshold,
             with_ab=bool(base_files))
    write_png(args.outdir / "ratios.png", entries)

    for e in errors:
        print(f"report.py: error: {e}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
