"""companion.chapter: one object per notebook run, bound to notebook, profile, seed, device and output root;
the runner injects NOTEBOOK/OUTPUT_ROOT as parameters and the converted chapters pass no profile by hand."""
import json
import re

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from paperlib.common import paths  # noqa: E402
from paperlib.common.verdicts import Measurement, Verdict  # noqa: E402
from paperlib.companion import profiles  # noqa: E402
from paperlib.companion.chapter import Chapter, open_chapter, parameters_of  # noqa: E402

REG = [{"id": "T-ONE", "paper": "scta", "where": "Table 1", "statement": "a", "paper_value": "2x", "unit": "x",
        "notebook": "99_test"},
       {"id": "T-TWO", "paper": "scta", "where": "Table 2", "statement": "b", "paper_value": "1", "unit": "",
        "notebook": "99_test"}]
CHAPTERS = sorted(p.stem for p in paths.NOTEBOOKS.glob("[0-9][0-9]_*.py"))


@pytest.fixture
def registry(registry_from):
    return registry_from(REG)


def test_outputs_go_to_the_given_root_not_the_environment(tmp_path, monkeypatch, registry):
    monkeypatch.setenv("PAPERLIB_OUTPUT", str(tmp_path / "env"))   # the harness fallback loses to an explicit root
    ch = Chapter("99_test", "cpu", 3, tmp_path / "given", {"PROFILE": "cpu"}, registry=registry)
    assert ch.out_dir == (tmp_path / "given" / "cpu").resolve()
    fig, ax = plt.subplots(layout="constrained")
    ax.plot([0, 1], [1, 2])
    ax.set(xlabel="x", ylabel="y")
    png = ch.savefig(fig, "f_one")
    plt.close(fig)
    csv = ch.save_table(pd.DataFrame({"a": [1]}), "t_one")
    assert png.parent == csv.parent == ch.out_dir
    for name in ("f_one", "t_one"):
        meta = json.loads((ch.out_dir / f"{name}.provenance.json").read_text())
        assert (meta["notebook"], meta["profile"]) == ("99_test", "cpu")
    assert not (tmp_path / "env").exists()


def test_empty_output_root_falls_back_to_the_harness_variable_then_the_defaults(tmp_path, monkeypatch, registry):
    monkeypatch.setenv("PAPERLIB_OUTPUT", str(tmp_path / "env"))
    assert Chapter("99_test", "smoke", registry=registry).out_dir == (tmp_path / "env" / "smoke").resolve()
    monkeypatch.delenv("PAPERLIB_OUTPUT")
    assert Chapter("99_test", "smoke", registry=registry).out_dir == paths.BUILD / "smoke"
    assert Chapter("99_test", "cpu", registry=registry).out_dir == paths.FIGURES / "cpu"


def test_record_all_and_save_tables_take_a_measurement(tmp_path, registry):
    ch = Chapter("99_test", "smoke", 0, tmp_path, registry=registry)
    m = Measurement(tables={"t_a": pd.DataFrame({"x": [1]}), "t_b": pd.DataFrame({"y": [2]})},
                    verdicts=[Verdict("T-ONE", "reproduced", "r1", 2.0), Verdict("T-TWO", "refuted", "r2", 0)],
                    evidence={"T-ONE": "table t_a"})
    saved = ch.save_tables(m)
    assert [p.name for p in saved] == ["t_a.csv", "t_b.csv"]
    rows = ch.record_all(m)
    assert [(r["id"], r["verdict"], r["evidence"]) for r in rows] == [("T-ONE", "reproduced", "table t_a"),
                                                                       ("T-TWO", "refuted", "")]
    stored = json.loads((tmp_path.resolve() / "smoke" / "ledger" / "99_test__cpu.json").read_text())
    assert {r["id"] for r in stored["records"]} == {"T-ONE", "T-TWO"} and stored["notebook"] == "99_test"
    assert list(ch.summary()["id"]) == ["T-ONE", "T-TWO"]
    assert ch.beside_headline(tmp_path / "none.json").table()["this run (smoke)"].tolist() == ["reproduced", "refuted"]
    fig, ax = plt.subplots()
    assert ch.verdict_subtitle(ax, m.verdicts[1], title="T") == "T\nverdict (smoke run): refuted"
    plt.close(fig)


def test_open_chapter_reads_the_parameters_seeds_and_prints_a_true_banner(tmp_path, capsys):
    import numpy as np

    ns = {"NOTEBOOK": "01_scn_similarity", "PROFILE": "smoke", "OUTPUT_ROOT": str(tmp_path), "SEED": 7,
          "N_TRIALS": 3, "PAPER_STYLE": {"not": "a parameter"}, "np": np}
    ch = open_chapter(ns)
    first = np.random.rand()
    np.random.seed(7)
    assert first == np.random.rand()                                   # seeded with SEED
    assert (ch.notebook, ch.profile, ch.seed) == ("01_scn_similarity", "smoke", 7)
    assert dict(ch.params) == {"NOTEBOOK": "01_scn_similarity", "PROFILE": "smoke", "OUTPUT_ROOT": str(tmp_path),
                               "SEED": 7, "N_TRIALS": 3}             # the parameters cell's names only
    out = capsys.readouterr().out
    assert f"profile smoke, seed 7, device {ch.device.type}; outputs in {tmp_path.resolve() / 'smoke'}/" in out
    assert "smoke run" in out
    assert "commit" in ch.footer() and "01_scn_similarity" in ch.footer()
    with pytest.raises(ValueError, match="must set OUTPUT_ROOT"):
        open_chapter({"NOTEBOOK": "01_x", "PROFILE": "smoke"})
    with pytest.raises(ValueError, match="unknown profile 'gpu'"):
        open_chapter({"NOTEBOOK": "01_x", "PROFILE": "gpu", "OUTPUT_ROOT": ""})
    with pytest.raises(ValueError, match="NOTEBOOK must name the notebook file"):
        Chapter("scn", "smoke")
    # without the notebook's source, the UPPERCASE plain names are the parameters
    assert parameters_of({"A": 1, "B_2": [1], "c": 2, "D": object(), "np": np}) == {"A": 1, "B_2": [1]}


