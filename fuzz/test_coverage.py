#!/usr/bin/env python3
"""fuzz/test_coverage.py: unit tests for fuzz/coverage.py (ctest
fuzz.coverage_report). A small synthetic C file and coverage lines: which
functions own which calls, ?: alternatives, and what counts as missing."""

import contextlib
import importlib.util
import io
import os
import sys
import tempfile
import textwrap
import unittest

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
# By path and under another name: "coverage" is also a popular package.
_spec = importlib.util.spec_from_file_location("sl_fuzz_coverage",
                                               os.path.join(HERE, "coverage.py"))
cov = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cov)

SOURCE = textwrap.dedent(r'''
    /* setpstatus(pp, _Pdead) in a comment is not a call */
    #include "runtime.h"
    #define HELPER(pp) setpstatus(pp, _Pidle) /* a macro: not a site */

    static const char *const names[] = {
        "setpstatus(pp, _Prunning)", /* nor is one in a string */
    };

    static struct {
        int a;
    } table[4];

    void wirep(struct p *pp)
    {
        if (pp) {
            setpstatus(pp, _Prunning);
        }
        print("casgstatus(gp, _Gidle, _Gdead) in a string\n");
    }

    NO_SANITIZE_THREAD static int
    retake(int64_t now,
           int32_t procs)
    {
        struct { int x; } local = {0};
        if (caspstatus(pp, _Psyscall, _Pidle))
            handoff(pp);
        return local.x;
    }

    void(casgstatus)(struct g *gp, uint32_t oldval, uint32_t newval)
    {
        casgstatus(gp, _Gwaiting, _Grunnable); /* inside the generic one */
    }

    __attribute__((noreturn)) static void
    park_m(struct g *gp, void (*fn)(void *), void *arg)
    {
        casgstatus(gp, _Grunning, _Gwaiting);
        setgstatus_owned(gp, (uint32_t)_Gsyscall, _Grunning);
        casgstatus(gp, _Gwaiting, flag ? _Grunnable : _Gdead);
    }

    struct p *procresize(int32_t nprocs)
    {
        SIMCOVER("procresize", 0, 0,
                 old == 0       ? "bootstrap"
                 : nprocs > old ? "grow"
                 : nprocs < old ? (x ? "shrink" : "shrink: what?")
                                : "same " "size");
        SIMCOVER("procresize", 0, 0, "destroy P with work in its runq");
        SIMCOVER("procresize", 0, 0, nameof(x));
        SIMCOVER("other", 0, 0, __func__);
        setpstatus(pp, _Pidle);
        setpstatus(qq, _Pidle);
    }
''')


class Fixture(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.src = os.path.join(self.tmp.name, "snippet.c")
        with open(self.src, "w") as f:
            f.write(SOURCE)
        self.expected, self.notes = cov.enumerate_expected([self.src])

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text).lstrip())
        return path

    def keys(self, kind):
        return {k[1:] for k in self.expected if k[0] == kind}


