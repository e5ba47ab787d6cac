"""The cost of SCTA's output loss alone (given hidden states), as V grows: its wall-clock
(`loss_only_time`) and its device-independent operation count (`loss_work`), which decides SCTA-COMPLEXITY
(the paper's "O(K x D_sem) instead of O(V)"; notebook 20), and the claim's verdict from the two tables
(`complexity_claim`)."""
from __future__ import annotations

import torch

from paperlib.common.measure import time_callable
from paperlib.common.opcount import OpCounter

__all__ = ["complexity_claim", "exponents", "loss_only_time", "loss_work"]


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


def exponents(table, column: str) -> dict[str, float]:
    """{method: a} with table[column] ~ V^a per method (`bench.scaling_exponent`: least-squares slope of log value
    against log V), from a long table with columns method, V and `column` (notebook 20's tables)."""
    from paperlib.scta.bench import scaling_exponent

    return {m: scaling_exponent(s["V"], s[column]) for m, s in table.groupby("method")}


def complexity_claim(work, cost):
    """SCTA-COMPLEXITY from notebook 20's two tables: `work` (method, V, elements: `loss_work` per method and V,
    rows for "ce" and "scta") decides through the exponents of the operation count; `cost` (method, V, seconds:
    `loss_only_time`) gives the wall-clock exponents recorded beside. The V range is that of SCTA's rows.
    Returns `paperlib.scta.verdicts.scta_complexity`'s Verdict."""
    from paperlib.scta.verdicts import scta_complexity

    work_exps, time_exps = exponents(work, "elements"), exponents(cost, "seconds")
    Vs = work.loc[work["method"] == "scta", "V"]
    return scta_complexity(work_exponent=work_exps["scta"], work_exponent_ce=work_exps["ce"],
                           time_exponent=time_exps["scta"], time_exponent_ce=time_exps["ce"],
                           V_range=(int(Vs.min()), int(Vs.max())))
