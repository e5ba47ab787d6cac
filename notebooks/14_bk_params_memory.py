# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: paperlib
#     language: python
#     name: paperlib
# ---

# %% [markdown]
# # 14 · ResNet-BK: parameter counts and training memory (Tables 1, 5, 10, 11; Section 4.4)
#
# The paper's headline (abstract): **"97.9% parameter reduction and 84.8% peak memory reduction during
# training"**. Both numbers come from Tables 10 and 11, which compare a *standard Transformer* (vocab 10,000,
# $d = 512$, 6 layers, seq 512, batch 2) with an "optimized" model built from the Phase 1 blocks:
# HTT embedding (rank 4) + 6 × [AR-SSM ($r_{max}=8$, gate hidden 128) + ultra low-rank FFN ($r = d/64$) +
# LayerNorm] + final norm + low-rank head (rank $\max(d/128, 4)$). Table 5 compares the ResNet-BK model itself
# with its "Phase 1" version (HTT rank 16 + AR-SSM; vocab 50257, $d = 256$, 4 layers, seq 1024, batch 2, FP32).
#
# Everything here is built from the configuration (`paperlib.bk.configs`): parameters are counted from the
# instantiated modules *and* from closed-form formulas (they must agree), memory is measured in a fresh process per
# configuration (`paperlib.bk.bench.memory_table`). On CPU the memory is the growth of the process's peak resident
# set during the stage (not GPU VRAM: allocator, kernels and workspaces differ); under the `paper` profile on CUDA
# it is the CUDA allocator's peak.
#
# Readings we had to choose are listed in `paperlib/bk/configs.py` (e.g. "Phase 1" = BK mixer + AR-SSM + HTT).

# %% tags=["parameters"]
PROFILE = "smoke"
SEED = 0
THREADS = 1
MEASURE_MEMORY = True
T11_SEQ = 64
T11_BATCH = 2
T11_VARIANTS = ["baseline_fp32", "optimized_amp_ckpt"]
T5_SEQ = 128
T5_BATCH = 2
T5_STAGES = []
S44_SEQ = 256
S44_BATCH = 2
S44_RUN = False
S44_MEMORY = False
S44_REPEATS = 2

# %%
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt

import torch

import paperlib
from paperlib.bk import configs as bk_configs
from paperlib.bk import verdicts as bk_verdicts
from paperlib.bk.bench import memory_table, train_throughput
from paperlib.common.figures import savefig, save_table, use_house_style
from paperlib.companion.ledger import Recorder
from paperlib.common.measure import fingerprint

use_house_style()
torch.set_num_threads(THREADS)
paperlib.seed_everything(SEED)
DEVICE = paperlib.default_device()
ON_CUDA = DEVICE.type == "cuda"
rec = Recorder(notebook="14_bk_params_memory", profile=PROFILE)
pd.set_option("display.width", 160)
pd.set_option("display.max_columns", 20)

# %% tags=["nbval-ignore-output"]
print({k: fingerprint()[k] for k in ("device", "threads", "torch")})

# %% [markdown]
# ## Table 10: parameters, counted row by row
#
# Baseline rows: `nn.TransformerEncoderLayer` (8 heads, FFN $4d$) has $4d^2+4d$ (attention in/out projections)
# $+\,8d^2+5d$ (FFN) $+\,4d$ (two LayerNorms) parameters; embedding $Vd$; head $Vd + V$.
# Optimized rows: HTT cores $r(v_1 d_1 + v_2 d_2)$ with $v_1 = \lceil\sqrt V\rceil = 100$, $d_1 = \lceil\sqrt d\rceil = 23$;
# per layer AR-SSM (depthwise conv $4d$, $U, V$: $2(8d+8)$, out-proj $8d + d$, gate $d\cdot128+128 + 128\cdot 8 + 8$)
# + low-rank FFN ($2\cdot 8d + 8 + d$) + LayerNorm $2d$; final LayerNorm (counted in "layers"); head
# $4d + 4 + 4V + V$.

# %%
t10 = pd.DataFrame(bk_configs.table10_rows(build=True))
closed = pd.DataFrame(bk_configs.table10_rows(build=False))
assert (t10[["baseline", "optimized"]].values == closed[["baseline", "optimized"]].values).all()
t10["optimized_vs_paper_pct"] = 100 * (t10["optimized"] / t10["paper_optimized"] - 1)
t10["baseline_vs_paper_pct"] = 100 * (t10["baseline"] / t10["paper_baseline"] - 1)
paper_rows_sum = t10.loc[t10.component != "total", "paper_optimized"].sum()
save_table(t10.round(2), "bk_table10", profile=PROFILE)
print(t10.round(2).to_string(index=False))
print(f"paper's optimized rows sum to {paper_rows_sum / 1e3:.2f}K, but its printed total is "
      f"{t10.loc[t10.component == 'total', 'paper_optimized'].item() / 1e3:.2f}K")

