#!/usr/bin/python3
"""Tests for bench/report.py and bench/stats.py on small synthetic raw outputs
and synthetic samples.

    python3 bench/test_report.py

They need scipy and matplotlib: under a python3 that lacks them (one earlier on
PATH than Debian's), the file runs itself again under /usr/bin/python3, where
python3-scipy and python3-matplotlib install. report.py runs both as a
subprocess (its command line and exit status) and imported (its functions and
main()).
"""
import contextlib
import importlib.util
import io
import itertools
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

DEBIAN_PYTHON = "/usr/bin/python3"
if (__name__ == "__main__" and sys.executable != DEBIAN_PYTHON
        and not all(importlib.util.find_spec(m) for m in ("scipy", "matplotlib"))):
    os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON, *sys.argv])

BENCH = Path(__file__).resolve().parent
REPORT = BENCH / "report.py"
sys.path.insert(0, str(BENCH))
import report  # noqa: E402
import stats  # noqa: E402

GB_CONTEXT = {
    "date": "2024-01-01T00:00:00+00:00",
    "num_cpus": 2,
    "mhz_per_cpu": 2500,
    "caches": [{"type": "Data", "level": 1, "size": 32768, "num_sharing": 1}],
    "library_build_type": "debug",
}

# Per repetition (3 reps): GB name -> (values, time_unit).
C_RUNS = {
    "ParkedMemory/procs:1/iterations:1/real_time": ([2000, 2100, 2200], "counter"),
    "ChanPingPong/procs:1/real_time": ([100, 120, 110], "ns"),
    "ChanPingPong/procs:2/real_time": ([0.2, 0.21, 0.22], "us"),
    "ScaleSpawn/parked:1000/procs:2/real_time": ([500, 520, 510], "ns"),
    "YieldPingPong/procs:1/real_time": ([40, 44, 42], "ns"),
    "SwitchFloor/procs:1/real_time": ([10, 11, 12], "ns"),
    "WakeupLatency/procs:1/manual_time": ([1000, 1100, 1200], "ns"),
    "TimerLatency/procs:2/process_time/manual_time": ([21, 22, 23], "us"),
}
BOOST_RUNS = {
    "ChanPingPong/procs:1/real_time": ([300, 310, 320], "ns"),
    "SwitchFloor/procs:1/real_time": ([0.02, 0.021, 0.022], "us"),
}
# Go result lines per repetition: name -> values (ns/op, or bytes/goroutine).
GO_RUNS = {
    "BenchmarkParkedMemory": [2700, 2800, 2900],
    "BenchmarkChanPingPong": [400, 420, 440],
    "BenchmarkChanPingPong-2": [800, 820, 840],
    "BenchmarkScaleSpawn/parked=1000-2": [1000, 1100, 1200],
    "BenchmarkYieldPingPong": [50, 60, 70],
    "BenchmarkWakeupLatency": [4000, 4400, 4200],
    "BenchmarkTimerLatency-2": [59000, 60000, 61000],
}


def gb_entry(name, value, unit):
    e = {"name": name, "family_index": 0, "per_family_instance_index": 0,
         "run_name": name, "run_type": "iteration", "repetitions": 1,
         "repetition_index": 0, "threads": 1, "iterations": 1000,
         "real_time": 123456.0, "cpu_time": 100.0, "time_unit": "ns"}
    if unit == "counter":
        e["bytes_per_goroutine"], e["iterations"] = value, 1
    else:
        e["real_time"], e["time_unit"] = value, unit
    return e


def gb_doc(runs, rep):
    benchmarks = [gb_entry(n, vals[rep], unit) for n, (vals, unit) in runs.items()]
    # An aggregate is ignored.
    benchmarks.append(dict(gb_entry("ChanPingPong/procs:1/real_time", 1e9, "ns"),
                           name="ChanPingPong/procs:1/real_time_mean",
                           run_type="aggregate", aggregate_name="mean"))
    return {"context": GB_CONTEXT, "benchmarks": benchmarks}


