"""Tests of the companion's spine: paths, atomic writes, ledger, profiles/parameters, data, figures, measure."""
import json
import os
import subprocess
import sys
import textwrap

import pandas as pd
import pytest
import yaml

from paperlib.common import atomic, paths
from paperlib.companion import ledger, profiles
from paperlib.common import data as pdata


# ---------------------------------------------------------------- paths
def test_paths_are_absolute_and_exist():
    for p in (paths.ROOT, paths.NOTEBOOKS, paths.DATA, paths.CLAIMS_REGISTRY):
        assert p.is_absolute() and p.exists()
    assert (paths.ROOT / "pyproject.toml").is_file()


def test_output_dir_rejects_unknown_profile():
    with pytest.raises(ValueError, match="unknown profile 'gpu'"):
        paths.output_dir("gpu")


def test_output_dir_layout(monkeypatch):
    monkeypatch.delenv("PAPERLIB_OUTPUT", raising=False)
    assert paths.output_dir("cpu") == paths.FIGURES / "cpu"
    assert paths.output_dir("smoke") == paths.BUILD / "smoke"


# ---------------------------------------------------------------- atomic writes
def test_atomic_write_leaves_nothing_on_error(tmp_path):
    target = tmp_path / "x.txt"
    atomic.write_text(target, "old")
    with pytest.raises(RuntimeError):
        with atomic.atomic_path(target) as tmp:
            tmp.write_text("half-writ")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.txt"]


