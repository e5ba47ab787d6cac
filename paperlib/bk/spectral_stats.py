"""Nearest-neighbour spacing statistics of spectra (ResNet-BK Theorem 4, Eq. 6, Table 2).

Surmises (unit mean spacing):
  Poisson  p(s) = exp(-s)                                   std 1
  GOE      p(s) = (pi s / 2) exp(-pi s^2 / 4)   (beta = 1)   std sqrt(4/pi - 1)     = 0.5227   <- Eq. 6
  GUE      p(s) = (32 s^2 / pi^2) exp(-4 s^2 / pi) (beta=2)  std sqrt(3 pi/8 - 1)   = 0.4220
Brody:     p_q(s) = (q+1) b s^q exp(-b s^{q+1}), b = Gamma((q+2)/(q+1))^{q+1} (q=0 Poisson, q=1 GOE).
Ratio statistic (no unfolding): r_n = min(s_n, s_{n+1}) / max(s_n, s_{n+1}); <r> = 2 ln 2 - 1 = 0.3863 (Poisson),
0.5307 (GOE), 0.5996 (GUE) (Atas et al., PRL 110, 084101 (2013)).

Proper procedure: unfold by a smooth (Chebyshev) fit of the counting function N(E) on the central part of the
spectrum (edges dropped), spacings of the unfolded levels. The paper's procedure (labelled variant): raw spacings
divided by their global mean, no unfolding.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special, stats

from paperlib.bk.prime_bump import split_band

SURMISES = ("poisson", "goe", "gue")
RATIO_MEAN = {"poisson": 2 * math.log(2) - 1, "goe": 0.5307, "gue": 0.5996}
SURMISE_STD = {"poisson": 1.0, "goe": math.sqrt(4 / math.pi - 1), "gue": math.sqrt(3 * math.pi / 8 - 1)}


# ---- surmises ----------------------------------------------------------------------------------------------------
def surmise_pdf(s, kind: str) -> np.ndarray:
    s = np.asarray(s, dtype=np.float64)
    if kind == "poisson":
        return np.exp(-s) * (s >= 0)
    if kind == "goe":
        return (np.pi * s / 2) * np.exp(-np.pi * s**2 / 4) * (s >= 0)
    if kind == "gue":
        return (32 * s**2 / np.pi**2) * np.exp(-4 * s**2 / np.pi) * (s >= 0)
    raise ValueError(f"unknown surmise {kind!r}; expected one of {', '.join(SURMISES)}")


def surmise_cdf(s, kind: str) -> np.ndarray:
    s = np.clip(np.asarray(s, dtype=np.float64), 0, None)
    if kind == "poisson":
        return 1 - np.exp(-s)
    if kind == "goe":
        return 1 - np.exp(-np.pi * s**2 / 4)
    if kind == "gue":
        return special.erf(2 * s / np.sqrt(np.pi)) - (4 * s / np.pi) * np.exp(-4 * s**2 / np.pi)
    raise ValueError(f"unknown surmise {kind!r}; expected one of {', '.join(SURMISES)}")


def brody_pdf(s, q: float) -> np.ndarray:
    s = np.asarray(s, dtype=np.float64)
    b = special.gamma((q + 2) / (q + 1)) ** (q + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s > 0, (q + 1) * b * s**q * np.exp(-b * s ** (q + 1)), 0.0)


def brody_fit(spacings, q_max: float = 4.0) -> float:
    """Maximum-likelihood Brody parameter on [0, q_max] (spacings rescaled to unit mean)."""
    s = _check_spacings(spacings)
    s = s[s > 0] / s.mean()

    def nll(q):
        b = special.gamma((q + 2) / (q + 1)) ** (q + 1)
        return -np.sum(np.log(q + 1) + np.log(b) + q * np.log(s) - b * s ** (q + 1))

    res = optimize.minimize_scalar(nll, bounds=(0.0, q_max), method="bounded", options={"xatol": 1e-6})
    return float(res.x)


# ---- unfolding and spacings -------------------------------------------------------------------------------------
def _check_levels(levels) -> np.ndarray:
    e = np.asarray(levels)
    if np.iscomplexobj(e):
        raise TypeError("levels must be real (eigenvalues of a Hermitian matrix)")
    e = np.sort(e.astype(np.float64).ravel())
    if e.size < 10:
        raise ValueError(f"need at least 10 levels, got {e.size}")
    if not np.all(np.isfinite(e)):
        raise ValueError("levels must be finite")
    return e


def _check_spacings(spacings) -> np.ndarray:
    s = np.asarray(spacings, dtype=np.float64).ravel()
    if s.size < 5:
        raise ValueError(f"need at least 5 spacings, got {s.size}")
    if np.any(s < 0) or not np.all(np.isfinite(s)):
        raise ValueError("spacings must be finite and non-negative")
    return s


def unfold(levels, degree: int = 9, edge_frac: float = 0.1) -> np.ndarray:
    """Unfolded levels xi_i = N_smooth(E_i) for the central (1 - 2 edge_frac) part of the spectrum.

    N_smooth is a Chebyshev least-squares fit of the staircase N(E_i) = i + 1/2 over the kept levels.
    """
    e = _check_levels(levels)
    if not 0 <= edge_frac < 0.5:
        raise ValueError(f"edge_frac must be in [0, 0.5), got {edge_frac}")
    if isinstance(degree, bool) or not isinstance(degree, (int, np.integer)) or degree < 1:
        raise ValueError(f"degree must be a positive int, got {degree!r}")
    n = e.size
    lo, hi = int(np.floor(edge_frac * n)), n - int(np.floor(edge_frac * n))
    ek = e[lo:hi]
    if ek.size <= degree + 2:
        raise ValueError(f"too few levels ({ek.size}) after dropping edges for degree {degree}")
    staircase = np.arange(lo, hi) + 0.5
    fit = np.polynomial.Chebyshev.fit(ek, staircase, degree)
    return fit(ek)


def spacings_unfolded(levels, degree: int = 9, edge_frac: float = 0.1) -> np.ndarray:
    """Nearest-neighbour spacings of the unfolded spectrum (mean ~ 1 by construction)."""
    return np.diff(unfold(levels, degree, edge_frac))


def spacings_local_unfolded(levels, window: int = 10, edge_frac: float = 0.1) -> np.ndarray:
    """Local unfolding: each raw spacing divided by the mean of the 2*window+1 raw spacings around it
    (central part only). Used where the global polynomial staircase fit is not monotone."""
    e = _check_levels(levels)
    n = e.size
    lo, hi = int(np.floor(edge_frac * n)), n - int(np.floor(edge_frac * n))
    raw = np.diff(e)
    if raw.size < 2 * window + 2:
        raise ValueError(f"too few levels for window {window}")
    k = np.ones(2 * window + 1) / (2 * window + 1)
    local = np.convolve(raw, k, mode="same")
    sl = slice(max(lo, window), min(hi - 1, raw.size - window))
    return raw[sl] / local[sl]


def spacings_global_mean(levels) -> np.ndarray:
    """The paper's procedure (labelled variant): raw spacings divided by their global mean; mean is 1 identically."""
    s = np.diff(_check_levels(levels))
    m = s.mean()
    if m <= 0:
        raise ValueError("all levels coincide")
    return s / m


