"""The SCN's embedding store (Eq. 4-5): append-only unit vectors in fixed-size chunks, searched chunk by chunk
with a running max, so a query needs O(batch x chunk_size) extra memory whatever the number of stored rows
(the synthetic at-scale benchmark of notebook 03 is in scn.store_bench).
"""
from __future__ import annotations

import math

import numpy as np
import torch

from paperlib.scn.embed import check_finite

__all__ = ["EmbeddingStore", "EmptyModelError"]


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
