#!/usr/bin/python3
"""ci/test/test_summary.py: the nightly's judgement (ci/summary.py) on
synthetic runs: A/B verdicts, the instruction-count gate, change points that
appear with the latest run, new rows, libFuzzer figures, and record() end to
end into a scratch history."""
import contextlib
import io
import json
import random
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "ci"))
import history  # noqa: E402
import summary  # noqa: E402

MACHINE = {"cpu": "Test CPU", "nproc": 2, "kernel": "6.1", "gcc": "gcc 12", "clang": "clang 14",
           "go": "go1.19", "boost": "1.74", "libbenchmark": "1.7.1"}


def make_doc(night, medians, *, commit=None, quick=False, instructions=()):
    """A history document for night `night` with C samples around each
    median: {(name, procs): median}."""
    rng = random.Random(night)
    machine = dict(MACHINE, fingerprint=history.fingerprint(MACHINE))
    commit = commit or f"{night:040x}"
    date = f"2026-11-{night + 1:02d}T02:00:00Z"
    doc = {
        "schema": 1,
        "id": f"202611{night + 1:02d}T020000Z-{commit[:12]}-{machine['fingerprint']}",
        "date": date, "commit": commit, "dirty": False, "subject": f"night {night}",
        "commit_date": date, "machine": machine,
        "conditions": {"governor": None, "turbo": None, "pinned": ""},
        "settings": {"reps": 5, "min_time": 0.1, "filter": "", "quick": quick},
        "benchmarks": [{"name": n, "procs": p, "unit": "ns/op",
                        "c": [m * rng.gauss(1, 0.01) for _ in range(5)],
                        "go": [2 * m * rng.gauss(1, 0.01) for _ in range(5)], "boost": None}
                       for (n, p), m in medians.items()],
        "instructions": [{"name": n, "procs": p, "per_op": v} for (n, p), v in instructions],
        "fuzz": [], "stress": None,
        "steps": [{"name": "bench", "status": "ok", "seconds": 60.0, "detail": ""}],
    }
    return doc


class ABTest(unittest.TestCase):
    def test_regression_and_improvement(self):
        def row(name, verdict, lo, hi):
            return {"name": name, "procs": 1, "ab": {"ratio": 1 + (lo + hi) / 200,
                                                     "shift_pct": (lo + hi) / 2,
                                                     "ci_pct": [lo, hi], "p_value": 0.001,
                                                     "verdict": verdict}}
        compare = {"benchmarks": [row("Slow", "regression", 8, 12),
                                  row("Fast", "improvement", -12, -8),
                                  row("Same", "unchanged", -1, 1),
                                  {"name": "NoBase", "procs": 1, "ab": None}]}
        reg, imp = summary.ab_findings(compare)
        self.assertEqual(len(reg), 1)
        self.assertIn("`Slow`", reg[0])
        self.assertEqual(len(imp), 1)
        self.assertIn("`Fast`", imp[0])


class InstructionGateTest(unittest.TestCase):
    def test_threshold(self):
        base = [{"name": "A", "procs": 1, "per_op": 1000},
                {"name": "B", "procs": 1, "per_op": 1000},
                {"name": "C", "procs": 1, "per_op": 1000}]
        cur = [{"name": "A", "procs": 1, "per_op": 1011},   # +1.1%: over a 1% gate
               {"name": "B", "procs": 1, "per_op": 1009},   # +0.9%: under it
               {"name": "C", "procs": 1, "per_op": 900},    # -10%
               {"name": "D", "procs": 1, "per_op": 5}]      # new: nothing to compare
        reg, imp = summary.insn_findings(cur, base, "the baseline", 1.0)
        self.assertEqual([r.split("`")[1] for r in reg], ["A"])
        self.assertEqual([r.split("`")[1] for r in imp], ["C"])
        self.assertEqual(summary.insn_findings(cur, None, "x", 1.0), ([], []))


class HistoryFindingsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.hist = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def write_nights(self, values, quick=False):
        for night, m in enumerate(values):
            history.write(self.hist, make_doc(night, {("Yield", 1): m, ("Chan", 1): 100.0},
                                              quick=quick))
        return history.load_all(self.hist)

    def test_a_step_is_reported_once_it_is_visible(self):
        # Ten nights at 100, then 115: the step must be reported by the first
        # run that makes it visible, and only by that run.
        values = [100.0] * 10 + [115.0] * 6
        reported = []
        for n in range(1, len(values) + 1):
            docs = [d for d in self.write_nights(values[:n]) if True]
            reg, _, _ = summary.step_findings(docs, docs[-1])
            reported.append((n, reg))
            for p in self.hist.iterdir():
                p.unlink()
        hits = [(n, r) for n, r in reported if r]
        self.assertEqual(len(hits), 1, hits)
        n, reg = hits[0]
        self.assertLessEqual(n, 10 + 5, "found within five nights of the step")
        self.assertIn("`Yield`", reg[0])
        self.assertIn(f"{10:040x}"[:10], reg[0], "names the first commit of the step")

    def test_no_step_on_flat_series(self):
        docs = self.write_nights([100.0] * 12)
        self.assertEqual(summary.step_findings(docs, docs[-1]), ([], [], []))

    def test_quick_runs_are_a_series_of_their_own(self):
        for night in range(10):
            history.write(self.hist, make_doc(night, {("Yield", 1): 100.0}))
        for night in range(10, 16):
            history.write(self.hist, make_doc(night, {("Yield", 1): 150.0}, quick=True))
        docs = history.load_all(self.hist)
        self.assertEqual(summary.step_findings(docs, docs[-1]), ([], [], []))

    def test_new_rows(self):
        history.write(self.hist, make_doc(0, {("A", 1): 1.0}))
        history.write(self.hist, make_doc(1, {("A", 1): 1.0, ("B", 2): 1.0}))
        docs = history.load_all(self.hist)
        self.assertEqual(summary.new_rows(docs, docs[-1]), ["`B` procs 2"])
        self.assertIsNone(summary.new_rows(docs[:1], docs[0]))

    def test_previous_instructions_skip_runs_without_counts(self):
        history.write(self.hist, make_doc(0, {("A", 1): 1.0}, instructions=[(("A", 1), 7)]))
        history.write(self.hist, make_doc(1, {("A", 1): 1.0}))
        history.write(self.hist, make_doc(2, {("A", 1): 1.0}, instructions=[(("A", 1), 9)]))
        docs = history.load_all(self.hist)
        counts, name = summary.previous_instructions(docs, docs[-1])
        self.assertEqual(counts[0]["per_op"], 7)
        self.assertIn("2026-11-01", name)


class SummaryTest(unittest.TestCase):
    def test_sections(self):
        with tempfile.TemporaryDirectory() as d:
            out = Path(d)
            (out / "fuzz.json").write_text(json.dumps([{
                "target": "runq", "seconds": 45.0, "execs": 9000, "exec_per_s": 200.0,
                "coverage": 512, "features": 900, "corpus_size": 77, "crashes": 1}]))
            steps = [{"name": "fuzz", "status": "failed", "seconds": 45.0, "detail": "exit 1"}]
            compare = {"benchmarks": [{"name": "A", "procs": 1, "noisy": True},
                                      {"name": "B", "procs": 2, "noisy": False}]}
            summary.write_summary(out / "summary.md", doc=make_doc(0, {("A", 1): 1.0}),
                                  steps=steps, regressions=["`A` procs 1: slower [A/B]"],
                                  improvements=[], info=[], new=[], links=["[d](x)"],
                                  errors=[], compare=compare)
            text = (out / "summary.md").read_text()
        self.assertIn("**1 regression**; **failed steps: fuzz**", text)
        self.assertIn("- `A` procs 1: slower [A/B]", text)
        self.assertIn("1 of 2 rows are noisy", text)
        self.assertIn("| runq | 45 | 9000 | 200 | 512 | 77 | 1 |", text)
        self.assertIn("| fuzz | failed | 0m45s | exit 1 |", text)


class FuzzFiguresTest(unittest.TestCase):
    def test_libfuzzer_log(self):
        log = ("INFO: Seed: 1\n#2\tINITED cov: 10 ft: 11 corp: 2/20b exec/s: 0 rss: 30Mb\n"
               "#512\tpulse  cov: 40 ft: 90 corp: 9/99b lim: 4 exec/s: 256 rss: 31Mb\n"
               "#1000\tDONE   cov: 41 ft: 95 corp: 10/1Kb lim: 4 exec/s: 500 rss: 31Mb\n"
               "stat::number_of_executed_units: 1000\nstat::average_exec_per_sec:     500\n")
        with tempfile.TemporaryDirectory() as d:
            root = Path(d)
            (root / "results/fuzz/t/corpus").mkdir(parents=True)
            for i in range(3):
                (root / f"results/fuzz/t/corpus/{i}").write_text("x")
            (root / "results/fuzz/t/last.log").write_text(log)
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                summary.main(["fuzz-figures", "--dir", str(root / "results/fuzz"),
                              "--seconds", "2", "t"])
        fig = json.loads(buf.getvalue())[0]
        self.assertEqual((fig["execs"], fig["exec_per_s"], fig["coverage"], fig["features"],
                          fig["corpus_size"], fig["crashes"]), (1000, 500.0, 41, 95, 3, 0))


if __name__ == "__main__":
    unittest.main()
