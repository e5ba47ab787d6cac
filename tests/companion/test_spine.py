"""Tests of the companion's spine: the claims ledger, profiles and parameters, the pipeline, set-up pins."""
import json
import subprocess
import sys

import pytest
import yaml

from paperlib.common import paths
from paperlib.common.verdicts import Verdict
from paperlib.companion import ledger, profiles


# ---------------------------------------------------------------- ledger
REG = [
    {"id": "T-ONE", "paper": "scta", "where": "Table 1", "statement": "a", "paper_value": "2x", "unit": "x",
     "notebook": "99_test"},
    {"id": "T-TWO", "paper": "resnet-bk", "where": "Eq. 1", "statement": "b", "paper_value": "1",
     "unit": "", "notebook": "99_test"},
]


@pytest.fixture
def registry(registry_from):
    return registry_from(REG)


def test_real_registry_loads_and_names_existing_notebooks():
    reg = ledger.load_registry()
    assert reg, "the claims registry is empty"
    known = {p.stem for p in paths.NOTEBOOKS.glob("[0-9][0-9]_*.py")}
    missing = {c.id: c.notebook for c in reg.values() if c.notebook not in known}
    assert not missing, f"claims name notebooks that do not exist: {missing}"


def test_registry_rejects_duplicates_and_unknown_paper(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "a.yaml").write_text(yaml.safe_dump(REG + [REG[0]]))
    with pytest.raises(ValueError, match="registered twice"):
        ledger.load_registry(folder)
    (folder / "a.yaml").write_text(yaml.safe_dump([{**REG[0], "paper": "nature"}]))
    with pytest.raises(ValueError, match="unknown paper"):
        ledger.load_registry(folder)


def test_unknown_claim_id_is_an_error(registry, isolated_output):
    rec = ledger.Recorder("99_test", "smoke", registry=registry)
    with pytest.raises(ValueError, match="unknown claim id 'T-THREE'"):
        rec.record(Verdict("T-THREE", "reproduced", "r", 1))


def test_unknown_verdict_is_an_error(registry, isolated_output):
    rec = ledger.Recorder("99_test", "smoke", registry=registry)
    with pytest.raises(ValueError, match="unknown verdict 'confirmed'"):
        rec.record(Verdict("T-ONE", "confirmed", "r", 1))
    with pytest.raises(ValueError, match="reason"):
        rec.record(Verdict("T-ONE", "reproduced", " ", 1))
    with pytest.raises(TypeError, match="a rule's Verdict"):
        rec.record("T-ONE")


def test_a_rules_verdict_is_recorded_as_it_is(registry, isolated_output):
    rec = ledger.Recorder("99_test", "smoke", registry=registry)
    r = rec.record(Verdict("T-ONE", "partially-reproduced", "ratio 1.7x vs the paper's 2x", "1.7x"), evidence="fig: t")
    assert (r["verdict"], r["measured_value"], r["evidence"]) == ("partially-reproduced", "1.7x", "fig: t")
    with pytest.raises(ValueError, match="unknown claim id"):
        rec.record(Verdict("T-NINE", "reproduced", "r"))


def test_headline_is_most_faithful_and_cpu_never_erases_paper(registry, monkeypatch, tmp_path):
    monkeypatch.setenv("PAPERLIB_OUTPUT", str(tmp_path / "o"))
    paper = ledger.Recorder("99_test", "paper", registry=registry)
    paper.device = "cuda: Fake GPU"
    paper.path = paths.output_dir("paper") / "ledger" / "99_test__cuda.json"
    paper.record(Verdict("T-ONE", "reproduced", "gpu run", 4.4))
    cpu = ledger.Recorder("99_test", "cpu", registry=registry)
    cpu.record(Verdict("T-ONE", "not-reproduced", "cpu run", 1.2))
    smoke = ledger.Recorder("99_test", "smoke", registry=registry)
    smoke.record(Verdict("T-ONE", "not-reproduced", "tiny", 0.1))
    results = ledger.load_results([tmp_path / "o" / p / "ledger" for p in paths.PROFILES])
    assert len(results) == 3
    table = ledger.aggregate(registry, results)
    one = next(r for r in table if r["id"] == "T-ONE")
    assert one["profile"] == "paper" and one["verdict"] == "reproduced"
    assert {r["profile"] for r in one["other_runs"]} == {"cpu", "smoke"}
    two = next(r for r in table if r["id"] == "T-TWO")
    assert two["verdict"] == "pending"
    for field in ("id", "paper", "statement", "paper_value", "measured_value", "unit", "verdict", "reason",
                  "notebook", "profile", "device"):
        assert field in one and field in two
    out = tmp_path / "agg"
    ledger.write_outputs(table, out)
    assert json.loads((out / "claims.json").read_text())[0]["id"] in {"T-ONE", "T-TWO"}
    md = (out / "CLAIMS.md").read_text()
    assert "T-TWO" in md and "Still pending" in md
    counts = ledger.verdict_counts(table)
    assert counts.loc["scta", "reproduced"] == 1 and counts.loc["resnet-bk", "pending"] == 1


