import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("PAPERLIB_PROGRESS", "0")


@pytest.fixture
def isolated_output(tmp_path, monkeypatch):
    """Send every paperlib output (figures, tables, ledger) of a test into a temporary folder."""
    monkeypatch.setenv("PAPERLIB_OUTPUT", str(tmp_path / "out"))
    return tmp_path / "out"
