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
# # 30 · Related theory: OLS is a single-layer linear Transformer; the cost of a Hierarchical Kernel Transformer
#
# Seed 003 is a feed of recent transformer-theory abstracts. Two of them make claims that can be checked
# exactly here:
#
# * **OLS-LINTF** — *"Ordinary Least Squares is a Special Case of Transformer"*: "Using the spectral
#   decomposition of the empirical covariance matrix, we construct a specific parameter setting where the
#   attention mechanism's forward pass becomes mathematically equivalent to the OLS closed-form projection.
#   This means attention can solve the problem in one forward pass, not by iterating. [...] we further
#   uncover a decoupled slow and fast memory mechanism within Transformers."
# * **HKT-COST** — *"Hierarchical Kernel Transformer"*: "processes sequences at L resolution levels via
#   trainable causal downsampling [...] The total computational cost is bounded by 4/3 times that of
#   standard attention, reaching 1.3125x for L = 3."
#
# The abstracts give no equations; the construction and the cost model below are ours, derived from the
# words of the abstracts, and implemented in `paperlib.related.ols_attention` and `paperlib.related.hkt_cost`.
#
# The first claim links to HurNet (chapter 01–03, SCN paper Eq. 3): HurNet fits a layer's weights
# $W = (X^\top X)^{-1}X^\top Y$ in closed form. Here the *same* solution is reached without fitting any
# weight to $Y$: attention reads $Y$ from its context.

# %% tags=["parameters"]
NOTEBOOK = "30_ols_linear_attention"
PROFILE = "smoke"
OUTPUT_ROOT = ""
SEED = 0
CONDS = [1.0, 100.0, 10000.0, 1000000.0, 100000000.0, 10000000000.0]
N_INSTANCES = 2
N_ROWS = 120
D_FEAT = 12
K_OUT = 2
EMBEDDER = "hashing"
EMB_DIM = 48
N_PAIRS = 200
N_QUERY_PAIRS = 40
SF_NB = [20, 100, 500]
SF_D = 8
SF_N_A = 1000
SF_SHIFT = 2.0
HKT_T = [64, 512, 1024, 4096]
HKT_L_MAX = 12
HKT_D_HEAD = 64
PSD_N = 20
PSD_T = 64
PSD_D = 8
PSD_L = 3

# %% tags=["hide-input"]
import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

from paperlib.related import (COST_MODELS, build_ols_attention, psd_trials, compare_with_hurnet, compare_with_lstsq,
                              cost_table, error_vs_condition, exact_cost_ratio, first_L_reaching, levels_matching,
                              make_conditioned_problem, make_context_tokens, make_query_tokens, ols_lstsq_predict,
                              ratio_by_summation, ratio_closed_form, ratio_limit, slow_fast_sweep)
from paperlib.related import verdicts as related_verdicts
from paperlib.companion.headline import quote_headline
from paperlib.companion.chapter import open_chapter

ch = open_chapter(globals())
DEVICE = ch.device
EPS = float(np.finfo(np.float64).eps)

# %% [markdown]
# ## 1 · The construction, step by step
#
# **Tokens.** Each context token stacks an input and its target, $z_i = [x_i;\, y_i] \in \mathbb R^{d+k}$;
# the query token has an empty target slot, $z_q = [x_q;\, 0]$.
#
# **The layer.** One linear-attention layer (no softmax), normalised by the context length $n$:
#
# $$\mathrm{attn}(z_q) = \frac1n\sum_{i=1}^n (W_V z_i)\,\langle W_K z_i,\; W_Q z_q\rangle
#   = \tfrac1n\,(Z_q W_Q^\top)(Z W_K^\top)^\top (Z W_V^\top). \tag{LA}$$
#
# **The parameters.** Take the spectral decomposition of the empirical covariance
# $\Sigma = X^\top X/n = U\Lambda U^\top$, keep the $r$ eigen-pairs above a cut-off and set
#
# $$P = \Lambda_r^{-1/2}U_r^\top,\qquad W_K = W_Q = [P,\ 0_{r\times k}],\qquad
#   W_V = \begin{pmatrix}0 & 0\\ 0 & I_k\end{pmatrix}. \tag{C}$$
#
# Then $\langle W_K z_i, W_Q z_q\rangle = x_i^\top U_r\Lambda_r^{-1}U_r^\top x_q = x_i^\top\Sigma^{+}x_q$ (the
# whitened inner product), $W_V z_i = [0;\, y_i]$, and the target slot of the output is
#
# $$\frac1n\sum_i y_i\, x_i^\top \Sigma^{+} x_q = x_q^\top (X^\top X)^{+} X^\top Y , \tag{OLS}$$
#
# the OLS prediction (the minimum-norm least-squares one when $X^\top X$ is singular, since
# $(X^\top X)^+X^\top = X^+$). With a residual connection nothing changes: the query's target slot is 0.
# It is one forward pass: three matrix products, no iteration.
#
# A small instance, printed in full:

# %%
demo = make_conditioned_problem(n=6, d=2, k=1, cond=3.0, noise=0.1, n_query=1, seed=SEED)
params = build_ols_attention(demo["X"], k=1)
Z = make_context_tokens(demo["X"], demo["Y"])
Zq = make_query_tokens(demo["Xq"], k=1)
np.set_printoptions(precision=4, suppress=True)
print("eigenvalues of Sigma:", params.eigvals.numpy())
print("W_K = W_Q =\n", params.W_K.numpy())
print("W_V =\n", params.W_V.numpy())
print("W_K^T W_Q (x-block) =\n", params.covariance_pinv.numpy())
print("inv(Sigma) (numpy)  =\n", np.linalg.inv(demo["X"].T @ demo["X"] / 6))
out = params.forward_tokens(Z, Zq)
print("layer output for the query token [x-slot, y-slot]:", out.numpy().round(6))
print("OLS prediction (numpy.linalg.lstsq):            ", ols_lstsq_predict(demo["X"], demo["Y"], demo["Xq"]).round(6))

