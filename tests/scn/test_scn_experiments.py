"""Scoring helpers of the SCN experiments against hand-computed values and scipy."""
import math

import numpy as np
import pytest
from scipy import stats

from paperlib.scn.experiments import answer_f1, paired_gap
from paperlib.scn.hurnet_theory import eq15_minimizers


def test_answer_f1():
    assert answer_f1("Bom dia!", ["bom dia"]) == 1.0                      # case, accents, punctuation folded
    assert answer_f1("", ["bom dia"]) == 0.0
    # "a b c" vs "a b d": 2 common of 3 each -> F1 2/3; the best reference counts
    assert answer_f1("a b c", ["x", "a b d"]) == pytest.approx(2 / 3)
    assert answer_f1("a a", ["a"]) == pytest.approx(2 * 0.5 * 1 / 1.5)    # multiset overlap


def test_paired_gap_matches_scipy():
    rng = np.random.default_rng(0)
    a, b = rng.random(30), rng.random(30)
    m, lo, hi = paired_gap(a, b)
    d = a - b
    ref = stats.t.interval(0.95, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    assert m == pytest.approx(d.mean()) and (lo, hi) == pytest.approx(ref)
    assert paired_gap([1.0], [0.0]) == (1.0, -math.inf, math.inf)
    with pytest.raises(ValueError):
        paired_gap([], [])


def test_eq15_printed_term_does_not_move_the_descent():
    rng = np.random.default_rng(1)
    X, Y = rng.standard_normal((20, 30)), rng.standard_normal((20, 2))
    rows = eq15_minimizers(X, Y, [0.0, 1.0, 100.0], mu_support=X, gd_steps=20)
    assert max(r["printed_gd_shift"] for r in rows) == 0.0
    assert max(r["printed_grad_at_ls_rel"] for r in rows) < 1e-10
    assert rows[-1]["ridge_min_norm"] < rows[0]["ridge_min_norm"]
