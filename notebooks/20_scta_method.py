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
# # 20 · SCTA: the semantic contrastive loss beside cross-entropy and sampled softmax
#
# *OktoSemantic Training* (de Oliveira, 2024) replaces the full softmax over a vocabulary of $V$ tokens by
# a contrastive loss in a small "semantic" space. In the paper's words, the loss cost becomes
# **"$O(K \cdot D_\text{sem})$ instead of $O(V)$"**. For a hidden state $h_t$ and target $y_t$:
#
# $$z_t = \frac{W_\text{sem} h_t}{\lVert W_\text{sem} h_t \rVert},\quad e_i = \frac{E_\text{sem}[i]}{\lVert E_\text{sem}[i]\rVert},\quad
# \ell_\text{sem} = -\log \frac{\exp(z_t\cdot e_{y_t}/\tau)}{\exp(z_t\cdot e_{y_t}/\tau) + \sum_{j=1}^{K}\exp(z_t\cdot e_{n_j}/\tau)}$$
#
# with $D_\text{sem}=64$, $K=32$ negatives and $\tau=0.07$. This is the InfoNCE loss (van den Oord et al., 2018)
# on a cosine score, a member of the sampled-softmax family (Jean et al., 2015). The paper does not say how
# negatives are drawn; `paperlib.scta` makes the proposal (uniform | unigram), sharing (per token | per batch),
# replacement and positive exclusion parameters. Defaults used in this chapter: uniform over the whole
# output space, $K$ per token, with replacement, positive excluded by rejection.
#
# The two baselines a practitioner would use beside naive cross-entropy (logits materialised):
#
# * **chunked linear cross-entropy**: the exact CE loss computed a block of rows at a time, never holding the
#   $N\times V$ logits (`torch.nn.functional.linear_cross_entropy` where this torch has it, else our own
#   autograd function); cost still $O(NVd)$, memory $O(\text{chunk}\cdot V)$.
# * **sampled softmax with the log-Q correction** (Jean et al., 2015): logits of $K$ negatives drawn from $q$
#   are corrected by $-\log(Kq(j))$ and accidental hits are removed; then
#   $\mathbb{E}[e^{\ell}] = e^{\ell_\text{CE}}$ exactly (checked by brute-force enumeration in `tests/scta/test_scta.py`).

# %% tags=["parameters"]
NOTEBOOK = "20_scta_method"
PROFILE = "smoke"
OUTPUT_ROOT = ""
SEED = 0
K = 32
TAU = 0.07
D_SEM = 64
CHANCE_VS = [1000, 10000, 100000]
LOSS_N = 256
LOSS_VS_CE = [2000, 8000]
LOSS_VS_SCTA = [2000, 8000, 32000]
REPEATS = 3
THREADS = 1

# %% tags=["hide-input"]
import math

import matplotlib.pyplot as plt
from matplotlib.ticker import NullLocator
import numpy as np
import pandas as pd
import torch

from paperlib import scta
from paperlib.scta import loss_cost
from paperlib.scta.verdicts import EXPONENT_MAX
from paperlib.scta.paper import PAPER_CE_LOSS, PAPER_SEM_LOSS
from paperlib.scta.methods import vocab_label
from paperlib.common import figures
from paperlib.companion.headline import quote_headline
from paperlib.companion.chapter import open_chapter

ch = open_chapter(globals())
torch.set_num_threads(THREADS)
DEVICE = ch.device

# %% [markdown]
# ## 1. The three losses on the same hidden states, and their gradients
#
# Float64 checks against independent references: the chunked CE (both implementations) against
# `F.cross_entropy` on materialised logits (the row "chunked CE (torch)" appears where this torch has
# `torch.nn.functional.linear_cross_entropy`), and `torch.autograd.gradcheck` of our chunked autograd function
# and of the SCTA loss.

