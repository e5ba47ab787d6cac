"""Eq. 4-5 at scale: a benchmark of an SCN's embedding store filled with synthetic unit vectors (notebook 03).

Apart from the store (paperlib.scn.store) because it builds a whole SCN (paperlib.scn.model imports the store)."""
from __future__ import annotations

import math

import torch

__all__ = ["synthetic_store_benchmark"]


def synthetic_store_benchmark(n: int, dim: int = 384, n_queries: int = 64, batch_sizes=(1, 64), repeats: int = 3,
                              chunk_size: int = 65536, noise: float = 0.05, seed: int = 0) -> dict:
    """Eq. 4-5 at scale: store n random unit 384-d "embeddings" labelled by index, query noisy copies.

    Returns build seconds, per-batch latency medians (seconds per call), retrieval accuracy (the label
    retrieved equals the source row) and the store's bytes. Meant to run inside
    `paperlib.common.measure.peak_rss_subprocess` so the peak memory of one configuration is measured alone.
    """
    import time

    from paperlib.common.runtime import seed_everything
    from paperlib.common.measure import time_callable
    from paperlib.scn.model import SCN

    g = seed_everything(seed)
    t0 = time.perf_counter()
    scn = SCN(mode="embedding", embedder=_DimOnly(dim), chunk_size=chunk_size)
    block = 65536
    for i in range(0, n, block):
        m = min(block, n - i)
        scn.add_embeddings(torch.randn(m, dim, generator=g), [str(k) for k in range(i, i + m)])
    build_s = time.perf_counter() - t0
    src = torch.randint(0, n, (max(n_queries, max(batch_sizes)),), generator=g)
    rows = torch.stack([scn.store.chunks[int(j) // chunk_size][int(j) % chunk_size] for j in src])
    q = rows + noise * torch.randn(rows.shape, generator=g) / math.sqrt(dim)
    _, arg = scn.store.argmax_cosine(q)
    acc = float((arg == src).float().mean())
    lat = {}
    for b in batch_sizes:
        t = time_callable(lambda: scn.store.argmax_cosine(q[:b]), warmup=1, repeats=repeats)
        lat[f"batch{b}_s"] = t.median
        lat[f"batch{b}_per_query_s"] = t.median / b
    return {"n": n, "dim": dim, "build_s": build_s, "accuracy": acc, "store_mb": scn.store.nbytes / 2**20, **lat}


class _DimOnly:
    """Placeholder embedder for stores filled with add_embeddings (it refuses to embed text)."""

    def __init__(self, dim):
        self.dim = dim

    def encode(self, texts):
        raise RuntimeError("this SCN holds synthetic embeddings only; it cannot embed text")

    def spec(self):
        return None
