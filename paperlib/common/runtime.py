"""Seeding and the compute device: the two run-wide settings every chapter and benchmark shares.

At the bottom of the package (common imports nothing above it); ``paperlib.seed_everything`` and
``paperlib.default_device`` re-export these."""
from __future__ import annotations

import os
import random

__all__ = ["seed_everything", "default_device", "on_cuda"]


def seed_everything(seed: int):
    """Seed python, numpy and torch (CPU and CUDA); return a torch.Generator seeded the same way."""
    import numpy as np
    import torch

    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    os.environ.setdefault("PYTHONHASHSEED", str(seed))
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def default_device():
    """The device notebooks compute on: CUDA when present (unless PAPERLIB_DEVICE says otherwise), else CPU."""
    import torch

    wanted = os.environ.get("PAPERLIB_DEVICE")
    if wanted:
        return torch.device(wanted)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def on_cuda(device) -> bool:
    """Whether `device` (a torch.device or its name, e.g. "cuda:1") is a CUDA device: the one test the GPU-waiting
    rules' ``on_cuda`` input is given."""
    import torch

    return torch.device(device).type == "cuda"
