"""Baselines and benchmarks for the HurNet closed-form layer (SCN paper, Eq. 3: "efficient ... real-time
adjustment without epochs").

* :func:`fit_linear_gd` — the same linear map y = xW + b fitted to the same training loss by SGD or Adam
  (backpropagation), run until it reaches a target loss (e.g. 1% above the closed-form optimum) or a budget.
* :func:`lstsq_benchmark` — closed-form fit timed against torch.linalg.lstsq and numpy.linalg.lstsq on the
  same data, with the accuracy of each solution against a float64 gelsd reference.
* :func:`hashed_text_features` — deterministic signed feature hashing of text (a real-data fallback when the
  sentence encoder is not used).
"""
from __future__ import annotations

import hashlib
import math
import re
import time
import unicodedata

import numpy as np
import torch

from paperlib.common.checks import check_xy, relative_error
from paperlib.scn.hurnet import HurNetLayer

__all__ = ["fit_linear_gd", "lstsq_benchmark", "hashed_text_features", "mse_optimum"]


def mse_optimum(X, Y, bias: bool = True) -> float:
    """The closed-form optimum of the mean squared error (1/m) ||[X,1]W - Y||_F^2 (float64 gelsd)."""
    X, Y, _ = check_xy(X, Y, torch.float64)
    A = torch.cat([X, torch.ones(X.shape[0], 1, dtype=X.dtype)], 1) if bias else X
    W = torch.linalg.lstsq(A, Y, driver="gelsd").solution
    return float(((A @ W - Y) ** 2).sum() / X.shape[0])


def fit_linear_gd(X, Y, *, bias: bool = True, optimizer: str = "adam", lr: float = 1e-2,
                  target_loss: float | None = None, max_steps: int = 10_000, batch_size: int | None = None,
                  dtype=torch.float64, seed: int = 0, time_limit: float | None = None) -> dict:
    """Fit y = xW + b by gradient steps on the mean squared error (1/m)||XW + 1b - Y||_F^2.

    Starts from zeros; full batch unless batch_size is given (then one 'step' is one mini-batch and the full
    training loss is checked after every epoch). Stops when the full training loss <= target_loss, after
    max_steps, or after time_limit seconds. Returns dict(W, b, steps, epochs, seconds, loss, reached, history).
    """
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    if not (isinstance(lr, (int, float)) and lr > 0 and math.isfinite(lr)):
        raise ValueError(f"lr must be a positive finite number, got {lr!r}")
    if not isinstance(max_steps, int) or max_steps < 1:
        raise ValueError(f"max_steps must be a positive int, got {max_steps!r}")
    X, Y, _ = check_xy(X, Y, dtype)
    m, n = X.shape
    k = Y.shape[1]
    if batch_size is not None and not (isinstance(batch_size, int) and 1 <= batch_size <= m):
        raise ValueError(f"batch_size must be an int in [1, {m}] or None, got {batch_size!r}")
    g = torch.Generator().manual_seed(seed)
    W = torch.zeros(n, k, dtype=dtype, requires_grad=True)
    b = torch.zeros(k, dtype=dtype, requires_grad=bias)
    params = [W, b] if bias else [W]
    opt = torch.optim.Adam(params, lr=lr) if optimizer == "adam" else torch.optim.SGD(params, lr=lr)

    def full_loss() -> float:
        with torch.no_grad():
            out = X @ W + (b if bias else 0.0)
            return float(((out - Y) ** 2).sum() / m)

    history = []
    steps = epochs = 0
    reached = False
    t0 = time.perf_counter()
    while steps < max_steps:
        if batch_size is None:
            opt.zero_grad(set_to_none=True)
            out = X @ W + (b if bias else 0.0)
            loss = ((out - Y) ** 2).sum() / m
            lval = float(loss.detach())  # loss at the current (pre-step) weights
            history.append(lval)
            if target_loss is not None and lval <= target_loss:
                reached = True
                break
            loss.backward()
            opt.step()
            steps += 1
            epochs += 1
        else:
            perm = torch.randperm(m, generator=g)
            for i in range(0, m, batch_size):
                idx = perm[i:i + batch_size]
                opt.zero_grad(set_to_none=True)
                out = X[idx] @ W + (b if bias else 0.0)
                ((out - Y[idx]) ** 2).sum().div(len(idx)).backward()
                opt.step()
                steps += 1
                if steps >= max_steps:
                    break
            epochs += 1
            lval = full_loss()
            history.append(lval)
            if target_loss is not None and lval <= target_loss:
                reached = True
                break
        if time_limit is not None and time.perf_counter() - t0 > time_limit:
            break
    seconds = time.perf_counter() - t0
    final = full_loss()
    reached = reached or (target_loss is not None and final <= target_loss)
    return dict(W=W.detach(), b=b.detach() if bias else None, steps=steps, epochs=epochs, seconds=seconds,
                loss=final, reached=reached, history=np.array(history))


