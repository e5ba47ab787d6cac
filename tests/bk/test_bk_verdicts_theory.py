"""The rules of notebooks 10-13 (operator theory, spectra, scattering, BK-Core) reach every verdict they can
return: the paper's own numbers as one input, a counterexample as another."""
import math

import numpy as np
import pytest

from paperlib.bk import semiseparable as ssm
from paperlib.bk import spectral_stats as ss
from paperlib.bk import verdicts as v
from paperlib.common.verdicts import Verdict


def _word(result):
    assert isinstance(result, Verdict) and result.reason.strip()
    return result.verdict


def test_eq2_r0bound():
    assert _word(v.bk_eq2_r0bound(1.0, 1.0)) == "reproduced"  # the symmetric kernel: equality, no violation
    res = v.bk_eq2_r0bound(1.0, 4.85e8)  # the printed kernel for u<v
    assert res.verdict == "refuted" and "u<v" in res.reason and "4.85e+08" in res.reason


def test_th2_s2():
    assert _word(v.bk_th2_s2(0.9, 0, 15, 0.001)) == "reproduced"  # the paper's "Verified"
    assert _word(v.bk_th2_s2(8.6e24, 12, 15, 0.001, min_fail_im_z=0.3, others={"laplacian": 1.34})) == "refuted"
    assert _word(v.bk_th2_s2(1.2, 3, 15, 0.2)) == "not-reproduced"  # fails but the grid has not converged
    r = v.bk_th2_s2(8.6e24, 12, 15, 0.001, others={"symmetric": 1.01}, eq2_kernel_ratio=1.01)
    assert r.verdict == "refuted" and "beyond BK-EQ2-R0BOUND" in r.reason and "1.01" in r.reason   # policy 7


def test_bk_semisep_70_every_verdict():
    assert v.semiseparable_reduction(64) == pytest.approx(100 * (1 - (3 * 64 - 2 + 2 * 64 * 6) / 64**2))
    res = v.bk_semisep_70()   # the paper's lengths 2048..32768: the structure saves 98.8..99.9%
    assert res.verdict == "partially-reproduced" and "98.78" in res.reason
    assert v.bk_semisep_70([48, 56]).verdict == "reproduced"      # N ~ 50: 3 + 2 ceil(log2 N) ~ 0.3 N
    assert v.bk_semisep_70([16, 32]).verdict == "not-reproduced"


def test_bk_s44_grad_every_verdict():
    ns = [64, 128, 256, 512]
    lin, nlogn, quad = [3 * n + 7 for n in ns], [n * math.log2(n) for n in ns], [n * n + n for n in ns]
    assert v.bk_s44_grad(ns, lin, quad).verdict == "reproduced"
    assert v.bk_s44_grad(ns, quad, quad).verdict == "not-reproduced"
    assert v.bk_s44_grad(ns, lin, nlogn).verdict == "not-testable"


def test_th2_s1():
    assert _word(v.bk_th2_s1(0.8, 0, 15, 0.0, 0.001)) == "reproduced"  # the paper's "Verified"
    assert _word(v.bk_th2_s1(7.4e24, 15, 15, 1.11, 0.08)) == "refuted"  # grows ~ log n: not trace class
    assert _word(v.bk_th2_s1(2.4, 3, 15, 0.0, 0.001)) == "refuted"  # converged and above the bound
    assert _word(v.bk_th2_s1(2.4, 3, 15, -0.5, 0.05)) == "not-reproduced"  # above, not converged, not growing


def test_alg1_decided_by_count_not_time():
    ns = [1000, 4000, 16000, 1_000_000]
    rs = [ssm.rank_for(n) for n in ns]
    ops = [ssm.flops(n, r) for n, r in zip(ns, rs)]
    mem = [ssm.storage_bytes(n, r) for n, r in zip(ns, rs)]
    # the paper's algorithm with r = ceil(log2 N): exact, O(N log N) memory, compute O(N r) = O(N log N) ...
    res = v.bk_alg1(ns, ops, mem, 2e-15, rank=rs, time_exponent=1.0)
    assert res.verdict == "partially-reproduced" and "O(N log N) by count" in res.reason
    # ... whatever the timing says: a perfectly linear wall clock does not change the count
    assert v.bk_alg1(ns, ops, mem, 2e-15, rank=rs, time_exponent=0.89).verdict == "partially-reproduced"
    # counterexample: fixed r makes the count O(N) -> reproduced
    ops_fixed = [ssm.flops(n, 8) for n in ns]
    mem_fixed = [ssm.storage_bytes(n, 8) for n in ns]
    assert _word(v.bk_alg1(ns, ops_fixed, mem_fixed, 2e-15, rank=8)) == "reproduced"
    # not exact
    assert _word(v.bk_alg1(ns, ops_fixed, mem_fixed, 1e-3, rank=8)) == "not-reproduced"
    # both complexity statements fail (dense storage, quadratic work)
    assert _word(v.bk_alg1(ns, [n * n for n in ns], [8 * n * n for n in ns], 2e-15, rank=rs)) == "not-reproduced"
    with pytest.raises(ValueError):
        v.bk_alg1([1000], [1], [1], 0.0, rank=10)


