"""This run's verdicts beside the committed headline verdicts.

The stored notebooks are smoke runs: a smoke verdict may legitimately differ from the headline verdict (the most
faithful published run, from ``figures/claims.json``). :func:`beside_headline` puts the two side by side, each
labelled; its output keeps this run's verdicts in its metadata.

Each claim section's "What we found" passage is followed by :func:`quote_headline`, which renders the claim's
headline record (verdict, measured value, the paper's value, the caveat, and the run it came from).

Both kinds of cell quote the committed ledger, so they are tagged ``headline-quote`` and nbval-ignored (a new
``make figures`` must not turn ``make test`` red); :func:`refresh_quotes` re-renders their stored outputs from
``figures/claims.json`` without re-executing anything, the pipeline calls it whenever the ledger is published, and
tests/companion/test_headline.py compares every stored and published quote with ``figures/claims.json``.
"""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from paperlib.common import paths

__all__ = ["run_banner", "committed_headlines", "beside_headline", "quote_headline", "refresh_quotes"]

QUOTE_TAG = "headline-quote"


def run_banner(profile: str) -> str:
    """One line for the top of a notebook: which profile this run is and what its verdicts count for."""
    if profile == "smoke":
        return ("This is a smoke run (small sizes, minutes on a laptop; the stored notebooks are smoke runs). Its "
                "verdicts may differ from the headline verdicts, which come from the most faithful published run "
                "(figures/claims.json); the chapter's last cell lists the verdicts that differ.")
    return (f"This is a {profile}-profile run: published runs (make figures) put its outputs into figures/{profile}/ "
            f"once it succeeds, and the claims ledger (figures/claims.json) takes each claim's headline from the most "
            f"faithful published run.")


def committed_headlines(path=None) -> dict[str, dict]:
    """The committed ledger's headline record per claim id ({} when nothing is published yet)."""
    path = paths.FIGURES / "claims.json" if path is None else path
    try:
        table = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    return {r["id"]: r for r in table}


BESIDE_SOURCE = "ch.beside_headline()"  # the source of a beside-headline cell (companion.chapter)


class BesideHeadline:
    """This run's verdicts (kept in the output's metadata, so the cell can be re-rendered without re-running)
    beside the committed headline verdicts."""

    def __init__(self, profile: str, this_run: list[dict], path=None):
        self.profile, self.this_run = profile, this_run
        self.heads = committed_headlines(path)

    def table(self):
        import pandas as pd

        rows = []
        for r in self.this_run:
            h = self.heads.get(r["claim"], {})
            rows.append({"claim": r["claim"], f"this run ({self.profile})": r["verdict"],
                         "measured (this run)": r["measured"], "headline": h.get("verdict", "(none published)"),
                         "measured (headline)": h.get("measured_value", ""), "headline profile": h.get("profile", "")})
        return pd.DataFrame(rows)

    def differing(self):
        """The rows whose verdict in this run is not the claim's headline verdict (a smoke run's, typically)."""
        t = self.table()
        return t[t[f"this run ({self.profile})"] != t["headline"]]

    def _repr_mimebundle_(self, include=None, exclude=None):
        meta = {"paperlib": {"profile": self.profile, "this_run": self.this_run}}
        diff = self.differing()
        if diff.empty:  # a published run: the quotes above are this run's verdicts; no second display
            n = len(self.this_run)
            text = (f"Each of this run's {n} verdict{'s' if n != 1 else ''} is its claim's headline verdict "
                    f"(figures/claims.json).")
            return {"text/markdown": text, "text/plain": text}, meta
        from paperlib.companion.display import Table

        t = Table(diff, caption=f"{len(diff)} of this run's {len(self.this_run)} verdicts differ from the headline")
        return {"text/html": t._repr_html_(), "text/plain": repr(t)}, meta


def beside_headline(rec, path=None) -> BesideHeadline:
    """A table of the claims `rec` (a Recorder) recorded: this run's verdict and measured value, and the
    committed headline's verdict, measured value and profile."""
    rows = [{"claim": cid, "verdict": r["verdict"], "measured": r["measured_value"]}
            for cid, r in sorted(rec.records.items())]
    return BesideHeadline(rec.profile, rows, path)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>$|#])")


_INLINE_MATH = re.compile(r"(\$[^$\s][^$]*?\$)")


def _md(s) -> str:
    """A ledger string safe inside Markdown: its $...$ formulas are kept (Jupyter and the reading edition render
    them); elsewhere no character starts emphasis, a link, HTML, a table cell or math."""
    parts = _INLINE_MATH.split(" ".join(str(s).split()))
    return "".join(p if i % 2 else _MD_SPECIAL.sub(r"\\\1", p) for i, p in enumerate(parts))


