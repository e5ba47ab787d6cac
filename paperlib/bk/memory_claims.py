"""Notebook 14's GPU-waiting measurements, one function per claim: training-peak memory of Table 11
(BK-T11-VRAM) and Table 5 (BK-T5-MEM), and Section 4.4's forward time, throughput and memory (BK-S44-PERF).

Each function takes the notebook's parameters under their parameter-cell names (``P["T11_SEQ"]``, ...) and the
device, and returns a :class:`paperlib.common.verdicts.Measurement`; notebook 14 and the GPU run
(``paperlib.companion.gpu_run``) both call it, so the two paths cannot drift. Off CUDA, or away from the paper's
size, the rules (``paperlib.bk.verdicts``) return ``pending`` with this run's numbers as supporting evidence.
"""
from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from paperlib.bk import configs as bk_configs
from paperlib.bk import paper
from paperlib.bk import verdicts as bk_verdicts
from paperlib.bk.bench import memory_table, train_throughput
from paperlib.common.runtime import on_cuda
from paperlib.common.stats import quartiles
from paperlib.common.verdicts import Measurement

__all__ = ["T11_SPECS", "T11_PAIRING", "T11_PAIRS", "T5_MODELS", "S44_MODELS",
           "table11_param_mb", "t11_vram", "abstract_memory_reduction", "t5_mem", "s44_perf"]

T11_PAPER_BATCH = paper.SECTION61["batch"]   # Table 11 (Section 6.1's configuration) trains at batch 2
T11_SPECS = {  # Table 11's two models, at the paper's pairing and like-for-like (same precision/checkpointing)
    "baseline_fp32": dict(name="table10_baseline", precision="fp32", checkpointing=False),
    "baseline_amp_ckpt": dict(name="table10_baseline", precision="amp", checkpointing=True),
    "optimized_fp32": dict(name="table10_optimized", precision="fp32", checkpointing=False),
    "optimized_amp_ckpt": dict(name="table10_optimized", precision="amp", checkpointing=True),
}
T11_PAIRING = ("baseline_fp32", "optimized_amp_ckpt")  # the paper's pairing: repeated T11_REPEATS times
T11_PAIRS = [("paper pairing", "baseline_fp32", "optimized_amp_ckpt"),
             ("like-for-like fp32", "baseline_fp32", "optimized_fp32"),
             ("like-for-like amp+ckpt", "baseline_amp_ckpt", "optimized_amp_ckpt")]
T5_MODELS = (("baseline", "table5_baseline"), ("phase1", "table5_phase1"))
S44_MODELS = (("resnet_bk", "s44_bk"), ("dense_attention", "s44_dense_attention"))


def _paper_seq(name: str) -> int:
    return bk_configs.model_kwargs(name)[1]["seq_len"]


def table11_param_mb() -> tuple[float, float]:
    """Table 11's parameter-memory row from the exact Table 10 counts (bytes of tensors, MB = 10^6 bytes):
    baseline FP32 = 4 bytes x count, optimized FP16 = 2 bytes x count."""
    total = {r["component"]: r for r in bk_configs.table10_rows(build=False)}["total"]
    return 4 * total["baseline"] / 1e6, 2 * total["optimized"] / 1e6


def t11_vram(P: Mapping[str, Any], *, device) -> Measurement:
    """Table 11 (BK-T11-VRAM): one AdamW training step's peak memory of each variant in ``T11_VARIANTS``, each in
    a fresh process (the paper's pairing ``T11_REPEATS`` times, the like-for-like variants once), and the peak
    reduction per pairing. Decides nothing when ``MEASURE_MEMORY`` is off."""
    specs = [dict(label=v, stage="train", seq_len=P["T11_SEQ"], batch=P["T11_BATCH"], seed=P["SEED"], **T11_SPECS[v])
             for v in P["T11_VARIANTS"]]
    if not (P["MEASURE_MEMORY"] and specs):
        return Measurement(notes=dict(reductions={}, param_mb=table11_param_mb(), raw=pd.DataFrame()))
    once = [sp for sp in specs if sp["label"] not in T11_PAIRING]
    t11 = pd.concat([memory_table([sp for sp in specs if sp["label"] in T11_PAIRING], device, repeats=P["T11_REPEATS"])]
                    + ([memory_table(once, device)] if once else []), ignore_index=True)
    t11["activation_mb"] = t11["mem_mb"] - t11["param_mb"]
    m = t11.pivot(index="rep", columns="label", values="mem_mb")
    red = {n: (100 * (1 - m[o] / m[b])).dropna().tolist() for n, b, o in T11_PAIRS if b in m and o in m}
    param_mb = table11_param_mb()
    notes = dict(reductions=red, param_mb=param_mb, raw=t11)
    if "paper pairing" not in red:
        return Measurement(tables={"bk_table11": t11.round(2)}, notes=notes)
    res = bk_verdicts.bk_t11_vram(red["paper pairing"], on_cuda=on_cuda(device),
                                  paper_size=(P["T11_SEQ"], P["T11_BATCH"]) == (_paper_seq("table10_baseline"), T11_PAPER_BATCH),
                                  memory_kind=t11["memory_kind"].iloc[0],
                                  like_for_like={k: x for k, x in red.items() if k != "paper pairing"}, param_mb=param_mb)
    return Measurement(tables={"bk_table11": t11.round(2)}, verdicts=[res],
                       evidence={res.claim: "table bk_table11"}, notes=notes)


