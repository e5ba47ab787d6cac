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
# # 16 · ResNet-BK: training experiments
#
# The ResNet-BK paper (Arai, 2025) makes several claims that can only be checked by **training** language
# models (or by evaluating untrained ones): Prime-Bump initialisation converges "30% faster"; the scattering
# router is parameter-free, faster than MLP gating and "equal or better"; ACT halting "reduces FLOPs while
# maintaining perplexity"; the ablation table (Table 4); the "Phase 1"/optimized trade-offs (Section 6.4, abstract);
# and an untrained-model perplexity comparison (Table 8).
#
# **What is trained.** Small causal LMs on the corpus `paperlib.common.data.load_text(CORPUS)` with a BPE tokenizer
# trained on the training text only: ResNet-BK (BK-Core mixer + 4-expert MoE, `paperlib.bk.model`), its
# ablations, the Table 10 "Optimized" model (HTT + AR-SSM + low-rank FFN/head, `paperlib.bk.phase1`) and a
# standard Transformer baseline of the same width/depth (`paperlib.bk.transformer`). Training is the
# paper's recipe (Section 4.1: AdamW, betas 0.9/0.999, gradient clipping 1.0, cosine annealing) at a fixed
# budget of `STEPS` x `BATCH` x `SEQ_LEN` tokens per run, with several seeds. Every comparison is judged
# against seed-to-seed spread: a difference inside seed noise is **not** a reproduction of an improvement.
#
# **Budget.** `smoke` (the defaults below) runs in seconds and only exercises the code. `cpu` is a reduced
# sweep meant to finish in about 5 minutes on 2 CPU cores (d = 64, 2 layers, sequences of 64 tokens,
# a few hundred steps, 3 seeds). `paper` uses the paper's width/depth/sequence length (Table 10 config:
# d = 512, 6 layers, seq 512; Table 8: d = 512, 8 layers, GPT-2-sized vocabulary) and is meant for a GPU.
# The paper's absolute perplexities (WikiText-103, trained to PPL ~28) are out of reach of any of these
# budgets; we test **directions and relative sizes** at equal budget.

# %% tags=["parameters"]
PROFILE = "smoke"
CORPUS = "chatterbot"  # embedded, so the stored smoke run is the same everywhere; cpu/paper: "auto"
TOKENIZER = "bpe"
VOCAB = 512
MAX_TRAIN_CHARS = 60000
MAX_EVAL_CHARS = 20000
D_MODEL = 32
N_LAYERS = 2
N_EXPERTS = 4
SEQ_LEN = 32
BATCH = 8
STEPS = 12
LR = 0.003
WARMUP = 2
EVAL_CHUNKS = 4
SEEDS = [0, 1]
SMOOTH = 5
LAP_IM_Z = 0.01
T8_VOCAB = 512
T8_D_MODEL = 32
T8_LAYERS = 2
T8_SEQ_LEN = 32
T8_BATCH = 4
T8_CHUNKS = 4
T8_SEEDS = [0, 1, 2]
TIMING_REPEATS = 3
MEMORY_PROBE = False
GEN_TOKENS = 30
TORCH_THREADS = 1

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

import paperlib
from paperlib.bk import configs as bk_configs
from paperlib.bk import train as lt
from paperlib.bk.model import prime_bump_potential
from paperlib.common.figures import save_table, savefig, use_house_style
from paperlib.companion.ledger import Recorder
from paperlib.common.measure import fingerprint, peak_rss_subprocess

use_house_style()
rec = Recorder(notebook="16_bk_training", profile=PROFILE)
DEVICE = paperlib.default_device()
if DEVICE.type == "cpu" and TORCH_THREADS > 0:
    torch.set_num_threads(TORCH_THREADS)  # these models are tiny: one thread is faster than two fighting OpenMP barriers
paperlib.seed_everything(0)

data = lt.prepare_lm_data(CORPUS, TOKENIZER, VOCAB, max_train_chars=MAX_TRAIN_CHARS or None,
                          max_eval_chars=MAX_EVAL_CHARS or None)
cfg = lt.TrainConfig(steps=STEPS, batch_size=BATCH, seq_len=SEQ_LEN, lr=LR, warmup_steps=WARMUP,
                     eval_chunks=EVAL_CHUNKS)
print(data.describe())
print(f"budget per run: {STEPS} steps x {BATCH} x {SEQ_LEN} = {STEPS * BATCH * SEQ_LEN:,} training tokens;"
      f" seeds {SEEDS}")

# %% tags=["nbval-ignore-output"]
print(fingerprint()["device"], "| torch", torch.__version__)

# %% [markdown]
# ## The models
#
# | variant | what it is |
# |---|---|
# | `full` | ResNet-BK with everything the paper's Table 4 calls the full model that we can build: causal BK-Core mixer (z = i), 4-expert MoE with the **scattering router** (Eq. 7-8, `paperlib.bk.model` docstring states our reading of lambda_i), **Prime-Bump** position-embedding initialisation (Eq. 5, reference-code reading: V on x = 0..N-1, scaled by 0.02) |
# | `no_prime_bump` | the same, random (normal 0.02) position embeddings |
# | `no_scattering` | the same, a learned MLP (Switch top-1) gate instead of the scattering router |
# | `no_lap` | **our reading** of "w/o LAP stability" (LAP = limiting absorption principle, not defined in the paper): the BK-Core evaluated close to the real axis, z = i·`LAP_IM_Z` instead of z = i |
# | `act` | `full` + ACT halting (Eq. 10) |
# | `optimized` | the Table 10/11 "Optimized" model: HTT (rank 4) + AR-SSM + ultra low-rank FFN + low-rank head |
# | `transformer` | standard causal Transformer encoder (8 heads if d allows, FFN 4d, no positional embedding, as the paper's baseline) |
#
# Table 4's last row ("w/o semiseparable: OOM") is a memory statement about large-scale training and has no
# counterpart at these sizes; it is not tested here.

