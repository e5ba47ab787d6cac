"""The workshop's "try it" exercises: every exercise placed in a notebook has a solution whose check() runs.

Convention: a notebook markdown cell starting ``### Try it: <title>`` poses the exercise; its solution is
``notebooks/exercises/<notebook>__<slug>.py`` whose docstring's first line is ``<title>`` and whose ``check()``
computes the answer at smoke sizes and asserts the measured behaviour the solution text describes.
"""
import importlib.util

import jupytext
import pytest

from paperlib.common import paths

SOLUTIONS = sorted((paths.NOTEBOOKS / "exercises").glob("[0-9][0-9]_*__*.py"))


def _posed() -> dict[tuple[str, str], str]:
    out = {}
    for py in sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.py")):
        for cell in jupytext.read(py).cells:
            if cell.cell_type == "markdown" and cell.source.startswith("### Try it:"):
                title = cell.source.splitlines()[0].removeprefix("### Try it:").strip()
                out[(py.stem, title)] = cell.source
    return out


def _load(path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_chapter_poses_exercises():
    chapters = {nb[:1] for nb, _ in _posed()}          # 0: SCN/HurNet, 1: ResNet-BK, 2: SCTA, 3: related
    assert chapters >= {"0", "1", "2", "3"}, f"chapters with try-it exercises: {sorted(chapters)}"


def test_posed_and_solved_match_one_to_one():
    posed = set(_posed())
    solved = set()
    for path in SOLUTIONS:
        nb = path.stem.split("__")[0]
        assert (paths.NOTEBOOKS / f"{nb}.py").is_file(), f"{path.name}: no notebook {nb}"
        title = (_load(path).__doc__ or "").strip().splitlines()[0].strip()
        solved.add((nb, title))
    assert posed - solved == set(), f"exercises without a solution: {sorted(posed - solved)}"
    assert solved - posed == set(), f"solutions whose exercise is not in its notebook: {sorted(solved - posed)}"


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_checks(path):
    result = _load(path).check()
    assert isinstance(result, dict) and result, "check() returns the numbers it measured"
