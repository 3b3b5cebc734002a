#!/usr/bin/python3
"""ci/summary.py: ci/nightly's bookkeeping: a run into the history, the
regression analysis, summary.md and the dashboard.

    summary.py record --out DIR --history DIR --dashboard DIR [--quick 0|1]
                      [--ab-threshold P] [--insn-threshold P] [--dashboard-url U]
    summary.py previous-commit --history DIR --head SHA
    summary.py step-times --history DIR --quick 0|1
    summary.py fuzz-figures --dir DIR --seconds S TARGET...

record reads what the nightly's steps left in --out (bench/compare.json and
context.json, instructions.json, instructions-base.json, fuzz.json,
stress.json, steps.json), adds one document to the history when the
benchmarks ran, and judges the run in three layers:

  A/B          a row whose candidate/baseline shift has its whole 95% interval
               above +P% (bench/report.py's verdict, the same run)
  instructions exact instructions per op above the baseline's by more than
               --insn-threshold % (the baseline measured in this run, else the
               history's last run that counted instructions: the counts are
               the same on any machine)
  change points E-divisive means over the nightly series of this machine and
               mode (ci/changepoint.py): a step that the latest run makes
               visible for the first time, with the first commit after it

It writes DIR/summary.md (regressions, improvements, new rows, the steps,
links to the dashboard) and regenerates the dashboard (ci/dashboard.py, which
writes it whole or not at all). Exit status: 0, nothing regressed; 1, a
regression; 3, record itself failed (a bad history, say): the summary says so.

previous-commit prints the commit of the history's latest run when it is not
--head and git still knows it (ci/nightly's default baseline), else nothing.
step-times prints "STEP SECONDS" lines from the latest run of the mode.
fuzz-figures prints a JSON list of the campaigns' figures, read from
DIR/NAME/last.log (scripts/fuzz's libFuzzer output) and DIR/NAME/corpus.
"""
import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "ci"))
import changepoint  # noqa: E402
import history  # noqa: E402

# A change point counts as a regression or improvement past this size; smaller
# steps are listed as information.
STEP_MIN_PCT = 5.0


def load_json(path, default=None):
    return json.loads(path.read_text()) if path.exists() else default


def git(*args):
    r = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else ""


# --- small subcommands -------------------------------------------------------

def previous_commit(args):
    docs = history.load_all(args.history) if args.history.is_dir() else []
    for doc in reversed(docs):
        sha = doc["commit"]
        if sha == args.head:
            return 0
        if git("rev-parse", "--verify", "--quiet", f"{sha}^{{commit}}"):
            print(sha)
            return 0
    return 0


def step_times(args):
    docs = history.load_all(args.history) if args.history.is_dir() else []
    quick = bool(int(args.quick))
    for doc in reversed(docs):
        if doc["settings"].get("quick") == quick:
            for step in doc["steps"]:
                if step["status"] == "ok":
                    print(step["name"], round(step["seconds"]))
            return 0
    return 0