def test_rerecording_replaces_and_keeps_other_claims(registry, isolated_output):
    rec = ledger.Recorder("99_test", "smoke", registry=registry)
    rec.record(Verdict("T-ONE", "reproduced", "first", 1))
    rec2 = ledger.Recorder("99_test", "smoke", registry=registry)
    rec2.record(Verdict("T-TWO", "refuted", "second", 2))
    rec2.record(Verdict("T-TWO", "refuted", "third", 3))
    saved = json.loads(rec2.path.read_text())["records"]
    assert [(r["id"], r["reason"]) for r in saved] == [("T-ONE", "first"), ("T-TWO", "third")]
    assert list(rec2.summary()["id"]) == ["T-TWO"]


# ---------------------------------------------------------------- profiles and parameters
NB = '''# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: paperlib
#     language: python
#     name: paperlib
# ---

# %% tags=["parameters"]
PROFILE = "smoke"
N_MAX = 64
EPS = 0.5
SEEDS = [0, 1]
LABEL = "x"

# %%
print(N_MAX)
'''


@pytest.fixture
def fake_notebook(tmp_path, monkeypatch):
    nbdir = tmp_path / "notebooks"
    (nbdir / "params").mkdir(parents=True)
    (nbdir / "98_fake.py").write_text(NB)
    monkeypatch.setattr(paths, "NOTEBOOKS", nbdir)
    monkeypatch.setattr(paths, "PARAMS", nbdir / "params")
    return nbdir


def _params(nbdir, doc):
    (nbdir / "params" / "98_fake.yaml").write_text(yaml.safe_dump(doc))


def test_parameters_cell_is_parsed(fake_notebook):
    assert profiles.default_parameters("98_fake") == {"PROFILE": "smoke", "N_MAX": 64, "EPS": 0.5,
                                                      "SEEDS": [0, 1], "LABEL": "x"}


def test_valid_overrides_resolve(fake_notebook):
    _params(fake_notebook, {"cpu": {"N_MAX": 4096, "EPS": 1, "SEEDS": [0, 1, 2]}})
    assert profiles.resolve("98_fake", "cpu") == {"PROFILE": "cpu", "N_MAX": 4096, "EPS": 1, "SEEDS": [0, 1, 2]}
    assert profiles.resolve("98_fake", "smoke") == {"PROFILE": "smoke"}


def test_misspelt_parameter_names_notebook_and_parameter(fake_notebook):
    _params(fake_notebook, {"cpu": {"N_MAXX": 4096}})
    with pytest.raises(profiles.ParameterError, match=r"98_fake.*'N_MAXX'.*did you mean N_MAX"):
        profiles.resolve("98_fake", "cpu")


def test_wrong_type_is_an_error(fake_notebook):
    _params(fake_notebook, {"paper": {"N_MAX": "big"}})
    with pytest.raises(profiles.ParameterError, match="N_MAX should be int"):
        profiles.resolve("98_fake", "paper")
    _params(fake_notebook, {"paper": {"SEEDS": [0, "one"]}})
    with pytest.raises(profiles.ParameterError, match="SEEDS"):
        profiles.resolve("98_fake", "paper")


def test_unknown_profile_is_an_error(fake_notebook):
    with pytest.raises(profiles.ParameterError, match="unknown profile 'gpu'"):
        profiles.resolve("98_fake", "gpu")
    _params(fake_notebook, {"laptop": {"N_MAX": 1}})
    with pytest.raises(profiles.ParameterError, match="unknown profile section 'laptop'"):
        profiles.resolve("98_fake", "cpu")


def test_unknown_notebook_is_an_error(fake_notebook):
    with pytest.raises(profiles.ParameterError, match="no notebook '97_none'"):
        profiles.resolve("97_none", "cpu")


def test_every_real_notebook_parameter_file_is_valid():
    from paperlib.companion.pipeline import check_params

    assert check_params() == 0


@pytest.mark.slow  # two subprocesses
def test_pipeline_cli_rejects_unknown_profile_and_notebook():
    for args, pattern in ((["run", "--profile", "laptop", "--only", "00_claims_overview"], "unknown profile"),
                          (["run", "--profile", "cpu", "--only", "00_claimz"], "unknown notebook")):
        proc = subprocess.run([sys.executable, "-m", "paperlib.companion.pipeline", *args], capture_output=True, text=True,
                              cwd=paths.ROOT)
        assert proc.returncode == 2, proc.stderr
        assert pattern in proc.stderr


