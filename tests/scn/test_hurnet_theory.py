"""Checks of the SCN paper's HurNet mathematics (paperlib.scn.hurnet_theory) and baselines (paperlib.scn.baselines)."""
from types import SimpleNamespace

import numpy as np
import pytest
import scipy.linalg
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlib.scn.baselines import fit_linear_gd, hashed_text_features, lstsq_benchmark, mse_optimum
from paperlib.scn.hurnet_theory import (
    eq11_bound_check,
    eq15_loss,
    eq15_minimizers,
    interlacing_violation,
    least_squares_family,
    matrix_with_condition,
    ridge_loss,
    row_space_residual,
    singular_values_by_rows,
)


def _rng(seed=0):
    return np.random.default_rng(seed)


def test_matrix_with_condition_has_requested_spectrum():
    X = matrix_with_condition(40, 10, 1e6, seed=1)
    s = np.linalg.svd(X.numpy(), compute_uv=False)
    assert s[0] / s[-1] == pytest.approx(1e6, rel=1e-6)
    Xr = matrix_with_condition(40, 10, 10.0, seed=1, rank=3)
    assert np.linalg.matrix_rank(Xr.numpy()) == 3
    with pytest.raises(ValueError, match="cond"):
        matrix_with_condition(4, 3, 0.5)


def test_span_min_norm_and_ridge_in_row_space_others_not():
    rng = _rng(1)
    X = rng.standard_normal((6, 15))  # m < n: the row space is a proper subspace
    Y = rng.standard_normal((6, 2))
    fam = least_squares_family(X, Y, ridge=0.1, seed=0, gd_steps=3000)
    assert fam["min-norm pinv (Eq. 10)"]["span_residual"] < 1e-10
    assert fam["lstsq gelsd"]["span_residual"] < 1e-10
    assert fam["ridge lambda=0.1"]["span_residual"] < 1e-10
    assert fam["GD from zero"]["span_residual"] < 1e-10
    assert fam["min-norm + null-space part"]["span_residual"] > 0.5
    assert fam["GD from random init"]["span_residual"] > 0.1
    # yet the null-space variant is an equally good least-squares minimiser
    assert fam["min-norm + null-space part"]["ls_loss"] == pytest.approx(fam["min-norm pinv (Eq. 10)"]["ls_loss"],
                                                                          abs=1e-9)


def test_row_space_residual_oracle():
    rng = _rng(2)
    X = rng.standard_normal((3, 5))
    W = X.T @ rng.standard_normal((3, 2))  # in the row space by construction
    assert row_space_residual(X, W) < 1e-12
    N = scipy.linalg.null_space(X)
    assert row_space_residual(X, N) == pytest.approx(1.0, abs=1e-12)
    with pytest.raises(ValueError, match="rows"):
        row_space_residual(X, np.ones((4, 2)))


def test_eq11_holds_trivially_when_interpolating():
    rng = _rng(3)
    X, Y = rng.standard_normal((5, 12)), rng.standard_normal((5, 3))  # m < n, full row rank: XW = Y exactly
    out = eq11_bound_check(X, Y)
    assert out["rank"] == 5 and out["sigma_r1"] == 0.0
    assert out["residual_full"] < 1e-10 and out["holds_full"]


def test_eq11_fails_for_overdetermined_data_with_r_equal_rank():
    rng = _rng(4)
    X, Y = rng.standard_normal((50, 5)), rng.standard_normal((50, 2))
    out = eq11_bound_check(X, Y)
    ref = np.linalg.norm(X @ np.linalg.lstsq(X, Y, rcond=None)[0] - Y)
    assert out["residual_full"] == pytest.approx(ref, rel=1e-10)
    assert out["sigma_r1"] == 0.0 and not out["holds_full"]


def test_eq11_fails_under_rescaling_for_any_r():
    """The residual is invariant under X -> cX, the bound scales with c: small c breaks it for every r."""
    rng = _rng(5)
    X, Y = rng.standard_normal((40, 6)), rng.standard_normal((40, 2))
    for r in range(0, 6):
        big = eq11_bound_check(1e3 * X, Y, r=r)
        small = eq11_bound_check(1e-3 * X, Y, r=r)
        assert big["residual_full"] == pytest.approx(small["residual_full"], rel=1e-9)
        assert not small["holds_full"] and not small["holds_trunc"]
        assert big["holds_trunc"] and big["holds_full"]
    with pytest.raises(ValueError, match="r must be"):
        eq11_bound_check(X, Y, r=-1)


def test_truncated_residual_matches_projection():
    rng = _rng(6)
    X, Y = rng.standard_normal((30, 6)), rng.standard_normal((30, 2))
    U, _, _ = np.linalg.svd(X, full_matrices=False)
    out = eq11_bound_check(X, Y, r=3)
    ref = np.linalg.norm(Y - U[:, :3] @ (U[:, :3].T @ Y))
    assert out["residual_trunc"] == pytest.approx(ref, rel=1e-10)


def test_sigma_r1_grows_with_rows():
    X = _rng(7).standard_normal((400, 8))
    out = singular_values_by_rows(X, [10, 50, 100, 200, 400], r=3)
    assert out["monotone"]
    assert out["sigma_r1"][-1] > 2 * out["sigma_r1"][0]
    with pytest.raises(ValueError, match="increasing"):
        singular_values_by_rows(X, [50, 10], r=3)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 12), st.integers(1, 8), st.integers(1, 4), st.integers(0, 2**31 - 1))
def test_property_interlacing_adding_rows_never_lowers_singular_values(m, n, extra, seed):
    rng = _rng(seed)
    X = rng.standard_normal((m, n))
    E = rng.standard_normal((extra, n))
    assert interlacing_violation(X, E) <= 1e-10 * max(1.0, np.linalg.norm(X))


