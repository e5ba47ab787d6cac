"""Notebook 22's measurements: equal-budget training of an objective from the chapter's parameters, and
SCTA-CONV over paired seeds (CE against SCTA + Stage 2 on the full-softmax yardstick)."""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from paperlib.common.verdicts import Measurement
from paperlib.scta import verdicts
from paperlib.scta.methods import CE_DENSE, method_label, parse_methods
from paperlib.scta.train import quality_run

__all__ = ["budget", "train_method", "conv_labels", "conv_claims", "seed_contrast"]


def budget(P: Mapping[str, Any], n_train_tokens: int) -> tuple[int, int]:
    """(steps, Stage-2 steps): `EPOCHS` and `STAGE2_EPOCHS` of the training tokens in batches of `BATCH` x `SEQ_LEN`
    (at least one step), the equal token budget every objective gets."""
    per_step = P["BATCH"] * P["SEQ_LEN"]
    return (max(1, math.ceil(P["EPOCHS"] * n_train_tokens / per_step)),
            math.ceil(P["STAGE2_EPOCHS"] * n_train_tokens / per_step))


def conv_labels(P: Mapping[str, Any]) -> tuple[str, str]:
    """(CE's label, SCTA's label) in notebook 22's runs: the two objectives SCTA-CONV compares."""
    return CE_DENSE, method_label("scta", dict(parse_methods(P["METHODS"])).get("scta", True))


def train_method(P: Mapping[str, Any], method: str, *, sparse: bool, data, device, seed: int | None = None,
                 eval_every: int | None = None) -> dict:
    """scta.train.quality_run of `method` at notebook 22's budget (`budget`; Stage 2 for SCTA only), `data` =
    (train_ids, valid_ids, V); seed and evaluation period default to `SEED` and `EVAL_EVERY`."""
    train_ids, valid_ids, V = data
    steps, stage2_steps = budget(P, len(train_ids))
    return quality_run(method, train_ids, valid_ids, V, steps,
                       stage2_steps=stage2_steps if method == "scta" else 0, batch=P["BATCH"],
                       seq_len=P["SEQ_LEN"], lr=P["LR"], stage2_lr=P["STAGE2_LR"], stage2_mode=P["STAGE2_MODE"],
                       stage2_init=P["STAGE2_INIT"], eval_every=P["EVAL_EVERY"] if eval_every is None else eval_every,
                       n_eval=P["EVAL_WINDOWS"], seed=P["SEED"] if seed is None else seed, sparse=sparse,
                       hidden=P["HIDDEN"], emb_dim=P["EMB_DIM"], device=str(device))


def conv_claims(P: Mapping[str, Any], *, data, device, runs: Mapping[str, dict]) -> Measurement:
    """SCTA-CONV: CE and SCTA (+ Stage 2) under every seed of `SEEDS`, paired by seed (the runs of `SEED` are the
    chapter's own, `runs`: label -> quality_run result; the other seeds are trained here, evaluated once at the
    end). Returns the table `scta_quality_seeds` and the rule's Verdict (scta.verdicts.scta_conv)."""
    lab_ce, lab_sem = conv_labels(P)
    steps, stage2_steps = budget(P, len(data[0]))
    sparse_sem = lab_sem.endswith("sparse")
    by_seed = {P["SEED"]: {"ce": runs[lab_ce], "scta": runs[lab_sem]}}
    for seed in P["SEEDS"]:
        if seed not in by_seed:
            by_seed[seed] = {m: train_method(P, m, sparse=sparse_sem if m == "scta" else False, data=data,
                                             device=device, seed=seed, eval_every=steps + stage2_steps)
                             for m in ("ce", "scta")}
    seeds = pd.DataFrame([{"seed": sd, "ppl_ce": r["ce"]["final"]["ppl"], "ppl_scta": r["scta"]["final"]["ppl"],
                           "top5_ce": r["ce"]["final"]["top5"], "top5_scta": r["scta"]["final"]["top5"]}
                          for sd, r in sorted(by_seed.items())])
    conv = verdicts.scta_conv(seeds["ppl_scta"], seeds["ppl_ce"], loss_scta=runs[lab_sem]["train_losses"][-1],
                              loss_ce=runs[lab_ce]["train_losses"][-1],
                              budget=f"{steps} steps x {P['BATCH']}x{P['SEQ_LEN']} tokens, "
                                     f"+{stage2_steps} Stage-2 steps for SCTA")
    return Measurement(tables={"scta_quality_seeds": seeds}, verdicts=[conv],
                       evidence={"SCTA-CONV": "table scta_quality_seeds; figure scta_quality_vs_time; "
                                              "table scta_quality_curves"})


def seed_contrast(seeds: pd.DataFrame) -> dict:
    """What notebook 22's seed table (`scta_quality_seeds`: seed, ppl_ce, ppl_scta, top5_ce, top5_scta) says, per
    seed paired: n seeds; the perplexity ratio SCTA/CE (median, min, max) and in how many seeds SCTA's perplexity
    is higher; the top-5 accuracy difference SCTA - CE (min, max, largest absolute) and in how many seeds SCTA's
    top-5 is higher. A ranking gap shows in top-5 accuracy; a calibration gap only in perplexity."""
    ratio = seeds["ppl_scta"] / seeds["ppl_ce"]
    diff = seeds["top5_scta"] - seeds["top5_ce"]
    return {"n": len(seeds), "ppl_ratio_median": float(ratio.median()), "ppl_ratio_min": float(ratio.min()),
            "ppl_ratio_max": float(ratio.max()), "n_ppl_scta_higher": int((ratio > 1).sum()),
            "top5_diff_min": float(diff.min()), "top5_diff_max": float(diff.max()),
            "top5_diff_absmax": float(diff.abs().max()), "n_top5_scta_higher": int((diff > 0).sum())}
