"""Shrink the validation spectra and watch the pipeline's power

What to change: `RMT_N` (levels per sampled spectrum) and `RMT_SEEDS` in the parameters cell of notebook 11,
e.g. `RMT_N = 30`, `100`, `400` with `RMT_SEEDS = list(range(6))`. Watch section 2's table: the three
`u_ks_*` distances (shown as `KS to ...`) next to the 1% critical distance `ss.ks_critical(n_spacings)`, the `u_label` column, the
`validated` flag, and how much `u_ratio_r` scatters over seeds.

What one sees, and why.

* A KS test can only reject a law that is farther from the sample than the critical distance
  c/sqrt(n_s) (c = 1.63 at 1%, n_s = number of unfolded spacings, about 0.8 n after dropping the edges).
  The Poisson and GOE surmise CDFs are far apart (maximum gap about 0.2), so a few dozen spacings separate
  them. The GOE (Eq. 6) and GUE surmises differ by at most a few hundredths in CDF, so one needs
  (c / gap)^2, i.e. several hundred spacings, before the test can reject the wrong one of the two even for a
  perfect sample. Below that, a sampled GOE spectrum is typically "not rejected" by GUE as well (and the
  reverse); the number of surmises each sample is consistent with falls as n grows.
* The pipeline's label takes the closest surmise, which is sharper than the test, and is right for every
  seed at a few hundred levels; at a few dozen levels it mislabels (GOE and GUE swap, Poisson samples
  can come out as a random-matrix law).
* The ratio statistic <r> needs no unfolding; its scatter over seeds shrinks as n grows (roughly like
  1/sqrt(n); six seeds give only a rough estimate of it), and at a few hundred levels its three reference
  values (0.386, 0.531, 0.600) are several scatter widths apart.
* Consequence for H_eps (exercise "Change eps and watch the spacing statistics"): with N = 256 levels (about
  200 spacings) a GUE distance below the critical value is weak evidence by itself; check <r> and the other
  surmises' distances before reading it as "GUE statistics".

`check()` classifies sampled Poisson/GOE/GUE spectra at three sizes and six seeds and asserts these statements.
"""
import contextlib

import numpy as np

from paperlib.bk import spectral_stats as ss

try:  # dense eigensolvers: one BLAS thread (the machine is shared; oversubscribed BLAS threads stall)
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None

SIZES = [30, 100, 400]
SEEDS = list(range(6))
UNFOLD_DEGREE, EDGE_FRAC = 9, 0.1


def _cdf_gap(a, b):
    s = np.linspace(0, 6, 60001)
    return float(np.max(np.abs(ss.surmise_cdf(s, a) - ss.surmise_cdf(s, b))))


def check() -> dict:
    with threadpool_limits(1) if threadpool_limits else contextlib.nullcontext():
        return _check()


def _check() -> dict:
    c = ss.ks_critical(1)                            # the constant c of c / sqrt(n_s)
    gaps = {"poisson-goe": _cdf_gap("poisson", "goe"), "goe-gue": _cdf_gap("goe", "gue")}
    needed = {k: (c / g) ** 2 for k, g in gaps.items()}  # spacings needed for crit < gap
    assert needed["poisson-goe"] < 0.8 * SIZES[1] < 0.8 * SIZES[-1] < needed["goe-gue"], needed

    acc, consistent, r_sd = {}, {}, {}
    for n in SIZES:
        ok, ncons, rs = [], [], {k: [] for k in ss.SURMISES}
        for kind in ss.SURMISES:
            for seed in SEEDS:
                rep = ss.analyse_levels(ss.ensemble_levels(kind, n, seed), UNFOLD_DEGREE, EDGE_FRAC)
                crit = ss.ks_critical(rep["u_n_spacings"])
                ok.append(rep["u_label"] == kind)
                if kind != "poisson":
                    ncons.append(sum(rep[f"u_ks_{q}"] < crit for q in ss.SURMISES))
                rs[kind].append(rep["u_ratio_r"])
        acc[n] = float(np.mean(ok))
        consistent[n] = float(np.mean(ncons))
        r_sd[n] = {k: float(np.std(v, ddof=1)) for k, v in rs.items()}

    assert acc[SIZES[0]] < 1.0, acc                  # a few dozen levels: some samples mislabelled
    assert acc[SIZES[-1]] == 1.0, acc                # a few hundred: every sample labelled correctly
    # GOE/GUE samples are consistent with more than one surmise, less so as n grows
    assert consistent[SIZES[0]] > consistent[SIZES[-1]] > 1.0, consistent
    for k in ss.SURMISES:                            # <r> scatter shrinks with n
        assert r_sd[SIZES[-1]][k] < r_sd[SIZES[0]][k], (k, r_sd)
    return {"cdf_gap": gaps, "spacings_needed_to_separate": needed, "label_accuracy": acc,
            "surmises_not_rejected_per_goe_gue_sample": consistent, "ratio_r_sd_over_seeds": r_sd}


if __name__ == "__main__":
    print(check())