def test_eq15_printed_omega_does_not_depend_on_w():
    rng = _rng(8)
    X, Y = rng.standard_normal((20, 4)), rng.standard_normal((20, 2))
    mu = rng.standard_normal((7, 4))
    rows = eq15_minimizers(X, Y, [0.0, 0.1, 10.0, 1e4], mu)
    W_ls = np.linalg.lstsq(X, Y, rcond=None)[0]
    for row in rows:
        assert row["printed_grad_change"] < 1e-12
        assert row["printed_grad_at_ls"] < 1e-9
        assert row["printed_min_norm"] == pytest.approx(np.linalg.norm(W_ls), rel=1e-10)
        ref = scipy.linalg.solve(X.T @ X + row["lam"] * np.eye(4), X.T @ Y)
        assert row["ridge_min_norm"] == pytest.approx(np.linalg.norm(ref), rel=1e-9)
    norms = [r["ridge_min_norm"] for r in rows]
    assert all(a > b for a, b in zip(norms, norms[1:]))  # the ridge reading shrinks W
    W = torch.tensor(W_ls)
    omega = np.mean(np.linalg.norm(mu, axis=1) ** 2)
    assert float(eq15_loss(W, X, Y, 2.0, mu)) == pytest.approx(np.sum((X @ W_ls - Y) ** 2) + 2.0 * omega)
    assert float(ridge_loss(W, X, Y, 2.0)) == pytest.approx(np.sum((X @ W_ls - Y) ** 2) + 2.0 * np.sum(W_ls ** 2))
    with pytest.raises(ValueError, match="mu_weights"):
        eq15_loss(W, X, Y, 1.0, mu, mu_weights=-np.ones(7))


@pytest.mark.parametrize("optimizer,lr", [("adam", 0.1), ("sgd", 0.1)])
def test_gd_baseline_reaches_closed_form_loss(optimizer, lr):
    rng = _rng(9)
    X = rng.standard_normal((200, 5))
    Y = X @ rng.standard_normal((5, 2)) + 0.1 * rng.standard_normal((200, 2)) + 1.0
    opt = mse_optimum(X, Y)
    out = fit_linear_gd(X, Y, optimizer=optimizer, lr=lr, target_loss=opt * 1.01, max_steps=5000)
    assert out["reached"] and out["loss"] <= opt * 1.01 and out["steps"] > 0
    assert out["loss"] >= opt * (1 - 1e-9)  # cannot beat the closed-form optimum
    mb = fit_linear_gd(X, Y, optimizer="adam", lr=0.02, target_loss=opt * 1.05, max_steps=20000, batch_size=50)
    assert mb["reached"]


def test_gd_baseline_bad_inputs():
    X, Y = np.ones((4, 2)), np.ones((4, 1))
    with pytest.raises(ValueError, match="optimizer"):
        fit_linear_gd(X, Y, optimizer="lbfgs")
    with pytest.raises(ValueError, match="lr"):
        fit_linear_gd(X, Y, lr=0.0)
    with pytest.raises(ValueError, match="batch_size"):
        fit_linear_gd(X, Y, batch_size=10)
    with pytest.raises(ValueError, match="same number of rows"):
        fit_linear_gd(X, Y[:3])


def test_lstsq_benchmark_rows_and_accuracy():
    rng = _rng(10)
    X, Y = rng.standard_normal((300, 12)), rng.standard_normal((300, 3))
    fake = lambda fn, warmup, repeats: (fn(), SimpleNamespace(median=1.0, iqr=0.0))[1]  # noqa: E731
    rows = lstsq_benchmark(X, Y, timer=fake)
    assert [r["method"] for r in rows] == ["HurNetLayer(cholesky)", "torch.linalg.lstsq", "numpy.linalg.lstsq"]
    for r in rows:
        assert r["rel_diff_W_vs_numpy"] < 1e-10 and abs(r["rel_excess_residual"]) < 1e-10
    assert rows[0]["solver_used"] == "cholesky"


def test_hashed_text_features():
    F = hashed_text_features(["Olá Mundo", "ola mundo", "completely different words", ""], n_features=64)
    assert F.shape == (4, 64)
    np.testing.assert_allclose(F[0], F[1])  # case and accents folded
    np.testing.assert_allclose(np.linalg.norm(F[:3], axis=1), 1.0)
    assert np.all(F[3] == 0)
    np.testing.assert_array_equal(F, hashed_text_features(["Olá Mundo", "ola mundo", "completely different words", ""],
                                                          n_features=64))
    with pytest.raises(TypeError, match="strings"):
        hashed_text_features("not a list")
    with pytest.raises(ValueError, match="n_features"):
        hashed_text_features(["a"], n_features=0)


def test_eq11_worst_case_counts_every_r_and_reading():
    from paperlib.scn.hurnet_theory import eq11_bound_check, eq11_worst_case

    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(12, 5)), rng.normal(size=(12, 2))
    w = eq11_worst_case(X, Y, r_points=6)
    assert w["n_cases"] == 2 * 6 and 0 <= w["violations"] <= w["n_cases"]
    direct = eq11_bound_check(1e-3 * X, Y, r=w["r"])
    key = "ratio_full" if w["reading"] == "X+Y" else "ratio_trunc"
    assert w["ratio"] == pytest.approx(direct[key])
    # an interpolating problem (m < n, full row rank) has zero residual for r = m: that case holds
    Xu, Yu = rng.normal(size=(4, 9)), rng.normal(size=(4, 1))
    assert eq11_bound_check(1e-3 * Xu, Yu, r=4)["holds_full"]