def test_runner_injects_output_root_and_checks_the_notebook_name(tmp_path, monkeypatch):
    nbdir = tmp_path / "notebooks"
    (nbdir / "params").mkdir(parents=True)
    src = '# %% tags=["parameters"]\nNOTEBOOK = "98_fake"\nPROFILE = "smoke"\nOUTPUT_ROOT = ""\nN = 1\n'
    (nbdir / "98_fake.py").write_text(src)
    monkeypatch.setattr(paths, "NOTEBOOKS", nbdir)
    monkeypatch.setattr(paths, "PARAMS", nbdir / "params")
    assert profiles.resolve("98_fake", "cpu", tmp_path / "stage") == {"PROFILE": "cpu",
                                                                      "OUTPUT_ROOT": str(tmp_path / "stage")}
    (nbdir / "98_fake.py").write_text(src.replace('NOTEBOOK = "98_fake"', 'NOTEBOOK = "97_other"'))
    with pytest.raises(profiles.ParameterError, match="must be the file's name, '98_fake'"):
        profiles.resolve("98_fake", "cpu")
    (nbdir / "98_fake.py").write_text(src)
    (nbdir / "params" / "98_fake.yaml").write_text("cpu:\n  OUTPUT_ROOT: /elsewhere\n")
    with pytest.raises(profiles.ParameterError, match="OUTPUT_ROOT is set by the runner"):
        profiles.resolve("98_fake", "cpu")


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_chapter_passes_no_profile_by_hand(name):
    src = (paths.NOTEBOOKS / f"{name}.py").read_text()
    params = profiles.default_parameters(name)
    assert params["NOTEBOOK"] == name and params["OUTPUT_ROOT"] == ""
    assert "profile=PROFILE" not in src and not re.search(r"\bRecorder\(", src)
    assert src.count("ch = open_chapter(globals())") == 1 and src.count("ch.footer()") == 1


def test_the_profile_table_is_the_one_source():
    from paperlib.companion import book

    assert paths.PROFILES == ("smoke", "cpu", "paper") and paths.PUBLISHED_PROFILES == ("cpu", "paper")
    assert paths.MOST_FAITHFUL_FIRST == ("paper", "cpu", "smoke")
    assert [r.parent.name for r in paths.published_ledger_roots()] == ["paper", "cpu"]
    assert book.pick_executed("no_such_notebook") == (None, "")
    with pytest.raises(ValueError, match="unknown profile 'laptop'"):
        paths.profile("laptop")


def test_a_staged_run_names_the_folder_it_publishes_into(registry):
    """The pipeline stages a cpu/paper run in build/staging/<profile>/<nb>/; its banner and footer name where its
    outputs land when it succeeds (figures/<profile>/), so a published chapter tells the truth."""
    from paperlib.companion.publish import staging_root

    ch = Chapter("13_bk_core", "cpu", 0, staging_root("cpu", "13_bk_core"), registry=registry)
    assert ch.where() == "figures/cpu" and "outputs in figures/cpu/" in ch.banner()


def test_every_record_states_its_scale(tmp_path):
    """A verdict at reduced sizes says what it was measured at: the differences from the paper profile."""
    from paperlib.common.verdicts import Verdict
    from paperlib.companion.profiles import PAPER_SCALE, describe_scale, parameters_under, scale_of

    paper = parameters_under("13_bk_core", "paper")
    assert scale_of("13_bk_core", paper) == PAPER_SCALE
    smoke = parameters_under("13_bk_core", "smoke")
    text = scale_of("13_bk_core", smoke)
    assert text.startswith("reduced: ") and "(paper profile: " in text
    assert describe_scale([("A", 1, 2)] * 8, limit=6).endswith(", and 2 more")
    ch = Chapter("13_bk_core", "smoke", 0, tmp_path, params=smoke)
    rec = ch.record(Verdict("BK-T3-ON", "pending", "r"))
    assert rec["scale"] == text
    assert ch.record(Verdict("BK-T3-ON", "pending", "r"), scale="paper configuration (Table 3)")["scale"] == \
        "paper configuration (Table 3)"
    # a claim measured by its own parameters states their scale only (16's Table 8 runs at the paper's size)
    t8 = Chapter("16_bk_training", "cpu", 0, tmp_path, params=parameters_under("16_bk_training", "cpu"))
    assert "T8_" not in t8.scale_for("T8_") or t8.scale_for("T8_").startswith("reduced: T8_")
    assert "D_MODEL" not in t8.scale_for("T8_")
    with pytest.raises(ValueError, match="no parameter matches"):
        t8.scale_for("NOPE_")

