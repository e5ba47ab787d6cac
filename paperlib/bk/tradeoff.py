"""BK-S64-TRADEOFF (ResNet-BK Section 6.4): the optimized model against the Transformer baseline, one measurement
that notebook 16 and the GPU run both call.

"Inference latency: 1.5-2x increase due to gradient checkpointing overhead; Training throughput: 2-3x decrease due
to activation recomputation; Perplexity: 1-2% increase on validation set; Convergence: 10-15% additional training
steps required to reach equivalent loss." PPL and steps come from paired training runs (same seeds, same batches);
latency and throughput from the optimized model with gradient checkpointing (the cause the paper names) against the
Transformer, timed side by side (paired per-round ratios, :func:`paired_timings`). The rule is
:func:`paperlib.bk.verdicts.bk_s64_tradeoff`: off CUDA the timings decide their direction only (policy 3), the
GPU magnitudes stay pending.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd
import torch

from paperlib.bk import paper
from paperlib.bk import verdicts as bk_verdicts
from paperlib.common.runtime import on_cuda
from paperlib.common.stats import steps_to_common_target
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


def paired_timings(specs: Mapping[str, dict], P: Mapping[str, Any], device) -> tuple[dict, dict, dict, dict]:
    """The timed configurations (TIMED) side by side (``experiments.interleaved_times``: alternating, rotating
    order, max(4 x TIMING_REPEATS, 10) rounds) at BATCH x SEQ_LEN: forward (no grad) and one training step
    (forward + backward + AdamW). Returns ``ratio_summary`` of the per-round ratios: latency (optimized+ckpt /
    transformer forward), throughput drop (optimized+ckpt / transformer step time = tput(transformer) /
    tput(optimized+ckpt)), and the same two for checkpointing alone (optimized+ckpt / optimized)."""
    import torch.nn.functional as F

    from paperlib.bk.configs import build_model
    from paperlib.bk.experiments import interleaved_times, paired_ratio

    device = torch.device(device)
    fwd, step = {}, {}
    for label, (name, ck) in TIMED.items():
        torch.manual_seed(0)
        model = build_model(specs[name], checkpointing=ck).to(device).train()
        idx = torch.randint(0, model.vocab_size, (P["BATCH"], P["SEQ_LEN"]),
                            generator=torch.Generator().manual_seed(0)).to(device)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4)

        def train_step(model=model, idx=idx, opt=opt):
            opt.zero_grad(set_to_none=True)
            logits = model(idx)
            F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]).float(), idx[:, 1:].reshape(-1)).backward()
            opt.step()

        def forward(model=model, idx=idx):
            with torch.no_grad():
                model(idx)

        fwd[label], step[label] = forward, train_step
    rounds = max(4 * int(P["TIMING_REPEATS"]), 10)
    tf, ts = interleaved_times(fwd, rounds), interleaved_times(step, rounds)
    return (paired_ratio(tf, "optimized+ckpt", "transformer"), paired_ratio(ts, "optimized+ckpt", "transformer"),
            paired_ratio(tf, "optimized+ckpt", "optimized"), paired_ratio(ts, "optimized+ckpt", "optimized"))


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

    lat, drop, ck_lat, ck_drop = paired_timings(specs, P, device)
    iqr = lambda r: r["q3"] - r["q1"]   # noqa: E731
    trade = pd.DataFrame([
        {"quantity": "inference latency (optimized+ckpt / transformer)", "measured": lat["median"],
         "spread": iqr(lat), "q1": lat["q1"], "q3": lat["q3"], "paper": _range(paper.S64_LATENCY, unit="x")},
        {"quantity": "inference latency (ckpt / no ckpt)", "measured": ck_lat["median"], "spread": iqr(ck_lat),
         "q1": ck_lat["q1"], "q3": ck_lat["q3"], "paper": "-"},
        {"quantity": "training throughput drop, x (tput transformer / tput optimized+ckpt)",
         "measured": drop["median"], "spread": iqr(drop), "q1": drop["q1"], "q3": drop["q3"],
         "paper": _range(paper.S64_TPUT_DROP, unit="x")},
        {"quantity": "training throughput drop from checkpointing alone", "measured": ck_drop["median"],
         "spread": iqr(ck_drop), "q1": ck_drop["q1"], "q3": ck_drop["q3"], "paper": "-"},
        {"quantity": "PPL increase %", "measured": 100 * stats["ppl_increase"], "spread": 100 * stats["ppl_spread"],
         "q1": np.nan, "q3": np.nan, "paper": _range(paper.S64_PPL, 100)},
        {"quantity": "extra steps to equal loss %", "measured": 100 * stats["extra_steps"],
         "spread": 100 * stats["extra_steps_sd"], "q1": np.nan, "q3": np.nan, "paper": _range(paper.S64_STEPS, 100)}])
    scale = (f"d {P['D_MODEL']}, {P['N_LAYERS']} layers, vocab {P['VOCAB']}, {P['STEPS']} steps of {P['BATCH']} x "
             f"{P['SEQ_LEN']} tokens, {len(P['SEEDS'])} seeds")
    v = bk_verdicts.bk_s64_tradeoff(ppl_tr, ppl_opt, st_tr, st_opt, latency=lat, tput_drop=drop,
                                    on_cuda=on_cuda(device), scale=scale)
    return Measurement(tables={TABLE: trade}, verdicts=[v], evidence={CLAIM: f"table {TABLE}"},
                       notes={"target_loss": target, "steps_optimized": st_opt, "steps_transformer": st_tr,
                              "timing": {"latency": lat, "tput_drop": drop}, "device": str(device)})