# ---------------------------------------------------------------- the pipeline, end to end on two tiny notebooks
@pytest.mark.slow
@pytest.mark.integration  # runs notebooks in Jupyter kernels
def test_failing_notebook_fails_the_run_after_the_others(fake_notebook, tmp_path, monkeypatch, capsys):
    from paperlib.companion import pipeline

    (fake_notebook / "97_broken.py").write_text(NB.replace("print(N_MAX)", "raise RuntimeError('boom 42')"))
    monkeypatch.setattr(paths, "BUILD", tmp_path / "build")
    monkeypatch.setattr(paths, "FIGURES", tmp_path / "figures")
    monkeypatch.setenv("PAPERLIB_OUTPUT", str(tmp_path / "out"))
    rc = pipeline.run("smoke", None, progress=False)
    err = capsys.readouterr().err
    assert rc == 1
    assert "97_broken" in err and "boom 42" in err and "97_broken.failed.ipynb" in err
    built = sorted(p.name for p in (tmp_path / "build" / "smoke").iterdir())
    assert built == ["97_broken.failed.ipynb", "98_fake.ipynb"]  # no temporary files left behind
    # smoke results are throwaway: their ledger view goes beside them, never into figures/
    assert (tmp_path / "out" / "smoke" / "claims.json").is_file()
    assert not (tmp_path / "figures").exists()


def test_readme_summary_is_replaced_between_markers(registry, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{ledger.README_START}\nold\n{ledger.README_END}\nfooter\n")
    table = ledger.aggregate(registry, [])
    assert ledger.update_readme(table, readme)
    text = readme.read_text()
    assert not ledger.update_readme(table, tmp_path / "missing.md")
    assert "old" not in text and "`T-ONE` pending" in text and text.endswith("footer\n")


def test_conda_and_binder_install_the_same_thing():
    """environment.yml (conda) and .binder/postBuild (Binder) install pyproject.toml with the same pins."""
    import yaml

    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    pip_args = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    post = (paths.ROOT / ".binder" / "postBuild").read_text()
    for arg in pip_args:
        assert arg in post, f".binder/postBuild lacks {arg!r} from environment.yml"
    assert "python -m paperlib.companion.jupyter_kernel" in post
    benv = yaml.safe_load((paths.ROOT / ".binder" / "environment.yml").read_text())
    assert [d for d in benv["dependencies"] if isinstance(d, str)] == \
        [d for d in env["dependencies"] if isinstance(d, str)], "same Python for conda and Binder"


def test_setup_pins_agree_and_leave_torch_to_the_machine():
    """constraints.txt never pins torch (a CUDA machine keeps its own); the tested torch release and the
    extras are the same in the Makefile, environment.yml and .binder/postBuild."""
    import re

    import yaml

    cons = (paths.ROOT / "constraints.txt").read_text().splitlines()
    assert not [c for c in cons if c.lower().startswith("torch==")]
    make = (paths.ROOT / "Makefile").read_text()
    spec = re.search(r"^TORCH_SPEC\s*\?=\s*(\S+)", make, re.M).group(1)
    extras = re.search(r"^DEFAULT_EXTRAS\s*:=\s*(\S+)", make, re.M).group(1)
    floor = re.search(r"^TORCH_FLOOR\s*:=\s*(\S+)", make, re.M).group(1)
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    pip_args = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert spec in pip_args and f"-e .[{extras}]" in pip_args
    post = (paths.ROOT / ".binder" / "postBuild").read_text()
    assert spec in post and f"-e .[{extras}]" in post
    assert f'"torch>={floor}"' in (paths.ROOT / "pyproject.toml").read_text()


@pytest.mark.slow
@pytest.mark.integration  # runs notebooks in Jupyter kernels, on a two-worker Dask cluster
def test_chapters_on_a_local_cluster_give_the_serial_results(tmp_path, monkeypatch):
    """`make figures SCHEDULER=local:2` (pipeline run --scheduler local:2): two chapters executed by two Dask
    workers record the same verdicts and measured values as the same chapters run one after another."""
    pytest.importorskip("dask.distributed")
    from paperlib.companion import pipeline

    got = {}
    for spec in ("", "local:2"):
        out = tmp_path / (spec.replace(":", "") or "serial")
        monkeypatch.setenv("PAPERLIB_OUTPUT", str(out))
        monkeypatch.setenv("PAPERLIB_PROGRESS", "0")
        assert pipeline.run("smoke", ["10_bk_operator", "20_scta_method"], progress=False, scheduler=spec) == 0
        table = json.loads((out / "smoke" / "claims.json").read_text())
        got[spec] = sorted((r["id"], r["verdict"], r["measured_value"]) for r in table)
    assert got[""] and got[""] == got["local:2"]
