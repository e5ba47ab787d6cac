"""The SCN's embedding store (Eq. 4-5): append-only unit vectors in fixed-size chunks, searched chunk by chunk
with a running max, so a query needs O(batch x chunk_size) extra memory whatever the number of stored rows.
Also the synthetic at-scale benchmark of notebook 03 (SCN-EQ5-INFCTX).
"""
from __future__ import annotations

import math

import numpy as np
import torch

from paperlib.scn.embed import check_finite

__all__ = ["EmbeddingStore", "EmptyModelError", "synthetic_store_benchmark"]


class EmptyModelError(RuntimeError):
    """predict() on an SCN (or a search in a store) that holds no pairs."""


class EmbeddingStore:
    """Append-only store of L2-normalised row vectors in fixed-size chunks; chunked max-cosine search."""

    def __init__(self, dim: int, chunk_size: int = 65536, dtype=torch.float32):
        if not isinstance(dim, int) or dim < 1:
            raise ValueError(f"dim must be a positive int, got {dim!r}")
        if not isinstance(chunk_size, int) or chunk_size < 1:
            raise ValueError(f"chunk_size must be a positive int, got {chunk_size!r}")
        self.dim, self.chunk_size, self.dtype = dim, chunk_size, dtype
        self.chunks: list[torch.Tensor] = []
        self.n = 0

    def __len__(self):
        return self.n

    @property
    def nbytes(self) -> int:
        return sum(c.numel() * c.element_size() for c in self.chunks)

    @staticmethod
    def _normalise(x: torch.Tensor) -> torch.Tensor:
        return x / x.norm(dim=1, keepdim=True).clamp_min(1e-12)

    def append(self, x: torch.Tensor) -> None:
        x = check_finite(torch.as_tensor(x), "embeddings")
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"expected embeddings of shape (n, {self.dim}), got {tuple(x.shape)}")
        x = self._normalise(x.to(torch.float64)).to(self.dtype)  # Eq. 2: store unit vectors, cosine = dot
        i = 0
        while i < x.shape[0]:
            fill = self.n % self.chunk_size
            if fill == 0:
                self.chunks.append(torch.zeros(self.chunk_size, self.dim, dtype=self.dtype))
            take = min(self.chunk_size - fill, x.shape[0] - i)
            self.chunks[-1][fill:fill + take] = x[i:i + take]
            self.n += take
            i += take

    def set_row(self, i: int, x: torch.Tensor) -> None:
        x = check_finite(torch.as_tensor(x).reshape(1, -1), "embedding")
        self.chunks[i // self.chunk_size][i % self.chunk_size] = self._normalise(x.to(torch.float64))[0].to(self.dtype)

    def to_numpy(self) -> np.ndarray:
        if self.n == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return torch.cat(self.chunks, 0)[: self.n].numpy()

    @torch.no_grad()
    def argmax_cosine(self, q: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """For each query row: (best cosine, index of the earliest stored row achieving it). Eq. 5."""
        if self.n == 0:
            raise EmptyModelError("the store is empty")
        q = check_finite(torch.as_tensor(q), "query embeddings")
        q = self._normalise(q.reshape(-1, self.dim).to(torch.float64)).to(self.dtype)
        best = torch.full((q.shape[0],), -math.inf, dtype=self.dtype)
        arg = torch.zeros(q.shape[0], dtype=torch.long)
        for c, chunk in enumerate(self.chunks):
            rows = min(self.chunk_size, self.n - c * self.chunk_size)
            s = q @ chunk[:rows].T
            v, j = s.max(dim=1)  # first maximal index within the chunk
            better = v > best      # strict: earlier chunks win ties
            best = torch.where(better, v, best)
            arg = torch.where(better, j + c * self.chunk_size, arg)
        return best, arg


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
