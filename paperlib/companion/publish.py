"""Staged publishing: a notebook's outputs reach figures/<profile>/ together, or not at all.

A `cpu` or `paper` run writes each notebook's figures, tables and ledger records into a staging folder
(``build/staging/<profile>/<notebook>/``, through ``PAPERLIB_OUTPUT``). Only when the notebook succeeds is
that set published: it replaces the notebook's previous set in ``figures/<profile>/`` (the files whose
provenance names the notebook, and its ledger file for the same device). A failed or interrupted notebook
leaves the published set exactly as it was.

The swap itself is a journal: the list of moves and deletions is written atomically first, then carried
out; an interruption during the swap is rolled forward by the next run (:func:`recover`), so the
published folder never holds half of one set and half of another.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

from paperlib.common import paths
from paperlib.common.atomic import write_json

# the files one output name owns (figures.savefig / figures.save_table write these)
OUTPUT_SUFFIXES = (".png", ".pdf", ".svg", ".csv", ".md", ".tex", ".provenance.json")


def staging_root(profile: str, name: str) -> Path:
    """The PAPERLIB_OUTPUT root for one notebook's staged run (its outputs land in <root>/<profile>/)."""
    if profile not in paths.PUBLISHED_PROFILES:
        raise ValueError(f"only {', '.join(paths.PUBLISHED_PROFILES)} results are published, not {profile!r}")
    return paths.BUILD / "staging" / profile / name


def fresh_staging(profile: str, name: str) -> Path:
    root = staging_root(profile, name)
    shutil.rmtree(root, ignore_errors=True)
    (root / profile).mkdir(parents=True)
    return root


def discard(profile: str, name: str) -> None:
    shutil.rmtree(staging_root(profile, name), ignore_errors=True)


def owned_files(dest: Path, notebook: str) -> list[Path]:
    """The files in a published folder that belong to `notebook`: those its provenance sidecars name, and
    everything in a subfolder of its own name (a script such as gpu_run keeps its tables there)."""
    own_dir = dest / notebook
    owned = sorted(p for p in own_dir.rglob("*") if p.is_file()) if own_dir.is_dir() else []
    for prov in sorted(dest.glob("*.provenance.json")):
        try:
            meta = json.loads(prov.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if meta.get("notebook") != notebook:
            continue
        stem = prov.name[: -len(".provenance.json")]
        owned += [dest / f"{stem}{s}" for s in OUTPUT_SUFFIXES if (dest / f"{stem}{s}").is_file()]
    return owned


def _journal(dest: Path, notebook: str) -> Path:
    return dest / f".publish-{notebook}.json"


def _apply(journal: Path) -> None:
    plan = json.loads(journal.read_text(encoding="utf-8"))
    for src, dst in plan["moves"]:
        src, dst = Path(src), Path(dst)
        if src.is_file():
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
    for stale in plan["deletes"]:
        with contextlib.suppress(FileNotFoundError):
            Path(stale).unlink()
    journal.unlink()


def recover(dest: Path) -> list[str]:
    """Finish any swap that an interruption left half done (roll forward); return the notebooks fixed."""
    done = []
    for journal in sorted(Path(dest).glob(".publish-*.json")):
        _apply(journal)
        done.append(journal.name[len(".publish-"):-len(".json")])
    return done


def publish(staged: Path, dest: Path, notebook: str) -> list[Path]:
    """Replace `notebook`'s published set in `dest` by the files staged in `staged`; return the new files."""
    staged, dest = Path(staged), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    recover(dest)
    new = sorted(p for p in staged.rglob("*") if p.is_file() and not p.name.startswith("."))
    targets = [dest / p.relative_to(staged) for p in new]
    old = owned_files(dest, notebook)
    stale = sorted(set(old) - set(targets))
    journal = _journal(dest, notebook)
    write_json(journal, {"notebook": notebook, "moves": [[str(s), str(t)] for s, t in zip(new, targets)],
                         "deletes": [str(p) for p in stale]})
    _apply(journal)
    return targets
