"""Tests of the measurement helpers of notebook 13 (paperlib.bk.core_bench)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from paperlib.bk import core_bench as bench


def test_fit_power_law_recovers_exponent():
    ns = np.array([256, 512, 1024, 2048, 4096])
    f = bench.fit_power_law(ns, 3e-6 * ns**1.5)
    assert f["exponent"] == pytest.approx(1.5, abs=1e-9)
    assert f["prefactor"] == pytest.approx(3e-6, rel=1e-6)
    assert f["r2"] == pytest.approx(1.0)
    np.testing.assert_allclose(bench.local_slopes(ns, ns**2.0), 2.0)
    with pytest.raises(ValueError, match="two points"):
        bench.fit_power_law([10], [1.0])


@pytest.mark.parametrize("kind", bench.CASES)
def test_oracles_match_numpy(kind):
    v, off, z = bench.make_case(kind, 20, seed=1)
    A = np.diag(-2.0 + v - z) + np.diag(off, 1) + np.diag(off, -1)
    np.testing.assert_allclose(bench.oracle_two_sided(v, off, z), np.diag(np.linalg.inv(A)), rtol=1e-9)
    causal = [np.linalg.inv(A[: i + 1, : i + 1])[i, i] for i in range(20)]
    np.testing.assert_allclose(bench.oracle_causal(v, off, z), causal, rtol=1e-9)
    np.testing.assert_allclose(bench.oracle_two_sided(v, off, z, rows=[3, 7]), np.diag(np.linalg.inv(A))[[3, 7]],
                               rtol=1e-9)


def test_make_case_rejects_bad_input():
    with pytest.raises(ValueError, match="unknown case"):
        bench.make_case("nope", 8, 0)
    with pytest.raises(ValueError, match="n must be"):
        bench.make_case("random", 0, 0)


def test_exactness_and_stability_tables_small():
    ex = bench.exactness_table(ns=(16,), dense_max=16, causal_oracle_max=16, dense_causal_max=16)
    assert (ex[["rel_err_two_sided", "rel_err_causal"]].max().max()) < 1e-8
    st = bench.stability_table(ns=(64, 2048), n_rows=4)
    scan = st[st.method == "scan"]
    assert (scan.finite_frac == 1.0).all()
    naive_big = st[(st.method == "naive-theta") & (st.N == 2048)]
    assert (naive_big.finite_frac < 1.0).all()  # the naive products overflow by N = 2048 at z = i


def test_theta_growth_consistent_with_naive_overflow():
    g = bench.theta_growth(n=2048)
    lt = g["log10_theta"]
    bad64 = g["first_nonfinite"]["float64"]
    assert bad64 is not None and bad64 > g["first_nonfinite"]["float32"]
    # the stable log10|theta| crosses the float64 limit right where the naive product broke
    assert lt[bad64 - 2] < g["float64_limit"] + 1 and lt[bad64 - 1] > g["float64_limit"] - 1


def test_gradient_check_and_speed_sweep_shapes():
    gc = bench.gradient_check(n=5)
    assert gc.passed.all()
    sp = bench.speed_sweep([16, 32], methods=("scan", "dense"), repeats=1, dense_max=16)
    assert list(sp.method) == ["scan", "dense", "scan"]
    assert (sp.tokens_per_s > 0).all()
    assert bench.cuda_bandwidth() is None or torch.cuda.is_available()


def test_device_check_compares_only_an_accelerator():
    assert bench.device_check("cpu", 64) == []


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_device_check_on_cuda():
    rows = bench.device_check("cuda", 512)
    assert [r["dtype"] for r in rows] == ["float64", "float32"]
    assert all(r["finite"] for r in rows) and rows[0]["max_rel_err"] < 1e-8 and rows[1]["max_rel_err"] < 1e-3
