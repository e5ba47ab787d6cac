"""The GPU run (python -m paperlib.companion.gpu_run): its CPU rehearsal (--tiny) at the smoke parameters, in a
temporary PAPERLIB_OUTPUT, with the modules the GPU machine may lack (scipy, tqdm, matplotlib, tabulate, jinja2)
blocked; where its parameters come from; and its argument checks."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from paperlib.companion import gpu_run
from paperlib.common import paths

# what the GPU run must do without (plotting, pretty tables, templates, progress bars); scipy stays: BK-S64's
# paired statistics need it (the lent GPU machines ship it)
BLOCKED = ("tqdm", "matplotlib", "tabulate", "jinja2")


@pytest.mark.slow
@pytest.mark.integration  # the whole flow in a subprocess, about 30 s
def test_tiny_rehearsal_writes_records_and_tables_only_into_paperlib_output(tmp_path):
    out = tmp_path / "out"
    sections = list(gpu_run.SECTIONS)
    code = (f"import sys\nfor m in {BLOCKED!r}: sys.modules[m] = None\n"
            f"from paperlib.companion.gpu_run import main\nsys.exit(main(['--tiny', '--only', *{sections!r}]))\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PAPERLIB_DEVICE", "TRITON_INTERPRET")}
    env.update(PAPERLIB_OUTPUT=str(out), PAPERLIB_PROGRESS="0",
               PYTHONPATH=str(paths.ROOT) + os.pathsep + env.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.stdout.startswith("gpu_run versions: ")  # versions first
    versions = json.loads(proc.stdout.splitlines()[0].split(": ", 1)[1])
    assert versions["tqdm"].startswith("missing") and "torch" in versions and versions["device"] == "cpu"
    summary = json.loads((out / "smoke" / "gpu_run" / "summary.json").read_text())
    assert summary["tiny"] and summary["profile"] == "smoke"
    assert {k: s["status"] for k, s in summary["sections"].items()} == {k: "ok" for k in sections}
    assert summary["output_root"].startswith(str(out))
    assert all(t.startswith(str(out)) for t in summary["tables"])
    for section, name in (("bk_s44", "bk_s44"), ("bk_t11", "bk_table11"), ("bk_t5", "bk_table5"),
                          ("bk_t6", "bk_table6"), ("bk_t7", "bk_table7_fits"), ("op", "bk_core_speed")):
        assert (out / "smoke" / "gpu_run" / section / f"{name}.csv").stat().st_size > 0
    expected = {}
    for s in sections:
        nb, _, claims = gpu_run.SECTION_SPECS[s]
        if claims:
            expected.setdefault(nb, set()).update(claims)
    assert not list((out / "smoke" / "ledger").glob("13_bk_core__*"))          # the op section records no claim
    for nb, ids in expected.items():
        # in a ledger file of the GPU run's own, beside (never over) the notebook's
        recs = json.loads((out / "smoke" / "ledger" / f"{nb}__cpu__gpu_run.json").read_text())["records"]
        assert {r["id"] for r in recs} == ids                                   # only the GPU-waiting claims
        assert all(r["profile"] == "smoke" for r in recs)
        # CPU: they stay pending, except those whose content is decided on any device (the verdict policy):
        # BK-S64-TRADEOFF's perplexity and steps, BK-T7-FIT's class by op count, SCTA-T1-TPUT's direction (paired
        # ratios), SCTA-1M-CONSUMER's bytes
        decided_anywhere = {"BK-S64-TRADEOFF", "BK-T7-FIT", "SCTA-T1-TPUT", "SCTA-1M-CONSUMER"}
        assert all(r["verdict"] == "pending" for r in recs if r["id"] not in decided_anywhere)
    assert set(summary["sections"]["bk_t7"]["result"]["not_recorded"]) == {"BK-T3-ON"}  # decided, not recorded
    assert summary["sections"]["op"]["result"]["device_check"] == []           # nothing to compare on CPU
    # both Triton kernel paths, forward and backward, in Triton's interpreter at the tiny sweep
    sweep = pd.read_csv(out / "smoke" / "gpu_run" / "op" / "bk_core_paths.csv")
    assert set(zip(sweep.path, sweep["pass"])) == {(p, s) for p in ("per-row", "chunked") for s in ("forward", "backward")}
    assert (sweep.status == "ok").all() and (sweep.engine == "triton interpreter").all()
    assert (out / "smoke" / "gpu_run" / "op" / "bk_core_paths_compare.csv").stat().st_size > 0
    assert summary["sections"]["op"]["result"]["notes"]["paths"]["engines"] == ["triton interpreter"]


def test_every_gpu_waiting_claim_has_a_section():
    assert set(gpu_run.GPU_CLAIMS) == {"BK-S44-PERF", "BK-T11-VRAM", "BK-T5-MEM", "BK-T6-TPUT", "BK-T7-FIT",
                                       "BK-S64-TRADEOFF", "SCTA-T1-SPEEDUP", "SCTA-T1-TPUT", "SCTA-1M-CONSUMER",
                                       "SCTA-ENERGY"}
    assert set(gpu_run.SECTIONS) == set(gpu_run.SECTION_SPECS) and set(gpu_run.PAPER_OVERRIDES) <= set(gpu_run.SECTIONS)


def test_parameters_are_the_notebooks_paper_profile_with_the_stated_overrides():
    P, over = gpu_run.section_parameters("bk_t5", tiny=False)
    paper = gpu_run.resolve_parameters("14_bk_params_memory", "paper")
    assert over == gpu_run.PAPER_OVERRIDES["bk_t5"] and P == {**paper, **over}
    assert P["PROFILE"] == "paper" and P["S44_SEQ"] == 4096                     # the yaml's paper section
    P, over = gpu_run.section_parameters("bk_s44", tiny=True)
    from paperlib.companion import profiles

    assert over == {} and P == profiles.default_parameters("14_bk_params_memory")  # smoke: the cell's defaults


def test_overrides_must_name_parameters_and_bundle_parameters_win(monkeypatch, tmp_path):
    monkeypatch.setitem(gpu_run.PAPER_OVERRIDES, "bk_t6", {"T6_STEPZ": 3})
    with pytest.raises(KeyError, match="T6_STEPZ"):
        gpu_run.section_parameters("bk_t6", tiny=False)
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    (tmp_path / gpu_run.BUNDLE_PARAMS).write_text(json.dumps({"smoke": {"15_bk_throughput_scaling": {"T6_STEPS": 7}}}))
    assert gpu_run.section_parameters("bk_t6", tiny=True) == ({"T6_STEPS": 7}, {})


def test_tiny_refuses_without_paperlib_output(monkeypatch, capsys):
    monkeypatch.delenv("PAPERLIB_OUTPUT", raising=False)
    assert gpu_run.main(["--tiny"]) == 2
    assert "PAPERLIB_OUTPUT" in capsys.readouterr().err


def test_spec_peak_lookup():
    assert gpu_run._spec_peak_gbps("NVIDIA H200") == 4800
    assert gpu_run._spec_peak_gbps("NVIDIA A100-SXM4-80GB") == 2039
    assert gpu_run._spec_peak_gbps("NVIDIA GH200 480GB") == 4000      # the longest key wins, not "H200"
    assert gpu_run._spec_peak_gbps("NVIDIA L40S") == 864 and gpu_run._spec_peak_gbps("NVIDIA L4") == 300
    assert gpu_run._spec_peak_gbps("Some Future GPU") is None
    with pytest.raises(SystemExit):
        gpu_run.main(["--only", "nope"])


def test_the_op_section_adds_the_kernel_paths_sweep_with_the_devices_peak():
    import torch

    tiny = gpu_run.section_kwargs("op", torch.device("cpu"), tiny=True)["kernel_paths"]
    assert tiny["rows"] == (2, 8) and tiny["peak_GBps"] is None and tiny["peak_basis"] == ""
    paper = gpu_run.section_kwargs("op", torch.device("cpu"), tiny=False)["kernel_paths"]
    assert paper["rows"] == (2, 8, 4096) and max(paper["ns"]) == 65536
    assert gpu_run.section_kwargs("bk_t5", torch.device("cpu"), tiny=False) == {}
    assert gpu_run.device_peak_GBps("cpu") == (None, "")
