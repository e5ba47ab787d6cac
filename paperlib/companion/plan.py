"""A cost plan before a long run (issue 23, section 2): each chapter's configuration under a profile and an
ESTIMATED cost, from operation counts and the device's peak, so that a user can plan `make figures PROFILE=paper`.

    python -m paperlib.companion.plan paper            # every chapter, the current device
    python -m paperlib.companion.plan paper --device "NVIDIA H100 80GB HBM3" 16_bk_training

:func:`plan` returns one row per chapter: ``configuration`` (the parameters that differ from the smoke profile,
short), ``basis`` (how the work was counted), ``work`` (FLOPs, or element-ops where the basis says so),
``est_seconds`` (work / peak: a lower bound, since no chapter runs at peak; a time-budgeted chapter's budget),
``peak`` and ``peak_basis``, and ``estimate`` (the label: these are estimates, never measurements).
:func:`print_plan` prints it; :func:`announce` is what ``pipeline run`` calls before it starts.

How the work is counted (cheap: seconds on one CPU core):

* 16_bk_training: :class:`paperlib.common.opcount.OpCounter` (cost "macs": 2 m n k per matrix product, elements
  written otherwise) on one forward of every configured model (paperlib.bk.configs.ablation_specs at the
  profile's VOCAB, D_MODEL, N_LAYERS), at batch 1 and a sequence of at most COUNT_SEQ tokens, scaled to
  SEQ_LEN (attention work by the square of the ratio, all other work linearly: the BK layers are O(N)) and to
  BATCH; x 3 for forward + backward; x STEPS x the seeds of each model (PB_SEEDS for the Prime-Bump pair, SEEDS
  otherwise). Table 8's and the timing sections are not counted (a lower bound).
* 22_scta_quality: OpCounter on one training-loss forward of each method's model (paperlib.scta.model.GRULM at
  V, EMB_DIM, HIDDEN) per token (counted at batch 1 and at most COUNT_SEQ tokens: the loss is linear in tokens),
  x 3 for forward + backward, x seeds x the tokens of EPOCHS (+ STAGE2_EPOCHS for SCTA, an upper bound: Stage 2
  trains the head only) of an assumed TRAIN_TOKENS_22 training tokens (the corpus is not tokenised to plan).
* 03_scn_vs_gpt: the GPT baseline trains to a criterion or to its time budget, so its cost is its budget,
  (BASE_BUDGET_S + FT_BUDGET_S) x languages, device-independent; its work is that time at peak.
* 13_bk_core, 15_bk_throughput_scaling, 21_scta_speedup_vs_vocab: the op sweeps' counts: 13 BK_OP_FLOPS per
  element per method of the speed sweep (+ the dense inverse, 8/3 N^3, to DENSE_SPEED_MAX); 15 a forward's
  2 x (12 d^2 L + d V) FLOPs per token over FIT_SEQS x FIT_REPEATS (x 3 for T6's training steps); 21 the output
  layer's 3 x 2 x HIDDEN x V per token over VS x (STEPS + WARMUP) and RATIO_VS x RATIO_STEPS x RATIO_REPEATS.
* every other chapter: analysis at fixed, small sizes (no training): a constant ANALYSIS_WORK.

The peak: fp32 (non-tensor-core) spec FLOP/s of known GPUs by name (FP32_PEAK_TFLOPS), or on any other device a
measured 1024 x 1024 float32 matmul throughput on it (stated as "measured").
"""
from __future__ import annotations

import argparse
import math
import sys
import time

import pandas as pd

__all__ = ["FP32_PEAK_TFLOPS", "plan", "print_plan", "announce", "device_peak", "chapter_work", "configuration"]

