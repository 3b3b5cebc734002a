#!/usr/bin/env python3
"""fuzz/coverage.py: which scheduler transitions a fuzz corpus reaches.

    fuzz/coverage.py [--src PATH]... [-D MACRO]... [-U MACRO]... [--out FILE]
                     [--fail-missing] [--list] [--inputs TEXT] COVERAGE_FILE...

The EXPECTED side comes from the runtime sources (default: runtime/core/*.c next
to this directory), read statically:

  - every call of setpstatus / caspstatus (P) and casgstatus /
    setgstatus_owned (G), with the function that makes it (the macros in
    runtime.h record __func__, the caller) and its from/to states.
    setpstatus names no from-state (the sim build records the one it
    swapped out), so it expects "* -> to" and the report lists which froms
    were seen. Calls inside the generic casgstatus / setgstatus_owned
    definitions are not sites;
  - every SIMCOVER(kind, from, to, site) in the sources: for an event kind
    such as "procresize", each string literal the site can be, every
    alternative of a ?: chain included; for "P"/"G", a transition.

Preprocessor conditionals are followed as the replayers' build sees them:
SL_SIM defined; -D/-U add to that. A conditional on any other macro keeps
both branches.

The REACHED side is one or more files written by `replay_NAME --coverage
FILE`, lines "P <from> <to> <site> <count>", "G <from> <to> <site> <count>"
and "<kind> - - <site> <count>" (runtime/os/sim/sim_cover.c); counts are summed
over all the files.

Prints a markdown report: a summary line, then one section per kind ("P
status transitions", "G status transitions", "procresize paths", ...) with
a table of what was reached and a list of what is MISSING, plus anything
observed that no source line explains (a stale build, or a call this parser
did not understand). --out also writes it to FILE; --fail-missing exits 1
when anything is missing; --list prints only the expected entries.

Exit status: 0, 1 (--fail-missing and something missing), 2 (bad usage or
an unreadable file). Python 3 standard library only.
"""

import argparse
import fnmatch
import glob
import os
import re
import sys
from collections import OrderedDict, defaultdict

# name -> (kind, index of the from argument or None, index of the to argument)
STATUS_CALLS = {
    "setpstatus": ("P", None, 1),
    "caspstatus": ("P", 1, 2),
    "casgstatus": ("G", 1, 2),
    "setgstatus_owned": ("G", 1, 2),
}
# The generic status functions: the macro records their caller, so a call
# made inside one of their definitions is not a site of its own.
GENERIC = {"casgstatus", "setgstatus_owned"}
ANY = "*"
SECTION_TITLES = {"P": "P status transitions", "G": "G status transitions"}
C_KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof", "do", "else",
              "case", "_Alignof", "__typeof__", "typeof", "_Static_assert"}


# ---------------------------------------------------------------- C scanning

# What the build the replayers come from defines: the simulation. (The
# planted bugs of fuzz/mutants.txt are patches, not conditionals.) A
# conditional on any other macro keeps both branches. Rules are (fnmatch
# pattern, defined?); the first that matches a name decides.
DEFAULT_MACROS = (("SL_SIM", True),)


def _macro_known(name, macros):
    """True/False if name is known (un)defined, else None."""
    for pat, value in macros:
        if fnmatch.fnmatchcase(name, pat):
            return value
    return None


def _condition(expr, macros):
    """The value of an #if expression we can judge (0, 1, defined(X),
    !defined(X), X), else None."""
    e = " ".join(expr.split())
    if re.fullmatch(r"\(*\s*0+\s*\)*", e):
        return False
    if re.fullmatch(r"\(*\s*[1-9]\d*\s*\)*", e):
        return True
    m = re.fullmatch(r"(!\s*)?defined\s*\(?\s*(\w+)\s*\)?", e)
    if m:
        v = _macro_known(m.group(2), macros)
        return None if v is None else (v != bool(m.group(1)))
    m = re.fullmatch(r"\w+", e)
    if m and _macro_known(e, macros) is False:
        return False  # an undefined macro is 0 in #if
    return None


