"""Decision rules for ResNet-BK's claims, shared by the notebooks and the GPU run (paperlib.companion.gpu_run).

Each rule takes measured quantities and returns a :class:`paperlib.common.verdicts.Verdict`. Thresholds are named
constants fixed before measuring; the paper's own numbers come from :mod:`paperlib.bk.paper`. The one CPU/GPU
rule: a claim is decided on CPU only when the quantity it states does not depend on the device (counts, bytes of
tensors, operation counts, exact mathematics); a GPU wall-clock or allocator-memory claim stays `pending` off CUDA
(or away from the paper's configuration) whatever the CPU measured, and the CPU numbers are recorded beside it as
supporting evidence.

Three modules, one per group of notebooks, each with its tests: ``scale`` (notebooks 14-15,
tests/bk/test_bk_verdicts.py and _scale.py), ``theory`` (notebooks 10-13, _theory.py), ``training`` (notebook 16,
_training.py). Every public name is re-exported here, so ``paperlib.bk.verdicts.bk_t4_abl`` is the name to use.
None of them imports torch.
"""
from __future__ import annotations

import inspect as _inspect

from paperlib.bk.verdicts import scale, theory, training

_MODULES = (scale, theory, training)


def _public(mod) -> dict:
    return {n: v for n, v in vars(mod).items()
            if not n.startswith("_") and (n.isupper() or (_inspect.isfunction(v) and v.__module__ == mod.__name__))}


__all__ = []
for _mod in _MODULES:
    for _name, _value in _public(_mod).items():
        if _name in globals():
            raise ImportError(f"paperlib.bk.verdicts: {_name} is defined twice ({_mod.__name__})")
        if _inspect.isfunction(_value):
            _value.__module__ = __name__   # the public name of a rule (as numpy's set_module): the package
        globals()[_name] = _value
        __all__.append(_name)
del _mod, _name, _value
