"""Grow the slow memory

`SF_N_A` = n_A is the number of rows the weights are built from: the slow memory holds Σ_A = X_AᵀX_A/n_A and
nothing else. In the "same distribution" scenario both Σ_A and Σ_B estimate the same covariance (I), and the
layer's answer x_qᵀ(Σ_A⁺Σ_B)β̂_B (Eq. SF) deviates from B's own OLS answer by about ‖Σ_A⁺Σ_B − I‖, whose size
is set by the estimation errors of both: roughly √(d/n_A) + √(d/n_B).

* With few slow-memory rows (n_A of the order of d) Σ_A is a poor estimate, Σ_A⁻¹ amplifies its smallest
  eigenvalues, and the layer is far from OLS on B whatever the context length: a long context cannot repair
  the weights.
* Growing n_A shrinks the deviation at a long context monotonically, towards the floor set by n_B; with a large
  n_A, lengthening the context (more fast memory) then shrinks it further. Both memories must be large for
  the in-context answer to approach OLS on new data from the same distribution.
* The "same inputs, new task" scenario is exact at every n_A: weights built on the context's own inputs make
  Σ_A⁺Σ_B = I, which is the OLS-LINTF identity itself.

check() runs `paperlib.related.ols_attention.slow_fast_sweep` (d = 8, SF_SHIFT = 2) for n_A = 16, 100, 1,000,
20,000 with contexts of 20, 500 and 5,000 rows and asserts these statements.
"""


def check() -> dict:
    import pandas as pd
    import torch

    from paperlib.related import ols_attention as lo

    torch.set_num_threads(1)
    n_As, n_bs, out = (16, 100, 1000, 20000), [20, 500, 5000], {}
    for n_A in n_As:
        df = pd.DataFrame(lo.slow_fast_sweep(n_bs, d=8, n_A=n_A, shift_scale=2.0, seed=0))
        assert (df["dev_from_SF"] < 1e-10).all()
        same = df[df["scenario"] == "same distribution"].set_index("n_B")
        new = df[df["scenario"] == "same inputs, new task"]
        assert (new["dev_from_ols_B"] < 1e-10).all(), f"new task not exact at n_A={n_A}"
        for nB in n_bs:
            out[f"dev_same_nA{n_A}_nB{nB}"] = float(same.loc[nB, "dev_from_ols_B"])
    longest = [out[f"dev_same_nA{n_A}_nB{max(n_bs)}"] for n_A in n_As]
    assert all(a > b for a, b in zip(longest, longest[1:])), f"deviation at the longest context vs n_A: {longest}"
    assert longest[0] > 1.0, "a tiny slow memory is already close to OLS on B"
    assert out[f"dev_same_nA{max(n_As)}_nB{max(n_bs)}"] < out[f"dev_same_nA{max(n_As)}_nB{min(n_bs)}"]
    return out


if __name__ == "__main__":
    print(check())
