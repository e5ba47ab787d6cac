"""The workshop kit: its pointers resolve inside the kit, its plan uses exercises the notebooks pose, and
building it leaves the work tree as it was."""
import re
import subprocess
import zipfile

import jupytext
import pytest

from paperlib.common import paths
from paperlib.companion import workshop


def _posed() -> set[tuple[str, str]]:
    out = set()
    for py in sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.py")):
        for cell in jupytext.read(py).cells:
            if cell.cell_type == "markdown" and cell.source.startswith("### Try it:"):
                out.add((py.stem, cell.source.splitlines()[0].removeprefix("### Try it:").strip()))
    return out


def _git_status() -> str | None:
    try:
        return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=paths.ROOT,
                              capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


def test_the_plan_is_two_hours_on_the_track_with_posed_exercises():
    stops = [s for s in workshop.TRACK if s.notebooks]
    firsts = [s.notebooks[0][:2] for s in stops]
    assert firsts == ["00", "02", "13", "11", "21", "00"], firsts
    assert sum(s.minutes for s in workshop.TRACK) == 120
    assert workshop.STRETCH.notebooks == ("30_ols_linear_attention",)
    posed = _posed()
    for stop in (*workshop.TRACK, workshop.STRETCH):
        for nb in stop.notebooks:
            assert (paths.NOTEBOOKS / f"{nb}.py").is_file(), f"{stop.title}: no notebook {nb}"
        for nb, title, minutes in stop.exercises + stop.optional:
            assert nb in stop.notebooks and minutes > 0
            assert (nb, title) in posed, f"{stop.title}: {nb} poses no exercise '### Try it: {title}'"
        # every stop with a notebook of exercises uses one, and says what to learn and what to ask
        if stop.exercises or stop.optional:
            assert stop.goals and stop.prompts
    plan = workshop.plan_markdown({n: 10.0 for s in workshop.TRACK for n in s.notebooks})
    assert "## A 2-hour session: 02 -> 13 -> 11 -> 21/20\n" in plan and "### 1:55-2:00 · Wrap-up" in plan
    assert "Stretch" not in plan


def _pointers(kit) -> list[str]:
    """Every `notebooks/exercises/...` path the kit's cleared notebooks name."""
    found = []
    for nb in sorted((kit / "notebooks").glob("*.ipynb")):
        found += re.findall(r"`(notebooks/exercises/[\w.]+\.py)`", nb.read_text(encoding="utf-8"))
    return found


def test_kit_ships_what_the_notebooks_point_to_and_leaves_the_tree_clean(tmp_path):
    before = _git_status()
    out = workshop.build(tmp_path / "workshop", timing=False)
    assert _git_status() == before, "building the kit changed the work tree"
    pointers = _pointers(out)
    assert pointers, "the notebooks name their solutions"
    missing = [p for p in pointers if not (out / p).is_file()]
    assert not missing, f"the kit lacks the solutions its notebooks point to: {missing}"
    assert not (out / "solutions").exists()
    assert sorted(p.name for p in (out / "notebooks" / "exercises").iterdir()) == \
        sorted(p.name for p in workshop.SOLUTIONS.glob("[0-9][0-9]_*__*.py"))
    assert (out / "figures" / "claims.json").read_bytes() == (paths.FIGURES / "claims.json").read_bytes()
    readme_links = re.findall(r"\]\((figures/[^)#]+)\)", (out / "README.md").read_text(encoding="utf-8"))
    assert readme_links and all((out / link).exists() for link in readme_links), "README links the kit lacks"
    guide = (out / "FACILITATOR.md").read_text(encoding="utf-8")
    assert "## A 2-hour session" in guide and "## Offline troubleshooting" in guide
    assert "`solutions/`" not in guide and "notebooks/exercises/" in guide
    with zipfile.ZipFile(tmp_path / "workshop.zip") as z:
        assert "workshop/notebooks/exercises/13_bk_core__naive_overflow.py" in z.namelist()


def test_a_kit_of_some_notebooks(tmp_path):
    only = ["02_hurnet_closed_form", "13_bk_core"]
    out = workshop.build(tmp_path / "kit", timing=False, only=only)
    assert sorted(p.stem for p in (out / "notebooks").glob("*.ipynb")) == only
    assert {p.name.split("__")[0] for p in (out / "notebooks" / "exercises").iterdir()} == set(only)
    assert all((out / p).is_file() for p in _pointers(out))
    guide = (out / "FACILITATOR.md").read_text(encoding="utf-8")
    assert "## A 50-minute session: 02 -> 13\n" in guide and "11_prime_bump_gue" not in guide
    with pytest.raises(ValueError, match="no stored notebook"):
        workshop.build(tmp_path / "bad", timing=False, only=["99_nothing"])
    with pytest.raises(ValueError, match="every notebook"):
        workshop.build(tmp_path / "bad", timing=True, readme_times=True, only=only)


@pytest.mark.slow
@pytest.mark.integration
def test_timing_a_notebook_leaves_the_tree_clean(tmp_path):
    before = _git_status()
    out = workshop.build(tmp_path / "kit", timing=True, only=["00_claims_overview"])
    assert _git_status() == before, "timing a notebook for the kit changed the work tree"
    assert re.search(r"^\| `00_claims_overview` \| \d+ \|", (out / "FACILITATOR.md").read_text(), re.M)
