"""Package exports imported on first use (PEP 562): importing a package, or one light submodule of it (a verdict
rule, numpy-only theory), does not pull in torch models, transformers, numba or triton."""
from __future__ import annotations

import importlib
import importlib.util
import sys


def lazy_exports(package: str, exports: dict[str, str]):
    """(__getattr__, __dir__, __all__) for `package`'s __init__. exports: public name -> "submodule" (its attribute
    of the same name), "submodule:attribute" (another name), or "" (the submodule of that name itself).

    A name that is also a submodule's name but stands for something else is refused: importing that submodule
    from anywhere makes the package attribute the module, so such a name must be bound eagerly in __init__."""
    clash = sorted(n for n, where in exports.items() if where and importlib.util.find_spec(f"{package}.{n}"))
    if clash:
        raise ValueError(f"{package}: {', '.join(clash)} would be shadowed by the submodule of the same name; "
                         "import it eagerly instead")
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
