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
# Section 6 of the SCN paper reports the speed gain $G = T_{\text{GPT}} / T_{\text{SCN}}$ (Eq. 6, the ratio of the
# two training times): **base training 10702× faster, fine-tuning 243× faster** than "a GPT model with
# Transformer" (Table 1, Figure 1). No task, model size, hardware or
# quality criterion is given, so the ratio cannot be checked as printed. Here it is made concrete:
#
# * **task**: chatterbot-corpus (prompt, answer) pairs (consecutive turns), short pairs only
#   (prompt and answer together at most `MAX_CHARS` characters), English and/or Portuguese; a fine-tune set of
#   new prompts;
# * **$T_{\text{SCN}}$**: build the SCN from the pairs (`paperlib.scn.SCN.fit`): embed with the frozen all-MiniLM-L6-v2 and
#   store (mode *embedding*), + the HurNet closed-form fit (mode *hurnet*), or store only (mode *lexical*, Eq. 1);
#   the pre-trained encoder is loaded before timing;
# * **$T_{\text{GPT}}$**: a small decoder-only Transformer (`paperlib.scn.gpt_baseline`), char-level, trained from scratch by
#   backpropagation (the one loop, `paperlib.common.lm.train_loop`) until greedy exact-match (the fraction of
#   prompts whose generated answer is exactly one of their corpus answers) ≥ `TARGET_EM` on the training
#   prompts or until the stated time budget ends (then $T_{\text{GPT}}$ is a *lower bound*, and so is $G$). The
#   criterion is checked every `EVAL_EVERY` steps (check time is not counted), so $T_{\text{GPT}}$ can overshoot
#   the moment the criterion was first met by at most one interval. Fine-tuning, fairly: the new pairs must be
#   learned while the old ones are kept (the new prompts and the old prompts *each* at the criterion), and a GPT
#   practitioner would take the faster of two ways, so both are timed: fine-tuning the base model with replay of
#   the old pairs (budget `FT_BUDGET_S`), and retraining from scratch on old + new pairs (budget
#   `RETRAIN_BUDGET_S`, the base budget when unset). Both need a base model at the criterion, so they run only
#   for a seed whose base training reached it. The GPT is trained with `N_GPT_SEEDS` seeds and $T_{\text{GPT}}$ is
#   the median over seeds. `TARGET_EM` = 0.9 is fixed by the setup and is never lowered to make it reachable;
# * **quality beside time**: both systems' exact-match on training prompts and on held-out prompts
#   (perturbations and the hand-written paraphrase set), and answer token F1 (the harmonic mean of the precision
#   and recall of the answer's words against the corpus answer) on `N_UNSEEN` corpus prompts that
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
N_GPT_SEEDS = 2
RETRAIN_BUDGET_S = None
N_HELDOUT = 4
N_UNSEEN = 12
SCN_REPEATS = 1
D_MODEL = 64
N_LAYERS = 2
STORE_SIZES = [1000, 10000, 30000]
CHUNK_SIZE = 4096
LATENCY_REPEATS = 3
USE_SUBPROCESS_RSS = False

# %% tags=["hide-input"]
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
from IPython.display import display

ch = open_chapter(globals())
PAPER_G = verdicts.PAPER_G

# %% tags=["nbval-ignore-output", "remove-cell"]
minilm = MiniLMEmbedder(device="cpu")

# %% [markdown]
# ## Table 1 made concrete: time and quality side by side

