"""Negative sampling for SCTA and the sampled softmax (unigram^alpha or uniform proposals, shared or per-row).

Part of paperlib.scta (the method is described in the package docstring)."""
from __future__ import annotations

import torch

class NegativeSampler:
    """Draws negative ids from a proposal q over V ids: uniform (O(K) per draw) or unigram (inverse-CDF with
    searchsorted, O(K log V) per draw; no O(V) work per step)."""

    def __init__(self, V: int, distribution: str = "uniform", counts: torch.Tensor | None = None,
                 smoothing: float = 0.0):
        if V < 2:
            raise ValueError(f"V must be >= 2, got {V}")
        if distribution not in ("uniform", "unigram"):
            raise ValueError(f"distribution must be 'uniform' or 'unigram', got {distribution!r}")
        self.V, self.distribution = V, distribution
        if distribution == "unigram":
            if counts is None or counts.numel() != V:
                raise ValueError("unigram sampling needs `counts` of length V")
            p = counts.double().clamp_min(0) + smoothing
            if p.sum() <= 0:
                raise ValueError("unigram counts sum to zero")
            self.q = p / p.sum()  # float64; cast where used
            self.cdf = torch.cumsum(p / p.sum(), 0)
            self.cdf[-1] = 1.0
        else:
            self.q = None
            self.cdf = None

    def to(self, device):
        if self.q is not None:
            self.q, self.cdf = self.q.to(device), self.cdf.to(device)
        return self

    def prob(self, ids: torch.Tensor) -> torch.Tensor:
        """q(ids)."""
        if self.q is None:
            return torch.full(ids.shape, 1.0 / self.V, dtype=torch.float64, device=ids.device)
        return self.q[ids]

    def draw(self, shape, device, generator=None) -> torch.Tensor:
        if self.cdf is None:
            return torch.randint(0, self.V, shape, device=device, generator=generator)
        u = torch.rand(shape, device=device, dtype=torch.float64, generator=generator)
        return torch.searchsorted(self.cdf, u).clamp_max(self.V - 1)


def _first_distinct(cand: torch.Tensor, k: int) -> torch.Tensor:
    """Per row, the first k distinct values of `cand` in draw order (-1 where fewer than k exist)."""
    rows, m = cand.shape
    sv, si = torch.sort(cand, dim=1, stable=True)
    dup_sorted = torch.zeros_like(sv, dtype=torch.bool)
    dup_sorted[:, 1:] = sv[:, 1:] == sv[:, :-1]
    dup = torch.zeros_like(dup_sorted).scatter_(1, si, dup_sorted)  # back to draw order
    key = torch.arange(m, device=cand.device).expand(rows, m).masked_fill(dup, m + 1)
    ks, order = torch.sort(key, dim=1, stable=True)
    pick = cand.gather(1, order[:, :k])
    return pick.masked_fill(ks[:, :k] > m, -1)


def sample_negatives(sampler: NegativeSampler, targets: torch.Tensor, K: int, shared: bool, replacement: bool,
                     exclude_positive: bool, generator=None) -> torch.Tensor:
    """Negative ids: shape (K,) when shared, else (N, K) per token.

    exclude_positive (per-token): negatives are drawn from q restricted to ids != target (by rejection);
    for shared negatives the positive is removed by masking in the loss instead (accidental-hit removal).
    replacement=False: K distinct ids, drawn sequentially from q (first K distinct of an i.i.d. stream).
    """
    if K < 1:
        raise ValueError(f"K must be >= 1, got {K}")
    need = K + (1 if (exclude_positive and not shared) else 0)
    if not replacement and need > sampler.V:
        raise ValueError(f"cannot draw {K} distinct negatives from V={sampler.V}")
    dev = targets.device
    rows = 1 if shared else targets.numel()
    if replacement:
        neg = sampler.draw((rows, K), dev, generator)
        if exclude_positive and not shared:
            t = targets.reshape(-1, 1)
            for _ in range(1000):
                hit = neg == t
                if not hit.any():
                    break
                neg = torch.where(hit, sampler.draw((rows, K), dev, generator), neg)
            else:
                raise RuntimeError("could not draw negatives different from the targets (degenerate q?)")
    else:
        m = max(4 * need, 16)
        for _ in range(100):
            cand = sampler.draw((rows, m), dev, generator)
            if exclude_positive and not shared:  # the target counts as already drawn, then is dropped
                cand = torch.cat([targets.reshape(-1, 1), cand], dim=1)
            pick = _first_distinct(cand, need)
            if (pick >= 0).all():
                break
            m *= 2
        else:
            raise RuntimeError("could not draw enough distinct negatives")
        neg = pick[:, 1:] if (exclude_positive and not shared) else pick
    return neg[0] if shared else neg