# %%
V = data.vocab_size
SPECS = bk_configs.ablation_specs(V, D_MODEL, N_LAYERS, SEQ_LEN, N_EXPERTS, LAP_IM_Z)
param_table = pd.DataFrame([{"variant": k, "params": lt.count_params(lt.build_model(s))} for k, s in SPECS.items()])
print(param_table.to_string(index=False))

# %% [markdown]
# ## Training every variant
#
# Each variant is trained with each seed under the same budget. With the same seed two variants share their
# initial random draws (where parameter shapes agree) and see **identical batches**, so `full` vs
# `no_prime_bump` differ only by the Prime-Bump term: a paired comparison.

# %% tags=["nbval-ignore-output"]
runs: dict[str, list] = {k: [] for k in SPECS}
models: dict[str, torch.nn.Module] = {}
for name, spec in SPECS.items():
    for seed in SEEDS:
        model, res = lt.train_variant(spec, data.train, data.eval, cfg, seed, device=DEVICE, desc=f"{name}/{seed}")
        runs[name].append(res)
        if seed == SEEDS[0]:
            models[name] = model
        print(f"{name:14s} seed {seed}: final train loss {res.losses[-1]:.3f}, eval PPL {res.final_ppl:.2f},"
              f" {res.tokens_per_s:,.0f} tokens/s")

# %% tags=["nbval-ignore-output"]
# trained-model perplexities: the last digits depend on the CPU's float32 code paths (vector width, BLAS kernels),
# and no_lap's (z near the real axis) by several PPL; the comparisons below judge them against seed spread
summary = lt.summarize_runs(runs)
print(summary[["variant", "params", "seeds", "ppl_mean", "ppl_std"]].round(3).to_string(index=False))
_ = save_table(summary, "bk_training_summary", profile=PROFILE)

# %%
fig, ax = plt.subplots(1, 2, figsize=(11, 4))
for name, results in runs.items():
    curves = np.stack([lt.smooth(r.losses, SMOOTH) for r in results])
    steps = np.arange(1, curves.shape[1] + 1)
    ax[0].plot(steps, curves.mean(0), label=name)
    ax[0].fill_between(steps, curves.min(0), curves.max(0), alpha=0.15)
ax[0].set(xlabel="step", ylabel=f"training loss (moving average {SMOOTH})", title="training curves (band: seed range)")
ax[0].legend(fontsize=8)
x = np.arange(len(summary))
ax[1].bar(x, summary["ppl_mean"], yerr=summary["ppl_std"].fillna(0), capsize=4)
ax[1].set_xticks(x, summary["variant"], rotation=30, ha="right")
ax[1].set(ylabel="held-out perplexity", title=f"eval PPL after {STEPS} steps (mean ± sd over seeds)")
fig.tight_layout()
_ = savefig(fig, "bk_training_curves", profile=PROFILE)
plt.show()

# %% [markdown]
# ## Prime-Bump vs random initialisation (BK-PB-CONV)
#
# > "This initialization provides 30% faster convergence compared to random initialization." (Section 3.2)
#
# Eq. 5: $V_\varepsilon(x) = \sum_p \sum_{k=1}^{k_{max}} \frac{\log p}{p^{k(1/2+\varepsilon)}}\,
# \varepsilon^{-1/2} e^{-(x-\log p)^2/(2\varepsilon)}$, added (x 0.02) to the position embeddings.
#
# **Measure.** Steps-to-loss: the first step at which the moving-average training loss reaches a target.
# The target is fixed by a rule, not chosen per result: the largest final smoothed loss among all runs of the
# two variants (so every run reaches it). The paper's claim corresponds to a ratio
# steps(Prime-Bump)/steps(random) of about 0.7. First, how large is the Prime-Bump term next to the random
# position embeddings it is added to?

# %%
Vpb = prime_bump_potential(SEQ_LEN, 1.0, 3)
print(f"0.02 * V_eps(x): max {0.02 * Vpb.max().item():.4f} at x = {int(Vpb.argmax())}, "
      f"above 1e-3 for {int((0.02 * Vpb > 1e-3).sum())} of {SEQ_LEN} positions; "
      f"random position-embedding entries have std 0.02")
probe = lt.eval_chunks(data.eval, SEQ_LEN, 4)
probe_tokens = torch.cat([probe[0], probe[1][:, -1:]], dim=1)   # [B, T+1] windows
d_init = lt.init_output_difference(SPECS["full"], SPECS["no_prime_bump"], 0, probe_tokens)
# float32 rounding level for logits of this size: a difference below it is "the same function"
ROUND_TOL = 1e-5
same_init = d_init["max_logit_diff"] < ROUND_TOL * max(1.0, d_init["max_abs_logit"])
print(f"at initialisation, same seed: logits of Prime-Bump and random init equal up to float32 rounding "
      f"(max |logit(PB) - logit(random)| < {ROUND_TOL:g} x max |logit|): {same_init}")