def inactive_lines(text, macros=DEFAULT_MACROS):
    """Indices (0-based) of the lines a preprocessor would drop, given what
    `macros` says is defined. A condition on an unknown macro keeps both
    branches."""
    lines = text.split("\n")
    dropped = set()
    # Each frame: [parent active, this branch active, some branch was
    # known-taken, the condition is unknown]
    stack = []
    active = True
    i = 0
    while i < len(lines):
        first = i
        logical = lines[i]
        while logical.endswith("\\") and i + 1 < len(lines):
            i += 1
            logical = logical[:-1] + " " + lines[i]
        i += 1
        m = re.match(r"\s*#\s*(\w+)(.*)", logical)
        if not m:
            if not active:
                dropped.update(range(first, i))
            continue
        word = m.group(1)
        rest = re.sub(r"/\*.*?\*/|//.*", " ", m.group(2)).strip()
        if word in ("if", "ifdef", "ifndef"):
            if word == "ifdef":
                cond = _macro_known(rest.split()[0] if rest else "", macros)
            elif word == "ifndef":
                v = _macro_known(rest.split()[0] if rest else "", macros)
                cond = None if v is None else not v
            else:
                cond = _condition(rest, macros)
            taken = cond is not False
            stack.append([active, taken, cond is True, cond is None])
            active = active and taken
        elif word in ("elif", "else") and stack:
            frame = stack[-1]
            parent, _, known_taken, unknown = frame
            if word == "else":
                cond = None if unknown else not known_taken
            else:
                cond = False if known_taken else _condition(rest, macros)
            taken = cond is not False and not known_taken
            frame[1] = taken
            frame[2] = known_taken or cond is True
            frame[3] = unknown or cond is None
            active = parent and taken
        elif word == "endif" and stack:
            active = stack.pop()[0]
        if not active:
            dropped.update(range(first, i))
    return dropped


def blank_code(text, macros=DEFAULT_MACROS):
    """text with comments, preprocessor lines, lines a conditional drops
    (inactive_lines) and string/char contents replaced by spaces (the
    quotes stay), same length and same newlines, so that an offset into one
    is an offset into the other."""
    dropped = inactive_lines(text, macros)
    if dropped:
        lines = text.split("\n")
        text = "\n".join(" " * len(ln) if k in dropped else ln for k, ln in enumerate(lines))
    out = list(text)
    n = len(text)
    i = 0
    line_start = True

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        if line_start and c in " \t":
            i += 1
            continue
        if line_start and c == "#":
            # A directive, with its backslash continuations (and comments).
            j = i
            while j < n:
                if text[j] == "\\" and j + 1 < n and text[j + 1] == "\n":
                    j += 2
                    continue
                if text.startswith("/*", j):
                    e = text.find("*/", j + 2)
                    j = n if e < 0 else e + 2
                    continue
                if text[j] == "\n":
                    break
                j += 1
            blank(i, j)
            i = j
            continue
        line_start = False
        if c == "\n":
            line_start = True
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            blank(i, j)
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            blank(i + 1, min(j, n))
            i = j + 1
        else:
            i += 1
    return "".join(out)


def match_paren(code, i):
    """Index of the bracket closing the one at code[i] (or len(code))."""
    opening = code[i]
    closing = {"(": ")", "[": "]", "{": "}"}[opening]
    depth = 0
    for j in range(i, len(code)):
        if code[j] == opening:
            depth += 1
        elif code[j] == closing:
            depth -= 1
            if depth == 0:
                return j
    return len(code)


def match_paren_back(code, j):
    """Index of the '(' matching the ')' at code[j] (or -1)."""
    depth = 0
    for i in range(j, -1, -1):
        if code[i] == ")":
            depth += 1
        elif code[i] == "(":
            depth -= 1
            if depth == 0:
                return i
    return -1


ATTRIBUTE_RE = re.compile(r"__attribute__\s*\(\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)\)")


