"""Absolute paths to the repository's folders, so code works from any working directory."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
PARAMS = NOTEBOOKS / "params"
FIGURES = ROOT / "figures"
DATA = ROOT / "data"
CLAIMS_REGISTRY = DATA / "claims"
BUILD = ROOT / "build"
README = ROOT / "README.md"  # its claims summary is regenerated with the published ledger

PROFILES = ("smoke", "cpu", "paper")
PUBLISHED_PROFILES = ("cpu", "paper")  # committed under figures/<profile>/; smoke results are throwaway
# What produces the published results: a cpu/paper run must come from these as committed (see pipeline).
SOURCE_INPUTS = ("paperlib", "notebooks", "data", "pyproject.toml", "constraints.txt")


def output_dir(profile: str) -> Path:
    """Where a profile's figures, tables and ledger results go.

    `cpu` and `paper` results are the companion's published outputs (committed under figures/<profile>/);
    `smoke` results are throwaway (build/smoke/). PAPERLIB_OUTPUT overrides the root (nbval uses it so that
    a test run never touches committed files).
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; expected one of {', '.join(PROFILES)}")
    override = os.environ.get("PAPERLIB_OUTPUT")
    if override:
        return Path(override).resolve() / profile
    if profile == "smoke":
        return BUILD / "smoke"
    return FIGURES / profile


def published_ledger_roots() -> list[Path]:
    """The committed ledger folders: the only inputs of figures/claims.json, CLAIMS.md and the README summary."""
    return [FIGURES / p / "ledger" for p in ("paper", "cpu")]


def ledger_roots() -> list[Path]:
    """Folders holding per-notebook ledger results, most faithful profile first (what a live view shows)."""
    roots = [FIGURES / "paper" / "ledger", FIGURES / "cpu" / "ledger", BUILD / "smoke" / "ledger"]
    override = os.environ.get("PAPERLIB_OUTPUT")
    if override:
        roots += [Path(override).resolve() / p / "ledger" for p in PROFILES]
    return roots
