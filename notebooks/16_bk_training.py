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
# against seed-to-seed spread: a difference inside seed noise is **not** a reproduction of an improvement. Each
# verdict is the return value of a decision rule in `paperlib.bk.verdicts` (tested in
# `tests/bk/test_bk_verdicts_training.py`); each section states its rule before calling it.
#
# **Budget.** `smoke` (the defaults below) runs in seconds and only exercises the code. `cpu` is a reduced
# sweep meant to finish in under 10 minutes on 2 CPU cores (d = 64, 2 layers, sequences of 64 tokens,
# a few hundred steps, 3 seeds; 4 for the Prime-Bump potential pair). `paper` uses the paper's width/depth/sequence length (Table 10 config:
# d = 512, 6 layers, seq 512; Table 8: d = 512, 8 layers, GPT-2-sized vocabulary) and is meant for a GPU.
# The paper's absolute perplexities (WikiText-103, trained to PPL ~28) are out of reach of any of these
# budgets; we test **directions and relative sizes** at equal budget.

# %% tags=["parameters"]
NOTEBOOK = "16_bk_training"
PROFILE = "smoke"
OUTPUT_ROOT = ""
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
PB_SEEDS = [0, 1]
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
T11_REPEATS = 1  # BK-ABS's memory part, on CUDA only: Table 11's pairing, fresh processes per model (notebook 14's)
SEED = 0         # ... and their seed (notebook 14's SEED)
GEN_TOKENS = 30
TORCH_THREADS = 1

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

import paperlib
from paperlib.bk import (build_model, count_params, expected_untrained_ppl, forward_time,
                         init_output_difference, logit_stats, prepare_lm_data, prime_bump_potential, router_timings,
                         summarize_runs, table10_rows, train_step_memory, train_variant)
from paperlib.bk import configs as bk_configs
from paperlib.bk import paper as bk_paper
from paperlib.bk import verdicts as bk_verdicts
from paperlib.bk.memory_claims import abstract_memory_reduction
from paperlib.bk.tradeoff import s64_tradeoff_claims, training_setup
from paperlib.common.figures import PAPER_STYLE, mark_paper
from paperlib.common.lm import eval_windows, evaluate_perplexity, sample_text
from paperlib.common.measure import fingerprint, peak_rss_subprocess
from paperlib.common.stats import compare_groups, smooth, steps_to_common_target
from paperlib.companion.headline import quote_headline
from paperlib.companion.chapter import open_chapter

ch = open_chapter(globals())
DEVICE = ch.device
if DEVICE.type == "cpu" and TORCH_THREADS > 0:
    torch.set_num_threads(TORCH_THREADS)  # these models are tiny: one thread is faster than two fighting OpenMP barriers

# corpus + tokenizer, budget and every variant's spec: the setup the GPU run's BK-S64 training shares
data, cfg, SPECS = training_setup(ch.params)
print(data.describe())
print(f"budget per run: {STEPS} steps x {BATCH} x {SEQ_LEN} = {STEPS * BATCH * SEQ_LEN:,} training tokens;"
      f" seeds {SEEDS} (Prime-Bump potential pair: {PB_SEEDS})")

# %% tags=["nbval-ignore-output"]
print(fingerprint()["device"], "| torch", torch.__version__)

# %% [markdown]
# ## The models
#
# | variant | what it is |
# |---|---|
# | `full` | ResNet-BK with everything the paper's Table 4 calls the full model that we can build: causal BK-Core mixer (z = i), 4-expert MoE with the **scattering router** (Eq. 7-8, `paperlib.bk.model` docstring states our reading of lambda_i), **Prime-Bump** position-embedding initialisation (Eq. 5, reference-code reading: V on x = 0..N-1, scaled by 0.02) |
# | `no_prime_bump` | the same, random (normal 0.02) position embeddings |
# | `pb_potential` | Section 3.2 read as written ("we initialize the potential"): `no_prime_bump` plus a learnable per-position offset $b$ on every block's BK potential, $v_i = \mathrm{clamp}(\mathrm{Linear}(\mathrm{LN}\,x)_i + b_i)$, initialised to $V_\varepsilon(i)$ |
# | `random_potential` | the same offset initialised randomly, $b_i \sim \mathcal N(0, \mathrm{rms}(V_\varepsilon)^2)$; every other weight equal to `pb_potential`'s for the same seed |
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
PB_PAIR = ("pb_potential", "random_potential")
PAPER_T4 = bk_paper.TABLE4_PPL  # Table 4 PPL (WikiText-103)
param_table = pd.DataFrame([{"variant": k, "params": count_params(build_model(s))} for k, s in SPECS.items()])
print(param_table.to_string(index=False))

# %% [markdown]
# ## Training every variant
#
# Each variant is trained with each seed under the same budget. With the same seed two variants share their
# initial random draws (where parameter shapes agree) and see **identical batches**, so `full` vs
# `no_prime_bump` differ only by the Prime-Bump term: a paired comparison. The Prime-Bump potential pair is trained
# with its own seeds (`PB_SEEDS`), as many as the profile affords, because its verdict rests on it alone.

# %% tags=["nbval-ignore-output"]
runs: dict[str, list] = {k: [] for k in SPECS}
models: dict[str, torch.nn.Module] = {}
for name, spec in SPECS.items():
    for seed in (PB_SEEDS if name in PB_PAIR else SEEDS):
        model, res = train_variant(spec, data.train, data.eval, cfg, seed, device=DEVICE, desc=f"{name}/{seed}")
        runs[name].append(res)
        if seed == SEEDS[0]:
            models[name] = model
        print(f"{name:14s} seed {seed}: final train loss {res.losses[-1]:.3f}, eval PPL {res.final_ppl:.2f},"
              f" {res.tokens_per_s:,.0f} tokens/s")

