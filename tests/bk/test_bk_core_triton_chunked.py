"""Tests of the chunked BK-Core path (paperlib.bk.core_triton_chunked, its torch twin core_chunked_ref): the Triton
kernels run by the Triton interpreter (TRITON_INTERPRET=1) on CPU tensors, against the sequential and dense
references, with chunk remainders, N = 1 and 2, both directions, float32/float64, gradcheck in float64; the torch
three-phase path at N in the thousands (float32: the unnormalised chunk products would underflow); the choice
between the per-row and the chunked kernel on both sides of its threshold. The interpreter runs a tile scan one
element at a time (about 3 ms per element and phase), so the long interpreter tests are marked slow.
Without triton the module is skipped, except under CI (env CI set), where that is a failure."""
from __future__ import annotations

import functools
import os
import types

import pytest
import torch

from paperlib.bk import core, core_chunked_ref
from paperlib.bk import core_triton_chunked as ck
from bk_cases import case

if not ck.available() and not os.environ.get("CI"):
    pytest.skip(f"triton unavailable: {ck._IMPORT_ERROR}", allow_module_level=True)


@pytest.fixture(autouse=True)
def interpreter(monkeypatch):
    """Kernels are built per TRITON_INTERPRET setting, so setting it per test is enough (as in test_bk_core_triton)."""
    monkeypatch.setenv("TRITON_INTERPRET", "1")


def test_triton_available():
    """Under CI this must hold: a missing triton fails here instead of skipping the module."""
    assert ck.available(), ck._IMPORT_ERROR


def rel(a, b):
    a, b = a.detach().to(torch.complex128), b.detach().to(torch.complex128)
    return float((a - b).abs().max() / b.abs().max())


def backend(module, chunk):
    """A paperlib.bk.core._Recurrence backend running `module` with a fixed chunk length."""
    return types.SimpleNamespace(recurrence_forward=functools.partial(module.recurrence_forward, chunk=chunk),
                                 recurrence_backward=functools.partial(module.recurrence_backward, chunk=chunk))


def bk(v, z, off, causal, be):
    """bk_diag through core._Recurrence with the backend `be` (what method='triton' does with core_triton)."""
    d, b2, _ = core._prepare(v, z, off, -2.0, complex_b2=False)
    gl = core._Recurrence.apply(d, b2, False, be)
    return gl if causal else core._two_sided_from_causal(d, b2, gl, core._Recurrence.apply(d, b2, True, be))


def values_and_grads(run, v, off, causal, w, z=0.3 + 0.7j):
    a, b = v.clone().requires_grad_(), off.clone().requires_grad_()
    out = run(a, z, b, causal)
    gv, go = torch.autograd.grad((torch.view_as_real(out) * w).sum(), (a, b), allow_unused=True)
    return out.detach(), gv, torch.zeros_like(b) if go is None else go


def sequential(v, z, off, causal):
    return core.bk_diag(v, z, off, causal=causal, method="sequential")


def scan(v, z, off, causal):
    return core.bk_diag(v, z, off, causal=causal, method="scan")


