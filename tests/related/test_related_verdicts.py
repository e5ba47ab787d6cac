"""The related-theory rules reach every verdict they can return, the abstracts' own numbers included."""
from fractions import Fraction

import pytest

from paperlib.common.verdicts import Verdict
from paperlib.related import hkt_cost as hk
from paperlib.related import verdicts as v

GOOD = dict(synthetic_worst=0.01, real_worst=0.2, real_informative=True, hurnet_worst=0.1, sf_dev=1e-15,
            new_task_dev=1e-15)


def test_ols_lintf_every_verdict():
    r = v.ols_lintf(**GOOD, note="detail")
    assert isinstance(r, Verdict) and r.claim == "OLS-LINTF" and r.verdict == "reproduced"
    assert "0.01" in r.reason and r.measured.endswith("detail")
    # one identity off by more than the tolerance: only part of the claim holds
    assert v.ols_lintf(**{**GOOD, "sf_dev": 10 * v.IDENTITY_TOL}).verdict == "partially-reproduced"
    # real data within bound but with no informative bound: the synthetic equality alone
    assert v.ols_lintf(**{**GOOD, "real_informative": False}).verdict == "partially-reproduced"
    # a layer that is not OLS (errors far above the normal-equation bound everywhere)
    bad = {**GOOD, "synthetic_worst": 1e6, "real_worst": 1e6, "hurnet_worst": 1e6, "sf_dev": 0.3}
    assert v.ols_lintf(**bad).verdict == "not-reproduced"


def test_hkt_cost_abstract_numbers_and_counterexamples():
    # the abstract's own numbers, from the exact quadratic cost model
    r = v.hkt_cost(rho_3=hk.ratio_closed_form(3), sup_rho=hk.ratio_limit("quadratic"), all_below=True,
                   L_matching=hk.levels_matching("1.3125"))
    assert r.verdict == "reproduced" and "21/16" in r.reason
    assert float(v.HKT_RHO_L3) == 1.3125 and v.HKT_BOUND == Fraction(4, 3)
    # the "cross" cost model: 7/4 at L = 3, limit 2, 1.3125 never reached
    r = v.hkt_cost(rho_3=hk.ratio_closed_form(3, "cross"), sup_rho=hk.ratio_limit("cross"), all_below=False,
                   L_matching=hk.levels_matching("1.3125", "cross"))
    assert r.verdict == "not-reproduced"
    # the number matches but the bound is exceeded somewhere
    r = v.hkt_cost(rho_3=Fraction(21, 16), sup_rho=Fraction(4, 3), all_below=False, L_matching=3)
    assert r.verdict == "partially-reproduced"


def test_verdicts_reject_nothing_silently():
    with pytest.raises(TypeError):
        v.hkt_cost(Fraction(21, 16), Fraction(4, 3), True, 3)  # keyword-only: inputs are named


def test_bound_checks_mark_errors_within_bound_and_informative_bounds():
    import pandas as pd

    from paperlib.related.verdicts import INFORMATIVE_BOUND, bound_checks

    t = bound_checks(pd.DataFrame({"err": [1e-9, 1e-3, 0.5], "bound": [1e-8, 1e-4, 1.0]}), "err")
    assert t["within_bound"].tolist() == [True, False, True]
    assert t["informative"].tolist() == [True, True, False] and INFORMATIVE_BOUND == 1e-2


def test_hkt_overhead_every_verdict():
    counts = {T: hk.exact_cost_ratio(T, 3) for T in v.HKT_EXPERIMENT_T}  # 1.3134 at 512, 1.3128 at 1,024
    ds = {T: hk.exact_cost_ratio(T, 3, downsample_cost=64) for T in v.HKT_EXPERIMENT_T}
    r = v.hkt_overhead(count_ratios=counts, with_downsampling=ds)
    assert r.verdict == "reproduced" and "1.3134" in r.reason and "not re-timed" in r.reason
    r = v.hkt_overhead(count_ratios={512: Fraction(7, 4)})  # the "cross" model: 1.75, not 1.31
    assert r.verdict == "not-reproduced" and "T = 512" in r.reason


def test_hkt_psd_every_verdict():
    from paperlib.related import hkt_kernel as kk

    with_c = kk.psd_trials(0, 5, T=32, d=6, L=3, condition=True)
    without = kk.psd_trials(1, 5, T=32, d=6, L=3, condition=False)
    r = v.hkt_psd(min_eig_condition=min(with_c), min_eig_without=min(without), n=5)
    assert r.verdict == "reproduced" and "condition is needed" in r.reason
    assert v.hkt_psd(min_eig_condition=-0.2, min_eig_without=-0.5, n=5).verdict == "refuted"
    assert "vacuous" not in v.hkt_psd(min_eig_condition=0.0, min_eig_without=0.0, n=5).reason


def test_hkt_subsumes_is_not_testable_and_says_why():
    r = v.hkt_subsumes()
    assert r.claim == "HKT-SUBSUMES" and r.verdict == "not-testable"
    assert "by construction" in r.reason and "does not define" in r.reason

