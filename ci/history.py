#!/usr/bin/python3
"""ci/history.py: the run history in results/history/: schema, checks, atomic
writes, import of a results/latest/, and the `scripts/history` command.

One JSON document per run, named <id>.json, where
    id = <date as YYYYmmddTHHMMSSZ>-<commit[:12] or "unknown">-<fingerprint>
so documents written by several machines, or on several nights, never share a
name: a history is merged by copying files together. Schema 1:

    {"schema": 1, "id": str (the file's stem), "date": "YYYY-mm-ddTHH:MM:SSZ"
     (run start, UTC), "commit": 40 hex or "" (unknown), "dirty": bool,
     "subject": str, "commit_date": ISO 8601 or "" (both "" unless git knew
     the commit),
     "machine": {"fingerprint": 12 hex, "cpu": str, "nproc": int,
                 "kernel": str, "gcc": str, "clang": str, "go": str,
                 "boost": str, "libbenchmark": str},
     "conditions": {"governor": str|null, "turbo": str|null, "pinned": str},
     "settings": {"reps": int, "min_time": number, "filter": str,
                  "quick": bool},
     "benchmarks": [{"name": str, "procs": int, "unit": "ns/op" |
                     "bytes/goroutine", "c": [number, ...],
                     "go": [number, ...]|null, "boost": [number, ...]|null}],
     "instructions": [{"name": str, "procs": int, "per_op": int}],
     "fuzz": [{"target": str, "seconds": number, "execs": int,
               "exec_per_s": number, "coverage": int, "features": int,
               "corpus_size": int, "crashes": int}],
     "stress": null | {free-form JSON object},
     "steps": [{"name": str, "status": "ok"|"failed"|"skipped",
                "seconds": number, "detail": str}]}

Every key is required and no other key is allowed; numbers are finite and
not negative; (name, procs) is unique within benchmarks and within
instructions. machine.fingerprint is the first 12 hex digits of the SHA-256
of json.dumps(<the other machine keys>, sort_keys=True, separators=(",", ":"))
in UTF-8 (conditions are not part of it: a governor or a pinning changes how a
run went, not which machine it was). Wall times compare only between runs of
one fingerprint; C/Go ratios and instruction counts compare across machines.

The history is append-only: write() refuses an id that is already there. It
writes a temporary ".<id>.<random>.tmp" in the history directory, flushes and
fsyncs it, then os.replace()s it to <id>.json and fsyncs the directory, so a
writer killed at any point leaves either the whole document or no .json at
all. Reading (load_all, `check`) considers exactly the files whose name ends
in ".json" and does not start with "." (hidden files, among them a killed
writer's temporary files, are not documents; `check` mentions leftover .tmp
files). Any of those that cannot be read or fails the schema is an error that
names it: nothing is skipped, and reading never changes a file.

    scripts/history [--dir DIR] list|show ID|compare ID_A ID_B|
                                import LATEST_DIR [...]|check
    (`scripts/history --help`; IDs may be unique prefixes)

Exit status: 0; 1 on bad data (an unreadable or invalid document, an id that
is already in the history); 2 on bad usage (unknown command or option, no run
or several runs matching an ID).
"""
import argparse
import contextlib
import datetime
import hashlib
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

SCHEMA = 1
REPO = Path(__file__).resolve().parent.parent
DEFAULT_DIR = REPO / "results" / "history"

MACHINE_KEYS = ("cpu", "nproc", "kernel", "gcc", "clang", "go", "boost", "libbenchmark")
IMPLS = ("c", "go", "boost")
UNITS = ("ns/op", "bytes/goroutine")
STEP_STATUS = ("ok", "failed", "skipped")

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
HEX40_RE = re.compile(r"^[0-9a-f]{40}$")
HEX12_RE = re.compile(r"^[0-9a-f]{12}$")
ID_RE = re.compile(r"^\d{8}T\d{6}Z-(?:[0-9a-f]{12}|unknown)-[0-9a-f]{12}$")


class HistoryError(Exception):
    """A history document, or a results directory, that cannot be used; the
    message names the file (and the JSON path of the problem)."""


class _Invalid(Exception):
    def __init__(self, path, message):
        super().__init__(f"{path}: {message}" if path else message)


# --- the schema ------------------------------------------------------------

def _kind(value):
    if value is None:
        return "null"
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _str(v, path):
    if not isinstance(v, str):
        raise _Invalid(path, f"expected a string, got {_kind(v)}")