def ratio_statistic(levels) -> float:
    """<r> of consecutive-spacing ratios (unfolding-free)."""
    s = np.diff(_check_levels(levels))
    a, b = s[:-1], s[1:]
    mx = np.maximum(a, b)
    ok = mx > 0
    return float(np.mean(np.minimum(a, b)[ok] / mx[ok]))


# ---- goodness of fit --------------------------------------------------------------------------------------------
def ks_distance(spacings, kind: str) -> float:
    """Kolmogorov-Smirnov distance between the empirical spacing CDF and a surmise CDF."""
    s = _check_spacings(spacings)
    return float(stats.kstest(s, lambda t: surmise_cdf(t, kind)).statistic)


def histogram_l1_error(spacings, kind: str, bin_width: float = 0.1, s_max: float = 4.0) -> float:
    """int |h(s) - p(s)| ds with h the density histogram (bins of bin_width on [0, s_max]); in [0, 2]."""
    s = _check_spacings(spacings)
    edges = np.arange(0.0, s_max + bin_width / 2, bin_width)
    h, _ = np.histogram(s, bins=edges)
    h = h / (s.size * bin_width)
    p = np.diff(surmise_cdf(edges, kind)) / bin_width  # bin-averaged surmise
    tail = float(np.mean(s > s_max)) + (1 - float(surmise_cdf(s_max, kind)))
    return float(np.sum(np.abs(h - p)) * bin_width + tail)


