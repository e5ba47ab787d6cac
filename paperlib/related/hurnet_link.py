"""Notebook 30's comparisons on a given regression (X, Y, queries Xq): the OLS linear-attention layer (the paper)
against numpy.linalg.lstsq at a matched cut-off, and against HurNet (the SCN paper, Eq. 3): one solution, two memories. HurNet stores W = X^+ Y in its weights; the attention layer stores only Sigma^+ and reads Y
from its context, yet applies the same map to a query. This module imports both papers' code on purpose.
"""
from __future__ import annotations

import numpy as np
import torch

from paperlib.related import ols_attention as lo
from paperlib.scn.hurnet import HurNetLayer

__all__ = ["compare_with_hurnet", "compare_with_lstsq"]


def compare_with_hurnet(X, Y, Xq, eps: float) -> dict:
    """Fit HurNetLayer (no bias, the attention layer's singular-value cut-off) and the eigh-built attention
    layer on (X, Y); compare their weights and their predictions at Xq.

    `ok` applies the notebook's bound: relative prediction difference <= d * kappa_r^2 * eps, with kappa_r
    the condition number of the kept spectrum."""
    params = lo.build_ols_attention(X, Y.shape[1], method="eigh")
    layer = HurNetLayer(X.shape[1], Y.shape[1], bias=False, dtype=torch.float64,
                        rcond=params.sv_rcond).fit(X, Y)
    W_hurnet = layer.weight.cpu().numpy()
    pred_hurnet = layer(torch.as_tensor(Xq)).detach().cpu().numpy()
    W_attn = params.implied_weight(X, Y).cpu().numpy()
    pred_attn = params.predict(X, Y, Xq).cpu().numpy()
    err_pred = lo.relative_error(pred_attn, pred_hurnet)
    return dict(params=params, err_weight=lo.relative_error(W_attn, W_hurnet), err_pred=err_pred,
                ok=bool(err_pred <= X.shape[1] * params.kept_cond ** 2 * eps),
                n_params_hurnet=int(W_hurnet.size),
                n_params_attention=int(params.W_K.numel() + params.W_Q.numel() + params.W_V.numel()))


def compare_with_lstsq(X, Y, Xq, eps: float) -> list[dict]:
    """One row per construction (eigh | svd): its numerical rank, the condition number kappa_r of the kept
    spectrum, and its predictions' relative error against lstsq at the same singular-value cut-off
    (`rel_err_matched`) and at lstsq's default (`rel_err_default`), beside the bound d * kappa_r^2 * eps."""
    rows = []
    for method in lo.METHODS:
        p = lo.build_ols_attention(X, Y.shape[1], method=method)
        pred = p.predict(X, Y, Xq)
        rows.append({"method": method, "rank": p.rank, "d": X.shape[1],
                     "numpy_rank_default": int(np.linalg.matrix_rank(X)), "kept_cond": p.kept_cond,
                     "rel_err_matched": lo.relative_error(pred, lo.ols_lstsq_predict(X, Y, Xq, rcond=p.sv_rcond)),
                     "rel_err_default": lo.relative_error(pred, lo.ols_lstsq_predict(X, Y, Xq)),
                     "bound": X.shape[1] * p.kept_cond ** 2 * eps})
    return rows
