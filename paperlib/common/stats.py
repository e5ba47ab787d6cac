"""Statistics shared by the papers' experiments: one quartile definition and one summary of a ratio's spread,
one line fit (and the power-law fit built on it), and seed statistics (smoothing, steps to a target loss, per-seed
summaries, paired/unpaired group comparisons) for judging a difference against seed noise. numpy only (no torch)."""
from __future__ import annotations

import math
import statistics

import numpy as np

from paperlib.common.checks import pos_int

__all__ = ["quartiles", "ratio_summary", "ratio_with_spread", "fit_linear", "fit_power_law", "fit_power_law_above", "smooth", "steps_to_loss",
           "common_target_loss", "steps_to_common_target", "seed_stats", "compare_groups"]


def quartiles(values) -> tuple[float, float, float]:
    """(q1, median, q3) of >= 1 finite values: the one quartile definition of the companion (timing IQRs, ratio
    spreads, sweep summaries).

    The "inclusive" definition (Hyndman & Fan type 7: linear interpolation between order statistics at
    p (n - 1); numpy's and R's default, ``statistics.quantiles(method="inclusive")``). Chosen because its
    quartiles always lie within the observed values: with the few repeats a benchmark affords (2-5), the
    "exclusive" type 6 extrapolates beyond them (for two values its IQR is 1.5x their range), which would
    report a spread no measurement showed. One value: all three equal it (IQR 0)."""
    xs = sorted(float(x) for x in values)
    if not xs or not all(math.isfinite(x) for x in xs):
        raise ValueError(f"quartiles need >= 1 finite value, got {values!r}")
    if len(xs) == 1:
        return xs[0], xs[0], xs[0]
    q1, _, q3 = statistics.quantiles(xs, n=4, method="inclusive")
    return q1, statistics.median(xs), q3  # the median exactly (quantiles' interpolation can round its last bit)


def ratio_summary(samples) -> dict:
    """A ratio measured repeatedly (e.g. one paired time ratio per interleaved round): median, quartiles, min,
    max, n, and its spread ``rel_iqr`` = IQR / median (the companion's one notion of a ratio's spread; see
    `quartiles`). Needs >= 1 finite positive value."""
    xs = sorted(float(x) for x in samples)
    if not xs or not all(math.isfinite(x) and x > 0 for x in xs):
        raise ValueError(f"ratios must be finite and > 0, got {samples!r}")
    q1, med, q3 = quartiles(xs)
    return {"median": med, "q1": q1, "q3": q3, "min": xs[0], "max": xs[-1], "n": len(xs),
            "rel_iqr": (q3 - q1) / med}


def fit_linear(x, y) -> dict:
    """Least squares on y = slope x + intercept, with the fit's R^2: the one straight-line fit (power laws and
    log growth are this fit on transformed axes)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-D of equal length, got shapes {x.shape} and {y.shape}")
    if len(x) < 2 or len(np.unique(x)) < 2:
        raise ValueError("need at least two points at distinct x to fit a line")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("a line fit needs finite x and y")
    slope, intercept = np.polyfit(x, y, 1)
    resid = y - (slope * x + intercept)
    r2 = 1.0 - float(np.sum(resid**2)) / max(float(np.sum((y - y.mean()) ** 2)), 1e-300)
    return dict(slope=float(slope), intercept=float(intercept), r2=r2)


def fit_power_law(x, y) -> dict:
    """Least squares on log y = p log x + log c: exponent p, prefactor c and the R^2 of the log-log fit.

    The one complexity/scaling fit of the companion (time vs N, cost vs vocabulary, memory vs store size).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-D of equal length, got shapes {x.shape} and {y.shape}")
    if np.any(x <= 0) or np.any(y <= 0) or not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("a power-law fit needs positive, finite x and y")
    f = fit_linear(np.log(x), np.log(y))
    return dict(exponent=f["slope"], prefactor=float(math.exp(f["intercept"])), r2=f["r2"])