# %% [markdown]
# **Verdict rule (fixed before counting):** a row is *matched* if our count is within 1% of the printed value
# (the paper prints 3-4 significant figures). `reproduced` if every row matches; `partially-reproduced` if the
# totals' reduction matches to 0.1 percentage point but some rows do not; else `not-reproduced`.

# %%
row_ok = (t10["optimized_vs_paper_pct"].abs() <= 1) & (t10["baseline_vs_paper_pct"].abs() <= 1)
tot = t10.set_index("component").loc["total"]
red_ok = abs(tot["reduction_pct"] - tot["paper_reduction_pct"]) <= 0.1 + 0.05  # paper rounds to 0.1
verdict = "reproduced" if row_ok.all() else ("partially-reproduced" if red_ok else "not-reproduced")
bad = ", ".join(f"{c} {v:+.1f}%" for c, v, ok in zip(t10.component, t10.optimized_vs_paper_pct, row_ok) if not ok)
rec.record("BK-T10-PARAMS", measured_value=f"{tot['baseline'] / 1e6:.2f}M -> {tot['optimized'] / 1e3:.2f}K "
           f"({tot['reduction_pct']:.1f}%)", verdict=verdict,
           reason=(f"baseline rows exact; total reduction {tot['reduction_pct']:.1f}% vs 97.9%; optimized rows off: "
                   f"{bad or 'none'}; paper's optimized rows sum to {paper_rows_sum / 1e3:.2f}K, not its total"),
           evidence="table bk_table10")
print(verdict)

# %% [markdown]
# ### Try it: Change d_model and layers and recount Table 10
#
# Recount both models at other sizes with `bk_configs.expected_param_rows("table10_baseline", d_model=..., n_layers=...)`
# and the same call for `"table10_optimized"` (d from 32 to 1024, 2 to 12 layers). How do the embedding, layers and
# head rows and the total reduction depend on d and on the number of layers, and what does that say about the
# headline 97.9%?
#
# Solution: `notebooks/exercises/14_bk_params_memory__recount_table10.py`

# %% [markdown]
# ## Table 1: model sizes and FP16 memory
#
# Table 1 gives parameters and "Memory (FP16)" for three ResNet-BK sizes. We count the ResNet-BK model
# (reference-code block: LayerNorm, $v$ = Linear($d$,1), Linear(2,$d$), 4-expert MoE $d\to2d\to d$ with a
# Linear($d$,4) gate) with the GPT-2 vocabulary (50257), learned positions of length seq, and a dense head with
# bias, from the closed form (the Large model does not fit in CPU memory). FP16 weights take 2 bytes/parameter.
# Rule: `reproduced` if every count is within 1% and every memory within 5% (in MB or MiB).

# %%
t1 = pd.DataFrame(bk_configs.table1_rows())
t1["paper_memory_MB"] = [63.0, 242.0, 6.6e3]
t1["mem_rel_MB"] = t1["fp16_MB"] / t1["paper_memory_MB"] - 1
t1["mem_rel_MiB"] = t1["fp16_MiB"] / t1["paper_memory_MB"] - 1
save_table(t1.round(4), "bk_table1", profile=PROFILE)
print(t1.round(4).to_string(index=False))
count_ok = (t1["rel_diff"].abs() <= 0.01).all()
mem_ok = ((t1["mem_rel_MB"].abs() <= 0.05) | (t1["mem_rel_MiB"].abs() <= 0.05)).all()
verdict = "reproduced" if count_ok and mem_ok else ("partially-reproduced" if count_ok or mem_ok else "not-reproduced")
rec.record("BK-T1-SIZES", measured_value="; ".join(f"{p / 1e6:.1f}M" for p in t1["params"]), verdict=verdict,
           reason=(f"counts within {100 * t1['rel_diff'].abs().max():.2f}% of the printed sizes with vocab 50257; "
                   f"FP16 memory = 2 bytes/param within {100 * np.minimum(t1['mem_rel_MB'].abs(), t1['mem_rel_MiB'].abs()).max():.1f}%"),
           evidence="table bk_table1")
print(verdict)

