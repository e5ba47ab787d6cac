"""Tests of the BK-Core op (paperlib.bk.core) against independent float64 oracles (numpy inverse,
scipy.linalg.solve_banded), causal structure, stability to N = 32768, gradients and input checks."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import torch
from hypothesis import given, settings, strategies as st

from paperlib import seed_everything
from paperlib.bk.core import bk_diag, bk_diag_theta_naive, bk_features, tridiagonal_dense

METHODS = ["scan", "sequential", "dense"]


# ------------------------------------------------------------------------------------------ oracles
def np_matrix(v, z, off, h0=-2.0):
    """Dense complex128 H - zI from numpy arrays (independent of paperlib)."""
    v = np.asarray(v, dtype=np.float64)
    n = v.shape[-1]
    off = np.broadcast_to(np.asarray(off, dtype=np.float64), (max(n - 1, 0),))
    return np.diag(h0 + v - z) + np.diag(off, 1) + np.diag(off, -1)


def np_two_sided(v, z, off, h0=-2.0):
    return np.diag(np.linalg.inv(np_matrix(v, z, off, h0)))


def np_causal(v, z, off, h0=-2.0):
    A = np_matrix(v, z, off, h0)
    return np.array([np.linalg.inv(A[: i + 1, : i + 1])[i, i] for i in range(A.shape[0])])


def banded_diag(v, z, off, h0=-2.0, rows=None):
    """Selected diagonal entries of (H - zI)^{-1} by banded solves (O(N) each)."""
    v = np.asarray(v, dtype=np.float64)
    n = v.shape[-1]
    off = np.broadcast_to(np.asarray(off, dtype=np.float64), (n - 1,))
    ab = np.zeros((3, n), dtype=np.complex128)
    ab[0, 1:] = off
    ab[1] = h0 + v - z
    ab[2, :-1] = off
    rows = range(n) if rows is None else rows
    out = []
    for i in rows:
        e = np.zeros(n, dtype=np.complex128)
        e[i] = 1.0
        out.append(scipy.linalg.solve_banded((1, 1), ab, e)[i])
    return np.array(out)


def rel_err(got, ref):
    got = got.detach().cpu().numpy() if isinstance(got, torch.Tensor) else got
    return float(np.max(np.abs(got - ref) / np.maximum(np.abs(ref), 1e-300)))


def _case(n, seed, v_scale=1.0, off_kind="random", z=0.3 + 0.5j):
    g = np.random.default_rng(seed)
    v = g.normal(size=n) * v_scale
    if off_kind == "random":
        off = g.normal(size=max(n - 1, 0))
    elif off_kind == "small":
        off = g.uniform(1e-4, 1e-2, size=max(n - 1, 0)) * g.choice([-1, 1], size=max(n - 1, 0))
    else:
        off = np.ones(max(n - 1, 0))
    return v, off, z


# --------------------------------------------------------------------------------------- exactness
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("n", [1, 2, 3, 7, 16, 33])
def test_two_sided_matches_numpy_inverse(method, n):
    v, off, z = _case(n, seed=n)
    got = bk_diag(torch.tensor(v), z, torch.tensor(off), causal=False, method=method)
    assert got.dtype == torch.complex128
    assert rel_err(got, np_two_sided(v, z, off)) < 1e-10


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("n", [1, 2, 5, 16, 33])
def test_causal_matches_leading_block_inverse(method, n):
    v, off, z = _case(n, seed=100 + n)
    got = bk_diag(torch.tensor(v), z, torch.tensor(off), causal=True, method=method)
    assert rel_err(got, np_causal(v, z, off)) < 1e-10


ADVERSARIAL = {
    "large_v": dict(v_scale=1e3),
    "huge_v": dict(v_scale=1e6),
    "small_off": dict(off_kind="small"),
    "laplacian_off": dict(off_kind="ones"),
}


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("kind", sorted(ADVERSARIAL))
@pytest.mark.parametrize("method", ["scan", "sequential"])
def test_adversarial_inputs(kind, causal, method):
    n = 48
    v, off, _ = _case(n, seed=7, **ADVERSARIAL[kind])
    z = 0.1 + 1e-2j
    ref = np_causal(v, z, off) if causal else np_two_sided(v, z, off)
    got = bk_diag(torch.tensor(v), z, torch.tensor(off), causal=causal, method=method)
    assert rel_err(got, ref) < 1e-10


@pytest.mark.parametrize("causal", [False, True])
def test_z_near_the_spectrum(causal):
    """z = (an eigenvalue of H) + i 1e-6: G is huge (~1e6); still agrees with the dense float64 solve."""
    n = 64
    v, off, _ = _case(n, seed=3)
    lam = np.linalg.eigvalsh(np_matrix(v, 0.0, off).real)
    z = complex(lam[n // 3], 1e-6)
    ref = np_causal(v, z, off) if causal else np_two_sided(v, z, off)
    got = bk_diag(torch.tensor(v), z, torch.tensor(off), causal=causal, method="scan")
    if not causal:
        assert np.max(np.abs(ref)) > 1e3  # the test really is near a pole
    assert rel_err(got, ref) < 1e-8


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 40),
    seed=st.integers(0, 2**31 - 1),
    re_z=st.floats(-5, 5),
    im_z=st.floats(1e-2, 3),
    causal=st.booleans(),
)
def test_property_scan_equals_dense(n, seed, re_z, im_z, causal):
    v, off, _ = _case(n, seed=seed, v_scale=3.0)
    z = complex(re_z, im_z)
    ref = np_causal(v, z, off) if causal else np_two_sided(v, z, off)
    got = bk_diag(torch.tensor(v), z, torch.tensor(off), causal=causal, method="scan")
    # relative to the largest entry: elementwise relative error is ill-posed for tiny entries
    err = np.max(np.abs(got.numpy() - ref)) / np.max(np.abs(ref))
    assert err < 1e-10


def test_batched_z_and_off_broadcast():
    seed_everything(0)
    v = torch.randn(3, 4, 20, dtype=torch.float64)
    off = torch.rand(4, 19, dtype=torch.float64) + 0.5  # broadcast over the first batch dim
    z = torch.tensor([0.5j, 1 + 0.2j, -1 + 2j, 0.1 + 0.1j], dtype=torch.complex128)  # (4,) -> per row
    for causal in (False, True):
        got = bk_diag(v, z, off, causal=causal)
        for a in range(3):
            for b in range(4):
                ref = (np_causal if causal else np_two_sided)(v[a, b].numpy(), complex(z[b]), off[b].numpy())
                assert rel_err(got[a, b], ref) < 1e-10


def test_h0_and_scalar_off():
    v = torch.linspace(-1, 1, 10, dtype=torch.float64)
    got = bk_diag(v, 0.2 + 0.7j, 0.5, h0_diag=1.5, causal=False)
    assert rel_err(got, np_two_sided(v.numpy(), 0.2 + 0.7j, 0.5, h0=1.5)) < 1e-10


def test_dense_matrix_helper():
    v = torch.randn(6, dtype=torch.float64)
    A = tridiagonal_dense(v, 0.5j, 2.0)
    np.testing.assert_allclose(A.numpy(), np_matrix(v.numpy(), 0.5j, 2.0))


# --------------------------------------------------------------------------------------- causality
@pytest.mark.parametrize("method", ["scan", "sequential"])
def test_causal_depends_on_prefix_only(method):
    seed_everything(1)
    n = 37
    v = torch.randn(n, dtype=torch.float64)
    off = torch.rand(n - 1, dtype=torch.float64) + 0.5
    base = bk_diag(v, 1j, off, causal=True, method=method)
    for j in [0, 1, 10, 18, 36]:
        w = v.clone()
        w[j] += 0.7
        out = bk_diag(w, 1j, off, causal=True, method=method)
        assert torch.equal(out[:j], base[:j]), f"output before {j} changed"
        # the influence of v_j decays geometrically with i - j; it must be visible at i = j
        assert (out[j] - base[j]).abs() > 1e-6, f"output at {j} unchanged"


def test_two_sided_is_not_causal():
    n = 16
    v = torch.zeros(n, dtype=torch.float64)
    w = v.clone()
    w[-1] = 1.0
    g0 = bk_diag(v, 1j, causal=False)
    g1 = bk_diag(w, 1j, causal=False)
    assert (g1[0] - g0[0]).abs() > 1e-12  # G_00 sees the last token


# ---------------------------------------------------------------------------------------- stability
def test_naive_theta_overflows_but_scan_does_not():
    n = 4096
    v = torch.zeros(n, dtype=torch.float64)
    naive = bk_diag_theta_naive(v, 1j, causal=False)
    assert not torch.isfinite(torch.view_as_real(naive)).all()
    naive_small = bk_diag_theta_naive(v[:32], 1j, causal=False)  # fine while theta stays in range
    assert rel_err(naive_small, np_two_sided(np.zeros(32), 1j, 1.0)) < 1e-10
    assert torch.isfinite(torch.view_as_real(bk_diag(v, 1j, causal=False))).all()


@pytest.mark.parametrize("dtype,tol", [(torch.float64, 1e-10), (torch.float32, 1e-3)])
@pytest.mark.parametrize("causal", [False, True])
def test_stability_32k(dtype, tol, causal):
    n = 32768
    g = np.random.default_rng(5)
    v = np.clip(g.normal(size=n) * 1.5, -3, 3)  # the model's clamp(+-3) range
    off = 1.0 + 0.3 * g.normal(size=n - 1)
    z = 1j
    got = bk_diag(torch.tensor(v, dtype=dtype), z, torch.tensor(off, dtype=dtype), causal=causal)
    assert got.dtype == (torch.complex128 if dtype == torch.float64 else torch.complex64)
    assert torch.isfinite(torch.view_as_real(got)).all()
    rows = [0, 1, 1000, 16383, n - 2, n - 1]
    if causal:
        # leading-block resolvent: the two-sided diagonal of the (i+1)-block, last entry
        ref = np.array([banded_diag(v[: i + 1], z, off[:i], rows=[i])[0] for i in rows])
    else:
        ref = banded_diag(v, z, off, rows=rows)
    assert rel_err(got[rows].to(torch.complex128), ref) < tol


def test_float32_whole_sequence_vs_float64():
    n = 32768
    seed_everything(2)
    v = (torch.randn(2, n, dtype=torch.float64) * 2).clamp(-3, 3)
    for causal in (False, True):
        g64 = bk_diag(v, 1j, causal=causal)
        g32 = bk_diag(v.float(), 1j, causal=causal)
        assert rel_err(g32.to(torch.complex128), g64.numpy()) < 1e-3


# ---------------------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("method", ["scan", "sequential"])
def test_gradcheck_v_and_off(causal, method):
    seed_everything(3)
    n = 9
    v = torch.randn(2, n, dtype=torch.float64, requires_grad=True)
    off = (torch.rand(2, n - 1, dtype=torch.float64) + 0.3).requires_grad_()
    assert torch.autograd.gradcheck(lambda a, b: bk_diag(a, 0.4 + 0.8j, b, causal=causal, method=method), (v, off))


def test_gradcheck_scalar_off_and_z():
    v = torch.randn(7, dtype=torch.float64, requires_grad=True)
    off = torch.tensor(0.8, dtype=torch.float64, requires_grad=True)
    z = torch.tensor(0.3 + 1.1j, dtype=torch.complex128, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b, c: bk_diag(a, c, b, causal=False), (v, off, z))


def test_gradient_matches_closed_form():
    """dG_ii/dv_j = -G_ij G_ji (two-sided); for the causal op the same inside the leading block."""
    n = 12
    v = torch.randn(n, dtype=torch.float64, requires_grad=True)
    z = 0.2 + 0.6j
    G = bk_diag(v, z, 1.0, causal=False)
    full = np.linalg.inv(np_matrix(v.detach().numpy(), z, 1.0))
    for i in [0, 5, n - 1]:
        (gr,) = torch.autograd.grad(G[i].real, v, retain_graph=True)
        (gi,) = torch.autograd.grad(G[i].imag, v, retain_graph=True)
        expected = -full[i, :] * full[:, i]
        np.testing.assert_allclose(gr.numpy() + 1j * gi.numpy(), expected, rtol=1e-9, atol=1e-12)


def test_gradients_finite_at_32k():
    v = (torch.randn(32768) * 2).clamp(-3, 3).requires_grad_()
    G = bk_diag(v, 1j, causal=True)
    bk_features(G).sum().backward()
    assert torch.isfinite(v.grad).all()


# ------------------------------------------------------------------------------------- dtypes, errors
def test_dtypes_follow_input():
    v = torch.randn(5)
    assert bk_diag(v).dtype == torch.complex64
    assert bk_diag(v.double()).dtype == torch.complex128
    assert bk_diag(v.half()).dtype == torch.complex64


def test_features_shape_and_values():
    G = bk_diag(torch.randn(2, 6, dtype=torch.float64), causal=False)
    F = bk_features(G)
    assert F.shape == (2, 6, 2) and F.dtype == torch.float64
    assert torch.equal(F[..., 0], G.real) and torch.equal(F[..., 1], G.imag)


@pytest.mark.parametrize(
    "kwargs,exc,msg",
    [
        (dict(v=torch.arange(5)), TypeError, "real floating"),
        (dict(v=torch.randn(5, dtype=torch.complex64)), TypeError, "real floating"),
        (dict(v=np.zeros(5)), TypeError, "torch.Tensor"),
        (dict(v=torch.tensor(1.0)), ValueError, "at least one dimension"),
        (dict(v=torch.zeros(3, 0)), ValueError, "must be >= 1"),
        (dict(v=torch.tensor([0.0, float("nan")])), ValueError, "non-finite"),
        (dict(v=torch.tensor([0.0, float("inf")])), ValueError, "non-finite"),
        (dict(v=torch.zeros(5), off=torch.zeros(3)), ValueError, "N-1"),
        (dict(v=torch.zeros(5), off=torch.tensor([1.0, float("nan"), 1.0, 1.0])), ValueError, "non-finite"),
        (dict(v=torch.zeros(5), off="1"), TypeError, "off must be"),
        (dict(v=torch.zeros(5), z="i"), TypeError, "z must be"),
        (dict(v=torch.zeros(5), z=complex(0, float("inf"))), ValueError, "z is not finite"),
        (dict(v=torch.zeros(2, 5), z=torch.ones(3, dtype=torch.complex64)), ValueError, "broadcastable"),
        (dict(v=torch.zeros(2, 5), off=torch.ones(3, 2, 4)), ValueError, "not broadcastable"),
        (dict(v=torch.zeros(5), z=torch.ones(3, dtype=torch.complex64)), ValueError, "keep v's shape"),
        (dict(v=torch.zeros(5), h0_diag=torch.zeros(2, 5)), ValueError, "keep v's shape"),
        (dict(v=torch.zeros(5), h0_diag=torch.zeros(5, dtype=torch.int64)), TypeError, "h0_diag"),
        (dict(v=torch.zeros(5), method="fast"), ValueError, "unknown method"),
        (dict(v=torch.zeros(5), method="triton"), ValueError, "triton"),
        (dict(v=torch.zeros(5), causal=1), TypeError, "causal must be a bool"),
    ],
)
def test_bad_inputs_raise(kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        bk_diag(**kwargs)


def test_bk_features_rejects_real():
    with pytest.raises(TypeError, match="complex"):
        bk_features(torch.zeros(3))


# --------------------------------------------------------------------------------------------- CUDA
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("causal", [False, True])
def test_cuda_matches_cpu(causal):
    v = torch.randn(2, 4096, dtype=torch.float64)
    cpu = bk_diag(v, 1j, causal=causal)
    gpu = bk_diag(v.cuda(), 1j, causal=causal).cpu()
    assert rel_err(gpu, cpu.numpy()) < 1e-10
    g32 = bk_diag(v.float().cuda(), 1j, causal=causal).cpu()
    assert torch.isfinite(torch.view_as_real(g32)).all()
