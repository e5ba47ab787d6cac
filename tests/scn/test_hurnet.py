"""HurNet closed-form layer (paperlib.scn.hurnet) against numpy/scipy float64 oracles."""
import warnings

import numpy as np
import pytest
import scipy.linalg
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperlib.scn.hurnet import (
    SOLVERS,
    HurNetFallbackWarning,
    HurNetLayer,
    SingularSystemError,
    explicit_inverse_solution,
    pinv_svd_solution,
    solve_least_squares,
)


def _data(m, n, k, seed=0, cond=None):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n))
    if cond is not None:
        U, _, Vt = np.linalg.svd(X, full_matrices=False)
        s = np.logspace(0, -np.log10(cond), min(m, n))
        X = (U * s) @ Vt
    Y = rng.standard_normal((m, k))
    return X, Y


def _aug(X):
    return np.c_[X, np.ones(len(X))]


def _fit(solver, X, Y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HurNetFallbackWarning)
        return HurNetLayer(X.shape[1], Y.shape[1], solver=solver, **kw).fit(X, Y)


@pytest.mark.parametrize("solver", SOLVERS)
def test_random_full_rank_matches_numpy_lstsq(solver):
    X, Y = _data(60, 7, 3, seed=1)
    ref = np.linalg.lstsq(_aug(X), Y, rcond=None)[0]
    layer = _fit(solver, X, Y)
    np.testing.assert_allclose(layer.weight.numpy(), ref[:-1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.bias.numpy(), ref[-1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer(torch.tensor(X)).numpy(), _aug(X) @ ref, atol=1e-10)


@pytest.mark.parametrize("solver", SOLVERS)
def test_no_bias_matches_eq3_closed_form(solver):
    X, Y = _data(40, 5, 2, seed=2)
    ref = scipy.linalg.solve(X.T @ X, X.T @ Y, assume_a="pos")  # Eq. 3 without an inverse
    layer = _fit(solver, X, Y, bias=False)
    assert layer.bias is None
    np.testing.assert_allclose(layer.weight.numpy(), ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(explicit_inverse_solution(X, Y).numpy(), ref, rtol=1e-9)


@pytest.mark.parametrize("solver", ["lstsq", "qr", "svd"])
def test_ill_conditioned_backward_stable_solvers(solver):
    # cond(X) = 1e8: QR/SVD/gelsd keep ~ cond*eps accuracy on a consistent system, Cholesky would not
    X, _ = _data(80, 10, 1, seed=3, cond=1e8)
    W_true = np.random.default_rng(4).standard_normal((10, 2))
    Y = X @ W_true
    layer = _fit(solver, X, Y, bias=False)
    err = np.linalg.norm(layer.weight.numpy() - W_true) / np.linalg.norm(W_true)
    assert err < 1e-5


def test_cholesky_ill_conditioned_falls_back_with_warning():
    X, _ = _data(80, 10, 1, seed=3, cond=1e8)  # cond(X^T X) = 1e16 > cond_limit
    W_true = np.random.default_rng(4).standard_normal((10, 2))
    Y = X @ W_true
    with pytest.warns(HurNetFallbackWarning, match="ill-conditioned"):
        layer = HurNetLayer(10, 2, bias=False, solver="cholesky").fit(X, Y)
    assert layer.solver_used_ == "cholesky->lstsq-gelsd"
    err = np.linalg.norm(layer.weight.numpy() - W_true) / np.linalg.norm(W_true)
    assert err < 1e-5  # the fallback solves on X itself, so it keeps ~cond(X) eps accuracy
    with pytest.raises(SingularSystemError, match="cond"):
        HurNetLayer(10, 2, bias=False, solver="cholesky", on_singular="raise").fit(X, Y)


@pytest.mark.parametrize("solver", SOLVERS)
def test_rank_deficient_gives_min_norm_pinv(solver):
    rng = np.random.default_rng(5)
    X = rng.standard_normal((30, 4)) @ rng.standard_normal((4, 9))  # rank 4 < n = 9
    Y = rng.standard_normal((30, 3))
    ref = np.linalg.pinv(X) @ Y
    layer = _fit(solver, X, Y, bias=False)
    np.testing.assert_allclose(layer.weight.numpy(), ref, atol=1e-8)
    np.testing.assert_allclose(pinv_svd_solution(X, Y).numpy(), ref, atol=1e-10)
    # Eq. 3 taken literally: X^T X is singular; a float inverse either fails or returns a non-minimiser
    try:
        W3 = explicit_inverse_solution(X, Y).numpy()
    except SingularSystemError:
        return
    assert np.linalg.norm(X @ W3 - Y) > np.linalg.norm(X @ ref - Y) * (1 + 1e-6)


@pytest.mark.parametrize("solver", ["qr", "cholesky"])
def test_rank_deficient_raise_option(solver):
    X, Y = _data(5, 8, 2, seed=6)  # m < n
    with pytest.raises(SingularSystemError):
        HurNetLayer(8, 2, bias=False, solver=solver, on_singular="raise").fit(X, Y)
    with pytest.warns(HurNetFallbackWarning):
        HurNetLayer(8, 2, bias=False, solver=solver).fit(X, Y)


@pytest.mark.parametrize("solver", SOLVERS)
def test_underdetermined_interpolates_min_norm(solver):
    X, Y = _data(6, 15, 2, seed=7)
    layer = _fit(solver, X, Y)
    ref = np.linalg.lstsq(_aug(X), Y, rcond=None)[0]  # min-norm over [W; b]
    np.testing.assert_allclose(layer.W_augmented.numpy(), ref, atol=1e-9)
    np.testing.assert_allclose(layer(torch.tensor(X)).numpy(), Y, atol=1e-9)  # m < n: exact fit


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("bias", [False, True])
def test_ridge_matches_scipy_solve(solver, bias):
    X, Y = _data(25, 6, 3, seed=8)
    lam = 0.7
    A = _aug(X) if bias else X
    D = np.eye(A.shape[1])
    if bias:
        D[-1, -1] = 0.0  # the bias is not penalised
    ref = scipy.linalg.solve(A.T @ A + lam * D, A.T @ Y, assume_a="pos")
    layer = _fit(solver, X, Y, ridge=lam, bias=bias)
    np.testing.assert_allclose(layer.W_augmented.numpy(), ref, rtol=1e-9, atol=1e-11)
    obj = np.sum((A @ ref - Y) ** 2) + lam * np.sum(ref[: X.shape[1]] ** 2)
    assert layer.loss(X, Y) == pytest.approx(obj, rel=1e-10)


def test_ridge_handles_underdetermined():
    X, Y = _data(4, 10, 2, seed=9)
    lam = 0.1
    ref = scipy.linalg.solve(X.T @ X + lam * np.eye(10), X.T @ Y)
    for solver in SOLVERS:
        layer = _fit(solver, X, Y, ridge=lam, bias=False)
        np.testing.assert_allclose(layer.weight.numpy(), ref, atol=1e-10)
        assert "->" not in layer.solver_used_ and layer.solver_used_ != "pinv-eigh"


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("ridge", [0.0, 0.3])
def test_partial_fit_equals_full_refit(bias, ridge):
    X, Y = _data(90, 8, 3, seed=10)
    inc = HurNetLayer(8, 3, bias=bias, ridge=ridge).fit(X[:30], Y[:30])
    inc.partial_fit(X[30:31], Y[30:31]).partial_fit(X[31:70], Y[31:70]).partial_fit(X[70:], Y[70:])
    full = HurNetLayer(8, 3, bias=bias, ridge=ridge).fit(X, Y)
    assert inc.n_seen_ == 90
    np.testing.assert_allclose(inc.W_augmented.numpy(), full.W_augmented.numpy(), rtol=1e-10, atol=1e-12)


def test_partial_fit_from_scratch_and_rank_deficient_start():
    X, Y = _data(40, 6, 2, seed=11)
    layer = HurNetLayer(6, 2, bias=False)
    with pytest.warns(HurNetFallbackWarning):
        layer.partial_fit(X[:3], Y[:3])  # 3 rows < 6 features: singular, min-norm
    np.testing.assert_allclose(layer.weight.numpy(), np.linalg.pinv(X[:3]) @ Y[:3], atol=1e-6)
    layer.partial_fit(X[3:], Y[3:])
    np.testing.assert_allclose(layer.weight.numpy(), np.linalg.lstsq(X, Y, rcond=None)[0], atol=1e-10)
    assert layer.solver_used_ == "cholesky"


def test_partial_fit_after_fit_without_stats_is_refused():
    X, Y = _data(20, 3, 1, seed=12)
    layer = HurNetLayer(3, 1).fit(X, Y, keep_stats=False)
    with pytest.raises(ValueError, match="keep_stats"):
        layer.partial_fit(X, Y)
    layer.reset().partial_fit(X, Y)
    np.testing.assert_allclose(layer.W_augmented.numpy(), np.linalg.lstsq(_aug(X), Y, rcond=None)[0], atol=1e-10)


def test_one_dimensional_targets_and_float32():
    X, Y = _data(30, 4, 1, seed=13)
    layer = HurNetLayer(4, 1, dtype=torch.float32).fit(X.astype(np.float32), Y[:, 0].astype(np.float32))
    assert layer.weight.dtype == torch.float32
    ref = np.linalg.lstsq(_aug(X), Y, rcond=None)[0]
    np.testing.assert_allclose(layer.W_augmented.numpy(), ref, atol=1e-4)
    w = pinv_svd_solution(X, Y[:, 0])
    assert w.shape == (4,)


def test_forward_is_differentiable_in_input_and_state_dict_roundtrip():
    X, Y = _data(30, 4, 2, seed=14)
    layer = HurNetLayer(4, 2).fit(X, Y)
    x = torch.tensor(X[:3], requires_grad=True)
    layer(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.tile(layer.weight.sum(1).numpy(), (3, 1)))
    clone = HurNetLayer(4, 2)
    clone.load_state_dict(layer.state_dict())
    np.testing.assert_allclose(clone(torch.tensor(X)).numpy(), layer(torch.tensor(X)).numpy())


# ---------------------------------------------------------------------------------------- bad inputs
def test_bad_constructor_arguments():
    with pytest.raises(TypeError, match="in_features"):
        HurNetLayer(3.0, 2)
    with pytest.raises(ValueError, match="out_features"):
        HurNetLayer(3, 0)
    with pytest.raises(ValueError, match="ridge"):
        HurNetLayer(3, 2, ridge=-1.0)
    with pytest.raises(ValueError, match="ridge"):
        HurNetLayer(3, 2, ridge=float("nan"))
    with pytest.raises(ValueError, match="unknown solver"):
        HurNetLayer(3, 2, solver="inverse")
    with pytest.raises(TypeError, match="dtype"):
        HurNetLayer(3, 2, dtype=torch.int64)
    with pytest.raises(ValueError, match="on_singular"):
        HurNetLayer(3, 2, on_singular="ignore")
    with pytest.raises(ValueError, match="unknown solver"):
        solve_least_squares(np.eye(3), np.eye(3), solver="foo")


def test_bad_fit_inputs():
    layer = HurNetLayer(3, 2)
    X, Y = _data(10, 3, 2)
    with pytest.raises(ValueError, match="same number of rows"):
        layer.fit(X, Y[:9])
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        layer.fit(Xn, Y)
    Yi = Y.copy()
    Yi[1, 1] = np.inf
    with pytest.raises(ValueError, match="NaN or inf"):
        layer.partial_fit(X, Yi)
    with pytest.raises(ValueError, match="2-D"):
        layer.fit(X[0], Y)
    with pytest.raises(ValueError, match="in_features=3"):
        layer.fit(X[:, :2], Y)
    with pytest.raises(ValueError, match="out_features=2"):
        layer.fit(X, Y[:, :1])
    with pytest.raises(ValueError, match="no rows"):
        layer.fit(X[:0], Y[:0])
    with pytest.raises(TypeError, match="numeric"):
        layer.fit(np.array([["a", "b", "c"]]), Y[:1])
    with pytest.raises(TypeError, match="torch.Tensor"):
        layer.fit("abc", Y)
    with pytest.raises(TypeError, match="complex"):
        layer.fit(torch.ones(4, 3, dtype=torch.complex128), torch.ones(4, 2))
    with pytest.raises(ValueError, match="in_features=3"):
        layer(torch.ones(2, 5, dtype=torch.float64))


# ---------------------------------------------------------------------------------------- properties
_shapes = st.tuples(st.integers(1, 12), st.integers(1, 6), st.integers(1, 3), st.integers(0, 2**31 - 1))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_shapes, st.sampled_from(SOLVERS), st.booleans())
def test_property_normal_equations_hold(shape, solver, bias):
    """Any least-squares minimiser satisfies A^T (A W - Y) = 0; the layer's is also the min-norm one."""
    m, n, k, seed = shape
    X, Y = _data(m, n, k, seed=seed)
    A = _aug(X) if bias else X
    layer = _fit(solver, X, Y, bias=bias)
    W = layer.W_augmented.numpy()
    grad = A.T @ (A @ W - Y)
    scale = np.linalg.norm(A) ** 2 * max(np.linalg.norm(W), 1.0) + np.linalg.norm(A) * np.linalg.norm(Y)
    assert np.linalg.norm(grad) <= 1e-9 * scale
    ref = np.linalg.lstsq(A, Y, rcond=None)[0]
    assert np.linalg.norm(W) <= np.linalg.norm(ref) * (1 + 1e-7) + 1e-9


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 30), st.integers(1, 5), st.integers(0, 2**31 - 1), st.data())
def test_property_incremental_equals_refit(m, n, seed, data):
    X, Y = _data(m + n, n, 2, seed=seed)  # m + n >= n rows in total: full column rank a.s.
    cut = data.draw(st.integers(1, m + n - 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HurNetFallbackWarning)
        inc = HurNetLayer(n, 2, bias=False, ridge=0.1).fit(X[:cut], Y[:cut]).partial_fit(X[cut:], Y[cut:])
    ref = scipy.linalg.solve(X.T @ X + 0.1 * np.eye(n), X.T @ Y, assume_a="pos")
    np.testing.assert_allclose(inc.weight.numpy(), ref, rtol=1e-8, atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 10), st.integers(1, 10), st.integers(0, 2**31 - 1))
def test_property_eq10_equals_numpy_pinv(m, n, seed):
    X, Y = _data(m, n, 2, seed=seed)
    np.testing.assert_allclose(pinv_svd_solution(X, Y).numpy(), np.linalg.pinv(X) @ Y, atol=1e-9)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu():
    X, Y = _data(200, 16, 4, seed=15)
    cpu = HurNetLayer(16, 4).fit(X, Y)
    for solver in SOLVERS:
        gpu = HurNetLayer(16, 4, solver=solver).to("cuda").fit(X, Y)
        np.testing.assert_allclose(gpu.W_augmented.cpu().numpy(), cpu.W_augmented.numpy(), atol=1e-9)
