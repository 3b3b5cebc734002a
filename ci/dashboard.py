#!/usr/bin/python3
"""ci/dashboard.py: the history -> results/dashboard/index.html, one page.

    dashboard.py HISTDIR OUTDIR [--against ID]

Reads every document of HISTDIR (ci/history.py's load_all) and writes
OUTDIR/index.html: one self-contained file (Debian's Chart.js, the data, the
style and the script of ci/dashboard/ all inlined) that works opened from
disk with no network. It shows the latest run (commit, settings, the status
of its steps) and then, per machine fingerprint, since wall times compare
only within one machine:
  - an overview table: per benchmark and procs the latest C and Go medians,
    the C/Go ratio against its target (bench/report.py's target_of), the last
    change point of the C series (ci/changepoint.py's find_steps, i.e.
    detect(), on the per-run medians), the noise (CV of the latest run's
    repetitions, marked above 5%) and the latest instructions per op;
  - one card per benchmark and procs: C, Go and Boost medians per run with
    the min-max band of their repetitions, the change points marked with
    their commit, and below it the C/Go ratio with its target line and the
    instructions per op;
  - the scale sweeps (ScaleSpawn/parked=K, GOMAXPROCSSweep/ps=K) as cost
    against K on a log axis, the latest run against an earlier one: --against
    ID (a run id or a unique prefix of one) on ID's machine, else the oldest
    run of the machine that has the sweep;
  - the fuzz figures per run (exec/s, coverage, corpus size, crashes).
Each canvas says what it draws (data-kind, data-name, data-procs); when the
script is done, window.chartsDrawn counts the charts drawn. An empty history
gives a page that says so. The page is written to a temporary file in OUTDIR
and renamed over index.html, so a failed run leaves the previous page whole.

Exit status: 0; 1 on a bad history document (the message names it) or no
Chart.js (apt-get install libjs-chart.js); 2 on bad usage (HISTDIR not a
directory, --against naming no run or several).
"""
import argparse
import datetime
import html
import json
import math
import os
import statistics
import sys
import tempfile
from pathlib import Path

CI = Path(__file__).resolve().parent
sys.path.insert(0, str(CI))
sys.path.insert(1, str(CI.parent / "bench"))
from changepoint import find_steps  # noqa: E402
from history import HistoryError, load_all  # noqa: E402
from report import family, target_of  # noqa: E402

ASSETS = CI / "dashboard"
CHARTJS_DIR = Path("/usr/share/javascript/chart.js")
# libjs-chart.js 4.x ships chart.umd.js; 3.x (bookworm) a UMD chart.min.js.
CHARTJS_NAMES = ("chart.umd.js", "chart.umd.min.js", "chart.min.js", "chart.js")
NOISE_CV = 0.05  # compare.md's noise threshold
IMPLS = ("c", "go", "boost")
# Sweep families: the name's parameter and what it counts.
SWEEPS = {"ScaleSpawn": ("parked", "goroutines alive (K)"),
          "GOMAXPROCSSweep": ("ps", "Ps (K, alternating K and 2K)")}


class UsageError(Exception):
    pass


def chartjs():
    for name in CHARTJS_NAMES:
        path = CHARTJS_DIR / name
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            if ("define.amd" in text[:2000] and "</script" not in text.lower()
                    and "<!--" not in text):
                return text
    raise RuntimeError(f"no UMD build of Chart.js under {CHARTJS_DIR} "
                       "(apt-get install libjs-chart.js)")


# --- the model: plain data for the tables and the charts -------------------

def finite(x):
    return x if x is not None and math.isfinite(x) else None


def sig(x):
    """x to 5 significant digits: the page carries no more than it shows."""
    return float(f"{x:.5g}")


