"""Tests of paperlib.related.hkt_cost: exact HKT/standard attention cost ratios against independent oracles."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlib.related import hkt_cost as hk


@pytest.mark.parametrize("model", sorted(hk.COST_MODELS))
def test_closed_form_equals_summation(model):
    for L in range(1, 31):
        assert hk.ratio_closed_form(L, model) == hk.ratio_by_summation(L, model)


def test_abstract_numbers_quadratic_model():
    assert hk.ratio_closed_form(3, "quadratic") == Fraction(21, 16)
    assert float(hk.ratio_closed_form(3)) == 1.3125
    assert hk.ratio_limit("quadratic") == Fraction(4, 3)
    values = [hk.ratio_closed_form(L) for L in range(1, 60)]
    assert all(v < Fraction(4, 3) for v in values)                 # strict bound for every L
    assert all(a < b for a, b in zip(values, values[1:]))          # increasing towards the limit
    assert Fraction(4, 3) - values[-1] == Fraction(4, 3) * Fraction(1, 4) ** 59


def test_levels_matching():
    assert hk.levels_matching("1.3125") == 3
    assert hk.levels_matching(Fraction(21, 16)) == 3
    assert hk.levels_matching("1.3125", "cross") is None            # 1, 3/2, 7/4, ... never 21/16
    assert hk.levels_matching(Fraction(7, 4), "cross") == 3
    assert hk.levels_matching(1) == 1
    assert hk.ratio_limit("cross") == 2


def test_level_lengths():
    assert hk.level_lengths(1024, 3) == [1024, 512, 256]
    assert hk.level_lengths(7, 3) == [7, 4, 2]
    assert hk.level_lengths(7, 3, rounding="floor") == [7, 3, 1]


def _brute_force_entries(n: int, causal: bool) -> int:
    mask = np.tril(np.ones((n, n), dtype=bool)) if causal else np.ones((n, n), dtype=bool)
    return int(mask.sum())


@pytest.mark.parametrize("T", [1, 5, 17, 64, 100])
@pytest.mark.parametrize("L", [1, 2, 3, 4])
@pytest.mark.parametrize("causal", [True, False])
def test_exact_ratio_against_mask_count(T, L, causal):
    ns = [int(np.ceil(T / 2 ** l)) for l in range(L)]
    want = Fraction(sum(_brute_force_entries(n, causal) for n in ns), _brute_force_entries(T, causal))
    assert hk.exact_cost_ratio(T, L, causal=causal) == want


@given(k=st.integers(0, 14), L=st.integers(1, 15))
@settings(max_examples=60, deadline=None)
def test_unmasked_power_of_two_equals_closed_form(k, L):
    if L > k + 1:
        L = k + 1
    assert hk.exact_cost_ratio(2 ** k, L, causal=False) == hk.ratio_closed_form(L)


@given(k=st.integers(0, 20), L=st.integers(1, 21))
@settings(max_examples=60, deadline=None)
def test_causal_power_of_two_closed_form(k, L):
    # independent closed form: sum n_l(n_l+1) = sum 4^{k-l} + sum 2^{k-l}
    L = min(L, k + 1)
    num = Fraction(4 ** k) * hk.ratio_closed_form(L, "quadratic") + Fraction(2 ** k) * hk.ratio_closed_form(L, "linear")
    assert hk.exact_cost_ratio(2 ** k, L) == num / (4 ** k + 2 ** k)


def test_causal_ratio_converges_to_21_16():
    errs = [abs(hk.exact_cost_ratio(2 ** k, 3) - Fraction(21, 16)) for k in (6, 10, 16, 22)]
    assert all(a > b for a, b in zip(errs, errs[1:]))
    assert errs[-1] < Fraction(1, 10 ** 6)


def test_overheads_add_exactly():
    base = hk.exact_cost_ratio(1024, 3)
    causal_T = Fraction(1024 * 1025, 2)
    assert hk.exact_cost_ratio(1024, 3, downsample_cost=2) == base + 2 * Fraction(512 + 256) / causal_T
    assert hk.exact_cost_ratio(1024, 3, mix_cost=Fraction(1, 8)) == base + Fraction(2, 8)


def test_cost_table_rows():
    rows = hk.cost_table(Ls=(3,), models=("quadratic",))
    assert rows[0] == {"model": "quadratic", "L": 3, "ratio": "21/16", "value": 1.3125}
    assert rows[1]["ratio"] == "4/3"


@pytest.mark.parametrize("call, exc, msg", [
    (lambda: hk.ratio_closed_form(0), ValueError, "L"),
    (lambda: hk.ratio_closed_form(2.0), TypeError, "L"),
    (lambda: hk.ratio_closed_form(True), TypeError, "L"),
    (lambda: hk.ratio_closed_form(3, "cubic"), ValueError, "unknown cost model"),
    (lambda: hk.geometric_ratio(0.25, 3), TypeError, "Fraction"),
    (lambda: hk.levels_matching(1.3125), TypeError, "inexact"),
    (lambda: hk.levels_matching("abc"), ValueError, "not a number"),
    (lambda: hk.level_lengths(0, 3), ValueError, "T"),
    (lambda: hk.level_lengths(8.0, 3), TypeError, "T"),
    (lambda: hk.level_lengths(8, 3, rounding="round"), ValueError, "rounding"),
    (lambda: hk.level_lengths(2, 3, rounding="floor"), ValueError, "empty level"),
    (lambda: hk.exact_cost_ratio(8, 2, downsample_cost=-1), ValueError, "downsample_cost"),
    (lambda: hk.exact_cost_ratio(8, 2, mix_cost=0.5), ValueError, "mix_cost"),
    (lambda: hk.exact_cost_ratio(8, 2, causal=1), TypeError, "causal"),
])
def test_bad_inputs(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()
