#!/usr/bin/python3
"""Tests for ci/dashboard.py: a synthetic history, its page in headless Chromium.

    /usr/bin/python3 ci/test/test_dashboard.py [OUTDIR] [unittest args]

OUTDIR (else $SCHEDLAB_DASHBOARD_TEST_OUT, else a temporary directory) keeps
what a person may want to look at: the page built from the synthetic history
(OUTDIR/site/index.html), the screenshot of its first 1400x3000 pixels
(OUTDIR/dashboard.png) and of the whole page (OUTDIR/dashboard-full.png).

The history: 14 nightly runs of one machine with a +15% step in the C series
of YieldPingPong procs 1 at run 9, a run without Go, a benchmark that only
the later runs have and one that the latest run lacks, the scale sweeps,
instruction counts and fuzz figures; and 3 runs of a second machine, one of
an unknown commit and one from a dirty tree. ci/history.py's write() writes
it, so it passes the schema.

The page is opened from file:// in Chromium driven over the DevTools
protocol (--remote-debugging-pipe: JSON messages ended by NUL on fds 3 and 4,
standard library only). Problems it reports: an uncaught exception, a
console.error or console.assert, a browser log entry of level error, a chart
the page did not draw (window.chartsDrawn against the canvases), a blank
canvas, a bench or sweep chart without the C series' colour on it, and
canvases that do not match the benchmarks of the history one to one. Two
doctored copies of the page (a script error; a chart erased after drawing)
must be reported, so the check cannot pass vacuously.

Without chromium (Debian package `chromium`) the browser tests try
`apt-get install -y chromium` when run as root, and are skipped otherwise,
saying so; the tests of the command line run anyway.
"""
import base64
import contextlib
import fcntl
import hashlib
import io
import json
import math
import os
import random
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "ci" / "dashboard.py"
sys.path.insert(0, str(REPO / "ci"))
import history  # noqa: E402

PYTHON = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
VIEW_W, VIEW_H = 1400, 3000
OUT = None  # set in __main__

# --- the synthetic history ---------------------------------------------------

RUNS_A, STEP_RUN, STEP = 14, 9, 1.15
NO_GO_RUN = 4          # a run whose Go column failed
NEW_FROM = 10          # SyscallEnterExit exists from this run on
GONE_AFTER = 11        # TimerLatency is absent from the runs after this one
FUZZ_FROM = 5
SWEEPS_FASTER = 11     # the sweeps' C column improves by 10% from this run on
SCALE_K = (1000, 10000, 100000, 1000000)
SWEEP_K = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)

# (name, procs): (C, Go, Boost) medians in the unit; None = no such column.
BASE = {
    ("YieldPingPong", 1): (52.0, 205.0, 61.0),
    ("YieldPingPong", 2): (57.0, 240.0, None),
    ("ChanPingPong", 1): (81.0, 298.0, 96.0),
    ("ChanPingPong", 2): (125.0, 410.0, None),
    ("SpawnWait", 1): (44.0, 262.0, 151.0),
    ("SwitchFloor", 1): (7.1, None, 7.4),
    ("TimerLatency", 1): (55000.0, 61000.0, None),
    ("SyscallEnterExit", 1): (19.0, 48.0, None),
    ("ParkedMemory", 1): (1430.0, 2710.0, None),
}
INSTR = {("YieldPingPong", 1): 412, ("ChanPingPong", 1): 618, ("SwitchFloor", 1): 38}
MACHINE_A = {"cpu": "Intel(R) Xeon(R) CPU @ 2.20GHz", "nproc": 2,
             "kernel": "6.1.0-27-cloud-amd64", "gcc": "gcc 12.2.0",
             "clang": "clang 14.0.6", "go": "go1.19.8", "boost": "1.74",
             "libbenchmark": "1.7.1"}
MACHINE_B = dict(MACHINE_A, cpu="AMD EPYC 7B13 64-Core Processor", nproc=4,
                 kernel="6.1.0-28-cloud-amd64")


def commit_of(tag):
    return hashlib.sha1(tag.encode()).hexdigest()