def go_text(rep):
    lines = ["goos: linux", "goarch: amd64", "pkg: schedlab/bench/go", "cpu: Test CPU"]
    for name, vals in GO_RUNS.items():
        if name == "BenchmarkParkedMemory":
            lines.append(f"{name:<40}\t       1\t 987654321 ns/op\t"
                         f"{vals[rep]:>10} bytes/goroutine")
        else:
            lines.append(f"{name:<40}\t  100000\t{vals[rep]:>14} ns/op")
    # A skip, both as -v prints it and as a 0-iteration result: ignored.
    lines += ["--- SKIP: BenchmarkPingPongHog-2", "    proc_test.go:10: procs > 1",
              f"{'BenchmarkPingPongHog-2':<40}\t       0\t           NaN ns/op",
              "PASS", "ok  \tschedlab/bench/go\t12.345s"]
    return "\n".join(lines) + "\n"


def write_raw(raw, reps=3, boost=True):
    raw.mkdir()
    for rep in range(reps):
        nn = f"{rep + 1:02d}"
        (raw / f"c-{nn}.json").write_text(json.dumps(gb_doc(C_RUNS, rep)))
        (raw / f"go-{nn}.txt").write_text(go_text(rep))
        if boost:
            (raw / f"boost-{nn}.json").write_text(json.dumps(gb_doc(BOOST_RUNS, rep)))


def run_report(raw, out, context=None):
    cmd = [sys.executable, str(REPORT), str(raw), str(out)]
    if context is not None:
        cmd += ["--context", str(context)]
    return subprocess.run(cmd, capture_output=True, text=True)


class ReportTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        self.raw, self.out = self.dir / "raw", self.dir / "out"

    def tearDown(self):
        self.tmp.cleanup()

    def report(self, **kw):
        ctx = self.dir / "context.json"
        ctx.write_text(json.dumps({"commit": "abc123-dirty", "cpu": "Test CPU",
                                   "nproc": 2, "reps": 3, "min_time": "0.1"}))
        write_raw(self.raw, **kw)
        return run_report(self.raw, self.out, ctx)

    def entries(self):
        doc = json.loads((self.out / "compare.json").read_text())
        return doc, {(e["name"], e["procs"]): e for e in doc["benchmarks"]}

    def test_compare_json(self):
        r = self.report()
        self.assertEqual(r.returncode, 0, r.stderr)
        doc, by_key = self.entries()
        self.assertEqual(set(doc), {"context", "benchmarks", "ab_threshold_pct"})
        self.assertEqual(doc["ab_threshold_pct"], 5.0)
        self.assertEqual([(e["name"], e["procs"]) for e in doc["benchmarks"]], [
            ("ParkedMemory", 1), ("ChanPingPong", 1), ("ChanPingPong", 2),
            ("ScaleSpawn/parked=1000", 2), ("YieldPingPong", 1), ("SwitchFloor", 1),
            ("WakeupLatency", 1), ("TimerLatency", 2)])
        for e in doc["benchmarks"]:
            self.assertEqual(set(e), {"name", "procs", "unit", "c", "go", "boost",
                                      "ratio_c_go", "p_value", "noisy", "baseline", "ab"})
            self.assertIsNone(e["baseline"])  # no base-NN.json
            self.assertIsNone(e["ab"])
            self.assertEqual(set(e["c"]), {"median", "samples", "cv", "short"})
            self.assertFalse(e["c"]["short"])

        e = by_key[("ChanPingPong", 1)]
        self.assertEqual(e["unit"], "ns/op")
        self.assertEqual(e["c"], {"median": 110, "samples": [100, 120, 110],
                                  "cv": 0.09090909090909091, "short": False})
        self.assertEqual(e["go"], {"median": 420, "samples": [400, 420, 440],
                                   "cv": 0.047619047619047616, "short": False})
        self.assertTrue(e["noisy"])  # C 9.1%
        self.assertEqual(e["boost"]["median"], 310)
        self.assertAlmostEqual(e["ratio_c_go"], 110 / 420)
        self.assertAlmostEqual(e["p_value"], 0.1)  # exact test, 3 vs 3, no overlap

        e = by_key[("ChanPingPong", 2)]  # time_unit us -> ns
        for got, want in zip(e["c"]["samples"], [200, 210, 220]):
            self.assertAlmostEqual(got, want)
        self.assertAlmostEqual(e["ratio_c_go"], 210 / 820)
        self.assertIsNone(e["boost"])
        self.assertFalse(e["noisy"])  # C 4.8%, Go 2.4%

        e = by_key[("ScaleSpawn/parked=1000", 2)]
        self.assertEqual(e["c"]["median"], 510)
        self.assertEqual(e["go"]["median"], 1100)
        self.assertTrue(e["noisy"])  # C 2.0%, Go 9.1%

        e = by_key[("TimerLatency", 2)]  # .../process_time/manual_time
        self.assertEqual(e["c"]["samples"], [21000, 22000, 23000])
        self.assertEqual(e["go"]["median"], 60000)

        e = by_key[("ParkedMemory", 1)]  # the counter/metric, not the time
        self.assertEqual(e["unit"], "bytes/goroutine")
        self.assertEqual(e["c"]["samples"], [2000, 2100, 2200])
        self.assertEqual(e["go"]["samples"], [2700, 2800, 2900])
        self.assertAlmostEqual(e["ratio_c_go"], 2100 / 2800)

        e = by_key[("SwitchFloor", 1)]  # no Go twin
        self.assertIsNone(e["go"])
        self.assertIsNone(e["ratio_c_go"])
        self.assertIsNone(e["p_value"])
        self.assertAlmostEqual(e["boost"]["median"], 21)

        self.assertEqual(by_key[("WakeupLatency", 1)]["go"]["median"], 4200)

        ctx = doc["context"]
        self.assertEqual(ctx["commit"], "abc123-dirty")
        self.assertEqual(ctx["library_build_type"], "debug")
        self.assertEqual(ctx["num_cpus"], 2)
        self.assertEqual(ctx["mhz_per_cpu"], 2500)
        self.assertEqual(ctx["caches"], GB_CONTEXT["caches"])

    def test_compare_md_and_png(self):
        r = self.report()
        self.assertEqual(r.returncode, 0, r.stderr)
        md = (self.out / "compare.md").read_text()
        self.assertIn("| `ChanPingPong` | 1 | ns/op | 110 | 420 | 310 | 0.262 | 0.1 "
                      "| <= 0.25 | not met |", md)
        self.assertIn("| `ChanPingPong` | 2 | ns/op | 210 | 820 | — | 0.256 |", md)
        self.assertIn("| `ScaleSpawn/parked=1000` | 2 | ns/op | 510 | 1100 | — | 0.464 "
                      "| 0.1 | <= 0.5 | met |", md)
        self.assertIn("| `ParkedMemory` | 1 | bytes/goroutine | 2100 | 2800 |", md)
        self.assertIn("| `SwitchFloor` | 1 | ns/op | 11 | — | 21 | — | — | — | — |", md)
        self.assertIn("| `WakeupLatency` | 1 |", md)
        self.assertEqual(md.count("\n| `"), 8)
        self.assertIn("| met | 2.0% / 9.1% | **noisy** |", md)  # ScaleSpawn
        self.assertIn("| 0.256 | 0.1 | <= 0.25 | not met | 4.8% / 2.4% |  |", md)
        self.assertNotIn("A/B", md)  # no baseline
        self.assertNotIn("| too short |", md)
        self.assertIn("library_build_type: debug", md)
        self.assertIn("abc123-dirty", md)
        self.assertRegex(md, r"YieldPingPong \(procs 1\) median 42 ns .* 44 ns .*\*\*met\*\*")
        png = self.out / "ratios.png"
        self.assertTrue(png.exists())
        self.assertEqual(png.read_bytes()[:8], b"\x89PNG\r\n\x1a\n")

    def test_without_boost_or_context(self):
        write_raw(self.raw, boost=False)
        r = run_report(self.raw, self.out)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc, by_key = self.entries()
        self.assertTrue(all(e["boost"] is None for e in doc["benchmarks"]))
        self.assertEqual(doc["context"]["library_build_type"], "debug")

    def test_empty_gb_file_is_no_results(self):
        write_raw(self.raw)
        for p in self.raw.glob("boost-*.json"):  # GB's filter matched nothing
            p.write_text("")
        r = run_report(self.raw, self.out)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc, _ = self.entries()
        self.assertTrue(all(e["boost"] is None for e in doc["benchmarks"]))

    def test_one_rep_has_no_p_value(self):
        self.report(reps=1)
        _, by_key = self.entries()
        e = by_key[("ChanPingPong", 1)]
        self.assertEqual(e["c"]["samples"], [100])
        self.assertAlmostEqual(e["ratio_c_go"], 100 / 400)
        self.assertIsNone(e["p_value"])

    def test_gb_error_fails(self):
        write_raw(self.raw)
        doc = json.loads((self.raw / "c-02.json").read_text())
        doc["benchmarks"][1] = {"name": "ChanPingPong/procs:1/real_time",
                                "run_name": "ChanPingPong/procs:1/real_time",
                                "run_type": "iteration", "error_occurred": True,
                                "error_message": "partner never answered"}
        (self.raw / "c-02.json").write_text(json.dumps(doc))
        r = run_report(self.raw, self.out)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("partner never answered", r.stderr)
        _, by_key = self.entries()  # written all the same
        self.assertEqual(by_key[("ChanPingPong", 1)]["c"]["samples"], [100, 110])

    def test_go_fail_fails(self):
        write_raw(self.raw)
        with open(self.raw / "go-03.txt", "a") as f:
            f.write("BenchmarkSpawnWait-2      \t--- FAIL: BenchmarkSpawnWait-2\n"
                    "    spawn_test.go:20: lost a goroutine\nFAIL\n")
        r = run_report(self.raw, self.out)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("lost a goroutine", r.stderr)
        self.assertTrue((self.out / "compare.md").exists())

    def test_no_c_output_is_usage_error(self):
        self.raw.mkdir()
        r = run_report(self.raw, self.out)
        self.assertEqual(r.returncode, 2)

    def test_short_trials(self):
        write_raw(self.raw)
        # C ChanPingPong procs 1: one repetition of 99 iterations (100 would do).
        doc = json.loads((self.raw / "c-02.json").read_text())
        chan = next(b for b in doc["benchmarks"] if b["name"] == "ChanPingPong/procs:1/real_time")
        chan["iterations"] = 99
        (self.raw / "c-02.json").write_text(json.dumps(doc))
        for rep, iters in ((1, 100), (2, 4), (3, 100)):  # Go's --quick PingPongHog
            with open(self.raw / f"go-{rep:02d}.txt", "a") as f:
                f.write(f"BenchmarkPingPongHog   \t{iters:>8}\t   5012345 ns/op\n")
        for rep in (1, 2, 3):
            doc = json.loads((self.raw / f"c-{rep:02d}.json").read_text())
            doc["benchmarks"].append(gb_entry("PingPongHog/procs:1/real_time", 700, "ns"))
            (self.raw / f"c-{rep:02d}.json").write_text(json.dumps(doc))
        r = run_report(self.raw, self.out)
        self.assertEqual(r.returncode, 0, r.stderr)
        _, by_key = self.entries()
        e = by_key[("ChanPingPong", 1)]
        self.assertEqual((e["c"]["short"], e["go"]["short"], e["boost"]["short"]),
                         (True, False, False))
        self.assertAlmostEqual(e["ratio_c_go"], 110 / 420)  # the json keeps it
        e = by_key[("PingPongHog", 1)]
        self.assertEqual((e["c"]["short"], e["go"]["short"]), (False, True))
        self.assertEqual(e["go"]["samples"], [5012345] * 3)
        e = by_key[("ParkedMemory", 1)]  # 1 iteration on both sides, by design
        self.assertEqual((e["c"]["short"], e["go"]["short"]), (False, False))
        md = (self.out / "compare.md").read_text()
        self.assertIn("| `ChanPingPong` | 1 | ns/op | too short | 420 | 310 | too short "
                      "| 0.1 | — | — |", md)
        self.assertIn("| `PingPongHog` | 1 | ns/op | 700 | too short | — | too short |", md)
        self.assertIn("| `ParkedMemory` | 1 | bytes/goroutine | 2100 | 2800 | — | 0.75 |", md)


