"""Rescale X and watch Eq. 11's bound

Eq. 11 claims ‖X_m W − Y‖_F ≤ σ_{r+1} ‖Y‖_F. Multiply X by a constant c (`EQ11_SCALE = 1e-3` in the Eq. 11 cell)
and the two sides move differently:

* The left side does not move. X⁺Y becomes (cX)⁺Y = X⁺Y / c, so the fitted values cX·(X⁺Y/c), and therefore
  the residual, are exactly those of the unscaled problem; the same holds for the rank-r truncated solution.
  This is true of any least-squares fit: the residual is (I − P)Y with P the projector onto (part of) the
  column space of X, and a column space does not change when X is rescaled.
* The right side scales with c: σ_{r+1}(cX) = c σ_{r+1}(X).

So whether the "bound" holds depends on the units of X. Shrinking X (c < 1) makes it fail for every r where the
residual is non-zero; growing X makes it hold more and more often: the number of violated (r, reading) cases
never increases with c. Since both residuals are orthogonal projections of Y, they never exceed ‖Y‖_F, so the
inequality holds automatically as soon as σ_{r+1}(cX) ≥ 1. An ill-conditioned X (small trailing singular
values) needs a larger c before the tail of r-values is covered. What no rescaling can fix is r ≥ rank(X),
which includes the r of Eq. 9: there σ_{r+1} = 0 (or rounding level), so the bound demands an exact fit and
fails, at every scale, for every overdetermined noisy or rank-deficient problem. At r = rank only a problem
that is fitted exactly (here m < n, residual at rounding level) satisfies it. Eq. 11 is not a property of the
singular spectrum; a scale-free statement would have to compare the residual with something that scales like
the residual (e.g. ‖(I − U_r U_rᵀ)Y‖_F, which is what the truncated residual is).

check() runs `paperlib.scn.hurnet_theory.eq11_bound_check` on the notebook's regime problems
(`paperlib.scn.experiments.regime_problems`) for c from 1e-3 to 1e3 and asserts all of the above.
"""
import numpy as np

SCALES = [1e-3, 1e-1, 1.0, 1e1, 1e3]


def check() -> dict:
    import torch

    from paperlib.scn.experiments import regime_problems
    from paperlib.scn.hurnet_theory import eq11_bound_check

    torch.set_num_threads(1)
    problems = regime_problems(seed=0)
    out = {}
    for name, (X, Y) in problems.items():
        p = min(X.shape)
        sigma_1 = float(np.linalg.svd(X, compute_uv=False)[0])
        rs = sorted(set(np.linspace(0, p, 12).round().astype(int).tolist()))
        base = {r: eq11_bound_check(X, Y, r=r) for r in rs}
        viol = []
        for c in SCALES:
            rows = [eq11_bound_check(c * X, Y, r=r) for r in rs]
            for s in rows:
                b = base[s["r"]]
                for key in ("residual_full", "residual_trunc"):     # the left side is scale-free
                    assert abs(s[key] - b[key]) <= 1e-8 * max(1.0, b[key]), (name, c, key)
                assert abs(s["sigma_r1"] - c * b["sigma_r1"]) <= 1e-9 * c * sigma_1   # the right side scales
                for key in ("residual_full", "residual_trunc"):     # projections of Y: never above ||Y||
                    assert s[key] <= s["y_norm"] * (1 + 1e-12), (name, c, key)
                if s["sigma_r1"] >= 1.0:                             # then the bound cannot fail
                    assert s["holds_full"] and s["holds_trunc"], (name, c, s["r"])
            viol.append(sum((not s["holds_full"]) + (not s["holds_trunc"]) for s in rows))
            at_rank = eq11_bound_check(c * X, Y)                    # r = rank(X), as in Eq. 9
            exact = at_rank["residual_full"] <= 1e-10 * at_rank["y_norm"]
            assert at_rank["holds_full"] == exact, (name, c, "r = rank")
        assert all(a >= b for a, b in zip(viol, viol[1:])), (name, viol)
        out[name] = {"violations_by_scale": dict(zip(SCALES, viol)),
                     "residual": round(base[rs[-1]]["residual_full"], 6)}
    assert out["m>n, cond 1e2"]["violations_by_scale"][1e-3] > out["m>n, cond 1e2"]["violations_by_scale"][1e3]
    return out


if __name__ == "__main__":
    print(check())
