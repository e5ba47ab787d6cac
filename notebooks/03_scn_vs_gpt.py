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
# * **T_SCN**: build the SCN from the pairs (`paperlib.scn.SCN.fit`): embed with the frozen all-MiniLM-L6-v2 and
#   store (mode *embedding*), + the HurNet closed-form fit (mode *hurnet*), or store only (mode *lexical*, Eq. 1);
#   the pre-trained encoder is loaded before timing;
# * **T_GPT**: a small decoder-only Transformer (`paperlib.scn.gpt_baseline`), char-level, trained from scratch by
#   backpropagation (the one loop, `paperlib.common.lm.train_loop`) until greedy exact-match ≥ `TARGET_EM` on
#   the training prompts or until the stated time budget ends (then T_GPT is a *lower bound*, and so is G).
#   The criterion is checked every `EVAL_EVERY` steps (check time is not counted), so T_GPT can overshoot
#   the moment the criterion was first met by at most one interval. Fine-tuning: train on the new pairs with
#   replay of the old ones until the new prompts and the old prompts are *each* at the criterion, or the
#   budget ends. `TARGET_EM` = 0.9 is fixed by the setup and is never lowered to make it reachable;
# * **quality beside time**: both systems' exact-match on training prompts and on held-out prompts
#   (perturbations and the hand-written paraphrase set), and answer token F1 on `N_UNSEEN` corpus prompts that
#   neither system saw (no built-in advantage for a lookup system).
#
# Then Eq. 4–5 ("infinite context"): latency and memory of the SCN's argmax over all stored embeddings as the
# store grows (synthetic labelled 384-d embeddings).

# %% tags=["parameters"]
NOTEBOOK = "03_scn_vs_gpt"
PROFILE = "smoke"
OUTPUT_ROOT = ""
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
N_UNSEEN = 12
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
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import LogLocator, NullFormatter

from paperlib.common.figures import PAPER_STYLE, mark_paper
from paperlib.common.measure import peak_rss_subprocess
from paperlib.common.stats import fit_power_law_above
from paperlib.companion.headline import quote_headline
from paperlib.scn import SCN, MiniLMEmbedder, synthetic_store_benchmark, table1_experiment, verdicts
from paperlib.scn.experiments import paired_gap
from paperlib.companion.chapter import open_chapter

ch = open_chapter(globals())
pd.set_option("display.width", 160)
PAPER_G = verdicts.PAPER_G

# %% tags=["nbval-ignore-output"]
minilm = MiniLMEmbedder(device="cpu")

# %% [markdown]
# ## Table 1 made concrete: time and quality side by side

# %% tags=["nbval-ignore-output"]
runs = {}
for lang in LANGS:
    r = table1_experiment(lang, minilm, n_base=N_BASE, n_ft=N_FT, max_chars=MAX_CHARS,
                          gpt_cfg={"d_model": D_MODEL, "n_layers": N_LAYERS}, target_em=TARGET_EM,
                          base_budget_s=BASE_BUDGET_S, ft_budget_s=FT_BUDGET_S, eval_every=EVAL_EVERY,
                          n_heldout=N_HELDOUT, n_unseen=N_UNSEEN, scn_repeats=SCN_REPEATS, seed=SEED)
    runs[lang] = r
    print(f"== {lang}: {r['n_base']} base pairs, {r['n_ft']} fine-tune pairs; GPT {r['gpt_params']} parameters")
    print("GPT criterion:", r["criterion"])
    print(f"GPT base: reached={r['gpt_base'].reached} after {r['gpt_base'].steps} steps "
          f"(final EM {r['gpt_base'].final_em:.2f}); fine-tune: reached={r['gpt_ft'].reached} after "
          f"{r['gpt_ft'].steps} steps (EM on the weaker of new / old {r['gpt_ft'].final_em:.2f})")
    t = r["times"].copy()
    t.insert(0, "paper G base", PAPER_G["base"])
    t.insert(1, "paper G fine-tune", PAPER_G["fine-tune"])
    ch.save_table(t.reset_index(), f"scn_table1_times_{lang}")
    ch.save_table(r["quality"].reset_index().round(3), f"scn_table1_quality_{lang}")
    print(t.to_string(float_format=lambda x: f"{x:.3g}"))
    print(r["quality"].round(2).T.to_string())

