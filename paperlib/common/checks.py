"""Argument checks shared by the papers' code: one version of each, with clear errors.

torch is imported inside the functions that need it, so that the decision rules (which use pos_int) load
without torch."""
from __future__ import annotations

import numpy as np

__all__ = ["pos_int", "as_float_tensor", "check_xy", "relative_error"]


def pos_int(value, name: str) -> int:
    """`value` as a python int >= 1 (numpy integers accepted, bools rejected)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def as_float_tensor(a, name: str, dtype=None, device=None):
    """Convert array-like `a` to a finite real floating tensor of `dtype` (default torch.float64); clear errors
    otherwise."""
    import torch

    dtype = torch.float64 if dtype is None else dtype
    if isinstance(a, torch.Tensor):
        t = a
    elif isinstance(a, np.ndarray):
        if a.dtype == object or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
            raise TypeError(f"{name} must be numeric, got numpy dtype {a.dtype}")
        t = torch.from_numpy(np.ascontiguousarray(a))
    elif isinstance(a, (list, tuple)):
        try:
            t = torch.as_tensor(np.asarray(a, dtype=np.float64))
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be a numeric array, got a list that is not: {exc}") from None
    else:
        raise TypeError(f"{name} must be a torch.Tensor, numpy array or nested list, got {type(a).__name__}")
    if t.is_complex():
        raise TypeError(f"{name} must be real, got complex dtype {t.dtype}")
    t = t.to(dtype=dtype, device=device if device is not None else t.device)
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} contains NaN or inf")
    return t


def check_xy(X, Y, dtype=None, device=None) -> tuple:
    """A least-squares problem: X (m x n) and Y (m,) or (m x k), finite, m, n, k >= 1 (dtype default
    torch.float64). Returns (X, Y as 2-D tensors, whether Y was 1-D)."""
    X = as_float_tensor(X, "X", dtype, device)
    Y = as_float_tensor(Y, "Y", dtype, X.device)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (m rows x n features), got shape {tuple(X.shape)}")
    y_was_1d = Y.ndim == 1
    if y_was_1d:
        Y = Y.unsqueeze(1)
    if Y.ndim != 2:
        raise ValueError(f"Y must be 1-D or 2-D (m rows x k targets), got shape {tuple(Y.shape)}")
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"X and Y must have the same number of rows, got {X.shape[0]} and {Y.shape[0]}")
    if X.shape[0] == 0:
        raise ValueError("X and Y have no rows; need at least one training example")
    if X.shape[1] == 0:
        raise ValueError("X has no columns (features)")
    if Y.shape[1] == 0:
        raise ValueError("Y has no columns (targets)")
    return X, Y, y_was_1d


def relative_error(a, b) -> float:
    """||a - b||_F / ||b||_F in float64 (b the reference; arrays or tensors of one shape); the absolute
    error when b is zero."""
    def _numpy(x):  # a tensor (only possible when torch is loaded) to numpy; anything else as it is
        return x.detach().cpu().numpy() if hasattr(x, "detach") and hasattr(x, "numpy") else x

    a = np.asarray(_numpy(a), dtype=np.float64)
    b = np.asarray(_numpy(b), dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shape mismatch: {a.shape} vs {b.shape}")
    nb = np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / nb) if nb > 0 else float(np.linalg.norm(a - b))
