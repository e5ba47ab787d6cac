"""Cost of a Hierarchical Kernel Transformer (HKT; the related-theory feed's paper), computed exactly.

Abstract: "processes sequences at L resolution levels via trainable causal downsampling ... The total
computational cost is bounded by 4/3 times that of standard attention, reaching 1.3125x for L = 3."

Our derivation (exact rational arithmetic with fractions.Fraction). Level l = 0..L-1 holds
n_l = T / 2^l tokens (level 0 = the full-resolution sequence, 2x causal downsampling per level). If a
level's attention costs c(n_l) and standard attention costs c(T):

    ratio(L) = sum_{l=0}^{L-1} c(T/2^l) / c(T)

* "quadratic" (self-attention within each level, c(n) ~ n^2):  ratio = sum 4^{-l} = (4/3)(1 - 4^{-L})
  -> L=1: 1, L=2: 5/4, L=3: 21/16 = 1.3125, L=4: 85/64; strictly below the limit 4/3 for every L.
* "cross" (full-resolution queries attend to level-l keys, c ~ T * n_l) and "linear" (c ~ n_l):
  ratio = sum 2^{-l} = 2 (1 - 2^{-L}) -> L=3: 7/4, limit 2.

Finite T (exact counts): with n_l = ceil(T / 2^l) (or floor) and causal score entries n(n+1)/2 per level
(or n^2 unmasked), optional downsampling cost per produced token and optional cost for mixing the L score
maps at full resolution, see :func:`exact_cost_ratio`.
"""
from __future__ import annotations

from fractions import Fraction

__all__ = [
    "COST_MODELS",
    "geometric_ratio",
    "ratio_by_summation",
    "ratio_closed_form",
    "ratio_limit",
    "levels_matching",
    "level_lengths",
    "exact_cost_ratio",
    "cost_table",
    "first_L_reaching",
]

# per-level cost shrink factor r: level l costs r^l times level 0
COST_MODELS = {"quadratic": Fraction(1, 4), "cross": Fraction(1, 2), "linear": Fraction(1, 2)}


def _check_L(L) -> int:
    if not isinstance(L, int) or isinstance(L, bool):
        raise TypeError(f"L (number of levels) must be an int, got {type(L).__name__}")
    if L < 1:
        raise ValueError(f"L (number of levels) must be >= 1, got {L}")
    return L


def _check_model(model: str) -> Fraction:
    if model not in COST_MODELS:
        raise ValueError(f"unknown cost model {model!r}; expected one of {', '.join(COST_MODELS)}")
    return COST_MODELS[model]


def geometric_ratio(r: Fraction, L: int) -> Fraction:
    """sum_{l=0}^{L-1} r^l, exactly."""
    _check_L(L)
    if not isinstance(r, Fraction):
        raise TypeError(f"r must be a fractions.Fraction, got {type(r).__name__}")
    return sum((r ** l for l in range(L)), Fraction(0))


def ratio_by_summation(L: int, model: str = "quadratic") -> Fraction:
    """HKT / standard attention cost for L levels in the T -> infinity limit, by direct summation."""
    return geometric_ratio(_check_model(model), _check_L(L))


def ratio_closed_form(L: int, model: str = "quadratic") -> Fraction:
    """The same ratio from the geometric-series closed form (1 - r^L) / (1 - r)."""
    r = _check_model(model)
    _check_L(L)
    return (1 - r ** L) / (1 - r)


def ratio_limit(model: str = "quadratic") -> Fraction:
    """lim_{L -> infinity} ratio = 1 / (1 - r): 4/3 for 'quadratic', 2 for 'cross' / 'linear'."""
    return 1 / (1 - _check_model(model))