# %% tags=["nbval-ignore-output"]
# trained-model perplexities: the last digits depend on the CPU's float32 code paths (vector width, BLAS kernels),
# and no_lap's (z near the real axis) by several PPL; the comparisons below judge them against seed spread
summary = summarize_runs(runs)
print(summary[["variant", "params", "seeds", "ppl_mean", "ppl_std"]].round(3).to_string(index=False))
_ = ch.save_table(summary, "bk_training_summary")

# %%
# left: training curves of the architectures and of the ablations that change the function (no_prime_bump is
# `full` by construction, section (a) below; the potential pair has its own figure, bk_pb_potential); right: each
# variant's held-out PPL relative to the model it is compared with, per seed (paired), beside the paper's numbers
CURVES = ["full", "no_scattering", "no_lap", "act", "optimized", "transformer"]
colour = dict(zip(CURVES + ["no_prime_bump", "random_potential"], plt.rcParams["axes.prop_cycle"].by_key()["color"]))
PAIRS = [("no_prime_bump", "full", PAPER_T4["no_prime_bump"]), ("no_scattering", "full", PAPER_T4["no_scattering"]),
         ("no_lap", "full", PAPER_T4["no_lap"]), ("random_potential", "pb_potential", PAPER_T4["no_prime_bump"]),
         ("act", "full", None), ("optimized", "transformer", None)]
fig, ax = plt.subplots(1, 2, figsize=(11, 4.2))
for name in CURVES:
    curves = np.stack([smooth(r.losses, SMOOTH) for r in runs[name]])
    steps = np.arange(1, curves.shape[1] + 1)
    ax[0].plot(steps, curves.mean(0), color=colour[name], label=name)
    ax[0].fill_between(steps, curves.min(0), curves.max(0), color=colour[name], alpha=0.15)
ax[0].set(xlabel="training step", ylabel=f"training loss (nats/token, moving avg. {SMOOTH})",
          title="training curves (band: seed range)")
ax[0].legend(fontsize=7, ncol=2)
for i, (name, ref, paper) in enumerate(PAIRS[::-1]):
    rel = [100 * (a.final_ppl / b.final_ppl - 1) for a, b in zip(runs[name], runs[ref])]
    ax[1].barh(i, np.mean(rel), height=0.5, color=colour[name], alpha=0.7)
    ax[1].plot(rel, [i] * len(rel), "k.", label="each seed (paired)")
    if paper is not None:
        mark_paper(ax[1], x=100 * (paper / PAPER_T4["full"] - 1), y=i,
                   label=f"paper: Table 4, ablated PPL vs full's {PAPER_T4['full']}")
    if name == "optimized":
        ax[1].plot([100 * p for p in bk_paper.S64_PPL], [i, i], marker="|", markersize=12,
                   label="paper: +1-2% (Sec. 6.4)", **{**PAPER_STYLE, "linestyle": "-"})
ax[1].axvline(0, color="grey", lw=0.8)
ax[1].set_yticks(range(len(PAIRS)), [f"{n} vs {r}" for n, r, _ in PAIRS[::-1]])
ax[1].set(xlabel="held-out PPL change vs reference (%)", ylabel="variant vs its reference",
          title=f"after {STEPS} steps (bar: mean over seeds)")
handles = dict(zip(*ax[1].get_legend_handles_labels()[::-1]))
fig.legend(handles.values(), handles.keys(), fontsize=7, loc="outside lower right", ncol=3)
_ = ch.savefig(fig, "bk_training_curves")
plt.show()

# %% [markdown]
# ## Prime-Bump vs random initialisation (BK-PB-CONV)
#
# > "We initialize the potential using prime number distribution [...] This initialization provides 30% faster
# > convergence compared to random initialization." (Section 3.2)
#
# Eq. 5: $V_\varepsilon(x) = \sum_p \sum_{k=1}^{k_{max}} \frac{\log p}{p^{k(1/2+\varepsilon)}}\,
# \varepsilon^{-1/2} e^{-(x-\log p)^2/(2\varepsilon)}$ on the reference grid $x = 0..N-1$ (primes $p < N$,
# $k_{max} = 3$, $\varepsilon = 1$).
#
# **Two readings.** The paper says the Prime-Bump potential initialises *the potential* of
# $H_\varepsilon = H_0 + V_\varepsilon$. In the model the potential is not a free parameter: each block computes
# $v_i = \mathrm{clamp}(\mathrm{Linear}(\mathrm{LN}\,x)_i)$ from its input. (a) The **reference code** instead adds
# $0.02\,V_\varepsilon(x)$ to the position embeddings (`full` vs `no_prime_bump`); (b) the reading **as written**
# gives every block a learnable per-position offset on its potential, initialised to $V_\varepsilon$
# (`pb_potential`) or randomly with the same rms (`random_potential`). The claim is tested on (b); (a) is a
# finding about the reference code.
#
# **Measure.** Steps-to-loss: the first step at which the moving-average training loss reaches a target.
# The target is fixed by a rule, not chosen per result: the largest final smoothed loss among all runs of the
# two variants (so every run reaches it). The paper's claim corresponds to a ratio
# steps(Prime-Bump)/steps(random) of about 0.7.
#
# ### (a) The reference code's reading: a bump on the position embedding
#
# How large is the Prime-Bump term next to the random position embeddings it is added to?

