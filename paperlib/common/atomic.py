"""Atomic file writes: write to a temporary file in the same folder, then rename into place.

An interrupted run therefore never leaves a half-written figure, table, ledger or notebook behind.
"""
from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

_UMASK = os.umask(0)
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary path next to `path`; on success it replaces `path`, on error it is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)   # mkstemp makes 0600 files; give outputs the usual mode
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def replace_dir(built: Path, out: Path) -> Path:
    """A finished folder `built` (made beside `out`) takes the place of `out`: readers see the old folder or the
    new one, never a half-written one (the reading edition, the workshop kit)."""
    import shutil

    built, out = Path(built), Path(out)
    if out.exists():
        shutil.rmtree(out)
    built.rename(out)
    return out


def write_json(path, obj) -> None:
    write_text(path, json.dumps(obj, indent=2, sort_keys=True, default=str, ensure_ascii=False) + "\n")


def replace_between_markers(path: Path, start: str, end: str, body: str) -> bool:
    """Replace the text between two marker lines of a file (the README's generated sections) with `body`,
    atomically and only when it changes; False, writing nothing, when the file or a marker is absent.
    The one README marker writer: the claims summary (companion.ledger) and the smoke-times table
    (companion.workshop)."""
    path = Path(path)
    if not path.is_file():
        return False
    text = path.read_text(encoding="utf-8")
    if start not in text or end not in text:
        return False
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    new = f"{head}{start}\n{body}\n{end}{tail}"
    if new != text:
        write_text(path, new)
    return True