# %% [markdown]
# ### Try it: Write it yourself: least squares as one linear-attention layer
#
# Write the OLS prediction for a query as a linear-attention read-out
# $\hat y(x_q) = \frac1n\sum_i (x_q^\top W x_i)\, y_i$, choose $W$ so that it equals least squares, and check it
# against `numpy.linalg.lstsq` and against `build_ols_attention(X).predict`.
#
# Solution: `notebooks/exercises/30_ols_linear_attention__write_ols_attention.py`

# %% [markdown]
# ## 2 · Numerical equality against `numpy.linalg.lstsq`, from well- to ill-conditioned
#
# The equality (OLS) is exact in exact arithmetic. In float64 the covariance route forms $X^\top X$, which
# squares the condition number: a forward error of order $d\,\kappa(X)^2\,\varepsilon$ is what the normal
# equations can promise ($\varepsilon = 2.2\times10^{-16}$). We use that textbook bound, fixed before looking
# at the results, as the tolerance. Beyond $\kappa(X)\approx \varepsilon^{-1/2}\approx 7\times10^7$ the
# covariance is numerically singular: its eigen-decomposition drops directions and the construction no
# longer spans the data. We therefore also build (C) from the SVD of $X/\sqrt n$ (same $U$, $\Lambda = S^2$,
# computed without forming $X^\top X$) to separate the algebra from the floating-point route.
#
# Instances: $X = U\,\mathrm{diag}(s)V^\top$ with Haar-random $U, V$ and singular values log-spaced from 1 to
# $1/\kappa$, $Y = X\beta + 0.1\,\varepsilon$, $k$ outputs, queries drawn like the rows of $X$.
# The errors are plotted against the bound with the verdict, after section 5.

# %%
rows = error_vs_condition(CONDS, n=N_ROWS, d=D_FEAT, k=K_OUT, n_instances=N_INSTANCES, seed=SEED)
err = pd.DataFrame(rows)
err["full_rank"] = err["rank"] == err["d"]
related_verdicts.bound_checks(err, "rel_err")       # within_bound; informative: bound < INFORMATIVE_BOUND
by_cond = (err.groupby(["cond_target", "method"])
           .agg(max_rel_err=("rel_err", "max"), min_rank=("rank", "min"), within_bound=("within_bound", "all"))
           .reset_index())
ch.save_table(by_cond, "ols_lintf_error_by_cond",
              caption="Attention-OLS vs lstsq: max relative error per condition number and construction")
ch.show(by_cond[["cond_target", "method", "min_rank", "within_bound"]], floatfmt="{:.0e}",
        caption=f"{len(err)} (instance, construction) pairs; d = {D_FEAT}, n = {N_ROWS}, k = {K_OUT}: smallest rank kept "
                "and whether every error is within the bound")

# %% tags=["nbval-ignore-output"]
# the raw error magnitudes (rounding-level numbers, machine dependent)
ch.show(by_cond.pivot(index="cond_target", columns="method", values="max_rel_err").reset_index(), floatfmt="{:.2e}",
        caption="Largest relative error against numpy.linalg.lstsq, per condition number and construction")

# %%
full = err[err["full_rank"]]        # constructions that kept all d directions (the bound is meaningful)
trunc = err[~err["full_rank"]]
synthetic_ok = bool(full["within_bound"].all())
svd_sub = err[err["method"] == "svd"]
svd_ok_everywhere = bool((svd_sub["rel_err"] <= svd_sub["d"] * svd_sub["cond_X"] * EPS).all())
ch.finding(f"Full-rank constructions within $d\\,\\kappa^2\\varepsilon$: {int(full['within_bound'].sum())} of "
           f"{len(full)} ({int(full['informative'].sum())} with a bound below {related_verdicts.INFORMATIVE_BOUND:g}, "
           f"tight enough to show equality). Constructions that dropped directions (covariance numerically "
           f"singular): {len(trunc)}{', via ' + ' and '.join(sorted(trunc['method'].unique())) if len(trunc) else ''}. "
           f"SVD-built weights within $d\\,\\kappa\\,\\varepsilon$ (no squaring) at every condition number: "
           f"**{svd_ok_everywhere}**.")

# %% [markdown]
# ## 3 · Real data: chatterbot prompts → answers in an embedding space
#
# A real regression with many outputs: $x_i$ = embedding of a chatterbot prompt, $y_i$ = embedding of its
# answer (the map HurNet fits in the SCN paper). Under `smoke` the embedding is the deterministic hashing
# embedder of character n-grams (`paperlib.scn.embed.HashingEmbedder`, not semantic, so the smoke run stays fast);
# under `cpu`/`paper` it is the frozen sentence encoder all-MiniLM-L6-v2 (`paperlib.scn.embed.MiniLMEmbedder`,
# 384-d), with more pairs than dimensions ($n > d$). Queries are held-out prompts.

# %%
from paperlib.common.data import chatterbot_pairs
from paperlib.scn.embed import HashingEmbedder, MiniLMEmbedder

pairs = chatterbot_pairs("english")
order = np.random.default_rng(SEED).permutation(len(pairs))
if N_PAIRS + N_QUERY_PAIRS > len(pairs):
    raise ValueError(f"N_PAIRS + N_QUERY_PAIRS = {N_PAIRS + N_QUERY_PAIRS} exceeds the {len(pairs)} chatterbot pairs")