def function_name(header):
    """The name a function definition's header declares, or None if the
    header is not a function declarator (a struct, an initializer...).
    Handles `static struct p *f(args)`, `void(f)(args)` and attributes."""
    h = ATTRIBUTE_RE.sub(lambda m: " " * len(m.group(0)), header).rstrip()
    if not h.endswith(")"):
        return None
    open_ = match_paren_back(h, len(h) - 1)
    if open_ <= 0:
        return None
    before = h[:open_].rstrip()
    depth = 0
    for ch in before:  # an initializer's '=' at the top level: not a function
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "=" and depth == 0:
            return None
    if before.endswith(")"):  # void(name)(args): the name in parentheses
        inner_open = match_paren_back(before, len(before) - 1)
        if inner_open < 0:
            return None
        m = re.search(r"([A-Za-z_]\w*)\s*$", before[inner_open + 1:-1])
    else:
        m = re.search(r"([A-Za-z_]\w*)$", before)
    if not m or m.group(1) in C_KEYWORDS:
        return None
    return m.group(1)


def function_bodies(code):
    """[(body_start, body_end, name)] for every function definition: a
    top-level '{' whose header (since the last top-level ';' or '}') is a
    function declarator. In this codebase that is a header at column 0 and
    the '{' alone on the next line, but any layout works."""
    bodies = []
    depth = 0
    header_start = 0
    i = 0
    n = len(code)
    while i < n:
        c = code[i]
        if depth == 0 and c == "{":
            name = function_name(code[header_start:i])
            end = match_paren(code, i)
            if name:
                bodies.append((i, end, name))
                i = end + 1
                header_start = i
                continue
            depth = 1
        elif c == "{":
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
            if depth == 0:
                header_start = i + 1
        elif c == ";" and depth == 0:
            header_start = i + 1
        i += 1
    return bodies


def split_args(code, open_, close):
    """[(start, end)] of each top-level comma-separated argument."""
    args = []
    depth = 0
    start = open_ + 1
    for j in range(open_ + 1, close):
        ch = code[j]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            args.append((start, j))
            start = j + 1
    args.append((start, close))
    return args


def strip_parens(code, a, b):
    """Narrow [a, b) past whitespace and fully enclosing parentheses."""
    while True:
        while a < b and code[a].isspace():
            a += 1
        while b > a and code[b - 1].isspace():
            b -= 1
        if a < b and code[a] == "(" and match_paren(code, a) == b - 1:
            a, b = a + 1, b - 1
            continue
        return a, b


def ternary_alternatives(code, a, b):
    """The result expressions [(start, end)] of a (possibly nested, possibly
    chained) ?: expression in code[a:b]; just [(a, b)] when it is none."""
    a, b = strip_parens(code, a, b)
    depth = 0
    q = None
    for j in range(a, b):
        ch = code[j]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "?" and depth == 0:
            q = j
            break
    if q is None:
        return [(a, b)]
    # The ':' that pairs with this '?': nested ?: in the middle pair first.
    depth = 0
    pending = 0
    for j in range(q + 1, b):
        ch = code[j]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and ch == "?":
            pending += 1
        elif depth == 0 and ch == ":":
            if pending == 0:
                return (ternary_alternatives(code, q + 1, j) +
                        ternary_alternatives(code, j + 1, b))
            pending -= 1
    return [(a, b)]  # malformed: treat as one opaque expression


STRING_RE = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "0": "\0"}


def string_literal(code, text, a, b):
    """The value of code[a:b] if it is one string literal (or adjacent
    ones, concatenated), else None."""
    a, b = strip_parens(code, a, b)
    if a >= b or not STRING_RE.sub("", text[a:b]).strip() == "":
        return None
    parts = STRING_RE.findall(text[a:b])
    if not parts:
        return None
    return "".join(re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), p)
                   for p in parts)


CAST_RE = re.compile(r"^\(\s*(?:uint32_t|int|unsigned|enum\s+\w+)\s*\)\s*")


def state_values(code, text, a, b):
    """The states an argument can be: enum constants (_Pidle, _Grunning)
    for each ?: alternative; ANY for an expression we cannot name."""
    vals = []
    for x, y in ternary_alternatives(code, a, b):
        x, y = strip_parens(code, x, y)
        s = CAST_RE.sub("", " ".join(text[x:y].split()))
        s = s.strip("() ")
        vals.append(s if re.fullmatch(r"_[PG]\w+", s) else ANY)
    return vals


