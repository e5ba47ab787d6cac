"""Move V and watch the speedup

The speedup of SCTA over CE is a ratio of per-step times, and both times have a part that does not depend on V
(the GRU forward/backward and its AdamW update) and a part that does:

* CE (dense tables): the N × V logits forward and backward, O(N·V·H), plus AdamW over the V-row input
  embedding and the V × (H + 1) output matrix;
* SCTA dense: the loss is O(N·K·D_sem), independent of V, but AdamW still updates every row of the
  V × E input embedding and the V × D_sem table E_sem at every step, so its step time still grows with V,
  with a smaller coefficient than CE's;
* SCTA sparse: sparse gradients and SparseAdam touch only the rows the batch used, so its step time is nearly
  flat in V.

Moving V up therefore makes CE's time grow faster than SCTA's, and the speedup CE/SCTA grows with V for both SCTA
variants, most for the sparse one. Moving V down shrinks it towards the ratio of the V-independent parts: at a few
thousand ids the backbone dominates both steps and the speedup is about 1, and it can fall below 1, since SCTA's
per-token sampling and gathering of K + 1 rows is not free while CE's logits matrix is then small. The growth does
not come from SCTA being O(1) in V: dense SCTA is not. It comes from CE paying the largest V-proportional terms
(logits and the widest V-row table). The paper's "speedup increases with vocabulary size" follows; its particular
ratios depend on hardware, batch and on how much of the step the backbone takes.

check() times `paperlib.scta.bench.bench_step` (one thread, batch 16 × 32 tokens: the paper's batch, at which
the logits are a large part of CE's step; at batch 4 CE and SCTA dense grow too alike to order reliably;
median of 5 steps after a warm-up step) for CE, SCTA dense and SCTA sparse at V = 1,000 and 16,000, and asserts
only robust orderings: over this 16x range of V, CE's per-step time grows by more than SCTA dense's, and by
more than SCTA sparse's, i.e. both speedups are larger at the larger V.
"""


def check() -> dict:
    import torch

    from paperlib.scta import bench as scta_bench

    torch.set_num_threads(1)
    common = dict(batch=16, seq_len=32, steps=5, warmup=1, threads=1, device="cpu", seed=0, emb_dim=256,
                  hidden=256, d_sem=64, K=32, n_types=8192)
    Vs = (1000, 16000)
    methods = {"ce_dense": ("ce", False), "scta_dense": ("scta", False), "scta_sparse": ("scta", True)}
    out = {}
    for V in Vs:
        for name, (m, sp) in methods.items():
            r = scta_bench.bench_step(method=m, V=V, sparse=sp, **common)
            assert r["status"] == "ok", r
            out[f"{name}_step_s_V{V}"] = r["step_s"]
    growth = {name: out[f"{name}_step_s_V{Vs[1]}"] / out[f"{name}_step_s_V{Vs[0]}"] for name in methods}
    for V in Vs:
        for name in ("scta_dense", "scta_sparse"):
            out[f"speedup_{name}_V{V}"] = out[f"ce_dense_step_s_V{V}"] / out[f"{name}_step_s_V{V}"]
    out.update({f"growth_{k}": v for k, v in growth.items()})
    assert growth["ce_dense"] > growth["scta_dense"], growth
    assert growth["ce_dense"] > growth["scta_sparse"], growth
    assert growth["scta_dense"] > growth["scta_sparse"], growth
    return out


if __name__ == "__main__":
    print(check())