# %% tags=["nbval-ignore-output"]
runs = {}
for lang in LANGS:
    r = table1_experiment(lang, minilm, n_base=N_BASE, n_ft=N_FT, max_chars=MAX_CHARS,
                          gpt_cfg={"d_model": D_MODEL, "n_layers": N_LAYERS}, target_em=TARGET_EM,
                          base_budget_s=BASE_BUDGET_S, ft_budget_s=FT_BUDGET_S, eval_every=EVAL_EVERY,
                          n_heldout=N_HELDOUT, n_unseen=N_UNSEEN, scn_repeats=SCN_REPEATS, seed=SEED,
                          n_seeds=N_GPT_SEEDS, retrain_budget_s=RETRAIN_BUDGET_S)
    runs[lang] = r
    t = r["times"].copy()
    t.insert(0, "paper G base", PAPER_G["base"])
    t.insert(1, "paper G fine-tune", PAPER_G["fine-tune"])
    ch.save_table(t.reset_index(), f"scn_table1_times_{lang}")
    ch.save_table(r["quality"].reset_index().round(3), f"scn_table1_quality_{lang}")
    gr = r["gpt_runs"]
    ch.save_table(gr.drop(columns=["criterion"]), f"scn_table1_gpt_seeds_{lang}")
    display(ch.finding(
        f"**{lang.capitalize()}**: {r['n_base']} base pairs and {r['n_ft']} fine-tune pairs; the GPT has "
        f"{r['gpt_params']:,} parameters and its criterion is {r['criterion']}. Base training reached it in "
        f"{int(gr.base_reached.sum())} of {len(gr)} seeds; of the seeds with a base model at the criterion, "
        f"{int(gr.ft_reached.sum())} learned the new pairs to it (fastest way per seed: "
        f"{', '.join(gr.ft_arm)})."))
    display(ch.show(t, index=True, floatfmt="{:.3g}", caption=f"{lang}: training times (s) and speed gains G"))
    display(ch.show(gr[["seed", "base_s", "base_reached", "retrain_s", "retrain_reached", "finetune_s",
                        "finetune_reached", "ft_arm"]], floatfmt="{:.3g}",
                    caption=f"{lang}: the GPT per seed: base training, retraining from scratch and fine-tuning (s)"))
    display(ch.show(r["quality"].T.rename_axis("measure"), index=True, floatfmt="{:.2f}",
                    caption=f"{lang}: quality of each system (exact-match rates; answer token F1 on unseen prompts)"))

# %% [markdown]
# ## Speed ratio vs quality
#
# A ratio only means something with the quality each system reaches. Below: $G$ (log) against held-out accuracy
# (perturbations and paraphrases of stored prompts, which a lookup system wins by design); the training and
# held-out exact-match of each system are in the quality table above. The GPT is the reference, $G = 1$.

# %% tags=["nbval-ignore-output", "hide-input"]
fig, ax = plt.subplots(figsize=(7.5, 3.8))
for lang, r in runs.items():
    q, t = r["quality"], r["times"]
    for i, sysname in enumerate(q.index):
        ax.scatter(t.loc[sysname, "G base"], q.loc[sysname, "held-out all held-out"], s=45, color=f"C{i}",
                   marker="o" if lang == "english" else "s", label=f"{sysname} ({lang[:2]})")
mark_paper(ax, x=PAPER_G["base"], label=f"{PAPER_G['base']:.0f}x base (Table 1; no quality given)")
ax.set_xscale("log")
ax.set_ylim(0, 1.05)
ax.set_xlabel(r"speed gain $G_{\rm base} = T_{\rm GPT} / T_{\rm system}$ (×, log scale)")
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
#   criterion in every seed; for fine-tuning, by the faster of fine-tuning and retraining) $G \ge$ the paper's
#   value reproduces, $1 < G <$ paper partially reproduces, $G \le 1$ does not; languages combine to the weakest
#   verdict. When the GPT hit its time budget, $G$ is only a lower bound "$\ge x$" whose size our budget sets, so
#   that language is excluded (the reason names it); so is a language where fewer than two seeds reached the base
#   criterion the fine-tune protocol needs. At least one measured language must remain, else not testable.
#   The scale: a GPT of the size below on about a hundred short pairs, on a CPU; it shows how the two ways of
#   building a model compare at this scale, not the paper's unstated model, data or hardware.
# * **SCN-GEN** (`scn_gen`): the paper says SCN has "advantages over traditional LLMs" and "provides new
#   directions for generalization and model interpretability" (Section 12; Section 1: "a focus on speed,
#   generalization"). "New directions" has no measure; the sentence's measurable content is an advantage over a
#   Transformer on prompts neither system saw, decided by the SCN-minus-GPT answer token F1 with a 95% paired
#   t-interval over prompts (a confidence interval for the mean per-prompt difference; both systems answer the
#   same prompts; the GPT's F1 is its mean over seeds). Per language: the GPT ahead (interval below 0) does not
#   reproduce; an SCN lead (interval above 0) counts only against a GPT that reached its training criterion in
#   every seed (a lead over an under-trained GPT says nothing about Transformers: that language is excluded); an
#   interval that includes 0 counts as no advantage. At least one language must count, else not testable. An SCN
#   lead gives at most partially reproduced ("interpretability" is not measured: an SCN answer names its matched
#   prompt by construction). Perturbations of stored prompts, which a lookup system wins by design, are beside.

