#!/usr/bin/python3
"""Tests for ci/history.py and scripts/history: import of a results/latest/,
round trip, schema checks, a corrupt document, a killed writer, the command.

    /usr/bin/python3 ci/test/test_history.py
"""
import contextlib
import copy
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "ci"))
import history  # noqa: E402
from history import HistoryError  # noqa: E402

PY = sys.executable

# context.json as scripts/bench writes it (min_time is a string there).
CONTEXT = {
    "commit": "", "date": "2026-11-29T15:00:00Z",
    "cpu": "Intel(R) Xeon(R) CPU @ 2.20GHz", "nproc": 2, "kernel": "6.1.0-28-cloud-amd64",
    "gcc": "gcc (Debian 12.2.0-14) 12.2.0", "g++": "g++ (Debian 12.2.0-14) 12.2.0",
    "clang": "Debian clang version 14.0.6", "go": "go version go1.19.8 linux/amd64",
    "libbenchmark": "1.7.1-1", "boost": "1.74.0.3", "reps": 3, "min_time": "0.1",
    "filter": "", "governor": None, "turbo": None, "pinned": "", "baseline": "",
}


def stats(samples):
    return {"median": sorted(samples)[len(samples) // 2], "samples": samples,
            "cv": 0.01, "short": False}


# compare.json as bench/report.py writes it (with the A/B and noise keys).
COMPARE = {
    "context": dict(CONTEXT, library_build_type="debug", num_cpus=2),
    "benchmarks": [
        {"name": "ChanPingPong", "procs": 1, "unit": "ns/op",
         "c": stats([101.5, 99.25, 100.0]), "go": stats([300.0, 310.5, 305.0]),
         "boost": stats([120.0, 121.0, 119.5]), "ratio_c_go": 0.33, "p_value": 0.1,
         "noisy": False, "baseline": None, "ab": None},
        {"name": "ChanPingPong", "procs": 2, "unit": "ns/op",
         "c": stats([200.0, 210.0, 205.0]), "go": stats([400.0, 410.0, 405.0]),
         "boost": None, "ratio_c_go": 0.5, "p_value": 0.1, "noisy": False,
         "baseline": stats([190.0, 200.0, 195.0]),
         "ab": {"ratio": 1.05, "shift_pct": 5.0, "ci_pct": [1.0, 9.0], "p_value": 0.1,
                "verdict": "unchanged"}},
        {"name": "ParkedMemory", "procs": 1, "unit": "bytes/goroutine",
         "c": stats([2048, 2048, 2048]), "go": None, "boost": None, "ratio_c_go": None,
         "p_value": None, "noisy": False, "baseline": None, "ab": None},
    ],
    "ab_threshold_pct": 5.0,
}

INSTRUCTIONS = [{"name": "ChanPingPong", "procs": 1, "per_op": 512}]
FUZZ = [{"target": "fuzz_chan", "seconds": 60.0, "execs": 123456, "exec_per_s": 2057.6,
         "coverage": 812, "features": 1900, "corpus_size": 77, "crashes": 0}]
STEPS = [{"name": "bench", "status": "ok", "seconds": 600.5, "detail": ""},
         {"name": "fuzz", "status": "failed", "seconds": 12.0, "detail": "exit 1"}]


def git(repo, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com",
               GIT_AUTHOR_DATE="2026-11-28T10:00:00+00:00",
               GIT_COMMITTER_DATE="2026-11-28T10:00:00+00:00")
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True, env=env).stdout.strip()


def make_latest(path, compare=COMPARE, **context):
    path.mkdir(parents=True, exist_ok=True)
    ctx = dict(CONTEXT, **context)
    (path / "context.json").write_text(json.dumps(ctx, indent=2) + "\n")
    comp = dict(compare, context=dict(compare["context"], **ctx))
    (path / "compare.json").write_text(json.dumps(comp, indent=2) + "\n")
    return path