# %%
Vpb = prime_bump_potential(SEQ_LEN, 1.0, 3)
print(f"0.02 * V_eps(x): max {0.02 * Vpb.max().item():.4f} at x = {int(Vpb.argmax())}, "
      f"above 1e-3 for {int((0.02 * Vpb > 1e-3).sum())} of {SEQ_LEN} positions; "
      f"random position-embedding entries have std 0.02")
probe = eval_windows(data.eval, SEQ_LEN, 4)
probe_tokens = torch.cat([probe[0], probe[1][:, -1:]], dim=1)   # [B, T+1] windows
d_init = init_output_difference(SPECS["full"], SPECS["no_prime_bump"], 0, probe_tokens)
# float32 rounding level for logits of this size: a difference below it is "the same function" (the rule's)
ROUND_TOL = bk_verdicts.INIT_ROUND_TOL
same_init = bk_verdicts.same_function_at_init(d_init["max_logit_diff"], d_init["max_abs_logit"])
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
# identical by construction = the same function at initialisation up to rounding (the LayerNorm argument above);
# over hundreds of steps float32 rounding differences are amplified, so the paired curves need not stay equal
ref_identical = bool(same_init)
print(f"reference reading identical to random init by construction (same function at initialisation): {ref_identical}")

# %% tags=["nbval-ignore-output"]
gaps = [np.abs(np.array(a.losses) - np.array(b.losses)) for a, b in zip(runs["full"], runs["no_prime_bump"])]
print(f"per-step training-loss difference between paired full/no_prime_bump runs: largest {max(g.max() for g in gaps):.2g},"
      f" over the first 10 steps {max(g[:10].max() for g in gaps):.2g} (rounding differences grow during training)")

# %% [markdown]
# ### (b) As written: Prime-Bump initialises the potential
#
# `pb_potential` and `random_potential` share every weight for the same seed except the offset $b$ (initialised to
# $V_\varepsilon$ or to $\mathcal N(0, \mathrm{rms}(V_\varepsilon)^2)$) and see the same batches. Unlike the
# position-embedding bump, this offset changes the function at initialisation:

# %%
d_pot = init_output_difference(SPECS["pb_potential"], SPECS["random_potential"], 0, probe_tokens)
print(f"potential offset V_eps vs random at initialisation (same seed): logits differ beyond float32 rounding: "
      f"{not bk_verdicts.same_function_at_init(d_pot['max_logit_diff'], d_pot['max_abs_logit'])}; V_eps(x) > 0.1 for "
      f"{int((Vpb > 0.1).sum())} of {SEQ_LEN} positions (the bumps sit at x = log p)")

# %% [markdown]
# **Rule** (`paperlib.bk.verdicts.bk_pb_conv`): per seed, steps to the common target loss for `pb_potential` and
# `random_potential`; paired comparison (`compare_groups`: difference of means beyond the larger seed sd and
# paired t-test p < 0.05). **reproduced** when Prime-Bump is faster beyond seed noise with a mean ratio
# PB/random <= 0.8 (0.7 = 30% fewer steps, 0.77 = 1.3x the speed); **partially-reproduced** when faster beyond noise
# by less; **refuted** when slower beyond noise; **not-reproduced** when there is no difference beyond seed noise.

# %%
pb_runs, rd_runs = runs["pb_potential"], runs["random_potential"]
target, s_pb, s_rand = steps_to_common_target([r.losses for r in pb_runs], [r.losses for r in rd_runs], SMOOTH)
ppl_pb = compare_groups([r.final_ppl for r in rd_runs], [r.final_ppl for r in pb_runs], paired=True)
v_pb = bk_verdicts.bk_pb_conv(s_pb, s_rand, target_loss=target, reference_identical=ref_identical)
_ = ch.record(v_pb, evidence="table bk_pb_potential; figure bk_pb_potential")

# %% tags=["nbval-ignore-output"]
# trained-model steps at smoke size (two seeds, a few steps) differ between CPUs: the verdict is shown, not compared
print(v_pb)
print(f"steps ratio PB/random per seed {np.round(s_pb / s_rand, 3).tolist()}; eval PPL PB {ppl_pb['mean_b']:.3f} ± "
      f"{ppl_pb['std_b']:.2f} vs random {ppl_pb['mean_a']:.3f} ± {ppl_pb['std_a']:.2f} "
      f"({100 * ppl_pb['rel_change']:+.2f}%, paired p = {ppl_pb['p_value']:.2g})")
pb_table = pd.DataFrame({"seed": PB_SEEDS, "steps_pb": s_pb, "steps_random": s_rand, "ratio": s_pb / s_rand,
                         "ppl_pb": [r.final_ppl for r in pb_runs], "ppl_random": [r.final_ppl for r in rd_runs]})
_ = ch.save_table(pb_table, "bk_pb_potential")
# the figure for BK-PB-CONV: left, the paired runs' curves and the common target; right, the steps ratio per seed
PAPER_PB_RATIO = bk_paper.PRIME_BUMP_STEPS_RATIO  # "30% faster convergence" (Section 3.2), read as 30% fewer steps
fig, ax = plt.subplots(1, 2, figsize=(10, 3.8), width_ratios=(1.6, 1))
for name, rs in (("V_eps offset (pb_potential)", pb_runs), ("random offset (random_potential)", rd_runs)):
    curves = np.stack([smooth(r.losses, SMOOTH) for r in rs])
    steps = np.arange(1, curves.shape[1] + 1)
    ax[0].plot(steps, curves.mean(0), label=name)
    ax[0].fill_between(steps, curves.min(0), curves.max(0), alpha=0.15)