def summary(samples):
    """median, min, max, n and CV (sample stdev / mean) of one run's reps."""
    if not samples:
        return None
    n = len(samples)
    mean = math.fsum(samples) / n
    cv = None
    if n >= 2 and mean > 0:
        cv = math.sqrt(math.fsum((x - mean) ** 2 for x in samples) / (n - 1)) / mean
    return {"med": sig(statistics.median(samples)), "min": sig(min(samples)),
            "max": sig(max(samples)), "n": n, "cv": None if cv is None else sig(cv)}


def short(doc):
    return (doc["commit"][:7] or "unknown") + ("+" if doc["dirty"] else "")


def run_label(doc):
    """The x tick of a run: date and short commit, on two lines."""
    return [doc["date"][:10], short(doc)]


def run_title(doc):
    date = doc["date"].replace("T", " ").replace("Z", " UTC")
    return f"{date} · {short(doc)} {doc['subject']}".strip()


def sweep_point(name):
    """'ScaleSpawn/parked=1000' -> ('ScaleSpawn', 1000); None if no sweep."""
    fam = family(name)
    if fam not in SWEEPS:
        return None
    key, _, value = name[len(fam) + 1:].partition("=")
    if key != SWEEPS[fam][0] or not value.isdigit():
        return None
    return fam, int(value)


def bench_keys(runs):
    """(name, procs) pairs, in the order of the latest run, then older ones."""
    keys = {}
    for doc in reversed(runs):
        for b in doc["benchmarks"]:
            keys.setdefault((b["name"], b["procs"]), None)
    return list(keys)


def change_points(runs, per_run):
    """The steps of the per-run C medians (changepoint.find_steps, i.e.
    detect()), over the runs that have the benchmark: index (of the first run
    after the step), its commit and date, and the change in %."""
    points = [(i, statistics.median(e["c"])) for i, e in enumerate(per_run)
              if e is not None]
    return [{"index": st["label"], "commit": short(runs[st["label"]]),
             "date": runs[st["label"]]["date"][:10],
             "pct": finite(st["change_pct"])} for st in find_steps(points)]


def bench_model(runs, key, instr):
    name, procs = key
    per_run = [next((b for b in doc["benchmarks"]
                     if (b["name"], b["procs"]) == key), None) for doc in runs]
    unit = next(e["unit"] for e in per_run if e is not None)
    series = {}
    for impl in IMPLS:
        sums = [summary(e[impl]) if e is not None else None
                for e in per_run]
        series[impl] = sums if any(sums) else None
    ratio = None
    if series["go"]:
        ratio = [finite(c["med"] / g["med"]) if c and g and g["med"] else None
                 for c, g in zip(series["c"], series["go"])]
    counts = [instr[i].get(key) for i in range(len(runs))]
    has_go = series["go"] is not None
    last = max(i for i, e in enumerate(per_run) if e is not None)
    return {
        "name": name, "procs": procs, "unit": unit,
        "series": series, "ratio": ratio,
        "target": target_of(name) if has_go else None,
        "instr": counts if any(c is not None for c in counts) else None,
        "cps": change_points(runs, per_run),
        "last": last,
    }


def overview_row(runs, b):
    i = b["last"]
    cell = {impl: (b["series"][impl][i] if b["series"][impl] else None)
            for impl in IMPLS}
    ratio = b["ratio"][i] if b["ratio"] else None
    instr = next((c for c in reversed(b["instr"]) if c is not None),
                 None) if b["instr"] else None
    return {
        "c": cell["c"], "go": cell["go"], "ratio": ratio,
        "target": b["target"],
        "met": None if ratio is None else ratio <= b["target"],
        "cp": b["cps"][-1] if b["cps"] else None,
        "instr": instr,
        "stale": None if i == len(runs) - 1 else run_title(runs[i]),
    }


