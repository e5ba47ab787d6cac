"""Tests of paperlib.related.ols_attention: the linear-attention OLS construction vs numpy.linalg.lstsq (float64)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlib.related import ols_attention as lo

EPS = np.finfo(np.float64).eps


def _attn_vs_lstsq(P, method="eigh", rcond=None):
    X, Y, Xq = P["X"], P["Y"], P["Xq"]
    params = lo.build_ols_attention(X, Y.shape[1] if Y.ndim == 2 else 1, method=method, rcond=rcond)
    return lo.relative_error(params.predict(X, Y, Xq), lo.ols_lstsq_predict(X, Y, Xq)), params


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("method", lo.METHODS)
def test_random_n_gt_d_matches_lstsq(seed, method):
    P = lo.make_conditioned_problem(60, 7, 1, cond=5.0, seed=seed)
    err, params = _attn_vs_lstsq(P, method)
    assert params.rank == 7
    assert err < 1e-12


def test_gaussian_data_multi_output_and_shapes():
    rng = np.random.default_rng(3)
    X, Y, Xq = rng.standard_normal((80, 6)), rng.standard_normal((80, 4)), rng.standard_normal((5, 6))
    params = lo.build_ols_attention(X, 4)
    pred = params.predict(X, Y, Xq)
    assert pred.shape == (5, 4) and pred.dtype == torch.float64
    np.testing.assert_allclose(pred.numpy(), lo.ols_lstsq_predict(X, Y, Xq), rtol=1e-11, atol=1e-12)
    # 1-D targets and a single 1-D query
    p1 = lo.build_ols_attention(X, 1)
    one = p1.predict(X, Y[:, 0], Xq[0])
    assert one.ndim == 0
    assert abs(float(one) - float(lo.ols_lstsq_predict(X, Y[:, 0], Xq[0]))) < 1e-11


def test_token_level_output_and_weights():
    rng = np.random.default_rng(4)
    X, Y, Xq = rng.standard_normal((30, 5)), rng.standard_normal((30, 2)), rng.standard_normal((3, 5))
    params = lo.build_ols_attention(X, 2)
    Z, Zq = lo.make_context_tokens(X, Y), lo.make_query_tokens(Xq, 2)
    assert Z.shape == (30, 7) and Zq.shape == (3, 7) and torch.all(Zq[:, 5:] == 0)
    out = params.forward_tokens(Z, Zq)
    assert torch.all(out[:, :5] == 0)                              # x-slot untouched (W_V writes y only)
    np.testing.assert_allclose(out[:, 5:].numpy(), lo.ols_lstsq_predict(X, Y, Xq), rtol=1e-11, atol=1e-12)
    # W_K^T W_Q on the x-block is the inverse empirical covariance; W_K = W_Q (symmetric construction)
    np.testing.assert_allclose(params.covariance_pinv.numpy(), np.linalg.inv(X.T @ X / 30), rtol=1e-10)
    assert torch.equal(params.W_K, params.W_Q)
    # the map the layer applies to x_q is the OLS coefficient matrix
    np.testing.assert_allclose(params.implied_weight(X, Y).numpy(), np.linalg.lstsq(X, Y, rcond=None)[0],
                               rtol=1e-10, atol=1e-12)


def test_linear_attention_matches_explicit_sum():
    g = torch.Generator().manual_seed(0)
    Z, Zq = torch.randn(9, 4, generator=g, dtype=torch.float64), torch.randn(2, 4, generator=g, dtype=torch.float64)
    WK, WQ, WV = (torch.randn(s, generator=g, dtype=torch.float64) for s in ((3, 4), (3, 4), (5, 4)))
    want = torch.stack([sum((WV @ Z[i]) * torch.dot(WK @ Z[i], WQ @ q) for i in range(9)) / 9 for q in Zq])
    torch.testing.assert_close(lo.linear_attention(Z, Zq, WK, WQ, WV), want, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(lo.linear_attention(Z, Zq, WK, WQ, WV, normalize=False), want * 9)


@pytest.mark.parametrize("cond", [1e2, 1e4, 1e6])
def test_ill_conditioned_within_normal_equation_bound(cond):
    P = lo.make_conditioned_problem(120, 12, 2, cond=cond, seed=7)
    d = 12
    err_eigh, p = _attn_vs_lstsq(P, "eigh")
    assert p.rank == d
    assert err_eigh <= d * cond ** 2 * EPS                         # forward error of the covariance route
    err_svd, _ = _attn_vs_lstsq(P, "svd")
    assert err_svd <= d * cond ** 2 * EPS
    assert err_svd <= err_eigh * 10                                # svd-built weights are not worse


def test_covariance_route_breaks_beyond_sqrt_eps():
    # cond(X)^2 > 1/eps: Sigma is numerically singular, eigh drops directions, svd keeps them
    P = lo.make_conditioned_problem(120, 12, 1, cond=1e10, seed=7)
    err_eigh, p_e = _attn_vs_lstsq(P, "eigh")
    err_svd, p_s = _attn_vs_lstsq(P, "svd")
    assert p_e.rank < 12 and p_s.rank == 12
    assert err_svd < 1e-4 < err_eigh


@pytest.mark.parametrize("method", lo.METHODS)
def test_rank_deficient_gives_min_norm_solution(method):
    P = lo.make_conditioned_problem(50, 10, 2, cond=10.0, rank=6, seed=2)
    err, params = _attn_vs_lstsq(P, method)
    assert params.rank == 6
    assert err < 1e-10
    # implied weight equals the minimum-norm least-squares solution X^+ Y
    np.testing.assert_allclose(params.implied_weight(P["X"], P["Y"]).numpy(), np.linalg.pinv(P["X"]) @ P["Y"],
                               rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("method", lo.METHODS)
def test_fewer_rows_than_features(method):
    P = lo.make_conditioned_problem(8, 20, 3, cond=3.0, seed=5)
    err, params = _attn_vs_lstsq(P, method)
    assert params.rank == 8 and err < 1e-10


def test_square_system_interpolates():
    P = lo.make_conditioned_problem(9, 9, 1, cond=10.0, seed=8)
    params = lo.build_ols_attention(P["X"], 1)
    np.testing.assert_allclose(params.predict(P["X"], P["Y"], P["X"]).numpy(), P["Y"], rtol=1e-10, atol=1e-11)


def test_near_singular_full_rank():
    rng = np.random.default_rng(9)
    X = rng.standard_normal((100, 6))
    X[:, 5] = X[:, 4] + 1e-5 * rng.standard_normal(100)           # two nearly collinear columns
    Y = rng.standard_normal((100, 1))
    Xq = rng.standard_normal((4, 6))
    cond = np.linalg.cond(X)
    params = lo.build_ols_attention(X, 1)
    assert params.rank == 6
    err = lo.relative_error(params.predict(X, Y, Xq), lo.ols_lstsq_predict(X, Y, Xq))
    assert err <= 6 * cond ** 2 * EPS


def test_matched_cutoff_reference_and_kept_cond():
    # a direction at rounding level (like float32 embeddings): eigh drops it, lstsq's default keeps it
    rng = np.random.default_rng(21)
    U, _ = np.linalg.qr(rng.standard_normal((80, 6)))
    V, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    s = np.array([1.0, 0.5, 0.2, 0.1, 0.05, 1e-9])
    X = (U * s) @ V.T
    Y, Xq = rng.standard_normal((80, 2)), rng.standard_normal((4, 6))
    p_e = lo.build_ols_attention(X, 2, method="eigh")
    p_s = lo.build_ols_attention(X, 2, method="svd")
    assert p_e.rank == 5 and p_s.rank == 6
    assert abs(p_e.kept_cond - 20.0) < 1e-6 and abs(p_e.sv_rcond - np.sqrt(p_e.eig_rcond)) == 0
    pred = p_e.predict(X, Y, Xq)
    assert lo.relative_error(pred, lo.ols_lstsq_predict(X, Y, Xq)) > 1e-3           # default cut-off differs
    assert lo.relative_error(pred, lo.ols_lstsq_predict(X, Y, Xq, rcond=p_e.sv_rcond)) < 6 * 20.0 ** 2 * EPS
    assert lo.relative_error(p_s.predict(X, Y, Xq), lo.ols_lstsq_predict(X, Y, Xq, rcond=p_s.sv_rcond)) < 1e-5


def test_float32_is_usable():
    P = lo.make_conditioned_problem(60, 5, 1, cond=10.0, seed=1)
    params = lo.build_ols_attention(P["X"], 1, dtype=torch.float32)
    pred = params.predict(P["X"], P["Y"], P["Xq"])
    assert pred.dtype == torch.float32
    assert lo.relative_error(pred, lo.ols_lstsq_predict(P["X"], P["Y"], P["Xq"])) < 1e-3


# ---- slow / fast memory ---------------------------------------------------------------------------------
def test_same_inputs_new_targets_is_exact_in_context_ols():
    rng = np.random.default_rng(11)
    X, Xq = rng.standard_normal((70, 5)), rng.standard_normal((6, 5))
    params = lo.build_ols_attention(X, 1)                         # weights see X only
    for _ in range(3):                                             # three new tasks, same inputs
        Y_new = X @ rng.standard_normal((5, 1)) + 0.3 * rng.standard_normal((70, 1))
        assert lo.relative_error(params.predict(X, Y_new, Xq), lo.ols_lstsq_predict(X, Y_new, Xq)) < 1e-11


def test_weights_from_other_data_follow_slow_fast_formula():
    rng = np.random.default_rng(12)
    XA = rng.standard_normal((80, 4))
    XB = rng.standard_normal((50, 4)) * np.array([1.0, 2.0, 0.5, 3.0])   # different input distribution
    YB = XB @ rng.standard_normal((4, 2)) + 0.1 * rng.standard_normal((50, 2))
    Xq = rng.standard_normal((5, 4))
    pred = lo.build_ols_attention(XA, 2).predict(XB, YB, Xq)
    torch.testing.assert_close(pred, lo.slow_fast_theory(XA, XB, YB, Xq), rtol=1e-10, atol=1e-12)
    # ... which is NOT B's OLS prediction: the mismatch operator Sigma_A^-1 Sigma_B is far from I
    M = lo.mismatch_operator(XA, XB).numpy()
    assert np.linalg.norm(M - np.eye(4)) > 1.0
    assert lo.relative_error(pred, lo.ols_lstsq_predict(XB, YB, Xq)) > 0.1
    # and the weights never depended on targets: building on (XA) twice is identical
    assert torch.equal(lo.build_ols_attention(XA, 2).W_K, lo.build_ols_attention(XA, 2).W_K)


def test_same_distribution_error_shrinks_with_context():
    rng = np.random.default_rng(13)
    d = 5
    XA = rng.standard_normal((20000, d))
    params = lo.build_ols_attention(XA, 1)
    beta = rng.standard_normal((d, 1))
    Xq = rng.standard_normal((50, d))
    errs = []
    for nB in (50, 5000):
        XB = rng.standard_normal((nB, d))
        YB = XB @ beta + 0.1 * rng.standard_normal((nB, 1))
        errs.append(lo.relative_error(params.predict(XB, YB, Xq), lo.ols_lstsq_predict(XB, YB, Xq)))
    assert errs[1] < errs[0] / 3


def test_hurnet_layer_reaches_same_solution():
    hurnet = pytest.importorskip("paperlib.scn.hurnet")
    P = lo.make_conditioned_problem(90, 6, 3, cond=20.0, seed=4)
    layer = hurnet.HurNetLayer(6, 3, bias=False).fit(P["X"], P["Y"])
    params = lo.build_ols_attention(P["X"], 3)
    np.testing.assert_allclose(params.predict(P["X"], P["Y"], P["Xq"]).numpy(),
                               layer(torch.as_tensor(P["Xq"])).numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(params.implied_weight(P["X"], P["Y"]).numpy(), layer.weight.numpy(), rtol=1e-9)


# ---- properties -----------------------------------------------------------------------------------------
@given(n_extra=st.integers(1, 30), d=st.integers(1, 8), k=st.integers(1, 3),
       log_cond=st.floats(0.0, 2.0), seed=st.integers(0, 2 ** 31 - 1), method=st.sampled_from(lo.METHODS))
@settings(max_examples=40, deadline=None)
def test_property_matches_lstsq(n_extra, d, k, log_cond, seed, method):
    P = lo.make_conditioned_problem(d + n_extra, d, k, cond=10 ** log_cond, seed=seed)
    err, _ = _attn_vs_lstsq(P, method)
    assert err < 1e-9


@given(seed=st.integers(0, 2 ** 31 - 1), scale=st.floats(-5, 5).filter(lambda s: abs(s) > 1e-3))
@settings(max_examples=25, deadline=None)
def test_property_permutation_invariant_and_linear_in_targets(seed, scale):
    rng = np.random.default_rng(seed)
    X, Y, Xq = rng.standard_normal((25, 4)), rng.standard_normal((25, 2)), rng.standard_normal((3, 4))
    params = lo.build_ols_attention(X, 2)
    base = params.predict(X, Y, Xq)
    perm = rng.permutation(25)
    torch.testing.assert_close(params.predict(X[perm], Y[perm], Xq), base, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(params.predict(X, scale * Y, Xq), scale * base, rtol=1e-10, atol=1e-12)


# ---- bad inputs -----------------------------------------------------------------------------------------
X0, Y0 = np.ones((5, 2)) + np.eye(5, 2), np.ones((5, 1))


@pytest.mark.parametrize("call, exc, msg", [
    (lambda: lo.build_ols_attention(np.ones(5)), ValueError, "dimensions"),
    (lambda: lo.build_ols_attention(np.full((4, 2), np.nan)), ValueError, "NaN"),
    (lambda: lo.build_ols_attention(np.zeros((4, 2))), ValueError, "zero"),
    (lambda: lo.build_ols_attention(np.ones((0, 2))), ValueError, "empty"),
    (lambda: lo.build_ols_attention("abc"), TypeError, "X must be"),
    (lambda: lo.build_ols_attention(np.ones((4, 2), dtype=complex)), TypeError, "real"),
    (lambda: lo.build_ols_attention(X0, 0), ValueError, "k"),
    (lambda: lo.build_ols_attention(X0, 1, method="qr"), ValueError, "unknown method"),
    (lambda: lo.build_ols_attention(X0, 1, rcond=-1.0), ValueError, "rcond"),
    (lambda: lo.build_ols_attention(X0, 1, dtype=torch.int64), TypeError, "dtype"),
    (lambda: lo.build_ols_attention(X0, 1).predict(X0, np.ones((4, 1)), X0), ValueError, "rows"),
    (lambda: lo.build_ols_attention(X0, 1).predict(X0, Y0, np.ones((2, 3))), ValueError, "features"),
    (lambda: lo.build_ols_attention(X0, 1).predict(np.ones((5, 3)), Y0, X0), ValueError, "built for d"),
    (lambda: lo.build_ols_attention(X0, 2).predict(X0, Y0, X0), ValueError, "built for k"),
    (lambda: lo.make_query_tokens(X0, 0), ValueError, "k"),
    (lambda: lo.linear_attention(torch.ones(3, 2), torch.ones(1, 3), torch.ones(1, 2), torch.ones(1, 2),
                                 torch.ones(2, 2)), ValueError, "width"),
    (lambda: lo.linear_attention(np.ones((3, 2)), torch.ones(1, 2), torch.ones(1, 2), torch.ones(1, 2),
                                 torch.ones(2, 2)), TypeError, "Z_ctx"),
    (lambda: lo.make_conditioned_problem(10, 3, cond=0.5), ValueError, "cond"),
    (lambda: lo.make_conditioned_problem(10, 3, rank=4), ValueError, "rank"),
    (lambda: lo.make_conditioned_problem(10.0, 3), TypeError, "n"),
    (lambda: lo.relative_error(np.ones(3), np.ones(4)), ValueError, "shape"),
    (lambda: lo.mismatch_operator(np.eye(3), np.eye(2)), ValueError, "features"),
])
def test_bad_inputs(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu():
    P = lo.make_conditioned_problem(200, 16, 2, cond=10.0, seed=0)
    X = torch.as_tensor(P["X"], device="cuda")
    params = lo.build_ols_attention(X, 2)
    pred = params.predict(X, torch.as_tensor(P["Y"], device="cuda"), torch.as_tensor(P["Xq"], device="cuda"))
    assert lo.relative_error(pred, lo.ols_lstsq_predict(P["X"], P["Y"], P["Xq"])) < 1e-10


def test_hurnet_link_same_map_two_memories():
    """HurNet's closed form and the OLS attention layer give the same predictions (paperlib.related.hurnet_link)."""
    from paperlib.related.hurnet_link import compare_with_hurnet

    rng = np.random.default_rng(3)
    X, Y, Xq = rng.normal(size=(30, 5)), rng.normal(size=(30, 2)), rng.normal(size=(4, 5))
    r = compare_with_hurnet(X, Y, Xq, float(np.finfo(np.float64).eps))
    assert r["ok"] and r["err_pred"] < 1e-10 and r["err_weight"] < 1e-10
    assert r["n_params_hurnet"] == 5 * 2


def test_compare_with_lstsq_rows_agree_with_numpy_on_a_full_rank_problem():
    from paperlib.related import compare_with_lstsq

    rng = np.random.default_rng(3)
    X, Y, Xq = rng.standard_normal((40, 5)), rng.standard_normal((40, 2)), rng.standard_normal((7, 5))
    rows = compare_with_lstsq(X, Y, Xq, float(np.finfo(np.float64).eps))
    assert [r["method"] for r in rows] == ["eigh", "svd"]
    for r in rows:
        assert r["rank"] == r["d"] == r["numpy_rank_default"] == 5
        assert r["rel_err_matched"] <= r["bound"] and r["rel_err_default"] <= r["bound"]
        assert r["kept_cond"] == pytest.approx(np.linalg.cond(X), rel=1e-8)  # full rank: every direction kept
