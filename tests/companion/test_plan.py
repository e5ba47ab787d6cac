"""The cost plan printed before a long run (paperlib.companion.plan): every chapter, its configuration, an
estimate labelled as one, work that grows with the profile for the training chapters, and the basis named."""
from __future__ import annotations

import pytest

from paperlib.common import paths
from paperlib.companion import plan

H100 = "NVIDIA H100 80GB HBM3"


def test_the_plan_has_every_chapter_with_an_estimate_and_its_basis(capsys):
    df = plan.plan("smoke", device=H100)
    chapters = sorted(p.stem for p in paths.NOTEBOOKS.glob("[0-9][0-9]_*.py"))
    assert df.chapter.tolist() == chapters
    assert (df.est_seconds > 0).all() and (df.work > 0).all() and (df.configuration == "as smoke").all()
    assert set(df.estimate) == {plan.ESTIMATE} and "estimate" in plan.ESTIMATE
    assert df.peak.iloc[0] == pytest.approx(67e12) and "spec" in df.peak_basis.iloc[0]
    assert df.set_index("chapter").loc["16_bk_training", "basis"].startswith("OpCounter")
    text = plan.print_plan(df)
    assert text == capsys.readouterr().out.strip()
    assert "ESTIMATES" in text and all(b in text for b in df.basis)             # the printout names the basis
    assert all(c in text for c in chapters)


def test_training_chapters_cost_more_under_bigger_profiles():
    cost = {p: plan.plan(p, plan.TRAINING, device=H100).set_index("chapter").est_seconds for p in ("smoke", "cpu", "paper")}
    for ch in plan.TRAINING:
        assert cost["paper"][ch] >= cost["cpu"][ch] >= cost["smoke"][ch], ch


def test_configuration_names_what_differs_from_smoke():
    text = plan.configuration("22_scta_quality", "paper")
    assert "V 50000" in text and "SEED" not in text
    assert plan.configuration("22_scta_quality", "smoke") == "as smoke"


def test_the_peak_is_a_spec_by_name_or_measured():
    assert plan.device_peak("NVIDIA GH200 480GB")[0] == pytest.approx(67e12)       # the longest name wins
    assert plan.device_peak("NVIDIA A100-SXM4-80GB")[0] == pytest.approx(19.5e12)
    rate, basis = plan.device_peak("cpu")
    assert rate > 0 and basis.startswith("measured")


def test_announce_never_fails_the_run(capsys, monkeypatch):
    monkeypatch.setattr(plan, "plan", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    assert plan.announce("paper").startswith("Cost plan unavailable (RuntimeError: boom)")
