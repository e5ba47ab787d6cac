"""Facts about torch modules that every paper's models share."""
from __future__ import annotations

__all__ = ["count_params"]


def count_params(model) -> int:
    """The number of parameters of a torch module (each shared tensor counted once, as ``parameters()`` yields
    it). The one counter: the models' ``num_params()`` methods and ``bk.train.count_params`` return this."""
    return int(sum(p.numel() for p in model.parameters()))