# %% tags=["nbval-ignore-output"]
# the rounding-level numbers themselves (they depend on the CPU's code paths)
print(f"at initialisation, same seed: max |logit(PB) - logit(random)| = {d_init['max_logit_diff']:.1e} "
      f"(logits up to {d_init['max_abs_logit']:.2f}); loss {d_init['loss_a']:.5f} vs {d_init['loss_b']:.5f}")

# %% [markdown]
# **Why the difference is at rounding level.** In this reading the bump $0.02\,V_\varepsilon(x)$ is added to *every channel* of position x's embedding, i.e. it shifts token x's residual vector by a constant times
# $(1,\dots,1)$. Every consumer of the residual stream in a pre-norm network is a LayerNorm, and
# $\mathrm{LN}(h + c\mathbf 1) = \mathrm{LN}(h)$ because LayerNorm subtracts the mean over channels. The
# initialisation therefore does not change the function the model computes (nor, as the component along
# $\mathbf 1$ never reaches a LayerNorm output, its gradients); any convergence difference must then be zero.

# %%
pair = runs["full"] + runs["no_prime_bump"]
target = lt.common_target_loss([r.losses for r in pair], SMOOTH)
s_pb = np.array([lt.steps_to_loss(r.losses, target, SMOOTH) for r in runs["full"]])
s_rand = np.array([lt.steps_to_loss(r.losses, target, SMOOTH) for r in runs["no_prime_bump"]])
ratio = s_pb / s_rand
cmp_pb = lt.compare_groups(s_rand, s_pb, paired=True)
ppl_pb = lt.compare_groups([r.final_ppl for r in runs["no_prime_bump"]], [r.final_ppl for r in runs["full"]],
                           paired=True)
max_curve_gap = max(float(np.max(np.abs(np.array(a.losses) - np.array(b.losses))))
                    for a, b in zip(runs["full"], runs["no_prime_bump"]))
same_curves = max_curve_gap < ROUND_TOL * max(1.0, target)
same_ppl = abs(ppl_pb["rel_change"]) < ROUND_TOL
print(f"steps to reach the common target loss: Prime-Bump {s_pb.tolist()}, random {s_rand.tolist()}")
print(f"ratio PB/random per seed {np.round(ratio, 3).tolist()}, mean {np.nanmean(ratio):.3f}")
print(f"paired runs follow the same loss curve up to float32 rounding (largest per-step loss difference "
      f"< {ROUND_TOL:g} x loss): {same_curves}")
print(f"eval PPL of Prime-Bump and random equal up to float32 rounding (|rel. change| < {ROUND_TOL:g}): {same_ppl}")

# %% tags=["nbval-ignore-output"]
print(f"target loss {target:.3f}; largest per-step loss difference between paired runs: {max_curve_gap:.2g}")
print(f"eval PPL: Prime-Bump {ppl_pb['mean_b']:.3f} vs random {ppl_pb['mean_a']:.3f} "
      f"(rel. change {100 * ppl_pb['rel_change']:+.2f}%)")

# %%
mean_ratio = float(np.nanmean(ratio))
if mean_ratio <= 0.8 and np.all(ratio < 1):
    verdict = "reproduced"
elif mean_ratio < 1 and np.all(ratio <= 1) and cmp_pb["significant"]:
    verdict = "partially-reproduced"
else:
    verdict = "not-reproduced"
_ = rec.record("BK-PB-CONV", measured_value=f"steps ratio PB/random {mean_ratio:.3g} (per seed {np.round(ratio, 2).tolist()})",
           unit="ratio", verdict=verdict,
           reason=(f"paired seeds, same batches: steps to loss {target:.2f} {s_pb.tolist()} vs {s_rand.tolist()}; "
                   f"paper 0.7; the channel-constant bump is removed by LayerNorm (init logits equal up to float32 "
                   f"rounding: {same_init})"),
           evidence="figure bk_training_curves; table bk_training_summary")
print("BK-PB-CONV:", verdict)

# %% [markdown]
# ### Try it: Swap Prime-Bump for random init at tiny size
#
# Shrink the model (`D_MODEL = 16`, `N_LAYERS = 1`, `SEQ_LEN = 16`) or grow it and re-run this section; then make
# the bump 100× larger by adding `"prime_bump_scale": 2.0` to `SPECS["full"]`. Watch the initial logit difference,
# the largest per-step loss gap between the paired runs and the steps ratio. Can any size or scale make the
# Prime-Bump term matter, and what kind of bump would?
#
# Solution: `notebooks/exercises/16_bk_training__prime_bump_vs_random.py`

# %% [markdown]
# ## Ablations (BK-T4-ABL, Table 4)
#
# | configuration | paper PPL |
# |---|---|
# | full | 28.3 |
# | w/o Prime-Bump | 29.8 |
# | w/o scattering router | 28.9 |
# | w/o LAP stability | 31.2 |
# | w/o semiseparable | OOM |
#
# The paper's numbers come from a WikiText-103 model trained to PPL ~28; ours from the small budget above. We
# test the *direction*: each ablation should be worse (higher PPL) than the full model beyond seed noise
# (difference larger than the seed standard deviation **and** paired t-test p < 0.05).

