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
    table = headline.beside_headline(rec)
    row = table.iloc[0]
    assert row["claim"] == first["id"] and row["this run (smoke)"] == "not-testable"
    assert (row["headline"], row["measured (headline)"], row["headline profile"]) == (
        first["verdict"], first["measured_value"], first["profile"])
    assert headline.committed_headlines(tmp_path / "missing.json") == {}
    assert headline.beside_headline(rec, tmp_path / "missing.json").iloc[0]["headline"] == "(none published)"


def test_run_banner_says_what_a_run_counts_for():
    assert "smoke run" in headline.run_banner("smoke") and "headline" in headline.run_banner("smoke")
    assert "figures/cpu/" in headline.run_banner("cpu")
