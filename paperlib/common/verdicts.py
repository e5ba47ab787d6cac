"""The verdict vocabulary and the result a decision rule returns.

Every claim's rule (in ``paperlib/<paper>/verdicts.py``) is a function of measured quantities that returns a
:class:`Verdict`; notebooks record that object (``Recorder.record(result)``) instead of typing a word.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["VERDICTS", "Verdict"]

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

    def __post_init__(self):
        if not isinstance(self.claim, str) or not self.claim:
            raise ValueError("a Verdict names its claim id")
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r} for {self.claim}; use one of {', '.join(VERDICTS)}")
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise ValueError(f"{self.claim}: a verdict needs a one-line reason")

    def __str__(self) -> str:
        return f"{self.claim}: {self.verdict} ({self.reason})"
