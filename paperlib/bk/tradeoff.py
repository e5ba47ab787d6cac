"""BK-S64-TRADEOFF (ResNet-BK Section 6.4): the optimized model against the Transformer baseline, one measurement
that notebook 16 and the GPU run both call.

"Inference latency: 1.5-2x increase due to gradient checkpointing overhead; Training throughput: 2-3x decrease due
to activation recomputation; Perplexity: 1-2% increase on validation set; Convergence: 10-15% additional training
steps required to reach equivalent loss." PPL and steps come from paired training runs (same seeds, same batches);
latency and throughput from the optimized model with gradient checkpointing (the cause the paper names) against the
Transformer, medians and IQRs over ``TIMING_REPEATS`` timed calls. The rule is
:func:`paperlib.bk.verdicts.bk_s64_tradeoff`: off CUDA the two timings stay pending.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd
import torch

from paperlib.bk import paper
from paperlib.bk import verdicts as bk_verdicts
from paperlib.common.runtime import on_cuda
from paperlib.common.stats import ratio_with_spread, steps_to_common_target
from paperlib.common.verdicts import Measurement

CLAIM = "BK-S64-TRADEOFF"
TABLE = "bk_s64_tradeoffs"
PAIR = ("optimized", "transformer")   # the two of ablation_specs' models this claim compares
# the timed configurations: label -> (model, gradient checkpointing)
TIMED = {"optimized": ("optimized", False), "optimized+ckpt": ("optimized", True),
         "transformer": ("transformer", False)}


def training_setup(P: Mapping[str, Any]) -> tuple:
    """(data, cfg, specs) of notebook 16's training: the corpus and tokenizer (``prepare_lm_data``), the budget
    (``TrainConfig``: STEPS x BATCH x SEQ_LEN, LR, WARMUP, EVAL_CHUNKS) and every variant's model spec
    (``ablation_specs``) at `P`'s sizes. Notebook 16's setup cell and :func:`train_pair` both build from it."""
    from paperlib.bk.configs import ablation_specs
    from paperlib.bk.lm_data import prepare_lm_data
    from paperlib.bk.train import TrainConfig

    data = prepare_lm_data(P["CORPUS"], P["TOKENIZER"], P["VOCAB"], max_train_chars=P["MAX_TRAIN_CHARS"] or None,
                           max_eval_chars=P["MAX_EVAL_CHARS"] or None)
    cfg = TrainConfig(steps=P["STEPS"], batch_size=P["BATCH"], seq_len=P["SEQ_LEN"], lr=P["LR"],
                      warmup_steps=P["WARMUP"], eval_chunks=P["EVAL_CHUNKS"])
    specs = ablation_specs(data.vocab_size, P["D_MODEL"], P["N_LAYERS"], P["SEQ_LEN"], P["N_EXPERTS"], P["LAP_IM_Z"])
    return data, cfg, specs


def train_pair(P: Mapping[str, Any], *, device) -> tuple[dict, dict]:
    """(specs, runs) for the optimized model and the Transformer at notebook 16's parameters: the notebook's
    :func:`training_setup`, budget and seeds (train_variant seeds each run itself, so training only these two gives
    the notebook's runs)."""
    from paperlib.bk.train import train_variant

    data, cfg, specs = training_setup(P)
    runs = {name: [train_variant(specs[name], data.train, data.eval, cfg, seed, device=device,
                                 desc=f"{name}/{seed}")[1] for seed in P["SEEDS"]] for name in PAIR}
    return specs, runs


def _range(lo_hi, scale: float = 1.0, unit: str = "") -> str:
    lo, hi = lo_hi
    return f"{scale * lo:g}-{scale * hi:g}{unit}"


def s64_tradeoff_claims(P: Mapping[str, Any], *, device, runs: Mapping[str, list] | None = None,
                        specs: Mapping[str, dict] | None = None) -> Measurement:
    """Section 6.4's four trade-offs and their verdict. `P` holds notebook 16's parameters (CORPUS, TOKENIZER,
    VOCAB, MAX_TRAIN_CHARS, MAX_EVAL_CHARS, D_MODEL, N_LAYERS, N_EXPERTS, SEQ_LEN, BATCH, STEPS, LR, WARMUP,
    EVAL_CHUNKS, SEEDS, SMOOTH, LAP_IM_Z, TIMING_REPEATS). `runs`/`specs`: the notebook's already-trained runs
    (name -> per-seed TrainResult, in SEEDS order) and its model specs, so it does not train twice; without them
    the two models are trained here. Returns the table `bk_s64_tradeoffs` and the BK-S64-TRADEOFF Verdict."""
    if (runs is None) != (specs is None):
        raise ValueError("pass both runs and specs (the notebook's trained models) or neither")
    device = torch.device(device)
    if runs is None:
        specs, runs = train_pair(P, device=device)
    smooth = P["SMOOTH"]
    ppl_tr = [r.final_ppl for r in runs["transformer"]]
    ppl_opt = [r.final_ppl for r in runs["optimized"]]
    target, st_opt, st_tr = steps_to_common_target([r.losses for r in runs["optimized"]],
                                                   [r.losses for r in runs["transformer"]], smooth)
    stats = bk_verdicts.s64_statistics(ppl_tr, ppl_opt, st_tr, st_opt)

    from paperlib.bk.bench import train_throughput

    tput = {lab: train_throughput(specs[name], batch=P["BATCH"], seq_len=P["SEQ_LEN"], steps=P["TIMING_REPEATS"],
                                  device=str(device), checkpointing=ck) for lab, (name, ck) in TIMED.items()}

    def ratio(a, b, key):  # a/b of two medians with its spread (common.stats.ratio_with_spread)
        iqr = key.replace("_s", "_iqr_s")
        return ratio_with_spread(tput[a][key], tput[a][iqr], tput[b][key], tput[b][iqr])

    lat, lat_spread = ratio("optimized+ckpt", "transformer", "forward_s")
    drop, drop_spread = ratio("optimized+ckpt", "transformer", "step_s")  # = tput(transformer) / tput(opt+ckpt)
    trade = pd.DataFrame([
        {"quantity": "inference latency (optimized+ckpt / transformer)", "measured": lat, "spread": lat_spread,
         "paper": _range(paper.S64_LATENCY, unit="x")},
        {"quantity": "inference latency (ckpt / no ckpt)",
         "measured": ratio("optimized+ckpt", "optimized", "forward_s")[0], "spread": np.nan, "paper": "-"},
        {"quantity": "training throughput drop, x (tput transformer / tput optimized+ckpt)", "measured": drop,
         "spread": drop_spread, "paper": _range(paper.S64_TPUT_DROP, unit="x")},
        {"quantity": "training throughput drop from checkpointing alone",
         "measured": ratio("optimized+ckpt", "optimized", "step_s")[0], "spread": np.nan, "paper": "-"},
        {"quantity": "PPL increase %", "measured": 100 * stats["ppl_increase"], "spread": 100 * stats["ppl_spread"],
         "paper": _range(paper.S64_PPL, 100)},
        {"quantity": "extra steps to equal loss %", "measured": 100 * stats["extra_steps"],
         "spread": 100 * stats["extra_steps_sd"], "paper": _range(paper.S64_STEPS, 100)}])
    v = bk_verdicts.bk_s64_tradeoff(ppl_tr, ppl_opt, st_tr, st_opt, latency_ratio=lat, latency_spread=lat_spread,
                                    tput_drop=drop, tput_spread=drop_spread, on_cuda=on_cuda(device))
    return Measurement(tables={TABLE: trade}, verdicts=[v], evidence={CLAIM: f"table {TABLE}"},
                       notes={"target_loss": target, "steps_optimized": st_opt, "steps_transformer": st_tr,
                              "throughput": tput, "device": str(device)})
