"""`make verify` (companion.verify): a re-run beside the committed ledger, without touching tracked files."""
import json
import subprocess
import sys

import pytest

from paperlib.common import paths
from paperlib.companion import verify


def _rec(cid, verdict, nb="10_bk_operator", **kw):
    return {"id": cid, "verdict": verdict, "notebook": nb, "measured_value": "m", "device": "cpu: X",
            "commit": "abc", **kw}


def test_agreement_needs_both_spreads_and_compares_intervals():
    a = _rec("A", "reproduced", value=1.0, spread=[0.9, 1.1])
    assert verify.agreement(a, _rec("A", "reproduced", value=1.15, spread=[1.05, 1.2])) == "agree"
    assert verify.agreement(a, _rec("A", "reproduced", value=2.0, spread=[1.8, 2.2])) == "differ"
    assert verify.agreement(a, _rec("A", "reproduced")) == "no spread recorded"


def test_compare_and_reports_flag_a_differing_verdict(tmp_path):
    rows = verify.compare({"A": _rec("A", "reproduced"), "B": _rec("B", "pending")},
                          {"A": _rec("A", "not-reproduced"), "B": _rec("B", "pending")})
    assert [(r["claim"], r["same verdict"]) for r in rows] == [("A", False), ("B", True)]
    md = verify.render_markdown(rows, "cpu", failed=["13_bk_core"])
    assert "1 verdict(s) differ: A." in md and "| A | not-reproduced | reproduced | NO |" in md
    assert "Chapters that failed" in md and 'class="differs"' in verify.render_html(rows, "cpu", [])
    assert verify.compare({"C": _rec("C", "pending")}, {})[0]["published"] == "(none published)"


def test_select_by_paper_and_refuse_unknowns():
    bk = verify.select("resnet-bk")
    assert bk and all(n.startswith("1") for n in bk) and "00_claims_overview" not in verify.select()
    with pytest.raises(ValueError, match="unknown paper"):
        verify.select("nope")
    with pytest.raises(ValueError, match="unknown notebook"):
        verify.select(only=["99_nope"])


def test_cli_refuses_a_wrong_profile_before_running_anything():
    r = subprocess.run([sys.executable, "-m", "paperlib.companion.verify", "--profile", "fast"],
                       capture_output=True, text=True, cwd=paths.ROOT)
    assert r.returncode == 2 and "fast" in r.stderr


@pytest.mark.slow
@pytest.mark.integration  # runs a notebook in a Jupyter kernel
def test_verify_runs_into_build_and_exits_non_zero_on_a_forced_disagreement(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERLIB_PROGRESS", "0")
    out = tmp_path / "verify"
    verify.run("smoke", only=["10_bk_operator"], out=out)
    recs = {}
    for f in (out / "outputs" / "smoke" / "ledger").glob("*.json"):
        recs.update({r["id"]: r for r in json.loads(f.read_text())["records"]})
    assert recs and (out / "verify.md").is_file() and (out / "verify.html").is_file()
    # a committed ledger equal to this run: exit 0; one verdict changed: exit 1 and the claim is named
    figs = tmp_path / "figures"
    (figs / "smoke" / "ledger").mkdir(parents=True)
    same = {"records": list(recs.values())}
    (figs / "smoke" / "ledger" / "x.json").write_text(json.dumps(same))
    assert verify.report("smoke", ["10_bk_operator"], out, [], figures=figs) == 0
    first = sorted(recs)[0]
    forced = [dict(r, verdict="not-testable" if r["verdict"] != "not-testable" else "pending")
              if r["id"] == first else r for r in recs.values()]
    (figs / "smoke" / "ledger" / "x.json").write_text(json.dumps({"records": forced}))
    assert verify.report("smoke", ["10_bk_operator"], out, [], figures=figs) == 1
    assert f"differ: {first}." in (out / "verify.md").read_text()
