"""Incremental partial_fit versus a full refit

`HurNetLayer.partial_fit` does not refit: it adds the new rows' sufficient statistics, G += X_newᵀX_new and
B += X_newᵀY_new, then solves G W = B once more (Cholesky on the (n+1) × (n+1) Gram matrix with the bias column).
Because XᵀX and XᵀY are sums over rows, the accumulated statistics are exactly those of all rows, so the
weights agree with a refit on every row to rounding level, whatever the batch size (`INC_BATCH`) and however
many rows came before (`RT_M`). This is Eq. 3's normal-equation form, W = (XᵀX)⁻¹XᵀY, used as a running sum.

The cost differs. The update costs O(m_new n² + n³): it does not touch the old rows, so its time does not
depend on RT_M, and it grows only mildly with INC_BATCH while m_new n² stays below the n³ solve and the call
overhead. A refit costs O(m n² + n³) and grows with the total number of rows. So the larger RT_M, the larger the
refit/partial_fit time ratio, and at RT_M in the thousands the update is far cheaper. (The equivalence needs the
statistics to be kept: after `fit(..., keep_stats=False)` partial_fit refuses to continue.)

check() reproduces the notebook's incremental measurement (`embedding_like_stream` data, cholesky layer,
median of repeats with `paperlib.common.measure.time_callable`) at two values of RT_M 16x apart and two batch sizes,
and asserts: identical weights; refit time grows with RT_M by more than twice as much as the update's time;
the update is cheaper than the refit at the larger RT_M.
"""


def check() -> dict:
    import torch

    from paperlib.scn.hurnet import HurNetLayer
    from paperlib.scn.experiments import embedding_like_stream
    from paperlib.common.measure import time_callable

    torch.set_num_threads(1)
    n, k = 32, 8
    out = {}
    for m in (1000, 16000):
        X, Y, _ = embedding_like_stream(m, n, k=k, decay=1.0, noise=0.1, seed=1)
        Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
        full = HurNetLayer(n, k, bias=True, solver="cholesky")
        t_refit = time_callable(lambda: full.fit(Xt, Yt), warmup=3, repeats=9).median
        out[f"refit_s_m{m}"] = t_refit
        for b in (16, 256):
            base = HurNetLayer(n, k, bias=True, solver="cholesky").fit(Xt[:-b], Yt[:-b])
            G0, B0, n0 = base.gram_.clone(), base.xty_.clone(), base.n_seen_

            def inc():
                base.gram_.copy_(G0)
                base.xty_.copy_(B0)
                base.n_seen_ = n0
                base.partial_fit(Xt[-b:], Yt[-b:])

            t_inc = time_callable(inc, warmup=3, repeats=9).median
            diff = float((base.W_augmented - full.W_augmented).abs().max())
            scale = float(full.W_augmented.abs().max())
            assert diff <= 1e-10 * scale, f"partial_fit differs from the refit by {diff:.1e} (m={m}, batch={b})"
            assert base.n_seen_ == m
            out[f"partial_fit_s_m{m}_b{b}"] = t_inc
            out[f"max_abs_diff_m{m}_b{b}"] = diff
    for b in (16, 256):
        grow_refit = out["refit_s_m16000"] / out["refit_s_m1000"]
        grow_inc = out[f"partial_fit_s_m16000_b{b}"] / out[f"partial_fit_s_m1000_b{b}"]
        assert grow_refit > 2 * grow_inc, f"refit grows {grow_refit:.2f}x, partial_fit {grow_inc:.2f}x (batch {b})"
        assert out[f"partial_fit_s_m16000_b{b}"] < out["refit_s_m16000"]
    return out


if __name__ == "__main__":
    print(check())