def sweep_model(runs, fam, procs, against_id, notes):
    def points(doc):
        pts = []
        for b in doc["benchmarks"]:
            sp = sweep_point(b["name"])
            if sp and sp[0] == fam and b["procs"] == procs:
                pts.append((sp[1], b))
        return sorted(pts, key=lambda p: p[0])

    having = [doc for doc in runs if points(doc)]
    latest = having[-1]
    earlier = [d for d in having if d is not latest]
    chosen = next((d for d in earlier if d["id"] == against_id), None)
    if against_id and not chosen and any(d["id"] == against_id for d in runs):
        notes.append(f"--against {against_id}: not an earlier run with {fam} procs "
                     f"{procs} on its machine; {fam} procs {procs} is compared with "
                     "the oldest run that has it")
    against = chosen or (earlier[0] if earlier else None)

    def curves(doc):
        out = {}
        for impl in IMPLS:
            pts = [[k, summary(b[impl])] for k, b in points(doc) if b[impl]]
            if pts:
                out[impl] = pts
        return {"title": run_title(doc), "label": " ".join(run_label(doc)),
                "id": doc["id"], "curves": out}

    return {"family": fam, "procs": procs, "xlabel": SWEEPS[fam][1],
            "unit": points(latest)[0][1]["unit"],
            "latest": curves(latest),
            "against": curves(against) if against else None}


FUZZ_METRICS = (("exec_per_s", "exec/s"), ("coverage", "coverage"),
                ("corpus_size", "corpus size"), ("crashes", "crashes"))


def fuzz_model(runs):
    fuzzed = [doc for doc in runs if doc["fuzz"]]
    if not fuzzed:
        return None
    targets = sorted({f["target"] for doc in fuzzed for f in doc["fuzz"]})
    per = [{f["target"]: f for f in doc["fuzz"]} for doc in fuzzed]
    metrics = []
    for key, label in FUZZ_METRICS:
        metrics.append({"key": key, "label": label, "targets": {
            t: [p[t][key] if t in p else None for p in per] for t in targets}})
    return {"labels": [run_label(d) for d in fuzzed],
            "titles": [run_title(d) for d in fuzzed],
            "targets": targets, "metrics": metrics,
            "latest": fuzzed[-1]["fuzz"], "latest_title": run_title(fuzzed[-1])}


def machine_model(runs, against_id, notes):
    instr = [{(x["name"], x["procs"]): x["per_op"]
              for x in doc["instructions"]} for doc in runs]
    benches = [bench_model(runs, key, instr) for key in bench_keys(runs)]
    for b in benches:
        b["row"] = overview_row(runs, b)
    sweeps = []
    for fam in SWEEPS:
        procs = sorted({b["procs"] for b in benches
                        if (sweep_point(b["name"]) or ("",))[0] == fam})
        sweeps += [sweep_model(runs, fam, p, against_id, notes) for p in procs]
    return {"machine": runs[-1]["machine"],
            "conditions": runs[-1]["conditions"],
            "runs": len(runs),
            "labels": [run_label(d) for d in runs],
            "titles": [run_title(d) for d in runs],
            "benches": benches, "sweeps": sweeps, "fuzz": fuzz_model(runs)}


def resolve(docs, prefix):
    """The id of the run that `prefix` names (an id, or a unique prefix)."""
    ids = [d["id"] for d in docs]
    if prefix in ids:
        return prefix
    found = [i for i in ids if i.startswith(prefix)]
    if len(found) != 1:
        raise UsageError(f"--against {prefix}: " + (
            "no such run in the history" if not found else
            f"matches {len(found)} runs: " + ", ".join(found)))
    return found[0]


def build_model(docs, against=None):
    against_id = None if against is None else resolve(docs, against)
    by_fp = {}
    for doc in docs:
        by_fp.setdefault(doc["machine"]["fingerprint"], []).append(doc)
    # The machine with the most recent run first.
    machines = sorted(by_fp.values(), key=lambda r: (r[-1]["date"], r[-1]["id"]),
                      reverse=True)
    latest = max(docs, key=lambda d: (d["date"], d["id"])) if docs else None
    notes = []
    return {"runs": len(docs), "latest": latest,
            "machines": [machine_model(r, against_id, notes) for r in machines],
            "notes": notes}