ctx_pairs = [pairs[i] for i in order[:N_PAIRS]]
qry_pairs = [pairs[i] for i in order[N_PAIRS:N_PAIRS + N_QUERY_PAIRS]]
embedder = HashingEmbedder(dim=EMB_DIM) if EMBEDDER == "hashing" else MiniLMEmbedder(device=DEVICE)
X_real = embedder.encode([p for p, _ in ctx_pairs]).double().cpu().numpy()
Y_real = embedder.encode([a for _, a in ctx_pairs]).double().cpu().numpy()
Xq_real = embedder.encode([p for p, _ in qry_pairs]).double().cpu().numpy()
ch.finding(f"Embedder: {embedder.name}; context $n$ = {X_real.shape[0]}, $d$ = {X_real.shape[1]}, "
           f"$k$ = {Y_real.shape[1]}; {Xq_real.shape[0]} held-out queries.")

# %% [markdown]
# **Numerical rank.** Sentence embeddings need not span all $d$ directions: a few singular values of $X$ can
# sit at rounding level (the encoder computes in float32). For such $X$, $(X^\top X)^{-1}$ does not exist
# and "the OLS solution" means the minimum-norm one *at a chosen singular-value cut-off*; the eigh route
# cannot resolve singular values below $\sqrt{\varepsilon\max(n,d)}\,\sigma_1$, `lstsq`'s default keeps
# everything above $\varepsilon\max(n,d)\,\sigma_1$. So we compare each construction with `lstsq` at the
# **same** cut-off (`params.sv_rcond`), within $d\,\kappa_r^2\varepsilon$ where $\kappa_r$ is the condition
# number of the kept part, and also report the comparison with `lstsq`'s default cut-off
# (`paperlib.related.compare_with_lstsq`).

# %%
sv = np.linalg.svd(X_real, compute_uv=False)
real = pd.DataFrame(compare_with_lstsq(X_real, Y_real, Xq_real, EPS))
related_verdicts.bound_checks(real, "rel_err_matched")  # an uninformative bound is not counted as evidence
ch.save_table(real, "ols_lintf_real_data", caption=f"Chatterbot prompt->answer regression ({embedder.name})")
real_ok = bool(real["within_bound"].all() and (real["within_bound"] & real["informative"]).any())
ch.show(real[["method", "rank", "d", "numpy_rank_default", "within_bound", "informative"]],
        caption=f"Real data: equality shown by at least one informative check: {real_ok}")

# %% tags=["nbval-ignore-output"]
display(ch.finding("Smallest singular values of $X$ relative to $\\sigma_1$: "
                   + ", ".join(f"{x:.2g}" for x in sv[-5:] / sv[0]) + "."))
display(ch.show(real, floatfmt="{:.2e}", caption="The real-data comparisons in full"))

# %% [markdown]
# ## 4 · Slow and fast memory
#
# What does the layer store? The weights (C) are built from $\Sigma_A = X_A^\top X_A/n_A$ only — **never from the
# targets**. They are the *slow* memory: the geometry of the inputs. Everything about the task,
# $\tfrac1{n_B}X_B^\top Y_B$, arrives through the context: the *fast* memory. Weights built on data set $A$
# and applied to a context from data set $B$ output
#
# $$x_q^\top\,\Sigma_A^{+}\,\tfrac1{n_B}X_B^\top Y_B \;=\; x_q^\top\,(\Sigma_A^{+}\Sigma_B)\,\hat\beta_B, \tag{SF}$$
#
# ($\hat\beta_B$ = B's own OLS solution; exact because the least-squares residual is orthogonal to the columns
# of $X_B$). So the layer performs B's regression exactly when $\Sigma_A^+\Sigma_B = I$ — e.g. the same inputs
# with **any new targets** (a new task solved in context, no weight change) — approximately when $X_B$ comes
# from the same distribution as $X_A$ (error $\sim\|\Sigma_A^{-1}\Sigma_B - I\| = O(\sqrt{d/n_B})$), and is biased
# by the mismatch operator $\Sigma_A^+\Sigma_B$ when the input distribution shifts.
#
# Three scenarios, a new random task $\beta$ for every context; $X_A \sim N(0, I)$, shifted $X_B \sim N(0, D^2)$
# with $D = \mathrm{diag}(s^{\,t})$, $t$ from $-1$ to $1$, $s$ = `SF_SHIFT`.
# The deviations are plotted with the verdict, after section 5.

# %%
sf = pd.DataFrame(slow_fast_sweep(SF_NB, d=SF_D, n_A=SF_N_A, shift_scale=SF_SHIFT, seed=SEED))
ch.save_table(sf, "ols_lintf_slow_fast", caption="Weights from A, context from B")
sf_identity_ok = bool((sf["dev_from_SF"] <= related_verdicts.IDENTITY_TOL).all())
new_task_ok = bool((sf[sf["scenario"] == "same inputs, new task"]["dev_from_ols_B"] <= related_verdicts.IDENTITY_TOL).all())
same = sf[sf["scenario"] == "same distribution"].sort_values("n_B")
shifted = sf[sf["scenario"] == "shifted distribution"].sort_values("n_B")
shrinks = bool(same["dev_from_ols_B"].iloc[-1] < same["dev_from_ols_B"].iloc[0])
shift_worse = bool(shifted["dev_from_ols_B"].iloc[-1] > same["dev_from_ols_B"].iloc[-1])
ch.finding(f"""* the closed form (SF) matches the layer's output in every case: **{sf_identity_ok}**;
* same inputs with new targets give exactly the new task's OLS: **{new_task_ok}**;
* same distribution: the deviation from OLS on B shrinks from the shortest to the longest context: **{shrinks}**;
* shifted distribution: at the longest context it stays above the same-distribution deviation: **{shift_worse}**.""")

