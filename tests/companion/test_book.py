"""The reading edition's sources (paperlib.companion.book and book_pages), without Sphinx or a browser:
the chapter copies given to Sphinx, the pages' HTML pieces, the start page's order, and CLAIMS.md's links."""
import re
from pathlib import Path

import nbformat
import pytest

from paperlib.companion import book, book_pages, ledger
from paperlib.common import paths


def _nb(cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    return nb


def _code(src, tags=(), outputs=()):
    c = nbformat.v4.new_code_cell(src)
    c.metadata["tags"] = list(tags)
    c.outputs = [nbformat.from_dict(o) for o in outputs]
    return c


def _stderr(text):
    return {"output_type": "stream", "name": "stderr", "text": text}


def test_pages_come_from_the_published_notebooks_first(tmp_path, monkeypatch):
    """paper > cpu > smoke; within a profile the published copy (figures/<profile>/notebooks/) before build/."""
    for name, value in (("FIGURES", tmp_path / "figures"), ("BUILD", tmp_path / "build"),
                        ("NOTEBOOKS", tmp_path / "notebooks")):
        monkeypatch.setattr(paths, name, value)
    made = []

    def make(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")
        made.append(path)
        return book.pick_executed("01_x")

    assert book.pick_executed("01_x") == (None, "")
    assert make(tmp_path / "notebooks" / "01_x.ipynb") == (made[-1], "smoke")
    assert make(tmp_path / "build" / "smoke" / "01_x.ipynb") == (made[-1], "smoke")
    assert make(tmp_path / "build" / "cpu" / "01_x.ipynb") == (made[-1], "cpu")
    assert make(tmp_path / "figures" / "cpu" / "notebooks" / "01_x.ipynb") == (made[-1], "cpu")
    assert make(tmp_path / "build" / "paper" / "01_x.ipynb") == (made[-1], "paper")
    assert make(tmp_path / "figures" / "paper" / "notebooks" / "01_x.ipynb") == (made[-1], "paper")
    assert "published copy `figures/paper/notebooks/01_x.ipynb`: profile **paper**" in book.provenance(
        made[-1], "01_x", "paper")


def test_bookkeeping_stderr_is_progress_bars_and_warnings_only():
    tqdm = "\r  0%|          | 0/40 [00:00<?, ?it/s]\r 50%|#####     | 20/40 [00:01<00:01, 19.6it/s]\n"
    warning = "/x/y.py:12: UserWarning: something odd\n  warnings.warn(msg)\n"
    assert book.is_bookkeeping_stderr(tqdm) and book.is_bookkeeping_stderr(warning)
    assert book.is_bookkeeping_stderr("\n") and book.is_bookkeeping_stderr(tqdm + warning)
    assert not book.is_bookkeeping_stderr("Traceback (most recent call last):\n")
    assert not book.is_bookkeeping_stderr(warning + "ValueError: bad\n")
    assert not book.is_bookkeeping_stderr("note: the baseline hit its budget\n")


def test_book_copy_shows_parameters_once_and_keeps_content():
    claim = ledger.Claim(**{f: "" for f in ledger.REGISTRY_FIELDS} | {"id": "X-1", "notebook": "01_x",
                                                                      "section": "2 · The test"})
    nb = _nb([nbformat.v4.new_markdown_cell("# 01 · A chapter\n\nIntro, see [13](../figures/cpu/notebooks/"
                                            "13_bk_core.ipynb#claim-BK-STAB-32K) and [10](10_bk_operator.ipynb)."),
              _code("N = 10", ["parameters"]),
              _code("# Parameters\nN = 99", ["injected-parameters"]),
              _code("train()", outputs=[_stderr("\r 10%|#   | 1/10 [00:01<00:09, 1.0it/s]"),
                                        {"output_type": "stream", "name": "stdout", "text": "loss 1.0\n"},
                                        _stderr("real problem\n"),
                                        {"output_type": "error", "ename": "E", "evalue": "x", "traceback": []}]),
              nbformat.v4.new_markdown_cell("## 2 · The test\n\nThe rule.")])
    out, anchored = book.book_copy(nb, "01_x", "This page shows it.", [claim])
    assert anchored == {"X-1"}
    src = [c.source for c in out.cells]
    assert not any(s == "N = 10" for s in src) and src.count("# Parameters\nN = 99") == 1
    i = src.index("# Parameters\nN = 99")
    assert "run's parameters" in src[i - 1] and out.cells[i - 1].cell_type == "markdown"
    assert sum("run's parameters" in s for s in src) == 1
    assert src[0].startswith("# 01 · A chapter\n\n{.provenance}\nThis page shows it.")
    assert '<a href="13_bk_core.html#claim-BK-STAB-32K">13</a>' in src[0] and "[10](10_bk_operator.ipynb)" in src[0]
    outputs = out.cells[i + 1].outputs
    assert [o.get("name", o.output_type) for o in outputs] == ["stdout", "stderr", "error"]
    assert src[-1].startswith('<a id="claim-X-1"></a>\n\n## 2 · The test')  # anchor before, not in, the heading
    assert nb.cells[1].source == "N = 10"  # the executed notebook itself is untouched

    smoke = _nb([_code("N = 10", ["parameters"])])  # a stored copy without papermill's cell: the defaults
    out, _ = book.book_copy(smoke, "01_x", "", [])
    assert [c.source for c in out.cells] == ["**This run's parameters**", "N = 10"]


def test_math_html_escapes_and_marks_formulas():
    html = book_pages.math_html("a < b: $\\sigma_{r+1} < 1$, `cost $5`, and $$x^2$$ & more")
    assert "a &lt; b" in html and "&amp; more" in html
    assert '<span class="math notranslate nohighlight">\\(\\sigma_{r+1} &lt; 1\\)</span>' in html
    assert "<code>cost $5</code>" in html and "\\[x^2\\]" in html
    assert not book_pages.has_math("costs $5 and $6") and book_pages.has_math("the bound $\\|Y\\|_F$")


def test_reading_path_follows_the_readme(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# T\n\n## Start here\n\n**A first reading**: `00_a` (what) -> `02_b` (the O(N) part)\n"
                      "-> `13_c`.\nOthers (`01`, `03`) in any order.\n\n| `01_d` | 3 |\n\n## Next\n`99_z`\n")
    assert book_pages.reading_path(readme) == [("00_a", "what"), ("02_b", "the O(N) part"), ("13_c", "")]
    assert book_pages.reading_path(tmp_path / "none.md") == []
    real = book_pages.reading_path()
    assert len(real) >= 3 and all((paths.NOTEBOOKS / f"{n}.py").is_file() for n, _ in real)


def test_claims_md_links_resolve_in_a_clone():
    """Every relative link of figures/CLAIMS.md names a tracked-kind file (never the git-ignored build/), and
    the ledger says once where the reading edition opens each claim at its section."""
    md = (paths.FIGURES / "CLAIMS.md").read_text(encoding="utf-8")
    targets = [t for t in re.findall(r"\]\(([^)\s]+)\)", md) if "://" not in t]
    assert targets
    for t in targets:
        f = (paths.FIGURES / t.split("#")[0]).resolve()
        assert f.is_file() and "build" not in f.relative_to(paths.ROOT).parts, t
    assert md.count("`make html`") == 1 and "opens each claim at its section" in md


def test_the_hand_made_site_is_retired():
    with pytest.raises(ImportError):
        import paperlib.companion.site  # noqa: F401
    assert not (Path(book.__file__).parent / "site_templates").exists()


def test_chapter_links_from_stored_and_published_copies_open_the_chapter_pages():
    for prefix in ("", "../figures/cpu/notebooks/", "../../cpu/notebooks/"):
        text = f"[see]({prefix}13_bk_core.ipynb#claim-BK-STAB-32K) and [all]({prefix}11_prime_bump_gue.ipynb)"
        assert book._link_fix(text) == ('<a href="13_bk_core.html#claim-BK-STAB-32K">see</a> and '
                                        '[all](11_prime_bump_gue.ipynb)')