# --- HTML --------------------------------------------------------------------

def esc(x):
    return html.escape(str(x), quote=True)


def fmt_value(v, unit):
    if v is None:
        return "—"
    if unit == "ns/op":
        for scale, suffix in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")):
            if abs(v) >= scale:
                return f"{v / scale:.3g} {suffix}"
        return f"{v:.3g} ns"
    return f"{v:,.0f} B" if unit == "bytes/goroutine" else f"{v:.4g}"


def fmt_cv(s):
    if s is None or s["cv"] is None:
        return '<td class="num dim">—</td>'
    cls = "num noisy" if s["cv"] > NOISE_CV else "num"
    title = f' title="above {NOISE_CV:.0%}: noisy"' if s["cv"] > NOISE_CV else ""
    return f'<td class="{cls}"{title}>{100 * s["cv"]:.1f}%</td>'


def fmt_seconds(s):
    s = int(round(s or 0))
    return f"{s // 60}m {s % 60:02d}s" if s >= 60 else f"{s}s"


def anchor(mi, bi):
    return f"m{mi}-b{bi}"


def fmt_num(v, spec):
    return "—" if v is None else format(v, spec)


def cp_html(cp):
    if cp is None:
        return '<td class="dim">none</td>'
    pct = "" if cp["pct"] is None else f' <b>{cp["pct"]:+.1f}%</b>'
    cls = "up" if (cp["pct"] or 0) > 0 else "down"
    return (f'<td class="cp {cls}"><code>{esc(cp["commit"])}</code> '
            f'{esc(cp["date"])}{pct}</td>')


def met_html(met):
    if met is None:
        return '<td class="dim">—</td>'
    return ('<td><span class="badge ok">met</span></td>' if met else
            '<td><span class="badge bad">not met</span></td>')


