#!/usr/bin/python3
"""Tests for bench/report.py on small synthetic raw outputs.

    python3 bench/test_report.py

report.py runs as a subprocess, under an interpreter that has scipy and
matplotlib: this one, else Debian's /usr/bin/python3 (python3-scipy and
python3-matplotlib install there, which a python3 earlier on PATH may not see).
"""
import importlib.util
import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

REPORT = Path(__file__).resolve().parent / "report.py"


def report_python():
    if all(importlib.util.find_spec(m) for m in ("scipy", "matplotlib")):
        return sys.executable
    return "/usr/bin/python3"


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
}


def gb_entry(name, value, unit):
    e = {"name": name, "family_index": 0, "per_family_instance_index": 0,
         "run_name": name, "run_type": "iteration", "repetitions": 1,
         "repetition_index": 0, "threads": 1, "iterations": 1000,
         "real_time": 123456.0, "cpu_time": 100.0, "time_unit": "ns"}
    if unit == "counter":
        e["bytes_per_goroutine"] = value
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
    cmd = [report_python(), str(REPORT), str(raw), str(out)]
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
        self.assertEqual(set(doc), {"context", "benchmarks"})
        self.assertEqual([(e["name"], e["procs"]) for e in doc["benchmarks"]], [
            ("ParkedMemory", 1), ("ChanPingPong", 1), ("ChanPingPong", 2),
            ("ScaleSpawn/parked=1000", 2), ("YieldPingPong", 1), ("SwitchFloor", 1),
            ("WakeupLatency", 1)])
        for e in doc["benchmarks"]:
            self.assertEqual(set(e), {"name", "procs", "unit", "c", "go", "boost",
                                      "ratio_c_go", "p_value"})

        e = by_key[("ChanPingPong", 1)]
        self.assertEqual(e["unit"], "ns/op")
        self.assertEqual(e["c"], {"median": 110, "samples": [100, 120, 110]})
        self.assertEqual(e["go"], {"median": 420, "samples": [400, 420, 440]})
        self.assertEqual(e["boost"]["median"], 310)
        self.assertAlmostEqual(e["ratio_c_go"], 110 / 420)
        self.assertAlmostEqual(e["p_value"], 0.1)  # exact test, 3 vs 3, no overlap

        e = by_key[("ChanPingPong", 2)]  # time_unit us -> ns
        for got, want in zip(e["c"]["samples"], [200, 210, 220]):
            self.assertAlmostEqual(got, want)
        self.assertAlmostEqual(e["ratio_c_go"], 210 / 820)
        self.assertIsNone(e["boost"])

        e = by_key[("ScaleSpawn/parked=1000", 2)]
        self.assertEqual(e["c"]["median"], 510)
        self.assertEqual(e["go"]["median"], 1100)

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
        self.assertEqual(md.count("\n| `"), 7)
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


if __name__ == "__main__":
    unittest.main()