# %% tags=["nbval-ignore-output"]
ch.show(sf, floatfmt="{:.3g}", caption="Weights from A, context from B, per scenario and context length")

# %% [markdown]
# ### Try it: Shift the fast memory away from the slow one
#
# Set `SF_SHIFT` to 1.0, then 4.0, and rerun section 4. Watch the `shifted distribution` rows: `dev_from_ols_B`,
# `mismatch_norm` and `dev_from_SF`. How large does the mismatch get, does a longer context (larger `n_B`)
# help, and is the layer still computing (SF) exactly?
#
# Solution: `notebooks/exercises/30_ols_linear_attention__shift.py`

# %% [markdown]
# ### Try it: Grow the slow memory
#
# Set `SF_N_A` to 16, then 20000, and add a long context to `SF_NB` (e.g. `[20, 500, 5000]`); rerun section 4.
# Watch `dev_from_ols_B` of the `same distribution` rows: which memory, the slow one (`n_A` rows behind the
# weights) or the fast one (`n_B` context rows), limits how close the in-context answer gets to OLS on B?
#
# Solution: `notebooks/exercises/30_ols_linear_attention__slow_memory.py`

# %% [markdown]
# ## 5 · The link to HurNet: one solution, two memories
#
# HurNet (SCN paper, Eq. 3) stores $W = (X^\top X)^{-1}X^\top Y$ **in the weights** — the targets are baked in,
# and a new task needs a refit. The linear-attention layer stores only $\Sigma^{+}$ in its weights and reads
# $Y$ from the context, yet the map it applies to $x_q$, $\Sigma^+X^\top Y/n$, is the same matrix. We fit
# `paperlib.scn.hurnet.HurNetLayer` (no bias, so both solve the same problem) on the real-data instance, with
# the same singular-value cut-off as the attention weights, and compare (`paperlib.related.hurnet_link`).

# %%
link = compare_with_hurnet(X_real, Y_real, Xq_real, EPS)
hurnet_ok, hurnet_err_w, hurnet_err_pred = link["ok"], link["err_weight"], link["err_pred"]
ch.finding(f"HurNet stores {link['n_params_hurnet']} numbers ($W$, $d\\times k$, which contains $Y$); the attention "
           f"layer stores {link['n_params_attention']} ($W_K$, $W_Q$, $W_V$; no $Y$) and reads {X_real.shape[0]} x "
           f"{X_real.shape[1] + Y_real.shape[1]} context numbers at inference. Same predictions within "
           f"$d\\,\\kappa_r^2\\varepsilon$: **{hurnet_ok}**.")

# %% tags=["nbval-ignore-output"]
ch.finding(f"Relative difference of the weight matrices: {hurnet_err_w:.2e}; of the predictions: {hurnet_err_pred:.2e}.")

# %% [markdown]
# ### Verdict OLS-LINTF
#
# The rule (`paperlib.related.verdicts.ols_lintf`), fixed before measuring: **reproduced** when every full-rank
# construction on random instances agrees with `lstsq` within $d\,\kappa^2\varepsilon$, both constructions on
# the real data agree with `lstsq` at the same cut-off within $d\,\kappa_r^2\varepsilon$ (with at least one
# bound below $10^{-2}$, tight enough to show equality), HurNet's closed form gives the same predictions within
# the same bound, and the two exact identities (the slow/fast closed form (SF); same inputs with new targets
# give the new task's OLS) hold to `IDENTITY_TOL` $=10^{-10}$; **partially reproduced** when only the synthetic
# or only the real-data equality holds; **not reproduced** otherwise. The floating-point caveat (the covariance
# route loses the solution when $\kappa(X) \gtrsim \varepsilon^{-1/2}$) is reported with it.

# %% tags=["nbval-ignore-output"]
eigh_full = err[(err["method"] == "eigh") & err["full_rank"]]
eigh_trunc = err[(err["method"] == "eigh") & ~err["full_rank"]]
svd_rows = err[err["method"] == "svd"]
breakdown = f"eigh route drops directions from cond(X)~{eigh_trunc['cond_X'].min():.1e}" if len(eigh_trunc) else \
    "eigh route full rank at all tested cond(X)"
ols_result = related_verdicts.ols_lintf(
    synthetic_worst=float((full["rel_err"] / full["bound"]).max()),
    real_worst=float((real["rel_err_matched"] / real["bound"]).max()),
    real_informative=bool((real["within_bound"] & real["informative"]).any()),
    hurnet_worst=float(hurnet_err_pred / (X_real.shape[1] * link["params"].kept_cond ** 2 * EPS)),
    sf_dev=float(sf["dev_from_SF"].max()),
    new_task_dev=float(sf[sf["scenario"] == "same inputs, new task"]["dev_from_ols_B"].max()),
    note=(f"eigh full-rank (cond<={eigh_full['cond_X'].max():.0e}) max rel err {eigh_full['rel_err'].max():.1e}; "
          f"svd-built (cond<={svd_rows['cond_X'].max():.0e}) {svd_rows['rel_err'].max():.1e}; real data "
          f"({embedder.name}, n={X_real.shape[0]}, d={X_real.shape[1]}, rank {real['rank'].min()}); {breakdown}"))
_ = ch.record(ols_result, evidence="figure ols_lintf_error_vs_cond, ols_lintf_slow_fast; tables "
              "ols_lintf_error_by_cond, ols_lintf_real_data, ols_lintf_slow_fast")