def samples(rng, median, noise=0.01, reps=5):
    return [round(median * (1 + rng.gauss(0, noise)), 3) for _ in range(reps)]


def entries_a(rng, run):
    out = []
    for (name, procs), (c, go, boost) in BASE.items():
        if name == "SyscallEnterExit" and run < NEW_FROM:
            continue
        if name == "TimerLatency" and run > GONE_AFTER:
            continue
        if (name, procs) == ("YieldPingPong", 1) and run >= STEP_RUN:
            c *= STEP
        go_noise = 0.12 if (name, procs) == ("ChanPingPong", 2) else 0.01
        out.append((name, procs, c, None if run == NO_GO_RUN else go, boost, go_noise))
    faster = 0.9 if run >= SWEEPS_FASTER else 1.0
    for procs in (1, 2):
        for k in SCALE_K:
            lg = math.log10(k / 1000)
            out.append((f"ScaleSpawn/parked={k}", procs, faster * 310 * (1 + 0.25 * lg),
                        None if run == NO_GO_RUN else 480 * (1 + 0.4 * lg), None, 0.01))
    for k in SWEEP_K:
        out.append((f"GOMAXPROCSSweep/ps={k}", 1, faster * (2100 + 45 * k),
                    None if run == NO_GO_RUN else 5200 + 95 * k, None, 0.01))
    return out


def document(rng, machine, run, date, entries, *, instructions=(), fuzz=(), steps=(),
             commit=None, dirty=False):
    machine = dict(machine)
    machine["fingerprint"] = history.fingerprint(machine)
    commit = commit_of(f"{machine['cpu']}-{run}") if commit is None else commit
    benchmarks = []
    for name, procs, c, go, boost, go_noise in entries:
        benchmarks.append({
            "name": name, "procs": procs,
            "unit": "bytes/goroutine" if name == "ParkedMemory" else "ns/op",
            "c": samples(rng, c),
            "go": None if go is None else samples(rng, go, go_noise),
            "boost": None if boost is None else samples(rng, boost)})
    return {
        "schema": 1, "id": history.make_id(date, commit, machine["fingerprint"]),
        "date": date, "commit": commit, "dirty": dirty,
        "subject": f"synthetic commit {run}" if commit else "",
        "commit_date": date.replace("Z", "+00:00") if commit else "",
        "machine": machine,
        "conditions": {"governor": "performance", "turbo": None, "pinned": ""},
        "settings": {"reps": 5, "min_time": 0.2, "filter": "", "quick": False},
        "benchmarks": benchmarks, "instructions": list(instructions),
        "fuzz": list(fuzz), "stress": None, "steps": list(steps)}


def make_history(histdir):
    """Writes the synthetic history; returns its documents, oldest first."""
    rng = random.Random(9)
    docs = []
    for run in range(RUNS_A):
        date = f"2026-11-{run + 1:02d}T02:00:00Z"
        instructions = []
        if run >= 2:
            for (name, procs), n in INSTR.items():
                bump = 1.14 if (name, procs) == ("YieldPingPong", 1) and run >= STEP_RUN else 1
                instructions.append({"name": name, "procs": procs, "per_op": round(n * bump)})
        fuzz = []
        if run >= FUZZ_FROM:
            for t, (rate, cov) in {"fuzz_chan": (5200, 1480), "fuzz_sched": (2300, 2210)}.items():
                secs = 300.0
                fuzz.append({"target": t, "seconds": secs, "execs": int(rate * secs),
                             "exec_per_s": rate * (1 + rng.gauss(0, 0.03)),
                             "coverage": cov + 12 * (run - FUZZ_FROM),
                             "features": 3 * cov + 40 * (run - FUZZ_FROM),
                             "corpus_size": 180 + 9 * (run - FUZZ_FROM),
                             "crashes": 1 if (t, run) == ("fuzz_sched", 8) else 0})
        last = run == RUNS_A - 1
        steps = [
            {"name": "build", "status": "ok", "seconds": 95.0, "detail": ""},
            {"name": "bench", "status": "ok", "seconds": 2710.0, "detail": ""},
            {"name": "opcount", "status": "ok" if run >= 2 else "skipped", "seconds": 410.0,
             "detail": "" if run >= 2 else "valgrind missing"},
            {"name": "fuzz", "status": "ok" if run >= FUZZ_FROM else "skipped",
             "seconds": 600.0, "detail": ""},
            {"name": "stress", "status": "failed" if last else "ok", "seconds": 300.0,
             "detail": "soak: 1 of 4 programs exited 134 (stress/soak_chan)" if last else ""},
            {"name": "record", "status": "ok", "seconds": 6.0, "detail": ""}]
        docs.append(document(rng, MACHINE_A, run, date, entries_a(rng, run),
                             instructions=instructions, fuzz=fuzz, steps=steps))
    for run in range(3):
        date = f"2026-11-{run + 3:02d}T14:30:00Z"
        entries = [(n, p, c * 0.8, go * 0.8, None, 0.01)
                   for (n, p), (c, go, _) in BASE.items()
                   if (n, p) in (("YieldPingPong", 1), ("ChanPingPong", 1))]
        entries += [(f"ScaleSpawn/parked={k}", 1, 250.0 + 20 * i, 400.0 + 60 * i, None, 0.01)
                    for i, k in enumerate(SCALE_K)]
        # Run 1 outside a git checkout, run 2 from a dirty tree.
        docs.append(document(rng, MACHINE_B, run, date, entries,
                             commit="" if run == 1 else None, dirty=run == 2))
    for doc in docs:
        history.write(histdir, doc)
    return sorted(docs, key=lambda d: (d["date"], d["id"]))


