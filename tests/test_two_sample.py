"""The two-sample tests that compare kernel families' seed studies (tf1_repro/two_sample.py)."""
import math

import numpy as np
import pytest

from tf1_repro import two_sample


# Kolmogorov's distribution: the tabulated critical values of sqrt(e) D
# (e.g. Smirnov 1948; the 10%, 5%, 1% and 0.1% points).
@pytest.mark.parametrize("lam,tail", [(1.2238, 0.10), (1.3581, 0.05), (1.6276, 0.01), (1.9495, 0.001)])
def test_kolmogorov_tail_matches_the_tables(lam, tail):
    assert two_sample.kolmogorov_sf(lam) == pytest.approx(tail, rel=2e-3)


def test_kolmogorov_tail_is_continuous_where_its_two_series_meet():
    assert two_sample.kolmogorov_sf(1.18 - 1e-9) == pytest.approx(two_sample.kolmogorov_sf(1.18), rel=1e-7)
    assert two_sample.kolmogorov_sf(0.0) == 1.0 and two_sample.kolmogorov_sf(0.2) == pytest.approx(1.0)
    assert two_sample.kolmogorov_sf(1.0) == pytest.approx(0.2699996717, rel=1e-8)


def test_ks_statistic_by_hand_with_ties():
    # ECDFs after 1, 2, 3, 4: x 1/3, 2/3, 2/3, 1; y 0, 1/4, 3/4, 1: largest gap 5/12 at 2.
    r = two_sample.ks_2samp([1, 2, 4], [2, 3, 3, 4])
    assert r["statistic"] == pytest.approx(5 / 12)
    en = math.sqrt(12 / 7)
    assert r["pvalue"] == pytest.approx(two_sample.kolmogorov_sf((en + 0.12 + 0.11 / en) * 5 / 12))
    assert two_sample.ks_2samp([5, 5, 6], [6, 5, 5])["statistic"] == 0.0
    assert two_sample.ks_2samp([1, 2, 3], [4, 5, 6])["statistic"] == 1.0


def test_mann_whitney_by_hand():
    # No overlap: U = 0, mean 4.5, variance 3 * 3 * 7 / 12 = 5.25.
    r = two_sample.mannwhitneyu([1, 2, 3], [4, 5, 6])
    assert r["statistic"] == 0.0 and r["effect"] == 0.0
    assert r["pvalue"] == pytest.approx(math.erfc((4.5 - 0.5) / math.sqrt(5.25) / math.sqrt(2)))
    assert r["pvalue"] == pytest.approx(0.0808556, abs=1e-7)
    # Ties: pooled 1 2 2 3 3 3 -> midranks 1, 2.5, 2.5, 5, 5, 5; x = [1, 2, 3] has rank sum 8.5,
    # U = 8.5 - 6 = 2.5; tie term (8 - 2 + 27 - 3) / 30 = 1, variance 9 / 12 * (7 - 1) = 4.5.
    r = two_sample.mannwhitneyu([1, 2, 3], [2, 3, 3])
    assert r["statistic"] == 2.5
    assert r["pvalue"] == pytest.approx(math.erfc((4.5 - 2.5 - 0.5) / math.sqrt(4.5) / math.sqrt(2)))
    assert two_sample.mannwhitneyu([7, 7], [7, 7, 7])["pvalue"] == 1.0
    np.testing.assert_array_equal(two_sample.midranks([3, 1, 3, 2]), [3.5, 1, 3.5, 2])


def test_same_distribution_is_not_rejected_and_a_shift_is():
    rng = np.random.RandomState(0)
    a, b = rng.randint(800, 840, size=400), rng.randint(800, 840, size=300)
    assert two_sample.ks_2samp(a, b)["pvalue"] > 0.05 and two_sample.mannwhitneyu(a, b)["pvalue"] > 0.05
    shifted = b + 10
    assert two_sample.ks_2samp(a, shifted)["pvalue"] < 1e-6
    assert two_sample.mannwhitneyu(a, shifted)["pvalue"] < 1e-6


def test_bad_samples_are_refused():
    with pytest.raises(ValueError, match="at least one value"):
        two_sample.ks_2samp([], [1.0])
    with pytest.raises(ValueError, match="finite"):
        two_sample.mannwhitneyu([1.0, float("nan")], [1.0])


def test_agrees_with_scipy_where_installed():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.RandomState(1)
    for _ in range(5):
        a, b = rng.randint(800, 830, size=200), rng.randint(802, 835, size=300)
        mine, theirs = two_sample.mannwhitneyu(a, b), stats.mannwhitneyu(a, b, method="asymptotic")
        assert mine["statistic"] == theirs.statistic
        assert mine["pvalue"] == pytest.approx(theirs.pvalue, rel=1e-9)
        mine, theirs = two_sample.ks_2samp(a, b), stats.ks_2samp(a, b, method="asymp")
        assert mine["statistic"] == pytest.approx(theirs.statistic, abs=1e-12)
        # SciPy's asymptotic p uses the finite-n distribution; Stephens' correction is within 5%.
        assert mine["pvalue"] == pytest.approx(theirs.pvalue, rel=0.05)
    for lam in (0.5, 1.0, 1.5, 2.5):
        assert two_sample.kolmogorov_sf(lam) == pytest.approx(stats.kstwobign.sf(lam), rel=1e-9)
