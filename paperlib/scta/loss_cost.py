"""The cost of SCTA's output loss alone (given hidden states), as V grows: its wall-clock
(`loss_only_time`) and its device-independent operation count (`loss_work`), which decides SCTA-COMPLEXITY
(the paper's "O(K x D_sem) instead of O(V)"; notebook 20)."""
from __future__ import annotations

import torch

from paperlib.common.measure import time_callable
from paperlib.common.opcount import OpCounter

__all__ = ["loss_only_time", "loss_work"]


def _loss_closure(method: str, V: int, N: int, hidden: int, d_sem: int, K: int, tau: float, seed: int, dev):
    """f() running forward+backward of the output loss alone (given N hidden states) for method at V."""
    import torch.nn.functional as F

    from paperlib.scta.losses import chunked_linear_cross_entropy, scta_loss
    from paperlib.scta.sampling import NegativeSampler, sample_negatives

    g = torch.Generator(device=dev).manual_seed(seed)
    h = torch.randn(N, hidden, generator=g, device=dev, requires_grad=True)
    y = torch.randint(0, V, (N,), generator=g, device=dev)
    if method in ("ce", "chunked"):
        W = (torch.randn(V, hidden, generator=g, device=dev) * 0.02).requires_grad_()

        def f():
            loss = F.cross_entropy(h @ W.t(), y) if method == "ce" else chunked_linear_cross_entropy(h, W, y)
            loss.backward()
    elif method == "scta":
        Wsem = (torch.randn(d_sem, hidden, generator=g, device=dev) * 0.05).requires_grad_()
        E = torch.nn.Embedding(V, d_sem, sparse=True).to(dev)
        sampler = NegativeSampler(V)

        def f():
            neg = sample_negatives(sampler, y, K, shared=False, replacement=True, exclude_positive=True,
                                   generator=g)
            scta_loss(h @ Wsem.t(), E(y), E(neg), tau).backward()
    else:
        raise ValueError(f"the loss-only benchmarks support ce|chunked|scta, got {method!r}")
    return f


def loss_only_time(method: str, V: int, N: int = 1024, hidden: int = 256, d_sem: int = 64, K: int = 32,
                   tau: float = 0.07, repeats: int = 5, seed: int = 0, threads: int = 1, device: str = "cpu") -> float:
    """Median seconds of forward+backward of the output loss alone (given hidden states), for method at V."""
    dev = torch.device(device)
    if threads and dev.type == "cpu":
        torch.set_num_threads(threads)
    f = _loss_closure(method, V, N, hidden, d_sem, K, tau, seed, dev)
    return time_callable(f, warmup=1, repeats=repeats, sync_cuda=dev.type == "cuda").median


def loss_work(method: str, V: int, N: int = 1024, hidden: int = 256, d_sem: int = 64, K: int = 32,
              tau: float = 0.07, seed: int = 0) -> int:
    """Elements written by all operations of one forward+backward of the output loss alone (CPU, given N hidden
    states; views free, a sparse gradient counts its stored values: `paperlib.common.opcount.OpCounter`,
    cost "elements"): an operation count of the loss, independent of the device and of timing noise."""
    f = _loss_closure(method, V, N, hidden, d_sem, K, tau, seed, torch.device("cpu"))
    with OpCounter(cost="elements") as counter:
        f()
    return int(counter.total)
