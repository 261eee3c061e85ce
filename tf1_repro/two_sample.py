"""Two-sample tests for seed studies: do two kernel families give the same distribution?

A faster path that is another kernel family (``--loop=graph --xla``) gives
other bits from the first steps on, so its seed study cannot equal the
default's seed for seed; what it must equal is the distribution of each
checkpoint's count over seeds.  Two classic tests judge that, written here
with NumPy alone (SciPy is not among the archive's requirements) and checked
against tabulated values and, where SciPy is installed, against it
(tests/test_two_sample.py):

* :func:`ks_2samp`: the two-sample Kolmogorov-Smirnov test, the largest gap
  between the two empirical distribution functions, any difference in
  shape; p-value from Kolmogorov's limiting distribution with Stephens'
  small-sample correction.  Counts are whole numbers with many ties, for
  which this p-value is conservative (too large): it is the test of shape,
  not the sharp one.
* :func:`mannwhitneyu`: the Mann-Whitney U (Wilcoxon rank-sum) test, whether
  one family's counts tend to lie above the other's; midranks for ties, the
  normal approximation with the tie-corrected variance and a continuity
  correction (SciPy's ``method="asymptotic"``), sharp under ties.

Both are two-sided and take two independent samples.
"""
import math

import numpy as np


def kolmogorov_sf(lam):
    """P(K > lam) for Kolmogorov's limiting distribution K (the sup of a Brownian bridge)."""
    lam = float(lam)
    if lam <= 0:
        return 1.0
    if lam < 1.18:
        # The theta-function form converges fast for small lam.
        y = math.exp(-math.pi ** 2 / (8 * lam ** 2))
        cdf = math.sqrt(2 * math.pi) / lam * sum(y ** ((2 * k - 1) ** 2) for k in range(1, 8))
        return min(1.0, max(0.0, 1.0 - cdf))
    return min(1.0, max(0.0, 2 * sum((-1) ** (k - 1) * math.exp(-2 * k * k * lam * lam)
                                     for k in range(1, 101))))


def _samples(x, y):
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.size == 0 or y.size == 0:
        raise ValueError("two-sample test: both samples need at least one value")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("two-sample test: samples must be finite numbers")
    return x, y


def ks_2samp(x, y):
    """Two-sided two-sample Kolmogorov-Smirnov test: {"statistic": D, "pvalue": p}.

    D is the largest absolute difference of the two empirical distribution
    functions (ties within and between samples handled exactly: both are
    evaluated after each distinct value).  p is Kolmogorov's limiting tail
    at (sqrt(e) + 0.12 + 0.11 / sqrt(e)) * D with e = n m / (n + m)
    (Stephens 1970; Numerical Recipes' ``kstwo``).
    """
    x, y = _samples(x, y)
    values = np.union1d(x, y)
    cdf_x = np.searchsorted(np.sort(x), values, side="right") / x.size
    cdf_y = np.searchsorted(np.sort(y), values, side="right") / y.size
    d = float(np.max(np.abs(cdf_x - cdf_y)))
    en = math.sqrt(x.size * y.size / (x.size + y.size))
    return {"statistic": d, "pvalue": kolmogorov_sf((en + 0.12 + 0.11 / en) * d)}


def midranks(values):
    """Ranks 1..n of ``values``, tied values sharing the mean of their ranks."""
    values = np.asarray(values, dtype=float)
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(values.size)
    ranks[order] = np.arange(1, values.size + 1)
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    return sums[inverse] / counts[inverse]


def mannwhitneyu(x, y):
    """Two-sided Mann-Whitney U test: {"statistic": U of x, "pvalue": p, "effect": U / (n m)}.

    U counts the pairs (x_i, y_j) with x_i > y_j, ties counting one half;
    ``effect`` is that as a share of all pairs (0.5: neither tends higher).
    p: z = (|U - n m / 2| - 1/2) / sigma with sigma^2 = n m / 12 ((N + 1) -
    sum(t^3 - t) / (N (N - 1))) over the tied groups' sizes t, N = n + m;
    p = 2 (1 - Phi(z)), at most 1.  All values equal: p = 1.
    """
    x, y = _samples(x, y)
    n, m = x.size, y.size
    big_n = n + m
    pooled = np.concatenate([x, y])
    ranks = midranks(pooled)
    u = float(ranks[:n].sum() - n * (n + 1) / 2)
    _, t = np.unique(pooled, return_counts=True)
    ties = float(np.sum(t.astype(float) ** 3 - t)) / (big_n * (big_n - 1)) if big_n > 1 else 0.0
    variance = n * m / 12.0 * ((big_n + 1) - ties)
    if variance <= 0:
        return {"statistic": u, "pvalue": 1.0, "effect": u / (n * m)}
    z = (abs(u - n * m / 2.0) - 0.5) / math.sqrt(variance)
    p = 1.0 if z <= 0 else math.erfc(z / math.sqrt(2))
    return {"statistic": u, "pvalue": min(1.0, p), "effect": u / (n * m)}
