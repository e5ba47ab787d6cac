"""Write it yourself: least squares as one linear-attention layer

Task: write the OLS prediction for a query x_q from context pairs (x_i, y_i) as a linear-attention read-out,
y_hat(x_q) = (1/n) sum_i (x_q^T W x_i) y_i, choose W so that it equals least squares, and check it against
`numpy.linalg.lstsq` and against the companion's `LinearAttentionOLS` from `build_ols_attention`.

A solution. Least squares predicts x_q^T beta with beta = (X^T X)^{-1} X^T y. Written as a sum over the
context, x_q^T (X^T X)^{-1} X^T y = sum_i x_q^T (X^T X)^{-1} x_i y_i: an attention score x_q^T W x_i with
W = (X^T X / n)^{-1}, no softmax, times the value y_i, averaged over the n context tokens. So one linear-attention
layer whose query-key product is the inverse empirical covariance computes OLS exactly; the layer's weights
depend on the data only through that covariance.

`check()` compares the three predictions on a random problem.
"""
import numpy as np
import torch

from paperlib.related.ols_attention import build_ols_attention, ols_lstsq_predict


def ols_attention_predict(X, y, Xq):
    n = len(X)
    W = np.linalg.inv(X.T @ X / n)
    scores = Xq @ W @ X.T                   # (queries, n): x_q^T W x_i
    return scores @ y / n


def check() -> dict:
    rng = np.random.default_rng(0)
    X, y, Xq = rng.normal(size=(40, 4)), rng.normal(size=40), rng.normal(size=(6, 4))
    mine = ols_attention_predict(X, y, Xq)
    ref = np.asarray(ols_lstsq_predict(X, y, Xq)).reshape(-1)
    layer = build_ols_attention(X, k=1)
    lib = layer.predict(torch.tensor(X), torch.tensor(y), torch.tensor(Xq)).numpy().reshape(-1)
    e_ref, e_lib = float(np.abs(mine - ref).max()), float(np.abs(mine - lib).max())
    assert e_ref < 1e-10 and e_lib < 1e-10, (e_ref, e_lib)
    return {"max_abs_diff_lstsq": e_ref, "max_abs_diff_layer": e_lib}
