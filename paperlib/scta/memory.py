"""SCTA's analytic training-memory model (fp32 parameters, gradients, two Adam moments per table, logits buffers,
activations), labelled as an estimate where it is used, and the CUDA memory cap that emulates the paper's consumer
GPU (Table 1's RTX 4070 Laptop, 8 GB)."""
from __future__ import annotations

import pandas as pd

from paperlib.scta.methods import method_label

__all__ = ["GIB", "analytic_memory", "analytic_memory_table", "memory_cap_fraction"]

GIB = 1024 ** 3


def analytic_memory(method: str, V: int, batch: int = 16, seq_len: int = 64, emb_dim: int = 256,
                    hidden: int = 256, d_sem: int = 64, K: int = 32, chunk: int = 1024, sparse: bool = False,
                    bytes_per: int = 4, logits_copies: float = 3.0) -> dict:
    """Training-state memory model in bytes (fp32 AdamW / SparseAdam; both keep two dense moments per table).

    params + grads (dense tables: full size; sparse tables: touched rows only) + 2 optimizer moments + the
    (rows x V) logits buffers of the CE head (`logits_copies` live copies: logits/log-softmax/grad; N rows for
    full CE, `chunk` rows for chunked CE) + GRU activations. An estimate, labelled as such where it is used.
    """
    N = batch * seq_len
    gru = 3 * hidden * (emb_dim + hidden) + 6 * hidden
    tables = {"emb": V * emb_dim}
    small = gru
    if method in ("ce", "chunked"):
        tables["W_tok"] = V * (hidden + 1)
    elif method == "scta":
        tables["E_sem"] = V * d_sem
        small += d_sem * hidden
    elif method == "sampled":
        tables["W_out"] = V * (hidden + 1)
    params = sum(tables.values()) + small
    sparse_tables = {"emb", "E_sem", "W_out"} if sparse else set()
    touched = {"emb": N * emb_dim, "E_sem": N * (K + 1) * d_sem, "W_out": (N + K) * (hidden + 1)}
    grads = small + sum(min(v, touched[k]) if k in sparse_tables else v for k, v in tables.items())
    optim = 2 * params
    rows = {"ce": N, "chunked": min(chunk, N)}.get(method, 0)
    logits = logits_copies * rows * V
    acts = N * (emb_dim + 4 * hidden) + (N * (K + 2) * d_sem if method == "scta" else 0)
    total = bytes_per * (params + grads + optim + logits + acts)
    return {"params_gib": bytes_per * params / GIB, "grads_gib": bytes_per * grads / GIB,
            "optim_gib": bytes_per * optim / GIB, "logits_gib": bytes_per * logits / GIB,
            "acts_gib": bytes_per * acts / GIB, "total_gib": total / GIB}


def analytic_memory_table(Vs, methods, *, chunk: int, emb_dim: int, hidden: int, d_sem: int, K: int,
                          batch: int = 16, seq_len: int = 64) -> pd.DataFrame:
    """The analytic memory model (GiB) for every (V, method) at one configuration (default: the paper's batch
    16 x 64 tokens)."""
    rows = []
    for V in Vs:
        for m, sp in methods:
            a = analytic_memory(m, V, batch=batch, seq_len=seq_len, emb_dim=emb_dim, hidden=hidden, d_sem=d_sem,
                                K=K, sparse=sp, chunk=chunk)
            rows.append({"label": method_label(m, sp), "V": V, **{k: round(v, 2) for k, v in a.items()}})
    return pd.DataFrame(rows)


def memory_cap_fraction(cap_gib: float, device=None) -> float | None:
    """Fraction of this CUDA device's memory equal to cap_gib (None on CPU or when the device is smaller)."""
    import torch

    if not torch.cuda.is_available():
        return None
    total = torch.cuda.get_device_properties(device or torch.cuda.current_device()).total_memory
    frac = cap_gib * GIB / total
    return frac if frac < 1.0 else None
