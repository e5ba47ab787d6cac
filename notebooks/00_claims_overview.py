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
# What we learned from each paper comes first, then every claim with its headline verdict.

# %% tags=["parameters"]
NOTEBOOK = "00_claims_overview"
PROFILE = "smoke"
OUTPUT_ROOT = ""

# %% tags=["hide-input"]
import json

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from paperlib.common import paths
from paperlib.companion import ledger
from paperlib.companion.chapter import open_chapter
from paperlib.companion.story import key_figures, story

ch = open_chapter(globals())
registry = ledger.load_registry()
# where the published figures are, most faithful run first (paper > cpu)
PUBLISHED = [p for p in paths.MOST_FAITHFUL_FIRST if p in paths.PUBLISHED_PROFILES]


def show_story(paper):
    """A paper's story (Markdown rendered from the committed ledger), then thumbnails of its key figures,
    each from the most faithful published run that has it."""
    display(ch.finding(story(paper)))
    found = [next((f for f in (paths.FIGURES / p / f"{n}.png" for p in PUBLISHED) if f.is_file()), None)
             for n in key_figures(paper)]
    files = [f for f in found if f is not None]
    if not files:
        return ch.finding("No key figure of this paper is published yet.")
    images = [plt.imread(f) for f in files]
    widths = [im.shape[1] / im.shape[0] for im in images]
    height = min(2.6, 11 / sum(widths))  # one row, at most 11 inches wide
    fig, axes = plt.subplots(1, len(images), figsize=(height * sum(widths), height + 0.3), dpi=90, squeeze=False,
                             gridspec_kw={"width_ratios": widths})
    for ax, im, f in zip(axes[0], images, files):
        ax.imshow(im, interpolation="antialiased")
        ax.set_axis_off()
        ax.set_title(f"{f.stem} ({f.parent.name} run)", fontsize=8)
    plt.show()


# %% [markdown]
# ## What we learned, paper by paper
#
# Each paragraph is rendered from the committed ledger (`figures/claims.json`, the published headline verdicts)
# by `paperlib.companion.story`: a paper's claims grouped into the parts a reader thinks in, and for each part
# what its verdicts say. Below it, the figures that carry the paper's story, from its most faithful published
# run; each chapter shows them full size.

# %% [markdown]
# ### SCN and HurNetTorch (chapters 01–03)

# %% tags=["remove-input", "nbval-ignore-output"]
show_story("scn-hurnet")

# %% [markdown]
# ### ResNet-BK (chapters 10–16)

# %% tags=["remove-input", "nbval-ignore-output"]
show_story("resnet-bk")

# %% [markdown]
# ### OktoSemantic / SCTA (chapters 20–22)

# %% tags=["remove-input", "nbval-ignore-output"]
show_story("scta")

# %% [markdown]
# ### Related theory (chapter 30)

# %% tags=["remove-input", "nbval-ignore-output"]
show_story("related-theory")

# %% [markdown]
# ## How a claim gets its verdict
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
# (paper > cpu; smoke runs are never published); absolute times and memory always carry the device they were
# measured on.
#
# **How to read a chapter.** Each section opens with the claim in the paper's words, then the equation,
# the code that tests it (a call into `paperlib`), the result, and the verdict it records.

# %% [markdown]
# ## The headline verdicts (the committed ledger)
#
# These are the published results, quoted from `figures/claims.json` (the data behind `figures/CLAIMS.md`):
# each claim's headline is its most faithful published run (profile `paper` > `cpu`), never the smoke run
# of the stored chapters. `make figures` refreshes this notebook with the ledger, and a test checks that
# what is stored here equals `figures/claims.json`.

# %% tags=["nbval-ignore-output", "committed-ledger"]
committed = json.loads((paths.FIGURES / "claims.json").read_text(encoding="utf-8"))
ch.show(ledger.verdict_counts(committed), index=True,
        caption=f"Headline verdicts per paper: {len(committed)} claims in figures/claims.json")

# %% [markdown]
# Every claim in reading order (paper, chapter, section): what it says in one line, the paper's value beside
# ours, the headline verdict, the run it comes from, and links to the chapter and to the section that decides
# the claim in the published executed notebook of that run.

# %% tags=["nbval-ignore-output", "committed-ledger"]
def _md(x):  # a table cell: a `|` in a value would end the cell
    return "—" if x is None else str(x).replace("|", "\\|")


# the published chapters from where this copy lives: notebooks/ (smoke) or figures/<profile>/notebooks/
TO_FIGURES = "../../" if ch.profile in paths.PUBLISHED_PROFILES else "../figures/"


def _row(r):
    run = f"{r['profile']} / {r['device']}" if r.get("profile") else "—"
    return {"id": r["id"], "summary": _md(r.get("summary") or r["statement"]), "paper value": _md(r["paper_value"]),
            "measured": _md(r["measured_value"]), "headline verdict": r["verdict"], "run": run,
            "chapter": f"[{r['notebook']}]({r['notebook']}.ipynb)" + (
                f" · [section, {r['profile']} run]({TO_FIGURES}{r['profile']}/notebooks/{r['notebook']}.ipynb"
                f"#{ledger.claim_anchor(r['id'])})" if r.get("profile") in paths.PUBLISHED_PROFILES else "")}


display(Markdown(pd.DataFrame([_row(r) for r in committed]).to_markdown(index=False)))

# %% [markdown]
# Claims with no verdict yet; a GPU-only claim stays `pending` until a `paper`-profile run on a GPU records it.

# %% tags=["nbval-ignore-output", "committed-ledger"]
pending = [r["id"] for r in committed if r["verdict"] == "pending"]
print(f"{len(pending)} pending:", ", ".join(pending) if pending else "none")

# %% [markdown]
# ## Smoke verdicts found on this machine
#
# The stored chapters are smoke runs: tiny sizes, meant to run in seconds. Their verdicts are listed here
# beside the headline, each labelled; a smoke verdict may legitimately differ from the headline (too small
# to decide, or a different corpus). Which smoke results exist depends on what has been run here.

# %% tags=["nbval-ignore-output"]
smoke = {r["id"]: r for r in ledger.load_results([paths.output_dir("smoke") / "ledger"])}
headline = {r["id"]: r["verdict"] for r in committed}
rows = [{"id": cid, "smoke verdict": r["verdict"], "headline verdict": headline.get(cid, "—"),
         "same": r["verdict"] == headline.get(cid)} for cid, r in sorted(smoke.items())]
print(f"smoke results for {len(rows)} of {len(registry)} claims")
display(pd.DataFrame(rows, columns=["id", "smoke verdict", "headline verdict", "same"]))

# %% tags=["nbval-ignore-output", "remove-input"]
print(ch.footer())