# %% [markdown]
# ### The evidence in two figures
#
# First, section 2's random instances: each construction's relative error against `numpy.linalg.lstsq`, with the
# normal-equation bound $d\,\kappa^2\varepsilon$ (the tolerance of the rule) and $d\,\kappa\,\varepsilon$ as
# guide lines, and $\kappa = \varepsilon^{-1/2}$, beyond which $\Sigma$ is numerically singular. The abstract
# prints no error to mark: "mathematically equivalent" means 0.

# %% tags=["hide-input"]
fig, ax = plt.subplots()
for method, marker in (("eigh", "o"), ("svd", "s")):
    sub = err[err["method"] == method]
    ax.scatter(sub["cond_X"], np.maximum(sub["rel_err"], 1e-17), marker=marker, s=18, alpha=0.7,
               label=f"construction via {method}" + (" of $\\Sigma$" if method == "eigh" else " of $X$"))
kk = np.logspace(0, math.log10(max(CONDS)), 100)
ax.plot(kk, D_FEAT * kk ** 2 * EPS, "k--", lw=1, label=r"$d\,\kappa^2\varepsilon$ (normal-equation bound)")
ax.plot(kk, D_FEAT * kk * EPS, "k:", lw=1, label=r"$d\,\kappa\,\varepsilon$")
ax.axvline(EPS ** -0.5, color="grey", lw=0.8, label=r"$\kappa = \varepsilon^{-1/2}$: $\Sigma$ numerically singular")
ax.set(xscale="log", yscale="log", xlabel=r"condition number $\kappa(X)$",
       ylabel="relative error of the prediction\nvs numpy.linalg.lstsq", ylim=(1e-17, 10))
ch.verdict_subtitle(ax, ols_result, title="Linear attention (C) vs OLS, by condition number")
ax.legend(fontsize=8, loc="upper left")
ch.savefig(fig, "ols_lintf_error_vs_cond")
plt.show()

# %% [markdown]
# Second, section 4's slow and fast memory: weights built from data set A, context from B. Coloured lines: the
# layer's output against B's own OLS prediction, per scenario; dotted: the mismatch $\|\Sigma_A^{-1}\Sigma_B - I\|_2$
# that (SF) predicts for it; grey crosses: the layer against the closed form (SF), one of the identities the rule
# checks, which must stay below the rule's tolerance (dash-dotted).

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(6.4, 4.4))
for name, g in sf.groupby("scenario", sort=False):
    ax.plot(g["n_B"], np.maximum(g["dev_from_ols_B"], 1e-17), marker="o", label=f"{name}: vs OLS on B")
ax.plot(same["n_B"], same["mismatch_norm"], "k:", label=r"$\|\Sigma_A^{-1}\Sigma_B - I\|_2$ (same distribution)")
ax.plot(sf["n_B"].unique(), np.maximum(sf.groupby("n_B", sort=False)["dev_from_SF"].max(), 1e-17), "x--",
        color="0.45", lw=1, label="layer vs closed form (SF), worst case")
ax.axhline(related_verdicts.IDENTITY_TOL, color="0.45", lw=0.8, ls="-.",
           label=f"rule's tolerance for the identities ({related_verdicts.IDENTITY_TOL:g})")
ax.set(xscale="log", yscale="log", xlabel="context length $n_B$ (tokens)",
       ylabel="relative deviation of the prediction")
ch.verdict_subtitle(ax, ols_result, title="Weights from A (slow memory), context from B (fast memory)")
nb = sorted(sf["n_B"].unique())
ax.set_xticks(nb, [f"{v:g}" for v in nb])  # one tick per context length measured
ax.xaxis.set_minor_formatter(plt.NullFormatter())
fig.legend(fontsize=8, loc="outside lower center", ncols=2)
ch.savefig(fig, "ols_lintf_slow_fast")
plt.show()


# %% [markdown]
# ### What we found
#
# The construction (C) is exact algebra: wherever the covariance is numerically of full rank the layer agrees
# with `lstsq` within the normal-equation bound, and the slow/fast identity (SF) holds to rounding. The
# covariance route fails once $\kappa(X)^2\varepsilon \sim 1$ while weights built from the SVD of $X$ do not,
# and on rank-deficient real embeddings "the OLS solution" is the minimum-norm one at a chosen cut-off.

# %% tags=["finding", "remove-input", "nbval-ignore-output"]
worst = float((full["rel_err"] / full["bound"]).max()) if len(full) else float("nan")
route = (f"drops directions from $\\kappa(X) \\approx$ {eigh_trunc['cond_X'].min():.1e}" if len(eigh_trunc)
         else "keeps every direction at every $\\kappa(X)$ tested")
ch.finding(f"""In this run {int(full['within_bound'].sum())} of {len(full)} full-rank constructions agree with `lstsq`
within $d\\,\\kappa^2\\varepsilon$, the worst at {worst:.2g} of its bound; weights built from the SVD of $X$ stay
within $d\\,\\kappa\\,\\varepsilon$ up to $\\kappa(X)$ = {svd_rows['cond_X'].max():.0e} (largest error
{svd_rows['rel_err'].max():.1e}), and the covariance route {route}. On the real
embeddings ({embedder.name}, $n$ = {X_real.shape[0]}, $d$ = {X_real.shape[1]}, numerical rank
{int(real['rank'].min())}) both constructions agree with `lstsq` at the same cut-off: **{real_ok}**. The slow/fast
identity (SF) holds to {sf['dev_from_SF'].max():.1e} (tolerance {related_verdicts.IDENTITY_TOL:g}).""")

# %% tags=["nbval-ignore-output", "headline-quote", "remove-input"]
quote_headline("OLS-LINTF")


