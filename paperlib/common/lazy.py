"""Package exports imported on first use (PEP 562): importing a package, or one light submodule of it (a verdict
rule, numpy-only theory), does not pull in torch models, transformers, numba or triton."""
from __future__ import annotations

import importlib
import sys


def lazy_exports(package: str, exports: dict[str, str]):
    """(__getattr__, __dir__, __all__) for `package`'s __init__. exports: public name -> "submodule" (its attribute
    of the same name), "submodule:attribute" (another name), or "" (the submodule of that name itself)."""
    def __getattr__(name):
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        sub, _, attr = exports[name].partition(":")
        module = importlib.import_module(f"{package}.{sub or name}")
        value = getattr(module, attr or name) if sub else module
        setattr(sys.modules[package], name, value)
        return value

    def __dir__():
        return sorted(set(vars(sys.modules[package])) | set(exports))

    return __getattr__, __dir__, sorted(exports)
