"""Notebooks' 'this run beside the headline' tables quote the committed ledger exactly."""
import json

from paperlib.common import paths
from paperlib.common.verdicts import Verdict
from paperlib.companion import headline, ledger


def test_beside_headline_quotes_the_committed_ledger(isolated_output, tmp_path):
    reg = ledger.load_registry()
    committed = json.loads((paths.FIGURES / "claims.json").read_text())
    first = committed[0]
    rec = ledger.Recorder(first["notebook"], "smoke", registry=reg)
    rec.record(Verdict(first["id"], "not-testable", "a smoke-run stand-in", "x"))
    shown = headline.beside_headline(rec)
    row = shown.table().iloc[0]
    assert row["claim"] == first["id"] and row["this run (smoke)"] == "not-testable"
    assert (row["headline"], row["measured (headline)"], row["headline profile"]) == (
        first["verdict"], first["measured_value"], first["profile"])
    assert headline.committed_headlines(tmp_path / "missing.json") == {}
    assert headline.beside_headline(rec, tmp_path / "missing.json").table().iloc[0]["headline"] == "(none published)"
    # the output keeps this run's verdicts, so refresh_quotes re-renders the headline columns without re-running
    data, meta = shown._repr_mimebundle_()
    assert meta["paperlib"] == {"profile": "smoke", "this_run": [{"claim": first["id"], "verdict": "not-testable",
                                                                 "measured": "x"}]}
    assert first["verdict"] in data["text/plain"] and "not-testable" in data["text/html"]
    assert "1 of this run's 1 verdicts differ" in data["text/plain"]
    # a run whose verdicts are the headline's shows one sentence, not a second table of the same verdicts
    same = ledger.Recorder(first["notebook"], "cpu", registry=reg)
    same.record(Verdict(first["id"], first["verdict"], "as published", "x"))
    data, _ = headline.beside_headline(same)._repr_mimebundle_()
    assert "text/html" not in data and "is its claim's headline verdict" in data["text/plain"]


def test_run_banner_says_what_a_run_counts_for():
    assert "smoke run" in headline.run_banner("smoke") and "headline" in headline.run_banner("smoke")
    assert "figures/cpu/" in headline.run_banner("cpu")


# --- the headline quote after each "What we found" passage -------------------------------------------------

import re  # noqa: E402

import nbformat  # noqa: E402
import pytest  # noqa: E402

WHAT_WE_FOUND = re.compile(r"^(#+\s*|\*\*)What we found", re.M)


def _quote_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and headline.QUOTE_TAG in c.metadata.get("tags", [])]


def test_quote_renders_the_headline_record_safely(tmp_path):
    committed = json.loads((paths.FIGURES / "claims.json").read_text())
    r = committed[0]
    q = headline.quote_headline(r["id"])
    md, text = q._repr_markdown_(), repr(q)
    assert f"**{r['id']}: {r['verdict']}** ({r['profile']} run" in md and "figures/claims.json" in md
    assert f"{r['id']}: {r['verdict']} ({r['profile']} run" in text and r["reason"] in text
    fake = tmp_path / "claims.json"
    fake.write_text(json.dumps([dict(r, measured_value="a|b *c* $ 5 <i>", reason=r"x_1 [y](z) costs $O(K\cdot D_s)$",
                                     unit="")]))
    md = headline.quote_headline(r["id"], path=fake)._repr_markdown_()
    assert r"a\|b \*c\* \$ 5 \<i\>" in md                     # no table cell, emphasis, math or HTML
    assert r"x\_1 \[y\](z) costs $O(K\cdot D_s)$" in md         # ... but a formula stays a formula
    assert "no headline published yet" in repr(headline.quote_headline(r["id"], path=tmp_path / "none.json"))
    with pytest.raises(ValueError, match="unknown claim id"):
        headline.quote_headline("NOT-A-CLAIM")
    with pytest.raises(ValueError, match="at least one"):
        headline.quote_headline()