# libFuzzer's last progress line: "#123 DONE cov: 1 ft: 2 corp: 3/4b ... exec/s: 5"
PROGRESS = re.compile(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/")


def fuzz_figures(args):
    figures = []
    for target in args.targets:
        d = args.dir / target
        log = d / "last.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        stats = dict(re.findall(r"^stat::(\w+):\s*(\d+)", text, re.M))
        progress = [m.groups() for m in map(PROGRESS.match, text.splitlines()) if m]
        execs, cov, ft, _ = map(int, progress[-1]) if progress else (0, 0, 0, 0)
        execs = int(stats.get("number_of_executed_units", execs))
        corpus = d / "corpus"
        figures.append({
            "target": target,
            "seconds": float(args.seconds),
            "execs": execs,
            "exec_per_s": float(stats.get("average_exec_per_sec", execs / args.seconds)),
            "coverage": cov,
            "features": ft,
            "corpus_size": sum(1 for _ in corpus.iterdir()) if corpus.is_dir() else 0,
            "crashes": text.count("Test unit written to"),
        })
    json.dump(figures, sys.stdout, indent=2)
    print()
    return 0


# --- the analysis ------------------------------------------------------------

def pct(new, old):
    return (new / old - 1.0) * 100.0 if old else 0.0


def label(doc):
    return f"{doc['commit'][:10]} ({doc['date'][:10]})"


def ab_findings(compare):
    regressions, improvements = [], []
    for e in compare.get("benchmarks", []):
        ab = e.get("ab")
        if not ab or ab.get("ci_pct") is None:
            continue
        lo, hi = ab["ci_pct"]
        line = (f"`{e['name']}` procs {e['procs']}: candidate/baseline {ab['ratio']:.3f}, "
                f"shift {ab['shift_pct']:+.1f}% (95% CI {lo:+.1f}% .. {hi:+.1f}%), "
                f"p={ab['p_value']:.2g} [A/B]")
        if ab["verdict"] == "regression":
            regressions.append(line)
        elif ab["verdict"] == "improvement":
            improvements.append(line)
    return regressions, improvements


def insn_findings(current, base, base_name, threshold):
    regressions, improvements = [], []
    if not current or not base:
        return regressions, improvements
    before = {(r["name"], r["procs"]): r["per_op"] for r in base}
    for r in current:
        old = before.get((r["name"], r["procs"]))
        if old is None or old <= 0:
            continue
        change = pct(r["per_op"], old)
        line = (f"`{r['name']}` procs {r['procs']}: {old} -> {r['per_op']} instructions/op "
                f"({change:+.2f}%, against {base_name}) [instructions]")
        if change > threshold:
            regressions.append(line)
        elif change < -threshold:
            improvements.append(line)
    return regressions, improvements


def step_findings(docs, current):
    """Change points that the current run makes visible for the first time:
    the steps of the series with it that the series without it lacks."""
    regressions, improvements, info = [], [], []
    same = [d for d in docs if d["machine"]["fingerprint"] == current["machine"]["fingerprint"]
            and d["settings"].get("quick") == current["settings"].get("quick")]
    for b in current["benchmarks"]:
        series = [(doc, samples) for doc, samples in history.series(same, b["name"], b["procs"])
                  if samples]
        if len(series) < 2 or series[-1][0]["id"] != current["id"]:
            continue
        seen = {s["index"] for s in changepoint.steps(series[:-1])}
        for step in changepoint.steps(series):
            change = step["change_pct"]
            if step["index"] in seen or change is None:
                continue
            line = (f"`{b['name']}` procs {b['procs']}: a step of {change:+.1f}% "
                    f"({step['before_median']:.4g} -> {step['after_median']:.4g} {b['unit']}) "
                    f"from {step['commit'][:10]} ({step['date'][:10]}), after "
                    f"{step['previous_commit'][:10]} [change point]")
            if change > STEP_MIN_PCT:
                regressions.append(line)
            elif change < -STEP_MIN_PCT:
                improvements.append(line)
            else:
                info.append(line)
    return regressions, improvements, info


def new_rows(docs, current):
    earlier = [d for d in docs if d["id"] != current["id"]]
    if not earlier:
        return None
    seen = {(b["name"], b["procs"]) for d in earlier for b in d["benchmarks"]}
    return [f"`{b['name']}` procs {b['procs']}" for b in current["benchmarks"]
            if (b["name"], b["procs"]) not in seen]


def previous_instructions(docs, current):
    for d in reversed(docs):
        if d["id"] != current["id"] and d.get("instructions"):
            return d["instructions"], f"the history's run {label(d)}"
    return None, None


def fmt_seconds(s):
    s = int(round(s))
    return f"{s // 60}m{s % 60:02d}s"


def write_summary(path, *, doc, steps, regressions, improvements, info, new, links, errors,
                  compare=None):
    rows = len(compare["benchmarks"]) if compare else 0
    noisy = [f"`{e['name']}` {e['procs']}" for e in (compare or {}).get("benchmarks", [])
             if e.get("noisy")]
    head = (f"# schedlab nightly: {doc['commit'][:12]}{' (dirty)' if doc['dirty'] else ''}, "
            f"{doc['date']}" if doc else "# schedlab nightly: no benchmark results")
    failed = [s for s in steps if s["status"] == "failed"]
    verdict = []
    if regressions:
        verdict.append(f"**{len(regressions)} regression{'s' if len(regressions) > 1 else ''}**")
    if failed:
        verdict.append(f"**failed steps: {', '.join(s['name'] for s in failed)}**")
    lines = [head, "", "; ".join(verdict) if verdict else "Nothing regressed; every step passed.",
             ""]
    if doc:
        lines += [f"Commit: {doc['subject'] or '?'}. Machine {doc['machine']['fingerprint']}: "
                  f"{doc['machine']['cpu']}, {doc['machine']['nproc']} CPUs."]
    if links:
        lines += ["", " · ".join(links)]

    def section(title, items, empty):
        lines.extend(["", f"## {title}", ""])
        lines.extend([f"- {x}" for x in items] if items else [empty])

    section("Regressions", regressions, "None.")
    section("Improvements", improvements, "None.")
    if new is None:
        section("New", [], "The first run in this history: every row is new.")
    else:
        section("New", new, "No new benchmark rows.")
    if info:
        section("Smaller steps", info, "")
    if errors:
        section("Problems", errors, "")
    if noisy:
        lines += ["", f"{len(noisy)} of {rows} rows are noisy (C or Go CV above 5%; "
                  "compare.md marks them): " + ", ".join(noisy[:12])
                  + (", ..." if len(noisy) > 12 else "")]
    fuzz = load_json(path.parent / "fuzz.json", [])
    if fuzz:
        lines += ["", "## Fuzzing", "", "| target | seconds | execs | exec/s | coverage | corpus "
                  "| crashes |", "|---|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {f['target']} | {f['seconds']:g} | {f['execs']} | {f['exec_per_s']:g} | "
                  f"{f['coverage']} | {f['corpus_size']} | {f['crashes']} |" for f in fuzz]
    lines += ["", "## Steps", "", "| step | status | time | detail |", "|---|---|---:|---|"]
    lines += [f"| {s['name']} | {s['status']} | {fmt_seconds(s['seconds'])} | {s['detail']} |"
              for s in steps]
    lines.append("")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines))
    tmp.replace(path)