def expected_canvases(docs):
    """{(machine index, kind, name, procs)} the page must draw, from the docs
    alone: machines in order of their latest run, newest first."""
    machines = {}
    for doc in docs:
        machines.setdefault(doc["machine"]["fingerprint"], []).append(doc)
    order = sorted(machines.values(), key=lambda r: r[-1]["date"], reverse=True)
    out = set()
    for mi, runs in enumerate(order):
        counted = {(i["name"], i["procs"]) for d in runs for i in d["instructions"]}
        for d in runs:
            for b in d["benchmarks"]:
                key = (b["name"], b["procs"])
                out.add((mi, "bench", *key))
                if b["go"] or key in counted:
                    out.add((mi, "sub", *key))
                fam = b["name"].split("/")[0]
                if fam in ("ScaleSpawn", "GOMAXPROCSSweep") and "=" in b["name"]:
                    out.add((mi, "sweep", fam, b["procs"]))
        if any(d["fuzz"] for d in runs):
            for metric in ("exec_per_s", "coverage", "corpus_size", "crashes"):
                out.add((mi, "fuzz", metric, None))
    return out


def run_dashboard(*args, subprocess_=False):
    """dashboard.py with `args`: (exit status, stdout, stderr). In this
    process unless subprocess_ (importing it, which imports bench/report.py
    and so matplotlib and scipy, takes seconds: once is enough)."""
    args = [str(a) for a in args]
    if subprocess_:
        proc = subprocess.run([PYTHON, str(DASHBOARD), *args], capture_output=True,
                              text=True, timeout=120)
        return proc.returncode, proc.stdout, proc.stderr
    import dashboard
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = dashboard.main(args)
        except SystemExit as e:
            rc = e.code
    return rc, out.getvalue(), err.getvalue()


# --- Chromium over the DevTools protocol -------------------------------------

class CDPError(Exception):
    pass


