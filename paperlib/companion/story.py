"""What we learned from each paper, in a paragraph: the opening of notebook 00 and of each paper's page.

A story is not typed: each paper's claims are grouped into the parts a reader thinks in (the theory, the
core operation, sizes and memory, training), and each part's sentence is chosen by :func:`reading` from the
headline verdicts in ``figures/claims.json``, with the counts rendered from it. When a verdict is republished
the story changes with it. Which part a claim belongs to, and which figures carry a paper, are editorial
choices made here.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from paperlib.common import paths

__all__ = ["PARTS", "KEY_FIGURES", "reading", "story", "key_figures"]

# paper -> [(the part, what the paper says about it, its claim ids)]
PARTS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "scn-hurnet": [
        ("The mathematics", "Eqs. 1-15: the similarity measure, the closed form and its bounds",
         ("SCN-EQ1-RANGE", "SCN-EQ3-CLOSED", "SCN-EQ10-SVD", "SCN-EQ8-SPAN", "SCN-EQ11-BOUND", "SCN-S8-CONV",
          "SCN-EQ15-MIN", "SCN-S9-BANACH", "SCN-EQ7-OPERATOR")),
        ("The system", "retrieval with a frozen encoder, real-time fitting, an unbounded context",
         ("SCN-EQ2-FROZEN", "SCN-EQ3-REALTIME", "SCN-EQ5-INFCTX")),
        ("The comparison with a GPT", "Table 1's speed-ups and the generalisation claim",
         ("SCN-T1-BASE", "SCN-T1-FT", "SCN-GEN")),
    ],
    "resnet-bk": [
        ("The operator theory", "the resolvent bound, Theorem 2, the GUE statistics of Theorem 4 and Table 2",
         ("BK-EQ2-R0BOUND", "BK-TH2-S1", "BK-TH2-S2", "BK-TH4-GUE", "BK-T2-MEAN", "BK-T2-STD", "BK-GUE-FITERR",
          "BK-EQ9-BK")),
        ("The O(N) core", "Algorithm 1, the BK-Core recurrence, its stability and its linear cost, forward and backward",
         ("BK-ALG1", "BK-STAB-32K", "BK-T3-ON", "BK-T7-FIT", "BK-S44-GRAD")),
        ("Sizes and memory", "Tables 1, 5, 6, 7, 10 and 11, Sections 4.2, 4.4 and 6.5, the 70% reduction",
         ("BK-T1-SIZES", "BK-T10-PARAMS", "BK-T11-VRAM", "BK-T11-PARAMMEM", "BK-T11-CAPTION", "BK-T5-MEM",
          "BK-S44-PERF", "BK-T6-TPUT", "BK-T67-CONSIST", "BK-CAPACITY", "BK-S65-PROJ", "BK-SEMISEP-70", "BK-ABS")),
        ("The training claims", "Prime-Bump convergence, the scattering router, ACT, the ablations of Table 4, "
         "Table 8, Section 6.4 and robustness to quantization, at the scale a CPU can train",
         ("BK-PB-CONV", "BK-EQ7-ROUTER", "BK-EQ10-ACT", "BK-T4-ABL", "BK-T8-PPL", "BK-S64-TRADEOFF", "BK-S23-QUANT")),
    ],
    "scta": [
        ("The method", "the loss's cost, free of the vocabulary size", ("SCTA-COMPLEXITY",)),
        ("Speed against vocabulary", "Table 1's speed-ups, throughput, the 1M-vocabulary and energy claims, and "
         "the table checked against itself",
         ("SCTA-SCALE", "SCTA-T1-SPEEDUP", "SCTA-T1-TPUT", "SCTA-1M-CONSUMER", "SCTA-ENERGY", "SCTA-T1-CONSIST")),
        ("Quality", "convergence and final loss against cross-entropy", ("SCTA-CONV",)),
    ],
    "related-theory": [
        ("The two abstracts", "OLS as a linear-attention layer; the cost, overhead and kernel of hierarchical "
         "attention", ("OLS-LINTF", "HKT-COST", "HKT-OVERHEAD", "HKT-PSD", "HKT-SUBSUMES")),
    ],
}

# paper -> the figures that carry its story (names of figures/<profile>/<name>.png)
KEY_FIGURES: dict[str, list[str]] = {
    "scn-hurnet": ["hurnet_eq11_vs_r", "scn_speed_vs_quality"],
    "resnet-bk": ["bk_gue_fit", "bk_core_scaling", "bk_table11_memory"],
    "scta": ["scta_speedup_vs_vocab", "scta_quality_vs_time"],
    "related-theory": ["ols_lintf_error_vs_cond", "hkt_cost_vs_L"],
}

_ORDER = ("reproduced", "partially-reproduced", "not-reproduced", "refuted", "not-testable", "pending")


def reading(verdicts: list[str]) -> str:
    """One phrase for a part of a paper, from its claims' verdicts (it follows a colon, so it needs no verb that
    agrees with the part's name). Pending and not-testable claims decide nothing; among the decided ones: all
    reproduced -> "reproduced as stated"; at least half refuted -> "mostly mis-stated, ..."; some refuted ->
    "partly sound, partly shown false"; at least half reproduced or partially reproduced -> "reproduced in part";
    otherwise "not reproduced as measured here". When at least as many claims are pending as are decided, the
    phrase is prefixed "mostly pending; so far"."""
    c = Counter(verdicts)
    decided = sum(c[v] for v in ("reproduced", "partially-reproduced", "not-reproduced", "refuted"))
    if decided == 0:
        return "not decided yet" if c["pending"] else "not testable"
    if c["reproduced"] == decided:
        phrase = "reproduced as stated"
    elif c["refuted"] >= decided / 2:
        phrase = "mostly mis-stated, with statements shown false"
    elif c["refuted"]:
        phrase = "partly sound, partly shown false"
    elif c["reproduced"] + c["partially-reproduced"] >= decided / 2:
        phrase = "reproduced in part"
    else:
        phrase = "not reproduced as measured here"
    return f"mostly pending; so far {phrase}" if c["pending"] >= decided else phrase


def _counts(verdicts: list[str]) -> str:
    c = Counter(verdicts)
    return ", ".join(f"{c[v]} {v}" for v in _ORDER if c[v])


def _headlines(path: Path | None) -> dict[str, dict]:
    path = paths.FIGURES / "claims.json" if path is None else Path(path)
    try:
        return {r["id"]: r for r in json.loads(path.read_text())}
    except FileNotFoundError:
        return {}


def story(paper: str, path: Path | None = None) -> str:
    """A Markdown paragraph: each part of the paper, the phrase its headline verdicts give, and their counts."""
    if paper not in PARTS:
        raise ValueError(f"unknown paper {paper!r}; known: {', '.join(PARTS)}")
    heads = _headlines(path)
    sentences = []
    for title, what, ids in PARTS[paper]:
        published = [i for i in ids if heads.get(i, {}).get("profile")]  # a registered claim with no run yet: none
        verdicts = [heads[i]["verdict"] for i in published]
        if not verdicts:
            sentences.append(f"**{title}** ({what}): nothing published yet.")
            continue
        profiles = sorted({heads[i]["profile"] for i in published})
        sentences.append(f"**{title}** ({what}): {reading(verdicts)} ({_counts(verdicts)}; "
                         f"{'/'.join(profiles)} run).")
    return " ".join(sentences)


def key_figures(paper: str) -> list[str]:
    """The names of the figures that carry a paper's story (figures/<profile>/<name>.png)."""
    if paper not in KEY_FIGURES:
        raise ValueError(f"unknown paper {paper!r}; known: {', '.join(KEY_FIGURES)}")
    return list(KEY_FIGURES[paper])
