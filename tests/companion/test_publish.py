"""Published results (cpu/paper): staged per notebook, refused from uncommitted code, never half written,
and the committed ledger views are a pure function of committed inputs."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from paperlib.companion import ledger, pipeline, publish
from paperlib.common import measure, paths
from paperlib.common.atomic import write_json
from paperlib.companion.profiles import ParameterError

KERNEL = lambda f: pytest.mark.slow(pytest.mark.integration(f))  # noqa: E731 - runs notebooks in Jupyter kernels

NB = '''# %% tags=["parameters"]
NOTEBOOK = "98_pub"
PROFILE = "smoke"
OUTPUT_ROOT = ""
TAG = "new"

# %%
import pandas as pd
from paperlib.companion.chapter import open_chapter
ch = open_chapter(globals())
ch.save_table(pd.DataFrame({"x": [1, 2]}), f"t_{TAG}")
'''


def _old_set(figures, notebook="98_pub"):
    """A previously published set: one table owned by `notebook`, one by another notebook, a ledger file."""
    dest = figures / "cpu"
    for stem, nb in (("t_old", notebook), ("t_other", "99_other")):
        (dest / f"{stem}.csv").parent.mkdir(parents=True, exist_ok=True)
        (dest / f"{stem}.csv").write_text("x\n0\n")
        write_json(dest / f"{stem}.provenance.json", {"name": stem, "notebook": nb})
    write_json(dest / "ledger" / f"{notebook}__cpu.json", {"records": []})
    (figures / "claims.json").write_text("[]\n")
    return dest


def _snapshot(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def fake_project(tmp_path, monkeypatch):
    nbdir = tmp_path / "notebooks"
    (nbdir / "params").mkdir(parents=True)
    (nbdir / "98_pub.py").write_text(NB)
    for name, value in (("NOTEBOOKS", nbdir), ("PARAMS", nbdir / "params"), ("FIGURES", tmp_path / "figures"),
                        ("BUILD", tmp_path / "build")):
        monkeypatch.setattr(paths, name, value)
    monkeypatch.delenv("PAPERLIB_OUTPUT", raising=False)
    monkeypatch.setattr(measure, "dirty_inputs", lambda: [])
    return tmp_path


@KERNEL
def test_successful_notebook_replaces_only_its_own_set(fake_project):
    dest = _old_set(fake_project / "figures")
    assert pipeline.run("cpu", None, progress=False) == 0
    names = sorted(p.name for p in dest.iterdir() if p.is_file())
    # t_old (owned by 98_pub) is gone, t_other (another notebook's) stays, t_new arrived complete
    assert "t_old.csv" not in names and "t_other.csv" in names
    assert {"t_new.csv", "t_new.md", "t_new.tex", "t_new.provenance.json"} <= set(names)
    assert json.loads((dest / "t_new.provenance.json").read_text())["notebook"] == "98_pub"
    assert not (fake_project / "build" / "staging" / "cpu" / "98_pub").exists()
    assert (fake_project / "figures" / "claims.json").is_file()
    assert not list(dest.glob(".publish-*"))


@KERNEL
def test_executed_notebook_is_published_with_outputs_and_no_machine_paths(fake_project):
    """figures/<profile>/notebooks/<nb>.ipynb: the executed notebook, outputs kept, paths neutral."""
    (fake_project / "notebooks" / "98_pub.py").write_text(NB + textwrap.dedent('''
        # %%
        import os, sys
        from pathlib import Path
        from paperlib.common import paths
        print("saved to", ch.out_dir / f"t_{TAG}.csv")
        print("python", sys.prefix, "home", Path.home(), "root", paths.ROOT, "cwd", os.getcwd())
        '''))
    _old_set(fake_project / "figures")
    assert pipeline.run("cpu", None, progress=False) == 0
    published = fake_project / "figures" / "cpu" / "notebooks" / "98_pub.ipynb"
    text = published.read_text()
    nb = json.loads(text)
    outputs = "".join("".join(o.get("text", "")) for c in nb["cells"] if c["cell_type"] == "code"
                      for o in c.get("outputs", []))
    assert "saved to figures/cpu/t_new.csv" in outputs and "python <venv> home ~" in outputs
    for machine in (str(fake_project), str(paths.ROOT), sys.prefix, str(Path.home())):
        assert machine not in text, machine
    assert not (fake_project / "build" / "staging" / "cpu" / "98_pub").exists()
    # a failed rerun keeps the published notebook as it was
    before = published.read_bytes()
    (fake_project / "notebooks" / "98_pub.py").write_text(NB + "\nraise RuntimeError('late failure')\n")
    assert pipeline.run("cpu", None, progress=False) == 1
    assert published.read_bytes() == before


@KERNEL
def test_published_run_re_stores_the_overview(fake_project, monkeypatch):
    """Notebook 00's stored copy quotes figures/claims.json: a published run re-stores it after the ledger."""
    (fake_project / "notebooks" / "00_claims_overview.py").write_text('# %% tags=["parameters"]\nPROFILE = "smoke"\n')
    stored = []
    monkeypatch.setattr(pipeline, "store", lambda only: stored.append((only, (fake_project / "figures" /
                                                                               "claims.json").is_file())) or 0)
    assert pipeline.run("cpu", ["98_pub"], progress=False) == 0
    assert stored == [(["00_claims_overview"], True)]        # after the ledger was written
    assert pipeline.run("smoke", ["98_pub"], progress=False) == 0 and len(stored) == 1  # smoke: never