FP32_PEAK_TFLOPS = {  # vendor spec, dense fp32 without tensor cores, TFLOP/s (longest matching name wins)
    "H200": 67.0, "H100 SXM": 67.0, "H100 NVL": 60.0, "H100 PCIe": 51.0, "H100": 67.0, "GH200": 67.0,
    "A100": 19.5, "L40S": 91.6, "L4": 30.3, "A6000": 38.7, "A10G": 31.2, "A10": 31.2, "RTX 4090": 82.6,
    "RTX 3090": 35.6, "V100": 15.7, "T4": 8.1,
}
COUNT_SEQ = 128                 # the longest sequence a model forward is counted at (then scaled)
TRAIN_TOKENS_22 = 200_000       # assumed training tokens of notebook 22's corpus (order of the embedded one)
BK_OP_FLOPS = 64                # FLOPs per element of one BK-Core call (2x2 complex scan products)
ANALYSIS_WORK = 1e10            # element-ops of an analysis chapter (no training): seconds anywhere
ESTIMATE = "estimate (work / peak: a lower bound)"
_NOT_CONFIG = {"NOTEBOOK", "PROFILE", "OUTPUT_ROOT", "SEED", "THREADS", "TORCH_THREADS"}


# ------------------------------------------------------------------------------------------------ the peak
def device_peak(device=None) -> tuple[float, str]:
    """(FLOP/s, basis): the spec fp32 peak of a GPU named `device` (or the current CUDA device), else a measured
    float32 matmul throughput of the current device."""
    import torch

    name = device if isinstance(device, str) and device not in ("cpu", "cuda") else None
    if name is None and (device in (None, "cuda")) and torch.cuda.is_available():
        name = torch.cuda.get_device_name()
    if name:
        for key in sorted(FP32_PEAK_TFLOPS, key=len, reverse=True):
            if key.lower() in name.lower():
                return FP32_PEAK_TFLOPS[key] * 1e12, f"spec fp32 peak of the {name}"
    dev = "cuda" if (device in (None, "cuda") and torch.cuda.is_available()) else "cpu"
    a = torch.randn(1024, 1024, device=dev)
    a @ a
    if dev == "cuda":
        torch.cuda.synchronize()
    t0, k = time.perf_counter(), 0
    while time.perf_counter() - t0 < 0.2 or k < 3:
        a @ a
        k += 1
    if dev == "cuda":
        torch.cuda.synchronize()
    rate = k * 2 * 1024**3 / (time.perf_counter() - t0)
    return rate, f"measured float32 matmul throughput on this {dev.upper() if dev == 'cpu' else 'GPU'}" + \
        (f" ({name}: no spec entry)" if name else "")


# --------------------------------------------------------------------------------------- configuration
def configuration(name: str, profile: str, limit: int = 6) -> str:
    """The parameters of chapter `name` under `profile` that differ from the smoke profile, short."""
    from paperlib.companion import profiles

    smoke = profiles.default_parameters(name)
    P = profiles.parameters_under(name, profile)
    diffs = [f"{k} {_short(v)}" for k, v in P.items() if k not in _NOT_CONFIG and smoke.get(k) != v]
    if not diffs:
        return "as smoke"
    more = f", +{len(diffs) - limit} more" if len(diffs) > limit else ""
    return ", ".join(diffs[:limit]) + more


def _short(v) -> str:
    t = repr(v)
    return t if len(t) <= 28 else t[:25] + "..."


# ------------------------------------------------------------------------------------------- the work
def _forward_macs(spec: dict, seq: int) -> float:
    """OpCounter macs of one forward of the model `spec` at batch 1 and `seq` tokens, counted at
    min(seq, COUNT_SEQ) tokens and scaled (attention quadratically, the rest linearly)."""
    import torch

    from paperlib.bk.configs import build_model
    from paperlib.common.opcount import OpCounter

    s = min(seq, COUNT_SEQ)
    torch.manual_seed(0)
    model = build_model({**spec, "seq_len": s}).eval()
    x = torch.zeros(1, s, dtype=torch.long)
    with torch.no_grad(), OpCounter(cost="macs") as c:
        model(x)
    r = seq / s
    return c.counts["attention"] * r * r + (c.total - c.counts["attention"]) * r


