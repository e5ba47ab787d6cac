"""Shift the fast memory away from the slow one

`SF_SHIFT` = s sets how far the context's inputs X_B ~ N(0, D²), D = diag(s^t) with t from −1 to 1, are from
the inputs X_A ~ N(0, I) that built the weights. By (SF) the layer outputs x_qᵀ(Σ_A⁺Σ_B)β̂_B, so everything
is governed by the mismatch operator Σ_A⁺Σ_B:

* s = 1 is no shift: the "shifted" scenario is then statistically the same as "same distribution", and its
  deviation from B's own OLS answer is of the same, finite-sample size.
* With enough rows Σ_B ≈ D² and Σ_A ≈ I, so ‖Σ_A⁺Σ_B − I‖₂ ≈ max_i |d_i² − 1| = s² − 1 (the most stretched
  direction dominates). The mismatch norm and the deviation from OLS on B therefore grow with s, and a longer
  context does not help: n_B only sharpens Σ_B around D², it does not move Σ_A. The layer is still
  doing linear algebra exactly — the closed form (SF) matches its output to rounding at every s — but it solves
  the wrong regression, because the slow memory (weights) encodes the geometry of A.
* "Same inputs, new task" stays exact for any s: there the weights are built on the context's own inputs, so
  Σ_A⁺Σ_B = I.

check() runs `paperlib.related.ols_attention.slow_fast_sweep` (the notebook's cell, d = 8, n_A = 1,000) for
s = 1, 2, 4 and asserts these statements; the tolerance on s² − 1 is loose (finite n_A and n_B).
"""


def check() -> dict:
    import pandas as pd
    import torch

    from paperlib.related import ols_attention as lo

    torch.set_num_threads(1)
    shifts, n_bs, out = (1.0, 2.0, 4.0), [20, 100, 500], {}
    frames = {s: pd.DataFrame(lo.slow_fast_sweep(n_bs, d=8, n_A=1000, shift_scale=s, seed=0)) for s in shifts}
    for s, df in frames.items():
        assert (df["dev_from_SF"] < 1e-10).all(), f"(SF) does not match the layer at shift {s}"
        new_task = df[df["scenario"] == "same inputs, new task"]
        assert (new_task["dev_from_ols_B"] < 1e-10).all(), f"new task not solved exactly at shift {s}"
        big = df[df["n_B"] == max(n_bs)].set_index("scenario")
        out[f"dev_shifted_s{s:g}"] = float(big.loc["shifted distribution", "dev_from_ols_B"])
        out[f"mismatch_shifted_s{s:g}"] = float(big.loc["shifted distribution", "mismatch_norm"])
        out[f"dev_same_s{s:g}"] = float(big.loc["same distribution", "dev_from_ols_B"])
    # no shift: the shifted scenario looks like the same-distribution one (mismatch below 1, like it)
    assert out["mismatch_shifted_s1"] < 1.0 and out["dev_shifted_s1"] < 2 * out["dev_same_s1"] + 0.1
    for a, b in zip(shifts, shifts[1:]):
        assert out[f"dev_shifted_s{b:g}"] > out[f"dev_shifted_s{a:g}"], f"deviation did not grow from s={a} to s={b}"
        assert out[f"mismatch_shifted_s{b:g}"] > out[f"mismatch_shifted_s{a:g}"]
    for s in (2.0, 4.0):
        theory = s ** 2 - 1
        assert abs(out[f"mismatch_shifted_s{s:g}"] - theory) < 0.3 * theory, (s, out[f"mismatch_shifted_s{s:g}"])
    # a longer context does not remove the shift's bias
    df4 = frames[4.0][frames[4.0]["scenario"] == "shifted distribution"].set_index("n_B")
    assert df4.loc[max(n_bs), "dev_from_ols_B"] > 1.0
    return out


if __name__ == "__main__":
    print(check())
