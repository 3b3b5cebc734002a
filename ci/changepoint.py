#!/usr/bin/python3
"""ci/changepoint.py: steps in a nightly series, by E-divisive means.

E-divisive means (Matteson and James, "A nonparametric approach for multiple
change point analysis of multivariate data", JASA 2014), the method of
MongoDB's signal-processing-algorithms and Apache Otava (Hunter) for
performance series:

1. In a segment z, for each split tau and end kappa (X = z[s:tau], m values,
   Y = z[tau:kappa], k values, both at least min_size long) and the distances
   |a - b| ** exponent:
       E = 2/(m k) sum |X - Y| - 1/C(m, 2) sum_{i<j} |X_i - X_j|
           - 1/C(k, 2) sum_{i<j} |Y_i - Y_j|          (the energy distance)
       Q(tau, kappa) = m k / (m + k) * E
   The best split of the segment maximises Q over tau and kappa. Every Q of
   a segment comes from one distance matrix and its 2-D cumulative sums
   (numpy broadcasting, no loop over tau or kappa).
2. Bisection: the best split over all current segments is the candidate.
3. Permutation test: the values are shuffled within each current segment,
   and the best Q of the shuffled segments taken, `permutations` times;
   p = (1 + #{shuffled >= observed}) / (1 + permutations). The candidate is
   kept when p <= alpha and step 2 runs again; the first candidate that is
   not significant ends the search. The shuffles come from numpy's Generator
   seeded with `seed`: a series and a seed always give the same answer.

The search over kappa, as in the paper, is what finds a step that is later
undone (a regression, then its fix): splitting each segment only against its
whole rest, as MongoDB does, found both ends of +10% for 5 nights in the
middle of 40 in 2 of 300 series; with kappa, in all of them.

Measured with the defaults (alpha 0.01, 199 permutations, min_size 3, seed 0)
on N(100, 2) noise, each series from numpy's default_rng(i):
- False alarms: a step reported in 18 of 2000 series of 30 nights, 0.9%
  (FALSE_ALARM_RATE; with alpha 0.05: 92 of 2000, 4.6%); 12 of 1000 series
  of 100 nights; 10 of 1000 of 30 nights of heavy-tailed noise (Student t, 3
  degrees of freedom). ci/test/test_changepoint.py checks 300 other series.
- Delay, +10% from night 20 on (500 series, reported at 20 +- 2): found with
  3 nights after the step (the least min_size allows) in 492, with 4 in 497,
  with 5 in all 500; at exactly night 20 in 497.
- Delay, +5% (2.5 standard deviations): found with 3 nights after it in 181
  of 500, with 5 in 348, with 8 in 460; not within 12 nights in 17.
- +10% for nights 15-19 of 40: both steps found in 500 of 500; +5% for
  nights 15-24: in 407 of 500.
A dashboard of 40 series re-analysed every night thus shows a false step on
about one series in a hundred, and a +10% step 3 nights after it.
Cost: the permutation test stops once the candidate cannot be significant
any more, so noise is cheap (2000 series of 30 nights in 2 s); a series of
365 nights with 2 steps takes about 2 s.

    detect(series, *, alpha, permutations, min_size, seed, exponent) -> [int]
    find_steps([(label, value)], **detect_args) -> [dict]
    steps(history.series(...), **detect_args) -> [dict]
"""
import functools
import math
import statistics

import numpy as np

ALPHA = 0.01
FALSE_ALARM_RATE = 0.009  # measured, see above
PERMUTATIONS = 199
MIN_SIZE = 3
# Shuffles per batch: at most 10, and fewer for long segments so that a
# batch's B x n x n arrays stay near 32 MiB each.
_BATCH = 10
_BATCH_ELEMENTS = 4_000_000


@functools.lru_cache(maxsize=64)
def _weights(n, min_size):
    """For the splits tau in [min_size, n - min_size] (rows) and the ends
    kappa in [0, n] (columns), with m = tau, k = kappa - tau, w = mk/(m+k):
    Q = (A + BY) c[tau, kappa] + BY (c[kappa, tau] - c[kappa, kappa])
        - (A + BX + BY) c[tau, tau] + mask,
    where A = 2w/(mk), BX = w/(m(m-1)), BY = w/(k(k-1)), c is the 2-D
    cumulative sum of the distances (c[i, j] = sum of d[:i, :j]), and mask
    is -inf where k < min_size."""
    m = np.arange(min_size, n - min_size + 1, dtype=float)[:, None]
    k = np.arange(n + 1, dtype=float)[None, :] - m
    ok = k >= min_size
    k = np.where(ok, k, 2.0)
    a = 2 / (m + k)
    bx = k / ((m + k) * (m - 1))
    by = m / ((m + k) * (k - 1))
    zero = np.where(ok, 1.0, 0.0)
    return ((a + by) * zero, by * zero, (a + bx + by) * zero,
            np.where(ok, 0.0, -np.inf))


def _qhat(batch, min_size, exponent):
    """Q of the best admissible split of every row of `batch` (B x n) at
    every tau, over the ends kappa: (B x T array, the T splits tau)."""
    b, n = batch.shape
    lo, hi = min_size, n - min_size + 1
    d = np.abs(batch[:, :, None] - batch[:, None, :])
    if exponent != 1:
        d **= exponent
    c = np.zeros((b, n + 1, n + 1))
    np.cumsum(d, axis=1, out=d)
    np.cumsum(d, axis=2, out=c[:, 1:, 1:])
    diag = np.diagonal(c, axis1=1, axis2=2)
    c1, cy, cx, mask = _weights(n, min_size)
    q = c[:, lo:hi, :] * c1
    q += (c[:, :, lo:hi].transpose(0, 2, 1) - diag[:, None, :]) * cy
    q -= diag[:, lo:hi, None] * cx
    q += mask
    return q.max(axis=2), np.arange(lo, hi)