def compare(n, causal, chunk, module=ck, rows=2, dtype=torch.float64, tol=1e-12, seed=None, reference=sequential):
    v, off = case((rows, n), seed=n if seed is None else seed)
    w = torch.randn(rows, n, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    be = backend(module, chunk)
    got = values_and_grads(lambda *a: bk(*a, be), v.to(dtype), off.to(dtype), causal, w.to(dtype))
    ref = values_and_grads(reference, v, off, causal, w)
    for x, y in zip(got, ref):
        if y.numel():
            assert rel(x, y) < tol


# ------------------------------------------------------------------------------------ the Triton kernels
@pytest.mark.parametrize("n, chunk", [(1, 2), (2, 2), (3, 4), (9, 4), pytest.param(17, 4, marks=pytest.mark.slow)])
@pytest.mark.parametrize("causal", [True, False])  # remainders: 3 < 4, 9 = 2*4+1
def test_kernel_values_and_gradients_vs_sequential(n, chunk, causal):
    compare(n, causal, chunk)


@pytest.mark.parametrize("causal", [True, False])
def test_kernel_float32(causal):
    compare(19, causal, 4, rows=1, dtype=torch.float32, tol=2e-5)


@pytest.mark.parametrize("causal", [True, False])
def test_kernel_dense_oracle_many_rows(causal):
    """5 rows of 6 in chunks of 4; z per row, scalar off broadcast."""
    v, _ = case((5, 6), seed=4)
    z = torch.linspace(-1, 1, 5).to(torch.complex128) + 0.5j
    got = bk(v, z, 0.9, causal, backend(ck, 4))
    ref = core.bk_diag(v, z, 0.9, causal=causal, method="dense")
    assert rel(got, ref) < 1e-12


@pytest.mark.parametrize("causal", [True, False])
def test_kernel_gradcheck_float64(causal):
    """v and off (z enters through d = h0 + v - z like v, and a complex input doubles gradcheck's passes)."""
    v, off = case((1, 3), seed=5)
    be = backend(ck, 2)
    assert torch.autograd.gradcheck(lambda a, b: torch.view_as_real(bk(a, 0.2 + 0.9j, b, causal, be)),
                                    (v.requires_grad_(), off.requires_grad_()), fast_mode=True)


@pytest.mark.slow
@pytest.mark.parametrize("dtype, tol", [(torch.float64, 1e-12), (torch.float32, 1e-4)])
def test_kernel_long_rows(dtype, tol):
    """One row of N = 1500 in chunks of 64 (remainder 28), both directions (two-sided), values and gradients."""
    compare(1500, False, 64, rows=1, dtype=dtype, tol=tol, seed=7, reference=scan)


def test_kernel_chunk_must_be_a_power_of_two():
    d = torch.zeros(1, 5, 2)
    with pytest.raises(ValueError, match="power of two"):
        ck.recurrence_forward(d, torch.ones(1, 4), False, chunk=3)


def test_cpu_without_interpreter_runs_the_torch_path(monkeypatch):
    monkeypatch.setenv("TRITON_INTERPRET", "0")
    compare(11, False, 4)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_kernels(monkeypatch):
    monkeypatch.setenv("TRITON_INTERPRET", "0")
    v, off = case((2, 5000), seed=6)
    for causal in (True, False):
        ref = sequential(v, 1j, off, causal)
        for chunk in (None, 64, 1024):
            got = bk(v.cuda(), 1j, off.cuda(), causal, backend(ck, chunk)).cpu()
            assert rel(got, ref) < 1e-12


# ---------------------------------------------------------------------------- the torch three-phase path
@pytest.mark.parametrize("n, chunk", [(1, 1), (2, 1), (2, 3), (10, 3), (100, 7), (100, 128)])
@pytest.mark.parametrize("causal", [True, False])
def test_reference_vs_sequential(n, chunk, causal):
    compare(n, causal, chunk, module=core_chunked_ref, rows=3)


@pytest.mark.parametrize("causal", [True, False])
def test_reference_long_float32(causal):
    """N = 4096, chunks of 256 in float32: the plain products of |alpha| over a chunk underflow to 0 (so does
    |det| of the transfer products), which the normalised forms survive; float32 within 1e-4 of float64."""
    n = 4096
    v, off = case((2, n), seed=8)
    d, b2, _ = core._prepare(v.float(), 0.3 + 0.7j, off.float(), -2.0, complex_b2=False)
    g = core.bk_diag(v.float(), 0.3 + 0.7j, off.float(), causal=True, method="scan")
    alpha = (g[:, 1:].abs() ** 2 * b2)[:, :256]
    assert float(alpha.prod(-1).max()) == 0.0  # the unnormalised chunk map would have underflowed
    compare(n, causal, 256, module=core_chunked_ref, dtype=torch.float32, tol=1e-4, seed=8, reference=scan)


def test_reference_default_chunk():
    assert core_chunked_ref.default_chunk(1) == 2
    assert core_chunked_ref.default_chunk(4096) == 64
    compare(300, True, None, module=core_chunked_ref)


# ---------------------------------------------------------------------------------------- the choice
def test_choose_kernel_threshold():
    sms = 132
    full = ck.ROWS_PER_SM_FOR_PER_ROW * sms
    assert ck.choose_kernel(full, 4096, sms) == "rows"
    assert ck.choose_kernel(full - 1, 4096, sms) == "chunked"
    assert ck.choose_kernel(8, 4096, sms) == "chunked"  # the model: one row per sequence
    assert ck.choose_kernel(full, ck.LONG_N - 1, sms) == "rows"
    assert ck.choose_kernel(full, ck.LONG_N, sms) == "chunked"
    assert ck.choose_kernel(2 * full, 100, 2 * sms) == "rows"
    with pytest.raises(ValueError):
        ck.choose_kernel(8, 100, 0)


def test_default_chunk():
    assert ck.default_chunk(1) == 16
    assert ck.default_chunk(100) == 128
    assert ck.default_chunk(1 << 20) == ck.MAX_CHUNK


def test_bk_diag_runs_the_chunked_kernel_by_name_and_auto_never_chooses_triton_on_cpu():
    """method="triton-chunked" reaches the chunked path through bk_diag (its torch version on CPU without the
    interpreter); "auto" on CPU records no Triton choice."""
    from paperlib.bk import core

    g = torch.Generator().manual_seed(1)
    v = torch.randn(2, 40, generator=g, dtype=torch.float64)
    for causal in (True, False):
        ref = core.bk_diag(v, 0.3 + 0.8j, causal=causal, method="sequential")
        got = core.bk_diag(v, 0.3 + 0.8j, causal=causal, method="triton-chunked")
        assert torch.allclose(got, ref, rtol=1e-10, atol=1e-12)
    before = core.triton_choice_report()
    core.bk_diag(v.float(), 1j, method="auto")
    assert core.triton_choice_report() == before