class HeadlineQuote:
    """Claims' headline records as Markdown (in a notebook) and as plain text (anywhere else)."""

    def __init__(self, claim_ids, records: dict[str, dict]):
        self.claim_ids = tuple(claim_ids)
        self.records = records

    def _lines(self, esc, missing: str, line: str) -> list[str]:
        """One line per claim: `line` formatted with the record's fields passed through `esc`."""
        out = []
        for cid in self.claim_ids:
            r = self.records.get(cid)
            if r is None:
                out.append(missing.format(cid=cid))
                continue
            run = f"{r.get('profile') or '?'} run" + (f", commit {r['commit'][:7]}" if r.get("commit") else "")
            out.append(line.format(cid=cid, verdict=r["verdict"], run=run,
                                   unit=f" ({esc(r['unit'])})" if r.get("unit") else "",
                                   measured=esc(r["measured_value"]), reason=esc(r["reason"]),
                                   scale=esc(r.get("scale") or "not recorded"),
                                   paper=esc(f"{r['paper_value']} ({r['where']})")))
        return out

    def _repr_markdown_(self) -> str:
        head = ("**Headline verdicts, quoted from the committed ledger** (`figures/claims.json`; this run's verdicts, "
                "decided in the cells above, may differ from them at smoke sizes):")
        return "\n".join([head, ""] + self._lines(
            _md, "* **{cid}**: no headline published yet.",
            "* **{cid}: {verdict}** ({run}). Measured{unit}: {measured}. Paper: {paper}. Scale: {scale}. "
            "Why: {reason}"))

    def __repr__(self) -> str:
        return "\n".join(["Headline verdicts (figures/claims.json):"] + self._lines(
            str, "  {cid}: no headline published yet",
            "  {cid}: {verdict} ({run}); measured{unit}: {measured}; paper: {paper}; scale: {scale}; why: {reason}"))


def quote_headline(*claim_ids: str, path=None) -> HeadlineQuote:
    """The committed headline record of each claim, for the cell after a "What we found" passage."""
    if not claim_ids:
        raise ValueError("quote_headline needs at least one claim id")
    from paperlib.companion.ledger import _registry_cached

    unknown = [c for c in claim_ids if c not in _registry_cached()]
    if unknown:
        raise ValueError(f"quote_headline: unknown claim id(s) {', '.join(unknown)} (not in data/claims/*.yaml)")
    return HeadlineQuote(claim_ids, committed_headlines(path))


def quote_ids(source: str) -> tuple[str, ...] | None:
    """The claim ids of a cell whose whole source is ``quote_headline("ID", ...)``; None for any other cell."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError:
        return None
    call = tree.body
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "quote_headline"
            and not call.keywords and all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                          for a in call.args)):
        return None
    return tuple(a.value for a in call.args)


def quote_outputs(ids, execution_count, path=None) -> list[dict]:
    """The outputs Jupyter stores for a ``quote_headline(*ids)`` cell (what executing it displays)."""
    q = quote_headline(*ids, path=path)
    return [{"output_type": "execute_result", "execution_count": execution_count, "metadata": {},
             "data": {"text/markdown": q._repr_markdown_(), "text/plain": repr(q)}}]


def quote_cell_outputs(cell, path=None, where: str = "") -> list[dict]:
    """What a cell tagged QUOTE_TAG displays, rendered from the committed ledger: ``quote_headline("ID", ...)``,
    or ``beside_headline(rec)`` (this run's verdicts taken from its stored output's metadata)."""
    n = cell.get("execution_count")
    ids = quote_ids(cell.source)
    if ids is not None:
        return quote_outputs(ids, n, path)
    if cell.source.strip() != BESIDE_SOURCE:
        raise ValueError(f"{where}: a cell tagged {QUOTE_TAG!r} must be quote_headline(\"ID\", ...) or "
                         f"{BESIDE_SOURCE}")
    meta = next((o.get("metadata", {}).get("paperlib") for o in cell.get("outputs", [])
                 if o.get("metadata", {}).get("paperlib")), None)
    if meta is None:
        raise ValueError(f"{where}: the stored {BESIDE_SOURCE} output has no this-run record: re-execute the notebook")
    data, md = BesideHeadline(meta["profile"], meta["this_run"], path)._repr_mimebundle_()
    return [{"output_type": "execute_result", "execution_count": n, "metadata": md, "data": data}]


def refresh_quotes(notebook: Path, path=None) -> bool:
    """Re-render the stored outputs of `notebook`'s quote cells from the committed ledger (no execution).
    Returns whether the file changed; it is rewritten atomically."""
    import nbformat

    from paperlib.common.atomic import write_text

    nb = nbformat.read(notebook, as_version=4)
    changed = False
    for cell in nb.cells:
        if cell.cell_type != "code" or QUOTE_TAG not in cell.metadata.get("tags", []):
            continue
        outputs = [nbformat.from_dict(o) for o in quote_cell_outputs(cell, path, notebook.name)]
        if cell.get("outputs") != outputs:
            cell.outputs = outputs
            changed = True
    if changed:
        write_text(notebook, nbformat.writes(nb) + "\n")
    return changed


def refresh_all_quotes(path=None) -> list[Path]:
    """refresh_quotes over the stored notebooks and every published profile's notebooks; the files changed."""
    targets = sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    for prof in paths.PUBLISHED_PROFILES:
        targets += sorted((paths.FIGURES / prof / "notebooks").glob("*.ipynb"))
    return [nb for nb in targets if refresh_quotes(nb, path)]