def test_interrupted_writer_process_leaves_old_file(tmp_path):
    """A process killed in the middle of a write leaves the previous file intact."""
    target = tmp_path / "fig.txt"
    atomic.write_text(target, "complete")
    code = textwrap.dedent(f"""
        import os, signal
        from paperlib.common.atomic import atomic_path
        with atomic_path({str(target)!r}) as tmp:
            tmp.write_text("partial")
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", code], cwd=paths.ROOT)
    assert proc.returncode != 0
    assert target.read_text() == "complete"


# ---------------------------------------------------------------- ledger
REG = [
    {"id": "T-ONE", "paper": "scta", "where": "Table 1", "statement": "a", "paper_value": "2x", "unit": "x",
     "notebook": "99_test"},
    {"id": "T-TWO", "paper": "resnet-bk", "where": "Eq. 1", "statement": "b", "paper_value": "1",
     "unit": "", "notebook": "99_test"},
]


@pytest.fixture
def registry(tmp_path):
    folder = tmp_path / "claims"
    folder.mkdir()
    (folder / "t.yaml").write_text(yaml.safe_dump(REG))
    return ledger.load_registry(folder)


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
        rec.record("T-THREE", measured_value=1, verdict="reproduced", reason="r")


def test_unknown_verdict_is_an_error(registry, isolated_output):
    rec = ledger.Recorder("99_test", "smoke", registry=registry)
    with pytest.raises(ValueError, match="unknown verdict 'confirmed'"):
        rec.record("T-ONE", measured_value=1, verdict="confirmed", reason="r")
    with pytest.raises(ValueError, match="reason"):
        rec.record("T-ONE", measured_value=1, verdict="reproduced", reason=" ")


def test_headline_is_most_faithful_and_cpu_never_erases_paper(registry, monkeypatch, tmp_path):
    monkeypatch.setenv("PAPERLIB_OUTPUT", str(tmp_path / "o"))
    paper = ledger.Recorder("99_test", "paper", registry=registry)
    paper.device = "cuda: Fake GPU"
    paper.path = paths.output_dir("paper") / "ledger" / "99_test__cuda.json"
    paper.record("T-ONE", measured_value=4.4, verdict="reproduced", reason="gpu run")
    cpu = ledger.Recorder("99_test", "cpu", registry=registry)
    cpu.record("T-ONE", measured_value=1.2, verdict="not-reproduced", reason="cpu run")
    smoke = ledger.Recorder("99_test", "smoke", registry=registry)
    smoke.record("T-ONE", measured_value=0.1, verdict="not-reproduced", reason="tiny")
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
    rec.record("T-ONE", measured_value=1, verdict="reproduced", reason="first")
    rec2 = ledger.Recorder("99_test", "smoke", registry=registry)
    rec2.record("T-TWO", measured_value=2, verdict="refuted", reason="second")
    rec2.record("T-TWO", measured_value=3, verdict="refuted", reason="third")
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


def test_pipeline_cli_rejects_unknown_profile_and_notebook():
    for args, pattern in ((["run", "--profile", "laptop", "--only", "00_claims_overview"], "unknown profile"),
                          (["run", "--profile", "cpu", "--only", "00_claimz"], "unknown notebook")):
        proc = subprocess.run([sys.executable, "-m", "paperlib.companion.pipeline", *args], capture_output=True, text=True,
                              cwd=paths.ROOT)
        assert proc.returncode == 2, proc.stderr
        assert pattern in proc.stderr


# ---------------------------------------------------------------- data
def test_corrupt_data_file_is_an_error(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    (mirror / "tinyshakespeare").mkdir(parents=True)
    (mirror / "tinyshakespeare" / "input.txt").write_text("not shakespeare")
    monkeypatch.setenv("PAPERLIB_DATA_MIRROR", str(mirror))
    monkeypatch.setattr(pdata, "CACHE", tmp_path / "cache")
    with pytest.raises(pdata.DataError, match="checksum mismatch.*not used"):
        pdata.load_text("tinyshakespeare")


def test_missing_corpus_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERLIB_DATA_MIRROR", str(tmp_path / "empty"))
    monkeypatch.setattr(pdata, "CACHE", tmp_path / "cache")
    assert pdata.locate("wikitext-2") is None
    with pytest.raises(pdata.DataError, match="not available offline"):
        pdata.load_text("wikitext-2")
    assert pdata.load_text("auto").name == "chatterbot"
    with pytest.raises(ValueError, match="unknown corpus"):
        pdata.load_text("wikitext-103")


def test_mirror_files_verify(monkeypatch):
    mirror = paths.ROOT.parent / "shared" / "data"
    if not mirror.is_dir():
        pytest.skip("no offline mirror beside the checkout")
    monkeypatch.setenv("PAPERLIB_DATA_MIRROR", str(mirror))
    corpus = pdata.load_text("auto")
    assert corpus.name == "wikitext-2" and "VALIDATION" in corpus.label
    assert len(corpus.train.split()) == 213886 or len(corpus.train.split()) > 200000


def test_chatterbot_pairs_english_and_portuguese():
    en, pt = pdata.chatterbot_pairs("english"), pdata.chatterbot_pairs("portuguese")
    assert len(en) > 1000 and len(pt) > 200
    assert all(isinstance(a, str) and isinstance(b, str) and a and b for a, b in en + pt)
    assert any("ç" in a + b or "ã" in a + b for a, b in pt)
    with pytest.raises(ValueError, match="no language 'klingon'"):
        pdata.chatterbot_pairs("klingon")


def test_tokenizers_are_deterministic(tmp_path, monkeypatch):
    from paperlib.common import tokenize

    monkeypatch.setattr(tokenize, "CACHE", tmp_path)
    text = " ".join(a + " " + b for a, b in pdata.chatterbot_pairs("portuguese"))
    for kind in ("bpe", "word"):
        t1 = tokenize.train_tokenizer(text, kind=kind, vocab_size=300, cache=False)
        t2 = tokenize.train_tokenizer(text, kind=kind, vocab_size=300)
        t3 = tokenize.train_tokenizer(text, kind=kind, vocab_size=300)  # from the cache
        ids = [t.encode("Olá, como vai você?").ids for t in (t1, t2, t3)]
        assert ids[0] == ids[1] == ids[2] and t1.get_vocab_size() <= 300
    with pytest.raises(ValueError, match="unknown tokenizer kind"):
        tokenize.train_tokenizer(text, kind="char")


# ---------------------------------------------------------------- figures, tables, measure, progress
def test_figures_and_tables_are_deterministic_with_provenance(isolated_output):
    import matplotlib.pyplot as plt

    from paperlib.common.figures import save_table, savefig, use_house_style

    use_house_style()
    digests = []
    for _ in range(2):
        fig, ax = plt.subplots()
        ax.plot([0, 1], [1, 0])
        png = savefig(fig, "t_fig", profile="cpu")
        plt.close(fig)
        digests.append((png.read_bytes(), png.with_suffix(".pdf").read_bytes()))
    assert digests[0] == digests[1]
    prov = json.loads((png.parent / "t_fig.provenance.json").read_text())
    assert prov["profile"] == "cpu" and "device" in prov and "torch" in prov and "commit" in prov
    csv = save_table(pd.DataFrame({"a": [1.0, 2.5], "b": ["x", "y"]}), "t_tab", profile="cpu")
    assert csv.read_text().splitlines()[0] == "a,b"
    assert "\\toprule" in csv.with_suffix(".tex").read_text()
    assert "|" in csv.with_suffix(".md").read_text()
    with pytest.raises(ValueError, match="output name"):
        save_table(pd.DataFrame(), "../escape", profile="cpu")


def test_time_callable_counts_calls():
    from paperlib.common.measure import time_callable

    calls = []
    t = time_callable(lambda: calls.append(1), warmup=2, repeats=5)
    assert len(calls) == 7 and t.repeats == 5 and t.median >= 0 and t.iqr >= 0
    with pytest.raises(ValueError):
        time_callable(lambda: None, repeats=0)


def test_peak_rss_subprocess_sees_a_real_allocation():
    from paperlib.common.measure import peak_rss_subprocess

    small = peak_rss_subprocess("paperlib.companion._selftest:allocate", {"mb": 1})
    big = peak_rss_subprocess("paperlib.companion._selftest:allocate", {"mb": 200})
    assert small["status"] == "ok" and big["result"] == 200
    assert big["peak_rss_mb"] - small["peak_rss_mb"] > 150
    assert 190 < big["peak_above_baseline_mb"] < 260
    oom = peak_rss_subprocess("paperlib.companion._selftest:allocate", {"mb": -1})
    assert oom["status"] == "oom" and "MemoryError" in oom["reason"]


def test_fingerprint_fields():
    from paperlib.common.measure import fingerprint

    fp = fingerprint()
    for k in ("device", "cpu", "threads", "torch", "numpy", "commit"):
        assert k in fp
    assert fp["device"].startswith(("cpu:", "cuda:"))


def test_progress_is_quiet_in_ci(monkeypatch):
    from paperlib.common.progress import progress

    monkeypatch.setenv("PAPERLIB_PROGRESS", "0")
    bar = progress(range(3), desc="x")
    assert bar.disable and list(bar) == [0, 1, 2]


def test_seed_everything_is_reproducible():
    import torch

    from paperlib import seed_everything

    seed_everything(3)
    a = torch.rand(4)
    g = seed_everything(3)
    assert torch.equal(a, torch.rand(4))
    assert torch.equal(torch.rand(2, generator=g), torch.rand(2, generator=seed_everything(3)))
    with pytest.raises(TypeError):
        seed_everything(1.5)


# ---------------------------------------------------------------- the pipeline, end to end on two tiny notebooks
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
    assert "python -m paperlib.companion.kernel" in post
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
    extras = re.search(r"^EXTRAS\s*\?=\s*(\S+)", make, re.M).group(1)
    floor = re.search(r"^TORCH_FLOOR\s*:=\s*(\S+)", make, re.M).group(1)
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    pip_args = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert spec in pip_args and f"-e .[{extras}]" in pip_args
    post = (paths.ROOT / ".binder" / "postBuild").read_text()
    assert spec in post and f"-e .[{extras}]" in post
    assert f'"torch>={floor}"' in (paths.ROOT / "pyproject.toml").read_text()


# ---------------------------------------------------------------- one of each shared helper (common.checks/stats)
def test_pos_int_accepts_ints_and_numpy_ints_only():
    import numpy as np

    from paperlib.common.checks import pos_int

    assert pos_int(3, "n") == 3 and pos_int(np.int64(2), "n") == 2
    for bad, exc in ((0, ValueError), (True, TypeError), (2.0, TypeError)):
        with pytest.raises(exc, match="n must be"):
            pos_int(bad, "n")


def test_check_xy_and_relative_error():
    import numpy as np

    from paperlib.common.checks import check_xy, relative_error

    X, Y, was_1d = check_xy(np.ones((3, 2)), [1.0, 2.0, 3.0])
    assert X.shape == (3, 2) and Y.shape == (3, 1) and was_1d
    with pytest.raises(ValueError, match="same number of rows"):
        check_xy(np.ones((3, 2)), np.ones(4))
    with pytest.raises(ValueError, match="no columns"):
        check_xy(np.ones((3, 2)), np.ones((3, 0)))
    assert relative_error([1.0, 1.0], [1.0, 0.0]) == pytest.approx(1.0)
    assert relative_error([0.5], [0.0]) == 0.5


def test_fit_power_law_recovers_exponents_and_rejects_bad_input():
    import numpy as np

    from paperlib.common.stats import fit_power_law

    n = np.array([1e3, 2e3, 4e3, 8e3])
    f = fit_power_law(n, 5e-7 * n**1.25)
    assert f["exponent"] == pytest.approx(1.25) and f["prefactor"] == pytest.approx(5e-7) and f["r2"] > 0.999
    for x, y in (([1.0], [1.0]), ([1.0, 2.0], [1.0, -1.0]), ([2.0, 2.0], [1.0, 2.0])):
        with pytest.raises(ValueError):
            fit_power_law(x, y)


def test_time_callable_setup_is_untimed_and_fresh_per_call():
    import time as _time

    from paperlib.common.measure import time_callable

    made, used = [], []

    def setup():
        _time.sleep(0.02)  # untimed
        made.append(object())
        return made[-1]

    t = time_callable(lambda obj: used.append(obj), setup=setup, warmup=1, repeats=3, sync_cuda=False)
    assert len(made) == 4 and used == made and t.repeats == 3
    assert t.median < 0.01
