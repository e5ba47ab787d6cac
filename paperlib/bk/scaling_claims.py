"""Notebook 15's measurements: Table 6's training throughput (BK-T6-TPUT) and the forward-time scaling fits of
Tables 3 and 7 beside the exact operation counts (BK-T3-ON, BK-T7-FIT).

Each function takes the notebook's parameters under their parameter-cell names (``P["T6_SEQS"]``, ...) and the
device and returns a :class:`paperlib.common.verdicts.Measurement`; notebook 15 and the GPU run
(``paperlib.companion.gpu_run``) both call it. Tables 6 and 7 are GPU wall-clock claims: off CUDA or away from the
paper's model size their rules return ``pending``. Table 3 is decided from the operation count, on any device.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from paperlib.bk import configs as bk_configs
from paperlib.bk import paper
from paperlib.bk import verdicts as bk_verdicts
from paperlib.bk.bench import decided_class, fit_complexity, forward_time, op_counts, train_throughput
from paperlib.common.runtime import on_cuda
from paperlib.common.stats import fit_linear
from paperlib.common.verdicts import Measurement

__all__ = ["MODELS", "CONTROL_MODEL", "PAPER_FIT_NS", "paper_size", "model_overrides", "t6_tput", "complexity",
           "grad_counts"]

MODELS = {"baseline": "table5_baseline", "phase1": "table5_phase1"}
CONTROL_MODEL = "s44_dense_attention"  # causal attention of the same width/depth: the O(N^2) positive control
PAPER_FIT_NS = sorted(paper.TABLE6["baseline"])  # Table 7 fits the timings at Table 6's lengths


def paper_size(P: Mapping[str, Any]) -> bool:
    """Whether the notebook's model size (``VOCAB``, ``D_MODEL``, ``N_LAYERS``) is the paper's Tables 5-7 model."""
    cfg = bk_configs.model_kwargs(MODELS["baseline"])[1]
    return (P["VOCAB"], P["D_MODEL"], P["N_LAYERS"]) == (cfg["vocab_size"], cfg["d_model"], cfg["n_layers"])


def model_overrides(P: Mapping[str, Any]) -> dict:
    return dict(vocab_size=P["VOCAB"], d_model=P["D_MODEL"], n_layers=P["N_LAYERS"])


def t6_tput(P: Mapping[str, Any], *, device) -> Measurement:
    """Table 6 (BK-T6-TPUT): training tokens/s (forward + cross-entropy + backward + AdamW, median of ``T6_STEPS``
    timed steps after one warm-up) of the baseline and Phase 1 at each length in ``T6_SEQS``, and the mean
    Phase-1/baseline ratio the rule judges."""
    rows = []
    for lab, name in MODELS.items():
        for T in P["T6_SEQS"]:
            r = train_throughput(name, batch=P["BATCH"], seq_len=T, steps=P["T6_STEPS"], warmup=1, device=device,
                                 seed=P["SEED"], overrides={**model_overrides(P), "seq_len": T})
            rows.append({"model": lab, **r})
    t6 = pd.DataFrame(rows)
    piv = t6.pivot(index="seq_len", columns="model", values="train_tokens_per_s")
    ratio = piv["phase1"] / piv["baseline"]
    res = bk_verdicts.bk_t6_tput(float(ratio.mean()), on_cuda=on_cuda(device),
                                 paper_size=paper_size(P))
    return Measurement(tables={"bk_table6": t6.round(4)}, verdicts=[res], evidence={res.claim: "table bk_table6"},
                       notes=dict(raw=t6, ratio=ratio))


def _three_point_r2(g: pd.DataFrame) -> dict:
    """R^2 of t = a f(N) + b, f in {N, N log2 N}, through the medians at the paper's three lengths (when measured)."""
    three = g[g.seq_len.isin(PAPER_FIT_NS)]
    if three.seq_len.nunique() != len(PAPER_FIT_NS):
        return {}
    tm = three.groupby("seq_len")["seconds"].median()
    n = tm.index.values.astype(float)
    return {cls: fit_linear(x, tm.values)["r2"] for cls, x in (("O(N)", n), ("O(N log N)", n * np.log2(n)))}