def overview_html(mi, m):
    rows = []
    for bi, b in enumerate(m["benches"]):
        r, unit = b["row"], b["unit"]
        stale = ("" if r["stale"] is None else
                 ' <span class="stale" title="absent from this machine\'s '
                 f'latest run">last run {esc(r["stale"][:10])}</span>')
        rows.append(
            "<tr>"
            f'<td><a href="#{anchor(mi, bi)}">{esc(b["name"])}</a>{stale}</td>'
            f'<td class="num">{b["procs"]}</td>'
            f'<td class="num">{fmt_value(r["c"] and r["c"]["med"], unit)}</td>'
            f'<td class="num">{fmt_value(r["go"] and r["go"]["med"], unit)}</td>'
            f'<td class="num">{fmt_num(r["ratio"], ".3f")}</td>'
            f'<td class="num">{fmt_num(r["target"], "g")}</td>'
            f'{met_html(r["met"])}{cp_html(r["cp"])}'
            f'{fmt_cv(r["c"])}{fmt_cv(r["go"])}'
            f'<td class="num">{fmt_num(r["instr"], ",")}</td>'
            "</tr>")
    return (
        '<table class="overview"><thead><tr>'
        "<th>benchmark</th><th>procs</th><th>C</th><th>Go</th><th>C/Go</th>"
        "<th>target</th><th></th><th>last change point (C)</th>"
        "<th>CV C</th><th>CV Go</th><th>instr/op</th>"
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def bench_card(mi, bi, b):
    r = b["row"]
    bits = []
    for impl, label in (("c", "C"), ("go", "Go"), ("boost", "Boost")):
        s = b["series"][impl] and b["series"][impl][b["last"]]
        if s:
            bits.append(f'<span class="k-{impl}">{label}</span> '
                        f'{fmt_value(s["med"], b["unit"])}')
    if r["ratio"] is not None:
        cls = "ok" if r["met"] else "bad"
        bits.append(f'<span class="badge {cls}">C/Go {r["ratio"]:.3f}'
                    f' (target {r["target"]:g})</span>')
    sub = b["ratio"] is not None or b["instr"] is not None
    attrs = (f'data-m="{mi}" data-b="{bi}" data-name="{esc(b["name"])}" '
             f'data-procs="{b["procs"]}"')
    return (
        f'<div class="card" id="{anchor(mi, bi)}">'
        f'<div class="card-head"><h4>{esc(b["name"])} '
        f'<span class="procs">procs {b["procs"]}</span></h4>'
        f'<div class="latest">{" · ".join(bits)}</div></div>'
        f'<div class="chart main"><canvas data-kind="bench" {attrs}></canvas></div>'
        + (f'<div class="chart sub"><canvas data-kind="sub" {attrs}></canvas></div>'
           if sub else "")
        + "</div>")


def benches_html(mi, m):
    return ('<div class="grid">' + "".join(bench_card(mi, bi, b)
            for bi, b in enumerate(m["benches"])) + "</div>")


def sweeps_html(mi, m):
    cards = []
    for si, s in enumerate(m["sweeps"]):
        vs = (f' against <b>{esc(s["against"]["label"])}</b>' if s["against"]
              else " (no earlier run to compare with)")
        cards.append(
            f'<div class="card"><div class="card-head"><h4>{esc(s["family"])} '
            f'<span class="procs">procs {s["procs"]}</span></h4>'
            f'<div class="latest">latest <b>{esc(s["latest"]["label"])}</b>{vs}'
            "</div></div>"
            f'<div class="chart sweep"><canvas data-kind="sweep" data-m="{mi}" '
            f'data-s="{si}" data-name="{esc(s["family"])}" '
            f'data-procs="{s["procs"]}"></canvas></div></div>')
    return '<div class="grid two">' + "".join(cards) + "</div>"


def fuzz_html(mi, fz):
    cards = "".join(
        f'<div class="card"><div class="card-head"><h4>{esc(mt["label"])}</h4>'
        f'</div><div class="chart fuzz"><canvas data-kind="fuzz" data-m="{mi}" '
        f'data-f="{fi}" data-name="{esc(mt["key"])}"></canvas></div></div>'
        for fi, mt in enumerate(fz["metrics"]))
    rows = "".join(
        f'<tr><td>{esc(f["target"])}</td>'
        f'<td class="num">{fmt_seconds(f["seconds"])}</td>'
        f'<td class="num">{f["execs"]:,}</td>'
        f'<td class="num">{f["exec_per_s"]:,.0f}</td>'
        f'<td class="num">{f["coverage"]:,}</td>'
        f'<td class="num">{f["features"]:,}</td>'
        f'<td class="num">{f["corpus_size"]:,}</td>'
        f'<td class="num{" noisy" if f["crashes"] else ""}">{f["crashes"]}</td></tr>'
        for f in fz["latest"])
    return (
        f'<div class="grid four">{cards}</div>'
        f'<p class="note">Latest fuzzing: {esc(fz["latest_title"])}</p>'
        '<table class="overview fuzzt"><thead><tr><th>target</th><th>time</th>'
        "<th>execs</th><th>exec/s</th><th>coverage</th><th>features</th>"
        f"<th>corpus</th><th>crashes</th></tr></thead><tbody>{rows}</tbody></table>")


MACHINE_KEYS = ("kernel", "gcc", "clang", "go", "boost", "libbenchmark")


def machine_html(mi, m, several):
    mc, cond = m["machine"], m["conditions"]
    specs = " · ".join(f"{k} {esc(mc[k])}" for k in MACHINE_KEYS if mc[k])
    conds = " · ".join(f"{k} {esc(cond[k])}" for k in ("governor", "turbo", "pinned")
                       if cond.get(k))
    parts = [
        f'<section class="machine" id="m{mi}">',
        f'<h2>{esc(mc["cpu"])} · {mc["nproc"]} CPUs '
        f'<code class="fp">{esc(mc["fingerprint"])}</code></h2>',
        f'<p class="specs">{specs}</p>',
        f'<p class="specs">{m["runs"]} runs, {esc(m["titles"][0][:10])} to '
        f'{esc(m["titles"][-1][:10])}{" · latest run: " + conds if conds else ""}'
        + (" · wall times compared only within this machine" if several else "")
        + "</p>",
        "<h3>Overview</h3>",
        '<p class="note">C, Go: medians of the latest run that has the '
        "benchmark; C/Go: their ratio, against its target (bench/report.py); "
        f"CV: standard deviation over mean of that run's repetitions, marked "
        f"above {NOISE_CV:.0%}; instr/op: the latest exact count (callgrind). "
        "The change point is the last step found in the C medians.</p>",
        overview_html(mi, m),
        "<h3>Benchmarks over the runs</h3>",
        '<p class="note">Lines: median of each run\'s repetitions; band: their '
        "min–max. Dashed verticals: change points of the C series (E-divisive "
        "means, ci/changepoint.py), labelled with the first commit after the "
        "step, red when slower, green when faster. Lower chart: median C / "
        "median Go with its target (dashed), and instructions per op (right "
        "axis) where measured.</p>",
        benches_html(mi, m)]
    if m["sweeps"]:
        parts += ["<h3>Scale sweeps</h3>",
                  '<p class="note">Median cost per op against K, log x axis; '
                  "solid: latest run, dashed: the earlier run.</p>",
                  sweeps_html(mi, m)]
    if m["fuzz"]:
        parts += ["<h3>Fuzzing</h3>", fuzz_html(mi, m["fuzz"])]
    parts.append("</section>")
    return "\n".join(parts)


def steps_html(doc):
    rows = "".join(
        f'<tr><td>{esc(s["name"])}</td><td><span class="badge '
        f'{ {"ok": "ok", "failed": "bad"}.get(s["status"], "dim")}">'
        f'{esc(s["status"])}</span></td>'
        f'<td class="num">{fmt_seconds(s["seconds"])}</td>'
        f'<td class="detail">{esc(s["detail"])}</td></tr>'
        for s in doc["steps"])
    if not rows:
        return '<p class="dim">No steps recorded for this run.</p>'
    return ('<table class="overview steps"><thead><tr><th>step</th><th>status'
            f"</th><th>time</th><th>detail</th></tr></thead><tbody>{rows}"
            "</tbody></table>")


def latest_html(doc):
    mc, st = doc["machine"], doc["settings"]
    settings = " · ".join(f"{k} {esc(st[k])}" for k in ("reps", "min_time", "filter")
                          if st[k] != "")
    if st["quick"]:
        settings += " · quick"
    stress = doc["stress"]
    stress_html = ""
    if isinstance(stress, dict) and stress:
        stress_html = ("<dt>stress</dt><dd>" + " · ".join(
            f"{esc(k)} {esc(v)}" for k, v in stress.items()) + "</dd>")
    return (
        '<section class="latest-run"><div><h2>Latest run</h2><dl>'
        f'<dt>commit</dt><dd><code>{esc(doc["commit"][:12])}</code>'
        f'{" (dirty tree)" if doc["dirty"] else ""} '
        f'{esc(doc["subject"])}</dd>'
        f'<dt>date</dt><dd>{esc(doc["date"])}</dd>'
        f'<dt>machine</dt><dd>{esc(mc["cpu"])} · '
        f'<code>{esc(mc["fingerprint"])}</code></dd>'
        f"<dt>settings</dt><dd>{settings or '—'}</dd>{stress_html}"
        f'<dt>id</dt><dd><code>{esc(doc["id"])}</code></dd></dl></div>'
        f"<div><h2>Steps</h2>{steps_html(doc)}</div></section>")


def chart_data(model):
    """What the script draws from: the model without the table-only parts."""
    machines = []
    for m in model["machines"]:
        machines.append({
            "labels": m["labels"], "titles": m["titles"],
            "benches": [{k: v for k, v in b.items() if k != "row"}
                        for b in m["benches"]],
            "sweeps": m["sweeps"], "fuzz": m["fuzz"]})
    return {"machines": machines}


def script_json(obj):
    return json.dumps(obj, allow_nan=False, separators=(",", ":")).replace(
        "</", "<\\/")


def status_pill(doc):
    if doc is None:
        return ""
    failed = [s["name"] for s in doc["steps"] if s["status"] == "failed"]
    if failed:
        return (f'<span class="pill bad">latest run: {len(failed)} step'
                f'{"s" if len(failed) > 1 else ""} failed ({esc(", ".join(failed))})</span>')
    return '<span class="pill ok">latest run: no step failed</span>'


def page(model, histdir, now):
    css = (ASSETS / "dashboard.css").read_text(encoding="utf-8")
    generated = now.strftime("%Y-%m-%d %H:%M UTC")
    head = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>schedlab nightly</title><style>{css}</style></head><body>"
        f'<header><h1>schedlab nightly{status_pill(model["latest"])}</h1>'
        f'<p>{model["runs"]} runs · '
        f'{len(model["machines"])} machine{"s" if len(model["machines"]) != 1 else ""}'
        f" · generated {generated} from <code>{esc(histdir)}</code></p></header>"
        "<main>")
    if not model["runs"]:
        return (head + '<section class="empty"><h2>No runs yet</h2><p>The history '
                f"<code>{esc(histdir)}</code> holds no run. <code>ci/nightly</code> "
                "records one per night; <code>scripts/history import</code> adds "
                "a <code>results/latest/</code>.</p></section></main>"
                "<script>window.chartsDrawn = 0; window.chartsExpected = 0;"
                "document.body.dataset.chartsDrawn = '0';</script></body></html>\n")
    several = len(model["machines"]) > 1
    body = [latest_html(model["latest"])]
    if several:
        body.append('<nav><b>Machines:</b> ' + " ".join(
            f'<a href="#m{mi}">{esc(m["machine"]["cpu"])} '
            f'<code>{esc(m["machine"]["fingerprint"])}</code></a>'
            for mi, m in enumerate(model["machines"])) + "</nav>")
    body += [machine_html(mi, m, several)
             for mi, m in enumerate(model["machines"])]
    js = (ASSETS / "dashboard.js").read_text(encoding="utf-8")
    return (head + "\n".join(body) + "</main>"
            f"<script>{chartjs()}</script>"
            f'<script id="dashboard-data" type="application/json">'
            f"{script_json(chart_data(model))}</script>"
            f"<script>{js}</script></body></html>\n")