# %% tags=["nbval-ignore-output"]
# trained-model numbers (machine-dependent last digits); the per-row decisions are printed, and compared, below
full_ppl = [r.final_ppl for r in runs["full"]]
abl_rows = []
for name, paper_ppl in [("full", 28.3), ("no_prime_bump", 29.8), ("no_scattering", 28.9), ("no_lap", 31.2)]:
    c = lt.compare_groups(full_ppl, [r.final_ppl for r in runs[name]], paired=True)
    abl_rows.append({"configuration": name, "paper_ppl": paper_ppl, "paper_vs_full_pct": 100 * (paper_ppl / 28.3 - 1),
                     "ppl_mean": c["mean_b"], "ppl_std": c["std_b"], "vs_full_pct": 100 * c["rel_change"],
                     "p_paired": c["p_value"], "worse_beyond_noise": bool(c["diff"] > 0 and c["significant"])})
abl = pd.DataFrame(abl_rows)
print(abl.round(3).to_string(index=False))
_ = save_table(abl, "bk_table4_ablation", profile=PROFILE)

# %% [markdown]
# The *direction* of each ablation (mean PPL above the full model's) is stable from machine to machine and is
# compared below. The significance half of the rule is not, at smoke size: with two seeds the paired t-test
# has one degree of freedom, and the `no_lap` row (Im z = 0.01 amplifies rounding differences) gave p between
# 0.02 and 0.14 on different x86 CPUs and kernel settings for the same seeds. So the smoke verdict is printed
# but not compared by the tests; the published verdict comes from the cpu profile (3 seeds, 300 steps).

# %%
print("ablation mean PPL above the full model's (direction only):")
print(abl.iloc[1:].assign(higher_than_full=lambda t: t.ppl_mean > abl.ppl_mean.iloc[0])[
    ["configuration", "paper_ppl", "higher_than_full"]].to_string(index=False))

# %% tags=["nbval-ignore-output"]
# the rule (direction AND p < 0.05); at smoke size its p-values sit near the threshold (see above)
worse = abl.iloc[1:]["worse_beyond_noise"]
n_worse = int(worse.sum())
verdict = "reproduced" if n_worse == 3 else ("partially-reproduced" if n_worse > 0 else "not-reproduced")
_ = rec.record("BK-T4-ABL",
           measured_value="; ".join(f"{r.configuration} {r.ppl_mean:.3g}±{0 if np.isnan(r.ppl_std) else r.ppl_std:.2g}"
                                    for r in abl.itertuples()),
           unit="PPL", verdict=verdict,
           reason=(f"{n_worse}/3 ablations worse than full beyond seed noise at equal budget (LAP row = our reading "
                   f"Im z={LAP_IM_Z}; semiseparable/OOM row not testable at this size)"),
           evidence="table bk_table4_ablation")
print(abl.iloc[1:][["configuration", "paper_ppl", "worse_beyond_noise"]].to_string(index=False))
print(f"BK-T4-ABL: {verdict} ({n_worse}/3 ablations worse than full beyond seed noise)")

# %% [markdown]
# ## Scattering router vs MLP gating (BK-EQ7-ROUTER)
#
# > "Our scattering-based routing eliminates all learnable parameters while achieving equal or better
# > performance" (Section 2.2); "a parameter-free routing mechanism with faster computation than MLP gating" (3.3).
#
# Eq. 7-8: $\delta_\varepsilon(\lambda) = \arg \det_2(I + K_\varepsilon(\lambda + i0))$, token i to expert e if
# $\delta(\lambda_i) \in [(e-1)\pi/E, e\pi/E]$. Three parts: parameters (counted), routing time (measured on
# the routing step alone, for B x T tokens), and perplexity (the `no_scattering` runs above use the MLP gate).
# Expert utilisation shows how evenly each router spreads tokens.
#
# The phase our router uses is the *causal-prefix* reading of Eq. 7 (`paperlib.bk.model.causal_prefix_phase`):
# token $i$'s phase is that of the prefix $0..i$ at one fixed spectral point $\zeta$ (`router_lambda` + i
# `router_eta`), with signed $V$, computed from the BK-Core output in $O(N)$, so the model stays causal.
# Notebook 12 studies the whole-sequence reading ($\lambda_i=v_i$, $|V|^{1/2}$ on both sides), which a causal LM
# cannot use. BK-EQ7-ROUTER and BK-EQ10-ACT below are therefore verdicts on the causal reading.

# %%
gate_params = lt.count_params(lt.build_model(SPECS["no_scattering"])) - lt.count_params(lt.build_model(SPECS["full"]))
ppl_router = lt.compare_groups([r.final_ppl for r in runs["no_scattering"]], full_ppl, paired=True)
ppl_ok = ppl_router["diff"] <= 0 or ppl_router["within_noise"]
print(f"learned parameters of the MLP gates (all layers): {gate_params}; scattering router: 0")
print(f"PPL of the scattering router vs the MLP gate: within seed noise: {ppl_router['within_noise']}; "
      f"equal or better (lower, or within noise): {ppl_ok}")