def sim(rng, n, median, cv):
    """n lognormal samples of the given median and (approximate) cv."""
    sigma = math.sqrt(math.log(1 + cv * cv))
    return [median * rng.lognormvariate(0, sigma) for _ in range(n)]


def brute_critical_rank(m, n, half_alpha=0.025):
    """K by enumerating every arrangement of m x's among m + n ranks."""
    counts = [0] * (m * n + 1)
    for xs in itertools.combinations(range(m + n), m):
        counts[sum(x - i for i, x in enumerate(xs))] += 1  # y's below each x
    total, below = sum(counts), 0
    for u, c in enumerate(counts):
        below += c
        if below / total > half_alpha:
            return u
    raise AssertionError("unreachable")


class StatsTest(unittest.TestCase):
    def test_cv(self):
        self.assertIsNone(stats.cv([]))
        self.assertIsNone(stats.cv([5.0]))
        self.assertIsNone(stats.cv([0.0, 0.0]))
        self.assertEqual(stats.cv([3.0, 3.0, 3.0]), 0.0)
        self.assertAlmostEqual(stats.cv([90, 100, 110]), 10 / 100)
        self.assertAlmostEqual(stats.cv([1, 2, 3, 4]), statistics.stdev([1, 2, 3, 4]) / 2.5)

    def test_critical_rank_exact(self):
        for m in range(1, 8):
            for n in range(1, 8):
                self.assertEqual(stats.critical_rank(m, n), brute_critical_rank(m, n), (m, n))
        self.assertEqual(stats.critical_rank(10, 10), 24)  # U table: 23 at 0.05 two-sided
        # The smallest samples with a 95% interval (module docstring).
        self.assertEqual(stats.critical_rank(3, 3), 0)
        self.assertEqual(stats.critical_rank(4, 4), 1)
        self.assertEqual(stats.critical_rank(3, 4), 0)
        self.assertEqual(stats.critical_rank(3, 5), 1)
        self.assertEqual(stats.critical_rank(2, 7), 0)
        self.assertEqual(stats.critical_rank(2, 8), 1)
        # Beyond EXACT_MAX, the normal approximation: as wide as the exact
        # interval or one rank wider (checked here below EXACT_MAX).
        self.assertEqual(stats.critical_rank(30, 30), 318)
        self.assertEqual(stats.critical_rank(31, 31), 341)
        saved = stats.EXACT_MAX
        try:
            stats.EXACT_MAX = 0
            stats.critical_rank.cache_clear()
            approx = {mn: stats.critical_rank(*mn) for mn in ((10, 10), (12, 20), (30, 30))}
        finally:
            stats.EXACT_MAX = saved
            stats.critical_rank.cache_clear()
        for mn, k in approx.items():
            self.assertIn(stats.critical_rank(*mn) - k, (0, 1), mn)

    def test_hodges_lehmann(self):
        shift, ci, p = stats.hodges_lehmann([5, 6, 7, 8], [1, 2, 3, 4])
        self.assertEqual(shift, 4)  # differences 1..7, median 4
        self.assertEqual(ci, (1, 7))  # K = 1: the extreme differences
        self.assertAlmostEqual(p, 2 / 70)  # exact: 2 of C(8, 4) arrangements
        shift, ci, p = stats.hodges_lehmann([1, 2, 3], [1, 2, 3])
        self.assertEqual(shift, 0)
        self.assertIsNone(ci)

    def test_known_shift_is_a_regression(self):
        rng = random.Random(1)
        base = [rng.gauss(100, 1) for _ in range(10)]
        cand = [x * 1.10 for x in (rng.gauss(100, 1) for _ in range(10))]
        ab = stats.ab_compare(cand, base)
        self.assertEqual(set(ab), {"ratio", "shift_pct", "ci_pct", "p_value", "verdict"})
        self.assertEqual(ab["verdict"], "regression")
        lo, hi = ab["ci_pct"]
        self.assertLess(lo, 10)
        self.assertGreater(hi, 10)
        self.assertGreater(lo, 5)
        self.assertAlmostEqual(ab["shift_pct"], 10, delta=1.5)
        self.assertAlmostEqual(ab["ratio"], 1.10, delta=0.015)
        self.assertLess(ab["p_value"], 0.001)
        # The same data the other way round, and under a higher threshold.
        self.assertEqual(stats.ab_compare(base, cand)["verdict"], "improvement")
        self.assertEqual(stats.ab_compare(cand, base, threshold_pct=15)["verdict"],
                         "unchanged")

    def test_identical_distributions_unchanged(self):
        rng = random.Random(2)
        verdicts = [stats.ab_compare(sim(rng, 10, 100, 0.03), sim(rng, 10, 100, 0.03))
                    ["verdict"] for _ in range(200)]
        self.assertEqual(set(verdicts), {"unchanged"})

    def test_interval_coverage(self):
        # The 95% interval holds the true shift (+3 on N(100, 2)) in 95% of
        # the trials or a little more (10 and 10: 1 - 2 P(U <= 23) = 95.7%).
        rng = random.Random(3)
        hits = 0
        for _ in range(400):
            base = [rng.gauss(100, 2) for _ in range(10)]
            cand = [rng.gauss(103, 2) for _ in range(10)]
            _, (lo, hi), _ = stats.hodges_lehmann(cand, base)
            hits += lo <= 3 <= hi
        self.assertGreaterEqual(hits / 400, 0.92)
        self.assertLessEqual(hits / 400, 0.99)

    def test_too_few_samples(self):
        ab = stats.ab_compare([130, 131, 132], [100, 101, 102])
        self.assertEqual(ab["verdict"], "too few samples")
        self.assertIsNone(ab["ci_pct"])
        self.assertAlmostEqual(ab["shift_pct"], 100 * 30 / 101)  # of the base median
        ab = stats.ab_compare([130], [100])
        self.assertEqual(ab["verdict"], "too few samples")
        self.assertIsNone(ab["p_value"])
        self.assertEqual(stats.ab_compare([130, 131, 132, 133], [100, 101, 102, 103])
                         ["verdict"], "regression")
        with self.assertRaises(ValueError):
            stats.ab_compare([1.0], [0.0, 0.0])
        with self.assertRaises(ValueError):
            stats.ab_compare([], [1.0])


