"""Held-out prompt perturbations for testing SCN/GPT "generalization" (seeded, deterministic).

Families (each returns a changed copy of the prompt, or the prompt itself when the family cannot apply):

* ``case``        -- change the case of the whole prompt: lower-case it, or upper-case it if it is already lower.
* ``accents``     -- strip accents (NFD, drop marks) if the prompt has any; else put an acute accent on one
                     random vowel (so English prompts are perturbed too).
* ``punctuation`` -- remove all punctuation if there is some; else append "?".
* ``word_order``  -- swap two random adjacent words (needs >= 2 words).
* ``typos``       -- one random character edit (swap adjacent / delete / insert / substitute a letter)
                     inside a random word of >= 3 letters.

Randomness: numpy Generator seeded from (seed, family, index), so a prompt's perturbation does not depend on
which other prompts are perturbed.
"""
from __future__ import annotations

import unicodedata
import zlib
from typing import Sequence

import numpy as np

from paperlib.scn.similarity import strip_accents

__all__ = ["FAMILIES", "perturb", "perturb_many"]

FAMILIES = ("case", "accents", "punctuation", "word_order", "typos")
_ACUTE = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú", "A": "Á", "E": "É", "I": "Í", "O": "Ó", "U": "Ú"}
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _rng(seed: int, family: str, index: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(family.encode()), index])


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


def perturb(text: str, family: str, rng: np.random.Generator) -> str:
    """One perturbation of `text` from `family` using `rng` (see module docstring)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if family not in FAMILIES:
        raise ValueError(f"unknown perturbation family {family!r}; expected one of {FAMILIES}")
    if family == "case":
        return text.upper() if text == text.lower() else text.lower()
    if family == "accents":
        s = strip_accents(text)
        if s != text:
            return s
        pos = [i for i, c in enumerate(text) if c in _ACUTE]
        if not pos:
            return text
        i = pos[int(rng.integers(len(pos)))]
        return text[:i] + _ACUTE[text[i]] + text[i + 1:]
    if family == "punctuation":
        s = "".join(c for c in text if not _is_punct(c))
        s = " ".join(s.split())
        return s if s != text and s else text.rstrip() + "?"
    if family == "word_order":
        w = text.split()
        if len(w) < 2:
            return text
        i = int(rng.integers(len(w) - 1))
        w[i], w[i + 1] = w[i + 1], w[i]
        return " ".join(w)
    # typos
    words = text.split(" ")
    cand = [i for i, w in enumerate(words) if sum(c.isalpha() for c in w) >= 3]
    if not cand:
        return text
    wi = cand[int(rng.integers(len(cand)))]
    w = words[wi]
    letters = [i for i, c in enumerate(w) if c.isalpha()]
    op = int(rng.integers(4))
    i = letters[int(rng.integers(len(letters)))]
    if op == 0 and i + 1 < len(w) and w[i + 1] != w[i]:      # swap adjacent
        w = w[:i] + w[i + 1] + w[i] + w[i + 2:]
    elif op == 1:                                           # delete
        w = w[:i] + w[i + 1:]
    elif op == 2:                                           # insert
        w = w[:i] + _LETTERS[int(rng.integers(26))] + w[i:]
    else:                                                   # substitute (a different letter)
        c = _LETTERS[int(rng.integers(26))]
        if c == w[i].lower():
            c = _LETTERS[(_LETTERS.index(c) + 1) % 26]
        w = w[:i] + c + w[i + 1:]
    words[wi] = w
    return " ".join(words)


def perturb_many(prompts: Sequence[str], families: Sequence[str] = FAMILIES, seed: int = 0) -> list[dict]:
    """Perturb every prompt with every family. Rows: {family, index, source, perturbed, changed}."""
    if isinstance(prompts, str):
        raise TypeError("prompts must be a sequence of str")
    rows = []
    for fam in families:
        for i, p in enumerate(prompts):
            q = perturb(p, fam, _rng(seed, fam, i))
            rows.append({"family": fam, "index": i, "source": p, "perturbed": q, "changed": q != p})
    return rows


def load_paraphrases(lang: str) -> list[dict]:
    """The hand-written paraphrase set data/scn/paraphrases.yaml for 'english' or 'portuguese'."""
    import yaml

    from paperlib.common import paths

    if lang not in ("english", "portuguese"):
        raise ValueError(f"lang must be 'english' or 'portuguese', got {lang!r}")
    rows = yaml.safe_load((paths.DATA / "scn" / "paraphrases.yaml").read_text(encoding="utf-8"))
    return [r for r in rows if r["lang"] == lang]


def heldout_queries(prompts: Sequence[str], lang: str, n_sample: int = 50, families: Sequence[str] = FAMILIES,
                    seed: int = 0) -> list[dict]:
    """Held-out queries: each family applied to a seeded sample of `prompts` (only changed ones kept), plus the
    paraphrases whose source prompt is in `prompts`. Rows: {family, query, source}."""
    uniq = list(dict.fromkeys(prompts))
    rng = np.random.default_rng(seed)
    pick = sorted(rng.choice(len(uniq), size=min(n_sample, len(uniq)), replace=False).tolist())
    sample = [uniq[i] for i in pick]
    rows = [{"family": r["family"], "query": r["perturbed"], "source": r["source"]}
            for r in perturb_many(sample, families, seed) if r["changed"]]
    have = set(uniq)
    rows += [{"family": "paraphrase", "query": r["paraphrase"], "source": r["prompt"]}
             for r in load_paraphrases(lang) if r["prompt"] in have]
    return rows