# %% [markdown]
# ## 6 · HKT: the cost of L levels with 2x causal downsampling
#
# Level $l = 0,\dots,L-1$ holds $n_l = T/2^l$ tokens (level 0 is the full sequence). If attention at one level
# costs $c(n_l)$, the ratio to standard attention is $\rho(L) = \sum_{l<L} c(T/2^l)/c(T)$.
#
# * Score matrices within each level, $c(n)\propto n^2$ ("quadratic"):
#   $\rho(L) = \sum_{l<L}4^{-l} = \tfrac43\,(1-4^{-L})$ — $1,\ \tfrac54,\ \tfrac{21}{16},\ \tfrac{85}{64},\dots\ \to \tfrac43$.
# * Full-resolution queries against downsampled keys, $c\propto T\,n_l$ ("cross"), or a linear cost
#   ("linear"): $\rho(L) = 2(1-2^{-L})$ — $1,\ \tfrac32,\ \tfrac74,\dots \to 2$.
#
# Computed exactly with `fractions.Fraction`, by direct summation and by the closed form:

# %%
table = pd.DataFrame(cost_table(Ls=(1, 2, 3, 4, 5, 8), models=("quadratic", "cross")))
agree = all(ratio_by_summation(L, m) == ratio_closed_form(L, m) for m in COST_MODELS for L in range(1, 65))
ch.save_table(table, "hkt_cost_ratios", caption="HKT / standard attention cost, T -> infinity")
r3 = ratio_closed_form(3, "quadratic")
HKT_RHO_L3, HKT_BOUND = related_verdicts.HKT_RHO_L3, related_verdicts.HKT_BOUND  # the abstract's 1.3125 and 4/3
L_1_3125 = {m: levels_matching(HKT_RHO_L3, m) for m in ("quadratic", "cross")}
below = all(ratio_closed_form(L) < HKT_BOUND for L in range(1, 65))
display(ch.show(table, floatfmt="{:.6g}", caption="HKT / standard attention cost, T -> infinity"))
display(ch.finding(f"Summation equals the closed form for $L$ = 1..64 under every model: **{agree}**. Quadratic model: "
                   f"$\\rho(3) = {r3} = {float(r3)}$, limit {ratio_limit('quadratic')}, $\\rho(L) < {HKT_BOUND}$ for "
                   f"$L$ = 1..64: **{below}**. The $L$ giving exactly {float(HKT_RHO_L3)}: "
                   + "; ".join(f"{m} model: {'none' if L is None else L}" for m, L in L_1_3125.items()) + "."))

# %% [markdown]
# **Finite sequences, exact counts.** A causal score matrix of $n$ tokens has $n(n+1)/2$ entries, and 2x
# downsampling of odd lengths rounds up ($n_l = \lceil T/2^l\rceil$). The ratio then carries $O(1/T)$ terms.
# Under this exact count the $4/3$ bound is not strict for every $(T, L)$: for many levels over a short
# sequence it is reached or exceeded (below: the first $L$ at which it happens, per $T$). We also add, for
# illustration, the cost of the trainable downsampling itself: a kernel-2 convolution $d\to d$ costs about
# $d$ score entries per produced token (score entry: $2d$ multiply-adds for $QK^\top$ and $AV$; convolution:
# $2d^2$ per token), here with $d$ = `HKT_D_HEAD`.

# %%
fin = []
for T in HKT_T:
    for L in range(1, HKT_L_MAX + 1):
        if L > (T - 1).bit_length() + 1:
            break
        fin.append({"T": T, "L": L, "causal_ratio": float(exact_cost_ratio(T, L)),
                    "with_downsampling": float(exact_cost_ratio(T, L, downsample_cost=HKT_D_HEAD))})
fin = pd.DataFrame(fin)
ch.save_table(fin, "hkt_cost_finite_T", caption="Exact causal cost ratio at finite T")
first = {T: first_L_reaching(T, HKT_BOUND, L_max=HKT_L_MAX) for T in HKT_T}
first_df = pd.DataFrame({"T": list(first), f"first L with ratio >= {HKT_BOUND}":
                         [("none up to " + str(HKT_L_MAX)) if L is None else L for L in first.values()]})
display(ch.show(fin[fin["L"] == 3], floatfmt="{:.4f}", caption="Exact causal cost ratio at L = 3"))
display(ch.show(first_df, caption=f"First L at which the exact causal ratio reaches {HKT_BOUND}, per T"))

# %% [markdown]
# ### Verdict HKT-COST
#
# Both numbers are reproduced exactly when a level's cost is its own score matrix ($\propto n_l^2$) and $L$
# counts the full-resolution level: $\rho(3) = 21/16 = 1.3125$ and $\rho(L) < 4/3 = \lim_{L\to\infty}\rho(L)$.
# Under the "cross" or linear model neither number holds (1.3125 is no $\rho(L)$ there; the limit is 2). The
# 4/3 bound is asymptotic in $T$: exact causal counts at finite $T$ can reach it for many levels, and the
# downsampling layers add cost that the abstract's figure leaves out. The abstract's measured "1.31x overhead"
# at $T$ = 512–1024 is what the exact causal count gives for $L = 3$ (table above).
#
# The rule (`paperlib.related.verdicts.hkt_cost`): **reproduced** when, under the quadratic cost model,
# $\rho(3) = 21/16$ exactly, $L = 3$ is the level count giving 1.3125, $\sup_L\rho(L) = 4/3$ and every checked
# $\rho(L)$ stays below it; **partially reproduced** when only one of the two numbers holds; **not reproduced**
# when neither does. The figure below is its evidence.