# %% tags=["nbval-ignore-output"]
v_t1 = {}
for cid, kind, col, key in [("SCN-T1-BASE", "base", "G base", "gpt_base"),
                            ("SCN-T1-FT", "fine-tune", "G fine-tune", "gpt_ft")]:
    g = {lang: (float(r["times"].loc["SCN-embedding", col]), r[key]["status"]) for lang, r in runs.items()}
    rule = verdicts.scn_t1_base if kind == "base" else verdicts.scn_t1_ft
    v = v_t1[kind] = rule(g)
    _ = ch.record(v, unit="x", evidence="figure scn_fig1_speed_gain; tables scn_table1_times_*")

unseen = {lang: paired_gap(r["unseen_f1"]["SCN-embedding"], r["unseen_f1"]["GPT"]) for lang, r in runs.items()}
perturbed = {lang: (float(r["quality"].loc["SCN-embedding", "held-out all held-out"]),
                    float(r["quality"].loc["GPT", "held-out all held-out"])) for lang, r in runs.items()}
v_gen = verdicts.scn_gen(unseen, {lang: r["gpt_base"]["reached"] for lang, r in runs.items()}, perturbed)
_ = ch.record(v_gen, unit="answer F1 gap", evidence="figure scn_unseen_f1_gap; tables scn_table1_quality_*")
m = SCN(mode="embedding", embedder=minilm).fit([("Como vai você?", "Bem, obrigado."), ("Quem é você?", "Um robô.")])
source = m.predict("como vai voce")  # an SCN answer names its source: the matched prompt and its score

# %% [markdown]
# Generalisation, as SCN-GEN decides it: on prompts neither system saw, the SCN's answer token F1 minus the GPT's,
# with its 95% interval, per language (right of 0: the SCN comes closer to the corpus answer). Beside it, not
# deciding: exact-match on perturbed stored prompts, which a lookup system wins by design.

# %% tags=["nbval-ignore-output", "hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.0), gridspec_kw={"width_ratios": [3, 2]})
langs = list(runs)
for i, lang in enumerate(langs):
    gm, glo, ghi = unseen[lang]
    axes[0].errorbar([gm], [i], xerr=[[gm - glo], [ghi - gm]], fmt="o", color="C0", capsize=4)
axes[0].axvline(0.0, color="0.4", lw=1, ls=":")
axes[0].set_yticks(range(len(langs)), [f"{lang}\n({runs[lang]['n_unseen']} prompts)" for lang in langs])
axes[0].set_ylim(-0.6, len(langs) - 0.4)
axes[0].set_xlabel("answer token F1 on unseen prompts, SCN minus GPT\n(mean and 95% paired interval)")
axes[0].set_ylabel("language")
w = 0.38
for i, lang in enumerate(langs):
    axes[1].barh(i - w / 2, perturbed[lang][0], height=w, color="C0", label="SCN-embedding" if i == 0 else None)
    axes[1].barh(i + w / 2, perturbed[lang][1], height=w, color="0.6", label="GPT" if i == 0 else None)
axes[1].set_yticks(range(len(langs)), langs)
axes[1].set_xlim(0, 1.05)
axes[1].set_xlabel("exact-match on perturbed stored prompts")
axes[1].set_ylabel("language")
axes[1].set_title("beside: lookup wins by design")
axes[1].set_ylim(-0.6, len(langs) - 0.4)
fig.legend(*axes[1].get_legend_handles_labels(), fontsize=8, loc="outside lower right", ncols=2)
fig.suptitle(ch.verdict_subtitle(axes[0], v_gen, title="Generalisation: prompts neither system saw"))
axes[0].set_title("deciding: unseen prompts")
_ = ch.savefig(fig, "scn_unseen_f1_gap")
plt.show()

# %% [markdown]
# ## Figure 1 regenerated: the measured ratios beside the paper's
#
# One bar per SCN mode and language, blue where the GPT reached its criterion ($G$ measured), orange where it hit
# its time budget ($G$ is then a lower bound) and grey where the fine-tune time is not measured (fewer than two
# seeds had a base model at the criterion; such a bar has no height). The dashed line is the paper's $G$; the paper states no task, model
# or hardware for it, so the two are ratios of different runs. The dotted line is $G = 1$ (as fast as the GPT).