CALL_RE = re.compile(r"\b(setpstatus|caspstatus|casgstatus|setgstatus_owned|SIMCOVER)\s*\(")


class Site:
    """One expected entry: a transition (kind P/G, from, to, site) or a
    path (another kind, site); the source lines that make it."""

    def __init__(self, kind, frm, to, site):
        self.kind, self.frm, self.to, self.site = kind, frm, to, site
        self.where = []  # "file:line (call)"
        self.count = 0
        self.froms = defaultdict(int)  # for ANY: what was seen, and how often
        self.claimed = defaultdict(int)  # for ANY: seen froms an exact entry took

    @property
    def key(self):
        return (self.kind, self.frm, self.to, self.site)


REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def display_path(path):
    """path relative to the repository root when it lies inside, else as
    an absolute path: the same text from any working directory."""
    full = os.path.abspath(path)
    rel = os.path.relpath(full, REPO_ROOT)
    return full if rel.startswith("..") else rel


def scan_source(path, text, expected, notes, macros=DEFAULT_MACROS):
    """Add the expected entries of one C file to `expected` (an OrderedDict
    keyed by Site.key)."""
    code = blank_code(text, macros)
    bodies = function_bodies(code)
    rel = display_path(path)

    def enclosing(off):
        for start, end, name in bodies:
            if start <= off <= end:
                return name
        return None

    def lineno(off):
        return text.count("\n", 0, off) + 1

    def add(kind, frm, to, site, where):
        key = (kind, frm, to, site)
        if key not in expected:
            expected[key] = Site(kind, frm, to, site)
        if where not in expected[key].where:
            expected[key].where.append(where)

    for m in CALL_RE.finditer(code):
        name = m.group(1)
        open_ = m.end() - 1
        close = match_paren(code, open_)
        args = split_args(code, open_, close)
        func = enclosing(m.start())
        where = "%s:%d" % (rel, lineno(m.start()))
        if func is None:
            notes.append("%s: %s(...) outside any function: skipped" % (where, name))
            continue
        if name in STATUS_CALLS:
            if func in GENERIC:
                continue
            kind, fi, ti = STATUS_CALLS[name]
            if len(args) <= ti:
                notes.append("%s: %s with %d arguments: skipped" % (where, name, len(args)))
                continue
            froms = [ANY] if fi is None else state_values(code, text, *args[fi])
            for frm in froms:
                for to in state_values(code, text, *args[ti]):
                    if to == ANY:
                        notes.append("%s: %s to a state that is not a constant: "
                                     "any to-state accepted" % (where, name))
                    add(kind, frm, to, func, "%s (%s)" % (where, name))
            continue
        # SIMCOVER(kind, from, to, site)
        if len(args) != 4:
            notes.append("%s: SIMCOVER with %d arguments: skipped" % (where, len(args)))
            continue
        kind = string_literal(code, text, *args[0])
        if kind is None:
            notes.append("%s: SIMCOVER with a kind that is not a literal: skipped" % where)
            continue
        sites = []
        for x, y in ternary_alternatives(code, *args[3]):
            lit = string_literal(code, text, x, y)
            if lit is None and text[x:y].strip() == "__func__":
                lit = func
            if lit is None:
                notes.append("%s: SIMCOVER(\"%s\") site `%s` is not a literal: skipped"
                             % (where, kind, " ".join(text[x:y].split())))
                continue
            sites.append(lit)
        if kind in ("P", "G"):
            froms = state_values(code, text, *args[1])
            tos = state_values(code, text, *args[2])
        else:
            froms, tos = ["-"], ["-"]
        for site in sites:
            for frm in froms:
                for to in tos:
                    add(kind, frm, to, site, "%s (SIMCOVER)" % where)


def enumerate_expected(paths, macros=DEFAULT_MACROS):
    """(OrderedDict key -> Site, notes) over the given C files."""
    expected = OrderedDict()
    notes = []
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            scan_source(path, f.read(), expected, notes, macros)
    return expected, notes


# ---------------------------------------------------------------- coverage

def normalize_state(kind, name):
    """The coverage file's state name as the source spells it: gstatusname
    says "runnable" for _Grunnable; pstatusname already says "_Pidle"."""
    if kind == "G" and name not in ("-", "???") and not name.startswith("_G"):
        return "_G" + name
    return name