def _work_16(P) -> tuple[float, str]:
    from paperlib.bk.configs import ablation_specs

    specs = ablation_specs(P["VOCAB"], P["D_MODEL"], P["N_LAYERS"], P["SEQ_LEN"], P["N_EXPERTS"], P["LAP_IM_Z"])
    pb = ("pb_potential", "random_potential")
    total = sum(3 * _forward_macs(sp, P["SEQ_LEN"]) * P["BATCH"] * P["STEPS"]
                * len(P["PB_SEEDS"] if name in pb else P["SEEDS"]) for name, sp in specs.items())
    return total, f"OpCounter: {len(specs)} models x seeds x {P['STEPS']} steps x 3 forwards (FLOPs)"


def _loss_macs_per_token(P, method: str, sparse: bool) -> float:
    """OpCounter macs of one training-loss forward of notebook 22's model (paperlib.scta.model.GRULM) per token,
    counted at batch 1 and min(SEQ_LEN, COUNT_SEQ) tokens (the loss is linear in tokens)."""
    import torch

    from paperlib.common.opcount import OpCounter
    from paperlib.scta.model import GRULM, SCTAConfig

    s = min(P["SEQ_LEN"], COUNT_SEQ)
    torch.manual_seed(0)
    model = GRULM(SCTAConfig(V=P["V"], method=method, sparse=sparse, emb_dim=P["EMB_DIM"], hidden=P["HIDDEN"]))
    x = torch.zeros(1, s, dtype=torch.long)
    with OpCounter(cost="macs") as c:
        model.loss(x, x, generator=torch.Generator().manual_seed(0))
    return c.total / s


def _work_22(P) -> tuple[float, str]:
    from paperlib.scta.methods import parse_methods

    methods = parse_methods(P["METHODS"])
    total = 0.0
    for method, sparse in methods:
        epochs = P["EPOCHS"] + (P["STAGE2_EPOCHS"] if method == "scta" else 0.0)
        total += 3 * _loss_macs_per_token(P, method, sparse) * TRAIN_TOKENS_22 * epochs * len(P["SEEDS"])
    return total, (f"OpCounter: {len(methods)} methods x {len(P['SEEDS'])} seeds x steps of EPOCHS over an assumed "
                   f"{TRAIN_TOKENS_22:,} training tokens x 3 forwards (FLOPs)")


def _work_03(P, peak) -> tuple[float, str]:
    seconds = (P["BASE_BUDGET_S"] + P["FT_BUDGET_S"]) * len(P["LANGS"])
    return seconds * peak, f"time budget: (base + fine-tune) x {len(P['LANGS'])} languages = {seconds:.0f} s"


def _work_13(P) -> tuple[float, str]:
    methods = 4
    sweep = sum(P["SPEED_BATCH"] * n * 2 * BK_OP_FLOPS * methods * (P["SPEED_REPEATS"] + 1) for n in P["SPEED_NS"])
    dense = sum(8 / 3 * n**3 for n in P["SPEED_NS"] if n <= P["DENSE_SPEED_MAX"])
    bwd = sum(P["SPEED_BATCH"] * n * 3 * BK_OP_FLOPS * 2 * (P["SPEED_REPEATS"] + 1) for n in P["BACKWARD_NS"])
    return sweep + dense + bwd, f"op sweep: {BK_OP_FLOPS} FLOPs/element x methods x N, dense 8/3 N^3 (FLOPs)"


def _work_15(P) -> tuple[float, str]:
    d, L, V = P["D_MODEL"], P["N_LAYERS"], P["VOCAB"]
    per_token = 2 * (12 * d * d * L + d * V)
    fit = sum(per_token * n * P["BATCH"] for n in P["FIT_SEQS"]) * P["FIT_REPEATS"]
    t6 = sum(3 * per_token * n * P["BATCH"] for n in P.get("T6_SEQS", [])) * P.get("T6_STEPS", 1)
    return fit + t6, "op sweep: 2(12 d^2 L + d V) FLOPs/token over FIT_SEQS, x3 for T6 steps (FLOPs)"


