"""Tests of the Triton BK-Core kernel (method="triton", paperlib.bk.core_triton) run by the Triton interpreter
(TRITON_INTERPRET=1) on CPU tensors: forward values and gradients against the sequential, scan and dense
references for N in {1, 2, 3, 17, 100, 257}, batches, both variants, float32/float64, gradcheck in float64.
Without triton the module is skipped, except under CI (env CI set), where that is a failure."""
from __future__ import annotations

import os

import pytest
import torch

from paperlib.bk import core_triton as bk_core_triton
from paperlib.bk.core import bk_diag, resolve_method, triton_self_check, triton_self_check_report
from bk_cases import case

if not bk_core_triton.available() and not os.environ.get("CI"):
    pytest.skip(f"triton unavailable: {bk_core_triton._IMPORT_ERROR}", allow_module_level=True)


@pytest.fixture(autouse=True)
def interpreter(monkeypatch):
    """Kernels are built per TRITON_INTERPRET setting (Triton reads it when a kernel is decorated), so
    setting it here, per test, is enough; it does not leak into other test modules."""
    monkeypatch.setenv("TRITON_INTERPRET", "1")


def test_triton_available():
    """Under CI this must hold: a missing triton fails here instead of skipping the module."""
    assert bk_core_triton.available(), bk_core_triton._IMPORT_ERROR


def rel(a, b):
    a, b = a.detach().to(torch.complex128), b.detach().to(torch.complex128)
    return float((a - b).abs().max() / b.abs().max())


def values_and_grads(method, v, off, causal, w, z=0.3 + 0.7j):
    a, b = v.clone().requires_grad_(), off.clone().requires_grad_()
    out = bk_diag(a, z, b, causal=causal, method=method)
    gv, go = torch.autograd.grad((torch.view_as_real(out) * w).sum(), (a, b), allow_unused=True)  # off empty at N=1
    return out.detach(), gv, torch.zeros_like(b) if go is None else go


@pytest.mark.parametrize("n", [1, 2, 3, 17, pytest.param(100, marks=pytest.mark.slow),
                               pytest.param(257, marks=pytest.mark.slow)])  # the interpreter is slow at long N
@pytest.mark.parametrize("causal", [True, False])
def test_values_and_gradients_vs_sequential(n, causal):
    v, off = case((3, n), seed=n)
    w = torch.randn(3, n, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    got = values_and_grads("triton", v, off, causal, w)
    ref = values_and_grads("sequential", v, off, causal, w)
    for x, y in zip(got, ref):
        if y.numel():
            assert rel(x, y) < 1e-12


@pytest.mark.parametrize("n", [3, pytest.param(100, marks=pytest.mark.slow)])
@pytest.mark.parametrize("causal", [True, False])
def test_float32_vs_float64_scan(n, causal):
    v, off = case((2, 2, n), seed=2)
    ref = bk_diag(v, 1j, off, causal=causal, method="scan")
    got = bk_diag(v.float(), 1j, off.float(), causal=causal, method="triton")
    assert got.dtype == torch.complex64 and got.shape == v.shape
    assert rel(got, ref) < 1e-5
    w = torch.randn(2, 2, n, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    g32 = values_and_grads("triton", v.float(), off.float(), causal, w.float())
    g64 = values_and_grads("scan", v, off, causal, w)
    for x, y in zip(g32[1:], g64[1:]):
        assert rel(x, y) < 1e-4


@pytest.mark.parametrize("causal", [True, False])
def test_dense_oracle_and_many_rows(causal):
    """40 rows = two programs of 32 rows, the second partly masked; scalar off and z broadcast per row."""
    v, _ = case((40, 12), seed=4)
    z = torch.linspace(-1, 1, 40).to(torch.complex128) + 0.5j
    got = bk_diag(v, z, 0.9, causal=causal, method="triton")
    ref = bk_diag(v, z, 0.9, causal=causal, method="dense")
    assert rel(got, ref) < 1e-12


@pytest.mark.parametrize("causal", [True, False])
def test_gradcheck_float64(causal):
    v, off = case((2, 5), seed=5)
    v.requires_grad_()
    off.requires_grad_()
    z = torch.tensor(0.2 + 0.9j, dtype=torch.complex128, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b, c: bk_diag(a, c, b, causal=causal, method="triton"),
                                    (v, off, z), fast_mode=True)


def test_auto_never_picks_triton_without_cuda():
    assert resolve_method("cpu", torch.float32) != "triton"  # even with the interpreter on
    assert not triton_self_check("cpu")
    if not torch.cuda.is_available():
        assert triton_self_check_report() == {}  # without CUDA no self-check ran, so none is cached


def test_cpu_without_interpreter_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("TRITON_INTERPRET", "0")
    with pytest.raises(ValueError, match="triton.*CUDA tensor.*TRITON_INTERPRET"):
        bk_diag(torch.zeros(2, 5), method="triton")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_kernel_and_self_check(monkeypatch):
    monkeypatch.setenv("TRITON_INTERPRET", "0")
    assert triton_self_check("cuda", torch.float32), triton_self_check_report()
    assert resolve_method("cuda", torch.float32) == "triton"
    v, off = case((8, 1000), seed=6)
    for causal in (True, False):
        ref = bk_diag(v, 1j, off, causal=causal, method="sequential")
        got = bk_diag(v.cuda(), 1j, off.cuda(), causal=causal, method="triton").cpu()
        assert rel(got, ref) < 1e-12