def read_coverage(paths, notes):
    """{(kind, from, to, site): count} summed over the files."""
    seen = defaultdict(int)
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                try:
                    head, count = line.rsplit(" ", 1)
                    kind, frm, to, site = head.split(" ", 3)
                    count = int(count)
                except ValueError:
                    notes.append("%s:%d: not a coverage line: %r" % (path, n, line))
                    continue
                key = (kind, normalize_state(kind, frm), normalize_state(kind, to), site)
                seen[key] += count
    return seen


def match(expected, seen):
    """Credit each observed count to the expected entries; returns the
    observed keys that no entry explains. An exact (from -> to) entry takes
    a count before a setpstatus (* -> to) entry of the same site does: the
    data cannot tell them apart."""
    unexpected = {}
    for key, count in seen.items():
        kind, frm, to, site = key
        exact = expected.get(key)
        anys = [expected.get((kind, ANY, to, site)), expected.get((kind, frm, ANY, site)),
                expected.get((kind, ANY, ANY, site))]
        anys = [s for s in anys if s is not None]
        if exact is not None:
            exact.count += count
            for s in anys:
                s.claimed[frm] += count
        elif anys:
            for s in anys:
                s.count += count
                s.froms[frm] += count
        else:
            unexpected[key] = count
    return unexpected


# ---------------------------------------------------------------- report

def section_title(kind):
    return SECTION_TITLES.get(kind, "%s paths" % kind)


def kinds_in_order(expected, unexpected):
    kinds = []
    for k in ["P", "G"] + sorted({s.kind for s in expected.values()} |
                                 {k[0] for k in unexpected}):
        if k not in kinds:
            kinds.append(k)
    return kinds


def md(s):
    return str(s).replace("|", "\\|")


def build_report(expected, unexpected, src_desc, cov_desc, notes):
    kinds = kinds_in_order(expected, unexpected)
    lines = ["# Transition coverage", ""]
    lines.append("Expected: %s. Reached: %s." % (src_desc, cov_desc))
    lines.append("")
    summary = []
    totals = {}
    for kind in kinds:
        entries = [s for s in expected.values() if s.kind == kind]
        reached = sum(1 for s in entries if s.count > 0)
        totals[kind] = (reached, len(entries))
        summary.append("%s %d/%d" % (section_title(kind), reached, len(entries)))
    lines.append("**Summary:** " + "; ".join(summary) +
                 "; missing %d" % sum(t - r for r, t in totals.values()))
    lines.append("")
    for kind in kinds:
        entries = [s for s in expected.values() if s.kind == kind]
        reached, total = totals[kind]
        lines += ["## %s" % section_title(kind), "",
                  "Reached %d of %d expected." % (reached, total), ""]
        rows = []
        for s in sorted(entries, key=lambda s: (s.site, s.to, s.frm)):
            if s.count == 0:
                continue
            where = ", ".join(s.where)
            if s.frm == ANY:
                for frm, c in sorted(s.froms.items()):
                    rows.append((frm + " (any)", s.to, s.site, c, where))
            else:
                rows.append((s.frm, s.to, s.site, s.count, where))
        if rows:
            lines += ["| from | to | site | count | source |", "|---|---|---|---:|---|"]
            lines += ["| %s | %s | %s | %d | %s |" % (md(frm), md(to), md(site), c, md(where))
                      for frm, to, site, c, where in rows]
        else:
            lines.append("(nothing reached)")
        lines.append("")
        missing = [s for s in entries if s.count == 0]
        lines.append("### Missing (%d)" % len(missing))
        lines.append("")
        if not missing:
            lines.append("(none)")
        for s in sorted(missing, key=lambda s: (s.site, s.to, s.frm)):
            what = ("`%s`" % s.site) if kind not in ("P", "G") and s.frm == "-" else \
                "`%s -> %s` in `%s`" % (s.frm, s.to, s.site)
            extra = ""
            if s.claimed:
                extra = " (seen at this site only as %s, credited to the exact entry)" % \
                    ", ".join("%s -> %s" % (f, s.to) for f in sorted(s.claimed))
            lines.append("- %s: %s%s" % (what, ", ".join(s.where), extra))
        lines.append("")
        unexp = sorted((k, c) for k, c in unexpected.items() if k[0] == kind)
        if unexp:
            lines.append("### Observed but not expected (%d)" % len(unexp))
            lines.append("")
            lines.append("No source line explains these: a build older than the "
                         "sources, or a call this script did not parse.")
            lines.append("")
            for (k, frm, to, site), c in unexp:
                lines.append("- `%s -> %s` in `%s`: %d" % (frm, to, site, c) if k in ("P", "G")
                             else "- `%s`: %d" % (site, c))
            lines.append("")
    if notes:
        lines += ["## Notes", ""] + ["- %s" % n for n in notes] + [""]
    return "\n".join(lines), totals


