"""Eq. 1 of the SCN paper: the "semantic similarity probability" P(T1, T2), in its two readings.

    P(T1,T2) = max(0, (1/|S|) sum_{w in S} max_{v in T} sum_{i=1}^{min(|w|,|v|)} (d1+d2+d3)/3
                     - I_len * (1 - |S|/max(1,|T|)) / 2)                                    (Eq. 1)

    d1(a,b) = [lower(strip_accents(a)) == lower(strip_accents(b))]
    d2(a,b) = [strip_accents(a) == strip_accents(b)]
    d3(a,b) = [lower(a) == lower(b)]

Two readings (the print is ambiguous):

* ``"literal"`` -- as printed: the inner sum runs over character positions i of the words w and v, the deltas
  compare the characters w_i, v_i, so a word scores the number of matching aligned characters (up to
  min(|w|,|v|)), and the result is clamped with max(0, .). Its range is therefore [0, longest word length],
  not [0, 1].
* ``"word"`` -- the deltas compare whole words, so a word scores 0, 1/3, 2/3 or 1; the length penalty is
  skipped (not clamped) when subtracting it would take the score to zero or below (how the authors' package
  behaves, per the spec).

Tokenization (shared by both readings): the text is NFC-normalised, then split into maximal runs of "word
characters" = characters that are alphanumeric (str.isalnum), the underscore, or combining marks (Unicode
category M*). Everything else -- whitespace AND punctuation -- is a separator and is dropped, so
"Olá, mundo!" -> ["Olá", "mundo"] and "conhecê-la" -> ["conhecê", "la"].

S is the shorter token list and T the longer; on a tie S is the first text's tokens (so P is not symmetric
on ties when words repeat: see `invariant_report`). An empty token list on either side gives P = 0.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np

__all__ = [
    "READINGS",
    "strip_accents",
    "tokenize",
    "word_delta",
    "similarity",
    "similarity_many",
    "invariant_report",
]

READINGS = ("literal", "word")


def _check_text(x, name="text") -> str:
    if not isinstance(x, str):
        raise TypeError(f"{name} must be a str, got {type(x).__name__}")
    return x


@lru_cache(maxsize=65536)
def strip_accents(s: str) -> str:
    """Unicode NFD decomposition, then drop combining marks of category Mn ("Olá" -> "Ola", "ç" -> "c")."""
    _check_text(s, "s")
    return "".join(ch for ch in unicodedata.normalize("NFD", s) if unicodedata.category(ch) != "Mn")


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or unicodedata.category(ch).startswith("M")


@lru_cache(maxsize=65536)
def _tokenize_cached(text: str) -> tuple[str, ...]:
    text = unicodedata.normalize("NFC", text)
    tokens, cur = [], []
    for ch in text:
        if _is_word_char(ch):
            cur.append(ch)
        elif cur:
            tokens.append("".join(cur))
            cur = []
    if cur:
        tokens.append("".join(cur))
    return tuple(tokens)


def tokenize(text: str) -> list[str]:
    """Word tokens of `text` (NFC; runs of alphanumerics/underscore/combining marks; punctuation dropped)."""
    return list(_tokenize_cached(_check_text(text)))


@lru_cache(maxsize=262144)
def _keys(tok: str) -> tuple[str, str, str]:
    """The three normal forms the deltas compare: (lower(strip(a)), strip(a), lower(a))."""
    s = strip_accents(tok)
    return (s.lower(), s, tok.lower())


def word_delta(a: str, b: str) -> float:
    """(d1+d2+d3)/3 for whole strings a, b (one of 0, 1/3, 2/3, 1)."""
    ka, kb = _keys(a), _keys(b)
    return ((ka[0] == kb[0]) + (ka[1] == kb[1]) + (ka[2] == kb[2])) / 3.0


def _literal_word_score(w: str, v: str) -> float:
    """Literal reading: sum over aligned character positions i <= min(|w|,|v|) of (d1+d2+d3)/3 on (w_i, v_i)."""
    return float(sum(word_delta(a, b) for a, b in zip(w, v)))


def _split_s_t(t1: Sequence[str], t2: Sequence[str]):
    return (t1, t2) if len(t1) <= len(t2) else (t2, t1)


def _score_tokens(s_tok, t_tok, reading: str, length_penalty: bool) -> float:
    if len(s_tok) == 0 or len(t_tok) == 0:
        return 0.0
    if reading == "word":
        t_keys = [_keys(v) for v in t_tok]
        total = 0.0
        for w in s_tok:
            kw = _keys(w)
            best = 0
            for kv in t_keys:
                m = (kw[0] == kv[0]) + (kw[1] == kv[1]) + (kw[2] == kv[2])
                if m > best:
                    best = m
                    if best == 3:
                        break
            total += best / 3.0
        base = total / len(s_tok)
    else:
        base = sum(max(_literal_word_score(w, v) for v in t_tok) for w in s_tok) / len(s_tok)
    penalty = (1.0 - len(s_tok) / max(1, len(t_tok))) / 2.0 if length_penalty else 0.0
    if reading == "literal":
        return max(0.0, base - penalty)  # Eq. 1 as printed: clamp at 0
    # word reading (authors' package): skip the penalty when it would take the score to <= 0
    return base - penalty if base - penalty > 0 else base


def _check_reading(reading):
    if reading not in READINGS:
        raise ValueError(f"unknown reading {reading!r}; expected one of {READINGS}")


def similarity(t1: str, t2: str, reading: str = "word", length_penalty: bool = True) -> float:
    """P(T1, T2) of Eq. 1 under `reading` ('literal' | 'word'), with the length penalty on or off."""
    _check_text(t1, "t1")
    _check_text(t2, "t2")
    _check_reading(reading)
    if not isinstance(length_penalty, bool):
        raise TypeError("length_penalty must be a bool")
    s_tok, t_tok = _split_s_t(_tokenize_cached(t1), _tokenize_cached(t2))
    return _score_tokens(s_tok, t_tok, reading, length_penalty)


def similarity_many(query: str, candidates: Iterable[str], reading: str = "word",
                    length_penalty: bool = True) -> np.ndarray:
    """P(query, c) for every candidate c (float64 array); the query plays T1 (wins ties for S)."""
    _check_text(query, "query")
    _check_reading(reading)
    q = _tokenize_cached(query)
    out = []
    for c in candidates:
        _check_text(c, "candidate")
        s_tok, t_tok = _split_s_t(q, _tokenize_cached(c))
        out.append(_score_tokens(s_tok, t_tok, reading, length_penalty))
    return np.asarray(out, dtype=np.float64)


# ----------------------------------------------------------------------------------------------------------
# Invariants, checked empirically on seeded random texts (used by notebook 01 and the tests)

_ALPHABET_LOWER = "abcdeilmnorstuáàâãéêíóôõúç"
_WORDS_EN_PT = ["olá", "ola", "mundo", "casa", "você", "voce", "não", "nao", "coração", "hello", "world",
                "how", "are", "you", "é", "e", "está", "esta", "ação", "acao", "a", "o", "de"]


def _random_text(rng: np.random.Generator, max_words: int = 5) -> str:
    n = int(rng.integers(1, max_words + 1))
    words = []
    for _ in range(n):
        if rng.random() < 0.6:
            w = _WORDS_EN_PT[int(rng.integers(len(_WORDS_EN_PT)))]
        else:
            w = "".join(_ALPHABET_LOWER[int(i)] for i in rng.integers(0, len(_ALPHABET_LOWER), rng.integers(1, 7)))
        if rng.random() < 0.3:
            w = w.capitalize()
        words.append(w)
    sep = [" ", ", ", " ", "! ", " "]
    return "".join(w + (sep[int(rng.integers(len(sep)))] if i < n - 1 else "") for i, w in enumerate(words))


def _case_change(text: str, rng) -> str:
    """Change the case of every word (upper-case or swap-case, chosen at random); tokens are unchanged."""
    return " ".join(w.upper() if rng.random() < 0.5 else w.swapcase() for w in text.split(" "))


INVARIANTS = {
    "range [0,1]": "0 <= P(T1,T2) <= 1",
    "identity": "P(T,T) = 1 for non-empty T",
    "symmetry": "P(T1,T2) = P(T2,T1)",
    "symmetry (|T1|!=|T2| tokens)": "P(T1,T2) = P(T2,T1) when the token counts differ",
    "case-insensitive": "P(T1,T2) = P(lower T1, lower T2)",
    "accent-insensitive": "P(T1,T2) = P(strip T1, strip T2)",
    "case change only costs d2": "P(T, case-changed T) >= 2/3",
    "accent strip only costs d3": "P(T, strip_accents T) >= 2/3",
    "punctuation-insensitive": "P(T1,T2) = P(T1 without punctuation, T2)",
}


def invariant_report(n_trials: int = 500, seed: int = 0, length_penalty: bool = True):
    """For each reading and invariant, count violations over `n_trials` seeded random EN/PT texts.

    Returns a pandas DataFrame (reading, invariant, statement, trials, violations, holds, counterexample).
    """
    import pandas as pd

    rows = []
    for reading in READINGS:
        rng = np.random.default_rng(seed)
        viol = {k: 0 for k in INVARIANTS}
        example = {k: "" for k in INVARIANTS}
        for _ in range(n_trials):
            a, b = _random_text(rng), _random_text(rng)
            P = lambda x, y: similarity(x, y, reading, length_penalty)  # noqa: E731
            pab, pba = P(a, b), P(b, a)
            checks = {
                "range [0,1]": (0.0 <= pab <= 1.0, (a, b, pab)),
                "identity": (abs(P(a, a) - 1.0) < 1e-12, (a, a, P(a, a))),
                "symmetry": (abs(pab - pba) < 1e-12, (a, b, pab, pba)),
                "symmetry (|T1|!=|T2| tokens)": (
                    len(tokenize(a)) == len(tokenize(b)) or abs(pab - pba) < 1e-12, (a, b, pab, pba)),
                "case-insensitive": (abs(pab - P(a.lower(), b.lower())) < 1e-12, (a, b)),
                "accent-insensitive": (abs(pab - P(strip_accents(a), strip_accents(b))) < 1e-12, (a, b)),
                "case change only costs d2": (P(a, _case_change(a, rng)) >= 2 / 3 - 1e-12, (a,)),
                "accent strip only costs d3": (P(a, strip_accents(a)) >= 2 / 3 - 1e-12, (a,)),
                "punctuation-insensitive": (
                    abs(pab - P("".join(c for c in a if _is_word_char(c) or c.isspace()), b)) < 1e-12, (a, b)),
            }
            for k, (ok, ex) in checks.items():
                if not ok:
                    viol[k] += 1
                    if not example[k]:
                        example[k] = repr(tuple(round(x, 3) if isinstance(x, float) else x for x in ex))
        for k, stmt in INVARIANTS.items():
            rows.append(dict(reading=reading, invariant=k, statement=stmt, trials=n_trials,
                             violations=viol[k], holds=viol[k] == 0, counterexample=example[k]))
    return pd.DataFrame(rows)