# %%
g = torch.Generator().manual_seed(SEED)
N, d, V = 48, 16, 500
h = torch.randn(N, d, dtype=torch.float64, generator=g, requires_grad=True)
W = (0.3 * torch.randn(V, d, dtype=torch.float64, generator=g)).requires_grad_()
b = torch.zeros(V, dtype=torch.float64, requires_grad=True)
y = torch.randint(0, V, (N,), generator=g)
ref = torch.nn.functional.cross_entropy(h @ W.t() + b, y)
ref_g = torch.autograd.grad(ref, (h, W, b))
rows = []
impls = ["own"] + (["torch"] if scta.HAS_TORCH_LCE else [])
for impl in impls:
    val = scta.chunked_linear_cross_entropy(h, W, y, b, chunk=7, impl=impl)
    gr = torch.autograd.grad(val, (h, W, b))
    err_v = abs(float(val.detach() - ref.detach()))
    err_g = max(float((a - c).abs().max()) for a, c in zip(gr, ref_g))
    rows.append({"loss": f"chunked CE ({impl})", "value": f"{float(val.detach()):.6f}",
                 "|value - CE| < 1e-12": err_v < 1e-12, "max |grad - CE grad| < 1e-12": err_g < 1e-12})
rows.append({"loss": "full CE (reference)", "value": f"{float(ref.detach()):.6f}"})
Wsem = torch.randn(D_SEM, d, dtype=torch.float64, generator=g, requires_grad=True)
Esem = torch.randn(V, D_SEM, dtype=torch.float64, generator=g, requires_grad=True)
sampler = scta.NegativeSampler(V)
neg = scta.sample_negatives(sampler, y, K, shared=False, replacement=True, exclude_positive=True, generator=g)
sem = scta.scta_loss(h @ Wsem.t(), Esem[y], Esem[neg], TAU)
rows.append({"loss": f"SCTA (K={K}, tau={TAU})", "value": f"{float(sem.detach()):.6f}"})
negs = sampler.draw((K,), "cpu", g)
ss = scta.sampled_softmax_loss(h, W[y], b[y], W[negs], b[negs], sampler.prob(negs), K, negs[None] == y[:, None])
rows.append({"loss": f"sampled softmax (K={K}, log-Q; one draw)", "value": f"{float(ss.detach()):.6f}"})
ch.show(pd.DataFrame(rows), caption=f"The losses on the same {N} hidden states (V = {V}, d = {d}, float64)")

# %%
hs, Ws, bs = h[:6].detach().requires_grad_(), W[:9].detach().requires_grad_(), b[:9].detach().requires_grad_()
ys = y[:6] % 9
ok_chunk = torch.autograd.gradcheck(lambda a, w, c: scta.chunked_linear_cross_entropy(a, w, ys, c, 4, "own"), (hs, Ws, bs))
zs = torch.randn(6, 5, dtype=torch.float64, generator=g, requires_grad=True)
ep = torch.randn(6, 5, dtype=torch.float64, generator=g, requires_grad=True)
en = torch.randn(6, 4, 5, dtype=torch.float64, generator=g, requires_grad=True)
ok_sem = torch.autograd.gradcheck(lambda a, p, n: scta.scta_loss(a, p, n, TAU), (zs, ep, en))
ch.finding(f"`torch.autograd.gradcheck` of our chunked CE autograd function: **{ok_chunk}**; "
           f"of the SCTA loss: **{ok_sem}**.")

# %% [markdown]
# ### Try it: Write it yourself: the SCTA Stage-1 loss
#
# Write the paper's Stage-1 loss for one token from its equation, with $z$ and the embeddings normalised, average
# it over tokens, and check it against `paperlib.scta.losses.scta_loss` (shared and per-token negatives). What is
# its value when all embeddings coincide?
#
# Solution: `notebooks/exercises/20_scta_method__write_loss.py`

# %% [markdown]
# ## 2. Why an SCTA loss value cannot be compared with a CE loss value
#
# The paper reports final training losses of CE and of SEMANTIC (below the table) and reads the smaller
# SEMANTIC numbers as "lower loss values". The two numbers measure different problems: CE is a $V$-way
# classification (chance level $\log V$), SCTA is a $(K{+}1)$-way discrimination against $K$ random negatives
# (chance level $\log(K{+}1)$, whatever $V$ is). With uniform negatives from a large $V$, a model only has to
# tell the target from $K$ mostly rare, random tokens. Below: the closed-form chance levels and the losses of
# untrained models on random tokens (in nats).

