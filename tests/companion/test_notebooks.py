"""Every notebook is a jupytext pair (.py source, .ipynb with stored smoke outputs) and the two agree."""
import re

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


def test_overview_quotes_the_committed_ledger():
    """Notebook 00's cells that quote the committed ledger (tagged committed-ledger, ignored by nbval) hold
    exactly what figures/claims.json says: the counts per paper, every headline verdict, the pending list."""
    import json
    import re

    from paperlib.companion import ledger

    committed = json.loads((paths.FIGURES / "claims.json").read_text(encoding="utf-8"))
    stored = nbformat.read(paths.NOTEBOOKS / "00_claims_overview.ipynb", as_version=4)
    cells = [c for c in stored.cells if "committed-ledger" in c.metadata.get("tags", [])]
    assert len(cells) == 3 and all("nbval-ignore-output" in c.metadata["tags"] for c in cells)
    hint = "run `make nb NB=00_claims_overview` after `make ledger` (or run `make requote`)"

    def text(cell):
        return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")

    from paperlib.companion.display import Table

    counts = repr(Table(ledger.verdict_counts(committed), index=True,
                        caption=f"Headline verdicts per paper: {len(committed)} claims in figures/claims.json"))
    shown_counts = "".join(o.get("data", {}).get("text/plain", "") for o in cells[0].outputs)
    assert shown_counts == counts, f"00's stored counts differ from figures/claims.json: {hint}"
    table = "".join(o.get("data", {}).get("text/markdown", "") for o in cells[1].outputs)
    shown = dict(re.findall(r"^\|\s*([A-Z0-9-]+)\s*\|.*?\|\s*(" + "|".join(ledger.VERDICTS) + r")\s*\|", table, re.M))
    assert shown == {r["id"]: r["verdict"] for r in committed}, f"00's stored verdicts differ: {hint}"
    pending = [r["id"] for r in committed if r["verdict"] == "pending"]
    assert text(cells[2]).startswith(f"{len(pending)} pending:"), hint


def test_readme_cites_the_papers_and_has_the_start_here_table(tmp_path):
    """The README cites every paper as book.CITATIONS does (the reading edition and the workshop kit use the
    same list), and `make readme-times` refreshes its table of smoke run times, one row per notebook."""
    from paperlib.companion import book, workshop

    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")  # paths.README is a temporary file in tests
    for c in workshop.citations_markdown():
        assert f"* {c}\n" in readme, f"README lacks the citation: {c[:80]}"
    assert any("doi.org/10.5281/zenodo.17931292" in url for c in book.CITATIONS for _, url in c["ids"])
    assert "## Start here" in readme
    block = readme.split(workshop.TIMES_START)[1].split(workshop.TIMES_END)[0]
    assert [f"`{p.stem}`" for p in SOURCES] == re.findall(r"^\| (`\d\d_\w+`) \|", block, re.M)
    # the refresh: a README with the markers gets the measured table, one without them is left alone
    fake = tmp_path / "README.md"
    fake.write_text(f"intro\n{workshop.TIMES_START}\nold\n{workshop.TIMES_END}\nrest\n")
    assert workshop.update_readme_times({"00_a": 3.2, "01_b": None}, fake)
    text = fake.read_text()
    assert "| `00_a` | 3 |" in text and "| `01_b` | not measured |" in text and "| total | 3 |" in text
    assert text.startswith("intro\n") and text.endswith(f"{workshop.TIMES_END}\nrest\n") and "old" not in text
    fake.write_text("no markers\n")
    assert not workshop.update_readme_times({"00_a": 1.0}, fake) and fake.read_text() == "no markers\n"
    assert all(f"* {c}" in workshop.guide({"00_a": 1.0}, {}) for c in workshop.citations_markdown())


def test_every_claim_has_a_section_anchor():
    """CLAIMS.md and the reading edition link each claim to `#claim-<id>`: every claim's notebook gets that
    anchor at the heading named by the registry's `section`. (anchor_claims falls back to the cell calling the
    rule, which every notebook has; the markdown cells alone show that the section itself is found.)"""
    from paperlib.companion import ledger, publish

    by_nb: dict[str, list] = {}
    for c in ledger.load_registry().values():
        by_nb.setdefault(c.notebook, []).append(c)
    for name, claims in sorted(by_nb.items()):
        nb = jupytext.read(paths.NOTEBOOKS / f"{name}.py")
        nb.cells = [c for c in nb.cells if c.cell_type == "markdown"]
        missing = sorted({c.id for c in claims} - publish.anchor_claims(nb, claims))
        assert not missing, f"{name}: no heading for {missing}; set `section` in data/claims/ to its heading"