def test_refresh_quotes_rewrites_stale_outputs_only(tmp_path):
    committed = json.loads((paths.FIGURES / "claims.json").read_text())
    cid = committed[0]["id"]
    nb = nbformat.v4.new_notebook()
    quote = nbformat.v4.new_code_cell(f'quote_headline("{cid}")', metadata={"tags": ["nbval-ignore-output",
                                                                                     headline.QUOTE_TAG]})
    quote.outputs = [nbformat.v4.new_output("stream", name="stdout", text="stale\n")]
    other = nbformat.v4.new_code_cell("print(1)")
    other.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    nb.cells = [other, quote]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    assert headline.refresh_quotes(path) is True
    again = nbformat.read(path, as_version=4)
    assert again.cells[0].outputs == other.outputs
    assert again.cells[1].outputs[0]["data"]["text/markdown"] == headline.quote_headline(cid)._repr_markdown_()
    assert headline.refresh_quotes(path) is False                      # up to date: the file is not rewritten
    assert headline.quote_ids('quote_headline("A", "B")') == ("A", "B")
    for bad in ("print(1)", 'quote_headline("A", path=p)', "quote_headline(x)", "quote_headline("):
        assert headline.quote_ids(bad) is None
    nb.cells[1].source = "print(2)"
    nbformat.write(nb, path)
    with pytest.raises(ValueError, match=r"must be quote_headline.*or ch\.beside_headline\(\)"):
        headline.refresh_quotes(path)


def _notebooks_with_quotes():
    stored = sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    return stored + sorted(nb for p in paths.PUBLISHED_PROFILES for nb in (paths.FIGURES / p / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("ipynb", _notebooks_with_quotes(), ids=lambda p: p.relative_to(paths.ROOT).as_posix())
def test_stored_quotes_match_the_committed_ledger(ipynb):
    """Quote cells are nbval-ignored (a new `make figures` must not turn `make test` red) and compared here
    instead; `make requote` (and every cpu/paper run) re-renders them."""
    nb = nbformat.read(ipynb, as_version=4)
    cells = _quote_cells(nb)
    if ipynb.stem != "00_claims_overview":
        assert sum(c.source.strip() == headline.BESIDE_SOURCE for c in cells) == 1, \
            f"{ipynb.name}: the closing this-run-beside-the-headline table must be tagged {headline.QUOTE_TAG!r}"
    for cell in cells:
        assert "nbval-ignore-output" in cell.metadata["tags"]
        want = [o["data"] for o in headline.quote_cell_outputs(cell, None, ipynb.name)]
        assert [o.get("data") for o in cell.outputs] == want, \
            f"{ipynb.name}: the quote in {cell.source.strip()!r} differs from figures/claims.json: run `make requote`"


@pytest.mark.parametrize("py", sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.py")), ids=lambda p: p.stem)
def test_every_what_we_found_quotes_its_claims(py):
    """Every "What we found" passage is followed by a quote of its claims' headline records, and every claim
    the notebook decides is quoted once."""
    import jupytext

    reg = ledger.load_registry()
    mine = {cid for cid, c in reg.items() if c.notebook == py.stem}
    nb = jupytext.read(py)
    quoted = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and WHAT_WE_FOUND.search(cell.source):
            j = i + 1  # the finding, rendered from this run's numbers (cells tagged "finding"), comes first
            while j < len(nb.cells) and "finding" in nb.cells[j].metadata.get("tags", []):
                assert "ch.finding(" in nb.cells[j].source, f"{py.name}: cell {j} is tagged 'finding' without ch.finding"
                j += 1
            nxt = nb.cells[j] if j < len(nb.cells) else None
            assert nxt is not None and nxt.cell_type == "code" and headline.QUOTE_TAG in nxt.metadata.get("tags", []), \
                f"{py.name}: the 'What we found' cell {i} is not followed by a quote_headline cell"
    for cell in _quote_cells(nb):
        quoted += headline.quote_ids(cell.source) or []
    assert sorted(quoted) == sorted(mine), (f"{py.name}: quoted {sorted(quoted)}, but the registry gives this "
                                            f"notebook {sorted(mine)}")