# %% tags=["nbval-ignore-output"]
print(f"PPL scattering {ppl_router['mean_b']:.3f} vs MLP {ppl_router['mean_a']:.3f}: "
      f"{100 * ppl_router['rel_change']:+.2f}% (within seed noise: {ppl_router['within_noise']})")
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5), sharey=True)
for ax, name in zip(axes, ["full", "no_scattering"]):
    util = np.mean([r.aux_means["router_util"] for r in runs[name]], axis=0)
    for layer in range(util.shape[0]):
        ax.bar(np.arange(util.shape[1]) + 0.8 * layer / util.shape[0], util[layer], width=0.8 / util.shape[0],
               label=f"layer {layer}")
    ax.set(title=f"{name}: expert utilisation (training mean)", xlabel="expert")
    print(name, "utilisation per layer:", np.round(util, 2).tolist())
axes[0].set_ylabel("fraction of tokens")
axes[0].legend(fontsize=8)
fig.tight_layout()
_ = savefig(fig, "bk_router_utilisation", profile=PROFILE)
plt.show()

# %% tags=["nbval-ignore-output"]
rt = lt.router_timings(D_MODEL, N_EXPERTS, BATCH, SEQ_LEN, repeats=max(TIMING_REPEATS, 3), device=DEVICE)
print({k: (f"{v * 1e3:.3g} ms" if k != "mlp_gate_params" else v) for k, v in rt.items()})
faster = rt["scattering"] < rt["mlp"]
n_ok = int(faster) + int(ppl_ok) + 1  # parameter-free holds by construction (counted above)
verdict = "reproduced" if n_ok == 3 else ("partially-reproduced" if n_ok == 2 else "not-reproduced")
_ = rec.record("BK-EQ7-ROUTER",
           measured_value=(f"gate params 0 vs {gate_params}; routing {rt['scattering'] * 1e3:.3g} ms vs MLP "
                           f"{rt['mlp'] * 1e3:.3g} ms; PPL {ppl_router['mean_b']:.4g} vs {ppl_router['mean_a']:.4g}"),
           unit="", verdict=verdict,
           reason=(f"causal-prefix phase reading; parameter-free: yes; faster than MLP gate: {faster} (without a BK mixer to reuse G: "
                   f"{rt['scattering+G'] * 1e3:.3g} ms); PPL equal-or-better within noise: {ppl_ok}"),
           evidence="figure bk_router_utilisation; table bk_training_summary")

# %% [markdown]
# ## ACT halting (BK-EQ10-ACT)
#
# > "This achieves FLOPs reduction while maintaining perplexity (initial experiments)." (Section 3.5)
#
# Eq. 10: $p_{halt}(i) = 1$ if $|\delta(\lambda_i)| < 0.2$, $0$ if $|\delta(\lambda_i)| > 0.8$,
# $\mathrm{sigmoid}(|\delta(\lambda_i)|)$ otherwise. A token stops being updated once its accumulated halting
# mass reaches 0.99. The FLOPs fraction is the fraction of (token, layer) block updates that are applied, measured
# on the held-out stream. It is a *nominal* saving: the implementation masks halted tokens (computes, then
# discards), so wall-clock time is not reduced; a gather/scatter implementation could realise it.

# %%
act_frac = np.array([r.final_eval["aux"]["act_flops_fraction"] for r in runs["act"]])
ppl_act = lt.compare_groups(full_ppl, [r.final_ppl for r in runs["act"]], paired=True)
flops_red = 1 - float(act_frac.mean())
ppl_kept = ppl_act["rel_change"] <= 0.02 or ppl_act["within_noise"]
if flops_red >= 0.10 and ppl_kept:
    verdict = "reproduced"
elif flops_red > 0 and ppl_kept:
    verdict = "partially-reproduced"
else:
    verdict = "not-reproduced"
_ = rec.record("BK-EQ10-ACT", measured_value=f"block FLOPs fraction {act_frac.mean():.3g}; PPL {100 * ppl_act['rel_change']:+.2g}%",
           unit="fraction", verdict=verdict,
           reason=(f"causal-prefix phase reading; nominal block-FLOPs reduction {100 * flops_red:.1f}% (rule: >=10% for reproduced), PPL "
                   f"maintained (<=2% or within noise): {ppl_kept}; masked implementation saves no wall time"),
           evidence="table bk_training_summary")
print(f"nominal block-FLOPs reduction >= 10%: {flops_red >= 0.10}, > 0: {flops_red > 0}; "
      f"PPL maintained (<= +2% or within seed noise): {ppl_kept}")
print("BK-EQ10-ACT:", verdict)

# %% tags=["nbval-ignore-output"]
print(f"fraction of token-layer updates applied with ACT: {np.round(act_frac, 3).tolist()} "
      f"(nominal FLOPs reduction of the blocks {100 * flops_red:.1f}%)")
print(f"PPL with ACT {ppl_act['mean_b']:.3f} vs without {ppl_act['mean_a']:.3f} ({100 * ppl_act['rel_change']:+.2f}%,"
      f" within seed noise: {ppl_act['within_noise']})")

# %% tags=["nbval-ignore-output"]
lat_full = lt.forward_latency(models["full"], BATCH, SEQ_LEN, repeats=TIMING_REPEATS)
lat_act = lt.forward_latency(models["act"], BATCH, SEQ_LEN, repeats=TIMING_REPEATS)
print(f"inference forward: full {lat_full * 1e3:.3g} ms, with ACT {lat_act * 1e3:.3g} ms (ratio {lat_act / lat_full:.2f})")