# %%
chance = pd.DataFrame([scta.untrained_losses(V, K=K, tau=TAU, seed=SEED, d_sem=D_SEM) for V in CHANCE_VS])
_ = ch.save_table(chance, "scta_chance_levels")
ch.show(chance, floatfmt="{:.3g}", caption=f"Chance levels and untrained losses (nats), K = {K}")

# %% tags=["remove-input"]
# the paper's final training losses (README, Key Findings 4; paperlib.scta.paper), read as probabilities
p_sem = [math.exp(-PAPER_SEM_LOSS[1]), math.exp(-PAPER_SEM_LOSS[0])]
p_ce = [math.exp(-PAPER_CE_LOSS[1]), math.exp(-PAPER_CE_LOSS[0])]
ch.finding(f"The paper's final SEMANTIC losses, {PAPER_SEM_LOSS[0]}–{PAPER_SEM_LOSS[1]} nats, mean that the target "
           f"gets {p_sem[0]:.2f}–{p_sem[1]:.2f} of the probability among its {K + 1} candidates (chance: "
           f"$\\log(K+1) = {math.log(K + 1):.2f}$); its final CE losses, {PAPER_CE_LOSS[0]}–{PAPER_CE_LOSS[1]} nats, "
           f"mean {p_ce[0]:.4f}–{p_ce[1]:.4f} on the target among all $V$. Neither number says which model "
           "predicts the next token better.")

# %% tags=["hide-input"]
Vgrid = np.logspace(3, 6, 30)
fig, ax = plt.subplots(figsize=(8.5, 4))
ax.plot(Vgrid, np.log(Vgrid), label=r"CE at chance: $\log V$")
ax.axhline(math.log(K + 1), color="C1", label=f"SCTA at chance: $\\log(K+1)$, $K$ = {K}")
ax.plot(chance["V"], chance["untrained_ce"], "o", color="C0", label="untrained model, CE")
ax.plot(chance["V"], chance["untrained_scta"], "s", color="C1", label="untrained model, SCTA")
ax.axhspan(*PAPER_CE_LOSS, color="C0", alpha=0.15,
           label=f"paper: final CE losses {PAPER_CE_LOSS[0]}-{PAPER_CE_LOSS[1]} (Key Findings 4)")
ax.axhspan(*PAPER_SEM_LOSS, color="C1", alpha=0.15,
           label=f"paper: final SEM losses {PAPER_SEM_LOSS[0]}-{PAPER_SEM_LOSS[1]} (Key Findings 4)")
ax.set_xscale("log"); ax.set_xlabel("vocabulary size V (tokens)"); ax.set_ylabel("loss per token (nats)")
ax.set_title("Loss scales of the two objectives differ by construction")
ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))  # beside the data, not on it
_ = ch.savefig(fig, "scta_loss_chance_levels")
plt.show()

# %% [markdown]
# ## 3. Claim SCTA-COMPLEXITY: the loss costs $O(K\cdot D_\text{sem})$, independent of $V$
#
# A complexity claim is decided by an operation count, not by a clock: we count the elements written by every
# tensor operation of one forward and backward pass of the output loss alone (given $N$ hidden states; views
# excluded; `paperlib.scta.loss_cost.loss_work`), for full CE and for SCTA (its table $E_\text{sem}$ as a
# sparse-gradient embedding, so that only the gathered $N(K{+}1)$ rows are touched), as $V$ grows. The count
# does not depend on the device. The scaling exponent is the slope of log count against log V. The rule
# (`paperlib.scta.verdicts.scta_complexity`), fixed before measuring: reproduced when the SCTA loss's exponent
# is below `EXPONENT_MAX` (CE's is 1), not reproduced otherwise. The wall-clock of the same computations
# is measured beside it (supporting evidence, device-dependent). The per-step cost of *training*, which also
# includes the V-row tables and their optimizer, is chapter 21's subject.

