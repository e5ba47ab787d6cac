"""A training step per BK-Core method (notebook 13): the model-level view of the op's speed, through
paperlib.bk.bench.train_throughput."""
from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from paperlib.bk.bench import train_throughput
from paperlib.bk.core import resolve_method

__all__ = ["train_step_comparison"]


def train_step_comparison(name="table5_baseline", methods=("scan", "auto"), batch=2, seq_len=512, steps=3,
                          warmup=1, rounds=1, threads=1, overrides=None, device="cpu", seed=0):
    """Training tokens/s (forward + cross-entropy + backward + AdamW, paperlib.bk.bench.train_throughput) of one
    BK model per BK-Core method (BKConfig.bk_method); 'auto' rows name what it resolved to. With rounds > 1 the
    methods alternate (drift on a shared machine hits all) and each row is the median over rounds.
    Columns: bk_method, resolved, train_tokens_per_s, step_s, step_iqr_s, forward_s, rounds, speedup (vs row 0)."""
    if rounds < 1:
        raise ValueError("rounds must be >= 1")
    old_threads = torch.get_num_threads()
    if torch.device(device).type == "cpu":
        torch.set_num_threads(threads)
    runs = {m: [] for m in methods}
    try:
        for _ in range(rounds):
            for m in methods:
                runs[m].append(train_throughput(name, batch=batch, seq_len=seq_len, steps=steps, warmup=warmup,
                                                device=device, seed=seed,
                                                overrides={**(overrides or {}), "seq_len": seq_len, "bk_method": m}))
    finally:
        torch.set_num_threads(old_threads)
    rows = []
    for m, rs in runs.items():
        med = {k: float(np.median([r[k] for r in rs])) for k in ("train_tokens_per_s", "step_s", "step_iqr_s",
                                                                  "forward_s")}
        resolved = resolve_method(device, torch.float32) if m == "auto" else m
        rows.append(dict(bk_method=m, resolved=resolved, seq_len=rs[0]["seq_len"], batch=batch, **med,
                         n_params=rs[0]["n_params"], rounds=rounds))
    df = pd.DataFrame(rows)
    df["speedup"] = df.train_tokens_per_s / df.train_tokens_per_s.iloc[0]
    return df
