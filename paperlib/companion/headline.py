"""This run's verdicts beside the committed headline verdicts.

The stored notebooks are smoke runs: a smoke verdict may legitimately differ from the headline verdict (the most
faithful published run, from ``figures/claims.json``). :func:`beside_headline` puts the two side by side, each
labelled. The table quotes the committed ledger, so notebooks show it in an nbval-ignored cell (a new
``make figures`` must not turn ``make test`` red); tests/companion/test_headline.py checks it against
``figures/claims.json`` instead.
"""
from __future__ import annotations

import json

from paperlib.common import paths

__all__ = ["run_banner", "committed_headlines", "beside_headline"]


def run_banner(profile: str) -> str:
    """One line for the top of a notebook: which profile this run is and what its verdicts count for."""
    if profile == "smoke":
        return ("This is a smoke run (small sizes, minutes on a laptop; the stored notebooks are smoke runs). Its "
                "verdicts may differ from the headline verdicts, which come from the most faithful published run "
                "(figures/claims.json); the last table puts the two side by side.")
    return (f"This is a {profile}-profile run: its verdicts are published into figures/{profile}/ and the claims "
            f"ledger (figures/claims.json) takes each claim's headline from the most faithful published run.")


def committed_headlines(path=None) -> dict[str, dict]:
    """The committed ledger's headline record per claim id ({} when nothing is published yet)."""
    path = paths.FIGURES / "claims.json" if path is None else path
    try:
        table = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    return {r["id"]: r for r in table}


def beside_headline(rec, path=None):
    """A table of the claims `rec` (a Recorder) recorded: this run's verdict and measured value, and the
    committed headline's verdict, measured value and profile."""
    import pandas as pd

    heads = committed_headlines(path)
    rows = []
    for cid, r in sorted(rec.records.items()):
        h = heads.get(cid, {})
        rows.append({"claim": cid,
                     f"this run ({rec.profile})": r["verdict"],
                     "measured (this run)": r["measured_value"],
                     "headline": h.get("verdict", "(none published)"),
                     "measured (headline)": h.get("measured_value", ""),
                     "headline profile": h.get("profile", "")})
    return pd.DataFrame(rows)