# %% [markdown]
# ## ResNet-BK, the optimized model and a Transformer of the same width and depth
#
# Perplexity (above), training throughput and training memory. On CPU, training memory is the parameter memory
# plus what two AdamW steps add to the peak resident set of a fresh process beyond the same model merely built
# (`paperlib.common.measure.peak_rss_subprocess`, one process each, so import overheads cancel); on CUDA, the allocator's
# peak during the two steps. At these tiny sizes the RSS numbers are dominated by allocator granularity; the
# parameter memory column is exact.

# %% tags=["nbval-ignore-output"]
mem_rows = []
if MEMORY_PROBE:
    for name in ["full", "optimized", "transformer"]:
        if DEVICE.type == "cuda":
            m = lt.memory_probe(SPECS[name], BATCH, SEQ_LEN, steps=2, device=str(DEVICE))
            mem = m["cuda_peak_mb"]
        else:
            built, trained = (peak_rss_subprocess("paperlib.bk.train:memory_probe",
                                                  dict(spec=SPECS[name], batch_size=BATCH, seq_len=SEQ_LEN, steps=k))
                              for k in (0, 2))
            m = trained["result"]
            # parameters + what two training steps add above the built model (imports cancel out)
            mem = m["param_mb"] + trained["peak_rss_mb"] - built["peak_rss_mb"]
        mem_rows.append({"variant": name, "params": m["n_params"], "param_mb": m["param_mb"], "train_peak_mb": mem})
mem_df = pd.DataFrame(mem_rows)
tp = summary.set_index("variant")[["params", "ppl_mean", "ppl_std", "tokens_per_s"]].loc[["full", "optimized", "transformer"]]
print(tp.round(3).to_string())
if len(mem_df):
    print(mem_df.round(2).to_string(index=False))
    _ = save_table(mem_df, "bk_training_memory", profile=PROFILE)

# %% [markdown]
# ## Section 6.4 trade-offs (BK-S64-TRADEOFF)
#
# > "Inference latency: 1.5-2x increase due to gradient checkpointing overhead; Training throughput: 2-3x
# > decrease due to activation recomputation; Perplexity: 1-2% increase on validation set; Convergence: 10-15%
# > additional training steps required to reach equivalent loss."
#
# The comparison is the optimized model against the Transformer baseline (Section 6.1). Latency and
# throughput are measured for the optimized model with and without gradient checkpointing (the cause the paper
# names). Steps-to-loss uses a target both reach: the larger of the two models' final smoothed losses.

# %%
ppl_opt = lt.compare_groups([r.final_ppl for r in runs["transformer"]], [r.final_ppl for r in runs["optimized"]],
                            paired=True)
tgt_opt = lt.common_target_loss([r.losses for r in runs["optimized"] + runs["transformer"]], SMOOTH)
st_opt = lt.seed_stats([lt.steps_to_loss(r.losses, tgt_opt, SMOOTH) for r in runs["optimized"]])
st_tr = lt.seed_stats([lt.steps_to_loss(r.losses, tgt_opt, SMOOTH) for r in runs["transformer"]])
steps_extra = st_opt["mean"] / st_tr["mean"] - 1
# the two stated ranges that do not involve timings (the other two are measured below)
ppl_in_range = 0.0 <= ppl_opt["rel_change"] <= 0.02 or (ppl_opt["within_noise"] and ppl_opt["rel_change"] <= 0.02)
steps_in_range = 0.0 <= steps_extra <= 0.2
print(f"optimized vs transformer: PPL increase within +1-2% (0 to 2%, or within seed noise): {ppl_in_range}; "
      f"extra steps to equal loss within +10-15% (0 to 20%): {steps_in_range}")

# %% tags=["nbval-ignore-output"]
print(f"PPL optimized {ppl_opt['mean_b']:.3f} vs transformer {ppl_opt['mean_a']:.3f}: {100 * ppl_opt['rel_change']:+.1f}%")
print(f"steps to loss {tgt_opt:.3f}: optimized {st_opt['mean']:.1f}, transformer {st_tr['mean']:.1f} "
      f"({100 * steps_extra:+.0f}%)")

# %% tags=["nbval-ignore-output"]
opt_ckpt = lt.build_model({**SPECS["optimized"], "checkpointing": True}).to(DEVICE)
opt_ckpt.load_state_dict(models["optimized"].state_dict())
lat = {n: lt.forward_latency(m, BATCH, SEQ_LEN, repeats=TIMING_REPEATS)
       for n, m in [("optimized", models["optimized"]), ("optimized+ckpt", opt_ckpt), ("transformer", models["transformer"])]}
stp = {n: lt.train_step_time(m, BATCH, SEQ_LEN, repeats=TIMING_REPEATS)
       for n, m in [("optimized", models["optimized"]), ("optimized+ckpt", opt_ckpt), ("transformer", models["transformer"])]}