def find_chromium():
    """The chromium executable, installing Debian's package when root;
    (None, why) when there is none."""
    for name in ("chromium", "chromium-browser"):
        exe = shutil.which(name)
        if exe:
            return exe, None
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None, ("chromium is not installed and this user cannot install it "
                      "(as root: apt-get install -y chromium)")
    proc = subprocess.run(["apt-get", "install", "-y", "chromium"], capture_output=True,
                          text=True, timeout=600,
                          env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    exe = shutil.which("chromium")
    if exe:
        return exe, None
    return None, ("chromium is not installed and `apt-get install -y chromium` failed: "
                  + (proc.stderr.strip().splitlines() or ["no output"])[-1])


class Browser:
    """Headless Chromium with one page, driven over --remote-debugging-pipe."""

    def __init__(self, exe, workdir):
        self.workdir = Path(workdir)
        self.log = open(self.workdir / "chromium.log", "w+")
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        # The browser reads commands on fd 3 and writes replies to fd 4.
        a = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
        b = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        args = [exe, "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--hide-scrollbars", "--mute-audio",
                "--force-device-scale-factor=1", f"--window-size={VIEW_W},{VIEW_H}",
                f"--user-data-dir={self.workdir / 'profile'}",
                "--remote-debugging-pipe", "about:blank"]
        self.proc = subprocess.Popen(
            ["/bin/bash", "-c", f'exec "$@" 3<&{a} 4>&{b} {a}<&- {b}>&-', "bash", *args],
            pass_fds=(a, b), stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        os.close(a)
        os.close(b)
        self.buf = b""
        self.next_id = 0
        self.events = []
        try:
            target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            self.session = self.call("Target.attachToTarget",
                                     {"targetId": target, "flatten": True})["sessionId"]
            for method in ("Page.enable", "Runtime.enable", "Log.enable"):
                self.call(method, session=True)
            self.call("Emulation.setDeviceMetricsOverride",
                      {"width": VIEW_W, "height": VIEW_H, "deviceScaleFactor": 1,
                       "mobile": False}, session=True)
        except BaseException:
            self.close()
            raise

    def _message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CDPError("no reply from chromium in time" + self._log_tail())
            ready, _, _ = select.select([self.from_chrome], [], [], left)
            if ready:
                chunk = os.read(self.from_chrome, 1 << 20)
                if not chunk:
                    raise CDPError("chromium closed the pipe" + self._log_tail())
                self.buf += chunk
        raw, _, self.buf = self.buf.partition(b"\0")
        return json.loads(raw)

    def _log_tail(self):
        self.log.flush()
        self.log.seek(0)
        tail = self.log.read()[-1500:]
        return f"; chromium's output ends:\n{tail}" if tail else ""

    def call(self, method, params=None, session=False, timeout=30):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise CDPError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            for e in self.events:
                if e["method"] == method and e.get("sessionId") == self.session:
                    return e
            reply = self._message(deadline)
            if "method" in reply:
                self.events.append(reply)

    def load(self, url):
        self.events = []
        self.call("Page.navigate", {"url": url}, session=True)
        self.wait_event("Page.loadEventFired")

    def evaluate(self, expression):
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                           "awaitPromise": True}, session=True)
        if "exceptionDetails" in r:
            raise CDPError(f"evaluate {expression!r}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def errors(self):
        """The page's errors since load(), one string each."""
        out = []
        for e in self.events:
            p = e.get("params", {})
            if e["method"] == "Runtime.exceptionThrown":
                d = p["exceptionDetails"]
                out.append("exception: " + (d.get("exception", {}).get("description")
                                            or d.get("text", "?")))
            elif e["method"] == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
                out.append(f"console.{p['type']}: " + " ".join(
                    str(a.get("value", a.get("description", ""))) for a in p["args"]))
            elif e["method"] == "Log.entryAdded" and p["entry"]["level"] == "error":
                out.append(f"log: {p['entry']['text']} {p['entry'].get('url', '')}".strip())
        return out

    def screenshot(self, path, full=False):
        params = {"format": "png"}
        if full:
            size = self.call("Page.getLayoutMetrics", session=True)["cssContentSize"]
            params.update(captureBeyondViewport=True, clip={
                "x": 0, "y": 0, "width": VIEW_W, "height": math.ceil(size["height"]),
                "scale": 1})
        data = self.call("Page.captureScreenshot", params, session=True, timeout=60)["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def close(self):
        if self.proc.poll() is None:
            try:
                self.next_id += 1
                os.write(self.to_chrome, json.dumps(
                    {"id": self.next_id, "method": "Browser.close"}).encode() + b"\0")
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        for fd in (self.to_chrome, self.from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        self.log.close()


# Per canvas: what it is, its size, how many pixels are painted and how many
# have the C series' colour (window.dashboardColors.c).
CANVAS_SCAN = r"""(() => {
  const c0 = window.dashboardColors && window.dashboardColors.c || '#000000';
  const n = parseInt(c0.slice(1), 16), want = [n >> 16, (n >> 8) & 255, n & 255];
  return [...document.querySelectorAll('canvas')].map((cv) => {
    const w = cv.width, h = cv.height;
    let ink = 0, c = 0;
    if (w && h) {
      const px = cv.getContext('2d').getImageData(0, 0, w, h).data;
      for (let i = 0; i < px.length; i += 4) {
        if (px[i + 3] === 0) continue;
        ink++;
        if (px[i + 3] > 200 && Math.abs(px[i] - want[0]) < 40 &&
            Math.abs(px[i + 1] - want[1]) < 40 && Math.abs(px[i + 2] - want[2]) < 40) c++;
      }
    }
    const d = cv.dataset;
    return {kind: d.kind || null, m: d.m === undefined ? null : +d.m, name: d.name || null,
            procs: d.procs ? +d.procs : null, w: w, h: h, ink: ink, c: c};
  });
})()"""


def page_problems(browser, url, expected):
    """Loads `url`; every problem found, as strings ([] for a good page)."""
    browser.load(url)
    problems = browser.errors()
    drawn = browser.evaluate("window.chartsDrawn")
    total = browser.evaluate("window.chartsExpected")
    canvases = browser.evaluate(CANVAS_SCAN)
    if drawn is None or drawn != total or total != len(canvases):
        problems.append(f"charts drawn {drawn} of {total}; {len(canvases)} canvases")
    for cv in canvases:
        what = f"{cv['kind']} chart {cv['name']} procs {cv['procs']} (machine {cv['m']})"
        if not cv["w"] or not cv["h"] or cv["ink"] < 0.01 * cv["w"] * cv["h"]:
            problems.append(f"{what}: blank ({cv['ink']} pixels painted)")
        elif cv["kind"] in ("bench", "sweep") and cv["c"] < 30:
            problems.append(f"{what}: no C series drawn ({cv['c']} pixels of its colour)")
    found = {(cv["m"], cv["kind"], cv["name"], cv["procs"]) for cv in canvases}
    if expected is not None and found != expected:
        problems.append(f"canvases missing: {sorted(expected - found, key=str)}; "
                        f"unexpected: {sorted(found - expected, key=str)}")
    return problems


def png_size(path):
    head = Path(path).read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise AssertionError(f"{path}: not a PNG")
    return struct.unpack(">II", head[16:24])


# --- the tests ---------------------------------------------------------------

class Fixture:
    """The synthetic history and its dashboard, built once."""
    tmp = docs = site = None

    @classmethod
    def get(cls):
        if cls.docs is None:
            cls.tmp = tempfile.TemporaryDirectory(prefix="test_dashboard.")
            cls.histdir = Path(cls.tmp.name) / "history"
            cls.docs = make_history(cls.histdir)
            cls.site = OUT / "site"
            rc, out, err = run_dashboard(cls.histdir, cls.site, subprocess_=True)
            if rc != 0:
                raise AssertionError(f"dashboard.py failed ({rc}):\n{out}{err}")
        return cls


class PageInChromium(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        exe, why = find_chromium()
        if exe is None:
            print(f"test_dashboard: SKIPPING the browser tests: {why}", file=sys.stderr)
            raise unittest.SkipTest(why)
        cls.fx = Fixture.get()
        cls.page = cls.fx.site / "index.html"
        cls.expected = expected_canvases(cls.fx.docs)
        cls.browser_dir = tempfile.TemporaryDirectory(prefix="test_dashboard.chromium.")
        try:
            cls.browser = Browser(exe, cls.browser_dir.name)
        except BaseException:
            cls.browser_dir.cleanup()
            raise
        try:
            cls.problems = page_problems(cls.browser, cls.page.as_uri(), cls.expected)
            # What the tests of the contents read, before other pages are loaded.
            cls.overview = cls.browser.evaluate(
                "[...document.querySelectorAll('section.machine')].map((s) => "
                "[...s.querySelector('table.overview').tBodies[0].rows].map((r) => "
                "[...r.cells].map((c) => c.textContent.trim())))")
            cls.noisy = cls.browser.evaluate(
                "[...document.querySelectorAll('#m0 table.overview td.noisy')].map((td) => "
                "td.parentElement.cells[0].textContent + '/' + td.parentElement.cells[1]"
                ".textContent)")
            cls.latest_text = cls.browser.evaluate(
                "document.querySelector('section.latest-run').innerText")
            cls.browser.screenshot(OUT / "dashboard.png")
            cls.browser.screenshot(OUT / "dashboard-full.png", full=True)
            print(f"test_dashboard: page {cls.page}, screenshots {OUT / 'dashboard.png'} and "
                  f"{OUT / 'dashboard-full.png'}", file=sys.stderr)
        except BaseException:
            cls.tearDownClass()  # unittest calls it only after a setUpClass that passed
            raise

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.browser_dir.cleanup()

    def test_page_draws_every_chart_without_errors(self):
        self.assertEqual(self.problems, [])
        self.assertGreater(len(self.expected), 50)

    def test_screenshot_kept(self):
        self.assertEqual(png_size(OUT / "dashboard.png"), (VIEW_W, VIEW_H))
        w, h = png_size(OUT / "dashboard-full.png")
        self.assertEqual(w, VIEW_W)
        self.assertGreater(h, VIEW_H)

    def row(self, machine, name, procs):
        return next((cells for cells in self.overview[machine]
                     if cells[0].split(" ")[0] == name and cells[1] == str(procs)), None)

    def test_overview(self):
        step = next(d for d in self.fx.docs if d["subject"] == f"synthetic commit {STEP_RUN}"
                    and d["machine"]["cpu"] == MACHINE_A["cpu"])
        cells = self.row(0, "YieldPingPong", 1)
        self.assertIsNotNone(cells)
        # benchmark procs C Go C/Go target met change-point CV-C CV-Go instr
        self.assertEqual(cells[5], "0.25")
        self.assertEqual(cells[6], "not met")
        self.assertIn(step["commit"][:7], cells[7])
        self.assertIn(step["date"][:10], cells[7])
        self.assertRegex(cells[7], r"\+1[3-7]\.\d%")
        self.assertEqual(cells[10], f"{round(INSTR['YieldPingPong', 1] * 1.14):,}")
        self.assertEqual(self.row(0, "ChanPingPong", 1)[7], "none")
        self.assertEqual(self.noisy, ["ChanPingPong/2"])
        swf = self.row(0, "SwitchFloor", 1)
        self.assertEqual((swf[3], swf[4], swf[6]), ("—", "—", "—"))
        self.assertIn("last run 2026-11-12", self.row(0, "TimerLatency", 1)[0])
        self.assertIsNotNone(self.row(0, "SyscallEnterExit", 1))
        self.assertIsNotNone(self.row(1, "ChanPingPong", 1))
        self.assertIsNone(self.row(1, "SwitchFloor", 1))

    def test_latest_steps_shown(self):
        text = self.latest_text
        self.assertIn("stress", text)
        self.assertIn("failed", text)
        self.assertIn("soak: 1 of 4 programs exited 134", text)

    def test_empty_and_single_run_pages(self):
        with tempfile.TemporaryDirectory(prefix="test_dashboard.small.") as tmp:
            one = Path(tmp) / "one"
            one.mkdir()
            latest = self.fx.histdir / f"{self.fx.docs[-1]['id']}.json"
            shutil.copy(latest, one)
            (Path(tmp) / "empty").mkdir()
            for hist, docs in ((one, [self.fx.docs[-1]]), (Path(tmp) / "empty", [])):
                rc, _, err = run_dashboard(hist, hist / "site")
                self.assertEqual(rc, 0, err)
                page = (hist / "site" / "index.html").as_uri()
                self.assertEqual(page_problems(self.browser, page, expected_canvases(docs)),
                                 [], hist.name)

    def doctored(self, name, script):
        text = self.page.read_text(encoding="utf-8")
        bad = Path(self.browser_dir.name) / name
        bad.write_text(text.replace("</body>", f"<script>{script}</script></body>"),
                       encoding="utf-8")
        return page_problems(self.browser, bad.as_uri(), self.expected)

    def test_check_fails_on_a_script_error(self):
        problems = self.doctored("broken-script.html", "noSuchFunction();")
        self.assertTrue(any("noSuchFunction" in p for p in problems), problems)

    def test_check_fails_on_a_blank_chart(self):
        problems = self.doctored(
            "blank-chart.html",
            "const cv = document.querySelector('canvas[data-kind=bench]');"
            "cv.getContext('2d').clearRect(0, 0, cv.width, cv.height);")
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("blank", problems[0])


class CommandLine(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="test_dashboard.cli.")
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_empty_history(self):
        (self.dir / "h").mkdir()
        rc, _, err = run_dashboard(self.dir / "h", self.dir / "out")
        self.assertEqual(rc, 0, err)
        text = (self.dir / "out" / "index.html").read_text()
        self.assertIn("No runs yet", text)
        self.assertNotIn("<canvas", text)

    def test_bad_document_keeps_the_last_page(self):
        fx = Fixture.get()
        hist = self.dir / "h"
        shutil.copytree(fx.histdir, hist)
        out = self.dir / "out"
        self.assertEqual(run_dashboard(hist, out)[0], 0)
        before = (out / "index.html").read_bytes()
        bad = hist / sorted(p.name for p in hist.glob("*.json"))[3]
        doc = json.loads(bad.read_text())
        doc["schema"] = 2
        bad.write_text(json.dumps(doc))
        rc, _, err = run_dashboard(hist, out)
        self.assertEqual(rc, 1)
        self.assertIn(bad.name, err)
        self.assertIn("schema", err)
        self.assertEqual((out / "index.html").read_bytes(), before)
        self.assertEqual(sorted(p.name for p in out.iterdir()), ["index.html"])

    def test_usage(self):
        fx = Fixture.get()
        for args in ([], [fx.histdir], [self.dir / "missing", self.dir / "out"],
                     [fx.histdir, self.dir / "out", "--against", "20990101T000000Z-x"],
                     [fx.histdir, self.dir / "out", "--against", "2026"],
                     [fx.histdir, self.dir / "out", "--bogus"]):
            rc, _, err = run_dashboard(*args)
            self.assertEqual(rc, 2, (args, err))
            self.assertTrue(err.strip(), args)
        self.assertFalse((self.dir / "out").exists())

    def test_against(self):
        fx = Fixture.get()
        a_runs = [d for d in fx.docs if d["machine"]["cpu"] == MACHINE_A["cpu"]]
        chosen = a_runs[7]
        rc, _, err = run_dashboard(fx.histdir, self.dir / "out", "--against",
                                   chosen["id"][:16])  # a unique prefix
        self.assertEqual(rc, 0, err)
        text = (self.dir / "out" / "index.html").read_text()
        label = f"against <b>{chosen['date'][:10]} {chosen['commit'][:7]}</b>"
        self.assertEqual(text.count(label), 3)  # ScaleSpawn 1 and 2, GOMAXPROCSSweep 1
        default = (fx.site / "index.html").read_text()
        oldest = a_runs[0]
        self.assertEqual(default.count(
            f"against <b>{oldest['date'][:10]} {oldest['commit'][:7]}</b>"), 3)
        rc, _, err = run_dashboard(fx.histdir, self.dir / "out", "--against", a_runs[-1]["id"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(err.count("not an earlier run"), 3, err)


def main():
    global OUT
    argv = sys.argv[:1]
    rest = sys.argv[1:]
    if rest and not rest[0].startswith("-"):
        OUT = Path(rest.pop(0))
    elif os.environ.get("SCHEDLAB_DASHBOARD_TEST_OUT"):
        OUT = Path(os.environ["SCHEDLAB_DASHBOARD_TEST_OUT"])
    else:
        OUT = Path(tempfile.mkdtemp(prefix="test_dashboard.out."))
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"test_dashboard: output in {OUT}", file=sys.stderr)
    unittest.main(argv=argv + rest)


if __name__ == "__main__":
    main()
