"""paperlib.related.hkt_kernel: the hierarchical score matrix against direct constructions."""
import numpy as np

from paperlib.related import hkt_kernel as kk


def test_downsample_and_upsample():
    X = np.arange(10.0).reshape(5, 2)
    assert np.allclose(kk.downsample(X, 1), [[1, 2], [5, 6], [8, 9]])
    U = kk.upsample(1, 5)
    assert U.shape == (5, 3) and (U.sum(axis=1) == 1).all() and U[4, 2] == 1


def test_level_zero_alone_is_the_bilinear_score():
    rng = np.random.default_rng(0)
    X, A = rng.standard_normal((9, 4)), rng.standard_normal((4, 4))
    S = kk.hierarchical_scores(X, [A, A], [1.0, 0.0])
    assert np.allclose(S, X @ A @ X.T)


def test_coarse_level_broadcasts_block_scores():
    rng = np.random.default_rng(1)
    X, A = rng.standard_normal((4, 3)), rng.standard_normal((3, 3))
    S = kk.hierarchical_scores(X, [A, A], [0.0, 1.0])
    m = np.stack([X[:2].mean(0), X[2:].mean(0)])
    assert np.isclose(S[0, 3], m[0] @ A @ m[1]) and np.isclose(S[1, 0], S[0, 1])


def test_psd_under_the_condition_and_not_without():
    assert min(kk.psd_trials(0, 10, T=40, d=5, L=3, condition=True)) > -1e-12
    assert min(kk.psd_trials(0, 10, T=40, d=5, L=3, condition=False)) < -1e-3
