"""Tests of the compiled CPU path of BK-Core (method="compiled", paperlib.bk.core_compiled): values against the
dense inverse and the sequential reference, gradients (gradcheck in float64, agreement with the sequential
path's autograd), shapes, dtypes, the fallback when numba is missing, and what method="auto" resolves to.
Without numba the module is skipped, except under CI (env CI set), where that is a failure."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from paperlib.bk import core_compiled as bk_core_compiled
from paperlib.common import paths
from paperlib.bk.core import bk_diag, resolve_method
from bk_cases import case

if not bk_core_compiled.available() and not os.environ.get("CI"):
    pytest.skip(f"compiled path unavailable: {bk_core_compiled.unavailable_reason()}", allow_module_level=True)


def test_compiled_path_available():
    """Under CI this must hold: a missing numba fails here instead of skipping the module."""
    assert bk_core_compiled.available(), bk_core_compiled.unavailable_reason()


# ------------------------------------------------------------------------------------------ oracles
def np_matrix(v, z, off, h0=-2.0):
    n = len(v)
    off = np.broadcast_to(np.asarray(off, dtype=np.float64), (max(n - 1, 0),))
    return np.diag(h0 + np.asarray(v, dtype=np.float64) - z) + np.diag(off, 1) + np.diag(off, -1)


def np_two_sided(v, z, off):
    return np.diag(np.linalg.inv(np_matrix(v, z, off)))


def np_causal(v, z, off):
    A = np_matrix(v, z, off)
    return np.array([np.linalg.inv(A[: i + 1, : i + 1])[i, i] for i in range(len(v))])


def rel(a, b):
    a = a.detach().to(torch.complex128)
    b = (b if isinstance(b, torch.Tensor) else torch.from_numpy(np.array(b))).to(torch.complex128)
    return float((a - b).abs().max() / b.abs().max())


# ------------------------------------------------------------------------------------------- values
@pytest.mark.parametrize("n", [1, 2, 3, 17, 64])
@pytest.mark.parametrize("causal", [False, True])
def test_matches_dense_inverse(n, causal):
    v, off = case((3, n), seed=n)
    z = 0.3 + 0.5j
    got = bk_diag(v, z, off, causal=causal, method="compiled")
    for r in range(3):
        ref = (np_causal if causal else np_two_sided)(v[r].numpy(), z, off[r].numpy())
        assert rel(got[r], ref) < 1e-12


@pytest.mark.parametrize("shape", [(5,), (1, 7), (5, 33), (2, 3, 9), (9, 1), (4, 2, 1, 12)])
@pytest.mark.parametrize("causal", [False, True])
def test_matches_sequential_for_batch_shapes(shape, causal):
    """Row counts 1..24 exercise the 4-row blocks of the forward loop and their remainders."""
    v, off = case(shape, seed=len(shape))
    got = bk_diag(v, 1j, off, causal=causal, method="compiled")
    ref = bk_diag(v, 1j, off, causal=causal, method="sequential")
    assert got.shape == v.shape and got.dtype == torch.complex128
    assert rel(got, ref) < 1e-13


def test_bitwise_causal_structure_and_noncontiguous_input():
    v, off = case((6, 40), seed=3)
    base = bk_diag(v, 1j, off, method="compiled")
    w = v.clone()
    w[:, 25] += 1.0
    out = bk_diag(w, 1j, off, method="compiled")
    assert torch.equal(out[:, :25], base[:, :25]) and (out[:, 25] != base[:, 25]).all()
    vt = v.t().contiguous().t()  # same values, column-major storage
    assert torch.equal(bk_diag(vt, 1j, off, method="compiled"), base)


def test_broadcast_z_off_and_h0():
    v, _ = case((3, 4, 20), seed=4)
    off = torch.rand(4, 19, dtype=torch.float64) + 0.5
    z = torch.tensor([0.5j, 1 + 0.2j, -1 + 2j, 0.1 + 0.1j], dtype=torch.complex128)
    h0 = torch.linspace(-1, 1, 20, dtype=torch.float64)
    for causal in (False, True):
        got = bk_diag(v, z, off, h0_diag=h0, causal=causal, method="compiled")
        ref = bk_diag(v, z, off, h0_diag=h0, causal=causal, method="scan")
        assert rel(got, ref) < 1e-11


@pytest.mark.parametrize("causal", [False, True])
def test_float32_and_half(causal):
    v, off = case((4, 300), seed=5)
    ref = bk_diag(v, 1j, off, causal=causal, method="sequential")
    g32 = bk_diag(v.float(), 1j, off.float(), causal=causal, method="compiled")
    assert g32.dtype == torch.complex64
    assert rel(g32, ref) < 1e-5  # float64 arithmetic inside: only the inputs/outputs are rounded
    g16 = bk_diag(v.half(), 1j, 1.0, causal=causal, method="compiled")
    assert g16.dtype == torch.complex64 and torch.isfinite(torch.view_as_real(g16)).all()


def test_long_sequence_finite_and_exact():
    n = 32768
    v, off = case((2, n), seed=6)
    for causal in (False, True):
        got = bk_diag(v, 1j, off, causal=causal, method="compiled")
        assert torch.isfinite(torch.view_as_real(got)).all()
        assert rel(got, bk_diag(v, 1j, off, causal=causal, method="scan")) < 1e-10


def test_extreme_magnitudes_use_the_rescaled_division():
    """|d| ~ 1e200: x^2 + y^2 overflows float64 unless the division rescales."""
    v = torch.tensor([1e200, -3e199, 2e200], dtype=torch.float64)
    got = bk_diag(v, 1j, 1.0, causal=True, method="compiled")
    ref = bk_diag(v, 1j, 1.0, causal=True, method="sequential")
    assert torch.isfinite(torch.view_as_real(got)).all() and (got != 0).all()
    assert rel(got, ref) < 1e-12


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 30), rows=st.integers(1, 6), seed=st.integers(0, 2**31 - 1), re_z=st.floats(-5, 5),
       im_z=st.floats(1e-2, 3), causal=st.booleans())
def test_property_matches_numpy_inverse(n, rows, seed, re_z, im_z, causal):
    g = np.random.default_rng(seed)
    v = g.normal(size=(rows, n)) * 3
    off = g.uniform(0.1, 2.0, size=(rows, max(n - 1, 0))) * g.choice([-1.0, 1.0], size=(rows, max(n - 1, 0)))
    z = complex(re_z, im_z)
    got = bk_diag(torch.tensor(v), z, torch.tensor(off), causal=causal, method="compiled").numpy()
    for r in range(rows):
        ref = (np_causal if causal else np_two_sided)(v[r], z, off[r])
        assert np.max(np.abs(got[r] - ref)) / np.max(np.abs(ref)) < 1e-10


# ---------------------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("n", [1, 2, 9])
def test_gradcheck_v_off_z(causal, n):
    v, off = case((5, n), seed=7)
    v.requires_grad_()
    off.requires_grad_()
    z = torch.tensor(0.3 + 0.8j, dtype=torch.complex128, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b, c: bk_diag(a, c, b, causal=causal, method="compiled"), (v, off, z))


def test_gradcheck_scalar_off_tensor_h0():
    v = torch.randn(2, 7, dtype=torch.float64, requires_grad=True)
    off = torch.tensor(0.8, dtype=torch.float64, requires_grad=True)
    h0 = torch.tensor(-1.5, dtype=torch.float64, requires_grad=True)
    for causal in (False, True):
        assert torch.autograd.gradcheck(
            lambda a, b, c: bk_diag(a, 0.2 + 0.9j, b, h0_diag=c, causal=causal, method="compiled"), (v, off, h0))


@pytest.mark.parametrize("dtype,tol", [(torch.float64, 1e-11), (torch.float32, 1e-4)])
@pytest.mark.parametrize("causal", [False, True])
def test_gradients_match_sequential_autograd(dtype, tol, causal):
    v, off = case((7, 50), seed=8, dtype=dtype)
    w = torch.randn(7, 50, 2, dtype=dtype, generator=torch.Generator().manual_seed(9))
    grads = []
    for method in ("sequential", "compiled"):
        a, b = v.clone().requires_grad_(), off.clone().requires_grad_()
        loss = (torch.view_as_real(bk_diag(a, 1j, b, causal=causal, method=method)) * w).sum()
        grads.append(torch.autograd.grad(loss, (a, b)))
    for ref, got in zip(*grads):
        assert float((got - ref).abs().max() / ref.abs().max()) < tol


def test_gradient_matches_closed_form():
    """dG_ii/dv_j = -G_ij G_ji for the two-sided op."""
    n = 12
    v = torch.randn(n, dtype=torch.float64, requires_grad=True)
    z = 0.2 + 0.6j
    jac = torch.autograd.functional.jacobian(
        lambda a: torch.view_as_real(bk_diag(a, z, 1.0, causal=False, method="compiled")), v)
    jac = (jac[:, 0, :] + 1j * jac[:, 1, :]).numpy()
    full = np.linalg.inv(np_matrix(v.detach().numpy(), z, 1.0))
    np.testing.assert_allclose(jac, -(full * full.T), rtol=1e-9, atol=1e-12)


def test_model_style_use_float32_backward_finite():
    v = (torch.randn(2, 4096) * 2).clamp(-3, 3).requires_grad_()
    G = bk_diag(v, 1j, 1.0, causal=True, method="compiled")
    torch.stack([G.real, G.imag], -1).sum().backward()
    assert v.grad.dtype == torch.float32 and torch.isfinite(v.grad).all()


# ----------------------------------------------------------------------------- dispatch and fallback
def test_auto_resolves_to_compiled_on_cpu_and_never_triton(monkeypatch):
    assert resolve_method("cpu", torch.float64) == "compiled"
    assert resolve_method(torch.device("cpu"), torch.float16) == "compiled"
    monkeypatch.setenv("TRITON_INTERPRET", "1")  # the interpreter does not make triton an "auto" choice on CPU
    assert resolve_method("cpu", torch.float32) == "compiled"
    v, off = case((3, 10), seed=10)
    assert torch.equal(bk_diag(v, 1j, off), bk_diag(v, 1j, off, method="compiled"))
    with pytest.raises(TypeError, match="dtype"):
        resolve_method("cpu", torch.int64)


def test_fallback_when_numba_is_unavailable(monkeypatch):
    monkeypatch.setattr(bk_core_compiled, "numba", None)
    monkeypatch.setattr(bk_core_compiled, "_IMPORT_ERROR", "numba is not importable (test)")
    assert resolve_method("cpu", torch.float64) == "scan"
    v, off = case((2, 10), seed=11)
    assert rel(bk_diag(v, 1j, off), bk_diag(v, 1j, off, method="scan")) == 0.0
    with pytest.raises(ValueError, match="compiled.*unavailable.*numba"):
        bk_diag(v, 1j, off, method="compiled")


@pytest.mark.slow  # over about 2 s on 2 cores: `make check` leaves it out
def test_import_without_numba_in_a_fresh_process():
    code = ("import sys; sys.modules['numba'] = None\n"  # makes `import numba` raise ImportError
            "import torch\nfrom paperlib.bk import core_compiled as c\nfrom paperlib.bk.core import bk_diag, resolve_method\n"
            "assert not c.available() and 'numba' in c.unavailable_reason()\n"
            "assert resolve_method('cpu', torch.float64) == 'scan'\n"
            "v = torch.randn(2, 9, dtype=torch.float64)\n"
            "assert torch.equal(bk_diag(v), bk_diag(v, method='scan'))\nprint('ok')\n")
    env = {**os.environ, "PYTHONPATH": str(paths.ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]


def test_errors():
    v = torch.zeros(2, 5, device="meta")
    with pytest.raises(ValueError, match="CPU tensors only"):
        bk_diag(v, 1j, 1.0, method="compiled", check_finite=False)
    with pytest.raises(ValueError, match="unknown method.*compiled"):
        bk_diag(torch.zeros(5), method="numba")
    with pytest.raises(TypeError, match="real floating"):
        bk_diag(torch.arange(5), method="compiled")
    with pytest.raises(ValueError, match="non-finite"):
        bk_diag(torch.tensor([0.0, float("inf")]), method="compiled")
    with pytest.raises(ValueError, match="N-1"):
        bk_diag(torch.zeros(5), off=torch.ones(3), method="compiled")
    assert bk_diag(torch.zeros(0, 5), method="compiled").shape == (0, 5)
