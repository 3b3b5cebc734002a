"""bench/stats.py: the statistics behind compare.md's noise flags and A/B rows.

    cv(samples)                            coefficient of variation
    hodges_lehmann(cand, base)             shift estimate, 95% interval, p-value
    ab_compare(cand, base, threshold_pct)  compare.json's "ab" entry

Imported by bench/report.py and by ci/ (sys.path.insert(0, <repo>/bench)).
Only the standard library, numpy and scipy.

The A/B comparison is distribution-free: no normality, no equal variances,
only that the candidate's repetitions are the baseline's shifted by a constant
(the location-shift model of the Mann-Whitney U test).

- Shift: the Hodges-Lehmann estimator, the median of the m*n pairwise
  differences cand_i - base_j.
- 95% interval (Lehmann 1963; Hollander & Wolfe, "Nonparametric Statistical
  Methods", ch. 4): with d_(1) <= ... <= d_(mn) the sorted differences,
  [d_(K), d_(mn+1-K)], where K - 1 is the largest u with P(U <= u) <= 0.025
  under the null distribution of U (no interval when even P(U = 0) is
  larger). Its coverage is
  1 - 2 P(U <= K-1) >= 95%, exactly (not asymptotically) when there are no
  ties.
  P(U <= u) is scipy.stats.mannwhitneyu's exact one-sided p-value
  (method="exact") of an arrangement of the two samples whose U is u, while
  both samples have at most EXACT_MAX repetitions; beyond that (where scipy's
  exact distribution costs seconds) K is the continuity-corrected normal
  approximation floor(mn/2 - z_0.975 sqrt(mn(m+n+1)/12) + 1/2), z from
  scipy.stats.norm (for 4 to 30 a side it equals the exact K or is one rank
  wider, never narrower).
  The smallest samples with a 95% interval are those where even the most
  extreme arrangement is rare enough: P(U = 0) = 1 / C(m+n, m) <= 0.025, i.e.
  C(m+n, m) >= 40: 4 and 4 repetitions (coverage 1 - 2/70 = 97.1%), 3 and 5,
  2 and 8. With 3 and 3 (or fewer) no interval reaches 95%.
- p-value: scipy.stats.mannwhitneyu, two-sided; method "exact" under the same
  condition as the interval (no ties, at most EXACT_MAX a side), else
  "asymptotic" (normal, tie-corrected, continuity-corrected).
"""
import functools
import math
import statistics

import numpy as np
from scipy.stats import mannwhitneyu, norm

CONFIDENCE = 0.95
EXACT_MAX = 30  # repetitions a side up to which U's exact distribution is used
VERDICTS = ("regression", "improvement", "unchanged", "too few samples")


def cv(samples):
    """Sample standard deviation / mean; None for fewer than 2 samples or a
    mean of 0."""
    if len(samples) < 2:
        return None
    mean = statistics.fmean(samples)
    return None if mean == 0 else statistics.stdev(samples) / abs(mean)


def _u_cdf(u, m, n):
    """P(U <= u) for samples of m and n without ties, U = #{(i, j): x_i > y_j}:
    scipy's exact one-sided p-value for x arranged among y = 0..n-1 so that
    the x_i sit above u of the pairs in all."""
    y = np.arange(n, dtype=float)
    q, r = divmod(u, n)
    above = ([n] * q + [r] + [0] * m)[:m]  # how many y each x_i exceeds
    x = np.array(above, dtype=float) - 0.5
    return float(mannwhitneyu(x, y, alternative="less", method="exact").pvalue)


@functools.lru_cache(maxsize=None)
def critical_rank(m, n, confidence=CONFIDENCE):
    """K, the 1-based rank among the m*n sorted differences of the interval's
    lower end (the upper end is rank m*n + 1 - K); 0 when samples of m and n
    admit no interval at this confidence."""
    half_alpha = (1 - confidence) / 2
    if m < 1 or n < 1:
        return 0
    if max(m, n) > EXACT_MAX:
        z = norm.ppf(1 - half_alpha)
        k = math.floor(m * n / 2 - z * math.sqrt(m * n * (m + n + 1) / 12) + 0.5)
        return max(k, 0)
    # The smallest u with P(U <= u) > alpha/2: binary search, the CDF grows.
    lo, hi = 0, m * n // 2 + 1  # P(U <= mn/2) >= 1/2 > alpha/2
    while lo < hi:
        mid = (lo + hi) // 2
        if _u_cdf(mid, m, n) > half_alpha:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _has_ties(cand, base):
    values = list(cand) + list(base)
    return len(set(values)) < len(values)


def p_value(cand, base):
    """Two-sided Mann-Whitney U p-value; None with fewer than 2 a side."""
    if len(cand) < 2 or len(base) < 2:
        return None
    exact = not _has_ties(cand, base) and max(len(cand), len(base)) <= EXACT_MAX
    p = float(mannwhitneyu(cand, base, alternative="two-sided",
                           method="exact" if exact else "asymptotic").pvalue)
    return None if math.isnan(p) else p


def hodges_lehmann(cand, base, confidence=CONFIDENCE):
    """-> (shift, (lo, hi) or None, p-value or None) of cand against base, in
    their unit. shift: median of the pairwise differences cand_i - base_j;
    (lo, hi): the distribution-free interval (module docstring), None when the
    sample sizes admit none; p-value: p_value(cand, base)."""
    if not cand or not base:
        raise ValueError("hodges_lehmann needs at least one sample a side")
    diffs = np.sort(np.subtract.outer(np.asarray(cand, float), np.asarray(base, float)),
                    axis=None)
    shift = float(np.median(diffs))
    k = critical_rank(len(cand), len(base), confidence)
    ci = (float(diffs[k - 1]), float(diffs[diffs.size - k])) if k > 0 else None
    return shift, ci, p_value(cand, base)


def ab_compare(cand, base, threshold_pct=5.0):
    """Candidate samples against baseline samples (one benchmark, one unit) ->
    {"ratio": median cand / median base,
     "shift_pct": Hodges-Lehmann shift in % of the baseline median,
     "ci_pct": [lo, hi], its 95% interval in %, or None,
     "p_value": two-sided Mann-Whitney U, or None,
     "verdict": "regression" when the whole interval is above +threshold_pct,
                "improvement" when it is all below -threshold_pct,
                "too few samples" when there is no interval, else "unchanged"}.
    Higher is worse (times, bytes). The baseline median must be > 0."""
    if not cand or not base:
        raise ValueError("ab_compare needs at least one sample a side")
    base_median = statistics.median(base)
    if base_median <= 0:
        raise ValueError(f"baseline median {base_median} is not positive")
    shift, ci, p = hodges_lehmann(cand, base)
    ci_pct = None if ci is None else [100 * ci[0] / base_median, 100 * ci[1] / base_median]
    if ci_pct is None:
        verdict = "too few samples"
    elif ci_pct[0] > threshold_pct:
        verdict = "regression"
    elif ci_pct[1] < -threshold_pct:
        verdict = "improvement"
    else:
        verdict = "unchanged"
    return {"ratio": statistics.median(cand) / base_median,
            "shift_pct": 100 * shift / base_median,
            "ci_pct": ci_pct,
            "p_value": p,
            "verdict": verdict}