ax[0].axhline(target, color="grey", lw=0.8, ls=":", label="common target loss")
ax[0].set(xlabel="training step", ylabel=f"training loss (nats/token, moving avg. {SMOOTH})",
          title="paired runs (band: seed range)")
ax[0].legend(fontsize=7)
ax[1].plot(PB_SEEDS, s_pb / s_rand, "o", color="C0", label="each seed")
ax[1].axhline(1.0, color="grey", lw=0.8, label="no difference")
ax[1].axhline(bk_verdicts.PB_MAX_RATIO, color="grey", lw=0.8, ls=":",
              label=f"rule: reproduced at <= {bk_verdicts.PB_MAX_RATIO}")
mark_paper(ax[1], y=PAPER_PB_RATIO, label=f"paper: 30% faster = ratio {PAPER_PB_RATIO} (Sec. 3.2)")
ax[1].set_xticks(PB_SEEDS); ax[1].set_ylim(0.5, max(1.3, float(np.max(s_pb / s_rand)) + 0.1))
ax[1].set(xlabel="seed", ylabel="steps to target, PB / random (ratio)")
ax[1].legend(fontsize=7, loc="upper left")
ch.verdict_subtitle(ax[1], v_pb, title="steps ratio")
_ = ch.savefig(fig, "bk_pb_potential")
plt.show()

# %% [markdown]
# **What we found.** Read as the paper writes it (Prime-Bump initialises the potential), the initialisation can
# only matter where $V_\varepsilon$ is non-zero: on the reference grid $x = 0, 1, \dots$ that is the first
# handful of positions, so a per-position offset started at $V_\varepsilon$ and one started at random differ on a
# few tokens of every window, and the paired runs above show whether that changes the steps to the target loss
# (the verdict line gives the ratio and its seed spread against the paper's 0.7). The reference code's reading,
# a bump on the position embedding, is removed by LayerNorm and is identical to no bump by construction: a
# finding about that code, not a test of the claim.

# %% tags=["nbval-ignore-output", "headline-quote"]
quote_headline("BK-PB-CONV")


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
# test the *direction* of each row: every ablation should have a higher PPL than the model it ablates.
#
# **Rule** (`paperlib.bk.verdicts.bk_t4_abl`): each row is a paired comparison (same seeds, same batches) and is
# **worse** (higher PPL beyond seed noise: difference above the larger seed sd and paired p < 0.05), **better**
# (lower beyond noise: the opposite direction) or **no difference**. A row whose model equals the full one by
# construction is not evidence and is left out. **reproduced**: every testable row worse; **partially-reproduced**:
# some worse and none better; **not-reproduced**: a row in the opposite direction, or none worse; **not-testable**:
# no testable row. Rows: w/o Prime-Bump in both readings (the reference code's position-embedding bump, identical by
# construction when (a) above says so; and the potential offset of (b), `pb_potential` vs `random_potential`),
# w/o scattering router (`no_scattering`, MLP gate), w/o LAP (`no_lap`, **our reading**: Im z = `LAP_IM_Z`).
# The semiseparable/OOM row is a memory statement at large scale with no counterpart at these sizes.

# %% tags=["nbval-ignore-output"]
# trained-model numbers (machine-dependent last digits)
full_ppl = [r.final_ppl for r in runs["full"]]
abl_inputs = [
    {"name": "no_prime_bump (position embedding)", "full": full_ppl,
     "ablated": [r.final_ppl for r in runs["no_prime_bump"]], "by_construction": ref_identical,
     "paper": PAPER_T4["no_prime_bump"]},
    {"name": "no_prime_bump (potential offset)", "full": [r.final_ppl for r in runs["pb_potential"]],
     "ablated": [r.final_ppl for r in runs["random_potential"]], "by_construction": False,
     "paper": PAPER_T4["no_prime_bump"]},
    {"name": "no_scattering", "full": full_ppl, "ablated": [r.final_ppl for r in runs["no_scattering"]],
     "by_construction": False, "paper": PAPER_T4["no_scattering"]},
    {"name": "no_lap", "full": full_ppl, "ablated": [r.final_ppl for r in runs["no_lap"]],
     "by_construction": False, "paper": PAPER_T4["no_lap"]},
]
abl = pd.DataFrame(bk_verdicts.t4_rows(abl_inputs))   # each row's outcome as the rule classifies it
print(abl.round(3).to_string(index=False))
_ = ch.save_table(abl, "bk_table4_ablation")

# %% [markdown]
# At smoke size (two seeds: the paired t-test has one degree of freedom, and `no_lap`'s Im z = 0.01 amplifies
# rounding differences between CPUs) the row outcomes are not stable from machine to machine, so the smoke verdict
# is printed but not compared by the tests; the published verdict comes from the cpu profile.

# %% tags=["nbval-ignore-output"]
v_abl = bk_verdicts.bk_t4_abl(abl_inputs)
_ = ch.record(v_abl, evidence="table bk_table4_ablation")
print(v_abl)

# %% [markdown]
# **What we found.** Each row of Table 4 is judged on its own: worse than the full model beyond seed noise (the
# paper's direction), better (the opposite direction), or no difference; a row that is identical by construction
# is not counted as evidence. The table above shows which ablations cost perplexity at this size; only the
# components whose removal is worse support the paper's table, and the verdict line names them.