@KERNEL
def test_failed_notebook_leaves_the_published_set_untouched(fake_project):
    (fake_project / "notebooks" / "98_pub.py").write_text(NB + "\nraise RuntimeError('late failure')\n")
    _old_set(fake_project / "figures")
    before = _snapshot(fake_project / "figures")
    assert pipeline.run("cpu", None, progress=False) == 1
    assert _snapshot(fake_project / "figures") == before


def test_parameter_error_writes_nothing(fake_project):
    (fake_project / "notebooks" / "params" / "98_pub.yaml").write_text("cpu:\n  TAGG: typo\n")
    _old_set(fake_project / "figures")
    before = _snapshot(fake_project / "figures")
    with pytest.raises(ParameterError, match="TAGG"):
        pipeline.run("cpu", None, progress=False)
    assert _snapshot(fake_project / "figures") == before
    assert not (fake_project / "build").exists()


@KERNEL
def test_uncommitted_inputs_are_refused_unless_overridden(fake_project, monkeypatch):
    monkeypatch.setattr(measure, "dirty_inputs", lambda: ["paperlib/bk/core.py"])
    monkeypatch.setenv("PAPERLIB_ALLOW_DIRTY", "0")  # restored after the test (the override sets it)
    with pytest.raises(ParameterError, match=r"(?s)uncommitted.*bk/core\.py.*--allow-dirty"):
        pipeline.run("cpu", None, progress=False)
    assert not (fake_project / "figures").exists()
    # smoke is throwaway: never refused
    assert pipeline.run("smoke", None, progress=False) == 0
    # the override runs, and every result says so
    assert pipeline.run("cpu", None, progress=False, allow_dirty=True) == 0
    prov = json.loads((fake_project / "figures" / "cpu" / "t_new.provenance.json").read_text())
    assert prov["dirty_override"] is True


def test_dirty_inputs_ignores_outputs_and_sees_sources():
    """The real repository: outputs (figures/, README) never count, source paths do."""
    assert set(paths.SOURCE_INPUTS) >= {"paperlib", "notebooks", "data", "pyproject.toml", "constraints.txt"}
    for p in measure.dirty_inputs():
        assert p.split("/")[0] in paths.SOURCE_INPUTS, p


def test_interrupted_swap_is_rolled_forward(tmp_path):
    dest = _old_set(tmp_path / "figures")
    staged = tmp_path / "stage"
    staged.mkdir()
    (staged / "t_new.csv").write_text("x\n1\n")
    write_json(staged / "t_new.provenance.json", {"name": "t_new", "notebook": "98_pub"})
    # the journal is written, then the process dies before carrying it out
    write_json(dest / ".publish-98_pub.json", {"notebook": "98_pub",
               "moves": [[str(staged / f), str(dest / f)] for f in ("t_new.csv", "t_new.provenance.json")],
               "deletes": [str(dest / "t_old.csv"), str(dest / "t_old.provenance.json")]})
    assert publish.recover(dest) == ["98_pub"]
    assert (dest / "t_new.csv").read_text() == "x\n1\n" and not (dest / "t_old.csv").exists()
    assert publish.recover(dest) == []


DRIVER = textwrap.dedent('''
    import sys
    from pathlib import Path
    from paperlib.common import measure, paths
    from paperlib.companion import pipeline
    root = Path(sys.argv[1])
    paths.NOTEBOOKS, paths.PARAMS = root / "notebooks", root / "notebooks" / "params"
    paths.FIGURES, paths.BUILD = root / "figures", root / "build"
    measure.dirty_inputs = lambda: []
    sys.exit(pipeline.run("cpu", None, progress=False))
''')