# %%
hkt_result = related_verdicts.hkt_cost(rho_3=r3, sup_rho=ratio_limit("quadratic"), all_below=below,
                                       L_matching=L_1_3125["quadratic"])
_ = ch.record(hkt_result, evidence="figure hkt_cost_vs_L; tables hkt_cost_ratios, hkt_cost_finite_T")

# %% tags=["hide-input"]
fig, ax = plt.subplots()
Ls = np.arange(1, HKT_L_MAX + 1)
ax.plot(Ls, [float(ratio_closed_form(int(L))) for L in Ls], "o-", label=r"$\sum_{l<L}4^{-l}$ ($T\to\infty$)")
for T in HKT_T:
    g = fin[fin["T"] == T]
    ax.plot(g["L"], g["causal_ratio"], ".--", lw=1, label=f"exact causal count, $T$ = {T}")
ax.axhline(float(HKT_BOUND), color="k", lw=0.8, label=f"abstract's bound: {HKT_BOUND}")
ax.plot([3], [float(HKT_RHO_L3)], "r*", ms=12, label=f"abstract: {float(HKT_RHO_L3)} at $L$ = 3")
ax.set(xlabel="levels $L$", ylabel="cost / standard attention", ylim=(0.95, 1.45))
ch.verdict_subtitle(ax, hkt_result, title="HKT-COST: cost with 2x causal downsampling per level")
ax.legend(fontsize=8)
ch.savefig(fig, "hkt_cost_vs_L")
plt.show()

# %% [markdown]
# ### What we found
#
# Both of the abstract's numbers are exact consequences of one cost model (a level's cost is its own score
# matrix, $L$ counts the full-resolution level): $\rho(3) = 21/16$ and $\sup_L \rho(L) = 4/3$. Other readings
# of "cost" give neither number, the bound is asymptotic in $T$, and the downsampling layers' own cost is
# left out of it.

# %% tags=["finding", "remove-input"]
fin3 = fin[fin["L"] == 3].set_index("T")["causal_ratio"]
reached = {T: L for T, L in first.items() if L is not None}
ch.finding(f"""Under the quadratic model $\\rho(3)$ = {r3} = {float(r3)} and $\\sup_L\\rho(L)$ =
{ratio_limit('quadratic')}, while the cross model gives $\\rho(3)$ = {ratio_closed_form(3, 'cross')} and a limit of
{ratio_limit('cross')}. Counted exactly, a causal sequence at $L$ = 3 costs {fin3.min():.4f}–{fin3.max():.4f} times
standard attention for $T$ = {min(fin3.index):,} to {max(fin3.index):,}; the bound {HKT_BOUND} is reached
{'at finite $T$ for ' + ', '.join(f'$T$ = {T:,} from $L$ = {L}' for T, L in reached.items()) if reached
 else f'for none of the $T$ checked up to $L$ = {HKT_L_MAX}'}.""")

# %% tags=["nbval-ignore-output", "headline-quote", "remove-input"]
quote_headline("HKT-COST")

# %% [markdown]
# ### Verdict HKT-OVERHEAD
#
# The abstract's experiments (ListOps at $T$ = 512, sequential CIFAR-10 and IMDB at $T$ = 1,024) run "all at 1.31x
# overhead", a measured number of the authors' models, which the abstract does not give: it cannot be re-timed
# here. What can be checked is whether it is what the cost theory gives at those lengths. The rule
# (`paperlib.related.verdicts.hkt_overhead`): the printed 1.31 stands for $[1.305, 1.315]$; **reproduced** when
# the exact causal score-entry ratio at $L = 3$ lies in it at every experiment $T$, **not reproduced** otherwise.
# The same count with the downsampling convolutions ($d$ = `HKT_D_HEAD`) is shown beside; it does not decide.

# %%
T_exp = related_verdicts.HKT_EXPERIMENT_T
over = related_verdicts.hkt_overhead(count_ratios={T: exact_cost_ratio(T, 3) for T in T_exp},
                                     with_downsampling={T: exact_cost_ratio(T, 3, downsample_cost=HKT_D_HEAD)
                                                        for T in T_exp})
_ = ch.record(over, evidence="table hkt_cost_finite_T; figure hkt_cost_vs_L")
ch.show(pd.DataFrame([{"T": T, "score entries": float(exact_cost_ratio(T, 3)),
                       "with downsampling": float(exact_cost_ratio(T, 3, downsample_cost=HKT_D_HEAD))} for T in T_exp]),
        floatfmt="{:.4f}", caption="Exact causal cost ratio at L = 3 at the experiments' sequence lengths")

# %% [markdown]
# ### What we found
#
# The reported overhead sits on the score-entry count, not on the count with the downsampling layers.

# %% tags=["finding", "remove-input"]
ch.finding(f"""At $L$ = 3 the exact causal count gives {', '.join(f'{float(exact_cost_ratio(T, 3)):.4f} at $T$ = {T:,}'
for T in T_exp)}; the abstract reports {float(related_verdicts.HKT_OVERHEAD)}: **{over.verdict}**. Counting the
downsampling convolutions ($d$ = {HKT_D_HEAD}) would give {', '.join(f'{float(exact_cost_ratio(T, 3, downsample_cost=HKT_D_HEAD)):.4f}'
for T in T_exp)}: a wall-clock overhead equal to the bare score count leaves no room for them.""")

# %% tags=["nbval-ignore-output", "headline-quote", "remove-input"]
quote_headline("HKT-OVERHEAD")


