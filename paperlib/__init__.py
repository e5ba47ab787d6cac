"""paperlib: the support library of the reproducible companion.

Notebooks import models and measurement code from here; nothing of substance is defined in cells.
Layers, bottom up: ``common`` (imports nothing else of paperlib), the papers' packages (``scn``, ``bk``,
``scta``, ``related``), then ``companion`` (the machinery; science code never imports it).
"""
from __future__ import annotations

from paperlib.common.runtime import default_device, seed_everything

__version__ = "0.1.0"

__all__ = ["seed_everything", "default_device", "__version__"]