lat_ratio = lat["optimized+ckpt"] / lat["transformer"]
tput_drop = stp["optimized+ckpt"] / stp["transformer"]   # = throughput(transformer) / throughput(optimized+ckpt)
ckpt_tput = stp["optimized+ckpt"] / stp["optimized"]     # throughput drop caused by checkpointing alone
trade = pd.DataFrame([{"quantity": "inference latency (optimized+ckpt / transformer)", "measured": lat_ratio, "paper": "1.5-2x"},
                      {"quantity": "inference latency (ckpt / no ckpt)", "measured": lat["optimized+ckpt"] / lat["optimized"], "paper": "-"},
                      {"quantity": "training throughput drop, x (tput transformer / tput optimized+ckpt)", "measured": tput_drop, "paper": "2-3x"},
                      {"quantity": "training throughput drop from checkpointing alone", "measured": ckpt_tput, "paper": "-"},
                      {"quantity": "PPL increase %", "measured": 100 * ppl_opt["rel_change"], "paper": "1-2"},
                      {"quantity": "extra steps to equal loss %", "measured": 100 * steps_extra, "paper": "10-15"}])
print(trade.round(3).to_string(index=False))
_ = save_table(trade, "bk_s64_tradeoffs", profile=PROFILE)
checks = {"latency 1.5-2x": 1.5 <= lat_ratio <= 2.0, "throughput 2-3x lower": 2.0 <= tput_drop <= 3.0,
          "PPL +1-2%": ppl_in_range, "steps +10-15%": steps_in_range}
n_ok = sum(checks.values())
verdict = "reproduced" if n_ok == 4 else ("partially-reproduced" if n_ok >= 2 else "not-reproduced")
_ = rec.record("BK-S64-TRADEOFF",
           measured_value=(f"latency x{lat_ratio:.2g}; throughput /{tput_drop:.2g}; PPL {100 * ppl_opt['rel_change']:+.3g}%;"
                           f" steps {100 * steps_extra:+.3g}%"),
           unit="", verdict=verdict,
           reason=f"{n_ok}/4 of the stated ranges hold: {checks}",
           evidence="table bk_s64_tradeoffs")

# %% [markdown]
# ## The abstract's headline (BK-ABS)
#
# > "97.9% parameter reduction and 84.8% peak memory reduction during training, with 1-2% perplexity increase."
#
# Parameter reduction at *this* configuration (the paper's 97.9% is for vocab 10k, d 512, 6 layers; the row-by-row
# count at that configuration is notebook 14's BK-T10-PARAMS), training-memory reduction measured above, and the
# perplexity increase at equal training budget.

# %% tags=["nbval-ignore-output"]
n_tr, n_opt = lt.count_params(models["transformer"]), lt.count_params(models["optimized"])
param_red = 1 - n_opt / n_tr
mem_red = float("nan")
if len(mem_df):
    mm = mem_df.set_index("variant")["train_peak_mb"]
    mem_red = 1 - mm["optimized"] / mm["transformer"]
ppl_inc = ppl_opt["rel_change"]
print(f"parameters {n_tr:,} -> {n_opt:,}: {100 * param_red:.1f}% reduction; training peak memory reduction "
      f"{100 * mem_red:.1f}%; PPL {100 * ppl_inc:+.1f}%")
ppl_small = ppl_inc <= 0.02 or (ppl_opt["within_noise"] and ppl_inc <= 0.05)
big_cuts = param_red >= 0.9 and (np.isnan(mem_red) or mem_red >= 0.5)
verdict = "reproduced" if (ppl_small and big_cuts) else ("partially-reproduced" if big_cuts else "not-reproduced")
_ = rec.record("BK-ABS", measured_value=(f"params {-100 * param_red:+.3g}%, training memory {-100 * mem_red:+.3g}%, "
                                     f"PPL {100 * ppl_inc:+.3g}%"),
           unit="%", verdict=verdict,
           reason=(f"at d={D_MODEL}, {N_LAYERS} layers, vocab {V}, {STEPS} steps: the reductions "
                   f"{'hold' if big_cuts else 'do not hold'}; PPL increase within 1-2%: {ppl_small}"),
           evidence="table bk_training_summary; table bk_training_memory")

# %%
print(f"parameters {n_tr:,} -> {n_opt:,}: {100 * param_red:.1f}% reduction (>= 90%: {param_red >= 0.9}); "
      f"training memory measured: {not np.isnan(mem_red)}; PPL increase small: {ppl_small}")
print("BK-ABS:", verdict)

# %% [markdown]
# ## Untrained perplexity (BK-T8-PPL, Table 8)
#
# Table 8 compares **untrained** models: PPL 50738.89 (baseline ResNet-BK) vs 50505.61 (Phase 1: HTT rank 16 +
# AR-SSM), "-0.46% (improvement)", vocabulary 50257. What should an untrained model's perplexity be? If the
# logits are roughly i.i.d. $\mathcal N(0, s^2)$ and independent of the target,
# $\mathbb E[\mathrm{CE}] = \mathbb E[\log\sum_j e^{l_j}] - \mathbb E[l_y] \approx \log V + s^2/2$, so
# $\mathrm{PPL} \approx V e^{s^2/2}$ (`lt.expected_untrained_ppl`). The paper's numbers imply
# $s = \sqrt{2\ln(\mathrm{PPL}/V)}$: initialisation noise in the logits decides the PPL, and any comparison must be
# judged against the spread over initialisation seeds.

# %%
for ppl_paper in (50738.89, 50505.61):
    print(f"paper PPL {ppl_paper}: implied logit std s = {math.sqrt(2 * math.log(ppl_paper / 50257)):.4f}")