# %% [markdown]
# ## Speed ratio vs quality
#
# A ratio only means something with the quality each system reaches. Below: G (log) against held-out accuracy
# (perturbations and paraphrases of stored prompts, which a lookup system wins by design); the training and
# held-out exact-match of each system are in the quality table above. The GPT is the reference, G = 1.

# %% tags=["nbval-ignore-output"]
fig, ax = plt.subplots(figsize=(7.5, 3.8))
for lang, r in runs.items():
    q, t = r["quality"], r["times"]
    for i, sysname in enumerate(q.index):
        ax.scatter(t.loc[sysname, "G base"], q.loc[sysname, "held-out all held-out"], s=45, color=f"C{i}",
                   marker="o" if lang == "english" else "s", label=f"{sysname} ({lang[:2]})")
mark_paper(ax, x=PAPER_G["base"], label=f"{PAPER_G['base']:.0f}x base (Table 1; no quality given)")
ax.set_xscale("log")
ax.set_ylim(0, 1.05)
ax.set_xlabel("speed gain G base = T_GPT / T_system (×, log scale)")
ax.set_ylabel("held-out exact-match accuracy\n(fraction of held-out prompts)")
ax.set_title("Base training: speed gain vs held-out accuracy")
fig.legend(fontsize=7, loc="outside right upper")
_ = ch.savefig(fig, "scn_speed_vs_quality")
plt.show()

# %% [markdown]
# ## Verdicts on Table 1 and on "generalization"
#
# Rules, fixed before running (`paperlib.scn.verdicts`). The primary SCN is mode *embedding* (the paper's
# Eq. 2 system).
#
# * **SCN-T1-BASE / SCN-T1-FT** (`scn_t1_base`, `scn_t1_ft`): per language, a measured G (the GPT reached its
#   criterion) ≥ the paper's value reproduces, 1 < G < paper partially reproduces, G ≤ 1 does not. When the GPT
#   hit its budget, G is a lower bound "≥ x": it decides only if x already reaches the paper's value; a bound
#   below it decides nothing (`pending`). Languages combine to the weakest verdict.
# * **SCN-GEN** (`scn_gen`): decided on the prompts neither system saw, by the SCN-minus-GPT answer token F1 with
#   a 95% paired t-interval over prompts: the GPT ahead (interval below 0) does not reproduce; an SCN lead
#   (interval above 0) counts only against a GPT that reached its training criterion (else `pending`); an
#   interval that includes 0 shows no advantage. Perturbations of stored prompts, which a lookup system wins by
#   design, are shown beside. "Interpretable" is not measured (an SCN answer names its matched prompt and score
#   by construction), so a generalisation win gives at most partially reproduced.

# %% tags=["nbval-ignore-output"]
v_t1 = {}
for cid, kind, col, key in [("SCN-T1-BASE", "base", "G base", "gpt_base"),
                            ("SCN-T1-FT", "fine-tune", "G fine-tune", "gpt_ft")]:
    g = {lang: (float(r["times"].loc["SCN-embedding", col]), not r[key].reached) for lang, r in runs.items()}
    rule = verdicts.scn_t1_base if kind == "base" else verdicts.scn_t1_ft
    v = v_t1[kind] = rule(g)
    ch.record(v, unit="x", evidence="figure scn_fig1_speed_gain; tables scn_table1_times_*")
    print(v)
    for lang, r in runs.items():
        t = r["times"].loc["SCN-embedding"]
        s_col = "base" if kind == "base" else "fine-tune"
        print(f"   {lang}: T_SCN {t[s_col + ' s']:.3g} s (IQR {t[s_col + ' IQR s']:.2g} s over {SCN_REPEATS} repeats), "
              f"T_GPT {r[key].train_seconds:.3g} s ({'reached' if r[key].reached else 'budget hit: a lower bound'})")

unseen = {lang: paired_gap(r["unseen_f1"]["SCN-embedding"], r["unseen_f1"]["GPT"]) for lang, r in runs.items()}
perturbed = {lang: (float(r["quality"].loc["SCN-embedding", "held-out all held-out"]),
                    float(r["quality"].loc["GPT", "held-out all held-out"])) for lang, r in runs.items()}