# %%
work = pd.DataFrame([{"method": m, "V": V, "elements": loss_cost.loss_work(m, V, N=LOSS_N, d_sem=D_SEM, K=K,
                                                                          tau=TAU, seed=SEED)}
                     for m, Vs in (("ce", LOSS_VS_CE), ("scta", LOSS_VS_SCTA)) for V in Vs])
work_exps = loss_cost.exponents(work, "elements")
_ = ch.save_table(work, "scta_loss_work_vs_vocab")
exp_text = lambda a: f"{round(a, 2) + 0.0:.2f}"  # noqa: E731  (no "-0.00")
ch.show(work.pivot(index="V", columns="method", values="elements").reset_index(), floatfmt="{:,.0f}",
        caption=f"Elements written by forward + backward of the loss alone, N = {LOSS_N} (a blank: not counted); "
                f"fitted exponents: CE V^{exp_text(work_exps['ce'])}, SCTA V^{exp_text(work_exps['scta'])}")

# %% tags=["nbval-ignore-output"]
cost = []
for method, Vs in (("ce", LOSS_VS_CE), ("chunked", LOSS_VS_CE), ("scta", LOSS_VS_SCTA)):
    for V in Vs:
        t = loss_cost.loss_only_time(method, V, N=LOSS_N, d_sem=D_SEM, K=K, tau=TAU, repeats=REPEATS,
                                      seed=SEED, threads=THREADS, device=str(DEVICE))
        cost.append({"method": method, "V": V, "seconds": t})
cost = pd.DataFrame(cost)
exps = loss_cost.exponents(cost, "seconds")
_ = ch.save_table(cost, "scta_loss_cost_vs_vocab")
ch.show(cost.assign(ms=cost["seconds"] * 1e3).pivot(index="V", columns="method", values="ms").reset_index(),
        floatfmt="{:.3g}", caption="Wall-clock of the loss alone, forward + backward (ms, median of "
        f"{REPEATS}); fitted exponents: " + ", ".join(f"{m} V^{exp_text(a)}" for m, a in exps.items()))

# %%
# the rule above, on the two tables (paperlib.scta.loss_cost.complexity_claim); its verdict is quoted below
complexity = loss_cost.complexity_claim(work, cost)
_ = ch.record(complexity, evidence="figure scta_loss_cost_vs_vocab; tables scta_loss_work_vs_vocab, "
                                    "scta_loss_cost_vs_vocab")

# %% [markdown]
# The figure: left, the operation count that decides the claim, with the two scalings it separates drawn
# through the smallest V (the paper's $O(K\cdot D_\text{sem})$, flat in $V$; and $O(V)$); right, the wall-clock
# of the same computations on this machine, supporting evidence only (chunked CE has the same count as CE).

# %% tags=["hide-input"]
name = {"ce": "CE (full logits)", "chunked": "chunked CE", "scta": "SCTA"}
fig, axs = plt.subplots(1, 2, figsize=(11, 4), sharex=True)
for m, s in work.groupby("method"):
    axs[0].plot(s["V"], s["elements"], "o-", color=f"C{list(name).index(m)}",
                label=f"{name[m]} ($\\sim V^{{{exp_text(work_exps[m])}}}$)")
w0 = {m: s.sort_values("V").iloc[0] for m, s in work.groupby("method")}
Vall = sorted(set(LOSS_VS_CE + LOSS_VS_SCTA))
Vline = np.array([Vall[0], Vall[-1]])
_ = figures.mark_paper(axs[0], y=w0["scta"]["elements"],
                       label=r"paper: $O(K\cdot D_\mathrm{sem})$, flat in $V$ (Complexity)")