class TestEnumeration(Fixture):
    def test_function_names(self):
        self.assertEqual(cov.function_name("static struct p *pidleget(void)"), "pidleget")
        self.assertEqual(cov.function_name("void(casgstatus)(struct g *gp, int x)"),
                         "casgstatus")
        self.assertEqual(cov.function_name(
            "struct g *newproc(void (*fn)(void *), void *arg)"), "newproc")
        self.assertEqual(cov.function_name(
            "__attribute__((noreturn)) void\nf(int a,\n  int b)"), "f")
        self.assertIsNone(cov.function_name("static const char *const n[] ="))
        self.assertIsNone(cov.function_name("static struct"))
        self.assertIsNone(cov.function_name("int x = f(1)"))

    def test_p_transitions(self):
        self.assertEqual(self.keys("P"), {
            ("*", "_Prunning", "wirep"),
            ("_Psyscall", "_Pidle", "retake"),
            ("*", "_Pidle", "procresize"),
        })
        # Two calls in one function: one entry, both lines.
        self.assertEqual(len(self.expected[("P", "*", "_Pidle", "procresize")].where), 2)

    def test_g_transitions(self):
        # Not the call inside void(casgstatus)(...), not the one in a string;
        # a cast stripped; both sides of a ?: in a state argument.
        self.assertEqual(self.keys("G"), {
            ("_Grunning", "_Gwaiting", "park_m"),
            ("_Gsyscall", "_Grunning", "park_m"),
            ("_Gwaiting", "_Grunnable", "park_m"),
            ("_Gwaiting", "_Gdead", "park_m"),
        })

    def test_ternary_alternatives(self):
        self.assertEqual({k[3] for k in self.expected if k[0] == "procresize"}, {
            "bootstrap", "grow", "shrink", "shrink: what?", "same size",
            "destroy P with work in its runq",
        })
        self.assertIn(("other", "-", "-", "procresize"), self.expected)
        self.assertTrue(any("nameof(x)" in n for n in self.notes), self.notes)

    def test_line_numbers(self):
        line = SOURCE.splitlines().index("        setpstatus(pp, _Prunning);") + 1
        where = self.expected[("P", "*", "_Prunning", "wirep")].where
        self.assertEqual(where, ["%s:%d (setpstatus)" % (cov.display_path(self.src), line)])

    def test_preprocessor_conditionals(self):
        src = self.write("cond.c", r"""
            void f(void)
            {
            #ifdef SL_LOCKRANK /* no rule: both branches count */
                caspstatus(pp, _Pdead, _Pidle);
            #else
                caspstatus(pp, _Psyscall, _Pidle);
            #endif
            #ifdef SL_SIM
                SIMCOVER("procresize", 0, 0, "sim only");
            #else
                caspstatus(pp, _Prunning, _Pdead);
            #endif
            #ifndef SL_SIM
                caspstatus(pp, _Pgcstop, _Pdead);
            #elif defined(SL_TSAN)
                caspstatus(pp, _Pidle, _Pdead);
            #endif
            #if 0
                caspstatus(pp, _Psyscall, _Pdead);
            #endif
            #ifdef SOMETHING_ELSE /* unknown: both branches count */
                caspstatus(pp, _Pidle, _Prunning);
            #else
                caspstatus(pp, _Pidle, _Psyscall);
            #endif
            }
            """)
        expected, _ = cov.enumerate_expected([src])
        self.assertEqual({k[1:3] for k in expected if k[0] == "P"}, {
            ("_Pdead", "_Pidle"), ("_Psyscall", "_Pidle"), ("_Pidle", "_Pdead"),
            ("_Pidle", "_Prunning"), ("_Pidle", "_Psyscall"),
        })
        self.assertIn(("procresize", "-", "-", "sim only"), expected)
        # One branch, asked for (-D / -U, an fnmatch pattern each).
        expected, _ = cov.enumerate_expected(
            [src], (("SL_LOCK*", True),) + cov.DEFAULT_MACROS)
        self.assertIn(("P", "_Pdead", "_Pidle", "f"), expected)
        self.assertNotIn(("P", "_Psyscall", "_Pidle", "f"), expected)
        expected, _ = cov.enumerate_expected(
            [src], (("SL_LOCKRANK", False),) + cov.DEFAULT_MACROS)
        self.assertNotIn(("P", "_Pdead", "_Pidle", "f"), expected)
        self.assertIn(("P", "_Psyscall", "_Pidle", "f"), expected)

    def test_runtime_sources(self):
        # The real tree parses without surprises: every call in a function.
        srcs = cov.default_sources()
        if not srcs:
            self.skipTest("no runtime sources next to fuzz/")
        expected, notes = cov.enumerate_expected(srcs)
        self.assertFalse([n for n in notes if "outside any function" in n], notes)
        sites = {k[3] for k in expected}
        self.assertNotIn("casgstatus", sites)
        self.assertNotIn("setgstatus_owned", sites)
        kinds = {k[0] for k in expected}
        self.assertTrue({"P", "G", "procresize"} <= kinds, kinds)


