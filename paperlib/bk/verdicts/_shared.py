"""Helpers that more than one of ResNet-BK's rule modules uses."""
from __future__ import annotations


def where(on_cuda: bool) -> str:
    """The device a measurement ran on, as a rule's reason names it."""
    return "CUDA" if on_cuda else "CPU"


def growth(ns, counts, per) -> float:
    """(count / per(N)) at the largest N over the same at the smallest N."""
    pairs = sorted(zip(ns, counts))
    (n0, c0), (n1, c1) = pairs[0], pairs[-1]
    return (c1 / per(n1)) / (c0 / per(n0))
