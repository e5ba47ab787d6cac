"""common.paths and common.atomic: where outputs go, and writes that are all or nothing."""
import subprocess
import sys
import textwrap

import pytest

from paperlib.common import atomic, paths


# ---------------------------------------------------------------- paths
def test_paths_are_absolute_and_exist():
    for p in (paths.ROOT, paths.NOTEBOOKS, paths.DATA, paths.CLAIMS_REGISTRY):
        assert p.is_absolute() and p.exists()
    assert (paths.ROOT / "pyproject.toml").is_file()


def test_output_dir_rejects_unknown_profile():
    with pytest.raises(ValueError, match="unknown profile 'gpu'"):
        paths.output_dir("gpu")


def test_output_dir_layout(monkeypatch):
    monkeypatch.delenv("PAPERLIB_OUTPUT", raising=False)
    assert paths.output_dir("cpu") == paths.FIGURES / "cpu"
    assert paths.output_dir("smoke") == paths.BUILD / "smoke"


# ---------------------------------------------------------------- atomic writes
def test_atomic_write_leaves_nothing_on_error(tmp_path):
    target = tmp_path / "x.txt"
    atomic.write_text(target, "old")
    with pytest.raises(RuntimeError):
        with atomic.atomic_path(target) as tmp:
            tmp.write_text("half-writ")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.txt"]


def test_interrupted_writer_process_leaves_old_file(tmp_path):
    """A process killed in the middle of a write leaves the previous file intact."""
    target = tmp_path / "fig.txt"
    atomic.write_text(target, "complete")
    code = textwrap.dedent(f"""
        import os, signal
        from paperlib.common.atomic import atomic_path
        with atomic_path({str(target)!r}) as tmp:
            tmp.write_text("partial")
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", code], cwd=paths.ROOT)
    assert proc.returncode != 0
    assert target.read_text() == "complete"


def test_replace_dir_swaps_a_finished_folder_in(tmp_path):
    from paperlib.common.atomic import replace_dir

    out, built = tmp_path / "site", tmp_path / "site.tmp"
    out.mkdir()
    (out / "old.html").write_text("old")
    built.mkdir()
    (built / "new.html").write_text("new")
    assert replace_dir(built, out) == out
    assert sorted(p.name for p in out.iterdir()) == ["new.html"] and not built.exists()
    fresh = tmp_path / "kit.tmp"
    fresh.mkdir()
    assert replace_dir(fresh, tmp_path / "kit").is_dir()     # no previous folder: just moved into place