class ReadingTest(unittest.TestCase):
    def test_gb_key(self):
        self.assertEqual(report.gb_key("YieldPingPong/procs:1/process_time/real_time"),
                         ("YieldPingPong", 1))
        self.assertEqual(report.gb_key("TimerLatency/procs:2/process_time/manual_time"),
                         ("TimerLatency", 2))
        self.assertEqual(report.gb_key("ScaleSpawn/parked:1000/procs:2/process_time/real_time"),
                         ("ScaleSpawn/parked=1000", 2))
        self.assertEqual(report.gb_key("ParkedMemory/procs:1/iterations:1/process_time/real_time"),
                         ("ParkedMemory", 1))

    def test_short_rule(self):
        self.assertTrue(report.is_short("PingPongHog", 4))
        self.assertTrue(report.is_short("GOMAXPROCSSweep/ps=512", 99))
        self.assertFalse(report.is_short("GOMAXPROCSSweep/ps=512", 100))
        self.assertFalse(report.is_short("ParkedMemory", 1))
        self.assertFalse(report.is_short("ChanPingPong", None))


def ab_raw(raw, cand, base, reps):
    """c-NN.json and base-NN.json from {GB name: [value per repetition]} (ns)."""
    raw.mkdir()
    for prefix, runs in (("c", cand), ("base", base)):
        for rep in range(reps):
            doc = {"context": GB_CONTEXT,
                   "benchmarks": [gb_entry(n, vals[rep], "ns") for n, vals in runs.items()]}
            (raw / f"{prefix}-{rep + 1:02d}.json").write_text(json.dumps(doc))


class ABReportTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        self.raw, self.out = self.dir / "raw", self.dir / "out"
        rng = random.Random(4)
        reps = 10
        self.cand = {
            "YieldPingPong/procs:1/process_time/real_time": sim(rng, reps, 110, 0.01),
            "ChanPingPong/procs:2/process_time/real_time": sim(rng, reps, 200, 0.02),
            "SpawnWait/procs:1/process_time/real_time": sim(rng, reps, 400, 0.01),
            "TimerLatency/procs:2/process_time/manual_time": sim(rng, reps, 20000, 0.05),
        }
        self.base = {
            "YieldPingPong/procs:1/process_time/real_time": sim(rng, reps, 100, 0.01),
            "ChanPingPong/procs:2/process_time/real_time": sim(rng, reps, 200, 0.02),
            "SpawnWait/procs:1/process_time/real_time": sim(rng, reps, 500, 0.01),
            "Sleep0/procs:1/process_time/real_time": sim(rng, reps, 50, 0.01),  # gone
        }
        ab_raw(self.raw, self.cand, self.base, reps)
        (self.dir / "context.json").write_text(json.dumps({"commit": "c" * 40,
                                                           "baseline": "b" * 40}))

    def tearDown(self):
        self.tmp.cleanup()

    def main(self, *extra):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            rc = report.main([str(self.raw), str(self.out), "--context",
                              str(self.dir / "context.json"), *extra])
        doc = json.loads((self.out / "compare.json").read_text())
        by_key = {(e["name"], e["procs"]): e for e in doc["benchmarks"]}
        return rc, err.getvalue(), doc, by_key, (self.out / "compare.md").read_text()

    def test_baseline_end_to_end(self):
        rc, err, doc, by_key, md = self.main()
        self.assertEqual(rc, 0, err)
        self.assertIn("warning: Sleep0 procs 1 has no C result", err)
        self.assertEqual(doc["ab_threshold_pct"], 5.0)

        e = by_key[("YieldPingPong", 1)]
        self.assertEqual(e["baseline"]["samples"],
                         self.base["YieldPingPong/procs:1/process_time/real_time"])
        self.assertEqual(set(e["baseline"]), {"median", "samples", "cv", "short"})
        self.assertEqual(e["ab"]["verdict"], "regression")
        lo, hi = e["ab"]["ci_pct"]
        self.assertTrue(5 < lo < 10 < hi, (lo, hi))
        self.assertAlmostEqual(e["ab"]["ratio"], e["c"]["median"] / e["baseline"]["median"])
        self.assertEqual(by_key[("ChanPingPong", 2)]["ab"]["verdict"], "unchanged")
        self.assertEqual(by_key[("SpawnWait", 1)]["ab"]["verdict"], "improvement")
        e = by_key[("TimerLatency", 2)]  # new: no baseline
        self.assertIsNone(e["baseline"])
        self.assertIsNone(e["ab"])

        self.assertIn("- baseline (A/B): " + "b" * 40, md)
        self.assertIn("## A/B: this commit (cand) against the baseline " + "b" * 40, md)
        a = by_key[("YieldPingPong", 1)]["ab"]
        self.assertIn(f"**1 regression** against baseline {'b' * 40}: `YieldPingPong` procs 1 "
                      f"{a['shift_pct']:+.1f}% [{lo:+.1f}%, {hi:+.1f}%] (threshold ±5%); "
                      "1 improvement, 1 unchanged, 1 without a baseline result.", md)
        self.assertRegex(md, r"\| `YieldPingPong` \| 1 \| ns/op \| 11\d \| 10\d \| 1\.\d+ "
                             r"\| \+\d+\.\d% \[\+\d+\.\d%, \+\d+\.\d%\] \| <0\.0001 "
                             r"\| \*\*regression\*\* \|")
        self.assertIn("| `TimerLatency` | 2 | ns/op | 20", md)
        self.assertIn("| — | — | — | — | no baseline |", md)

    def test_threshold_option(self):
        rc, err, doc, by_key, md = self.main("--ab-threshold", "15")
        self.assertEqual(rc, 0, err)
        self.assertEqual(doc["ab_threshold_pct"], 15.0)
        self.assertEqual(by_key[("YieldPingPong", 1)]["ab"]["verdict"], "unchanged")
        self.assertEqual(by_key[("SpawnWait", 1)]["ab"]["verdict"], "improvement")  # -20%
        self.assertIn("No regression against baseline " + "b" * 40 + " (threshold ±15%)", md)
        for bad in ("-1", "five", "nan"):
            err = io.StringIO()
            with contextlib.redirect_stderr(err), self.assertRaises(SystemExit) as cm:
                report.main([str(self.raw), str(self.out), "--ab-threshold", bad])
            self.assertEqual(cm.exception.code, 2, bad)  # argparse's usage error
            self.assertIn("--ab-threshold", err.getvalue())

    def test_three_reps_too_few(self):
        for p in self.raw.glob("*-0[4-9].json"):
            p.unlink()
        for p in self.raw.glob("*-10.json"):
            p.unlink()
        rc, err, doc, by_key, md = self.main()
        self.assertEqual(rc, 0, err)
        e = by_key[("YieldPingPong", 1)]
        self.assertEqual(len(e["c"]["samples"]), 3)
        self.assertEqual(e["ab"]["verdict"], "too few samples")
        self.assertIsNone(e["ab"]["ci_pct"])
        self.assertIn("No regression", md)
        self.assertIn("; 3 with too few samples, 1 without a baseline result.", md)
        self.assertIn("[no 95% CI]", md)