# %% tags=["nbval-ignore-output", "headline-quote"]
quote_headline("BK-T4-ABL")


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

# %% [markdown]
# **Rule** (`paperlib.bk.verdicts.bk_eq7_router`). "Parameter-free" holds by construction of Eq. 7-8: it is
# counted and reported, but earns no credit (a router with parameters would fail the claim outright). Speed is a
# direction the paper states in general, so it is decided on any device, from the routing step's median and IQR:
# faster when median + IQR of the scattering router is below median - IQR of the MLP gate, slower in the reverse
# case, undecided when the ranges overlap. PPL (paired seeds): equal or better when lower or within seed noise.
# **reproduced**: faster and equal-or-better; **partially-reproduced**: one of the two (or speed undecided with
# equal-or-better PPL); **not-reproduced**: neither.

# %%
# parameters the router adds: the full model against the same model with no router (every token to every expert)
router_params = count_params(build_model(SPECS["full"])) - count_params(build_model({**SPECS["full"], "router": "none"}))
gate_params = count_params(build_model(SPECS["no_scattering"])) - count_params(build_model(SPECS["full"]))
ppl_router = compare_groups([r.final_ppl for r in runs["no_scattering"]], full_ppl, paired=True)
print(f"learned parameters of the MLP gates (all layers): {gate_params}; the scattering router adds: {router_params}")

# %% tags=["nbval-ignore-output"]
print(f"PPL scattering {ppl_router['mean_b']:.3f} vs MLP {ppl_router['mean_a']:.3f}: "
      f"{100 * ppl_router['rel_change']:+.2f}% (within seed noise: {ppl_router['within_noise']})")
util = {name: np.mean([r.aux_means["router_util"] for r in runs[name]], axis=0) for name in ["full", "no_scattering"]}
for name, u in util.items():
    print(name, "utilisation per layer:", np.round(u, 2).tolist())

# %% tags=["nbval-ignore-output"]
rt = router_timings(D_MODEL, N_EXPERTS, BATCH, SEQ_LEN, repeats=max(4 * TIMING_REPEATS, 10), device=DEVICE)
for k, t in rt.items():
    print(f"{k:14s} {t}" if k != "mlp_gate_params" else f"{k}: {t}")
v_router = bk_verdicts.bk_eq7_router(rt["scattering"].median, rt["scattering"].iqr, rt["mlp"].median, rt["mlp"].iqr,
                                     [r.final_ppl for r in runs["full"]], [r.final_ppl for r in runs["no_scattering"]],
                                     router_params=router_params, gate_params=gate_params)
_ = ch.record(v_router, evidence="figure bk_router_utilisation; table bk_training_summary")
print(v_router)

# %% tags=["nbval-ignore-output"]
# the figure for BK-EQ7-ROUTER: how each router spreads tokens over the experts (training mean over seeds)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
for ax, name, what in zip(axes, util, ("scattering router", "MLP gate")):
    n_layers, n_exp = util[name].shape
    for layer in range(n_layers):
        ax.bar(np.arange(n_exp) + 0.8 * (layer - (n_layers - 1) / 2) / n_layers, util[name][layer],
               width=0.8 / n_layers, label=f"layer {layer}")
    ax.axhline(1 / n_exp, color="grey", lw=0.8, ls=":", label=f"uniform (1/{n_exp})")
    ax.set_xticks(range(n_exp)); ax.set_xlabel("expert index")
    ax.set_title(f"{name}: {what}")
axes[0].set_ylabel("fraction of tokens routed")
axes[1].legend(fontsize=7)
ch.verdict_subtitle(axes[0], v_router)
_ = ch.savefig(fig, "bk_router_utilisation")
plt.show()

# %% [markdown]
# **What we found.** "Parameter-free" is true of the router by construction and earns no credit. What is measured
# is speed (median and spread of the routing step against the MLP gate, side by side) and perplexity against seed
# noise; the verdict line says which of the two holds here.

# %% tags=["nbval-ignore-output", "headline-quote"]
quote_headline("BK-EQ7-ROUTER")


# %% [markdown]
# ## ACT halting (BK-EQ10-ACT)
#
# > "This achieves FLOPs reduction while maintaining perplexity (initial experiments)." (Section 3.5)
#
# Eq. 10: $p_{halt}(i) = 1$ if $|\delta(\lambda_i)| < 0.2$, $0$ if $|\delta(\lambda_i)| > 0.8$,
# $\mathrm{sigmoid}(|\delta(\lambda_i)|)$ otherwise. A token stops being updated once its accumulated halting
# mass reaches 0.99. The FLOPs fraction is the fraction of (token, layer) block updates that are applied, measured
# on the held-out stream (a count, so decided on any device). It is a *nominal* saving: the implementation masks
# halted tokens (computes, then discards), so wall-clock time is not reduced; a gather/scatter implementation
# could realise it.
#
# **Rule** (`paperlib.bk.verdicts.bk_eq10_act`): the paper states no size; this companion fixed before its first
# run that a reduction is *material* at >= 10% of block updates (mean over seeds) and *present* when every seed is
# below 1. Perplexity is maintained when the paired change is at most +2% (the paper's own "1-2%" elsewhere) or
# within seed noise. **reproduced**: material and maintained; **partially-reproduced**: present and maintained, or
# material at a perplexity cost; **not-reproduced**: otherwise.

# %% tags=["nbval-ignore-output"]
act_frac = np.array([r.final_eval["aux"]["act_flops_fraction"] for r in runs["act"]])
v_act = bk_verdicts.bk_eq10_act(act_frac, full_ppl, [r.final_ppl for r in runs["act"]])
_ = ch.record(v_act, evidence="table bk_training_summary")
print(v_act)