def run_main(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = history.main([str(a) for a in argv])
        except SystemExit as e:
            rc = e.code
    return rc, out.getvalue(), err.getvalue()


def snapshot(directory):
    """{name: (bytes, mtime_ns)} of every file in `directory`."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(Path(directory).iterdir())}


class Base(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = Path(self._tmp.name)
        self.addCleanup(self._tmp.cleanup)
        self.repo = self.tmp / "repo"
        self.repo.mkdir()
        git(self.repo, "init", "-q")
        (self.repo / "f").write_text("x\n")
        git(self.repo, "add", "f")
        git(self.repo, "commit", "-q", "-m", "sched: a faster ready queue")
        self.sha = git(self.repo, "rev-parse", "HEAD")
        self.hist = self.tmp / "history"

    def doc(self, date="2026-11-29T15:00:00Z", commit=None, **context):
        latest = make_latest(self.tmp / f"latest-{date}",
                             commit=self.sha if commit is None else commit, date=date,
                             **context)
        return history.from_latest(latest, instructions=INSTRUCTIONS, fuzz=FUZZ,
                                   stress={"soak_seconds": 30, "errors": 0}, steps=STEPS,
                                   quick=True, repo=self.repo)


class ImportTest(Base):
    def test_round_trip(self):
        doc = self.doc()
        self.assertEqual(doc["commit"], self.sha)
        self.assertFalse(doc["dirty"])
        self.assertEqual(doc["subject"], "sched: a faster ready queue")
        self.assertEqual(doc["commit_date"], "2026-11-28T10:00:00+00:00")
        fp = doc["machine"]["fingerprint"]
        self.assertEqual(doc["id"], f"20261129T150000Z-{self.sha[:12]}-{fp}")
        self.assertEqual(doc["settings"], {"reps": 3, "min_time": 0.1, "filter": "",
                                           "quick": True})
        self.assertEqual(doc["conditions"], {"governor": None, "turbo": None, "pinned": ""})
        self.assertEqual(doc["machine"]["cpu"], CONTEXT["cpu"])
        self.assertNotIn("g++", doc["machine"])
        for entry, want in zip(doc["benchmarks"], COMPARE["benchmarks"]):
            self.assertEqual((entry["name"], entry["procs"], entry["unit"]),
                             (want["name"], want["procs"], want["unit"]))
            for impl in ("c", "go", "boost"):
                self.assertEqual(entry[impl], want[impl] and want[impl]["samples"])

        path = history.write(self.hist, doc)
        self.assertEqual(path, self.hist / f"{doc['id']}.json")
        self.assertEqual(history.load(path), doc)
        self.assertEqual(history.load_all(self.hist), [doc])
        self.assertEqual(sorted(os.listdir(self.hist)), [path.name])

        s = history.series([doc], "ChanPingPong", 1, "go")
        self.assertEqual(s, [(doc, [300.0, 310.5, 305.0])])
        self.assertEqual(history.series([doc], "ChanPingPong", 2, "boost"), [])
        self.assertEqual(history.series([doc], "ChanPingPong", 1, fingerprint="0" * 12), [])
        self.assertEqual(history.series([doc], "ChanPingPong", 1, "instructions"),
                         [(doc, [512])])

    def test_fingerprint_is_the_machine_only(self):
        a = self.doc()
        b = self.doc(date="2026-11-30T15:00:00Z", governor="performance", pinned="0,1",
                     reps=10, min_time="0.02")
        c = self.doc(date="2026-12-01T15:00:00Z", kernel="6.1.0-29-cloud-amd64")
        self.assertEqual(a["machine"]["fingerprint"], b["machine"]["fingerprint"])
        self.assertNotEqual(a["machine"]["fingerprint"], c["machine"]["fingerprint"])
        self.assertEqual(b["conditions"]["governor"], "performance")
        self.assertEqual(len(a["machine"]["fingerprint"]), 12)

    def test_dirty_and_unknown_commit(self):
        d = self.doc(commit=f"{self.sha}-dirty")
        self.assertTrue(d["dirty"])
        self.assertEqual(d["commit"], self.sha)
        u = self.doc(commit="unknown")
        self.assertEqual((u["commit"], u["subject"], u["commit_date"]), ("", "", ""))
        self.assertIn("-unknown-", u["id"])
        history.validate(u)
        # A commit git does not know: kept, with no subject.
        o = self.doc(commit="a" * 40)
        self.assertEqual((o["commit"], o["subject"]), ("a" * 40, ""))

    def test_latest_errors_name_the_file(self):
        latest = make_latest(self.tmp / "l", commit=self.sha)
        (latest / "compare.json").write_text("{\"benchmarks\": [")
        with self.assertRaisesRegex(HistoryError, r"l/compare\.json: not valid JSON"):
            history.from_latest(latest, repo=self.repo)
        make_latest(latest, commit=self.sha)
        ctx = json.loads((latest / "context.json").read_text())
        del ctx["kernel"]
        (latest / "context.json").write_text(json.dumps(ctx))
        with self.assertRaisesRegex(HistoryError, r"l/context\.json: kernel: missing"):
            history.from_latest(latest, repo=self.repo)
        broken = copy.deepcopy(COMPARE)
        broken["benchmarks"][1]["c"] = {"median": 1.0}
        make_latest(latest, compare=broken, commit=self.sha)
        with self.assertRaisesRegex(HistoryError,
                                    r"l/compare\.json: benchmarks\[1\]\.c\.samples: missing"):
            history.from_latest(latest, repo=self.repo)
        with self.assertRaisesRegex(HistoryError, r"instructions\[0\]\.per_op"):
            history.from_latest(make_latest(self.tmp / "m", commit=self.sha), repo=self.repo,
                                instructions=[{"name": "X", "procs": 1, "per_op": "many"}])

    def test_report_py_output(self):
        """from_latest reads what bench/report.py writes today."""
        raw, out = self.tmp / "raw", self.tmp / "latest"
        raw.mkdir()
        for rep, (c1, c2, go, boost) in enumerate([(100, 0.2, 300, 120), (110, 0.21, 310, 125),
                                                   (105, 0.22, 305, 122)], 1):
            gb = {"context": {"num_cpus": 2, "library_build_type": "release"},
                  "benchmarks": [
                      {"name": "ChanPingPong/procs:1/real_time", "run_type": "iteration",
                       "iterations": 1000, "real_time": c1, "time_unit": "ns"},
                      {"name": "ChanPingPong/procs:2/real_time", "run_type": "iteration",
                       "iterations": 1000, "real_time": c2, "time_unit": "us"}]}
            (raw / f"c-{rep:02d}.json").write_text(json.dumps(gb))
            gb["benchmarks"] = gb["benchmarks"][:1]
            gb["benchmarks"][0]["real_time"] = boost
            (raw / f"boost-{rep:02d}.json").write_text(json.dumps(gb))
            (raw / f"go-{rep:02d}.txt").write_text(
                f"goos: linux\nBenchmarkChanPingPong   \t 1000\t {go} ns/op\n"
                f"BenchmarkChanPingPong-2 \t 1000\t {go * 2} ns/op\nPASS\n")
        make_latest(out, commit=self.sha)
        (out / "compare.json").unlink()
        r = subprocess.run(["/usr/bin/python3", str(ROOT / "bench" / "report.py"), str(raw),
                            str(out), "--context", str(out / "context.json")],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = history.from_latest(out, repo=self.repo)
        got = {(b["name"], b["procs"]): b for b in doc["benchmarks"]}
        self.assertEqual(got["ChanPingPong", 1]["c"], [100.0, 110.0, 105.0])
        self.assertEqual(got["ChanPingPong", 2]["c"], [200.0, 210.0, 220.0])
        self.assertEqual(got["ChanPingPong", 1]["go"], [300.0, 310.0, 305.0])
        self.assertEqual(got["ChanPingPong", 1]["boost"], [120.0, 125.0, 122.0])
        self.assertIsNone(got["ChanPingPong", 2]["boost"])
        self.assertEqual(history.load(history.write(self.hist, doc)), doc)


class SchemaTest(Base):
    def setUp(self):
        super().setUp()
        self.good = self.doc()

    def bad_file(self, mutate, name=None):
        doc = copy.deepcopy(self.good)
        mutate(doc)
        self.hist.mkdir(exist_ok=True)
        path = self.hist / f"{name or self.good['id']}.json"
        path.write_text(json.dumps(doc))
        return path

    def assertBad(self, mutate, pattern):
        path = self.bad_file(mutate)
        with self.assertRaises(HistoryError) as cm:
            history.load(path)
        self.assertIn(str(path), str(cm.exception))
        self.assertRegex(str(cm.exception), pattern)
        path.unlink()

    def test_missing_key(self):
        self.assertBad(lambda d: d["machine"].pop("cpu"), r": machine\.cpu: missing$")
        self.assertBad(lambda d: d.pop("steps"), r": steps: missing$")
        self.assertBad(lambda d: d["benchmarks"][2].pop("boost"),
                       r": benchmarks\[2\]\.boost: missing$")

    def test_wrong_type(self):
        def c_string(d):
            d["benchmarks"][1]["c"] = "fast"
        self.assertBad(c_string, r": benchmarks\[1\]\.c: expected a non-empty list of numbers")

        def c_element(d):
            d["benchmarks"][0]["c"][2] = "1.0"
        self.assertBad(c_element, r": benchmarks\[0\]\.c\[2\]: expected a finite number")

        def nproc(d):
            d["machine"]["nproc"] = "2"
        self.assertBad(nproc, r": machine\.nproc: expected an integer, got a string")

        def dirty(d):
            d["dirty"] = 0
        self.assertBad(dirty, r": dirty: expected true or false")

        def status(d):
            d["steps"][0]["status"] = "passed"
        self.assertBad(status, r": steps\[0\]\.status: expected one of \"ok\"")

        def negative(d):
            d["fuzz"][0]["crashes"] = -1
        self.assertBad(negative, r": fuzz\[0\]\.crashes: expected an integer >= 0")

    def test_unexpected_key_and_consistency(self):
        def extra(d):
            d["settings"]["warmup"] = 1
        self.assertBad(extra, r": settings\.warmup: unexpected key")

        def machine(d):
            d["machine"]["cpu"] = "another CPU"
        self.assertBad(machine, r": machine\.fingerprint: .* does not match")

        def twice(d):
            d["benchmarks"].append(copy.deepcopy(d["benchmarks"][0]))
        self.assertBad(twice, r": benchmarks\[3\]: ChanPingPong procs 1 already at "
                       r"benchmarks\[0\]")

        path = self.bad_file(lambda d: None, name="20261129T150000Z-other")
        with self.assertRaisesRegex(HistoryError, r"other\.json: id: .* is not the file's name"):
            history.load(path)

    def test_schema_version(self):
        def v2(d):
            d["schema"] = 2
        self.assertBad(v2, r": schema: unknown schema version 2 ")

        def nothing(d):
            d.pop("schema")
        self.assertBad(nothing, r": schema: missing")

    def test_not_json(self):
        self.hist.mkdir()
        path = self.hist / "x.json"
        path.write_text(history.dumps(self.good).replace("101.5", "NaN"))
        with self.assertRaisesRegex(HistoryError, r"x\.json: not valid JSON: NaN"):
            history.load(path)
        path.write_text("[1, 2]")
        with self.assertRaisesRegex(HistoryError, r"x\.json: expected a JSON object"):
            history.load(path)

    def test_write_validates(self):
        doc = copy.deepcopy(self.good)
        doc["benchmarks"][0]["go"] = [float("inf")]
        with self.assertRaisesRegex(HistoryError, r"benchmarks\[0\]\.go\[0\]"):
            history.write(self.hist, doc)
        self.assertFalse(self.hist.exists() and any(self.hist.iterdir()))


class HistoryDirTest(Base):
    def test_corrupt_file_named_and_nothing_touched(self):
        a = history.write(self.hist, self.doc("2026-11-29T15:00:00Z"))
        b = history.write(self.hist, self.doc("2026-11-30T15:00:00Z"))
        corrupt = self.hist / "20261201T150000Z-unknown-000000000000.json"
        corrupt.write_text(a.read_text()[:200])
        (self.hist / "README.txt").write_text("not a document\n")
        (self.hist / ".x.json.tmp").write_text("{")
        before = snapshot(self.hist)
        with self.assertRaises(HistoryError) as cm:
            history.load_all(self.hist)
        message = str(cm.exception)
        self.assertIn(str(corrupt), message)
        self.assertNotIn(a.name, message)
        self.assertNotIn(b.name, message)
        self.assertEqual(snapshot(self.hist), before)
        corrupt.unlink()
        docs = history.load_all(self.hist)
        self.assertEqual([d["id"] for d in docs], [a.stem, b.stem])

    def test_sorted_by_date_then_id(self):
        late = history.write(self.hist, self.doc("2026-12-02T01:00:00Z"))
        early = history.write(self.hist, self.doc("2026-11-02T23:00:00Z"))
        self.assertEqual([d["id"] for d in history.load_all(self.hist)], [early.stem, late.stem])
        self.assertEqual(history.load_all(self.tmp / "no-such-dir"), [])

    def test_append_only(self):
        doc = self.doc()
        path = history.write(self.hist, doc)
        before = snapshot(self.hist)
        with self.assertRaisesRegex(HistoryError, r"already in the history \(same content\)"):
            history.write(self.hist, doc)
        other = copy.deepcopy(doc)
        other["benchmarks"][0]["c"] = [1.0]
        with self.assertRaisesRegex(HistoryError, "already in the history with a different"):
            history.write(self.hist, other)
        self.assertEqual(snapshot(self.hist), before)
        self.assertEqual(history.load(path), doc)

    def test_failed_replace_leaves_nothing(self):
        first = history.write(self.hist, self.doc("2026-11-29T15:00:00Z"))
        doc = self.doc("2026-11-30T15:00:00Z")
        with mock.patch.object(history.os, "replace", side_effect=OSError("disk gone")):
            with self.assertRaisesRegex(OSError, "disk gone"):
                history.write(self.hist, doc)
        self.assertEqual(os.listdir(self.hist), [first.name])
        self.assertEqual([d["id"] for d in history.load_all(self.hist)], [first.stem])

    def test_killed_writer(self):
        """A writer SIGKILLed inside write() (halfway through the data, and
        after the data but before the rename) leaves no document."""
        first = history.write(self.hist, self.doc("2026-11-29T15:00:00Z"))
        doc = self.doc("2026-11-30T15:00:00Z")
        # About 1 MB: far more than a page or a pipe's buffer.
        doc["benchmarks"] = [dict(doc["benchmarks"][0], name=f"B{i}", c=[100.0 + i] * 500)
                             for i in range(100)]
        doc_file = self.tmp / "doc.json"
        doc_file.write_text(json.dumps(doc))
        child = textwrap.dedent("""
            import json, os, sys, time
            sys.path.insert(0, sys.argv[1])
            import history
            doc = json.load(open(sys.argv[2]))
            def ready():
                print("ready", flush=True)
                time.sleep(60)
            if sys.argv[4] == "halfway":
                real_fdopen = os.fdopen
                class Half:
                    def __init__(self, f): self.f = f
                    def __enter__(self): return self
                    def __exit__(self, *a): return self.f.__exit__(*a)
                    def __getattr__(self, name): return getattr(self.f, name)
                    def write(self, data):
                        self.f.write(data[: len(data) // 2])
                        self.f.flush()
                        ready()
                history.os.fdopen = lambda *a, **k: Half(real_fdopen(*a, **k))
            else:
                history.os.fsync = lambda fd: ready()
            history.write(sys.argv[3], doc)
        """)
        for when in ("halfway", "before-rename"):
            with self.subTest(when=when):
                p = subprocess.Popen([PY, "-c", child, str(ROOT / "ci"), str(doc_file),
                                      str(self.hist), when], stdout=subprocess.PIPE, text=True)
                try:
                    self.assertEqual(p.stdout.readline().strip(), "ready")
                    os.kill(p.pid, signal.SIGKILL)
                finally:
                    p.wait(timeout=30)
                    p.stdout.close()
                self.assertEqual(p.returncode, -signal.SIGKILL)
                tmps = [n for n in os.listdir(self.hist) if n != first.name]
                self.assertEqual(len(tmps), 1, tmps)
                self.assertRegex(tmps[0], rf"^\.{doc['id']}\..*\.tmp$")
                partial = (self.hist / tmps[0]).stat().st_size
                full = len(history.dumps(doc).encode())
                if when == "halfway":
                    self.assertLess(partial, full)
                else:
                    self.assertEqual(partial, full)
                self.assertEqual([d["id"] for d in history.load_all(self.hist)], [first.stem])
                rc, out, err = run_main("--dir", self.hist, "check")
                self.assertEqual(rc, 0, err)
                self.assertIn("temporary file of a writer that did not finish", err)
                (self.hist / tmps[0]).unlink()
        # The same document still goes in afterwards.
        history.write(self.hist, doc)
        self.assertEqual(len(history.load_all(self.hist)), 2)


class CommandTest(Base):
    def test_import_list_show(self):
        latest = make_latest(self.tmp / "latest", commit=f"{self.sha}-dirty")
        for name, value in (("steps", STEPS), ("instructions", INSTRUCTIONS)):
            (self.tmp / f"{name}.json").write_text(json.dumps(value))
        with mock.patch.object(history, "REPO", self.repo):
            rc, out, err = run_main("--dir", self.hist, "import", latest, "--quick",
                                    "--steps", self.tmp / "steps.json",
                                    "--instructions", self.tmp / "instructions.json")
        self.assertEqual(rc, 0, err)
        path = Path(out.strip())
        self.assertEqual(path.parent, self.hist)
        doc = history.load(path)
        self.assertEqual((doc["dirty"], doc["settings"]["quick"], doc["steps"]),
                         (True, True, STEPS))
        self.assertEqual(doc["subject"], "sched: a faster ready queue")

        rc, out, err = run_main("--dir", self.hist, "list")
        self.assertEqual(rc, 0, err)
        line = out.splitlines()[1].split()
        self.assertEqual(line, [doc["id"], doc["date"], self.sha[:12], "dirty",
                                doc["machine"]["fingerprint"], "3", "fuzz"])

        rc, out, err = run_main("--dir", self.hist, "show", doc["id"][:10])
        self.assertEqual(rc, 0, err)
        self.assertIn(f"run         {doc['id']}", out)
        self.assertRegex(out, r"ChanPingPong\s+1\s+ns/op\s+3\s+100\s+305\s+120\s+0\.328")
        self.assertIn("fuzz failed 12 s (exit 1)", out)

        rc, out, err = run_main("--dir", self.hist, "import", latest)
        self.assertEqual(rc, 1)
        self.assertIn("already in the history", err)

    def test_compare(self):
        a = history.write(self.hist, self.doc("2026-11-29T15:00:00Z"))
        slower = copy.deepcopy(COMPARE)
        slower["benchmarks"][0]["c"] = stats([110.0, 111.0, 109.0])
        b_doc = history.from_latest(
            make_latest(self.tmp / "b", compare=slower, commit=self.sha,
                        date="2026-11-30T15:00:00Z"), repo=self.repo,
            instructions=[{"name": "ChanPingPong", "procs": 1, "per_op": 520}])
        b = history.write(self.hist, b_doc)
        rc, out, err = run_main("--dir", self.hist, "compare", a.stem, b.stem)
        self.assertEqual(rc, 0, err)
        self.assertIn("one machine", out)
        self.assertRegex(out, r"ChanPingPong\s+1\s+C ns/op\s+100\s+110\s+1\.100 \(\+10\.0%\)")
        self.assertRegex(out, r"ChanPingPong\s+1\s+instructions/op\s+512\s+520\s+1\.016")

        c_doc = history.from_latest(
            make_latest(self.tmp / "c", compare=slower, commit=self.sha,
                        date="2026-12-01T15:00:00Z", cpu="AMD EPYC 7B13"), repo=self.repo,
            instructions=[{"name": "ChanPingPong", "procs": 1, "per_op": 512}])
        c = history.write(self.hist, c_doc)
        rc, out, err = run_main("--dir", self.hist, "compare", a.stem, c.stem)
        self.assertEqual(rc, 0, err)
        self.assertIn("different machines", out)
        self.assertNotRegex(out, r"(C|Go|Boost) ns/op")
        self.assertRegex(out, r"ChanPingPong\s+1\s+C/Go\s+0\.328\s+0\.361")
        self.assertRegex(out, r"ChanPingPong\s+1\s+instructions/op\s+512\s+512\s+1\.000")

    def test_exit_codes(self):
        a = history.write(self.hist, self.doc("2026-11-29T15:00:00Z"))
        history.write(self.hist, self.doc("2026-11-30T15:00:00Z"))
        self.assertEqual(run_main("--dir", self.hist, "check")[0], 0)
        self.assertEqual(run_main("--dir", self.hist, "show", a.stem)[0], 0)
        rc, _, err = run_main("--dir", self.hist, "show", "2026")
        self.assertEqual(rc, 2)
        self.assertIn("matches 2 runs", err)
        rc, _, err = run_main("--dir", self.hist, "show", "1999")
        self.assertEqual(rc, 2)
        self.assertIn("no run '1999'", err)
        self.assertEqual(run_main("--dir", self.hist)[0], 2)
        self.assertEqual(run_main("--dir", self.hist, "frobnicate")[0], 2)
        self.assertEqual(run_main("--dir", self.hist, "compare", a.stem)[0], 2)
        self.assertEqual(run_main("--dir", self.hist, "import", self.tmp / "nothing")[0], 1)

        bad = self.hist / "20261201T150000Z-unknown-000000000000.json"
        bad.write_text(a.read_text().replace('"schema": 1', '"schema": 7'))
        rc, out, err = run_main("--dir", self.hist, "check")
        self.assertEqual(rc, 1)
        self.assertIn(f"bad: {bad}: schema: unknown schema version 7", err)
        self.assertNotIn(a.name, err)
        self.assertEqual(run_main("--dir", self.hist, "list")[0], 1)
        # One run still shows while another is bad.
        self.assertEqual(run_main("--dir", self.hist, "show", a.stem)[0], 0)

    def test_wrapper(self):
        script = ROOT / "scripts" / "history"
        history.write(self.hist, self.doc())

        def run(*args):
            return subprocess.run([str(script), *map(str, args)], capture_output=True,
                                  text=True)
        r = run("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("scripts/history [--dir DIR] compare ID_A ID_B", r.stdout)
        self.assertEqual(run("--dir", self.hist, "check").returncode, 0)
        r = run("--dir", self.hist, "list")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(self.sha[:12], r.stdout)
        self.assertEqual(run("--dir", self.hist, "nonsense").returncode, 2)
        (self.hist / "x.json").write_text("{")
        r = run("--dir", self.hist, "check")
        self.assertEqual(r.returncode, 1)
        self.assertIn("x.json: not valid JSON", r.stderr)


if __name__ == "__main__":
    unittest.main()