# %% [markdown]
# ## 7 · HKT Proposition 3.1: a positive semidefinite kernel
#
# The abstract: "the hierarchical score matrix defines a positive semidefinite kernel under a sufficient condition
# on the symmetrised bilinear form". It gives no equations; our reading (`paperlib.related.hkt_kernel`): level $l$
# holds the sequence downsampled $2^l$ times by causal block means, $X_l$; its scores are the bilinear form
# $S_l = X_l A_l X_l^\top$ with $A_l = W_Q W_K^\top$ (asymmetric); they are broadcast back to full resolution by
# $U_l$ and mixed with convex weights: $S = \sum_l \alpha_l U_l S_l U_l^\top$. The quadratic form $v^\top S v$
# sees only $\tfrac12(S + S^\top) = \sum_l \alpha_l (U_l X_l)\,\tfrac12(A_l + A_l^\top)\,(U_l X_l)^\top$, so
# the condition read here is: every symmetrised form $\tfrac12(A_l + A_l^\top)$ is positive semidefinite.
#
# The rule (`paperlib.related.verdicts.hkt_psd`): over `PSD_N` random instances meeting the condition, the smallest
# eigenvalue of $\tfrac12(S+S^\top)$ over its largest absolute eigenvalue must stay above $-10^{-10}$
# (**reproduced**); one below is a counterexample (**refuted**). The same number over instances violating the
# condition is shown beside: it says whether the condition is needed.

# %%
with_c = psd_trials(SEED, PSD_N, T=PSD_T, d=PSD_D, L=PSD_L, condition=True)
without_c = psd_trials(SEED + 1, PSD_N, T=PSD_T, d=PSD_D, L=PSD_L, condition=False)
psd = related_verdicts.hkt_psd(min_eig_condition=min(with_c), min_eig_without=min(without_c), n=PSD_N,
                               shape=f"T = {PSD_T}, d = {PSD_D}, L = {PSD_L}")
psd_table = pd.DataFrame({"symmetrised forms": ["PSD (the condition)", "indefinite"],
                          "smallest relative eigenvalue": [min(with_c), min(without_c)],
                          "instances with one below -1e-10": [sum(x < -1e-10 for x in with_c),
                                                              sum(x < -1e-10 for x in without_c)]})
_ = ch.save_table(psd_table, "hkt_psd_eigenvalues")
_ = ch.record(psd, evidence="table hkt_psd_eigenvalues")
# an eigenvalue at rounding level is shown as such: its last digits depend on the CPU's kernels
at_rounding = lambda x: "0 (rounding)" if abs(x) < 1e-12 else f"{x:.2g}"  # noqa: E731
ch.show(psd_table, formats={"smallest relative eigenvalue": at_rounding}, caption=f"Smallest eigenvalue of the symmetrised hierarchical score over "
                                              f"{PSD_N} instances each (T = {PSD_T}, d = {PSD_D}, L = {PSD_L})")

# %% [markdown]
# ### What we found
#
# Under our reading the proposition is a one-line identity, and the numbers agree with it.

# %% tags=["finding", "remove-input"]
ch.finding(f"""With PSD symmetrised forms the smallest relative eigenvalue over {PSD_N} instances is
{at_rounding(min(with_c))}; with indefinite ones it reaches {min(without_c):.2f} in
{sum(x < -1e-10 for x in without_c)} of {PSD_N} instances: the condition is
{'needed' if min(without_c) < -1e-10 else 'not shown to be needed'}. Proposition 3.1 under this reading:
**{psd.verdict}**.""")

# %% tags=["nbval-ignore-output", "headline-quote", "remove-input"]
quote_headline("HKT-PSD")


# %% [markdown]
# ## 8 · HKT Proposition 3.4: attention and causal convolution as special cases
#
# The abstract: "HKT strictly subsumes single-head standard attention and causal convolution". The rule
# (`paperlib.related.verdicts.hkt_subsumes`) is fixed by the verdict policy before looking: a property true by
# construction earns nothing. With one level and convex weight 1, any reading of HKT *is* single-head
# attention, so that half says nothing about the paper's design. Whether a causal convolution is a special
# case depends on the trainable downsampling, the output rule and the positional scheme, none of which the
# abstract defines: one softmax head mixes values with non-negative weights that sum to 1, while a convolution
# kernel may be negative or unnormalised, so the answer changes with those undefined parts.

# %%
_ = ch.record(related_verdicts.hkt_subsumes(), evidence="the abstract's Proposition 3.4 (no equations given)")

# %% [markdown]
# ### What we found
#
# Nothing measurable: the half that any reading satisfies is true by construction, and the other half depends on
# parts of the model the abstract leaves undefined. The claim is registered so that the ledger says so.

# %% tags=["nbval-ignore-output", "headline-quote", "remove-input"]
quote_headline("HKT-SUBSUMES")


# %% [markdown]
# ## 9 · The other abstracts of the feed
#
# None of the feed's other abstracts is registered as a claim: APJN signal propagation in normalisation-free
# transformers (needs deep ViTs), Homogenized Transformers (limit theorems without a finite checkable number),
# In-Place Test-Time Training (4B-parameter models, 128k contexts), Cactus speculative sampling (verifier LLMs),
# Task Ecologies (no quantitative claim we can re-measure without their setup), the Geometric Alignment Tax
# (14 biological foundation models), Sinkhorn Transformer (an existence theorem) and stochastic approximation
# (an analytic framework). The HKT abstract's accuracy results (ListOps, sequential CIFAR-10, IMDB) need
# training the authors' model and are not registered either; its cost, its reported overhead and Proposition 3.1
# are checked above.

# %% [markdown]
# Verdicts of this run that differ from the headline (none in a published run):

# %% tags=["nbval-ignore-output", "headline-quote", "remove-input"]
ch.beside_headline()

# %% tags=["nbval-ignore-output", "remove-input"]
print(ch.footer())