def _best(segment, min_size, exponent):
    """(q, tau) of the best split of one segment; (-inf, None) if too short."""
    if len(segment) < 2 * min_size:
        return -math.inf, None
    q, tau = _qhat(segment[None, :], min_size, exponent)
    i = int(np.argmax(q[0]))
    return float(q[0, i]), int(tau[i])


def _significant(z, segments, q_obs, alpha, permutations, min_size, exponent, rng):
    """The permutation test of a candidate of Q q_obs: whether
    (1 + #{shuffles whose best Q >= q_obs}) / (1 + permutations) <= alpha.
    It stops as soon as too many shuffles reached q_obs (the answer is then
    known to be no), which the usual last, unsuccessful test needs."""
    allowed = math.floor(alpha * (permutations + 1) + 1e-9) - 1
    longest = max(e - s for s, e in segments)
    batch = max(1, min(_BATCH, _BATCH_ELEMENTS // (longest * longest)))
    reached = done = 0
    while done < permutations:
        size = min(batch, permutations - done)
        best = np.full(size, -math.inf)
        for s, e in segments:
            if e - s >= 2 * min_size:
                rows = rng.permuted(np.broadcast_to(z[s:e], (size, e - s)), axis=1)
                best = np.maximum(best, _qhat(rows, min_size, exponent)[0].max(axis=1))
        reached += np.count_nonzero((best > q_obs) | np.isclose(best, q_obs, rtol=1e-9,
                                                                 atol=0))
        done += size
        if reached > allowed:
            return False
    return True


def detect(series, *, alpha=ALPHA, permutations=PERMUTATIONS, min_size=MIN_SIZE, seed=0,
           exponent=1.0):
    """The change points of `series` (numbers, oldest first): the sorted
    indices i where a new segment starts, series[i] being the first value
    after the step. `exponent` in (0, 2) is the distance's (1: E-divisive
    means, which finds changes in the mean). Deterministic for a seed."""
    z = np.asarray(series, dtype=float)
    if z.ndim != 1:
        raise ValueError("series must be a flat sequence of numbers")
    if not np.all(np.isfinite(z)):
        raise ValueError("series holds a NaN or an infinity")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), not {alpha}")
    if alpha * (permutations + 1) < 1 - 1e-9:
        raise ValueError(f"{permutations} permutations can never give p <= {alpha}: "
                         f"at least {math.ceil(1 / alpha - 1 - 1e-9)} are needed")
    if min_size < 2:
        raise ValueError(f"min_size must be >= 2, not {min_size}")
    if not 0 < exponent < 2:
        raise ValueError(f"exponent must be in (0, 2), not {exponent}")

    rng = np.random.default_rng(seed)
    bounds = [0, len(z)]
    best = {}  # (start, end) -> (q, absolute split index)
    while True:
        segments = list(zip(bounds, bounds[1:]))
        for s, e in segments:
            if (s, e) not in best:
                q, tau = _best(z[s:e], min_size, exponent)
                best[(s, e)] = (q, None if tau is None else s + tau)
        q_obs, split = max(best[seg] for seg in segments)
        if split is None or q_obs <= 0:
            break
        if not _significant(z, segments, q_obs, alpha, permutations, min_size, exponent, rng):
            break
        bounds = sorted(bounds + [split])
    return bounds[1:-1]


def find_steps(points, **detect_args):
    """points: [(label, value)], oldest first (label: a commit, a run id...).
    One dict per step: index (of the first point after it), label,
    previous_label (the last point before it), before_median and
    after_median (of the segments on either side, up to the neighbouring
    steps), change_pct (after/before - 1, in %; None when before is 0)."""
    values = [float(v) for _, v in points]
    idx = detect(values, **detect_args)
    bounds = [0, *idx, len(values)]
    out = []
    for j, i in enumerate(idx):
        before = statistics.median(values[bounds[j]:i])
        after = statistics.median(values[i:bounds[j + 2]])
        out.append({
            "index": i,
            "label": points[i][0],
            "previous_label": points[i - 1][0],
            "before_median": before,
            "after_median": after,
            "change_pct": (after / before - 1) * 100 if before else None,
        })
    return out


def steps(series, **detect_args):
    """series: [(history document, [samples])] as ci/history.py's series()
    returns it, oldest first. The steps of the per-run medians, each as
    find_steps() gives it with label and previous_label replaced by the
    runs' id, commit, subject and date: "id", "commit", "subject", "date"
    (the first run after the step: its commit is the first one measured
    with the new level) and "previous_id", "previous_commit" (the last run
    before it: `git log previous_commit..commit` lists the suspects)."""
    points = [(doc, statistics.median(samples)) for doc, samples in series]
    out = []
    for step in find_steps(points, **detect_args):
        doc, prev = step.pop("label"), step.pop("previous_label")
        step.update({"id": doc["id"], "commit": doc["commit"], "subject": doc["subject"],
                     "date": doc["date"], "previous_id": prev["id"],
                     "previous_commit": prev["commit"]})
        out.append(step)
    return out