def test_th4_gue():
    assert _word(v.bk_th4_gue(["gue", "gue"], True, ratio_r_range=(0.59, 0.61))) == "reproduced"
    res = v.bk_th4_gue(["none", "none", "poisson"], True, ratio_r_range=(0.925, 0.997))
    assert res.verdict == "refuted" and "0.925" in res.reason
    assert _word(v.bk_th4_gue(["gue", "none"], True)) == "not-reproduced"
    assert _word(v.bk_th4_gue(["gue"], False)) == "not-reproduced"  # unvalidated pipeline decides nothing
    with pytest.raises(ValueError):
        v.bk_th4_gue([], True)


def test_t2_mean_is_not_testable_by_construction():
    levels = np.sort(np.random.default_rng(0).uniform(0, 1, 200))  # any spectrum at all
    m = float(ss.spacings_global_mean(levels).mean())
    assert _word(v.bk_t2_mean(m, 0.98)) == "not-testable"
    with pytest.raises(ValueError):  # a paper-procedure mean that is not 1 is a broken construction
        v.bk_t2_mean(0.98, 0.98)


def test_t2_std():
    # counterexample: the bulk matches Table 2 and the V=0 control does not
    assert _word(v.bk_t2_std(0.54, 0.30, bulk_spread=0.03)) == "reproduced"
    # the paper's number, reached by H0 alone as well
    assert _word(v.bk_t2_std(0.54, 0.53)) == "partially-reproduced"
    # our measurement: bulk 0.48 (= V=0 control), whole spectrum dominated by two bound states
    res = v.bk_t2_std(0.475, 0.48, bulk_spread=0.007, full_std=6.434, n_outliers=2)
    assert res.verdict == "not-reproduced" and "6.434" in res.reason and "2 levels above the band" in res.reason


def test_gue_fiterr_cannot_reproduce_a_rejecting_distance():
    # the paper's own number, for hundreds of spacings: it rounds to 0.3 and rejects the law -> not reproduced
    res = v.bk_gue_fiterr(0.3, 400)
    assert res.verdict == "not-reproduced" and "matches the paper's ~0.3" in res.reason
    assert _word(v.bk_gue_fiterr(0.49, 3275, ks_paper_proc=0.145)) == "not-reproduced"
    # a sampled GOE spectrum: small distance -> the law is not rejected
    s = ss.spacings_unfolded(ss.ensemble_levels("goe", 800, 0))
    assert _word(v.bk_gue_fiterr(ss.ks_distance(s, "goe"), s.size)) == "reproduced"
    # for very few spacings even 0.3 is not a rejection (critical value 0.36 at n = 20)
    assert ss.ks_critical(20) > 0.3 and v.bk_gue_fiterr(0.3, 20).verdict == "reproduced"
    with pytest.raises(ValueError):
        v.bk_gue_fiterr(0.1, 3)


def test_eq9_bk():
    assert _word(v.bk_eq9_bk(1e-9, 1e-9)) == "reproduced"
    res = v.bk_eq9_bk(1e-9, 0.7, err_abs_signed=7.4, n_seeds=3)
    assert res.verdict == "partially-reproduced" and "3 seed(s)" in res.reason
    assert _word(v.bk_eq9_bk(0.1, 0.7)) == "not-reproduced"


def test_stab_32k():
    ok = dict(finite=True, err64=3e-16, err32=1e-7, exact_ok=True)
    assert _word(v.bk_stab_32k(4096, **ok)) == "pending"
    assert _word(v.bk_stab_32k(32768, **ok)) == "reproduced"
    res = v.bk_stab_32k(32768, **ok, naive_broken_n=4096, naive_first_f64=857, naive_first_f32=111, n_seeds=3)
    assert res.verdict == "partially-reproduced" and "857" in res.reason
    assert _word(v.bk_stab_32k(32768, finite=True, err64=3e-16, err32=1e-2, exact_ok=True)) == "not-reproduced"
    assert _word(v.bk_stab_32k(32768, finite=False, err64=math.nan, err32=1e-7, exact_ok=True)) == "not-reproduced"


def test_alg1_needs_a_span_that_can_show_a_log_factor():
    with pytest.raises(ValueError, match="span"):
        v.bk_alg1([1000, 2000], [1, 2], [1, 2], 0.0, rank=[10, 11])