def ks_critical(n: int, alpha: float = 0.01) -> float:
    """Asymptotic KS critical distance for n independent samples (approximate: spacings are correlated)."""
    c = math.sqrt(-0.5 * math.log(alpha / 2))
    return c / math.sqrt(n)


def spacing_report(spacings, levels=None) -> dict:
    """Mean, std, KS distances to the three surmises, L1 histogram error to Eq. 6 (GOE), Brody q, best class."""
    s = _check_spacings(spacings)
    ks = {k: ks_distance(s, k) for k in SURMISES}
    best = min(ks, key=ks.get)
    crit = ks_critical(s.size)
    out = {
        "n_spacings": int(s.size), "mean": float(s.mean()), "std": float(s.std()),
        **{f"ks_{k}": v for k, v in ks.items()},
        "l1_eq6": histogram_l1_error(s, "goe"),
        "brody_q": brody_fit(s),
        "best": best,
        "consistent": bool(ks[best] < crit),
        "label": best if ks[best] < crit else "none",
    }
    if levels is not None:
        out["ratio_r"] = ratio_statistic(levels)
    return out


def classify(levels, degree: int = 9, edge_frac: float = 0.1) -> str:
    """'poisson' | 'goe' | 'gue' by minimal KS distance of the unfolded spacings, 'none' if even that is rejected."""
    return spacing_report(spacings_unfolded(levels, degree, edge_frac))["label"]


# ---- random-matrix samplers -------------------------------------------------------------------------------------
def _rng(seed_or_rng):
    if isinstance(seed_or_rng, np.random.Generator):
        return seed_or_rng
    if isinstance(seed_or_rng, bool) or not isinstance(seed_or_rng, (int, np.integer)):
        raise TypeError("pass an int seed or a numpy Generator")
    return np.random.default_rng(int(seed_or_rng))


def _check_n(n):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an int >= 2, got {n!r}")


def sample_goe(n: int, rng) -> np.ndarray:
    """GOE matrix: H = (A + A^T)/2, A with i.i.d. N(0, 1) entries."""
    _check_n(n)
    a = _rng(rng).standard_normal((n, n))
    return (a + a.T) / 2


def sample_gue(n: int, rng) -> np.ndarray:
    """GUE matrix: H = (A + A^H)/2, A with i.i.d. standard complex normal entries."""
    _check_n(n)
    g = _rng(rng)
    a = (g.standard_normal((n, n)) + 1j * g.standard_normal((n, n))) / np.sqrt(2)
    return (a + a.conj().T) / 2


def sample_poisson_levels(n: int, rng) -> np.ndarray:
    """Uncorrelated levels: n i.i.d. uniform points (Poisson statistics after unfolding)."""
    _check_n(n)
    return np.sort(_rng(rng).uniform(0, 1, n))


def surmise_moments(kind: str) -> dict:
    """Mean and std of a surmise by numerical quadrature (check of the closed forms)."""
    from scipy import integrate

    m = integrate.quad(lambda t: t * surmise_pdf(t, kind), 0, np.inf)[0]
    m2 = integrate.quad(lambda t: t * t * surmise_pdf(t, kind), 0, np.inf)[0]
    return {"mean": m, "std": math.sqrt(m2 - m * m)}


LOCAL_UNFOLD_WINDOW = 10   # the fallback's running mean: 2 x 10 + 1 = 21 raw spacings