def write_atomic(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="dashboard.py",
        description="Write OUTDIR/index.html from the history in HISTDIR.")
    ap.add_argument("histdir", metavar="HISTDIR", type=Path)
    ap.add_argument("outdir", metavar="OUTDIR", type=Path)
    ap.add_argument("--against", metavar="ID",
                    help="the run (id, or a unique prefix) the scale sweeps' "
                    "latest run is compared with (default: the oldest run of "
                    "its machine that has the sweep)")
    args = ap.parse_args(argv)
    try:
        if not args.histdir.is_dir():
            raise UsageError(f"{args.histdir}: not a directory")
        model = build_model(load_all(args.histdir), args.against)
        text = page(model, args.histdir,
                    datetime.datetime.now(datetime.timezone.utc))
        out = args.outdir / "index.html"
        write_atomic(out, text)
        for note in model["notes"]:
            print(f"dashboard.py: note: {note}", file=sys.stderr)
    except UsageError as e:
        print(f"dashboard.py: {e}", file=sys.stderr)
        return 2
    except (HistoryError, RuntimeError, OSError) as e:
        print(f"dashboard.py: {e}", file=sys.stderr)
        return 1
    print(f"dashboard.py: {out} ({model['runs']} runs, "
          f"{len(model['machines'])} machines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