t8_data = data if T8_VOCAB == VOCAB else lt.prepare_lm_data(CORPUS, TOKENIZER, T8_VOCAB, max_train_chars=MAX_TRAIN_CHARS or None,
                                                           max_eval_chars=MAX_EVAL_CHARS or None)
V8 = t8_data.vocab_size
t8_specs = {"baseline": dict(kind="bk", vocab_size=V8, d_model=T8_D_MODEL, n_layers=T8_LAYERS, seq_len=T8_SEQ_LEN),
            "phase1": dict(kind="bk", vocab_size=V8, d_model=T8_D_MODEL, n_layers=T8_LAYERS, seq_len=T8_SEQ_LEN,
                           embedding="htt", htt_rank=16, mixer="bk+arssm")}
t8_rows = []
for name, spec in t8_specs.items():
    for seed in T8_SEEDS:
        paperlib.seed_everything(seed)
        m = lt.build_model(spec).to(DEVICE)
        ev = lt.evaluate_perplexity(m, t8_data.eval, T8_SEQ_LEN, T8_BATCH, T8_CHUNKS)
        x_probe = lt.eval_chunks(t8_data.eval, T8_SEQ_LEN, T8_CHUNKS)[0][:T8_BATCH].to(DEVICE)
        s = lt.logit_stats(m, x_probe)["logit_std"]
        t8_rows.append({"model": name, "seed": seed, "ppl": ev["ppl"], "logit_std": s,
                        "expected_ppl": lt.expected_untrained_ppl(V8, s)})
t8 = pd.DataFrame(t8_rows)
print(f"vocabulary V = {V8}; seeds {T8_SEEDS} per model")

# %% tags=["nbval-ignore-output"]
# float32 forward passes: the last printed digits depend on the CPU's code paths
print(t8.round(2).to_string(index=False))
_ = save_table(t8, "bk_table8_untrained", profile=PROFILE)

# %% tags=["nbval-ignore-output"]
c8 = lt.compare_groups(t8[t8.model == "baseline"].ppl.values, t8[t8.model == "phase1"].ppl.values)
spread = 100 * max(c8["std_a"], c8["std_b"]) / c8["mean_a"]
print(f"baseline {c8['mean_a']:.1f} ± {c8['std_a']:.1f}, phase1 {c8['mean_b']:.1f} ± {c8['std_b']:.1f} "
      f"(seed sd {spread:.2f}% of the mean); difference {100 * c8['rel_change']:+.2f}% (paper -0.46%), "
      f"Welch p = {c8['p_value']:.2g}")
print(f"PPL / V: baseline {c8['mean_a'] / V8:.3f}, phase1 {c8['mean_b'] / V8:.3f} (paper: {50738.89 / 50257:.3f}, "
      f"{50505.61 / 50257:.3f})")
fig, ax = plt.subplots(figsize=(6, 3.5))
for i, name in enumerate(t8_specs):
    vals = t8[t8.model == name].ppl.values / V8
    ax.scatter(np.full(vals.size, i), vals, label=name)
ax.axhline(1.0, color="k", lw=0.8, ls="--", label="uniform prediction (PPL = V)")
ax.set_xticks(range(len(t8_specs)), list(t8_specs))
ax.set(ylabel="untrained PPL / V", title="Table 8: untrained perplexity over seeds")
ax.legend(fontsize=8)
fig.tight_layout()
_ = savefig(fig, "bk_table8_untrained", profile=PROFILE)
plt.show()

# %%
meaningful = c8["significant"]
verdict = "reproduced" if (meaningful and c8["rel_change"] < 0) else "not-reproduced"
_ = rec.record("BK-T8-PPL", measured_value=f"{c8['mean_a']:.4g} vs {c8['mean_b']:.4g} ({100 * c8['rel_change']:+.2f}%, seed sd {spread:.2f}%)",
           unit="PPL", verdict=verdict,
           reason=(f"untrained PPL ~ V e^(s^2/2) with V={V8}; seed sd {spread:.1f}%, Welch p={c8['p_value']:.2g}: "
                   f"the difference {'is' if meaningful else 'is not'} distinguishable from initialisation noise"
                   f"{' but has the opposite sign' if meaningful and c8['rel_change'] > 0 else ''}"),
           evidence="figure bk_table8_untrained; table bk_table8_untrained")
print(f"phase1 vs baseline untrained PPL distinguishable from initialisation noise (difference beyond the seed sd "
      f"and Welch p < 0.05): {meaningful}")
print("BK-T8-PPL:", verdict)

# %% [markdown]
# ## What a trained model writes
#
# A sample from the `full` ResNet-BK and from the Transformer (seed 0 models, temperature 0.8, top-k 20). At these
# budgets neither writes fluent text; the sample shows what the perplexities above mean.

# %% tags=["nbval-ignore-output"]
prompt = data.tokenizer.decode(data.eval[:8].tolist())
for name in ["full", "transformer"]:
    print(f"--- {name} (prompt: {prompt!r})")
    print(lt.sample_text(models[name], data.tokenizer, prompt, max_new_tokens=GEN_TOKENS, seed=0))

# %% [markdown]
# ## Summary
#
# (Some measured values are timings, so this cell's printed output is not compared by nbval.)

# %% tags=["nbval-ignore-output"]
print(rec.summary().to_string(index=False))