@KERNEL
def test_killed_run_leaves_the_published_set_exactly_as_it_was(fake_project):
    """Kill a real run (its kernel too) in the middle of a notebook that has already written outputs."""
    (fake_project / "notebooks" / "98_pub.py").write_text(NB + "\nimport time\ntime.sleep(120)\n")
    _old_set(fake_project / "figures")
    before = _snapshot(fake_project / "figures")
    env = {k: v for k, v in os.environ.items() if k != "PAPERLIB_OUTPUT"}
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, str(fake_project)], cwd=paths.ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    staged = fake_project / "build" / "staging" / "cpu" / "98_pub" / "cpu" / "t_new.provenance.json"
    try:
        deadline = time.monotonic() + 120
        while not staged.exists():
            assert proc.poll() is None, "the run ended before it could be interrupted"
            assert time.monotonic() < deadline, "the notebook never wrote its output"
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    assert _snapshot(fake_project / "figures") == before


def test_committed_ledger_views_are_a_pure_function_of_committed_inputs(tmp_path):
    """figures/claims.json, figures/CLAIMS.md and the README summary regenerate exactly from data/claims/
    and figures/<profile>/ledger/ (no record from a machine's build/)."""
    table = ledger.published_table()
    out = tmp_path / "regen"
    ledger.write_outputs(table, out)
    for name in ("claims.json", "CLAIMS.md"):
        assert (out / name).read_text() == (paths.FIGURES / name).read_text(), \
            f"figures/{name} is stale: run `make ledger` and commit"
    readme = (paths.ROOT / "README.md").read_text()
    assert f"{ledger.README_START}\n{ledger.readme_summary(table)}\n{ledger.README_END}" in readme


def test_published_headlines_come_from_committed_code():
    """Every headline from a published profile names a clean commit (no +dirty, no override)."""
    for r in json.loads((paths.FIGURES / "claims.json").read_text()):
        if r.get("profile") in paths.PUBLISHED_PROFILES:
            assert r.get("commit") and not r["commit"].endswith("+dirty"), f"{r['id']}: {r.get('commit')}"


def _gpu_run_output(root, *, tiny=False, commit="abc123", statuses=None):
    from paperlib.companion import gpu_run

    statuses = statuses or {s: "ok" for s in gpu_run.SECTIONS}
    folder = root / "paper" / "gpu_run"
    folder.mkdir(parents=True)
    (folder / "op_speed.csv").write_text("N,seconds\n1024,0.1\n")
    write_json(folder / "summary.json", {"tiny": tiny, "commit": commit,
                                         "sections": {k: {"status": v} for k, v in statuses.items()}})
    write_json(root / "paper" / "ledger" / "21_scta_speedup_vs_vocab__cuda__gpu_run.json", {"records": []})
    return root


def test_gpu_results_publish_only_when_complete_and_committed(tmp_path, monkeypatch):
    from paperlib.companion import gpu_run

    from paperlib.companion import pipeline

    monkeypatch.setattr(paths, "FIGURES", tmp_path / "figures")
    monkeypatch.setenv("PAPERLIB_ALLOW_DIRTY", "0")
    restored = []
    monkeypatch.setattr(pipeline, "refresh_ledger_quotes", lambda: restored.append(1) or 0)  # never the tracked 00
    partial = dict.fromkeys(gpu_run.SECTIONS, "ok") | {"scta": "error"}
    missing = {s: "ok" for s in gpu_run.SECTIONS if s != "bk_t6"}
    for i, kw in enumerate([dict(tiny=True), dict(commit="abc123+dirty"), dict(commit="unknown"),
                            dict(statuses=partial), dict(statuses=missing)]):
        assert gpu_run.publish_results(_gpu_run_output(tmp_path / f"bad{i}", **kw)) == 1
        assert not (tmp_path / "figures" / "paper").exists()
    # a stale table of the previous GPU run is replaced by the new set
    stale = tmp_path / "figures" / "paper" / "gpu_run" / "old_table.csv"
    stale.parent.mkdir(parents=True)
    stale.write_text("x\n")
    # the notebook's own paper run keeps its ledger file: the GPU run records into a file of its own
    own = tmp_path / "figures" / "paper" / "ledger" / "21_scta_speedup_vs_vocab__cuda.json"
    write_json(own, {"records": []})
    # the op benchmark records no claim: a run whose budget skipped it still publishes its claims
    skipped_op = dict.fromkeys(gpu_run.SECTIONS, "ok") | {"op": "skipped"}
    assert gpu_run.publish_results(_gpu_run_output(tmp_path / "good", statuses=skipped_op)) == 0
    pub = tmp_path / "figures" / "paper"
    assert (pub / "gpu_run" / "op_speed.csv").is_file() and not stale.exists()
    assert (pub / "ledger" / "21_scta_speedup_vs_vocab__cuda__gpu_run.json").is_file() and own.is_file()
    assert (tmp_path / "figures" / "claims.json").is_file()
    assert restored == [1]          # notebook 00 re-stored once, after the one publication


