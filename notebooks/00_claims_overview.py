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
# # A reproducible companion to four papers: the claims and their verdicts
#
# This companion re-implements, from their equations, the systems described in
#
# | paper | what it proposes | chapters |
# |---|---|---|
# | **SCN and HurNetTorch** (Varriano; English and Portuguese editions) | answer by *semantic comparison* with stored (prompt, answer) pairs instead of backprop training; a layer fitted in closed form by least squares | `01`–`03` |
# | **ResNet-BK** (Arai, 2025) | an O(N) language model whose token mixing is the diagonal of a resolvent of a tridiagonal operator, with Birman–Schwinger theory, a Prime-Bump initialisation, a "GUE fit" and memory-saving "Phase 1" layers | `10`–`16` |
# | **OktoSemantic / SCTA** (de Oliveira) | contrastive sampled training that avoids the O(V) softmax for huge vocabularies | `20`–`22` |
# | **Related theory** (a feed of abstracts) | OLS as a single-layer linear Transformer; the cost of Hierarchical Kernel Transformers | `30` |
#
# Every checkable claim of the papers has a stable ID in the **claims registry** (`data/claims/*.yaml`).
# Each chapter notebook measures the claims it owns and records a result with a verdict:
#
# * `reproduced` — the measured value agrees with the paper within the stated tolerance;
# * `partially-reproduced` — the direction holds but not the size, or only in some settings;
# * `not-reproduced` — measured honestly in the stated (or closest feasible) setting, and it does not hold;
# * `refuted` — a mathematical statement shown false;
# * `not-testable` — no measurable content, or it needs something that cannot exist here;
# * `pending` — registered, not yet measured (e.g. it needs a GPU run).
#
# `make figures` runs every notebook under a **profile** (`smoke`: seconds, `cpu`: reduced sizes for a
# 2-core laptop, `paper`: the papers' configurations, for a GPU) and aggregates the results into
# `figures/claims.json` and `figures/CLAIMS.md`. A claim's headline result is its most faithful run
# (paper > cpu > smoke); absolute times and memory always carry the device they were measured on.
#
# **How to read a chapter.** Each section opens with the claim in the paper's words, then the equation,
# the code that tests it (a call into `paperlib`), the result, and the verdict it records.

# %% tags=["parameters"]
PROFILE = "smoke"

# %%
import pandas as pd
from IPython.display import Markdown, display

from paperlib.companion import ledger

registry = ledger.load_registry()
per_paper = pd.Series([c.paper for c in registry.values()]).value_counts().reindex(list(ledger.PAPERS), fill_value=0)
print(f"{len(registry)} claims registered")
print(per_paper.to_string())

# %% [markdown]
# ## The live ledger
#
# The table below is built from whatever results exist when this notebook runs (in `make figures` it runs
# last, after every chapter). Verdict counts per paper, then every claim with the paper's value beside the
# measured one and a link to the notebook that decides it.

# %% tags=["nbval-ignore-output"]
table = ledger.aggregate(registry)
ledger.verdict_counts(table)

# %% tags=["nbval-ignore-output"]
def _row(r):
    run = f"{r['profile']} / {r['device']}" if r.get("profile") else "—"
    return {"id": r["id"], "paper": r["paper"], "paper value": r["paper_value"],
            "measured": r["measured_value"], "verdict": r["verdict"], "reason": r["reason"],
            "notebook": f"[{r['notebook']}]({r['notebook']}.ipynb)", "run": run}


display(Markdown(pd.DataFrame([_row(r) for r in table]).to_markdown(index=False)))

# %% [markdown]
# Claims with no verdict yet are listed here; a GPU-only claim stays `pending` until a `paper`-profile run
# on a GPU records it.

# %% tags=["nbval-ignore-output"]
pending = [r["id"] for r in table if r["verdict"] == "pending"]
print(f"{len(pending)} pending:", ", ".join(pending) if pending else "none")