class TestCoverage(Fixture):
    def run_main(self, *argv):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = cov.main(["--src", self.src] + list(argv))
        return rc, out.getvalue()

    def test_sum_and_missing(self):
        a = self.write("a.cov", """
            P _Pidle _Prunning wirep 3
            P _Pgcstop _Prunning wirep 1
            G running waiting park_m 5
            procresize - - grow 2
            procresize - - same size 1
            """)
        b = self.write("b.cov", """
            P _Pidle _Prunning wirep 4
            P _Psyscall _Pidle retake 7
            G waiting runnable park_m 1
            procresize - - grow 3
            procresize - - bogus path 9
            G runnable running nowhere 2
            """)
        notes = []
        seen = cov.read_coverage([a, b], notes)
        self.assertEqual(notes, [])
        self.assertEqual(seen[("P", "_Pidle", "_Prunning", "wirep")], 7)
        self.assertEqual(seen[("G", "_Grunning", "_Gwaiting", "park_m")], 5)
        self.assertEqual(seen[("procresize", "-", "-", "same size")], 1)
        unexpected = cov.match(self.expected, seen)
        self.assertEqual(set(unexpected), {("procresize", "-", "-", "bogus path"),
                                           ("G", "_Grunnable", "_Grunning", "nowhere")})
        wirep = self.expected[("P", "*", "_Prunning", "wirep")]
        self.assertEqual(wirep.count, 8)
        self.assertEqual(dict(wirep.froms), {"_Pidle": 7, "_Pgcstop": 1})
        self.assertEqual(self.expected[("procresize", "-", "-", "grow")].count, 5)
        missing = {k for k, s in self.expected.items() if s.count == 0}
        self.assertEqual(missing, {
            ("P", "*", "_Pidle", "procresize"),
            ("G", "_Gsyscall", "_Grunning", "park_m"),
            ("G", "_Gwaiting", "_Gdead", "park_m"),
            ("procresize", "-", "-", "bootstrap"),
            ("procresize", "-", "-", "shrink"),
            ("procresize", "-", "-", "shrink: what?"),
            ("procresize", "-", "-", "destroy P with work in its runq"),
            ("other", "-", "-", "procresize"),
        })

        rc, text = self.run_main(a, b)
        self.assertEqual(rc, 0)
        self.assertIn("## P status transitions", text)
        self.assertIn("## G status transitions", text)
        self.assertIn("## procresize paths", text)
        self.assertIn("P status transitions 2/3; G status transitions 2/4; "
                      "other paths 0/1; procresize paths 2/6; missing 8", text)
        self.assertIn("| _Pgcstop (any) | _Prunning | wirep | 1 |", text)
        self.assertIn("- `* -> _Pidle` in `procresize`", text)
        self.assertIn("- `shrink: what?`", text)
        self.assertIn("- `bogus path`: 9", text)

    def test_exact_entry_claims_first(self):
        # setpstatus(* -> _Pidle) and caspstatus(_Psyscall -> _Pidle) in one
        # function: a _Psyscall -> _Pidle count goes to the exact one.
        src = self.write("two.c", """
            void f(void)
            {
                setpstatus(pp, _Pidle);
                caspstatus(pp, _Psyscall, _Pidle);
            }
            """)
        expected, _ = cov.enumerate_expected([src])
        cov.match(expected, {("P", "_Psyscall", "_Pidle", "f"): 2})
        self.assertEqual(expected[("P", "_Psyscall", "_Pidle", "f")].count, 2)
        self.assertEqual(expected[("P", "*", "_Pidle", "f")].count, 0)
        self.assertEqual(dict(expected[("P", "*", "_Pidle", "f")].claimed), {"_Psyscall": 2})

    def test_fail_missing_and_out(self):
        everything = self.write("all.cov", "".join(
            "%s %s %s %s 1\n" % (k[0], "_Pidle" if k[1] == "*" else
                                 k[1][2:] if k[0] == "G" else k[1],
                                 k[2][2:] if k[0] == "G" else k[2], k[3])
            for k in self.expected))
        out = os.path.join(self.tmp.name, "sub", "report.md")
        rc, text = self.run_main("--fail-missing", "--out", out, everything)
        self.assertEqual(rc, 0, text)
        with open(out) as f:
            self.assertEqual(f.read(), text)
        self.assertIn("missing 0", text)
        partial = self.write("some.cov", "procresize - - grow 1\n")
        rc, text = self.run_main("--fail-missing", partial)
        self.assertEqual(rc, 1)
        rc, text = self.run_main(partial)
        self.assertEqual(rc, 0)

    def test_bad_lines(self):
        bad = self.write("bad.cov", "garbage\nP _Pidle _Prunning wirep many\n")
        notes = []
        self.assertEqual(dict(cov.read_coverage([bad], notes)), {})
        self.assertEqual(len(notes), 2)


if __name__ == "__main__":
    unittest.main()