def _bool(v, path):
    if not isinstance(v, bool):
        raise _Invalid(path, f"expected true or false, got {_kind(v)}")


def _count(v, path, least=0):
    if not _is_int(v):
        raise _Invalid(path, f"expected an integer, got {_kind(v)}")
    if v < least:
        raise _Invalid(path, f"expected an integer >= {least}, got {v}")


def _pos_int(v, path):
    _count(v, path, 1)


def _number(v, path):
    if not _is_num(v):
        raise _Invalid(path, f"expected a finite number, got {_kind(v)}"
                       + (f" {v}" if isinstance(v, float) else ""))
    if v < 0:
        raise _Invalid(path, f"expected a number >= 0, got {v}")


def _opt(check):
    def f(v, path):
        if v is not None:
            check(v, path)
    return f


def _one_of(*values):
    def f(v, path):
        if v not in values:
            raise _Invalid(path, "expected one of " + ", ".join(json.dumps(x) for x in values)
                           + f", got {json.dumps(v)}")
    return f


def _matching(regex, what):
    def f(v, path):
        _str(v, path)
        if not regex.match(v):
            raise _Invalid(path, f"expected {what}, got {json.dumps(v)}")
    return f


def _samples(v, path):
    if not isinstance(v, list) or not v:
        raise _Invalid(path, f"expected a non-empty list of numbers, got {_kind(v)}"
                       + (" (empty)" if v == [] else ""))
    for i, x in enumerate(v):
        _number(x, f"{path}[{i}]")


def _any_object(v, path):
    if not isinstance(v, dict):
        raise _Invalid(path, f"expected an object, got {_kind(v)}")


def _iso_or_empty(v, path):
    _str(v, path)
    if v:
        try:
            datetime.datetime.fromisoformat(v)
        except ValueError:
            raise _Invalid(path, f"expected an ISO 8601 date or \"\", got {json.dumps(v)}")


def _utc_date(v, path):
    _matching(DATE_RE, "a UTC date YYYY-mm-ddTHH:MM:SSZ")(v, path)
    try:
        datetime.datetime.strptime(v, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise _Invalid(path, f"not a valid date: {json.dumps(v)}")


def _object(fields):
    def f(v, path):
        if not isinstance(v, dict):
            raise _Invalid(path, f"expected an object, got {_kind(v)}")
        for key, check in fields.items():
            sub = f"{path}.{key}" if path else key
            if key not in v:
                raise _Invalid(sub, "missing")
            check(v[key], sub)
        for key in v:
            if key not in fields:
                sub = f"{path}.{key}" if path else key
                raise _Invalid(sub, f"unexpected key (schema {SCHEMA} has no such field)")
    return f


def _list_of(check):
    def f(v, path):
        if not isinstance(v, list):
            raise _Invalid(path, f"expected a list, got {_kind(v)}")
        for i, x in enumerate(v):
            check(x, f"{path}[{i}]")
    return f


_BENCHMARK = _object({
    "name": _str, "procs": _pos_int, "unit": _one_of(*UNITS),
    "c": _samples, "go": _opt(_samples), "boost": _opt(_samples),
})
_INSTRUCTIONS = _object({"name": _str, "procs": _pos_int, "per_op": _count})
_FUZZ = _object({
    "target": _str, "seconds": _number, "execs": _count, "exec_per_s": _number,
    "coverage": _count, "features": _count, "corpus_size": _count, "crashes": _count,
})
_STEP = _object({"name": _str, "status": _one_of(*STEP_STATUS), "seconds": _number,
                 "detail": _str})
_DOCUMENT = _object({
    "schema": _count,
    "id": _matching(ID_RE, "<YYYYmmddTHHMMSSZ>-<12 hex or unknown>-<12 hex>"),
    "date": _utc_date,
    "commit": _matching(re.compile(r"^(?:[0-9a-f]{40})?$"), "40 lowercase hex digits or \"\""),
    "dirty": _bool,
    "subject": _str,
    "commit_date": _iso_or_empty,
    "machine": _object({"fingerprint": _matching(HEX12_RE, "12 hex digits"),
                        "cpu": _str, "nproc": _pos_int, "kernel": _str, "gcc": _str,
                        "clang": _str, "go": _str, "boost": _str, "libbenchmark": _str}),
    "conditions": _object({"governor": _opt(_str), "turbo": _opt(_str), "pinned": _str}),
    "settings": _object({"reps": _pos_int, "min_time": _number, "filter": _str,
                         "quick": _bool}),
    "benchmarks": _list_of(_BENCHMARK),
    "instructions": _list_of(_INSTRUCTIONS),
    "fuzz": _list_of(_FUZZ),
    "stress": _opt(_any_object),
    "steps": _list_of(_STEP),
})


def fingerprint(machine):
    """12 hex digits naming a machine: SHA-256 of the canonical JSON of the
    MACHINE_KEYS of `machine` (any "fingerprint" key in it is ignored)."""
    fields = {k: machine[k] for k in MACHINE_KEYS}
    canon = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:12]