class TicksTest(unittest.TestCase):
    RANGES = [(1e-5, 10), (5e-10, 2e4), (2e-6, 3e3), (0.2, 1.5), (0.05, 1.2), (0.01, 4)]

    def entries(self, lo, hi):
        side = {"median": 1.0, "samples": [1.0], "cv": None, "short": False}
        return [{"name": f"Bench{i}", "procs": 1, "ratio_c_go": r, "c": side, "go": side}
                for i, r in enumerate((lo, math.sqrt(lo * hi), hi))]

    def test_tick_values(self):
        self.assertEqual(report.log_ticks(0.1, 3), [0.1, 0.25, 0.5, 1, 2.5])
        self.assertEqual(report.log_ticks(5e-6, 20), [1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10])
        for lo, hi in self.RANGES:
            lo, hi = min(lo, 0.25) / 2, max(hi, 1) * 2  # as ratio_figure pads
            ticks = report.log_ticks(lo, hi)
            self.assertTrue(2 <= len(ticks) <= 8, (lo, hi, ticks))
            self.assertTrue(all(lo <= t <= hi for t in ticks))
            if math.log10(hi / lo) > 2:  # powers of ten only, parity among them
                self.assertTrue(all(float(f"{math.log10(t):.9f}").is_integer() for t in ticks))
                self.assertIn(1.0, ticks)
            else:
                self.assertIn(0.25, ticks)
                self.assertIn(0.5, ticks)

    def test_tick_labels(self):
        self.assertEqual([report.tick_label(t) for t in (1e-5, 2.5e-4, 0.5, 1, 2.5, 1000)],
                         ["0.00001", "0.00025", "0.5", "1", "2.5", "1000"])
        self.assertEqual(report.tick_label(1e-8), "$10^{-8}$")

    def test_rendered_labels_do_not_overlap(self):
        import matplotlib.pyplot as plt
        for lo, hi in self.RANGES:
            fig = report.ratio_figure(self.entries(lo, hi))
            fig.canvas.draw()
            renderer = fig.canvas.get_renderer()
            ax = fig.axes[0]
            lo_x, hi_x = ax.get_xlim()
            boxes = sorted(
                (t.get_window_extent(renderer) for t, v in
                 zip(ax.get_xticklabels(), ax.get_xticks())
                 if t.get_text() and lo_x <= v <= hi_x),
                key=lambda b: b.x0)
            self.assertGreaterEqual(len(boxes), 2, (lo, hi))
            for a, b in zip(boxes, boxes[1:]):
                self.assertGreater(b.x0 - a.x1, 5, (lo, hi))  # pixels apart
            plt.close(fig)


if __name__ == "__main__":
    unittest.main()