# %% tags=["nbval-ignore-output"]
lat = {n: float(forward_time(SPECS[n], [SEQ_LEN], batch=BATCH, repeats=TIMING_REPEATS, device=str(DEVICE))
                .seconds.median()) for n in ("full", "act")}
print(f"inference forward (fresh weights; the masked ACT computes every update): full {lat['full'] * 1e3:.3g} ms, "
      f"with ACT {lat['act'] * 1e3:.3g} ms (ratio {lat['act'] / lat['full']:.2f})")

# %% [markdown]
# **What we found.** The fraction of (token, layer) updates that ACT skips is a count, so it is decided on any
# device; it is a nominal saving (the masked implementation still computes every update). The verdict weighs it
# against the 10% materiality line fixed before the first run and against perplexity; the line above gives both.

# %% tags=["nbval-ignore-output", "headline-quote"]
quote_headline("BK-EQ10-ACT")


# %% [markdown]
# ## ResNet-BK, the optimized model and a Transformer of the same width and depth
#
# Perplexity (above), training throughput and training memory at this notebook's size. On CPU, training memory is
# the parameter memory plus what a training step adds to the peak resident set of a fresh process beyond the same
# model merely built (`paperlib.bk.bench.train_step_memory` through `paperlib.common.measure.peak_rss_subprocess`,
# one process each, so import overheads cancel); on CUDA, the allocator's peak. At these tiny sizes the RSS numbers
# are dominated by allocator granularity: they are shown, and decide nothing (the paper's memory claims are
# notebook 14's, at the paper's configuration).

# %% tags=["nbval-ignore-output"]
mem_rows = []
if MEMORY_PROBE:
    for name in ["full", "optimized", "transformer"]:
        kw = dict(name=SPECS[name], batch=BATCH, seq_len=SEQ_LEN, device=str(DEVICE))
        if DEVICE.type == "cuda":
            m = train_step_memory(**kw, stage="train")
            mem = m["cuda_peak_mb"]
        else:
            built, trained = (peak_rss_subprocess("paperlib.bk.bench:train_step_memory", {**kw, "stage": st})
                              for st in ("params", "train"))
            m = trained["result"]
            # parameters + what a training step adds above the built model (imports cancel out)
            mem = m["param_mb"] + trained["peak_rss_mb"] - built["peak_rss_mb"]
        mem_rows.append({"variant": name, "params": m["n_params"], "param_mb": m["param_mb"], "train_peak_mb": mem})
mem_df = pd.DataFrame(mem_rows)
tp = summary.set_index("variant")[["params", "ppl_mean", "ppl_std", "tokens_per_s"]].loc[["full", "optimized", "transformer"]]
print(tp.round(3).to_string())
if len(mem_df):
    print(mem_df.round(2).to_string(index=False))
    _ = ch.save_table(mem_df, "bk_training_memory")

# %% [markdown]
# ## Section 6.4 trade-offs (BK-S64-TRADEOFF)
#
# > "Inference latency: 1.5-2x increase due to gradient checkpointing overhead; Training throughput: 2-3x
# > decrease due to activation recomputation; Perplexity: 1-2% increase on validation set; Convergence: 10-15%
# > additional training steps required to reach equivalent loss."
#
# The comparison is the optimized model against the Transformer baseline (Section 6.1). Latency and
# throughput are measured for the optimized model with and without gradient checkpointing (the cause the paper
# names), median and IQR over `TIMING_REPEATS` timed calls. Steps-to-loss uses a target both reach: the larger of
# the two models' final smoothed losses.
#
# **Rule** (`paperlib.bk.verdicts.bk_s64_tradeoff`): a part holds when its measured value ± spread (seed sd for PPL
# and steps, IQR-propagated for timing ratios) meets the stated range. Latency and throughput are GPU wall-clock
# statements, so off CUDA they stay **pending** with the CPU ratios reported beside them. Off CUDA: **pending** when
# PPL and steps both hold, **partially-reproduced** when one does, **not-reproduced** when neither. On CUDA:
# **reproduced** (4/4), **partially-reproduced** (1-3), **not-reproduced** (0).

# %% tags=["nbval-ignore-output"]
# one measurement, shared with the GPU run (paperlib.bk.tradeoff); it reuses the runs trained above
m_s64 = s64_tradeoff_claims(ch.params, device=DEVICE, runs=runs, specs=SPECS)
trade = m_s64.tables["bk_s64_tradeoffs"]
print(trade.round(3).to_string(index=False))
_ = ch.save_tables(m_s64)
_ = ch.record_all(m_s64)
v_s64 = m_s64.verdict("BK-S64-TRADEOFF")
print(v_s64)

# %% [markdown]
# **What we found.** Of the four Section 6.4 trade-offs, two (latency, training throughput) are GPU wall-clock
# statements and stay pending on a CPU, with this run's ratios shown beside them; perplexity and the extra steps
# to equal loss are decided from paired seeds, and a part whose spread exceeds half its size decides nothing.

# %% tags=["nbval-ignore-output", "headline-quote"]
quote_headline("BK-S64-TRADEOFF")