# %% [markdown]
# ## Table 11: training memory, the paper's pairing and like-for-like
#
# The paper compares **optimized FP16 with gradient checkpointing** against **baseline FP32 without**. That
# mixes three effects (parameters, precision, recomputation). We measure the paper's pairing and the
# like-for-like pairs (same precision, same checkpointing). "amp" = autocast mixed precision (FP16 on CUDA as in the
# paper; on CPU autocast uses bfloat16 — labelled). Each stage is one training step with AdamW
# (forward + backward + optimizer step), in a fresh process. Activation memory = peak − parameter memory, as in
# Table 11 (456.3 − 113.2 = 343.1).

# %%
T11_SPECS = {
    "baseline_fp32": dict(name="table10_baseline", precision="fp32", checkpointing=False),
    "baseline_amp_ckpt": dict(name="table10_baseline", precision="amp", checkpointing=True),
    "optimized_fp32": dict(name="table10_optimized", precision="fp32", checkpointing=False),
    "optimized_amp_ckpt": dict(name="table10_optimized", precision="amp", checkpointing=True),
}
specs = [dict(label=v, stage="train", seq_len=T11_SEQ, batch=T11_BATCH, seed=SEED, **T11_SPECS[v])
         for v in T11_VARIANTS]
t11 = memory_table(specs, DEVICE) if MEASURE_MEMORY else pd.DataFrame()

# %% tags=["nbval-ignore-output"]
if len(t11):
    t11["activation_mb"] = t11["mem_mb"] - t11["param_mb"]
    save_table(t11.round(2), "bk_table11", profile=PROFILE)
    print(t11[["label", "precision", "checkpointing", "param_mb", "mem_mb", "activation_mb", "memory_kind"]]
          .round(2).to_string(index=False))
    m = t11.set_index("label")["mem_mb"]
    pairs = [("paper pairing", "baseline_fp32", "optimized_amp_ckpt"),
             ("like-for-like fp32", "baseline_fp32", "optimized_fp32"),
             ("like-for-like amp+ckpt", "baseline_amp_ckpt", "optimized_amp_ckpt")]
    red = {n: 100 * (1 - m[o_] / m[b]) for n, b, o_ in pairs if b in m and o_ in m}
    for n, r in red.items():
        print(f"{n}: peak reduction {r:.1f}% (paper 84.8%)")
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.barh(t11["label"], t11["mem_mb"], label="peak")
    ax.barh(t11["label"], t11["param_mb"], label="parameters")
    ax.set_xlabel(f"MB ({t11['memory_kind'].iloc[0]})")
    ax.set_title(f"Table 11 configs, seq {T11_SEQ}, batch {T11_BATCH}")
    ax.legend()
    savefig(fig, "bk_table11_memory", profile=PROFILE)
    # Rule: reproduced if the paper's pairing gives 84.8 +- 5 points on CUDA at the paper's size; on CPU (RSS, not
    # VRAM) or at reduced size at most partially-reproduced when within 5 points or when the like-for-like
    # reduction is >= 50%.
    paper_red = red.get("paper pairing")
    full_size = T11_SEQ == 512 and T11_BATCH == 2
    close = paper_red is not None and abs(paper_red - 84.8) <= 5
    if ON_CUDA and full_size and close:
        verdict = "reproduced"
    elif close or red.get("like-for-like fp32", 0) >= 50:
        verdict = "partially-reproduced"
    else:
        verdict = "not-reproduced"
    rec.record("BK-T11-VRAM", measured_value="; ".join(f"{n}: -{r:.1f}%" for n, r in red.items()), verdict=verdict,
               reason=(f"{t11['memory_kind'].iloc[0]} at seq {T11_SEQ}, batch {T11_BATCH}; paper pairing mixes "
                       f"precision and checkpointing; see like-for-like rows"),
               evidence="table bk_table11; figure bk_table11_memory")

# %% [markdown]
# ## Table 5: ResNet-BK vs Phase 1 memory (forward, backward, peak)
#
# Paper (RTX 3080): peak 1902.39 → 1810.39 MB (−4.8%), forward 992.20 → 958.02, backward 1777.47 → 1743.29.
# Stages: `forward` (forward with autograd graph), `backward` (+ backward), `train` (+ AdamW step = peak).

# %%
specs = [dict(label=lab, name=name, stage=st, precision="fp32", checkpointing=False, seq_len=T5_SEQ,
              batch=T5_BATCH, seed=SEED)
         for lab, name in (("baseline", "table5_baseline"), ("phase1", "table5_phase1")) for st in T5_STAGES]