def lstsq_benchmark(X, Y, *, repeats: int = 5, warmup: int = 1, layer_solver: str = "cholesky",
                    timer=None, device=None) -> list[dict]:
    """Time the closed-form fit of the HurNet layer against torch.linalg.lstsq and numpy.linalg.lstsq on the
    same float64 data (no bias: the same problem for all three). Accuracy of each against the numpy (gelsd)
    solution: relative difference of W and relative excess of the residual norm.

    Timing: `warmup` + `repeats` paired rounds, each timing every method once in a rotated order (warm-up rounds
    discarded); medians and IQRs over rounds, and each method's per-round ratio to torch.linalg.lstsq.
    timer: callable(fn, warmup=, repeats=) -> object with .median and .iqr (paperlib.common.measure.time_callable).
    device: if a CUDA device is given, one more row times the layer there (data already on the device).
    """
    if timer is None:
        from paperlib.common.measure import time_callable as timer
    X, Y, _ = check_xy(X, Y, torch.float64)
    Xn, Yn = X.numpy(), Y.numpy()
    m, n = X.shape
    k = Y.shape[1]
    layer = HurNetLayer(n, k, bias=False, solver=layer_solver)
    sols = {}

    def f_layer():
        layer.fit(X, Y, keep_stats=False)
        sols["HurNetLayer(" + layer_solver + ")"] = layer.weight.numpy().copy()

    def f_torch():
        sols["torch.linalg.lstsq"] = torch.linalg.lstsq(X, Y).solution.numpy()

    def f_numpy():
        sols["numpy.linalg.lstsq"] = np.linalg.lstsq(Xn, Yn, rcond=None)[0]

    methods = [("HurNetLayer(" + layer_solver + ")", f_layer), ("torch.linalg.lstsq", f_torch),
               ("numpy.linalg.lstsq", f_numpy)]
    if device is not None and torch.device(device).type == "cuda":
        Xd, Yd = X.to(device), Y.to(device)
        layer_d = HurNetLayer(n, k, bias=False, solver=layer_solver).to(device)

        def f_layer_cuda():
            layer_d.fit(Xd, Yd, keep_stats=False)
            sols["HurNetLayer(" + layer_solver + ") on cuda"] = layer_d.weight.cpu().numpy()

        methods.append(("HurNetLayer(" + layer_solver + ") on cuda", f_layer_cuda))
    # paired rounds: every round times each method once, in a rotated order, so a burst of load on a shared machine
    # hits all methods alike; `warmup` rounds are discarded. Per method: median and IQR over rounds; per round:
    # the ratio to torch.linalg.lstsq timed in the same round (median and interquartile range of the ratios).
    per = {name: [] for name, _ in methods}
    for rnd in range(warmup + repeats):
        order = methods[rnd % len(methods):] + methods[:rnd % len(methods)]
        for name, fn in order:
            t = timer(fn, warmup=0, repeats=1).median
            if rnd >= warmup:
                per[name].append(t)
    ref_t = np.asarray(per["torch.linalg.lstsq"])
    rows = []
    for name, _ in methods:
        t = np.asarray(per[name])
        ratio = t / ref_t
        q1, q3 = np.percentile(t, [25, 75])
        r1, r3 = np.percentile(ratio, [25, 75])
        rows.append(dict(method=name, median_s=float(np.median(t)), iqr_s=float(q3 - q1),
                         ratio_vs_torch=float(np.median(ratio)), ratio_q25=float(r1), ratio_q75=float(r3), rounds=len(t)))
    ref = sols["numpy.linalg.lstsq"]
    res_ref = np.linalg.norm(Xn @ ref - Yn)
    for row in rows:
        W = sols[row["method"]]
        row["rel_diff_W_vs_numpy"] = relative_error(W, ref)
        row["rel_excess_residual"] = float((np.linalg.norm(Xn @ W - Yn) - res_ref) / res_ref) if res_ref > 0 else 0.0
    rows[0]["solver_used"] = layer.solver_used_
    rows[0]["cond_gram"] = layer.cond_
    return rows


_TOKEN = re.compile(r"\w+", re.UNICODE)


def hashed_text_features(texts, n_features: int = 256, ngrams: tuple[int, ...] = (1, 2)) -> np.ndarray:
    """Signed feature hashing of lower-cased, accent-stripped word n-grams (blake2b, so deterministic across
    runs and machines), each row L2-normalised. Tokens: maximal runs of Unicode word characters.
    """
    if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
        raise TypeError("texts must be a sequence of strings")
    if not isinstance(n_features, int) or n_features < 1:
        raise ValueError(f"n_features must be a positive int, got {n_features!r}")
    out = np.zeros((len(texts), n_features), dtype=np.float64)
    for i, t in enumerate(texts):
        t = "".join(c for c in unicodedata.normalize("NFD", t.lower()) if unicodedata.category(c) != "Mn")
        toks = _TOKEN.findall(t)
        for ng in ngrams:
            for j in range(len(toks) - ng + 1):
                h = hashlib.blake2b(" ".join(toks[j:j + ng]).encode("utf-8"), digest_size=8).digest()
                v = int.from_bytes(h, "little")
                out[i, v % n_features] += 1.0 if (v >> 63) & 1 else -1.0
        nrm = np.linalg.norm(out[i])
        if nrm > 0:
            out[i] /= nrm
    return out
