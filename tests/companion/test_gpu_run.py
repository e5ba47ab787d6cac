"""The GPU run's CPU rehearsal (python -m paperlib.companion.gpu_run --tiny): the whole flow at tiny sizes, in a temporary
PAPERLIB_OUTPUT, with the modules the GPU machine may lack (scipy, tqdm, matplotlib, tabulate, jinja2) blocked."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from paperlib.companion import gpu_run
from paperlib.common import paths

BLOCKED = ("scipy", "tqdm", "matplotlib", "tabulate", "jinja2")
CLAIMS = {"14_bk_params_memory": {"BK-S44-PERF"}, "15_bk_throughput_scaling": {"BK-T6-TPUT"},
          "21_scta_speedup_vs_vocab": {"SCTA-T1-SPEEDUP", "SCTA-T1-TPUT", "SCTA-1M-CONSUMER", "SCTA-ENERGY"}}


def test_tiny_rehearsal_writes_records_and_tables_only_into_paperlib_output(tmp_path):
    out = tmp_path / "out"
    code = (f"import sys\nfor m in {BLOCKED!r}: sys.modules[m] = None\n"
            "from paperlib.companion.gpu_run import main\nsys.exit(main(['--tiny']))\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PAPERLIB_DEVICE", "TRITON_INTERPRET")}
    env.update(PAPERLIB_OUTPUT=str(out), PAPERLIB_PROGRESS="0",
               PYTHONPATH=str(paths.ROOT) + os.pathsep + env.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.stdout.startswith("gpu_run versions: ")  # versions first
    versions = json.loads(proc.stdout.splitlines()[0].split(": ", 1)[1])
    assert versions["scipy"].startswith("missing") and "torch" in versions and versions["device"] == "cpu"
    summary = json.loads((out / "smoke" / "gpu_run" / "summary.json").read_text())
    assert summary["tiny"] and summary["profile"] == "smoke"
    assert {k: s["status"] for k, s in summary["sections"].items()} == {k: "ok" for k in gpu_run.SECTIONS}
    assert summary["output_root"].startswith(str(out))
    assert all(t.startswith(str(out)) for t in summary["tables"])
    for name in ("bk_core_op_vs_n", "bk_core_op_checks", "bk_s44", "bk_table6", "scta_bench_rows"):
        assert (out / "smoke" / "gpu_run" / f"{name}.csv").stat().st_size > 0
    for nb, ids in CLAIMS.items():
        recs = json.loads((out / "smoke" / "ledger" / f"{nb}__cpu.json").read_text())["records"]
        assert {r["id"] for r in recs} == ids
        assert all(r["verdict"] == "pending" and r["profile"] == "smoke" for r in recs)  # CPU: GPU claims stay pending
    op = summary["sections"]["op"]["result"]
    checks = {(c["check"], c["method"]): c for c in op["checks"]}
    assert checks[("max rel err vs float64 scan", "scan")]["value"] < 1e-5
    if ("max rel err vs float64 scan", "triton") in checks:  # the kernel rehearsed in the Triton interpreter
        assert checks[("max rel err vs float64 scan", "triton")]["value"] < 1e-5


def test_tiny_refuses_without_paperlib_output(monkeypatch, capsys):
    monkeypatch.delenv("PAPERLIB_OUTPUT", raising=False)
    assert gpu_run.main(["--tiny"]) == 2
    assert "PAPERLIB_OUTPUT" in capsys.readouterr().err


def test_spec_peak_lookup():
    assert gpu_run._spec_peak_gbps("NVIDIA H200") == 4800
    assert gpu_run._spec_peak_gbps("NVIDIA A100-SXM4-80GB") == 2039
    assert gpu_run._spec_peak_gbps("Some Future GPU") is None
    with pytest.raises(SystemExit):
        gpu_run.main(["--only", "nope"])
