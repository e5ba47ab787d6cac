"""Register the project's Jupyter kernel, "paperlib", in the current environment.

    python -m paperlib.companion.jupyter_kernel

Used by `make setup` and by Binder's postBuild, so papermill, nbval, `make lab` and Binder all run the
notebooks on the same kernel: this environment's Python, figures drawn inline (so executed notebooks carry
them) and a fixed hash seed.
"""
from __future__ import annotations

import sys

NAME = "paperlib"
ENV = {"MPLBACKEND": "module://matplotlib_inline.backend_inline", "PYTHONHASHSEED": "0"}


def install(prefix: str | None = None) -> str:
    from ipykernel.kernelspec import install as ipk_install

    return ipk_install(kernel_name=NAME, display_name=NAME, prefix=prefix or sys.prefix, env=dict(ENV))


if __name__ == "__main__":
    print(f"kernel '{NAME}' installed in {install()}")