# %% tags=["nbval-ignore-output", "hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(10, 4.0), sharey=True)
for ax, kind, col, key in zip(axes, ["base", "fine-tune"], ["G base", "G fine-tune"], ["gpt_base", "gpt_ft"]):
    labels, vals, colors = [], [], []
    for lang, r in runs.items():
        for sysname in ["SCN-lexical", "SCN-embedding", "SCN-hurnet"]:
            labels.append(f"{sysname[4:]}\n{lang[:2]}")
            vals.append(float(r["times"].loc[sysname, col]))
            colors.append("C0" if r[key]["status"] == "measured" else "C1" if r[key]["status"] == "bound" else "0.75")
    ax.bar(range(len(vals)), vals, color=colors)
    ax.set_xticks(range(len(vals)), labels, fontsize=8)
    ax.set_yscale("log")
    ax.axhline(1.0, color="0.4", lw=1, ls=":")
    mark_paper(ax, y=PAPER_G[kind], label=f"{PAPER_G[kind]:.0f}x (Table 1)")
    ax.set_xlabel("SCN mode, language")
    ch.verdict_subtitle(ax, v_t1[kind], title=f"{kind} (the embedding mode decides)")
axes[0].set_ylabel("speed gain $G = T_{\\rm GPT} / T_{\\rm SCN}$\n(×, log scale)")
fig.legend(handles=[Patch(color="C0", label="GPT reached its criterion: $G$ measured"),
                    Patch(color="C1", label="GPT hit its time budget: $G$ is a lower bound"),
                    Patch(color="0.75", label="not measured (no base model at the criterion)"),
                    Line2D([], [], **PAPER_STYLE, label=f"paper: {PAPER_G['base']:.0f}x base, "
                                                      f"{PAPER_G['fine-tune']:.0f}x fine-tune (Table 1)"),
                    Line2D([], [], color="0.4", lw=1, ls=":", label="$G = 1$")],
           loc="outside lower center", ncols=2, fontsize=8)
_ = ch.savefig(fig, "scn_fig1_speed_gain")
plt.show()

# %% [markdown]
# **What we found.** Building an SCN is embedding and storing, with no training loop; how its time compares
# with training a Transformer to a criterion on the same pairs depends on the task, the model, the hardware and
# the criterion, none of which the paper states. When the GPT stops at its time budget instead of its
# criterion, $G$ is only a lower bound whose size our budget sets, so it decides nothing. For fine-tuning the
# GPT's fair time is the faster of fine-tuning and retraining from scratch: on a few hundred short pairs
# retraining can be the faster way. On
# perturbations of stored prompts a lookup system answers with a stored answer by design; on prompts neither
# system saw, neither has the corpus answer stored or learned, and the answer F1 gap with its interval says
# whether either comes closer.

# %% tags=["finding", "remove-input", "nbval-ignore-output"]
def _g(r, col, key):
    g = float(r["times"].loc["SCN-embedding", col])
    st = r[key]["status"]
    return "not measured" if st == "undefined" else f"{'at least ' if st == 'bound' else ''}{g:,.3g}×"


def _lang_finding(lang, r):
    t = r["times"].loc["SCN-embedding"]
    gm, glo, ghi = unseen[lang]
    side = ("the SCN comes closer" if glo > 0 else "the GPT comes closer" if ghi < 0 else
            "the interval includes 0: neither comes closer")
    return (f"In {lang.capitalize()}, building the SCN (embedding mode) takes {t['base s']:.3g} s against "
            f"{r['gpt_base']['seconds']:.3g} s of GPT training (median of {r['gpt_base']['n_seeds']} seeds; "
            f"{'criterion reached' if r['gpt_base']['reached'] else 'budget hit'}), "
            f"$G$ = {_g(r, 'G base', 'gpt_base')} for base training and {_g(r, 'G fine-tune', 'gpt_ft')} "
            f"for fine-tuning. On {r['n_unseen']} unseen prompts the SCN-minus-GPT answer F1 is {gm:+.2f} "
            f"(95% interval [{glo:+.2f}, {ghi:+.2f}]; {side}); on perturbed stored prompts the SCN answers "
            f"{perturbed[lang][0]:.0%} exactly and the GPT {perturbed[lang][1]:.0%}.")


