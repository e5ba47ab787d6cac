"""Algorithm 1 against the dense matrix."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from paperlib.bk import semiseparable as ssm


@given(st.integers(2, 300), st.integers(0, 10_000))
@settings(max_examples=40, deadline=None)
def test_matvec_equals_dense(N, seed):
    d, dl, du, U, V, x = ssm.random_factors(N, seed=seed)
    assert U.shape[1] == ssm.rank_for(N)
    y = ssm.semiseparable_matvec(d, dl, du, U, V, x)
    ref = ssm.dense_matrix(d, dl, du, U, V) @ x
    assert np.allclose(y, ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())


def test_batched_and_torch_paths():
    d, dl, du, U, V, _ = ssm.random_factors(97, seed=3)
    X = np.random.default_rng(1).standard_normal((97, 5))
    ref = ssm.dense_matrix(d, dl, du, U, V) @ X
    assert np.allclose(ssm.semiseparable_matvec(d, dl, du, U, V, X), ref)
    t = [torch.from_numpy(a) for a in (d, dl, du, U, V, X)]
    assert torch.allclose(ssm.semiseparable_matvec(*t), torch.from_numpy(ref))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_path():
    d, dl, du, U, V, x = ssm.random_factors(1000, seed=0)
    ref = ssm.dense_matrix(d, dl, du, U, V) @ x
    t = [torch.from_numpy(a).cuda() for a in (d, dl, du, U, V, x)]
    assert np.allclose(ssm.semiseparable_matvec(*t).cpu().numpy(), ref)


def test_rank_and_counts():
    assert [ssm.rank_for(n) for n in (2, 3, 4, 5, 1024, 1025)] == [1, 2, 2, 3, 10, 11]
    assert ssm.storage_bytes(8, 3) == 8 * (22 + 48)


def test_fit_scaling_models_recovers_models():
    N = np.array([1e3, 1e4, 1e5, 1e6])
    f = ssm.fit_scaling_models(N, 3e-9 * N * np.log2(N))
    assert f["r2_NlogN"] > 0.999999 and f["r2_N"] < f["r2_NlogN"]
    g = ssm.fit_scaling_models(N, 2e-9 * N)
    assert g["exponent"] == pytest.approx(1.0) and g["r2_N"] > 0.999999


def test_bad_inputs():
    d, dl, du, U, V, x = ssm.random_factors(10, seed=0)
    with pytest.raises(ValueError, match="U and V"):
        ssm.semiseparable_matvec(d, dl, du, U, V[:, :2], x)
    with pytest.raises(ValueError, match="x must be"):
        ssm.semiseparable_matvec(d, dl, du, U, V, x[:5])
    with pytest.raises(TypeError, match="mix"):
        ssm.semiseparable_matvec(d, dl, du, U, V, torch.from_numpy(x))
    with pytest.raises(ValueError, match="N must be"):
        ssm.rank_for(1)
