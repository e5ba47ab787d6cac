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
# # 03 — SCN vs a GPT Transformer: Table 1, infinite context, generalization
#
# Section 6 of the SCN paper reports G = T_GPT / T_SCN (Eq. 6): **base training 10702× faster, fine-tuning
# 243× faster** than "a GPT model with Transformer" (Table 1, Figure 1). No task, model size, hardware or
# quality criterion is given, so the ratio cannot be checked as printed. Here it is made concrete:
#
# * **task**: chatterbot-corpus (prompt, answer) pairs (consecutive turns), short pairs only
#   (len(prompt)+len(answer) ≤ `MAX_CHARS`), English and/or Portuguese; a fine-tune set of new prompts;
# * **T_SCN**: build the SCN from the pairs (`paperlib.scn.model.SCN.fit`): embed with the frozen all-MiniLM-L6-v2 and
#   store (mode *embedding*), + the HurNet closed-form fit (mode *hurnet*), or store only (mode *lexical*, Eq. 1);
#   the pre-trained encoder is loaded before timing;
# * **T_GPT**: a small decoder-only Transformer (`paperlib.scn.gpt_baseline`), char-level, trained from scratch by
#   backpropagation until greedy exact-match ≥ `TARGET_EM` on the training prompts or until the stated time
#   budget ends (then T_GPT is a *lower bound*, and so is G). Fine-tuning: train on the new pairs with replay
#   of the old ones until new and old prompts are at the criterion, or the budget ends;
# * **quality beside time**: both systems' exact-match on training prompts and on held-out prompts
#   (perturbations and the hand-written paraphrase set).
#
# Then Eq. 4–5 ("infinite context"): latency and memory of the SCN's argmax over all stored embeddings as the
# store grows (synthetic labelled 384-d embeddings).

# %% tags=["parameters"]
PROFILE = "smoke"
SEED = 0
LANGS = ["portuguese"]
N_BASE = 24
N_FT = 4
MAX_CHARS = 48
TARGET_EM = 0.9
BASE_BUDGET_S = 4.0
FT_BUDGET_S = 2.0
EVAL_EVERY = 20
N_HELDOUT = 4
SCN_REPEATS = 1
D_MODEL = 64
N_LAYERS = 2
STORE_SIZES = [1000, 10000, 30000]
CHUNK_SIZE = 4096
LATENCY_REPEATS = 3
USE_SUBPROCESS_RSS = False

# %%
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import paperlib
from paperlib.scn.embed import MiniLMEmbedder
from paperlib.common.figures import save_table, savefig, use_house_style
from paperlib.scn.gpt_baseline import table1_experiment
from paperlib.companion.ledger import Recorder
from paperlib.common.measure import fingerprint, peak_rss_subprocess
from paperlib.scn.model import SCN, synthetic_store_benchmark

use_house_style()
paperlib.seed_everything(SEED)
rec = Recorder(notebook="03_scn_vs_gpt", profile=PROFILE)
pd.set_option("display.width", 160)
PAPER_G = {"base": 10702.0, "fine-tune": 243.0}

# %% tags=["nbval-ignore-output"]
print(fingerprint()["device"], "| torch", fingerprint()["torch"])
minilm = MiniLMEmbedder(device="cpu")

# %% [markdown]
# ## Table 1 made concrete: time and quality side by side

# %% tags=["nbval-ignore-output"]
runs = {}
for lang in LANGS:
    r = table1_experiment(lang, minilm, n_base=N_BASE, n_ft=N_FT, max_chars=MAX_CHARS,
                          gpt_cfg={"d_model": D_MODEL, "n_layers": N_LAYERS}, target_em=TARGET_EM,
                          base_budget_s=BASE_BUDGET_S, ft_budget_s=FT_BUDGET_S, eval_every=EVAL_EVERY,
                          n_heldout=N_HELDOUT, scn_repeats=SCN_REPEATS, seed=SEED)
    runs[lang] = r
    print(f"== {lang}: {r['n_base']} base pairs, {r['n_ft']} fine-tune pairs; GPT {r['gpt_params']} parameters")
    print("GPT criterion:", r["criterion"])
    print(f"GPT base: reached={r['gpt_base'].reached} after {r['gpt_base'].steps} steps "
          f"(final EM {r['gpt_base'].final_em:.2f}); fine-tune: reached={r['gpt_ft'].reached} after "
          f"{r['gpt_ft'].steps} steps (EM old+new {r['gpt_ft'].final_em:.2f})")
    t = r["times"].copy()
    t.insert(0, "paper G base", PAPER_G["base"])
    t.insert(1, "paper G fine-tune", PAPER_G["fine-tune"])
    save_table(t.reset_index(), f"scn_table1_times_{lang}", profile=PROFILE)
    save_table(r["quality"].reset_index().round(3), f"scn_table1_quality_{lang}", profile=PROFILE)
    print(t.to_string(float_format=lambda x: f"{x:.3g}"))
    print(r["quality"].round(2).T.to_string())

