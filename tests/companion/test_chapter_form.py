"""The chapters read as a book, not a log (issue 21): tables as tables, one verdict display per claim, typeset
math, no progress bars or raw dicts in what a reader sees, and cell tags that hide the plumbing."""
import re

import jupytext
import nbformat
import pytest

from paperlib.common import paths

SOURCES = sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.py"))
EXECUTED = sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) + sorted(
    nb for p in paths.PUBLISHED_PROFILES for nb in (paths.FIGURES / p / "notebooks").glob("*.ipynb"))
ids = lambda p: p.relative_to(paths.ROOT).as_posix()  # noqa: E731

# what a chapter's code must not do any more: print a table as text, print a verdict, print a raw dict
LOG_HABITS = {
    r"\.to_string\(": "show tables with ch.show(df) (an HTML table), not print(df.to_string())",
    r"print\(\s*(v|verdict|v\.verdict)\s*\)": "the headline quote is the verdict's one display",
    r"ch\.summary\(\)": "the headline quote is the verdict's one display",
    r"fingerprint\(\)": "say where a timing was measured with ch.machine(), not a printed dict",
}


def _tags(cell):
    return cell.metadata.get("tags", [])


@pytest.mark.parametrize("py", SOURCES, ids=lambda p: p.stem)
def test_chapter_code_has_no_log_habits(py):
    nb = jupytext.read(py)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for pattern, why in LOG_HABITS.items():
            assert not re.search(pattern, cell.source), f"{py.name} cell {i}: {why}"


_MATH = re.compile(r"\$\$.*?\$\$|\$[^$]+\$|`[^`\n]*`|```.*?```", re.S)


@pytest.mark.parametrize("py", SOURCES, ids=lambda p: p.stem)
def test_markdown_math_is_latex_not_unicode_pseudo_latex(py):
    """Sub- and superscripts and norms outside $...$ break into italics on the page and in Jupyter."""
    nb = jupytext.read(py)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            prose = _MATH.sub("", cell.source)
            for bad in ("_{", "^{", "‖"):
                assert bad not in prose, f"{py.name} cell {i}: {bad!r} outside $...$ (typeset it as LaTeX)"


@pytest.mark.parametrize("py", SOURCES, ids=lambda p: p.stem)
def test_tags_hide_the_plumbing(py):
    nb = jupytext.read(py)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tags = _tags(cell)
        if "open_chapter(" in cell.source or "ch.savefig(" in cell.source:
            assert {"hide-input", "remove-input", "remove-cell"} & set(tags), \
                f"{py.name} cell {i}: imports and plotting code are collapsed (tag hide-input)"
        if "headline-quote" in tags or "finding" in tags or "ch.footer()" in cell.source:
            assert "remove-input" in tags, f"{py.name} cell {i}: a quote, finding or footer shows its output only"


@pytest.mark.parametrize("ipynb", EXECUTED, ids=ids)
def test_executed_chapters_store_no_progress_bars(ipynb):
    nb = nbformat.read(ipynb, as_version=4)
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                assert not re.search(r"\d+%\|.*\|.*(it/s|s/it|\?it)", out["text"]), \
                    f"{ipynb.name} cell {i} stores a progress bar: progress belongs on the terminal"