t5 = memory_table(specs, DEVICE) if MEASURE_MEMORY else pd.DataFrame()

# %% tags=["nbval-ignore-output"]
if len(t5):
    piv = t5.pivot(index="label", columns="stage", values="mem_mb")
    piv["param_mb"] = t5.groupby("label")["param_mb"].first()
    save_table(piv.reset_index().round(2), "bk_table5", profile=PROFILE)
    print(piv.round(1).to_string())
    paper = bk_configs.PAPER["table5"]
    peak_col = "train" if "train" in piv else piv.columns[0]
    red = 100 * (1 - piv.loc["phase1", peak_col] / piv.loc["baseline", peak_col])
    print(f"Phase 1 {peak_col} reduction: {red:.1f}% (paper -4.8% at peak)")
    # Rule: reproduced if the measured peak reduction is 4.8 +- 2 points on CUDA at seq 1024; the direction alone
    # (Phase 1 lower) on CPU/reduced size is partial evidence.
    full = T5_SEQ == 1024 and T5_BATCH == 2
    if ON_CUDA and full and abs(red - 4.8) <= 2:
        verdict = "reproduced"
    elif red > 0:
        verdict = "partially-reproduced"
    else:
        verdict = "not-reproduced"
    rec.record("BK-T5-MEM", measured_value=f"{peak_col}: {piv.loc['baseline', peak_col]:.0f} -> "
               f"{piv.loc['phase1', peak_col]:.0f} MB ({-red:+.1f}%)", verdict=verdict,
               reason=f"{t5['memory_kind'].iloc[0]}, seq {T5_SEQ}, batch {T5_BATCH}, FP32; Phase 1 = BK + AR-SSM + HTT(16)",
               evidence="table bk_table5")

# %% [markdown]
# ## Section 4.4: sequence length 4096
#
# "Forward pass: 35 ms; memory usage 3.2 GB (vs 9.8 GB for dense attention); training throughput 1200 tokens/s
# (batch 2, FP32)" on an RTX 3080. The paper does not say which model; we use the Table 5 ResNet-BK configuration
# at the given length and a Transformer of the same width/depth with full causal attention. Absolute numbers
# are GPU numbers: on CPU the claim stays `pending`, with CPU ratios as partial evidence.

# %%
S44_MODELS = (("resnet_bk", "s44_bk"), ("dense_attention", "s44_dense_attention"))
s44 = {lab: train_throughput(name, batch=S44_BATCH, seq_len=S44_SEQ, steps=S44_REPEATS, warmup=1, device=DEVICE,
                             seed=SEED, overrides=dict(seq_len=S44_SEQ))
       for lab, name in (S44_MODELS if S44_RUN else ())}
mem44 = (memory_table([dict(label=lab, name=name, stage="train", seq_len=S44_SEQ, batch=S44_BATCH, seed=SEED,
                            overrides=dict(seq_len=S44_SEQ)) for lab, name in S44_MODELS], DEVICE)
         if S44_RUN and S44_MEMORY else pd.DataFrame())

# %% tags=["nbval-ignore-output"]
if s44:
    df44 = pd.DataFrame(s44).T[["seq_len", "forward_s", "train_tokens_per_s", "n_params"]]
    if len(mem44):
        df44["train_peak_mb"] = mem44.set_index("label")["mem_mb"]
    save_table(df44.reset_index().round(3), "bk_s44", profile=PROFILE)
    print(df44.round(3).to_string())
    fwd_ms = 1e3 * s44["resnet_bk"]["forward_s"]
    tps = s44["resnet_bk"]["train_tokens_per_s"]
    mem_ratio = (df44.loc["dense_attention", "train_peak_mb"] / df44.loc["resnet_bk", "train_peak_mb"]
                 if "train_peak_mb" in df44 else float("nan"))
    verdict, reason = bk_verdicts.bk_s44_perf(fwd_ms, tps, mem_ratio, on_cuda=ON_CUDA, seq_len=S44_SEQ)
    rec.record("BK-S44-PERF", measured_value=f"seq {S44_SEQ}: fwd {fwd_ms:.0f} ms, {tps:.0f} tok/s train, "
               f"dense/BK memory x{mem_ratio:.2f}", verdict=verdict,
               reason=f"{reason}; CPU ratios are partial evidence (paper's dense/BK memory ratio 3.06)",
               evidence="table bk_s44")
else:
    rec.record("BK-S44-PERF", measured_value="not run", verdict="pending", reason="needs GPU run (skipped in smoke)")

# %% tags=["nbval-ignore-output"]
print(rec.summary().to_string(index=False))