# %% [markdown]
# ## The abstract's headline (BK-ABS)
#
# > "97.9% parameter reduction and 84.8% peak memory reduction during training, with 1-2% perplexity increase."
#
# Each part is decided from the measurement that states it:
# - **parameters**: the exact count at the paper's Table 10 configuration (vocab 10k, d 512, 6 layers;
#   `paperlib.bk.configs.table10_rows`, notebook 14's BK-T10-PARAMS row by row), a count, decided here on any device;
# - **peak training memory**: Table 11's GPU allocator peak at the paper's configuration (notebook 14's
#   BK-T11-VRAM). Off CUDA it stays **pending**: the CPU resident-set growth of the toy models above is dominated
#   by the allocator and decides nothing. On CUDA it is BK-T11-VRAM's measurement (`paperlib.bk.memory_claims.
#   abstract_memory_reduction`: the paper's pairing, baseline FP32 vs optimized mixed precision with gradient
#   checkpointing, seq 512, batch 2, `T11_REPEATS` fresh processes per model, median reduction);
# - **perplexity**: the optimized model vs the Transformer at equal budget in this notebook (paired seeds), at
#   most +2% or within seed noise.
#
# **Rule** (`paperlib.bk.verdicts.bk_abs`): **reproduced** when all three hold; **pending** when the decided parts
# hold and memory is pending; **partially-reproduced** when some decided part holds and another fails;
# **not-reproduced** when every decided part fails.

# %%
t10_total = [r for r in table10_rows(build=False) if r["component"] == "total"][0]
param_red = t10_total["reduction_pct"] / 100
print(f"Table 10 configuration: {t10_total['baseline']:,} -> {t10_total['optimized']:,} parameters, "
      f"reduction {100 * param_red:.2f}% (paper {t10_total['paper_reduction_pct']}%)")
print(f"at this notebook's size: {count_params(models['transformer']):,} -> {count_params(models['optimized']):,} "
      f"parameters ({100 * (1 - count_params(models['optimized']) / count_params(models['transformer'])):.1f}%)")

# %% tags=["nbval-ignore-output"]
# BK-T11-VRAM's measurement (notebook 14) at Table 11's configuration; None off CUDA
mem_red = abstract_memory_reduction(ch.params, device=DEVICE)
if mem_red is not None:
    print(f"CUDA training peak reduction at Table 11's configuration (median of {T11_REPEATS}): {100 * mem_red:.1f}%")
v_abs = bk_verdicts.bk_abs(param_red, [r.final_ppl for r in runs["transformer"]],
                           [r.final_ppl for r in runs["optimized"]], memory_reduction=mem_red,
                           ppl_setting=f"d={D_MODEL}, {N_LAYERS} layers, vocab {V}, {STEPS} steps, {len(SEEDS)} seeds")
_ = ch.record(v_abs, evidence="table bk_training_summary; notebook 14 (BK-T10-PARAMS, BK-T11-VRAM)")
print(v_abs)

# %% [markdown]
# **What we found.** The abstract bundles three statements, and each is decided where it is measured: the
# parameter reduction from the exact count at Table 10's configuration (notebook 14), the memory reduction from
# a GPU allocator (pending on a CPU: notebook 14's BK-T11-VRAM), and perplexity "comparable to" the baseline from
# the paired seeds trained here. The verdict is partial whenever one part holds and another fails or waits.

# %% tags=["nbval-ignore-output", "headline-quote"]
quote_headline("BK-ABS")


# %% [markdown]
# ## Untrained perplexity (BK-T8-PPL, Table 8)
#
# Table 8 compares **untrained** models: PPL 50738.89 (baseline ResNet-BK) vs 50505.61 (Phase 1: HTT rank 16 +
# AR-SSM), "-0.46% (improvement)", vocabulary 50257. What should an untrained model's perplexity be? If the
# logits are roughly i.i.d. $\mathcal N(0, s^2)$ and independent of the target,
# $\mathbb E[\mathrm{CE}] = \mathbb E[\log\sum_j e^{l_j}] - \mathbb E[l_y] \approx \log V + s^2/2$, so
# $\mathrm{PPL} \approx V e^{s^2/2}$ (`expected_untrained_ppl`). The paper's numbers imply
# $s = \sqrt{2\ln(\mathrm{PPL}/V)}$: initialisation noise in the logits decides the PPL, and any comparison must be
# judged against the spread over initialisation seeds.
#
# **Rule** (`paperlib.bk.verdicts.bk_t8_ppl`, Welch comparison over initialisation seeds): **reproduced** when
# Phase 1's untrained PPL is lower beyond seed noise; **refuted** when higher beyond seed noise;
# **not-reproduced** when the difference is not distinguishable from initialisation noise.

# %%
T8_PAPER = bk_paper.TABLE8_PPL            # Table 8 (untrained)
T8_PAPER_VOCAB = bk_configs.GPT2_VOCAB     # our reading: the GPT-2 tokenizer (the paper prints no vocabulary)
for ppl_paper in T8_PAPER.values():
    print(f"paper PPL {ppl_paper}: implied logit std s = {math.sqrt(2 * math.log(ppl_paper / T8_PAPER_VOCAB)):.4f}")
t8_data = data if T8_VOCAB == VOCAB else prepare_lm_data(CORPUS, TOKENIZER, T8_VOCAB, max_train_chars=MAX_TRAIN_CHARS or None,
                                                        max_eval_chars=MAX_EVAL_CHARS or None)
V8 = t8_data.vocab_size
t8_specs = {"baseline": dict(kind="bk", vocab_size=V8, d_model=T8_D_MODEL, n_layers=T8_LAYERS, seq_len=T8_SEQ_LEN),
            "phase1": dict(kind="bk", vocab_size=V8, d_model=T8_D_MODEL, n_layers=T8_LAYERS, seq_len=T8_SEQ_LEN,
                           embedding="htt", htt_rank=16, mixer="bk+arssm")}