v_gen = verdicts.scn_gen(unseen, {lang: r["gpt_base"].reached for lang, r in runs.items()}, perturbed)
ch.record(v_gen, unit="answer F1 gap", evidence="tables scn_table1_quality_*")
print(v_gen)
print("unseen prompts:", {lang: r["n_unseen"] for lang, r in runs.items()})
m = SCN(mode="embedding", embedder=minilm).fit([("Como vai você?", "Bem, obrigado."), ("Quem é você?", "Um robô.")])
print("an SCN answer names its source:", m.predict("como vai voce"))

# %% [markdown]
# ## Figure 1 regenerated: the measured ratios beside the paper's
#
# One bar per SCN mode and language, blue where the GPT reached its criterion (G measured) and orange where it hit
# its time budget (G is then a lower bound). The dashed line is the paper's G; the paper states no task, model or
# hardware for it, so the two are ratios of different runs. The dotted line is G = 1 (as fast as the GPT).

# %% tags=["nbval-ignore-output"]
fig, axes = plt.subplots(1, 2, figsize=(10, 4.0), sharey=True)
for ax, kind, col, key in zip(axes, ["base", "fine-tune"], ["G base", "G fine-tune"], ["gpt_base", "gpt_ft"]):
    labels, vals, colors = [], [], []
    for lang, r in runs.items():
        for sysname in ["SCN-lexical", "SCN-embedding", "SCN-hurnet"]:
            labels.append(f"{sysname[4:]}\n{lang[:2]}")
            vals.append(float(r["times"].loc[sysname, col]))
            colors.append("C0" if r[key].reached else "C1")
    ax.bar(range(len(vals)), vals, color=colors)
    ax.set_xticks(range(len(vals)), labels, fontsize=8)
    ax.set_yscale("log")
    ax.axhline(1.0, color="0.4", lw=1, ls=":")
    mark_paper(ax, y=PAPER_G[kind], label=f"{PAPER_G[kind]:.0f}x (Table 1)")
    ax.set_xlabel("SCN mode, language")
    ch.verdict_subtitle(ax, v_t1[kind], title=f"{kind} (the embedding mode decides)")
axes[0].set_ylabel("speed gain G = T_GPT / T_SCN\n(×, log scale)")
fig.legend(handles=[Patch(color="C0", label="GPT reached its criterion: G measured"),
                    Patch(color="C1", label="GPT hit its time budget: G is a lower bound"),
                    Line2D([], [], **PAPER_STYLE, label=f"paper: {PAPER_G['base']:.0f}x base, "
                                                      f"{PAPER_G['fine-tune']:.0f}x fine-tune (Table 1)"),
                    Line2D([], [], color="0.4", lw=1, ls=":", label="G = 1")],
           loc="outside lower center", ncols=2, fontsize=8)
_ = ch.savefig(fig, "scn_fig1_speed_gain")
plt.show()

# %% [markdown]
# **What we found.** Building an SCN is embedding and storing, with no training loop; how its time compares
# with training a Transformer to a criterion on the same pairs depends on the task, the model, the hardware and
# the criterion, none of which the paper states. When the GPT stops at its time budget instead of its
# criterion, G is only a lower bound, and a bound below the paper's 10702x / 243x cannot confirm them. On
# perturbations of stored prompts a lookup system answers with a stored answer by design; on prompts neither
# system saw, neither has the corpus answer stored or learned, and the answer F1 gap with its interval says
# whether either comes closer.

# %% tags=["nbval-ignore-output", "headline-quote"]
quote_headline("SCN-T1-BASE", "SCN-T1-FT", "SCN-GEN")


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
        out = peak_rss_subprocess("paperlib.scn.store_bench:synthetic_store_benchmark", kw)
        res = out["result"]
        res["peak_rss_mb"] = out["peak_rss_mb"]
        res["baseline_rss_mb"] = out["baseline_rss_mb"]
    else:
        res = synthetic_store_benchmark(**kw)
        res["peak_rss_mb"] = res["baseline_rss_mb"] = float("nan")
    rows.append(res)