SAMPLE_REGISTRY = '''
- id: X-LATE
  paper: scta
  statement: "a statement"
  notebook: 21_b
  summary: "Second section of 21."
  section: "2. Later section"
- id: X-EARLY
  paper: scta
  statement: "another statement"
  notebook: 21_b
  summary: "First section of 21."
  section: "1. Early section"
- id: X-FIRST
  paper: scn-hurnet
  statement: "the first paper's claim"
  notebook: 01_a
  summary: "A claim of the first paper."
  section: "Some heading"
'''


def _sample_table(tmp_path):
    (tmp_path / "reg").mkdir()
    (tmp_path / "reg" / "x.yaml").write_text(SAMPLE_REGISTRY)
    registry = ledger.load_registry(tmp_path / "reg")
    base = {"measured_value": 1.5, "verdict": "reproduced", "reason": "because", "profile": "cpu",
            "device": "cpu: test", "recorded_at": "2026-01-01T00:00:00+00:00"}
    results = [dict(base, id="X-LATE", evidence="table t1; figures f1, f_missing; tables s_*"),
               dict(base, id="X-EARLY", evidence="notebook 21 section 1"),
               dict(base, id="X-FIRST", evidence="figure f1")]
    figures = tmp_path / "figures"
    for f in ("t1.md", "f1.png", "s_a.md", "s_b.md"):
        (figures / "cpu" / f).parent.mkdir(parents=True, exist_ok=True)
        (figures / "cpu" / f).write_text("x")
    return ledger.aggregate(registry, results), figures


def test_claims_md_reading_path(tmp_path):
    """CLAIMS.md states its rules first, then lists claims in reading order, each with its summary, links to
    the published evidence and to the section (anchor) in the published notebook and the reading edition."""
    table, figures = _sample_table(tmp_path)
    assert [r["id"] for r in table] == ["X-FIRST", "X-EARLY", "X-LATE"]  # paper, notebook, section number
    md = ledger.render_markdown(table, figures)
    head = md.split("## Verdicts per paper")[0]
    assert "Headline" in head and "paper` >\n  `cpu`" in head and "Lower bounds" in head and ">= x" in head
    assert md.index("### 01_a") < md.index("### 21_b") < md.index("X-EARLY") < md.index("X-LATE")
    late = next(line for line in md.splitlines() if line.startswith("| X-LATE"))
    assert "Second section of 21." in late
    for link in ("[table t1](cpu/t1.md)", "[figure f1](cpu/f1.png)", "figure `f_missing`",
                 "[table s_a](cpu/s_a.md)", "[table s_b](cpu/s_b.md)",
                 "[2. Later section](cpu/notebooks/21_b.ipynb#claim-X-LATE)"):
        assert link in late, link
    assert "build/" not in late  # the reading edition is built, not committed: no link into build/
    early = next(line for line in md.splitlines() if line.startswith("| X-EARLY"))
    assert "notebook 21 section 1" in early
    with pytest.raises(ValueError, match="one line"):
        (tmp_path / "reg" / "x.yaml").write_text(SAMPLE_REGISTRY.replace('"A claim of the first paper."',
                                                                          '"' + "x" * 200 + '"'))
        ledger.load_registry(tmp_path / "reg")


def test_anchor_claims_at_section_heading_or_code(tmp_path):
    """The anchor goes on the heading named by `section` (also renumbered), else before the code cell that
    calls the claim's rule; markdown that already carries it is left alone."""
    import nbformat

    (tmp_path / "reg").mkdir()
    (tmp_path / "reg" / "x.yaml").write_text(SAMPLE_REGISTRY)
    claims = list(ledger.load_registry(tmp_path / "reg").values())
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Title\n\n## 3 · Early section\ntext"),   # renumbered by an editor
        nbformat.v4.new_code_cell("rec.record(v.x_late(a, b))"),
        nbformat.v4.new_markdown_cell('## Renamed <a id="claim-X-FIRST"></a>'),
    ])
    done = publish.anchor_claims(nb, claims)
    assert done == {"X-EARLY", "X-LATE", "X-FIRST"}
    assert nb.cells[0].source.splitlines()[2] == '## 3 · Early section <a id="claim-X-EARLY"></a>'
    assert nb.cells[1]["source"] == '<a id="claim-X-LATE"></a>' and nb.cells[2]["cell_type"] == "code"
    assert sum('id="claim-X-FIRST"' in c["source"] for c in nb.cells) == 1
    nbformat.validate(nbformat.from_dict(nb))