def unfolded_spacings(levels, degree: int = 9, edge_frac: float = 0.1) -> tuple[np.ndarray, str]:
    """(spacings, method) of the proper procedure: the polynomial staircase fit ('poly'); where that fit is not
    monotone (a negative unfolded spacing), local unfolding by a running mean of 21 spacings ('local')."""
    su = np.diff(unfold(levels, degree, edge_frac))
    if np.any(su < 0):  # the smooth staircase fit is not monotone here: fall back to local unfolding
        return spacings_local_unfolded(levels, LOCAL_UNFOLD_WINDOW, edge_frac), "local"
    return su, "poly"


def bulk_spacings(levels, band, procedure: str = "unfolded", degree: int = 9, edge_frac: float = 0.1) -> np.ndarray:
    """Spacings of the levels inside ``band`` under one procedure: 'unfolded' (``unfolded_spacings``, with its
    fallback) or 'paper' (the paper's global-mean normalisation); what ``bulk_analysis`` measures."""
    bulk = split_band(_check_levels(levels), band)[0]
    if procedure == "paper":
        return spacings_global_mean(bulk)
    if procedure == "unfolded":
        return unfolded_spacings(bulk, degree, edge_frac)[0]
    raise ValueError(f"unknown procedure {procedure!r}; expected 'unfolded' or 'paper'")


def analyse_levels(levels, degree: int = 9, edge_frac: float = 0.1) -> dict:
    """Both procedures on one spectrum: proper unfolding (prefix u_) and the paper's global mean (prefix paper_)."""
    su, method = unfolded_spacings(levels, degree, edge_frac)
    rep = spacing_report(su, levels)
    rep["unfold"] = method
    sp = spacings_global_mean(levels)
    out = {f"u_{k}": v for k, v in rep.items()}
    out.update({"paper_mean": float(sp.mean()), "paper_std": float(sp.std()),
                "paper_ks_eq6": ks_distance(sp, "goe"), "paper_l1_eq6": histogram_l1_error(sp, "goe"),
                "paper_ks_gue": ks_distance(sp, "gue")})
    return out


def bulk_analysis(levels, band, degree: int = 9, edge_frac: float = 0.1) -> dict:
    """Spacing statistics of the bulk (levels inside ``band``) beside the whole spectrum's.

    Keys: n_levels, n_outliers (levels outside the band), full_std (paper's procedure on every level),
    bulk_std / bulk_ks_eq6 (paper's procedure on the bulk), bulk_u_* (unfolded bulk: std, ks_goe, n_spacings,
    label, unfold method)."""
    e = _check_levels(levels)
    bulk = split_band(e, band)[0]
    sp_full, sp_bulk = spacings_global_mean(e), spacings_global_mean(bulk)
    u = analyse_levels(bulk, degree, edge_frac)
    return {"n_levels": int(e.size), "n_outliers": int(e.size - bulk.size), "full_std": float(sp_full.std()),
            "bulk_std": float(sp_bulk.std()), "bulk_ks_eq6": ks_distance(sp_bulk, "goe"),
            **{f"bulk_u_{k}": u[f"u_{k}"] for k in ("std", "ks_goe", "n_spacings", "label", "unfold")}}


def ensemble_levels(kind: str, n: int, seed: int) -> np.ndarray:
    """Eigenvalues of a sampled GOE / GUE matrix or Poisson levels (validation spectra)."""
    if kind == "goe":
        return np.linalg.eigvalsh(sample_goe(n, seed))
    if kind == "gue":
        return np.linalg.eigvalsh(sample_gue(n, seed))
    if kind == "poisson":
        return sample_poisson_levels(n, seed)
    raise ValueError(f"unknown ensemble {kind!r}; expected one of {', '.join(SURMISES)}")


def pipeline_validated(labels, ensembles) -> bool:
    """Whether the spacing pipeline labels every control spectrum with the law it was drawn from (Poisson, GOE,
    GUE): the precondition for judging H_eps with it (BK-TH4-GUE). One mislabelled control fails it."""
    labels, ensembles = list(labels), list(ensembles)
    if not labels or len(labels) != len(ensembles):
        raise ValueError(f"need one label per control spectrum: {len(labels)} labels, {len(ensembles)} ensembles")
    return all(lab == ens for lab, ens in zip(labels, ensembles))