axs[0].plot(Vline, w0["ce"]["elements"] * Vline / w0["ce"]["V"], ":", color="grey", label=r"guide: $O(V)$")
axs[0].set_ylabel(f"elements written, fwd+bwd (count), $N$ = {LOSS_N}")
ch.verdict_subtitle(axs[0], complexity, title="Operation count of the loss (decides)")
for m, s in cost.groupby("method"):
    axs[1].plot(s["V"], s["seconds"] * 1e3, "o-", color=f"C{list(name).index(m)}",
                label=f"{name[m]} ($\\sim V^{{{exp_text(exps[m])}}}$)")
axs[1].set_ylabel(f"loss fwd+bwd time (ms), $N$ = {LOSS_N}")
axs[1].set_title(f"Wall-clock on this {DEVICE.type} (supporting)")
for a in axs:
    a.set_xscale("log"); a.set_yscale("log"); a.set_xlabel("vocabulary size V (tokens)")
    a.set_xticks(Vall, [vocab_label(V) for V in Vall])
    a.xaxis.set_minor_locator(NullLocator())  # V ticks only: no crowded minor labels
    a.legend(fontsize=7, loc="upper left")
_ = ch.savefig(fig, "scta_loss_cost_vs_vocab")
plt.show()

# %% [markdown]
# ### What we found
#
# The statement is about the loss alone: training with dense $V$-row tables still costs $O(V)$ per step
# (notebook 21), and an SCTA loss value is not comparable with a CE loss value (section 2).

# %% tags=["finding", "remove-input"]
ws = work[work.method == "scta"].sort_values("V")
wc = work[work.method == "ce"].sort_values("V")
# the largest V counted for both (the profiles' CE grid can stop below SCTA's)
v_top = int(max(set(wc["V"]) & set(ws["V"])))
times_more = int(wc.loc[wc.V == v_top, "elements"].iloc[0]) / int(ws.loc[ws.V == v_top, "elements"].iloc[0])
ch.finding(f"""Over $V$ = {int(ws.V.iloc[0]):,} to {int(ws.V.iloc[-1]):,}, one forward and backward pass of the SCTA
loss writes between {int(ws.elements.min()):,} and {int(ws.elements.max()):,} elements: its count grows like
$V^{{{exp_text(work_exps['scta'])}}}$, {'below' if work_exps['scta'] < EXPONENT_MAX else 'not below'} the rule's
limit $V^{{{EXPONENT_MAX}}}$, while full CE's grows like $V^{{{exp_text(work_exps['ce'])}}}$: at $V$ = {v_top:,},
the largest $V$ counted for both, CE writes {times_more:.1f} times as many elements as SCTA. The paper's "$O(K \\cdot D_\\text{{sem}})$ instead of $O(V)$" {'holds' if work_exps['scta'] < EXPONENT_MAX else 'does not hold'} for the
loss.""")

# %% tags=["finding", "remove-input", "nbval-ignore-output"]
ch.finding(f"""On this machine's clock the same computations grow like $V^{{{exp_text(exps['scta'])}}}$ for SCTA,
$V^{{{exp_text(exps['ce'])}}}$ for CE and $V^{{{exp_text(exps['chunked'])}}}$ for chunked CE (supporting evidence
only: a clock depends on the device).
{ch.machine()}""")

# %% tags=["nbval-ignore-output", "headline-quote", "remove-input"]
quote_headline("SCTA-COMPLEXITY")


# %% [markdown]
# ### Try it: Change the number of negatives K
#
# Set `K` in the parameters cell to 8, then 128, and rerun sections 2 and 3. Watch `chance_scta` and
# `untrained_scta` in the chance-level table, and the `scta` rows of the loss-cost table and their exponent.
# What does K do to the scale of the SCTA loss, what does it do to its cost, and does the cost start to depend on V?
#
# Solution: `notebooks/exercises/20_scta_method__negatives_k.py`

# %% [markdown]
# Verdicts of this run that differ from the headline (none in a published run):

# %% tags=["nbval-ignore-output", "headline-quote", "remove-input"]
ch.beside_headline()

# %% tags=["nbval-ignore-output", "remove-input"]
print(ch.footer())
