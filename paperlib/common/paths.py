"""Absolute paths to the repository's folders, the one table of profiles, and where each profile's outputs go.

Everything the companion knows about a profile lives in :data:`PROFILE_TABLE`; ``PROFILES``,
``PUBLISHED_PROFILES``, the ledger's faithfulness order, the pipeline's cell timeouts and its help text, and the
reading edition's choice of executed copy are derived from it (the Makefile names only `auto` and `smoke`, its
two defaults).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
PARAMS = NOTEBOOKS / "params"
FIGURES = ROOT / "figures"
DATA = ROOT / "data"
CLAIMS_REGISTRY = DATA / "claims"
BUILD = ROOT / "build"
README = ROOT / "README.md"  # its claims summary is regenerated with the published ledger


@dataclass(frozen=True)
class Profile:
    """One profile: its name, whether its results are published (committed under figures/<name>/), the
    pipeline's per-cell timeout in seconds, and its faithfulness rank (0 = the most faithful: a claim's
    headline comes from the lowest rank that recorded it)."""

    name: str
    published: bool
    cell_timeout_s: int
    rank: int
    what: str


PROFILE_TABLE = (
    Profile("paper", True, 7200, 0, "the papers' own configurations, meant for a CUDA GPU"),
    Profile("cpu", True, 1800, 1, "the full sweep at reduced sizes for a 2-core laptop"),
    Profile("smoke", False, 600, 2, "the parameters cells' defaults: seconds per notebook (nbval, stored notebooks)"),
)
_BY_NAME = {p.name: p for p in PROFILE_TABLE}
# the names in the order a reader meets them (smallest first); MOST_FAITHFUL_FIRST orders by rank
PROFILES = tuple(p.name for p in sorted(PROFILE_TABLE, key=lambda p: -p.rank))
MOST_FAITHFUL_FIRST = tuple(p.name for p in sorted(PROFILE_TABLE, key=lambda p: p.rank))
PUBLISHED_PROFILES = tuple(n for n in PROFILES if _BY_NAME[n].published)  # smoke results are throwaway
# `auto` (the pipeline's default): the most faithful profile this machine can run (paper with a CUDA GPU)
AUTO = "auto"
# What produces the published results: a cpu/paper run must come from these as committed (see pipeline).
SOURCE_INPUTS = ("paperlib", "notebooks", "data", "pyproject.toml", "constraints.txt")


def profile(name: str) -> Profile:
    """The table row of a profile; ValueError naming the known ones otherwise."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; expected one of {', '.join(PROFILES)}") from None


def output_root(root=None) -> Path | None:
    """The output root that replaces the default folders: `root` when given (a chapter's OUTPUT_ROOT, injected
    by the runner), else the PAPERLIB_OUTPUT variable (only the test harness's fallback: nbval over the stored
    notebooks, whose OUTPUT_ROOT is ""), else None (the default folders)."""
    chosen = str(root) if root else os.environ.get("PAPERLIB_OUTPUT", "")
    return Path(chosen).resolve() if chosen else None


def output_dir(profile_name: str, root=None) -> Path:
    """Where a profile's figures, tables and ledger results go: <root>/<profile> when an output root is given
    (see output_root), else figures/<profile> for a published profile and build/<profile> otherwise."""
    base = output_root(root)
    return base / profile(profile_name).name if base is not None else output_dir_default(profile_name)


def published_ledger_roots() -> list[Path]:
    """The committed ledger folders: the only inputs of figures/claims.json, CLAIMS.md and the README summary."""
    return [output_dir_default(p) / "ledger" for p in MOST_FAITHFUL_FIRST if _BY_NAME[p].published]


def ledger_roots() -> list[Path]:
    """Folders holding per-notebook ledger results, most faithful profile first (what a live view shows)."""
    roots = [output_dir_default(p) / "ledger" for p in MOST_FAITHFUL_FIRST]
    override = output_root()
    if override:
        roots += [override / p / "ledger" for p in MOST_FAITHFUL_FIRST]
    return roots


def output_dir_default(profile_name: str) -> Path:
    """A profile's default folder, ignoring any output root."""
    prof = profile(profile_name)
    return (FIGURES if prof.published else BUILD) / prof.name