def fit_power_law_above(x, y, x_min) -> dict:
    """fit_power_law over the points with x >= x_min, where fixed per-call overheads no longer set y, when at least
    two are there; over all points otherwise (the fit range rule of the scaling measurements). `x_from`: the
    smallest x the fit used."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    keep = x >= x_min if (x >= x_min).sum() >= 2 else np.ones(x.shape, bool)
    return {**fit_power_law(x[keep], y[keep]), "x_from": float(x[keep].min())}


# ------------------------------------------------------------------------------------- seed statistics

def smooth(losses, window: int = 10) -> np.ndarray:
    """Trailing moving average (window w; the first w-1 entries average what exists so far)."""
    a = np.asarray(losses, dtype=float)
    if a.ndim != 1 or a.size == 0:
        raise ValueError("losses must be a non-empty 1-D sequence")
    window = pos_int(window, "window")
    c = np.cumsum(np.insert(a, 0, 0.0))
    idx = np.arange(1, a.size + 1)
    lo = np.maximum(0, idx - window)
    return (c[idx] - c[lo]) / (idx - lo)


def steps_to_loss(losses, target: float, window: int = 10) -> float:
    """First step count (1-based) at which the smoothed training loss is <= target; nan if never."""
    s = smooth(losses, window)
    hit = np.nonzero(s <= target)[0]
    return float(hit[0] + 1) if hit.size else float("nan")


def common_target_loss(loss_curves, window: int = 10) -> float:
    """A target every run reaches: the largest final smoothed loss among the runs.

    Fixed rule (not tuned per result): the slowest run reaches it at its last step, every other run
    earlier or at the end, so steps_to_loss is defined for all runs.
    """
    if len(loss_curves) == 0:
        raise ValueError("need at least one loss curve")
    return float(max(smooth(c, window)[-1] for c in loss_curves))



def steps_to_common_target(curves_a, curves_b, window: int = 10):
    """(target, steps of each run in a, steps of each run in b): the common target loss of all runs
    (common_target_loss) and the steps each run needs to reach it (steps_to_loss), the one paired
    steps-to-target measurement of the training comparisons (BK-PB-CONV, BK-S64-TRADEOFF)."""
    target = common_target_loss(list(curves_a) + list(curves_b), window)
    return (target, np.array([steps_to_loss(c, target, window) for c in curves_a]),
            np.array([steps_to_loss(c, target, window) for c in curves_b]))

def seed_stats(values) -> dict:
    """Mean, sample std (ddof=1), min, max and n of per-seed values (nan-aware)."""
    a = np.asarray(values, dtype=float)
    a = a[np.isfinite(a)]
    n = a.size
    return {"mean": float(a.mean()) if n else float("nan"),
            "std": float(a.std(ddof=1)) if n > 1 else float("nan"),
            "min": float(a.min()) if n else float("nan"), "max": float(a.max()) if n else float("nan"),
            "n": int(n)}


def compare_groups(a, b, paired: bool = False, alpha: float = 0.05) -> dict:
    """Compare per-seed values of b against a: relative change (mean_b/mean_a - 1) and a t-test p-value.

    paired=True (same seeds, same data order for both) uses the paired t-test, else Welch's t-test. With
    fewer than two finite values per group the p-value is nan. `within_noise` is True when the difference of
    means is smaller than the larger of the two seed standard deviations; `significant` is True when the
    difference is outside that noise band *and* the t-test gives p < alpha (a real difference, not seed luck).
    """
    from scipy import stats

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if paired and a.shape != b.shape:
        raise ValueError(f"paired comparison needs equal lengths, got {a.size} and {b.size}")
    sa, sb = seed_stats(a), seed_stats(b)
    diff = sb["mean"] - sa["mean"]
    p = float("nan")
    if paired:
        ok = np.isfinite(a) & np.isfinite(b)
        if ok.sum() >= 2 and np.ptp(b[ok] - a[ok]) > 0:
            p = float(stats.ttest_rel(b[ok], a[ok]).pvalue)
    else:
        fa, fb = a[np.isfinite(a)], b[np.isfinite(b)]
        if fa.size >= 2 and fb.size >= 2 and (fa.std() > 0 or fb.std() > 0):
            p = float(stats.ttest_ind(fb, fa, equal_var=False).pvalue)
    noise = np.nanmax([sa["std"], sb["std"]]) if sa["n"] > 1 or sb["n"] > 1 else float("nan")
    within = bool(np.isfinite(noise) and abs(diff) <= noise)
    return {"mean_a": sa["mean"], "std_a": sa["std"], "mean_b": sb["mean"], "std_b": sb["std"],
            "diff": diff, "rel_change": diff / sa["mean"] if sa["mean"] else float("nan"),
            "p_value": p, "within_noise": within,
            "significant": bool(not within and np.isfinite(noise) and np.isfinite(p) and p < alpha)}


def ratio_with_spread(a_median: float, a_iqr: float, b_median: float, b_iqr: float) -> tuple[float, float]:
    """a/b of two timing medians measured separately, and its spread in the unit of `ratio_summary` (an IQR of
    the ratio): the ratio times the sum of the two relative IQRs, a first-order bound on relative IQRs adding
    under division. Use `ratio_summary` instead whenever the two are timed in pairs (one ratio per round)."""
    r = a_median / b_median
    return r, r * (a_iqr / a_median + b_iqr / b_median)