# %% [markdown]
# ## Figure 1 regenerated: paper ratios beside the measured ones

# %% tags=["nbval-ignore-output"]
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for ax, kind, col in zip(axes, ["base", "fine-tune"], ["G base", "G fine-tune"]):
    labels, vals, colors = ["paper"], [PAPER_G[kind]], ["0.5"]
    for lang, r in runs.items():
        for sysname in ["SCN-lexical", "SCN-embedding", "SCN-hurnet"]:
            labels.append(f"{sysname[4:]}\n{lang[:2]}")
            vals.append(float(r["times"].loc[sysname, col]))
            colors.append("C0" if r["gpt_base" if kind == "base" else "gpt_ft"].reached else "C1")
    ax.bar(range(len(vals)), vals, color=colors)
    ax.set_xticks(range(len(vals)), labels, fontsize=7)
    ax.set_yscale("log")
    ax.axhline(1.0, color="k", lw=0.8)
    ax.set_title(f"G = T_GPT / T_SCN, {kind} (orange: GPT hit the budget, G is a lower bound)", fontsize=8)
fig.tight_layout()
savefig(fig, "scn_fig1_speed_gain", profile=PROFILE)

# %% [markdown]
# ## Speed ratio vs quality
#
# A ratio only means something with the quality each system reaches. Below: G (log) against held-out accuracy,
# and the training/held-out exact-match of each system.

# %% tags=["nbval-ignore-output"]
fig, ax = plt.subplots(figsize=(6, 4))
for lang, r in runs.items():
    q, t = r["quality"], r["times"]
    for sysname in q.index:
        ax.scatter(t.loc[sysname, "G base"], q.loc[sysname, "held-out all held-out"], label=f"{sysname} ({lang[:2]})")
ax.set_xscale("log")
ax.set_xlabel("G base = T_GPT / T_system")
ax.set_ylabel("held-out exact-match accuracy")
ax.axvline(PAPER_G["base"], ls="--", color="0.5")
ax.legend(fontsize=7)
savefig(fig, "scn_speed_vs_quality", profile=PROFILE)

# %% [markdown]
# ## Verdicts on Table 1 and on "generalization"
#
# Stated rule, fixed before running: the primary SCN is mode *embedding* (the paper's Eq. 2 system).
# A ratio is **reproduced** if the measured G is at least the paper's value; **partially-reproduced** if SCN
# is faster (G > 1) but by less than the paper says (if the GPT hit its budget, G is a lower bound, and that is
# said); **not-reproduced** if G ≤ 1. "Generalization" (SCN-GEN) is **reproduced** if SCN-embedding's held-out
# exact-match ≥ the GPT's in every language, else **not-reproduced**; interpretability is shown by the
# matched stored prompt and score every SCN answer carries.

# %% tags=["nbval-ignore-output"]
def g_verdict(kind):
    col = "G base" if kind == "base" else "G fine-tune"
    gs = {lang: float(r["times"].loc["SCN-embedding", col]) for lang, r in runs.items()}
    lower = any(not r["gpt_base" if kind == "base" else "gpt_ft"].reached for r in runs.values())
    g = min(gs.values())
    v = "reproduced" if g >= PAPER_G[kind] else "partially-reproduced" if g > 1 else "not-reproduced"
    reason = (f"SCN-embedding G {'>=' if g >= PAPER_G[kind] else '<'} paper {PAPER_G[kind]:g}x"
              + ("; GPT hit its budget so G is a lower bound" if lower else "; GPT reached the criterion")
              + f"; task: chatterbot pairs <= {MAX_CHARS} chars, GPT d={D_MODEL} L={N_LAYERS}, CPU")
    return gs, v, reason


for cid, kind in [("SCN-T1-BASE", "base"), ("SCN-T1-FT", "fine-tune")]:
    gs, v, reason = g_verdict(kind)
    rec.record(cid, measured_value="; ".join(f"{k}: {x:.3g}x" for k, x in gs.items()), unit="x", verdict=v,
               reason=reason, evidence=f"figure scn_fig1_speed_gain; tables scn_table1_times_*")
    print(cid, v, {k: round(x, 1) for k, x in gs.items()})

gen = {lang: (float(r["quality"].loc["SCN-embedding", "held-out all held-out"]),
              float(r["quality"].loc["GPT", "held-out all held-out"])) for lang, r in runs.items()}
v = "reproduced" if all(s >= g for s, g in gen.values()) else "not-reproduced"
rec.record("SCN-GEN", measured_value="; ".join(f"{k}: SCN {s:.2f} vs GPT {g:.2f}" for k, (s, g) in gen.items()),
           unit="held-out exact-match", verdict=v,
           reason="SCN-embedding vs char GPT (" + ("reached" if all(r["gpt_base"].reached for r in runs.values())
                                                   else "did NOT reach") + " its training criterion) on perturbed + "
                  "paraphrased prompts; SCN answers carry the matched stored prompt and score (interpretable)", evidence="tables scn_table1_quality_*")
