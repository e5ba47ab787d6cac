"""The verdict vocabulary and the result a decision rule returns.

Every claim's rule (in ``paperlib/<paper>/verdicts.py``) is a function of measured quantities that returns a
:class:`Verdict`; notebooks record that object (``Recorder.record(result)``) instead of typing a word.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["VERDICTS", "Measurement", "Verdict"]

VERDICTS = (
    "reproduced",
    "partially-reproduced",
    "not-reproduced",
    "refuted",
    "not-testable",
    "pending",
)


@dataclass(frozen=True)
class Verdict:
    """A rule's decision on one claim: the verdict word, a one-line reason built from this run's measured
    values, and the headline measured value the ledger shows beside the paper's."""

    claim: str
    verdict: str
    reason: str
    measured: Any = None
    # optional: the headline quantity as a number and its spread (low, high), e.g. a median and its IQR or a
    # seed range; `make verify` compares two runs' values within their spreads when both give them
    value: float | None = None
    spread: tuple[float, float] | None = None

    def __post_init__(self):
        if not isinstance(self.claim, str) or not self.claim:
            raise ValueError("a Verdict names its claim id")
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r} for {self.claim}; use one of {', '.join(VERDICTS)}")
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise ValueError(f"{self.claim}: a verdict needs a one-line reason")
        if self.spread is not None and (len(self.spread) != 2 or not self.spread[0] <= self.spread[1]):
            raise ValueError(f"{self.claim}: a spread is (low, high) with low <= high, got {self.spread!r}")

    def __str__(self) -> str:
        return f"{self.claim}: {self.verdict} ({self.reason})"


@dataclass
class Measurement:
    """What one claim-deciding measurement returns, to every caller alike (a notebook cell, the GPU run, a test):
    its tables (name -> DataFrame; the caller saves them), the Verdicts its rules returned, and per claim the
    evidence string the caller records with it. ``notes`` holds anything else a chapter prints or plots
    (e.g. a fitted exponent, the device label). One function computes it; nobody recomputes it elsewhere."""

    tables: dict = field(default_factory=dict)
    verdicts: list = field(default_factory=list)
    evidence: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)

    def verdict(self, claim: str) -> Verdict:
        for v in self.verdicts:
            if v.claim == claim:
                return v
        raise KeyError(f"this measurement decided no claim {claim!r}; it decided "
                       f"{', '.join(v.claim for v in self.verdicts) or 'none'}")

    def decided(self) -> list[tuple[str, str]]:
        """(claim, verdict) pairs, the comparison key between two paths to the same measurement."""
        return [(v.claim, v.verdict) for v in self.verdicts]