def complexity(P: Mapping[str, Any], *, device) -> Measurement:
    """Tables 3 and 7: forward (no grad) time at each length in ``FIT_SEQS`` (``FIT_REPEATS`` repeats) of the
    baseline, Phase 1 and (``CONTROL``) the dense-attention control, fitted by :func:`paperlib.bk.bench.fit_complexity`
    with the BIC class :func:`paperlib.bk.bench.decided_class`; and the exact forward operation count at ``OP_SEQS``
    (batch 1, on CPU). Decides BK-T3-ON (from the count; the wall-clock exponent and class beside it) and BK-T7-FIT
    (from the decided classes; the count classes beside it)."""
    names = dict(MODELS)
    if P["CONTROL"]:
        names["dense_attention"] = CONTROL_MODEL
    ovr = model_overrides(P)
    times = pd.concat([forward_time(name, P["FIT_SEQS"], batch=P["BATCH"], repeats=P["FIT_REPEATS"], device=device,
                                    seed=P["SEED"], overrides={**ovr, "seq_len": max(P["FIT_SEQS"])}).assign(model=lab)
                       for lab, name in names.items()], ignore_index=True)
    fits, decided, three = [], {}, {}
    for lab, g in times.groupby("model", sort=False):
        f = fit_complexity(g["seq_len"].values, g["seconds"].values)
        decided[lab] = decided_class(f)
        fits.append(f.rename(columns={"model": "fit"}).assign(model=lab))
        three[lab] = _three_point_r2(g)
    fits = pd.concat(fits, ignore_index=True)
    pexp = fits[fits.fit == "power law c N^p"].set_index("model")["exponent"].astype(float).to_dict()

    ops = pd.concat([op_counts(name, P["OP_SEQS"], batch=1, overrides={**ovr, "seq_len": max(P["OP_SEQS"])},
                               seed=P["SEED"]).assign(model=lab)
                     for lab, name in {**MODELS, "dense_attention": CONTROL_MODEL}.items()], ignore_index=True)
    ops["ops_per_token"] = ops["total"] / ops["seq_len"]
    count_cls = {lab: bk_verdicts.count_class(g["seq_len"], g["total"]) for lab, g in ops.groupby("model", sort=False)}
    cnt = {lab: g["total"].tolist() for lab, g in ops.groupby("model", sort=False)}

    v_t3 = bk_verdicts.bk_t3_on(P["OP_SEQS"], cnt["baseline"], cnt["dense_attention"], wall_exponent=pexp["baseline"],
                                wall_class=decided["baseline"])
    v_t7 = bk_verdicts.bk_t7_fit(decided["baseline"], decided["phase1"], on_cuda=on_cuda(device),
                                 paper_size=paper_size(P), baseline_exponent=pexp["baseline"],
                                 phase1_exponent=pexp["phase1"],
                                 count_classes=(count_cls["baseline"][0], count_cls["phase1"][0]))
    return Measurement(
        tables={"bk_table7_fits": fits.round(6), "bk_op_counts": ops},
        verdicts=[v_t3, v_t7],
        evidence={v_t3.claim: "table bk_op_counts; table bk_table7_fits", v_t7.claim: "table bk_table7_fits; table bk_op_counts"},
        notes=dict(times=times, fits=fits, decided=decided, exponents=pexp, three_point_r2=three, count_classes=count_cls,
                   ops=ops))


def grad_counts(P: Mapping[str, Any]) -> Measurement:
    """Section 4.4's "O(N) gradient computation" (BK-S44-GRAD): the exact operation count of the backward pass
    (:func:`paperlib.bk.bench.op_counts` with ``backward=True``, batch 1, on CPU) of the ResNet-BK baseline and the
    dense-attention control at each length in ``GRAD_SEQS``, judged by the count class as BK-T3-ON judges the
    forward pass. Counts do not depend on the device."""
    ovr = {**model_overrides(P), "seq_len": max(P["GRAD_SEQS"])}
    ops = pd.concat([op_counts(name, P["GRAD_SEQS"], batch=1, overrides=ovr, seed=P["SEED"], backward=True).assign(model=lab)
                     for lab, name in (("baseline", MODELS["baseline"]), ("dense_attention", CONTROL_MODEL))],
                    ignore_index=True)
    ops["ops_per_token"] = ops["total"] / ops["seq_len"]
    cnt = {lab: g["total"].tolist() for lab, g in ops.groupby("model", sort=False)}
    res = bk_verdicts.bk_s44_grad(P["GRAD_SEQS"], cnt["baseline"], cnt["dense_attention"])
    return Measurement(tables={"bk_grad_op_counts": ops}, verdicts=[res], evidence={res.claim: "table bk_grad_op_counts"},
                       notes=dict(ops=ops, classes={lab: bk_verdicts.count_class(P["GRAD_SEQS"], c) for lab, c in cnt.items()}))
