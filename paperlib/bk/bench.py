"""Memory, throughput and complexity-fit measurements for the ResNet-BK tables (Tables 5, 6, 7, 11; Section 4.4).

- `train_step_memory`: build a named configuration and run one stage ("params", "forward", "train" = forward +
  backward + AdamW step). On CUDA it reports allocator peaks per stage in-process; on CPU call it through
  `paperlib.common.measure.peak_rss_subprocess("paperlib.bk.bench:train_step_memory", ...)`, one fresh process per stage.
- `train_throughput`, `forward_time`: tokens/s of a training step and forward latency (median of repeats).
- `fit_complexity`: least-squares fits of t(N) = a f(N) + b for f in {N, N log N, N^2} plus a free power law,
  on relative residuals (timing noise is multiplicative), with R^2, AIC and BIC for model selection.
- `count_ops` / `op_counts`: the exact operation count of one forward pass (every aten op the model runs: 2mnk
  for matrix products and convolutions, 4 B H Lq Lk E for fused attention, output elements for everything else;
  views are free). Counts are the same on every device, so they decide complexity claims on CPU.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from paperlib.bk.configs import build_model, model_kwargs
from paperlib.common.runtime import on_cuda
from paperlib.common.stats import fit_power_law

__all__ = ["train_step_memory", "memory_table", "train_throughput", "forward_time", "fit_complexity", "decided_class",
           "param_megabytes", "count_ops", "op_counts"]

MB = 1024 ** 2
_PRECISIONS = ("fp32", "fp16", "amp")


def param_megabytes(model) -> float:
    return sum(p.numel() * p.element_size() for p in model.parameters()) / MB


def _build(name, seq_len, precision, checkpointing, device, overrides, seed):
    if precision not in _PRECISIONS:
        raise ValueError(f"precision must be one of {_PRECISIONS}, got {precision!r}")
    torch.manual_seed(seed)
    kind, kw = model_kwargs(name, **(overrides or {}))
    extra = {"checkpointing": checkpointing}
    if seq_len is not None and seq_len > kw.get("seq_len", 0):
        extra["seq_len"] = seq_len
    model = build_model(name, **{**(overrides or {}), **extra}).to(device)
    if precision == "fp16":
        model = model.half()
    return model


def _autocast(device, precision):
    dev = torch.device(device)
    if precision != "amp":
        return torch.autocast(dev.type, enabled=False)
    # mixed precision: fp16 on CUDA (as in the paper), bf16 on CPU (CPU autocast's supported low precision)
    return torch.autocast(dev.type, dtype=torch.float16 if dev.type == "cuda" else torch.bfloat16)


def _loss(model, idx):
    logits = model(idx)
    return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]).float(), idx[:, 1:].reshape(-1))


def train_step_memory(name: str, batch: int = 2, seq_len: int | None = None, precision: str = "fp32",
                      checkpointing: bool = False, stage: str = "train", device: str = "cpu",
                      overrides: dict | None = None, seed: int = 0) -> dict:
    """One stage of a training step. Returns param_mb (+ CUDA allocator peaks per stage when on CUDA)."""
    if stage not in ("params", "forward", "backward", "train"):
        raise ValueError(f"stage must be 'params', 'forward', 'backward' or 'train', got {stage!r}")
    model = _build(name, seq_len, precision, checkpointing, device, overrides, seed)
    T = seq_len or model_kwargs(name, **(overrides or {}))[1]["seq_len"]
    vocab = model.vocab_size
    g = torch.Generator().manual_seed(seed)
    idx = torch.randint(0, vocab, (batch, T), generator=g).to(device)
    out = {"param_mb": param_megabytes(model), "n_params": model.num_params(), "seq_len": T, "batch": batch,
           "precision": precision, "checkpointing": checkpointing, "stage": stage}
    cuda = on_cuda(device)
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        out["cuda_after_params_mb"] = torch.cuda.memory_allocated() / MB
    if stage == "params":
        return out
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4) if stage == "train" else None
    if stage == "backward":
        with _autocast(device, precision):
            loss = _loss(model, idx)
        loss.backward()
        if cuda:
            torch.cuda.synchronize()
            out["cuda_backward_peak_mb"] = torch.cuda.max_memory_allocated() / MB
        out["loss"] = float(loss.detach())
        return out
    scaler_needed = cuda and precision == "amp"
    scaler = torch.amp.GradScaler("cuda") if scaler_needed and hasattr(torch, "amp") else None
    with _autocast(device, precision):
        loss = _loss(model, idx)
    if cuda:
        torch.cuda.synchronize()
        out["cuda_forward_peak_mb"] = torch.cuda.max_memory_allocated() / MB
    if stage == "train":
        if scaler is not None:
            scaler.scale(loss).backward()
            if cuda:
                out["cuda_backward_peak_mb"] = torch.cuda.max_memory_allocated() / MB
            scaler.step(opt)
            scaler.update()
        else:
            loss.backward()
            if cuda:
                torch.cuda.synchronize()
                out["cuda_backward_peak_mb"] = torch.cuda.max_memory_allocated() / MB
            opt.step()
        if cuda:
            torch.cuda.synchronize()
            out["cuda_peak_mb"] = torch.cuda.max_memory_allocated() / MB
    out["loss"] = float(loss.detach())
    return out


def memory_table(specs: list[dict], device: str = "cpu", repeats: int = 1) -> pd.DataFrame:
    """Run each spec (label, name, stage, precision, checkpointing, seq_len, batch, overrides) in a fresh process,
    `repeats` times (column rep; the repeats of one spec alternate with the other specs, so slow drifts of the
    machine spread over all of them). CPU: mem_mb = peak RSS minus the RSS after imports (the process's own
    growth). CUDA: allocator peak of the stage."""
    from paperlib.common.measure import peak_rss_subprocess

    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be an int >= 1, got {repeats!r}")
    rows = []
    for rep, sp in ((rep, sp) for rep in range(repeats) for sp in specs):
        sp = dict(sp)
        label = sp.pop("label")
        kw = {"device": str(device), **sp}
        r = peak_rss_subprocess("paperlib.bk.bench:train_step_memory", kw)
        res = r.get("result") or {}
        row = {"label": label, "rep": rep, "config": sp["name"], "stage": sp.get("stage", "train"),
               "precision": sp.get("precision", "fp32"), "checkpointing": sp.get("checkpointing", False),
               "status": r.get("status"), "param_mb": res.get("param_mb"), "n_params": res.get("n_params")}
        if on_cuda(device):
            key = {"params": "cuda_after_params_mb", "forward": "cuda_forward_peak_mb",
                   "backward": "cuda_backward_peak_mb", "train": "cuda_peak_mb"}[row["stage"]]
            row["mem_mb"], row["memory_kind"] = res.get(key), "CUDA allocator peak"
        else:
            peak, base = r.get("peak_rss_mb"), r.get("baseline_rss_mb")
            row["mem_mb"] = None if peak is None else peak - base
            row["memory_kind"] = "CPU peak RSS growth"
        rows.append(row)
    return pd.DataFrame(rows)


def train_throughput(name: str, batch: int = 2, seq_len: int | None = None, steps: int = 3, warmup: int = 1,
                     device: str = "cpu", overrides: dict | None = None, seed: int = 0,
                     precision: str = "fp32", checkpointing: bool = False) -> dict:
    """Training tokens/s (forward + backward + AdamW) and forward latency, medians over `steps` timed repeats.
    `name` is a configuration name or a spec dict; checkpointing=True builds it with gradient checkpointing."""
    from paperlib.common.measure import time_callable

    model = _build(name, seq_len, precision, checkpointing, device, overrides, seed)
    T = seq_len or model_kwargs(name, **(overrides or {}))[1]["seq_len"]
    g = torch.Generator().manual_seed(seed)
    idx = torch.randint(0, model.vocab_size, (batch, T), generator=g).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    model.train()

    def step():
        opt.zero_grad(set_to_none=True)
        with _autocast(device, precision):
            loss = _loss(model, idx)
        loss.backward()
        opt.step()

    def fwd():
        with torch.no_grad(), _autocast(device, precision):
            model(idx)

    ts = time_callable(step, warmup=warmup, repeats=steps)
    tf = time_callable(fwd, warmup=warmup, repeats=steps)
    return {"seq_len": T, "batch": batch, "train_tokens_per_s": batch * T / ts.median, "step_s": ts.median,
            "step_iqr_s": ts.iqr, "forward_s": tf.median, "forward_iqr_s": tf.iqr, "n_params": model.num_params()}


def forward_time(name: str, seq_lens, batch: int = 2, repeats: int = 3, warmup: int = 1, device: str = "cpu",
                 overrides: dict | None = None, seed: int = 0) -> pd.DataFrame:
    """Forward (no grad) wall time per call for each sequence length; one row per timed repeat."""
    from paperlib.common.measure import time_callable

    T_max = max(seq_lens)
    model = _build(name, T_max, "fp32", False, device, overrides, seed).eval()
    rows = []
    for T in seq_lens:
        idx = torch.randint(0, model.vocab_size, (batch, T), generator=torch.Generator().manual_seed(seed)).to(device)

        def fwd():
            with torch.no_grad():
                model(idx)

        t = time_callable(fwd, warmup=warmup, repeats=repeats)
        rows += [{"model": name, "seq_len": T, "rep": i, "seconds": s} for i, s in enumerate(t.times[:repeats])]
    return pd.DataFrame(rows)


_BASIS = {"O(N)": lambda n: n, "O(N log N)": lambda n: n * np.log2(n), "O(N^2)": lambda n: n ** 2}


def fit_complexity(N, t) -> pd.DataFrame:
    """Fit t = a f(N) + b (a, b >= 0 not enforced) for each basis, and t = c N^p, minimising relative residuals
    sum((t_i - fit_i)/t_i)^2 (weighted least squares). AIC = n ln(RSS/n) + 2k, BIC = n ln(RSS/n) + k ln n with k
    fitted parameters; R^2 is the ordinary (unweighted) coefficient of determination. Lower AIC/BIC wins."""
    N = np.asarray(N, dtype=float)
    t = np.asarray(t, dtype=float)
    if N.shape != t.shape or N.ndim != 1:
        raise ValueError("N and t must be 1-D arrays of equal length")
    if len(N) < 4 or len(np.unique(N)) < 3:
        raise ValueError("need at least 4 measurements at >= 3 distinct N to compare complexity models")
    if (N <= 0).any() or (t <= 0).any():
        raise ValueError("N and t must be positive")
    n = len(N)
    w = 1.0 / t
    rows = []
    ss_tot = float(((t - t.mean()) ** 2).sum())
    for name, f in _BASIS.items():
        X = np.stack([f(N), np.ones_like(N)], 1)
        coef, *_ = np.linalg.lstsq(X * w[:, None], t * w, rcond=None)
        pred = X @ coef
        rss = float((((t - pred) * w) ** 2).sum())
        rows.append({"model": name, "a": coef[0], "b": coef[1], "exponent": np.nan, "k": 2, "rss_rel": rss,
                     "r2": 1 - float(((t - pred) ** 2).sum()) / ss_tot})
    # free power law, log t = log c + p log N (relative residuals ~ log residuals)
    pl = fit_power_law(N, t)
    p, c = pl["exponent"], pl["prefactor"]
    pred = c * N ** p
    rows.append({"model": "power law c N^p", "a": c, "b": 0.0, "exponent": p, "k": 2,
                 "rss_rel": float((((t - pred) * w) ** 2).sum()), "r2": 1 - float(((t - pred) ** 2).sum()) / ss_tot})
    df = pd.DataFrame(rows)
    df["aic"] = n * np.log(df["rss_rel"] / n) + 2 * df["k"]
    df["bic"] = n * np.log(df["rss_rel"] / n) + df["k"] * np.log(n)
    basis = df[df.model.isin(list(_BASIS))]
    df["delta_bic"] = df["bic"] - basis["bic"].min()
    return df


def fit_curve(fit: Mapping[str, Any], N) -> np.ndarray:
    """The time a row of :func:`fit_complexity`'s table predicts at lengths N (a f(N) + b for a class, c N^p for
    the power law): the curve a figure draws through the measured points. The row names its fit under "fit" (as
    `scaling_claims.complexity` stores it) or "model" (as `fit_complexity` returns it)."""
    N = np.asarray(N, dtype=float)
    name = fit["fit"] if "fit" in fit else fit["model"]
    if name in _BASIS:
        return fit["a"] * _BASIS[name](N) + fit["b"]
    return fit["a"] * N ** fit["exponent"]


BIC_MARGIN = 2.0  # a complexity class is decided when its BIC beats the runner-up by at least this much


def decided_class(fits: pd.DataFrame, margin: float = BIC_MARGIN) -> str:
    """The complexity class (O(N), O(N log N) or O(N^2)) whose BIC, in :func:`fit_complexity`'s table, beats the
    runner-up class by at least `margin`; "undetermined" otherwise. The power law is not a class."""
    b = fits[fits["model"].isin(list(_BASIS))].sort_values("bic")
    return b.iloc[0]["model"] if b.iloc[1]["bic"] - b.iloc[0]["bic"] >= margin else "undetermined"


# ------------------------------------------------------------------------------------------ operation counts
def count_ops(fn) -> dict:
    """Run fn() and count every aten op it dispatches (`paperlib.common.opcount.OpCounter`, cost "macs"): {'total',
    'matmul', 'conv', 'attention', 'elementwise', 'n_calls'}. Work done outside torch (a numba or Triton kernel)
    is invisible: count models whose ops all go through torch (e.g. BK-Core method 'scan')."""
    from paperlib.common.opcount import OpCounter

    fast = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)  # the fused encoder-layer kernel would hide the attention matmuls
    try:
        with OpCounter(cost="macs") as counter:
            fn()
    finally:
        torch.backends.mha.set_fastpath_enabled(fast)
    return counter.as_dict()


def op_counts(name, seq_lens, batch: int = 1, overrides: dict | None = None, seed: int = 0,
              backward: bool = False) -> pd.DataFrame:
    """Exact operation count of one forward pass (eval mode, no grad) of configuration `name` at each sequence
    length; one row per length. Tokens are a fixed seeded draw per length. The model is built once at the
    largest length. A BK model counts with BK-Core method 'scan' (torch ops) unless overrides say otherwise.
    backward=True counts the backward pass instead: `loss.backward()` of the next-token cross-entropy after an
    uncounted forward with grad (eval mode), i.e. the gradient computation alone."""
    seq_lens = [int(n) for n in seq_lens]
    if not seq_lens or min(seq_lens) < 1:
        raise ValueError(f"seq_lens must be positive lengths, got {seq_lens}")
    kind, _ = model_kwargs(name, **(overrides or {}))
    extra = {"bk_method": "scan"} if kind == "bk" and "bk_method" not in (overrides or {}) else {}
    model = _build(name, max(seq_lens), "fp32", False, "cpu", {**(overrides or {}), **extra}, seed).eval()
    rows = []
    for T in seq_lens:
        idx = torch.randint(0, model.vocab_size, (batch, T), generator=torch.Generator().manual_seed(seed))

        def fwd():
            with torch.no_grad():
                model(idx)

        if backward:
            model.zero_grad(set_to_none=True)
            loss = _loss(model, idx)
            fwd = loss.backward   # noqa: F811  (count the backward pass only)
        rows.append({"model": name if isinstance(name, str) else kind, "seq_len": T, **count_ops(fwd)})
    return pd.DataFrame(rows)