def analyse(args, compare, steps, current, base_insn):
    """Record the run in the history, then judge it against the baseline and
    the history. Returns (doc, docs, regressions, improvements, info, new)."""
    doc = history.from_latest(args.out / "bench", instructions=current or [],
                              fuzz=load_json(args.out / "fuzz.json", []),
                              stress=load_json(args.out / "stress.json"),
                              steps=steps, quick=bool(int(args.quick)))
    # A history that does not read is reported before anything is added to it.
    if args.history.is_dir():
        history.load_all(args.history)
    print(f"history: {history.write(args.history, doc)}")
    docs = history.load_all(args.history)

    regressions, improvements = ab_findings(compare)
    base_name = "the baseline in this run"
    if base_insn is None:
        base_insn, base_name = previous_instructions(docs, doc)
    r, i = insn_findings(current, base_insn, base_name, args.insn_threshold)
    regressions += r
    improvements += i
    r, i, info = step_findings(docs, doc)
    return doc, docs, regressions + r, improvements + i, info, new_rows(docs, doc)


def record(args):
    out = args.out
    steps = load_json(out / "steps.json", [])
    compare = load_json(out / "bench" / "compare.json")
    doc, docs, regressions, improvements, info, new = None, [], [], [], [], None
    errors = []
    if compare is not None:
        try:
            doc, docs, regressions, improvements, info, new = analyse(
                args, compare, steps, load_json(out / "instructions.json"),
                load_json(out / "instructions-base.json"))
        except history.HistoryError as e:
            errors.append(f"the history: {e}")

    links = []
    if docs:
        proc = subprocess.run([sys.executable, str(ROOT / "ci" / "dashboard.py"),
                               str(args.history), str(args.dashboard)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            errors.append("the dashboard was not regenerated (the last one stays): "
                          + (proc.stderr.strip() or proc.stdout.strip()))
        url = args.dashboard_url or os.path.relpath(args.dashboard / "index.html", out)
        links.append(f"[dashboard]({url})")
    if compare is not None:
        links.append("[compare.md](bench/compare.md)")

    write_summary(out / "summary.md", doc=doc, steps=steps, regressions=regressions,
                  improvements=improvements, info=info, new=new, links=links, errors=errors,
                  compare=compare)
    for e in errors:
        print(f"summary.py: {e}", file=sys.stderr)
    if errors:
        return 3
    return 1 if regressions else 0


def main(argv=None):
    ap = argparse.ArgumentParser(description="ci/nightly's bookkeeping (see the docstring)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("record")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--history", type=Path, required=True)
    p.add_argument("--dashboard", type=Path, required=True)
    p.add_argument("--dashboard-url", default="")
    p.add_argument("--quick", default="0", choices=("0", "1"))
    p.add_argument("--ab-threshold", type=float, default=5.0)
    p.add_argument("--insn-threshold", type=float, default=1.0)
    p = sub.add_parser("previous-commit")
    p.add_argument("--history", type=Path, required=True)
    p.add_argument("--head", required=True)
    p = sub.add_parser("step-times")
    p.add_argument("--history", type=Path, required=True)
    p.add_argument("--quick", default="0", choices=("0", "1"))
    p = sub.add_parser("fuzz-figures")
    p.add_argument("--dir", type=Path, required=True)
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("targets", nargs="+")
    args = ap.parse_args(argv)
    try:
        return {"record": record, "previous-commit": previous_commit, "step-times": step_times,
                "fuzz-figures": fuzz_figures}[args.cmd](args)
    except history.HistoryError as e:
        print(f"summary.py: {e}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
