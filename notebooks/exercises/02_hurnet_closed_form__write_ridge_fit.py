"""Write it yourself: the ridge-regularised closed form

Task: write the closed-form fit with a ridge penalty (Eq. 9-10 with lambda > 0) in a few lines of numpy, for a
layer with a bias, and check it against `HurNetLayer(n, k, bias=True, ridge=lam).fit(X, Y).W_augmented`.

A solution. Append a column of ones, A = [X 1]. The penalty shrinks the weights but not the bias, so the
normal equations become (A^T A + lam D) W = A^T Y with D = diag(1, ..., 1, 0). A is full column rank or not,
A^T A + lam D is positive definite for lam > 0 as soon as the bias column is not in the null space (it never is),
so the solve is unique: no epochs, no learning rate, one linear system. As lam -> 0 the solution tends to the
minimum-norm least-squares weights of Eq. 10; as lam grows, W shrinks toward 0 while the bias tends to the
column means of Y.

`check()` compares this with the layer for three ridge values and checks both limits.
"""
import numpy as np

from paperlib.scn import HurNetLayer


def ridge_fit(X, Y, lam):
    A = np.c_[X, np.ones(len(X))]
    D = np.eye(A.shape[1])
    D[-1, -1] = 0.0                      # the bias is not penalised
    return np.linalg.solve(A.T @ A + lam * D, A.T @ Y)


def check() -> dict:
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(60, 5)), rng.normal(size=(60, 2))
    out = {}
    for lam in (1e-3, 1.0, 10.0):
        layer = HurNetLayer(5, 2, bias=True, ridge=lam).fit(X, Y)
        err = float(np.abs(ridge_fit(X, Y, lam) - layer.W_augmented.numpy()).max())
        assert err < 1e-9, (lam, err)
        out[f"max_abs_diff_lam_{lam:g}"] = err
    lstsq = np.linalg.lstsq(np.c_[X, np.ones(60)], Y, rcond=None)[0]
    assert np.allclose(ridge_fit(X, Y, 1e-10), lstsq, atol=1e-8)          # lam -> 0: Eq. 10
    big = ridge_fit(X, Y, 1e9)
    assert np.abs(big[:-1]).max() < 1e-6 and np.allclose(big[-1], Y.mean(0), atol=1e-6)  # lam -> inf
    return out
