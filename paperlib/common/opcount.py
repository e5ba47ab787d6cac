"""One operation counter for every paper: counts the work of each aten op that a piece of torch code dispatches
(forward and backward), in a device-independent unit, so that a complexity claim is decided by a count and not by
a clock.

Two cost models, one counter:

* ``cost="macs"``: matrix products cost 2 m n k (``mm``/``bmm``/``addmm``/``baddbmm``), convolutions 2 x output
  elements x kernel volume, fused attention 4 x |Q| x keys; every other op the elements it writes
  (ResNet-BK's operation counts, ``paperlib.bk.bench.count_ops``).
* ``cost="elements"``: every op costs the elements it writes (SCTA's loss work, ``paperlib.scta.loss_cost``).

In both, a view (its result aliases an input and writes nothing) is free, an in-place op (``add_``,
``index_copy_``, ``addmm_``: an alias it writes) is counted like its out-of-place form, and a sparse result counts
its stored values, not its dense size. Work done outside torch (a numba or Triton kernel) is invisible.
"""
from __future__ import annotations

import math

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

__all__ = ["COSTS", "KINDS", "OpCounter", "is_view"]

COSTS = ("macs", "elements")
KINDS = ("matmul", "conv", "attention", "elementwise")


def _numel(shape) -> int:
    return math.prod(int(k) for k in shape)


def is_view(func) -> bool:
    """True when the op's result aliases an input without writing it (view, slice, detach, split, ...)."""
    return any(r.alias_info is not None and not r.alias_info.is_write for r in func._schema.returns)


def _written(out) -> int:
    """Elements written into the op's tensor results (a sparse tensor: its stored values)."""
    return sum((t._values().numel() if t.is_sparse else t.numel())
               for t in tree_flatten(out)[0] if isinstance(t, torch.Tensor))


def _name(func) -> str:
    return func.__name__.split(".")[0].rstrip("_") or func.__name__


def _kind(func) -> str:
    name = _name(func)
    if name in ("mm", "bmm", "addmm", "baddbmm"):
        return "matmul"
    if name in ("convolution", "_convolution"):
        return "conv"
    if "scaled_dot_product" in name or name.endswith("attention_forward"):
        return "attention"
    return "elementwise"


def _macs(func, kind: str, args, out) -> int:
    """Multiply-add work of one op of `kind` (elementwise: elements written)."""
    if kind == "matmul":
        a, b = (args[1], args[2]) if _name(func) in ("addmm", "baddbmm") else (args[0], args[1])
        return 2 * _numel(a.shape) * int(b.shape[-1])
    if kind == "conv":
        return 2 * _numel(out.shape) * _numel(args[1].shape[1:])
    if kind == "attention":
        q, k = args[0], args[1]  # (B, H, Lq, E), (B, H, Lk, E)
        return 4 * _numel(q.shape) * int(k.shape[-2])
    return _written(out)


class OpCounter(TorchDispatchMode):
    """``with OpCounter(cost="macs") as c: fn()`` then ``c.counts`` ({kind: work} over KINDS), ``c.total`` and
    ``c.n_calls`` (ops counted, views excluded). See the module docstring for the two cost models."""

    def __init__(self, cost: str = "macs"):
        if cost not in COSTS:
            raise ValueError(f"cost must be one of {COSTS}, got {cost!r}")
        super().__init__()
        self.cost = cost
        self.counts = dict.fromkeys(KINDS, 0)
        self.n_calls = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if is_view(func):
            return out
        kind = _kind(func)
        self.counts[kind] += int(_macs(func, kind, args, out) if self.cost == "macs" else _written(out))
        self.n_calls += 1
        return out

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict:
        """{kind: work, ..., 'n_calls', 'total'} (bk's table columns)."""
        return {**self.counts, "n_calls": self.n_calls, "total": self.total}
