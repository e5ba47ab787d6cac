"""One path from parameters to verdict (issue 20): for every GPU-waiting claim, the function a notebook's cell calls
on its own parameters (``fn(ch.params, device=DEVICE)``, resolved through the notebook's imports, so a cell-defined
or other same-named function fails) is the GPU run's, and the two paths (the notebook's parameters; ``gpu_run.measure``
with the parameters it resolves) give the same (claim, verdict) pairs on the smoke configuration, where these claims
are pending (device-bound) or decided from seeded runs. The fresh process per memory measurement is replaced by an in-process call with a
fixed RSS, so the comparison is exact and takes seconds; the measured function is the real one."""
from __future__ import annotations

import ast
import importlib
import re

import pytest
import torch

from paperlib.common import measure, paths
from paperlib.companion import gpu_run, profiles

CPU = torch.device("cpu")


@pytest.fixture(autouse=True)
def in_process_memory(monkeypatch):
    def fake(func_path, kwargs=None, timeout=0):
        mod, _, name = func_path.partition(":")
        result = getattr(importlib.import_module(mod), name)(**(kwargs or {}))
        return {"peak_rss_mb": 100.0 + result["param_mb"], "baseline_rss_mb": 100.0, "status": "ok", "result": result}

    monkeypatch.setattr(measure, "peak_rss_subprocess", fake)


# extra keyword arguments a notebook may pass besides its parameters and device (notebook 16 hands over its runs)
EXTRA_ARGS = r"(, (runs|specs)=\w+)*"


def called_on_its_parameters(source: str, fn: str):
    """The function object a notebook calls as `fn` (bare, or through a module it imported) with its own parameters
    (the chapter's `ch.params`) on its device; None if it makes no such call. Resolved from the notebook's own
    import statements, so a cell-defined `fn` or a same-named function of another module does not count."""
    call = re.search(rf"(?:\b(\w+)\.)?\b{fn}\(ch\.params, device=(?:ch\.device|DEVICE){EXTRA_ARGS}\)", source)
    if call is None:
        return None
    names = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                names[a.asname or a.name] = (node.module, a.name)
        elif isinstance(node, ast.FunctionDef) and node.name == fn:
            return None                                          # defined in a cell: not the library's
    qualifier = call.group(1)
    module, attr = names.get(qualifier or fn, (None, None))
    if module is None:
        return None
    if qualifier:                                                # `from package import module`, then module.fn
        return getattr(importlib.import_module(f"{module}.{attr}"), fn, None)
    return getattr(importlib.import_module(module), attr)


def _notebook_path(section):
    """What the notebook's cell computes: the function its source calls on its parameters-cell values."""
    notebook, where, claims = gpu_run.SECTION_SPECS[section]
    fn = where.split(":")[1]
    source = (paths.NOTEBOOKS / f"{notebook}.py").read_text()
    assert called_on_its_parameters(source, fn) is gpu_run.measurement_function(section), \
        f"notebook {notebook} does not call {where} on its parameters"
    m = gpu_run.measurement_function(section)(profiles.default_parameters(notebook), device=CPU)
    return sorted(p for p in m.decided() if p[0] in claims)


def _gpu_run_path(section):
    _, recorded, over = gpu_run.measure(section, CPU, tiny=True)
    assert over == {}
    return sorted((v.claim, v.verdict) for v in recorded)


def test_the_callee_is_resolved_from_the_notebooks_imports():
    lib = "from paperlib.bk import memory_claims\nm = memory_claims.t5_mem(ch.params, device=DEVICE)\n"
    assert called_on_its_parameters(lib, "t5_mem") is gpu_run.measurement_function("bk_t5")
    own = "def t5_mem(P, device):\n    pass\nm = t5_mem(ch.params, device=DEVICE)\n"
    assert called_on_its_parameters(own, "t5_mem") is None                       # a cell's own function
    other = "from paperlib.bk import memory_claims\nm = memory_claims.t5_mem(OTHER, device=DEVICE)\n"
    assert called_on_its_parameters(other, "t5_mem") is None                     # not on its parameters


@pytest.mark.parametrize("section", [s for s in gpu_run.SECTIONS if gpu_run.SECTION_SPECS[s][2]])
def test_notebook_and_gpu_run_give_the_same_verdicts(section):
    claims = gpu_run.SECTION_SPECS[section][2]
    nb, gpu = _notebook_path(section), _gpu_run_path(section)
    assert nb == gpu
    assert [c for c, _ in gpu] == sorted(claims)                    # every claim of the section is decided
    # on CPU the device-bound parts are pending and the rest is seeded, so the comparison is exact


def test_the_op_sweep_is_the_notebooks():
    source = (paths.NOTEBOOKS / "13_bk_core.py").read_text()
    assert called_on_its_parameters(source, "op_sweep") is gpu_run.measurement_function("op")
    m, recorded, _ = gpu_run.measure("op", CPU, tiny=True)
    assert recorded == [] and "bk_core_speed" in m.tables
    # the GPU run adds both Triton kernel paths (the notebook's call does not: its keyword is the run's)
    assert {"bk_core_paths", "bk_core_paths_compare"} <= set(m.tables)
    assert "kernel_paths" not in source