ch.finding(f"""{ch.machine()} The paper reports $G$ = {PAPER_G['base']:.0f}× (base) and {PAPER_G['fine-tune']:.0f}×
(fine-tune). """ + " ".join(_lang_finding(lang, r) for lang, r in runs.items()) +
           f""" An SCN answer names its source: *{source.answer}* comes from the stored prompt *{source.matched_prompt}*
(cosine {source.score:.2f}).""")

# %% tags=["nbval-ignore-output", "headline-quote", "remove-input"]
quote_headline("SCN-T1-BASE", "SCN-T1-FT", "SCN-GEN")


# %% [markdown]
# ## Eq. 4–5, "infinite context": latency and memory vs stored pairs
#
# $$C=\{x_t\}_{t=0}^{\infty},\qquad \hat y=\arg\max_{y_i\in C}\ \text{sim}(x,y_i)$$
#
# The store holds $n$ random unit 384-d vectors labelled by their index (synthetic: no text); queries are noisy
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
ch.show(scale[["n", "accuracy", "store_mb", "peak_rss_mb", "build_s", "batch1_s", "batch64_per_query_s"]],
        floatfmt="{:.3g}", caption="Retrieval accuracy, memory (MB) and time (s) as the store grows")

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
_ = ch.record(v_ctx, evidence="figure scn_infctx_latency_memory; table scn_infctx_scaling")

# %% tags=["nbval-ignore-output", "hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharex=True)
axes[0].loglog(scale.n, scale.batch1_s * 1e3, "o-", label=f"batch 1 (fitted slope {fit_lat['exponent']:.2f})")
axes[0].loglog(scale.n, scale.batch64_per_query_s * 1e3, "s-", label="batch 64")
axes[0].loglog(scale.n, scale.batch1_s.iloc[-1] * 1e3 * scale.n / nmax, "k:", lw=1, label=r"$\propto n$ (a full scan)")
axes[0].set_xlabel("stored pairs $n$")
axes[0].set_ylabel("latency per query (ms)")
axes[0].legend(fontsize=8)
axes[1].loglog(scale.n, scale.store_mb, "o-", label="store (embeddings)")
if scale.peak_rss_mb.notna().all():
    axes[1].loglog(scale.n, scale.peak_rss_mb - scale.baseline_rss_mb, "s-", label="peak RSS above imports")
axes[1].loglog(scale.n, float(last.store_mb) * scale.n / nmax, "k:", lw=1, label=r"$\propto n$")
axes[1].set_xlabel("stored pairs $n$")
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
# memory per query, but each query scans all $n$ stored rows and the store keeps every row: latency and memory
# grow with $n$. The context is unbounded, not free.

# %% tags=["finding", "remove-input", "nbval-ignore-output"]
first = scale.iloc[0]
ch.finding(f"""{ch.machine()} The argmax retrieves the source row of
{'every' if (scale.accuracy == 1.0).all() else f'{scale.accuracy.min():.0%} or more of the'} query at every size
from $n$ = {int(first.n):,} to {nmax:,}. One query at a time takes {first.batch1_s * 1e3:.3g} ms at the smallest
store and {last.batch1_s * 1e3:.3g} ms at the largest, latency $\propto n^{{{fit_lat['exponent']:.2f}}}$ (fitted over
$n \ge$ {fit_lat['x_from']:,.0f}, $R^2$ = {fit_lat['r2']:.2f}, the share of the variance of log latency the fit
explains); the store grows from {first.store_mb:.3g} MB to {last.store_mb:.3g} MB,
{float(last.store_mb) * 2**20 / nmax:,.0f} bytes per stored pair at the largest size.""")

# %% tags=["nbval-ignore-output", "headline-quote", "remove-input"]
quote_headline("SCN-EQ5-INFCTX")


# %% [markdown]
# ### Try it: Grow the store and change its chunk size
#
# In the parameters cell set `STORE_SIZES = [2000, 8000, 32000]` and try `CHUNK_SIZE = 4096`, then `65536`;
# rerun the Eq. 4–5 cells. Watch `accuracy`, `store_mb`, `batch1_s` and `batch64_per_query_s`: how does latency
# grow with the store, and what does the chunk size change, and not change?
#
# Solution: `notebooks/exercises/03_scn_vs_gpt__store_chunks.py`

# %% [markdown]
# ### This run beside the headline
#
# Verdicts of this run that differ from the headline (none in a published run):

# %% tags=["nbval-ignore-output", "headline-quote", "remove-input"]
ch.beside_headline()

# %% tags=["nbval-ignore-output", "remove-input"]
print(ch.footer())
