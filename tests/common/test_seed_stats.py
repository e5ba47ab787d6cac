"""Seed statistics of paperlib.common.stats (smoothing, steps to a target loss, group comparisons) against naive
references and scipy."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlib.common import stats


@given(st.lists(st.floats(-10, 10), min_size=1, max_size=60), st.integers(1, 12))
@settings(max_examples=60, deadline=None)
def test_smooth_matches_naive(values, w):
    got = stats.smooth(values, w)
    ref = [np.mean(values[max(0, i - w + 1): i + 1]) for i in range(len(values))]
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-9)


@given(st.lists(st.floats(0, 10), min_size=1, max_size=60), st.floats(0, 10), st.floats(0, 10))
@settings(max_examples=60, deadline=None)
def test_steps_to_loss_monotone_in_target(values, t1, t2):
    lo, hi = min(t1, t2), max(t1, t2)
    s_lo, s_hi = stats.steps_to_loss(values, lo, 5), stats.steps_to_loss(values, hi, 5)
    if not math.isnan(s_lo):
        assert s_hi <= s_lo  # an easier target is reached no later


def test_steps_to_loss_simple_and_common_target():
    curve = [5, 4, 3, 2, 1]
    assert stats.steps_to_loss(curve, 3, window=1) == 3
    assert math.isnan(stats.steps_to_loss(curve, 0.5, window=1))
    curves = [np.linspace(5, 1, 50), np.linspace(5, 2, 50), np.linspace(6, 1.5, 50)]
    target = stats.common_target_loss(curves, window=5)
    steps = [stats.steps_to_loss(c, target, 5) for c in curves]
    assert all(np.isfinite(steps))
    assert max(steps) == 50  # the slowest curve reaches it at its last step
    with pytest.raises(ValueError):
        stats.common_target_loss([])
    with pytest.raises(ValueError):
        stats.smooth([], 3)


def test_compare_groups_against_scipy():
    from scipy import stats as sp

    a = [10.0, 12.0, 11.0, 13.0]
    b = [8.0, 9.5, 9.0, 10.0]
    r = stats.compare_groups(a, b, paired=True)
    assert r["rel_change"] == pytest.approx(np.mean(b) / np.mean(a) - 1)
    assert r["p_value"] == pytest.approx(sp.ttest_rel(b, a).pvalue)
    w = stats.compare_groups(a, b)
    assert w["p_value"] == pytest.approx(sp.ttest_ind(b, a, equal_var=False).pvalue)
    assert not w["within_noise"]
    assert r["significant"] == (r["p_value"] < 0.05)
    close = stats.compare_groups([10.0, 12.0, 14.0], [11.0, 13.0, 12.0])
    assert close["within_noise"] and not close["significant"]
    assert math.isnan(stats.compare_groups([1.0], [2.0])["p_value"])
    with pytest.raises(ValueError, match="equal lengths"):
        stats.compare_groups([1, 2], [1, 2, 3], paired=True)


def test_seed_stats():
    s = stats.seed_stats([1.0, 2.0, 3.0, float("nan")])
    assert s == {"mean": 2.0, "std": 1.0, "min": 1.0, "max": 3.0, "n": 3}


def test_steps_to_common_target_is_common_target_then_steps():
    import numpy as np

    from paperlib.common.stats import common_target_loss, steps_to_common_target, steps_to_loss

    fast, slow = np.linspace(3, 1, 50), np.linspace(3, 1.5, 50)
    target, sa, sb = steps_to_common_target([fast], [slow, slow + 0.1], window=5)
    assert target == common_target_loss([fast, slow, slow + 0.1], 5)
    assert list(sa) == [steps_to_loss(fast, target, 5)] and sb[1] == 50 and sa[0] < sb[0]