def abstract_memory_reduction(P: Mapping[str, Any], *, device) -> float | None:
    """The abstract's "84.8% peak memory reduction during training" (BK-ABS's memory part) as a fraction: the median
    paper-pairing reduction that :func:`t11_vram` measures (BK-T11-VRAM's measurement) at Table 11's configuration
    (the paper's pairing, seq 512, batch 2), ``P["T11_REPEATS"]`` fresh processes per model seeded ``P["SEED"]``.
    None off CUDA: a CPU resident set at any size is not the allocator peak the abstract states."""
    if not on_cuda(device):
        return None
    paper = {"MEASURE_MEMORY": True, "T11_VARIANTS": list(T11_PAIRING), "T11_SEQ": _paper_seq("table10_baseline"),
             "T11_BATCH": T11_PAPER_BATCH}
    m = t11_vram({**paper, "T11_REPEATS": P["T11_REPEATS"], "SEED": P["SEED"]}, device=device)
    red = m.notes["reductions"].get("paper pairing")
    return quartiles(red)[1] / 100 if red else None   # the median BK-T11-VRAM's rule judges


def t5_mem(P: Mapping[str, Any], *, device) -> Measurement:
    """Table 5 (BK-T5-MEM): ResNet-BK vs Phase 1 memory per stage in ``T5_STAGES`` (forward, backward, train =
    peak), each in a fresh process; the train stage ``T5_REPEATS`` times per model. ``T5_OVERRIDES`` shrinks the
    models (then the paper's size is not met). Decides nothing without the train stage or ``MEASURE_MEMORY``."""
    seq = P["T5_SEQ"]
    specs = [dict(label=lab, name=name, stage=st, precision="fp32", checkpointing=False, seq_len=seq,
                  batch=P["T5_BATCH"], seed=P["SEED"], overrides={**P["T5_OVERRIDES"], "seq_len": seq})
             for lab, name in T5_MODELS for st in P["T5_STAGES"]]
    if not (P["MEASURE_MEMORY"] and specs):
        return Measurement(notes=dict(reductions=[]))
    once = [sp for sp in specs if sp["stage"] != "train"]
    t5 = pd.concat([memory_table([sp for sp in specs if sp["stage"] == "train"], device, repeats=P["T5_REPEATS"])]
                   + ([memory_table(once, device)] if once else []), ignore_index=True)
    by_stage = t5.groupby(["label", "stage"])["mem_mb"].median().unstack("stage")
    tables = {"bk_table5": t5.round(2)}
    if "train" not in set(t5.stage):
        return Measurement(tables=tables, notes=dict(reductions=[], by_stage=by_stage))
    tr = t5[t5.stage == "train"].pivot(index="rep", columns="label", values="mem_mb")
    red = (100 * (1 - tr["phase1"] / tr["baseline"])).tolist()
    paper_size = (seq, P["T5_BATCH"]) == (_paper_seq("table5_baseline"), paper.TABLE5_BATCH) and not P["T5_OVERRIDES"]
    res = bk_verdicts.bk_t5_mem(red, on_cuda=on_cuda(device), paper_size=paper_size,
                                memory_kind=t5["memory_kind"].iloc[0], baseline_mb=float(tr["baseline"].median()),
                                phase1_mb=float(tr["phase1"].median()))
    return Measurement(tables=tables, verdicts=[res], evidence={res.claim: "table bk_table5"},
                       notes=dict(reductions=red, by_stage=by_stage))


def s44_perf(P: Mapping[str, Any], *, device) -> Measurement:
    """Section 4.4 (BK-S44-PERF): forward time and training tokens/s (medians of ``S44_REPEATS`` steps) of the
    ResNet-BK model and a dense-attention Transformer of the same width/depth at ``S44_SEQ``, and (with
    ``S44_MEMORY``) their training-step peak memory in fresh processes. Decides nothing when ``S44_RUN`` is off."""
    if not P["S44_RUN"]:
        return Measurement()
    seq, over = P["S44_SEQ"], {**P["S44_OVERRIDES"], "seq_len": P["S44_SEQ"]}
    s44 = {lab: train_throughput(name, batch=P["S44_BATCH"], seq_len=seq, steps=P["S44_REPEATS"], warmup=1,
                                 device=device, seed=P["SEED"], overrides=over) for lab, name in S44_MODELS}
    df44 = pd.DataFrame(s44).T[["seq_len", "forward_s", "forward_iqr_s", "train_tokens_per_s", "step_iqr_s",
                                "n_params"]]
    mem_ratio = float("nan")
    if P["S44_MEMORY"]:
        mem = memory_table([dict(label=lab, name=name, stage="train", seq_len=seq, batch=P["S44_BATCH"],
                                 seed=P["SEED"], overrides=over) for lab, name in S44_MODELS], device).set_index("label")
        df44["train_peak_mb"] = mem["mem_mb"]
        df44["memory_kind"] = mem["memory_kind"]
        mem_ratio = float(df44.loc["dense_attention", "train_peak_mb"] / df44.loc["resnet_bk", "train_peak_mb"])
    res = bk_verdicts.bk_s44_perf(1e3 * s44["resnet_bk"]["forward_s"], s44["resnet_bk"]["train_tokens_per_s"],
                                  mem_ratio, on_cuda=on_cuda(device), seq_len=seq)
    return Measurement(tables={"bk_s44": df44.reset_index().round(3)}, verdicts=[res],
                       evidence={res.claim: "table bk_s44"}, notes=dict(by_model=df44, memory_ratio=mem_ratio))