def make_id(date, commit, fp):
    """The id (and file stem) of a run: '2026-11-29T15:00:00Z', 40 hex or '',
    fingerprint -> '20261129T150000Z-<commit[:12] or unknown>-<fp>'."""
    stamp = date.replace("-", "").replace(":", "")
    return f"{stamp}-{commit[:12] if commit else 'unknown'}-{fp}"


def _unique(entries, path):
    seen = {}
    for i, e in enumerate(entries):
        key = (e["name"], e["procs"])
        if key in seen:
            raise _Invalid(f"{path}[{i}]", f"{e['name']} procs {e['procs']} already at "
                           f"{path}[{seen[key]}]")
        seen[key] = i


def validate(doc, source="document"):
    """Raises HistoryError("<source>: <json path>: <problem>") unless `doc`
    is a schema-1 document."""
    try:
        if not isinstance(doc, dict):
            raise _Invalid("", f"expected a JSON object at the top level, got {_kind(doc)}")
        if "schema" not in doc:
            raise _Invalid("schema", "missing (not a history document?)")
        version = doc["schema"]
        if not _is_int(version):
            raise _Invalid("schema", f"expected an integer version, got {_kind(version)}")
        if version != SCHEMA:
            raise _Invalid("schema", f"unknown schema version {version} (this ci/history.py "
                           f"reads schema {SCHEMA} only)")
        _DOCUMENT(doc, "")
        fp = fingerprint(doc["machine"])
        if doc["machine"]["fingerprint"] != fp:
            raise _Invalid("machine.fingerprint", f"{doc['machine']['fingerprint']} does not "
                           f"match the machine fields (their fingerprint is {fp})")
        want = make_id(doc["date"], doc["commit"], fp)
        if doc["id"] != want:
            raise _Invalid("id", f"{doc['id']} does not match date, commit and machine "
                           f"(expected {want})")
        _unique(doc["benchmarks"], "benchmarks")
        _unique(doc["instructions"], "instructions")
    except _Invalid as e:
        raise HistoryError(f"{source}: {e}") from None


# --- reading and writing ---------------------------------------------------

def _read_json(path):
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise HistoryError(f"{path}: cannot read: {e}") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError as e:
        raise HistoryError(f"{path}: not valid JSON: {e}") from None


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def load(path):
    """One document, validated; its id must be its file's stem."""
    path = Path(path)
    doc = _read_json(path)
    validate(doc, str(path))
    if doc["id"] != path.stem:
        raise HistoryError(f"{path}: id: {doc['id']} is not the file's name ({path.stem})")
    return doc


def is_document_name(name):
    """Whether a file name in a history directory is a document's."""
    return name.endswith(".json") and not name.startswith(".")


def document_paths(histdir):
    """The document files of `histdir`, by name; [] when it does not exist."""
    histdir = Path(histdir)
    if not histdir.exists():
        return []
    if not histdir.is_dir():
        raise HistoryError(f"{histdir}: not a directory")
    return sorted(p for p in histdir.iterdir() if is_document_name(p.name))


def check_all(histdir):
    """(documents sorted by date then id, [error message per bad file])."""
    docs, problems = [], []
    for path in document_paths(histdir):
        try:
            docs.append(load(path))
        except HistoryError as e:
            problems.append(str(e))
    docs.sort(key=lambda d: (d["date"], d["id"]))
    return docs, problems


def load_all(histdir):
    """Every document of `histdir`, sorted by date then id. Any bad file is an
    error naming it (all of them, one per line); none is skipped."""
    docs, problems = check_all(histdir)
    if problems:
        raise HistoryError("\n".join(problems))
    return docs


