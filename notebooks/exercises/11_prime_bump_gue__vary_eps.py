"""Change eps and watch the spacing statistics

What to change: `EPS_LIST` in the parameters cell of notebook 11, e.g. `[0.005, 0.02, 0.1, 0.6, 2.0, 8.0]`
(all positive values are allowed by Eq. 5; Theorems 2 and 4 assume eps > 1/2). Watch section 3's table:
`u_ratio_r`, `u_std`, the three `u_ks_*` distances and `u_label` (shown as `<r>`, `std (unfolded)`, `KS to ...`,
`label`; every column is in `res`), for both grid readings, next to the `zero (V=0)` control rows.

What one sees, and why.

* Integer grid (the reference code's reading): the unfolded statistics hardly move. For every eps the ratio
  statistic <r>, the unfolded std and the KS distances stay at the values of the V = 0 control, near the
  "picket fence" (<r> close to 1, std close to 0, label "none"); only for eps < 1/2 the unfolded std rises by a
  few hundredths (the handful of levels displaced near the bumps), less at larger N, still far below any
  random-matrix value (GUE 0.42). On x = 0..N-1 the bumps of Eq. 5 sit at
  log p <= log N, so V_eps is non-negligible on about a dozen sites: H_eps = H0 + V_eps is a finite-rank
  perturbation of the discrete Laplacian. By eigenvalue interlacing a rank-k perturbation moves each level by at
  most k places in the ordered spectrum, so the bulk keeps the free levels -2 + 2 cos(k pi/(N+1)), which
  unfold to an evenly spaced sequence. What eps does change is the paper's raw procedure: a smaller eps makes
  V taller (alpha_{p,k} = log p / p^{k(1/2+eps)} and the height eps^{-1/2} of psi_eps both grow), a few bound
  states split off above the band [-4, 0] and their large gaps inflate the raw std (`paper_std`), which falls
  back to the V = 0 value as eps grows.
* Stretched grid (V_eps sampled across the whole bump landscape): the statistics move monotonically with
  eps. For large eps, V_eps -> 0 and H_eps -> H0: every number converges to the V = 0 row. For small eps,
  V_eps becomes a tall landscape of narrow bumps, much larger than the hopping (1): eigenstates localise, each
  level sits near a local value of V, and states localised in different places barely overlap, so they do not
  repel. The statistics drift towards Poisson (<r> towards 0.386, std towards 1, label "poisson" at the
  smallest eps). In between, <r> and the KS distances sweep continuously through the GOE (0.53) and GUE
  (0.60) values, so at some eps a KS test at a few hundred levels fails to reject GOE or GUE. That is a
  crossover between Poisson and the picket fence, not a random-matrix universality class: which eps gives
  the "fit" depends on N, and the label changes from one eps to the next.
* None of this supports Theorem 4. H_eps is real symmetric (time-reversal invariant), so its universality
  class could at most be GOE (beta = 1), never GUE; Eq. 6 is the GOE surmise anyway. In the theorem's own
  range eps > 1/2 every reading gives a near picket fence (<r> far above the GUE 0.60, label "none").

`check()` recomputes section 3 at the smoke sizes (N = 256, 512) for the eps list above and asserts these
statements.
"""
from paperlib.bk import prime_bump as pb
from paperlib.bk import spectral_stats as ss

NS = [256, 512]
EPS = [0.005, 0.02, 0.1, 0.6, 2.0, 8.0]
UNFOLD_DEGREE, EDGE_FRAC = 9, 0.1


def _stats(N, eps, reading):
    r = ss.analyse_levels(pb.h_eps_levels(N, eps, reading), UNFOLD_DEGREE, EDGE_FRAC)
    return {k: r[k] for k in ("u_ratio_r", "u_std", "u_ks_poisson", "u_ks_goe", "u_ks_gue", "u_label", "paper_std")}


def _table(rows):
    """{statistic: [value per eps]} (rounded for printing)."""
    return {k: [round(r[k], 3) if isinstance(r[k], float) else r[k] for r in rows] for k in rows[0]}


def check() -> dict:
    out, dev = {"eps": EPS}, {}
    pois, goe, gue = ss.RATIO_MEAN["poisson"], ss.RATIO_MEAN["goe"], ss.RATIO_MEAN["gue"]
    for N in NS:
        zero = _stats(N, 1.0, "zero")
        integer = [_stats(N, e, "integer") for e in EPS]
        stretched = [_stats(N, e, "stretched") for e in EPS]
        out[f"N={N}"] = {"zero (V=0)": _table([zero]), "integer": _table(integer), "stretched": _table(stretched)}

        # integer grid: the unfolded statistics stay at those of the V = 0 control for every eps
        for e, s in zip(EPS, integer):
            assert abs(s["u_ratio_r"] - zero["u_ratio_r"]) < 0.03, (N, e, s["u_ratio_r"], zero["u_ratio_r"])
            assert abs(s["u_std"] - zero["u_std"]) < 0.1, (N, e, s["u_std"], zero["u_std"])
            assert s["u_label"] == "none", (N, e, s["u_label"])
        dev[N] = max(abs(s["u_std"] - zero["u_std"]) for s in integer)
        # ... while the paper's raw std falls with eps (bound states above the band), down to the V = 0 value
        raw = [s["paper_std"] for s in integer]
        assert all(b <= a + 0.01 for a, b in zip(raw, raw[1:])), raw
        assert raw[0] > 2 * zero["paper_std"] and abs(raw[-1] - zero["paper_std"]) < 0.02, (raw, zero["paper_std"])

        # stretched grid: <r> rises monotonically with eps, from near-Poisson to the V = 0 picket fence
        r = [s["u_ratio_r"] for s in stretched]
        assert all(b >= a - 0.01 for a, b in zip(r, r[1:])), r
        assert abs(r[-1] - zero["u_ratio_r"]) < 0.01 and abs(stretched[-1]["u_std"] - zero["u_std"]) < 0.01
        assert abs(r[0] - pois) < abs(r[0] - goe), (r[0], pois, goe)       # smallest eps: Poisson side
        assert stretched[0]["u_std"] > 0.7, stretched[0]["u_std"]
        assert min(r) < goe < gue < max(r), r                               # sweeps through GOE and GUE values
        # the theorem's range eps > 1/2: near picket fence in both readings, no law accepted
        for e, si, st in zip(EPS, integer, stretched):
            if e > 0.5:
                assert si["u_label"] == st["u_label"] == "none", (N, e)
                assert min(si["u_ratio_r"], st["u_ratio_r"]) > gue + 0.2, (N, e)
    # the few displaced levels matter less in a longer spectrum
    assert dev[NS[-1]] < dev[NS[0]], dev
    out["integer: max |u_std - V=0 u_std|"] = {N: round(v, 3) for N, v in dev.items()}
    return out


if __name__ == "__main__":
    print(check())