def _work_21(P) -> tuple[float, str]:
    per = 3 * 2 * P["HIDDEN"]
    main = sum(per * v for v in P["VS"]) * P["BATCH"] * P["SEQ_LEN"] * (P["STEPS"] + P["WARMUP"])
    ratio = sum(per * v for v in P["RATIO_VS"]) * P["RATIO_BATCH"] * P["RATIO_SEQ"] * P["RATIO_STEPS"] \
        * P["RATIO_REPEATS"]
    return main + ratio, "op sweep: output layer 3 x 2 HIDDEN V per token over VS (FLOPs)"


_WORK = {"16_bk_training": _work_16, "22_scta_quality": _work_22, "13_bk_core": _work_13,
         "15_bk_throughput_scaling": _work_15, "21_scta_speedup_vs_vocab": _work_21}
TRAINING = ("03_scn_vs_gpt", "16_bk_training", "22_scta_quality")


def chapter_work(name: str, P: dict, peak: float) -> tuple[float, str]:
    """(work, basis) of chapter `name` with parameters P (module docstring)."""
    if name == "03_scn_vs_gpt":
        return _work_03(P, peak)
    if name in _WORK:
        return _WORK[name](P)
    return ANALYSIS_WORK, "constant: analysis chapter at fixed sizes, no training (element-ops)"


# ------------------------------------------------------------------------------------------------ plan
def plan(profile: str, names=None, device=None) -> pd.DataFrame:
    """One row per chapter (`names`, default every notebook) under `profile` on `device` (a GPU's name, "cpu",
    "cuda" or None: the current device): configuration, basis, work, est_seconds, peak, peak_basis, estimate."""
    from paperlib.common import paths
    from paperlib.companion import profiles

    profiles.check_profile(profile)
    names = list(names) if names else sorted(p.stem for p in paths.NOTEBOOKS.glob("[0-9][0-9]_*.py"))
    peak, peak_basis = device_peak(device)
    rows = []
    for name in names:
        P = profiles.parameters_under(name, profile)
        work, basis = chapter_work(name, P, peak)
        rows.append(dict(chapter=name, configuration=configuration(name, profile), basis=basis, work=float(work),
                         est_seconds=float(work / peak), peak=peak, peak_basis=peak_basis, estimate=ESTIMATE))
    return pd.DataFrame(rows)


def _duration(s: float) -> str:
    if s < 1:
        return "< 1 s"
    if s < 60:
        return f"{s:.2g} s"
    if s < 3600:
        return f"{s / 60:.2g} min"
    return f"{s / 3600:.2g} h"


def print_plan(df: pd.DataFrame, file=None) -> str:
    """Print (and return) the plan: one line per chapter with its estimated seconds, work, basis and configuration."""
    lines = [f"Cost plan: ESTIMATES from operation counts over the peak ({df.peak_basis.iloc[0]}, "
             f"{df.peak.iloc[0] / 1e12:.3g} TFLOP/s); real runs are slower (no chapter runs at peak)."]
    for _, r in df.iterrows():
        lines.append(f"  {r.chapter:28s} ~{_duration(r.est_seconds):>9s}  {r.work:9.3g} work  [{r.basis}]")
        lines.append(f"  {'':28s} configuration: {r.configuration}")
    lines.append(f"  total ~{_duration(float(df.est_seconds.sum()))} (estimate)")
    text = "\n".join(lines)
    print(text, file=file or sys.stdout, flush=True)
    return text


def announce(profile: str, names=None, device=None) -> str:
    """What pipeline.run calls before `make figures PROFILE=paper` starts: print the plan; never fails the run
    (a plan that cannot be made is reported in one line)."""
    try:
        return print_plan(plan(profile, names, device))
    except Exception as exc:  # noqa: BLE001 - a plan is advice, not a precondition
        text = f"Cost plan unavailable ({type(exc).__name__}: {exc})"
        print(text, flush=True)
        return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m paperlib.companion.plan", description=__doc__.split("\n\n")[0])
    ap.add_argument("profile")
    ap.add_argument("names", nargs="*")
    ap.add_argument("--device", help="a GPU's name (spec peak) or cpu/cuda (default: the current device)")
    args = ap.parse_args(argv)
    print_plan(plan(args.profile, args.names or None, args.device))
    return 0


if __name__ == "__main__":
    sys.exit(main())
