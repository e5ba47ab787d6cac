import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("PAPERLIB_PROGRESS", "0")


@pytest.fixture
def isolated_output(tmp_path, monkeypatch):
    """Send every paperlib output (figures, tables, ledger) of a test into a temporary folder."""
    monkeypatch.setenv("PAPERLIB_OUTPUT", str(tmp_path / "out"))
    return tmp_path / "out"


@pytest.fixture
def registry_from(tmp_path):
    """A claims registry loaded from the given entries (written as a temporary data/claims/*.yaml)."""
    import yaml

    from paperlib.companion import ledger

    def load(entries):
        folder = tmp_path / "claims"
        folder.mkdir()
        (folder / "t.yaml").write_text(yaml.safe_dump(list(entries)))
        return ledger.load_registry(folder)

    return load


@pytest.fixture(autouse=True)
def _never_the_real_readme(tmp_path, monkeypatch):
    """No test may rewrite the tracked README: its summary target is a temporary path for every test."""
    from paperlib.common import paths

    monkeypatch.setattr(paths, "README", tmp_path / "README.not-tracked.md")