scale = pd.DataFrame(rows)
ch.save_table(scale.round(6), "scn_infctx_scaling")
print(scale[["n", "accuracy", "store_mb", "peak_rss_mb", "build_s", "batch1_s", "batch64_per_query_s"]]
      .to_string(index=False, float_format=lambda x: f"{x:.3g}"))

# %% [markdown]
# **Rule** (`verdicts.scn_eq5_infctx`): the argmax must retrieve the source row of every query at every size
# (with small query noise this is a sanity check of the implementation, exact by construction, not evidence
# for the claim); "infinite context" would need a per-query cost that does not grow with the store (log-log
# latency slope below 0.2). The slope is fitted over the sizes of at least one chunk (`CHUNK_SIZE` rows; all
# sizes if fewer than two are that large), where the scan, not the fixed per-call overhead, sets the time.
# Memory is reported as store bytes per stored pair at the largest size: the store is allocated in whole
# chunks, so below one chunk the bytes do not grow with n, and a log-log slope over small n understates the
# linear growth.

# %% tags=["nbval-ignore-output"]
fit_lat = fit_power_law_above(scale.n, scale.batch1_s, CHUNK_SIZE)
nmax = int(scale.n.max())
last = scale.iloc[-1]
v_ctx = verdicts.scn_eq5_infctx(bool((scale.accuracy == 1.0).all()), fit_lat["exponent"],
                                float(last.store_mb) * 2**20 / nmax, nmax, float(last.batch1_s) * 1e3)
ch.record(v_ctx, evidence="figure scn_infctx_latency_memory; table scn_infctx_scaling")
print(v_ctx, f"(latency fit over n >= {fit_lat['x_from']:,.0f}, R^2 {fit_lat['r2']:.2f})")

# %% tags=["nbval-ignore-output"]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharex=True)
axes[0].loglog(scale.n, scale.batch1_s * 1e3, "o-", label=f"batch 1 (fitted slope {fit_lat['exponent']:.2f})")
axes[0].loglog(scale.n, scale.batch64_per_query_s * 1e3, "s-", label="batch 64")
axes[0].loglog(scale.n, scale.batch1_s.iloc[-1] * 1e3 * scale.n / nmax, "k:", lw=1, label="∝ n (a full scan)")
axes[0].set_xlabel("stored pairs n")
axes[0].set_ylabel("latency per query (ms)")
axes[0].legend(fontsize=8)
axes[1].loglog(scale.n, scale.store_mb, "o-", label="store (embeddings)")
if scale.peak_rss_mb.notna().all():
    axes[1].loglog(scale.n, scale.peak_rss_mb - scale.baseline_rss_mb, "s-", label="peak RSS above imports")
axes[1].loglog(scale.n, float(last.store_mb) * scale.n / nmax, "k:", lw=1, label="∝ n")
axes[1].set_xlabel("stored pairs n")
axes[1].set_ylabel("memory (MB)")
axes[1].set_title("memory")
axes[1].legend(fontsize=8)
for ax in axes:  # plain numbers at 1, 2, 5 x 10^k on the log axes (also when they span less than a decade)
    ax.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
    ax.yaxis.set_major_formatter("{x:g}")
    ax.yaxis.set_minor_formatter(NullFormatter())
fig.suptitle(ch.verdict_subtitle(axes[0], v_ctx, title="Eq. 4–5, infinite context: cost vs stored pairs"))
axes[0].set_title("latency per query")
_ = ch.savefig(fig, "scn_infctx_latency_memory")
plt.show()

# %% [markdown]
# **What we found.** The argmax over every stored embedding works at every size tried, with bounded working
# memory per query, but each query scans all n stored rows and the store keeps every row: latency and memory
# grow with n. The context is unbounded, not free.

# %% tags=["nbval-ignore-output", "headline-quote"]
quote_headline("SCN-EQ5-INFCTX")


# %% [markdown]
# ### Try it: Grow the store and change its chunk size
#
# In the parameters cell set `STORE_SIZES = [2000, 8000, 32000]` and try `CHUNK_SIZE = 4096`, then `65536`;
# rerun the Eq. 4–5 cells. Watch `accuracy`, `store_mb`, `batch1_s` and `batch64_per_query_s`: how does latency
# grow with the store, and what does the chunk size change, and not change?
#
# Solution: `notebooks/exercises/03_scn_vs_gpt__store_chunks.py`

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