def dumps(doc):
    return json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def write(histdir, doc):
    """Validates `doc` and adds it to `histdir` (created if needed) as
    <id>.json, atomically; an id already in the history is an error."""
    histdir = Path(histdir)
    validate(doc, f"{histdir}/{doc.get('id') if isinstance(doc, dict) else '?'}.json")
    path = histdir / f"{doc['id']}.json"
    data = dumps(doc).encode("utf-8")
    histdir.mkdir(parents=True, exist_ok=True)
    if path.exists():
        same = path.is_file() and path.read_bytes() == data
        raise HistoryError(f"{path}: already in the history"
                           f"{' (same content)' if same else ' with a different content'}; "
                           "the history is append-only")
    fd, tmp = tempfile.mkstemp(dir=histdir, prefix=f".{doc['id']}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dfd = os.open(histdir, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    return path


# --- import of a results/latest/ -------------------------------------------

def _git_info(commit, repo):
    """(subject, committer date ISO 8601) of `commit` in `repo`, or ("", "")."""
    if not commit:
        return "", ""
    try:
        r = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%s%x00%cI", commit],
                           capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return "", ""
    if r.returncode != 0 or "\0" not in r.stdout:
        return "", ""
    subject, date = r.stdout.rstrip("\n").split("\0", 1)
    return subject, date


def _need(obj, key, source):
    if not isinstance(obj, dict) or key not in obj:
        raise HistoryError(f"{source}: missing")
    return obj[key]


def from_latest(latest_dir, *, instructions=None, fuzz=None, stress=None, steps=None,
                quick=False, repo=None):
    """A schema-1 document from a results directory as scripts/bench leaves it
    (context.json and bench/report.py's compare.json), plus what other steps
    measured. Subject and commit date come from git in `repo` (default: this
    checkout) when it knows the commit. Raises HistoryError naming the file
    at fault."""
    latest = Path(latest_dir)
    cpath, kpath = latest / "compare.json", latest / "context.json"
    compare, ctx = _read_json(cpath), _read_json(kpath)
    if not isinstance(ctx, dict):
        raise HistoryError(f"{kpath}: expected a JSON object, got {_kind(ctx)}")

    raw_commit = _need(ctx, "commit", f"{kpath}: commit")
    if not isinstance(raw_commit, str):
        raise HistoryError(f"{kpath}: commit: expected a string, got {_kind(raw_commit)}")
    dirty = raw_commit.endswith("-dirty")
    commit = raw_commit.removesuffix("-dirty")
    commit = commit if HEX40_RE.match(commit) else ""
    subject, commit_date = _git_info(commit, REPO if repo is None else repo)

    machine = {k: _need(ctx, k, f"{kpath}: {k}") for k in MACHINE_KEYS}
    if isinstance(machine["nproc"], str) and machine["nproc"].isdigit():
        machine["nproc"] = int(machine["nproc"])
    try:
        fp = fingerprint(machine)
    except TypeError as e:
        raise HistoryError(f"{kpath}: machine fields: {e}") from None
    machine = {"fingerprint": fp, **machine}

    def number(key, kind):
        v = _need(ctx, key, f"{kpath}: {key}")
        try:
            return kind(v) if not isinstance(v, bool) else v
        except (TypeError, ValueError):
            raise HistoryError(f"{kpath}: {key}: expected a number, got {json.dumps(v)}") from None

    date = _need(ctx, "date", f"{kpath}: date")
    try:
        _utc_date(date, "date")
    except _Invalid as e:
        raise HistoryError(f"{kpath}: {e}") from None
    settings = {"reps": number("reps", int), "min_time": number("min_time", float),
                "filter": _need(ctx, "filter", f"{kpath}: filter"), "quick": bool(quick)}
    conditions = {"governor": ctx.get("governor") or None, "turbo": ctx.get("turbo") or None,
                  "pinned": ctx.get("pinned") or ""}

    entries = _need(compare, "benchmarks", f"{cpath}: benchmarks")
    if not isinstance(entries, list):
        raise HistoryError(f"{cpath}: benchmarks: expected a list, got {_kind(entries)}")
    benchmarks = []
    for i, e in enumerate(entries):
        where = f"{cpath}: benchmarks[{i}]"
        row = {k: _need(e, k, f"{where}.{k}") for k in ("name", "procs", "unit")}
        for impl in IMPLS:
            col = _need(e, impl, f"{where}.{impl}")
            row[impl] = None if col is None else _need(col, "samples",
                                                        f"{where}.{impl}.samples")
        if row["c"] is None:
            raise HistoryError(f"{where}.c: null (a benchmark without C samples)")
        benchmarks.append(row)

    doc = {
        "schema": SCHEMA,
        "id": make_id(date, commit, fp),
        "date": date,
        "commit": commit, "dirty": dirty, "subject": subject, "commit_date": commit_date,
        "machine": machine,
        "conditions": conditions,
        "settings": settings,
        "benchmarks": benchmarks,
        "instructions": list(instructions or []),
        "fuzz": list(fuzz or []),
        "stress": stress,
        "steps": list(steps or []),
    }
    validate(doc, f"{latest} (as a history document)")
    return doc


# --- series ----------------------------------------------------------------

def benchmark(doc, name, procs):
    """The benchmarks entry of `doc` for (name, procs), or None."""
    return next((b for b in doc["benchmarks"] if b["name"] == name and b["procs"] == procs),
                None)


def instruction_count(doc, name, procs):
    """Instructions per op of (name, procs) in `doc`, or None."""
    return next((i["per_op"] for i in doc["instructions"]
                 if i["name"] == name and i["procs"] == procs), None)


def series(docs, name, procs, impl="c", fingerprint=None):
    """[(doc, [samples])] in the order of `docs`, for the runs that measured
    (name, procs) with `impl` ("c", "go", "boost"; or "instructions", whose
    samples are [per_op]), only those of machine `fingerprint` when given."""
    if impl not in (*IMPLS, "instructions"):
        raise ValueError(f"impl must be one of c, go, boost, instructions, not {impl!r}")
    out = []
    for doc in docs:
        if fingerprint is not None and doc["machine"]["fingerprint"] != fingerprint:
            continue
        if impl == "instructions":
            n = instruction_count(doc, name, procs)
            samples = None if n is None else [n]
        else:
            b = benchmark(doc, name, procs)
            samples = b and b[impl]
        if samples:
            out.append((doc, samples))
    return out


def keys(docs):
    """Every (name, procs) of `docs`, in order of first appearance."""
    return list(dict.fromkeys((b["name"], b["procs"]) for d in docs for b in d["benchmarks"]))


def median(samples):
    return statistics.median(samples) if samples else None


def c_go_ratio(entry):
    if not entry or not entry["go"]:
        return None
    go = median(entry["go"])
    return median(entry["c"]) / go if go else None


# --- the command -----------------------------------------------------------

class _Usage(Exception):
    pass


def fmt(x, digits=4):
    if x is None:
        return "-"
    if isinstance(x, int) and not isinstance(x, bool):
        return str(x)
    r = float(f"{x:.{digits}g}")
    return f"{r:.0f}" if abs(r) >= 10 ** (digits - 1) else f"{r:.{digits}g}"


def fmt_ratio(a, b):
    if a is None or b is None or a == 0:
        return "-"
    r = b / a
    return f"{r:.3f} ({(r - 1) * 100:+.1f}%)"


def _table(header, rows, align=None):
    """Aligned text lines; align: one "l" or "r" per column (default: the
    first column left, the others right)."""
    align = align or "l" + "r" * (len(header) - 1)
    rows = [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return ["  ".join(c.ljust(w) if a == "l" else c.rjust(w)
                      for c, w, a in zip(r, widths, align)).rstrip()
            for r in [header, *rows]]


def resolve(histdir, prefix):
    """The path of the one document whose id is `prefix` or starts with it."""
    stems = [p.stem for p in document_paths(histdir)]
    if prefix in stems:
        return Path(histdir) / f"{prefix}.json"
    found = [s for s in stems if s.startswith(prefix)]
    if not found:
        raise _Usage(f"no run {prefix!r} in {histdir}")
    if len(found) > 1:
        raise _Usage(f"{prefix!r} matches {len(found)} runs: " + ", ".join(found))
    return Path(histdir) / f"{found[0]}.json"


def failed_steps(doc):
    return [s["name"] for s in doc["steps"] if s["status"] == "failed"]


def cmd_list(args):
    docs = load_all(args.dir)
    if not docs:
        print(f"no runs in {args.dir}")
        return 0
    rows = [[d["id"], d["date"], d["commit"][:12] or "unknown",
             "dirty" if d["dirty"] else "clean", d["machine"]["fingerprint"],
             len(d["benchmarks"]), ",".join(failed_steps(d)) or "-"] for d in docs]
    for line in _table(["id", "date", "commit", "tree", "machine", "benchmarks",
                        "failed steps"], rows, "lllllrl"):
        print(line)
    return 0


def show_lines(doc):
    m, c, s = doc["machine"], doc["conditions"], doc["settings"]
    commit = doc["commit"] or "unknown"
    lines = [
        f"run         {doc['id']}",
        f"date        {doc['date']}",
        f"commit      {commit}{' (dirty tree)' if doc['dirty'] else ''}"
        + (f", committed {doc['commit_date']}" if doc["commit_date"] else ""),
        f"subject     {doc['subject'] or '(unknown)'}",
        f"machine     {m['fingerprint']}: {m['cpu']}, {m['nproc']} CPUs, kernel {m['kernel']}",
        f"            {m['gcc']}; {m['clang']}; {m['go']}",
        f"            boost {m['boost']}, libbenchmark {m['libbenchmark']}",
        f"conditions  governor {c['governor'] or 'unknown'}, turbo {c['turbo'] or 'unknown'}, "
        f"pinned {c['pinned'] or 'no'}",
        f"settings    {s['reps']} reps, min time {s['min_time']:g} s, filter "
        f"{s['filter'] or '(all)'}{', quick' if s['quick'] else ''}",
    ]
    if doc["steps"]:
        lines.append("steps       " + "; ".join(
            f"{st['name']} {st['status']} {st['seconds']:.0f} s"
            + (f" ({st['detail']})" if st["detail"] and st["status"] != "ok" else "")
            for st in doc["steps"]))
    lines.append("")
    rows = []
    for b in doc["benchmarks"]:
        rows.append([b["name"], b["procs"], b["unit"], len(b["c"]), fmt(median(b["c"])),
                     fmt(median(b["go"])), fmt(median(b["boost"])), fmt(c_go_ratio(b), 3)])
    lines += _table(["benchmark", "procs", "unit", "reps", "C", "Go", "Boost", "C/Go"], rows,
                    "lrlrrrrr")
    if doc["instructions"]:
        lines.append("")
        lines += _table(["instructions", "procs", "per op"],
                        [[i["name"], i["procs"], i["per_op"]] for i in doc["instructions"]])
    if doc["fuzz"]:
        lines.append("")
        lines += _table(["fuzz target", "seconds", "execs", "exec/s", "coverage", "features",
                         "corpus", "crashes"],
                        [[f["target"], fmt(f["seconds"]), f["execs"], fmt(f["exec_per_s"]),
                          f["coverage"], f["features"], f["corpus_size"], f["crashes"]]
                         for f in doc["fuzz"]])
    if doc["stress"] is not None:
        lines += ["", "stress      " + json.dumps(doc["stress"], sort_keys=True)]
    return lines


def cmd_show(args):
    doc = load(resolve(args.dir, args.id))
    print("\n".join(show_lines(doc)))
    return 0


def compare_lines(a, b):
    same = a["machine"]["fingerprint"] == b["machine"]["fingerprint"]
    lines = [f"A  {a['id']}  {a['commit'][:12] or 'unknown'}{' dirty' if a['dirty'] else ''}"
             f"  {a['subject']}",
             f"B  {b['id']}  {b['commit'][:12] or 'unknown'}{' dirty' if b['dirty'] else ''}"
             f"  {b['subject']}"]
    if same:
        lines.append(f"one machine ({a['machine']['fingerprint']}): wall times, C/Go ratios "
                     "and instruction counts compared")
    else:
        lines.append(f"different machines ({a['machine']['fingerprint']} and "
                     f"{b['machine']['fingerprint']}): wall times are not comparable; only "
                     "C/Go ratios and instruction counts are compared")
    lines.append("")
    rows, only_a, only_b = [], [], []
    for key in dict.fromkeys(keys([a, b]) + [(i["name"], i["procs"])
                                             for d in (a, b) for i in d["instructions"]]):
        ea, eb = benchmark(a, *key), benchmark(b, *key)
        ia, ib = instruction_count(a, *key), instruction_count(b, *key)
        if (ea is None) != (eb is None):
            (only_a if eb is None else only_b).append(f"{key[0]} procs {key[1]}")
        name, procs = key
        if ea and eb:
            if same:
                for impl, label in (("c", "C"), ("go", "Go"), ("boost", "Boost")):
                    ma, mb = median(ea[impl]), median(eb[impl])
                    if ma is not None or mb is not None:
                        rows.append([name, procs, f"{label} {ea['unit']}", fmt(ma), fmt(mb),
                                     fmt_ratio(ma, mb)])
            ra, rb = c_go_ratio(ea), c_go_ratio(eb)
            if ra is not None or rb is not None:
                rows.append([name, procs, "C/Go", fmt(ra, 3), fmt(rb, 3), fmt_ratio(ra, rb)])
        if ia is not None or ib is not None:
            rows.append([name, procs, "instructions/op", fmt(ia), fmt(ib), fmt_ratio(ia, ib)])
    lines += _table(["benchmark", "procs", "measure", "A", "B", "B/A"], rows, "lrlrrr")
    for label, names in (("only in A", only_a), ("only in B", only_b)):
        if names:
            lines += ["", f"{label}: " + ", ".join(names)]
    return lines


def cmd_compare(args):
    a, b = load(resolve(args.dir, args.a)), load(resolve(args.dir, args.b))
    print("\n".join(compare_lines(a, b)))
    return 0


def _json_arg(path, what):
    if path is None:
        return None
    v = _read_json(path)
    want = dict if what == "stress" else list
    if not isinstance(v, want):
        raise HistoryError(f"{path}: expected {'an object' if want is dict else 'a list'} "
                           f"for --{what}, got {_kind(v)}")
    return v


def cmd_import(args):
    doc = from_latest(args.latest, quick=args.quick,
                      instructions=_json_arg(args.instructions, "instructions"),
                      fuzz=_json_arg(args.fuzz, "fuzz"),
                      stress=_json_arg(args.stress, "stress"),
                      steps=_json_arg(args.steps, "steps"))
    print(write(args.dir, doc))
    return 0


def cmd_check(args):
    docs, problems = check_all(args.dir)
    for p in problems:
        print(f"bad: {p}", file=sys.stderr)
    if Path(args.dir).is_dir():
        for p in sorted(Path(args.dir).glob(".*.tmp")):
            print(f"note: {p}: a temporary file of a writer that did not finish "
                  "(not a document; safe to delete)", file=sys.stderr)
    if problems:
        print(f"{len(problems)} bad document(s), {len(docs)} good, in {args.dir}",
              file=sys.stderr)
        return 1
    print(f"{len(docs)} document(s) OK in {args.dir}")
    return 0


def parser():
    ap = argparse.ArgumentParser(
        prog="scripts/history",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="The run history (results/history/, one JSON document per run; "
                    "the schema is in ci/history.py).",
        epilog="IDs may be given as unique prefixes.\n"
               "Exit status: 0; 1 on bad data (an invalid document, an id already in "
               "the history);\n2 on bad usage (also an ID that matches no run, or several).")
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR,
                    help="the history directory (default: %(default)s)")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("list", help="one line per run: id, date, commit, dirty, machine, "
                       "benchmarks, failed steps")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("show", help="one run: context, and per benchmark the medians and "
                       "C/Go")
    p.add_argument("id")
    p.set_defaults(func=cmd_show)
    p = sub.add_parser("compare", help="two runs, per benchmark and procs: A, B, B/A "
                       "(wall times only within one machine)")
    p.add_argument("a", metavar="ID_A")
    p.add_argument("b", metavar="ID_B")
    p.set_defaults(func=cmd_compare)
    p = sub.add_parser("import", help="add a results/latest/ (compare.json, context.json) "
                       "as a run; prints the new document's path")
    p.add_argument("latest", type=Path, metavar="LATEST_DIR")
    p.add_argument("--quick", action="store_true", help="the run was scripts/bench --quick")
    for what, form in (("instructions", "[{name, procs, per_op}]"),
                       ("fuzz", "[{target, seconds, execs, exec_per_s, coverage, features, "
                        "corpus_size, crashes}]"),
                       ("stress", "{...}"),
                       ("steps", "[{name, status, seconds, detail}]")):
        p.add_argument(f"--{what}", type=Path, metavar="JSON",
                       help=f"a JSON file holding the run's {what}: {form}")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("check", help="validate every document; names each bad one")
    p.set_defaults(func=cmd_check)
    return ap


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except _Usage as e:
        print(f"scripts/history: {e}", file=sys.stderr)
        return 2
    except HistoryError as e:
        print(f"scripts/history: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader (head, a pager) stopped reading: not an error here.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