t8_rows = []
for name, spec in t8_specs.items():
    for seed in T8_SEEDS:
        paperlib.seed_everything(seed)
        m = build_model(spec).to(DEVICE)
        ev = evaluate_perplexity(m, t8_data.eval, T8_SEQ_LEN, T8_BATCH, T8_CHUNKS)
        x_probe = eval_windows(t8_data.eval, T8_SEQ_LEN, T8_CHUNKS)[0][:T8_BATCH].to(DEVICE)
        s = logit_stats(m, x_probe)["logit_std"]
        t8_rows.append({"model": name, "seed": seed, "ppl": ev["ppl"], "logit_std": s,
                        "expected_ppl": expected_untrained_ppl(V8, s)})
t8 = pd.DataFrame(t8_rows)
print(f"vocabulary V = {V8}; seeds {T8_SEEDS} per model")

# %% tags=["nbval-ignore-output"]
# float32 forward passes: the last printed digits depend on the CPU's code paths
print(t8.round(2).to_string(index=False))
_ = ch.save_table(t8, "bk_table8_untrained")

# %% tags=["nbval-ignore-output"]
c8 = compare_groups(t8[t8.model == "baseline"].ppl.values, t8[t8.model == "phase1"].ppl.values)
print(f"baseline {c8['mean_a']:.1f} ± {c8['std_a']:.1f}, phase1 {c8['mean_b']:.1f} ± {c8['std_b']:.1f}; "
      f"PPL / V: baseline {c8['mean_a'] / V8:.3f}, phase1 {c8['mean_b'] / V8:.3f} (paper: "
      f"{T8_PAPER['baseline'] / T8_PAPER_VOCAB:.3f}, {T8_PAPER['phase1'] / T8_PAPER_VOCAB:.3f})")

# %% tags=["nbval-ignore-output"]
v_t8 = bk_verdicts.bk_t8_ppl(t8[t8.model == "baseline"].ppl.values, t8[t8.model == "phase1"].ppl.values, vocab_size=V8)
_ = ch.record(v_t8, evidence="figure bk_table8_untrained; table bk_table8_untrained")
print(v_t8)

# %% tags=["nbval-ignore-output"]
# the figure for BK-T8-PPL: untrained PPL / V per initialisation seed, beside Table 8's two values (PPL / 50257)
fig, ax = plt.subplots(figsize=(6.4, 3.8))
for i, name in enumerate(t8_specs):
    vals = t8[t8.model == name].ppl.values / V8
    ax.plot(i + np.linspace(-0.08, 0.08, vals.size), vals, "o", label=f"{name}, each seed")
    mark_paper(ax, x=i + 0.25, y=T8_PAPER[name] / T8_PAPER_VOCAB,
               label=f"paper: Table 8 PPL / {T8_PAPER_VOCAB} ({T8_PAPER['baseline']} vs {T8_PAPER['phase1']})")
ax.axhline(1.0, color="grey", lw=0.8, ls=":", label="uniform prediction (PPL = V)")
ax.set_xticks(range(len(t8_specs)), list(t8_specs)); ax.set_xlim(-0.5, len(t8_specs) - 0.5)
ax.set(xlabel="model (untrained)", ylabel="untrained PPL / vocabulary size V")
handles = dict(zip(*ax.get_legend_handles_labels()[::-1]))
fig.legend(handles.values(), handles.keys(), fontsize=7, loc="outside lower center", ncol=2)
ch.verdict_subtitle(ax, v_t8, title="Table 8: untrained perplexity over seeds")
_ = ch.savefig(fig, "bk_table8_untrained")
plt.show()

# %% [markdown]
# **What we found.** An untrained model's perplexity is set by how far its logits are from uniform: with logit
# spread $\sigma$ it is about $V e^{\sigma^2/2}$ (`expected_ppl` in the table), so Table 8's values, close to $V$,
# say that both models start near uniform; a difference between them at initialisation reflects the scale of
# their output layers, not what they will learn.

# %% tags=["nbval-ignore-output", "headline-quote"]
quote_headline("BK-T8-PPL")


# %% [markdown]
# ## What a trained model writes
#
# A sample from the `full` ResNet-BK and from the Transformer (seed 0 models, temperature 0.8, top-k 20). At these
# budgets neither writes fluent text; the sample shows what the perplexities above mean.

# %% tags=["nbval-ignore-output"]
prompt = data.tokenizer.decode(data.eval[:8].tolist())
for name in ["full", "transformer"]:
    print(f"--- {name} (prompt: {prompt!r})")
    print(sample_text(models[name], data.tokenizer, prompt, max_new_tokens=GEN_TOKENS, seed=0))

# %% [markdown]
# ## Summary
#
# (Some measured values are timings, so this cell's printed output is not compared by nbval.)

# %% tags=["nbval-ignore-output"]
print(ch.summary().to_string(index=False))


# %% [markdown]
# ### This run beside the headline
#
# Every verdict above is this run's. A claim's headline verdict is the one the committed claims ledger
# (`figures/claims.json`, `figures/CLAIMS.md`) takes from the most faithful published run; at smoke sizes a
# verdict may legitimately differ from it. This table quotes the committed ledger, so it changes whenever the
# results are republished.

# %% tags=["nbval-ignore-output", "headline-quote"]
ch.beside_headline()

# %% tags=["nbval-ignore-output"]
print(ch.footer())
