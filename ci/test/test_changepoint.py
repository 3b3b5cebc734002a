#!/usr/bin/python3
"""Tests for ci/changepoint.py on synthetic nightly series: the energy
statistic against its definition, a 10% step found within a few nights, the
false-alarm rate on pure noise, two steps, a step undone, determinism.

    /usr/bin/python3 ci/test/test_changepoint.py
"""
import itertools
import sys
import unittest
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "ci"))
import changepoint  # noqa: E402
from changepoint import detect, find_steps, steps  # noqa: E402


def noise(seed, n, mean=100.0, sd=2.0):
    return np.random.default_rng(seed).normal(mean, sd, n)


def direct_q(z, tau, kappa, exponent=1.0):
    """Q(tau, kappa) written out from Matteson and James (2014), loops and
    all: X = z[:tau], Y = z[tau:kappa]."""
    x, y = z[:tau], z[tau:kappa]
    m, k = len(x), len(y)
    between = sum(abs(a - b) ** exponent for a in x for b in y)
    wx = sum(abs(a - b) ** exponent for a, b in itertools.combinations(x, 2))
    wy = sum(abs(a - b) ** exponent for a, b in itertools.combinations(y, 2))
    e = 2 / (m * k) * between - wx / (m * (m - 1) / 2) - wy / (k * (k - 1) / 2)
    return m * k / (m + k) * e


class StatisticTest(unittest.TestCase):
    def test_matches_definition(self):
        rows = np.stack([noise(s, 13) for s in range(3)])
        rows[1, 7:] += 5
        for exponent in (1.0, 0.5, 1.5):
            q, tau = changepoint._qhat(rows, 3, exponent)
            self.assertEqual(list(tau), list(range(3, 11)))
            for r, row in enumerate(rows):
                want = [max(direct_q(row, t, kappa, exponent) for kappa in range(t + 3, 14))
                        for t in tau]
                np.testing.assert_allclose(q[r], want, rtol=1e-9, atol=1e-9)


class DetectTest(unittest.TestCase):
    def test_step_found_within_four_nights(self):
        """+10% after 20 nights of N(100, 2): found at night 20 +- 2 as soon
        as 4 nights after the step exist, and still there with 10."""
        exact = 0
        for seed in range(40):
            z = noise(seed, 30)
            z[20:] += 10
            for nights in (4, 10):
                got = detect(z[:20 + nights])
                near = [i for i in got if abs(i - 20) <= 2]
                self.assertEqual(len(near), 1, f"seed {seed}, {nights} nights: {got}")
                exact += near[0] == 20
        self.assertGreaterEqual(exact, 76)

    def test_false_alarm_rate(self):
        """Pure noise: no more series with a step than documented (+2 points)."""
        n_series = 300
        alarms = [s for s in range(5000, 5000 + n_series) if detect(noise(s, 30))]
        self.assertLessEqual(len(alarms) / n_series, changepoint.FALSE_ALARM_RATE + 0.02,
                             f"false steps in the series of seeds {alarms}")

    def test_step_undone(self):
        """+10% for 5 nights in the middle (a regression, then its fix)."""
        extra = 0
        for seed in range(20):
            z = noise(seed, 40)
            z[15:20] += 10
            got = detect(z)
            for want in (15, 20):
                self.assertTrue(any(abs(i - want) <= 1 for i in got), f"seed {seed}: {got}")
            extra += len(got) - 2
        self.assertLessEqual(extra, 2)

    def test_two_steps(self):
        for seed in range(10):
            z = np.concatenate([noise(seed, 20), noise(seed + 100, 15, 110),
                                noise(seed + 200, 15, 95)])
            got = detect(z)
            self.assertEqual(len(got), 2, f"seed {seed}: {got}")
            self.assertLessEqual(abs(got[0] - 20), 2, got)
            self.assertLessEqual(abs(got[1] - 35), 2, got)

    def test_deterministic(self):
        z = noise(7, 40)
        z[25:] += 2.5  # a small step: its p-value is near alpha
        first = detect(z, seed=11, alpha=0.05)
        for _ in range(3):
            self.assertEqual(detect(z, seed=11, alpha=0.05), first)
        answers = {tuple(detect(z, seed=s, alpha=0.05)) for s in range(12)}
        self.assertGreater(len(answers), 1, "the seed should matter on this series")

    def test_exact_counts(self):
        """Instruction counts: no noise at all."""
        self.assertEqual(detect([1000] * 15), [])
        self.assertEqual(detect([1000] * 10 + [1010] * 3), [10])
        self.assertEqual(detect([1000] * 10 + [990] * 10 + [1000] * 10), [10, 20])

    def test_short_and_bad_input(self):
        self.assertEqual(detect([]), [])
        self.assertEqual(detect([1.0, 50.0, 1.0, 50.0, 1.0]), [])
        # 6 values: 2 of the 20 arrangements split 3 | 3 as well as the data
        # do, so p >= 0.1 and nothing is significant at 0.01, or even 0.05.
        self.assertEqual(detect([1.0, 1.0, 1.0, 9.0, 9.0, 9.0], alpha=0.05), [])
        self.assertEqual(detect([1.0] * 10 + [9.0] * 3), [10])
        with self.assertRaises(ValueError):
            detect([1.0, float("nan"), 2.0])
        with self.assertRaises(ValueError):
            detect([1.0] * 10, min_size=1)
        with self.assertRaises(ValueError):
            detect([1.0] * 10, alpha=1.5)


class StepsTest(unittest.TestCase):
    def test_find_steps(self):
        values = [100.0] * 8 + [120.0] * 6 + [90.0] * 6
        points = [(f"c{i}", v) for i, v in enumerate(values)]
        got = find_steps(points)
        self.assertEqual([s["index"] for s in got], [8, 14])
        self.assertEqual(got[0], {"index": 8, "label": "c8", "previous_label": "c7",
                                  "before_median": 100.0, "after_median": 120.0,
                                  "change_pct": got[0]["change_pct"]})
        self.assertAlmostEqual(got[0]["change_pct"], 20.0)
        self.assertAlmostEqual(got[1]["change_pct"], -25.0)

    def test_steps_of_a_history_series(self):
        def doc(i):
            return {"id": f"run{i}", "commit": f"{i:040x}", "subject": f"change {i}",
                    "date": f"2026-11-{i + 1:02d}T03:00:00Z"}
        rng = np.random.default_rng(3)
        series = [(doc(i), list(rng.normal(100 if i < 12 else 92, 2, 5))) for i in range(18)]
        got = steps(series)
        self.assertEqual(len(got), 1, got)
        s = got[0]
        self.assertEqual((s["index"], s["id"], s["commit"], s["previous_id"],
                          s["previous_commit"], s["subject"], s["date"]),
                         (12, "run12", f"{12:040x}", "run11", f"{11:040x}", "change 12",
                          "2026-11-13T03:00:00Z"))
        self.assertLess(s["change_pct"], -5)


if __name__ == "__main__":
    unittest.main()
