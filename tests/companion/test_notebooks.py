"""Every notebook is a jupytext pair (.py source, .ipynb with stored smoke outputs) and the two agree."""
import jupytext
import nbformat
import pytest

from paperlib.common import paths
from paperlib.companion.profiles import default_parameters

SOURCES = sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def test_there_are_notebooks():
    assert any(p.stem == "00_claims_overview" for p in SOURCES)


@pytest.mark.parametrize("py", SOURCES, ids=lambda p: p.stem)
def test_pair_in_sync(py):
    ipynb = py.with_suffix(".ipynb")
    assert ipynb.is_file(), f"{py.name} has no stored notebook: run `make nb NB={py.stem}`"
    text = jupytext.read(py)
    stored = nbformat.read(ipynb, as_version=4)
    a = [(c.cell_type, c.source.strip()) for c in text.cells]
    b = [(c.cell_type, c.source.strip()) for c in stored.cells]
    assert a == b, f"{py.name} and {ipynb.name} differ: run `make nb NB={py.stem}`"
    assert stored.metadata.get("kernelspec", {}).get("name") == "paperlib"


@pytest.mark.parametrize("py", SOURCES, ids=lambda p: p.stem)
def test_stored_notebook_has_outputs_and_parameters(py):
    stored = nbformat.read(py.with_suffix(".ipynb"), as_version=4)
    code = [c for c in stored.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), "first code cell must be tagged parameters"
    assert default_parameters(py)["PROFILE"] == "smoke"
    assert any(c.get("outputs") for c in code), f"{py.name}: stored notebook has no outputs (smoke run missing)"
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{py.name}: stored notebook carries an error output"


@pytest.mark.parametrize("py", SOURCES, ids=lambda p: p.stem)
def test_stored_notebook_shows_its_figures(py):
    """A notebook that draws figures carries them inline, so a reader who runs nothing still sees them."""
    stored = nbformat.read(py.with_suffix(".ipynb"), as_version=4)
    code = [c for c in stored.cells if c.cell_type == "code"]
    draws = [c for c in code if "savefig(" in c.source]
    shown = [c for c in draws if any("image/png" in o.get("data", {}) for o in c.get("outputs", []))]
    assert len(shown) == len(draws), (f"{py.name}: {len(draws) - len(shown)} figure cell(s) without an inline "
                                      f"image; re-store it with `make nb NB={py.stem}` (inline backend)")