print("SCN-GEN", v, gen)
m = SCN(mode="embedding", embedder=minilm).fit([("Como vai você?", "Bem, obrigado."), ("Quem é você?", "Um robô.")])
print("an SCN answer explains itself:", m.predict("como vai voce"))

# %% [markdown]
# ## Eq. 4–5, "infinite context": latency and memory vs stored pairs
#
# $$C=\{x_t\}_{t=0}^{\infty},\qquad \hat y=\arg\max_{y_i\in C}\ \text{sim}(x,y_i)$$
#
# The store holds n random unit 384-d vectors labelled by their index (synthetic: no text); queries are noisy
# copies of stored rows, so the right answer is known. The store is chunked (`CHUNK_SIZE` rows per chunk) and a
# query scans all chunks with a running max, so per-query working memory is bounded; the store itself is not.
# Memory: store bytes, and (when `USE_SUBPROCESS_RSS`) the peak resident memory of a fresh process per size.

# %% tags=["nbval-ignore-output"]
rows = []
for n in STORE_SIZES:
    kw = dict(n=n, dim=384, n_queries=64, batch_sizes=[1, 64], repeats=LATENCY_REPEATS, chunk_size=CHUNK_SIZE,
              seed=SEED)
    if USE_SUBPROCESS_RSS:
        out = peak_rss_subprocess("paperlib.scn.model:synthetic_store_benchmark", kw)
        res = out["result"]
        res["peak_rss_mb"] = out["peak_rss_mb"]
        res["baseline_rss_mb"] = out["baseline_rss_mb"]
    else:
        res = synthetic_store_benchmark(**kw)
        res["peak_rss_mb"] = res["baseline_rss_mb"] = float("nan")
    rows.append(res)
scale = pd.DataFrame(rows)
save_table(scale.round(6), "scn_infctx_scaling", profile=PROFILE)
print(scale[["n", "accuracy", "store_mb", "peak_rss_mb", "build_s", "batch1_s", "batch64_per_query_s"]]
      .to_string(index=False, float_format=lambda x: f"{x:.3g}"))

# %% tags=["nbval-ignore-output"]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
axes[0].loglog(scale.n, scale.batch1_s * 1e3, "o-", label="batch 1 (per query)")
axes[0].loglog(scale.n, scale.batch64_per_query_s * 1e3, "s-", label="batch 64 (per query)")
axes[0].set_xlabel("stored pairs n")
axes[0].set_ylabel("latency per query [ms]")
axes[0].legend()
axes[1].loglog(scale.n, scale.store_mb, "o-", label="store (embeddings)")
if scale.peak_rss_mb.notna().all():
    axes[1].loglog(scale.n, scale.peak_rss_mb - scale.baseline_rss_mb, "s-", label="peak RSS above imports")
axes[1].set_xlabel("stored pairs n")
axes[1].set_ylabel("MB")
axes[1].legend()
fig.tight_layout()
savefig(fig, "scn_infctx_latency_memory", profile=PROFILE)

slope_lat = float(np.polyfit(np.log(scale.n), np.log(scale.batch1_s), 1)[0])
slope_mem = float(np.polyfit(np.log(scale.n), np.log(scale.store_mb), 1)[0])
exact = bool((scale.accuracy == 1.0).all())
nmax = int(scale.n.max())
print(f"exact retrieval at every size: {exact}; log-log slopes: latency {slope_lat:.2f}, store memory {slope_mem:.2f}")
v = "partially-reproduced" if exact else "not-reproduced"
rec.record("SCN-EQ5-INFCTX", measured_value=f"exact up to n={nmax}; latency ~ n^{slope_lat:.2f}, memory ~ n^{slope_mem:.2f}; "
           f"{float(scale.batch1_s.iloc[-1]) * 1e3:.3g} ms/query at n={nmax}", unit="", verdict=v,
           reason="argmax over every stored embedding works (chunked, bounded per-query memory), but latency and "
                  "store memory grow linearly in n: the context is unbounded, not free",
           evidence="figure scn_infctx_latency_memory; table scn_infctx_scaling")
print(v)

# %% [markdown]
# ### Try it: Grow the store and change its chunk size
#
# In the parameters cell set `STORE_SIZES = [2000, 8000, 32000]` and try `CHUNK_SIZE = 4096`, then `65536`;
# rerun the Eq. 4–5 cells. Watch `accuracy`, `store_mb`, `batch1_s` and `batch64_per_query_s`: how does latency
# grow with the store, and what does the chunk size change, and not change?
#
# Solution: `notebooks/exercises/03_scn_vs_gpt__store_chunks.py`

# %% tags=["nbval-ignore-output"]
print(rec.summary().to_string(index=False))
