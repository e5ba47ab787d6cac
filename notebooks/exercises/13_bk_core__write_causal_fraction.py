"""Write it yourself: the causal diagonal as a continued fraction

Task: write G_ii of the causal (prefix) resolvent in a plain Python loop and check it against
`paperlib.bk.core.bk_diag(v, z, causal=True, method="sequential")` and against dense inverses of each prefix.

A solution. H is tridiagonal with diagonal h0 + v_i and off-diagonal b (h0 = -2, b = 1 in the model), so
H - zI has diagonal d_i = h0 + v_i - z. For the prefix matrix of rows 0..i, eliminating rows 0..i-1 in order
(a Schur complement at each step) leaves one number at row i:

    alpha_0 = d_0,    alpha_i = d_i - b^2 / alpha_{i-1},    G_ii(causal) = 1 / alpha_i .

That is the continued fraction d_i - b^2/(d_{i-1} - b^2/(d_{i-2} - ...)): O(N) work, one pass, and only ratios,
so it never overflows the way the theta products of the paper's formula do. For Im z != 0 no alpha_i can
vanish (each has an imaginary part of the sign of -Im z).

`check()` compares the loop with the library and with numpy's dense inverse of every prefix (N = 64).
"""
import numpy as np
import torch

from paperlib.bk.core import bk_diag


def causal_diag(v, z=1j, h0=-2.0, b=1.0):
    out, alpha = [], None
    for i, vi in enumerate(v):
        d = h0 + vi - z
        alpha = d if i == 0 else d - b * b / alpha
        out.append(1 / alpha)
    return np.array(out)


def check() -> dict:
    rng = np.random.default_rng(0)
    v = rng.uniform(-3, 3, 64)
    mine = causal_diag(v)
    lib = bk_diag(torch.tensor(v)[None], 1j, causal=True, method="sequential")[0].numpy()
    dense = []
    for i in range(len(v)):
        H = np.diag(-2.0 + v[:i + 1]) + np.eye(i + 1, k=1) + np.eye(i + 1, k=-1)
        dense.append(np.linalg.inv(H - 1j * np.eye(i + 1))[i, i])
    err_lib, err_dense = float(np.abs(mine - lib).max()), float(np.abs(mine - np.array(dense)).max())
    assert err_lib < 1e-12 and err_dense < 1e-12, (err_lib, err_dense)
    return {"max_abs_diff_library": err_lib, "max_abs_diff_dense": err_dense}