def levels_matching(target, model: str = "quadratic", L_max: int = 64) -> int | None:
    """The L whose exact ratio equals `target` (a Fraction, or a decimal string such as '1.3125'); None if none."""
    if isinstance(target, str):
        try:
            target = Fraction(target)
        except ValueError as exc:
            raise ValueError(f"target {target!r} is not a number") from exc
    elif isinstance(target, int) and not isinstance(target, bool):
        target = Fraction(target)
    elif not isinstance(target, Fraction):
        raise TypeError(f"target must be a Fraction, int or decimal string (floats are inexact), got {type(target).__name__}")
    _check_L(L_max)
    for L in range(1, L_max + 1):
        if ratio_closed_form(L, model) == target:
            return L
    return None


def level_lengths(T: int, L: int, rounding: str = "ceil") -> list[int]:
    """n_l for l = 0..L-1 with 2x downsampling per level: ceil(T / 2^l) (causal padding) or floor."""
    if not isinstance(T, int) or isinstance(T, bool):
        raise TypeError(f"T (sequence length) must be an int, got {type(T).__name__}")
    if T < 1:
        raise ValueError(f"T (sequence length) must be >= 1, got {T}")
    _check_L(L)
    if rounding not in ("ceil", "floor"):
        raise ValueError(f"rounding must be 'ceil' or 'floor', got {rounding!r}")
    out = [-(-T // 2 ** l) if rounding == "ceil" else T // 2 ** l for l in range(L)]
    if out[-1] < 1:
        raise ValueError(f"L={L} levels of 2x downsampling leave an empty level for T={T} (use rounding='ceil')")
    return out


def exact_cost_ratio(T: int, L: int, *, causal: bool = True, rounding: str = "ceil",
                     downsample_cost=Fraction(0), mix_cost=Fraction(0)) -> Fraction:
    """Exact HKT / standard-attention cost at finite T, counting score entries.

    Per level: n_l (n_l + 1) / 2 causal score entries (n_l^2 if causal=False). Standard attention: the same
    count at n_0 = T. `downsample_cost`: cost (in units of one score entry) per token produced by a
    downsampling step (levels 1..L-1). `mix_cost`: cost per full-resolution entry of broadcasting each
    coarse level's scores back to T x T and mixing them with convex weights ((L-1) extra maps).
    """
    for name, v in (("downsample_cost", downsample_cost), ("mix_cost", mix_cost)):
        if not isinstance(v, (Fraction, int)) or isinstance(v, bool) or v < 0:
            raise ValueError(f"{name} must be a non-negative Fraction or int, got {v!r}")
    if not isinstance(causal, bool):
        raise TypeError(f"causal must be a bool, got {type(causal).__name__}")
    ns = level_lengths(T, L, rounding)

    def entries(n: int) -> Fraction:
        return Fraction(n * (n + 1), 2) if causal else Fraction(n * n)

    total = sum((entries(n) for n in ns), Fraction(0))
    total += Fraction(downsample_cost) * sum(ns[1:])
    total += Fraction(mix_cost) * (L - 1) * entries(T)
    return total / entries(T)


def cost_table(Ls=(1, 2, 3, 4, 5, 8), models=tuple(COST_MODELS)) -> list[dict]:
    """Rows (L, model, exact fraction, float) of the T -> infinity ratio, for display."""
    rows = []
    for model in models:
        for L in Ls:
            q = ratio_closed_form(L, model)
            rows.append({"model": model, "L": L, "ratio": f"{q.numerator}/{q.denominator}", "value": float(q)})
        q = ratio_limit(model)
        rows.append({"model": model, "L": "inf", "ratio": f"{q.numerator}/{q.denominator}", "value": float(q)})
    return rows


def first_L_reaching(T: int, bound=Fraction(4, 3), L_max: int = 64, **kw) -> int | None:
    """Smallest L whose exact finite-T ratio (:func:`exact_cost_ratio`, ceil lengths) is >= `bound`; None if
    no L <= min(L_max, levels until length 1) reaches it."""
    L_top = min(L_max, max(1, (T - 1).bit_length() + 1))
    for L in range(1, L_top + 1):
        if exact_cost_ratio(T, L, **kw) >= bound:
            return L
    return None