def default_sources():
    # The scheduler's SIMCOVER sites are all in core/; the backends have none.
    return sorted(glob.glob(os.path.join(REPO_ROOT, "runtime", "core", "*.c")))


def expand_sources(specs):
    paths = []
    for spec in specs:
        if os.path.isdir(spec):
            paths += sorted(glob.glob(os.path.join(spec, "*.c")))
        elif any(ch in spec for ch in "*?["):
            paths += sorted(glob.glob(spec))
        else:
            paths.append(spec)
    return paths


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Compare the transitions replay --coverage files reached with "
                    "those the runtime sources can make.")
    ap.add_argument("coverage", nargs="*", help="files written by replay_NAME --coverage")
    ap.add_argument("--src", action="append", metavar="PATH",
                    help="a C file, a directory (its *.c) or a glob; repeatable "
                         "(default: runtime/core/*.c)")
    ap.add_argument("--out", metavar="FILE", help="also write the report to FILE")
    ap.add_argument("--fail-missing", action="store_true",
                    help="exit 1 if any expected entry was not reached")
    ap.add_argument("--list", action="store_true", help="list the expected entries only")
    ap.add_argument("-D", dest="macros", action="append", metavar="MACRO",
                    type=lambda m: (m, True),
                    help="a macro the build defines (an fnmatch pattern), before the "
                         "default: SL_SIM defined")
    ap.add_argument("-U", dest="macros", action="append", metavar="MACRO",
                    type=lambda m: (m, False),
                    help="a macro the build leaves undefined (likewise); a conditional "
                         "on a macro no rule names keeps both branches")
    ap.add_argument("--inputs", metavar="TEXT",
                    help="what the coverage files came from, for the report "
                         "(default: their names)")
    args = ap.parse_args(argv)

    srcs = expand_sources(args.src) if args.src else default_sources()
    if not srcs:
        print("coverage.py: no C sources found", file=sys.stderr)
        return 2
    macros = tuple(args.macros or ()) + DEFAULT_MACROS
    try:
        expected, notes = enumerate_expected(srcs, macros)
    except OSError as e:
        print("coverage.py: %s" % e, file=sys.stderr)
        return 2
    if args.list:
        for s in expected.values():
            print("%s %s %s %s\t%s" % (s.kind, s.frm, s.to, s.site, ", ".join(s.where)))
        return 0
    try:
        seen = read_coverage(args.coverage, notes)
    except OSError as e:
        print("coverage.py: %s" % e, file=sys.stderr)
        return 2
    unexpected = match(expected, seen)
    dirs = sorted({os.path.dirname(display_path(p)) or "." for p in srcs})
    seen_pats = set()
    rules = []
    for pat, value in macros:
        if pat not in seen_pats:
            seen_pats.add(pat)
            rules.append("%s %s" % (pat, "defined" if value else "undefined"))
    src_desc = "%d C files in %s, preprocessed as %s" % (
        len(srcs), ", ".join("`%s`" % d for d in dirs), ", ".join(rules))
    cov_desc = args.inputs or (", ".join("`%s`" % p for p in args.coverage)
                               if args.coverage else "no coverage files")
    report, totals = build_report(expected, unexpected, src_desc, cov_desc, notes)
    sys.stdout.write(report + "\n")
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(report + "\n")
    if args.fail_missing and any(r < t for r, t in totals.values()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
