"""Random BK-Core problems shared by the loop-path tests (compiled and Triton)."""
import torch


def case(shape, seed=0, dtype=torch.float64):
    """v ~ 1.5 N(0, 1) clamped to [-3, 3] and off-diagonals 1 + 0.3 N(0, 1), of the given batch shape (..., N)."""
    g = torch.Generator().manual_seed(seed)
    n = shape[-1]
    v = (torch.randn(shape, generator=g, dtype=torch.float64) * 1.5).clamp(-3, 3)
    off = 1.0 + 0.3 * torch.randn(shape[:-1] + (max(n - 1, 0),), generator=g, dtype=torch.float64)
    return v.to(dtype), off.to(dtype)
