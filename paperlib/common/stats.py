"""Statistics shared by the papers' benchmarks: one power-law fit."""
from __future__ import annotations

import math

import numpy as np

__all__ = ["fit_power_law"]


def fit_power_law(x, y) -> dict:
    """Least squares on log y = p log x + log c: exponent p, prefactor c and the R^2 of the log-log fit.

    The one complexity/scaling fit of the companion (time vs N, cost vs vocabulary, memory vs store size).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-D of equal length, got shapes {x.shape} and {y.shape}")
    if len(x) < 2 or len(np.unique(x)) < 2:
        raise ValueError("need at least two points at distinct x to fit a power law")
    if np.any(x <= 0) or np.any(y <= 0) or not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("a power-law fit needs positive, finite x and y")
    lx, ly = np.log(x), np.log(y)
    p, logc = np.polyfit(lx, ly, 1)
    resid = ly - (p * lx + logc)
    r2 = 1.0 - float(np.sum(resid**2)) / max(float(np.sum((ly - ly.mean()) ** 2)), 1e-300)
    return dict(exponent=float(p), prefactor=float(math.exp(logc)), r2=r2)
