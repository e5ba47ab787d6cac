"""One path from parameters to verdict (issue 20): for every GPU-waiting claim, the notebook's path (its cell calls
the library function with its own parameters: ``fn(globals(), device=DEVICE)``) and the GPU run's path
(``gpu_run.measure``: the parameters it resolves, the same function, the claims it records) give the same
(claim, verdict) pairs on the same tiny CPU configuration (the smoke profile), where these claims are
deterministically ``pending``. The fresh process per memory measurement is replaced by an in-process call with a
fixed RSS, so the comparison is exact and takes seconds; the measured function is the real one."""
from __future__ import annotations

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


def calls_on_its_parameters(source: str, fn: str) -> bool:
    """The notebook calls `fn` with its own parameters (the chapter's `ch.params`, or `globals()`) on its device."""
    return re.search(rf"\b{fn}\((ch\.params|globals\(\)), device=(ch\.device|DEVICE)\b", source) is not None


def _notebook_path(section):
    """What the notebook's cell computes: the function its source calls on its parameters-cell values."""
    notebook, where, claims = gpu_run.SECTION_SPECS[section]
    fn = where.split(":")[1]
    source = (paths.NOTEBOOKS / f"{notebook}.py").read_text()
    assert calls_on_its_parameters(source, fn), f"notebook {notebook} does not call {where} on its parameters"
    m = gpu_run.measurement_function(section)(profiles.default_parameters(notebook), device=CPU)
    return sorted(p for p in m.decided() if p[0] in claims)


def _gpu_run_path(section):
    _, recorded, over = gpu_run.measure(section, CPU, tiny=True)
    assert over == {}
    return sorted((v.claim, v.verdict) for v in recorded)


@pytest.mark.parametrize("section", [s for s in gpu_run.SECTIONS if gpu_run.SECTION_SPECS[s][2]])
def test_notebook_and_gpu_run_give_the_same_verdicts(section):
    claims = gpu_run.SECTION_SPECS[section][2]
    nb, gpu = _notebook_path(section), _gpu_run_path(section)
    assert nb == gpu
    assert [c for c, _ in gpu] == sorted(claims)                    # every claim of the section is decided
    # on CPU the device-bound parts are pending and the rest is seeded, so the comparison is exact


def test_the_op_sweep_is_the_notebooks():
    source = (paths.NOTEBOOKS / "13_bk_core.py").read_text()
    assert calls_on_its_parameters(source, "op_sweep")
    m, recorded, _ = gpu_run.measure("op", CPU, tiny=True)
    assert recorded == [] and "bk_core_speed" in m.tables
