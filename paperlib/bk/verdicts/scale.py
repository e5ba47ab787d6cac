"""Rules of notebooks 14-15 (ResNet-BK parameters, memory, throughput, complexity): Tables 1, 3, 5, 6, 7, 10, 11 and
Section 4.4.

Counts (Tables 1, 10), bytes of tensors (Table 1's FP16 memory) and operation counts (Table 3) do not depend on the
device: decided on CPU. Allocator memory (Tables 5, 11), GPU wall-clock (Section 4.4, Table 6) and wall-clock fits
(Table 7) measured on a GPU stay pending off CUDA, with this run's CPU measurement in the reason.
"""
from __future__ import annotations

import math

from paperlib.bk import paper
from paperlib.bk.verdicts._shared import growth as _growth, where as _where
from paperlib.common.stats import quartiles
from paperlib.common.verdicts import Verdict

# Section 4.4 on an RTX 3080, seq 4096, batch 2, FP32
S44_FORWARD_MS = paper.S44["forward_ms"]
S44_TRAIN_TOKENS_PER_S = paper.S44["train_tokens_per_s"]
S44_SLACK = 1.5             # another GPU may be this much slower and still reproduce the timing
S44_MIN_MEMORY_RATIO = 2.0  # dense/BK training memory (the paper prints 3.06)
S44_SEQ = paper.S44_SEQ_LEN

# Table 6: Phase-1 / baseline training throughput, mean over seq 512/1024/2048
T6_RATIO = paper.TABLE6_MEAN_RATIO   # "+3.3% improvement" (824.74 vs 798.28 tokens/s)
T6_TOLERANCE = 0.03


def bk_s44_perf(forward_ms: float, train_tokens_per_s: float, memory_ratio: float, *, on_cuda: bool,
                seq_len: int) -> Verdict:
    """BK-S44-PERF (Section 4.4, GPU wall-clock and allocator memory): pending off CUDA or away from seq 4096
    (the measurement is recorded as supporting evidence), and when the memory ratio was not measured (NaN).
    On CUDA at seq 4096: reproduced when forward <= 35 ms x 1.5, training >= 1200/1.5 tokens/s and dense attention
    needs >= 2x BK's training memory; not-reproduced otherwise."""
    mem = "memory not measured" if math.isnan(memory_ratio) else f"dense/BK memory x{memory_ratio:.2f}"
    measured = f"seq {seq_len}: fwd {forward_ms:.0f} ms, {train_tokens_per_s:.0f} tok/s train, {mem}"
    if not (on_cuda and seq_len == S44_SEQ) or math.isnan(memory_ratio):
        why = ("memory ratio not measured" if on_cuda and seq_len == S44_SEQ
               else f"a GPU timing/memory claim at seq {S44_SEQ}; this run: {_where(on_cuda)} at seq {seq_len}")
        return Verdict("BK-S44-PERF", "pending", f"needs a GPU run ({why}); recorded as supporting evidence: "
                       f"{measured}", measured)
    fails = [txt for ok, txt in (
        (forward_ms <= S44_FORWARD_MS * S44_SLACK, f"forward {forward_ms:.0f} ms > {S44_FORWARD_MS * S44_SLACK:.0f}"),
        (train_tokens_per_s >= S44_TRAIN_TOKENS_PER_S / S44_SLACK,
         f"training {train_tokens_per_s:.0f} tok/s < {S44_TRAIN_TOKENS_PER_S / S44_SLACK:.0f}"),
        (memory_ratio >= S44_MIN_MEMORY_RATIO, f"dense/BK memory x{memory_ratio:.2f} < {S44_MIN_MEMORY_RATIO}"))
        if not ok]
    if fails:
        return Verdict("BK-S44-PERF", "not-reproduced", f"measured on a GPU other than the paper's RTX 3080: "
                       f"{'; '.join(fails)}", measured)
    return Verdict("BK-S44-PERF", "reproduced", f"measured on a GPU other than the paper's RTX 3080: all three "
                   f"within the stated slack ({measured})", measured)


def bk_t6_tput(mean_ratio: float, *, on_cuda: bool, paper_size: bool) -> Verdict:
    """BK-T6-TPUT (Table 6, GPU throughput): pending off CUDA or away from the paper's size (the ratio is recorded
    as supporting evidence). On CUDA at the paper's size: reproduced when the mean Phase-1/baseline throughput
    ratio is within 1.033 +- 0.03; not-reproduced otherwise."""
    measured = f"Phase1/baseline throughput {mean_ratio:.3f}x"
    if not (on_cuda and paper_size):
        size = "paper size" if paper_size else "reduced size"
        return Verdict("BK-T6-TPUT", "pending", f"needs a GPU run at the paper's size (a GPU throughput claim); this "
                       f"run: {_where(on_cuda)}, {size}: mean ratio {mean_ratio:.3f} (supporting evidence only)",
                       measured)
    ok = abs(mean_ratio - T6_RATIO) <= T6_TOLERANCE
    return Verdict("BK-T6-TPUT", "reproduced" if ok else "not-reproduced",
                   f"mean ratio {mean_ratio:.3f} {'within' if ok else 'outside'} {T6_RATIO} +- {T6_TOLERANCE}, "
                   "measured on a GPU other than the paper's RTX 3080", measured)


# Tables 1, 10, 11, 5 and the operation-count classes
T10_RESOLUTION = {"baseline": 1e4, "optimized": 10.0}  # Table 10 prints M (baseline) and K (optimized), 2 decimals
T10_REDUCTION_RESOLUTION = 0.1                        # and the reduction in % with 1 decimal
T1_COUNT_TOL = 0.01     # Table 1 configurations are our readings (GPT-2 vocab, learned positions, head with bias)
T1_MEMORY_TOL = 0.05    # FP16 memory = 2 bytes/parameter vs the printed value
T1_UNIT_BYTES = {"MB": 1e6, "GB": 1e9}  # the paper writes MB and GB, never MiB/GiB: SI as printed ...
T1_UNIT_BYTES_BINARY = {"MB": 2**20, "GB": 2**30}  # ... or binary: one reading for the whole table (policy 4)
T1_READINGS = {"SI": T1_UNIT_BYTES, "binary": T1_UNIT_BYTES_BINARY}
T1_BYTES_PER_PARAM = 2  # "Memory (FP16)"
# Table 11: peak 456.3 -> 69.1 MB, baseline FP32 vs optimized FP16 + checkpointing
T11_PEAK_REDUCTION = paper.TABLE11["peak_memory"][2]
T11_TOLERANCE = 5.0        # percentage points
T11_PARAM_MB = paper.TABLE11["parameter_memory"][:2]  # Table 11's parameter memory row, MB
T5_PEAK_REDUCTION = paper.TABLE5_PEAK_REDUCTION_PCT  # Table 5: peak 1902.39 -> 1810.39 MB
T5_TOLERANCE = 2.0         # percentage points
COUNT_CLASS_EDGES = (0.5, 1.5)  # log2 growth of the count's second difference: 0 -> O(N), 1 -> N log N, 2 -> N^2


def _spread(xs) -> str:
    xs = sorted(float(x) for x in xs)
    med = quartiles(xs)[1]
    return f"{med:.1f}% (range {xs[0]:.1f}..{xs[-1]:.1f}%, n={len(xs)})", med


def _k(n: float) -> str:
    return f"{n / 1e3:.2f}K"


def bk_t10_params(counts: dict, printed: dict) -> Verdict:
    """BK-T10-PARAMS (Table 10). counts: component -> (baseline, optimized), the exact count of the paper's
    configuration; printed: component -> (baseline, optimized, reduction %) as printed, components embedding,
    layers, head, total. A row matches when our count rounds to the printed value at its printed precision (M or
    K with 2 decimals, reduction with 1): no tolerance beyond the paper's own rounding. reproduced when every row
    matches; partially-reproduced when the total reduction matches but some row does not; not-reproduced when
    the total reduction does not. The reason also says whether the printed optimized rows add up to the printed
    total (within their rounding) and, when they do not, which printed row our count puts in its place."""
    comps = ["embedding", "layers", "head"]
    if set(counts) != set(comps + ["total"]) or set(printed) != set(counts):
        raise ValueError("counts and printed need the components embedding, layers, head, total")
    if sum(counts[c][1] for c in comps) != counts["total"][1] or sum(counts[c][0] for c in comps) != counts["total"][0]:
        raise ValueError("counted rows must add up to the counted total")
    rb, ro, rr = T10_RESOLUTION["baseline"], T10_RESOLUTION["optimized"], T10_REDUCTION_RESOLUTION
    red = {c: 100 * (1 - counts[c][1] / counts[c][0]) for c in counts}
    off = []
    for c in comps + ["total"]:
        (b, o), (pb, po, pr) = counts[c], printed[c]
        if round(b / rb) != round(pb / rb):
            off.append(f"{c} baseline {b:,} vs {pb / 1e6:.2f}M")
        if round(o / ro) != round(po / ro):
            off.append(f"{c} {o:,} vs {_k(po)}")
        if round(red[c] / rr) != round(pr / rr):
            off.append(f"{c} reduction {red[c]:.2f}% vs {pr}%")
    # do the printed optimized rows add up to the printed total, each within half a unit of its last digit?
    slack = (len(comps) + 1) * ro / 2
    psum = sum(printed[c][1] for c in comps)
    ptot = printed["total"][1]
    consistent = abs(psum - ptot) <= slack
    check = f"printed optimized rows sum to {_k(psum)}" + (" = " if consistent else ", not the printed total ") + _k(ptot)
    if not consistent:
        fits = [c for c in comps if abs(psum - printed[c][1] + counts[c][1] - ptot) <= slack
                and round(counts[c][1] / ro) != round(printed[c][1] / ro)]
        for c in fits:
            check += (f"; the printed {c} row is the wrong one: total - other rows = "
                      f"{_k(ptot - psum + printed[c][1])}, our {c} {counts[c][1]:,}")
    bt, ot = counts["total"]
    measured = f"{bt:,} -> {ot:,} parameters (-{red['total']:.2f}%)"
    head = f"exact count {bt:,} -> {ot:,} (-{red['total']:.2f}% vs {printed['total'][2]}%)"
    if not off:
        return Verdict("BK-T10-PARAMS", "reproduced", f"{head}; every row matches at printed precision; {check}",
                       measured)
    verdict = ("partially-reproduced" if round(red["total"] / rr) == round(printed["total"][2] / rr)
               else "not-reproduced")
    return Verdict("BK-T10-PARAMS", verdict, f"{head}; off at printed precision: {'; '.join(off)}; {check}", measured)


def printed_bytes(printed: str, reading: str = "SI") -> float:
    """Bytes of a memory size as the paper prints it ("63 MB", "6.6 GB") under one reading of its units
    (T1_READINGS: "SI", MB = 10^6 and GB = 10^9 bytes, or "binary", MB = 2^20 and GB = 2^30 bytes)."""
    value, unit = printed.split()
    if unit not in T1_UNIT_BYTES:
        raise ValueError(f"unknown memory unit {unit!r} in {printed!r}; expected one of {', '.join(T1_UNIT_BYTES)}")
    return float(value) * T1_READINGS[reading][unit]


def bk_t1_sizes(params, paper_params, paper_memory) -> Verdict:
    """BK-T1-SIZES (Table 1): per model, our parameter count, the printed count and the printed "Memory (FP16)"
    string ("63 MB", "6.6 GB"). FP16 memory = 2 bytes/parameter. The units are read once for the whole table
    (policy 4): both readings (SI and binary, T1_READINGS) are computed, and the memories match when one reading
    puts every row within 5% (SI first when both do); never a reading chosen per row. A count matches within 1%.
    reproduced when all counts match and one reading fits every memory; partially-reproduced when only one of the
    two does; not-reproduced otherwise. The reason gives both readings and the paper's own counts x 2 bytes."""
    params, paper_params, paper_memory = list(params), list(paper_params), list(paper_memory)
    if not params or not len(params) == len(paper_params) == len(paper_memory):
        raise ValueError("bk_t1_sizes needs one count, one printed count and one printed memory per model")
    cnt = [n / p - 1 for n, p in zip(params, paper_params)]
    mem, own = {}, {}
    for rd in T1_READINGS:
        pb = [printed_bytes(m, rd) for m in paper_memory]
        mem[rd] = [T1_BYTES_PER_PARAM * n / b - 1 for n, b in zip(params, pb)]
        own[rd] = [T1_BYTES_PER_PARAM * p / b - 1 for p, b in zip(paper_params, pb)]
    fits = [rd for rd in T1_READINGS if all(abs(x) <= T1_MEMORY_TOL for x in mem[rd])]
    count_ok, mem_ok = all(abs(x) <= T1_COUNT_TOL for x in cnt), bool(fits)
    pct = lambda xs: ", ".join(f"{100 * x:+.1f}%" for x in xs)  # noqa: E731
    measured = "; ".join(f"{n / 1e6:.1f}M / {T1_BYTES_PER_PARAM * n / 1e6:.0f} MB" for n in params)
    readings = "; ".join(f"{rd} units vs printed {pct(mem[rd])} (paper's own counts x 2 bytes {pct(own[rd])})"
                         for rd in T1_READINGS)
    unit = (f"the {fits[0]} reading fits the whole table" + (" (so does the other)" if len(fits) > 1 else "")
            if fits else "neither reading fits the whole table")
    reason = (f"counts vs printed {pct(cnt)} (tolerance {100 * T1_COUNT_TOL:.0f}%); FP16 = 2 bytes/param, units read "
              f"once per table (tolerance {100 * T1_MEMORY_TOL:.0f}%): {readings}; {unit}")
    verdict = ("reproduced" if count_ok and mem_ok else
               "partially-reproduced" if count_ok or mem_ok else "not-reproduced")
    return Verdict("BK-T1-SIZES", verdict, reason, measured)


def bk_t11_vram(pairing_reductions, *, on_cuda: bool, paper_size: bool, memory_kind: str,
                like_for_like: dict | None = None, param_mb: tuple | None = None) -> Verdict:
    """BK-T11-VRAM (Table 11, allocator memory on a GPU). pairing_reductions: peak-memory reductions in % of the
    paper's pairing (optimized FP16 + checkpointing vs baseline FP32), one per repeat; like_for_like: name ->
    reductions; param_mb: (baseline, optimized) parameter bytes in MB (1e6), device-independent, shown against
    Table 11's 113.2 -> 17.4. pending off CUDA or away from the paper's size (seq 512, batch 2). On CUDA at that
    size: reproduced when the median reduction is within 84.8 +- 5 points; partially-reproduced when every repeat
    reduces memory but the median is outside; not-reproduced otherwise."""
    txt, med = _spread(pairing_reductions)
    measured = f"paper pairing peak reduction {txt}, {memory_kind}"
    extra = "".join(f"; {k}: {_spread(v)[0]}" for k, v in (like_for_like or {}).items())
    if param_mb is not None:
        extra += (f"; the parameter-memory row is decided on bytes as BK-T11-PARAMMEM ({param_mb[0]:.1f} -> "
                  f"{param_mb[1]:.2f} MB vs printed {T11_PARAM_MB[0]} -> {T11_PARAM_MB[1]})")
    return _gpu_memory_verdict("BK-T11-VRAM", pairing_reductions, med, T11_PEAK_REDUCTION, T11_TOLERANCE,
                               on_cuda=on_cuda, paper_size=paper_size, size=f"seq {paper.SECTION61['seq_len']}, batch {paper.SECTION61['batch']}",
                               memory_kind=memory_kind, what=f"paper pairing peak reduction {txt}", tail=extra,
                               measured=measured)


def _gpu_memory_verdict(claim: str, reductions, median: float, target: float, tolerance: float, *, on_cuda: bool,
                        paper_size: bool, size: str, memory_kind: str, what: str, tail: str, measured) -> Verdict:
    """A GPU allocator-memory claim: pending off CUDA or away from the paper's `size` (this run's `what` as
    supporting evidence); otherwise reproduced when the median reduction is within target +- tolerance points,
    partially-reproduced when every repeat reduces memory but the median is outside, not-reproduced otherwise."""
    if not (on_cuda and paper_size):
        return Verdict(claim, "pending", f"needs a GPU run at {size} (allocator memory claim); this run "
                       f"({memory_kind}{'' if paper_size else ', reduced size'}) as supporting evidence: {what}{tail}",
                       measured)
    if abs(median - target) <= tolerance:
        verdict = "reproduced"
    else:
        verdict = "partially-reproduced" if min(reductions) > 0 else "not-reproduced"
    return Verdict(claim, verdict, f"{what} vs {target} +- {tolerance} points ({memory_kind}){tail}", measured)


def bk_t5_mem(reductions, *, on_cuda: bool, paper_size: bool, memory_kind: str, baseline_mb: float | None = None,
              phase1_mb: float | None = None) -> Verdict:
    """BK-T5-MEM (Table 5, allocator memory on a GPU). reductions: Phase-1 vs baseline peak (training step)
    reduction in %, one per repeat. pending off CUDA or away from the paper's size (seq 1024, batch 2). On CUDA at
    that size: reproduced when the median is within 4.8 +- 2 points; partially-reproduced when every repeat
    reduces memory but the median is outside; not-reproduced otherwise."""
    txt, med = _spread(reductions)
    mb = f" ({baseline_mb:.0f} -> {phase1_mb:.0f} MB)" if baseline_mb is not None and phase1_mb is not None else ""
    measured = f"peak reduction {txt}{mb}, {memory_kind}"
    return _gpu_memory_verdict("BK-T5-MEM", reductions, med, T5_PEAK_REDUCTION, T5_TOLERANCE, on_cuda=on_cuda,
                               paper_size=paper_size, size=f"seq {paper.TABLE5_SEQ_LEN}, batch {paper.TABLE5_BATCH}", memory_kind=memory_kind,
                               what=f"Phase 1 peak reduction {txt}{mb}", tail="", measured=measured)


def count_class(ns, counts) -> tuple[str, float]:
    """Complexity class of exact operation counts on a doubling grid of N (>= 4 lengths). The second difference
    D(N) = c(4N) - 3 c(2N) + 2 c(N) is 0 for a N + b and constant for log N terms; it doubles with N for a
    N log2 N term (D = 2aN) and quadruples for N^2 (D = 6aN^2). q = log2(D at the largest N / D one step
    below) is 0, 1 or 2; class edges COUNT_CLASS_EDGES. Returns (class, q)."""
    pairs = sorted((int(n), int(c)) for n, c in zip(ns, counts))
    if len(pairs) != len(list(ns)) or len(pairs) < 4 or any(b[0] != 2 * a[0] for a, b in zip(pairs, pairs[1:])):
        raise ValueError(f"count_class needs counts at >= 4 lengths, each twice the previous, got {list(ns)}")
    c = [x for _, x in pairs]
    d = [c[i + 2] - 3 * c[i + 1] + 2 * c[i] for i in range(len(c) - 2)]
    lo, hi = abs(d[-2]), abs(d[-1])
    if hi == 0:
        q = 0.0                       # nothing super-linear left at the top of the range (a N + b exactly)
    elif lo == 0:
        q = math.inf
    else:
        q = math.log2(hi / lo)
    cls = "O(N)" if q < COUNT_CLASS_EDGES[0] else "O(N log N)" if q < COUNT_CLASS_EDGES[1] else "O(N^2)"
    return cls, q


def bk_t3_on(ns, bk_counts, control_counts, *, wall_exponent: float | None = None,
             wall_class: str | None = None) -> Verdict:
    """BK-T3-ON (Table 3: the forward pass is O(N)), decided from exact operation counts of the forward pass at
    a doubling grid of N (count_class), which do not depend on the device. not-testable when the positive
    control (causal dense attention, O(N^2)) does not come out O(N^2) (the count cannot see the difference);
    reproduced when the ResNet-BK count is O(N); not-reproduced when it is super-linear. A wall-clock exponent and
    BIC class are reported as supporting evidence only."""
    wall = (f"; wall-clock (supporting only): exponent {wall_exponent:.2f}, BIC class {wall_class}"
            if wall_exponent is not None else "")
    return linear_by_count("BK-T3-ON", ns, bk_counts, control_counts, counted="forward op count",
                           measured_label="op count", q_label="second difference growth q", extra=wall)


def linear_by_count(claim: str, ns, counts, control_counts, *, counted: str, measured_label: str,
                    q_label: str = "q", extra: str = "") -> Verdict:
    """The one rule for an "O(N)" claim decided by exact operation counts on a doubling grid of N (count_class):
    not-testable when the positive control (causal dense attention) does not come out O(N^2); reproduced when the
    counts are O(N); not-reproduced when they are super-linear. BK-T3-ON (forward) and BK-S44-GRAD (backward)."""
    cls, q = count_class(ns, counts)
    ctl, qc = count_class(ns, control_counts)
    ratio = _growth([int(n) for n in ns], counts, float)   # ops/N, largest N over smallest
    ns = sorted(int(n) for n in ns)
    measured = f"{measured_label} {cls} (q={q:.2f}); control {ctl} (q={qc:.2f})"
    base = (f"exact {counted} over N={ns[0]}..{ns[-1]}: ops/N changes x{ratio:.3f}, {q_label}={q:.2f} -> {cls}; "
            f"dense-attention control q={qc:.2f} -> {ctl}{extra}")
    if ctl != "O(N^2)":
        return Verdict(claim, "not-testable", f"control not seen as O(N^2): {base}", measured)
    return Verdict(claim, "reproduced" if cls == "O(N)" else "not-reproduced", base, measured)


def bk_t7_fit(baseline_class: str, phase1_class: str, *, on_cuda: bool, paper_size: bool,
              baseline_exponent: float | None = None, phase1_exponent: float | None = None,
              count_classes: tuple | None = None) -> Verdict:
    """BK-T7-FIT (Table 7: baseline O(N), Phase 1 O(N log N), fits of GPU wall-clock times). Inputs: the
    BIC-decided class of each model's timing fit ('O(N)', 'O(N log N)', 'O(N^2)' or 'undetermined') and the exact
    forward operation-count classes (count_class) of both models. The class is decidable by counts on any device
    (policy 2, as BK-T3-ON): off CUDA or away from the paper's size the count classes decide (reproduced when both
    match the paper's, partially-reproduced when one does, not-reproduced when neither), the R^2 and coefficients
    being what a GPU run would add; pending when no counts are given. On CUDA at the paper's size the timing
    classes decide: reproduced when both match; not-reproduced when either is decided otherwise; not-testable when
    both are undetermined; partially-reproduced when one matches and one is undetermined."""
    exps = (f" (p={baseline_exponent:.2f})" if baseline_exponent is not None else "",
            f" (p={phase1_exponent:.2f})" if phase1_exponent is not None else "")
    measured = f"baseline {baseline_class}{exps[0]}, phase1 {phase1_class}{exps[1]}"
    cnt = (f"; exact op counts: baseline {count_classes[0]}, phase1 {count_classes[1]}" if count_classes else "")
    paper_cls = (paper.TABLE7["baseline"][0], paper.TABLE7["phase1"][0])   # O(N), O(N log N)
    if not (on_cuda and paper_size):
        timing = (f"this run's timing fit ({_where(on_cuda)}{'' if paper_size else ', reduced size'}; supporting "
                  f"only): BIC classes {measured}")
        if not count_classes:
            return Verdict("BK-T7-FIT", "pending", f"needs a GPU run at the paper's size or op counts; {timing}",
                           measured)
        n_ok = sum(c == w for c, w in zip(count_classes, paper_cls))
        verdict = ("reproduced", "partially-reproduced", "not-reproduced")[2 - n_ok]
        return Verdict("BK-T7-FIT", verdict,
                       f"class decided by exact forward op counts (device-independent, as BK-T3-ON): baseline "
                       f"{count_classes[0]}, phase1 {count_classes[1]} vs paper {paper_cls[0]}, {paper_cls[1]}; the "
                       f"R^2 and scaling coefficients of GPU wall-clock fits need a GPU run at the paper's size; "
                       f"{timing}", f"op-count classes baseline {count_classes[0]}, phase1 {count_classes[1]}")
    want = {"baseline": (paper_cls[0], baseline_class), "phase1": (paper_cls[1], phase1_class)}
    match = [got == w for w, got in want.values()]
    undet = [got == "undetermined" for _, got in want.values()]
    if all(match):
        verdict = "reproduced"
    elif any(not m and not u for m, u in zip(match, undet)):
        verdict = "not-reproduced"
    elif all(undet):
        verdict = "not-testable"
    else:
        verdict = "partially-reproduced"
    return Verdict("BK-T7-FIT", verdict, f"BIC classes on CUDA: {measured} vs paper {paper_cls[0]}, {paper_cls[1]}{cnt}",
                   measured)


# ---- issue 22: claims decided from bytes, counts and the printed tables themselves (policy 2)
BYTES_PER = {"FP32": 4, "FP16": 2}
T11_PARAM_TOL = 0.05       # a parameter-memory value matches within 5% of count x bytes (either unit reading)
ADAMW_STATE_MULT = 3       # gradients + AdamW's two moments: three tensors the size of the parameters
T11_STATE_TOL = 0.05       # an "activation" column within 5% of 3 x its parameter memory holds only that state
TRAIN_MIN_BYTES = 8        # training lower bound per parameter: FP16 weights, gradients and both AdamW moments
TRAIN_MIXED_BYTES = 16     # standard mixed precision: FP16 weights + grads, FP32 master copy and moments
S65_BASELINE_BYTES = 16    # the baseline trains in FP32 with AdamW (Table 11's pairing): weights, grads, 2 moments
T67_WORKLOAD_EXP = 0.25    # forward time x tokens/s (tokens) grows as N^e with |e - 1| <= this: a fixed number of sequences


def bk_t11_parammem(baseline_params: int, optimized_params: int) -> Verdict:
    """BK-T11-PARAMMEM (Table 11's "Parameter Memory" row, 113.2 -> 17.4 MB, 84.6%): bytes of tensors of the exact
    Table 10 counts, baseline FP32 (4 bytes) and optimized FP16 (2 bytes), decided on any device (policy 2). MB is
    read once for the row (policy 4): SI and binary are both computed and the reading that fits more of the two
    values is used. A value matches within 5%, the reduction within T11_TOLERANCE points. reproduced when both
    values and the reduction match; partially-reproduced when only the baseline value is off; not-reproduced when
    the optimized value or the reduction is off."""
    (pb, po, pr), mine = paper.TABLE11["parameter_memory"], (4 * baseline_params, 2 * optimized_params)
    rel = {rd: [m / (p * u["MB"]) - 1 for m, p in zip(mine, (pb, po))] for rd, u in T1_READINGS.items()}
    rd = max(T1_READINGS, key=lambda k: sum(abs(x) <= T11_PARAM_TOL for x in rel[k]))   # SI first on a tie
    ok_b, ok_o = (abs(x) <= T11_PARAM_TOL for x in rel[rd])
    red = 100 * (1 - mine[1] / mine[0])
    ok_r = abs(red - pr) <= T11_TOLERANCE
    measured = f"{mine[0] / 1e6:.1f} -> {mine[1] / 1e6:.2f} MB (-{red:.1f}%)"
    reason = (f"bytes of tensors of Table 10's exact counts: {baseline_params:,} x 4 (FP32) = {mine[0] / 1e6:.1f} MB "
              f"({mine[0] / 2**20:.1f} MiB) vs printed {pb}; {optimized_params:,} x 2 (FP16) = {mine[1] / 1e6:.2f} MB "
              f"({mine[1] / 2**20:.2f} MiB) vs printed {po} ({po * 1e6 / mine[1]:.1f}x the FP16 bytes, "
              f"{po * 1e6 / (2 * mine[1]):.1f}x even in FP32); reduction {red:.1f}% vs {pr}%; {rd} reading of MB "
              f"(fits {int(ok_b) + int(ok_o)} of 2); decided on bytes: a GPU run adds only the allocator's "
              "rounding of each tensor, not a factor")
    verdict = ("reproduced" if ok_b and ok_o and ok_r else
               "partially-reproduced" if ok_o and ok_r else "not-reproduced")
    return Verdict("BK-T11-PARAMMEM", verdict, reason, measured)


def bk_t11_caption(table: dict | None = None) -> Verdict:
    """BK-T11-CAPTION (Table 11's caption: the measurements "include parameter storage, forward pass activations,
    and backward pass gradients"), read against the printed table itself (default paper.TABLE11). Per column,
    activation / parameter memory: within T11_STATE_TOL of ADAMW_STATE_MULT (3) the "activation memory" is exactly
    gradients + AdamW's two moments, the peak 4x the parameters, and no activation of seq 512 x batch 2 is left.
    reproduced when no column is so; partially-reproduced when one is; not-reproduced when both are."""
    t = table or paper.TABLE11
    cols = {"baseline": 0, "optimized": 1}
    ratio = {c: (t["peak_memory"][i] / t["parameter_memory"][i], t["activation_memory"][i] / t["parameter_memory"][i])
             for c, i in cols.items()}
    state = [c for c, (_, a) in ratio.items() if abs(a / ADAMW_STATE_MULT - 1) <= T11_STATE_TOL]
    adds = all(abs(t["parameter_memory"][i] + t["activation_memory"][i] - t["peak_memory"][i]) <= 0.11
               for i in cols.values())
    measured = "; ".join(f"{c} peak : activation : parameters = {p:.2f} : {a:.2f} : 1" for c, (p, a) in ratio.items())
    reason = (f"printed Table 11: {measured}; parameters + activations {'=' if adds else '!='} peak in both columns. "
              f"Gradients and AdamW's two moments are {ADAMW_STATE_MULT} tensors the size of the parameters: "
              + (f"the {' and '.join(state)} 'activation memory' is that optimizer state (within "
                 f"{100 * T11_STATE_TOL:.0f}%), so its peak holds no forward activations" if state else
                 "no column's activation memory is just that optimizer state"))
    verdict = ("reproduced", "partially-reproduced", "not-reproduced")[len(state)]
    return Verdict("BK-T11-CAPTION", verdict, reason, measured)


def bk_capacity(rows: dict | None = None) -> Verdict:
    """BK-CAPACITY (Section 4.2: 1.2B on an 8 GB RTX 3080 "tested", 3.5B on a 15 GB T4 "validated"; Conclusion: 10B+
    on 24 GB): can that many parameters be trained in that memory with the stated FP16 and AdamW? rows: label ->
    (parameters, GB, word, where), default paper.CAPACITY. Lower bound per parameter TRAIN_MIN_BYTES (FP16 weights,
    gradients and both moments; a FP32 master copy, FP32 moments and activations only add); the GPU's GB read as
    binary (the larger reading). reproduced when every row fits; partially-reproduced when some do; not-reproduced
    when none does. Byte arithmetic, decided on any device; weights alone (inference, 2 bytes) are in the reason."""
    rows = rows or paper.CAPACITY
    fit, parts = [], []
    for lab, (n, gb, word, _) in rows.items():
        cap = gb * T1_UNIT_BYTES_BINARY["GB"]
        need = n * TRAIN_MIN_BYTES
        fit.append(need <= cap)
        parts.append(f"{lab} {n / 1e9:g}B ({word}): >= {need / 1e9:.1f} GB to train ({n * TRAIN_MIXED_BYTES / 1e9:.0f} GB "
                     f"in standard mixed precision), {cap / 1e9:.1f} GB available; weights alone {2 * n / 1e9:.1f} GB")
    measured = f"{sum(fit)}/{len(fit)} fit in training memory at >= {TRAIN_MIN_BYTES} bytes/parameter"
    verdict = ("reproduced" if all(fit) else "partially-reproduced" if any(fit) else "not-reproduced")
    return Verdict("BK-CAPACITY", verdict, f"byte arithmetic, FP16 + AdamW lower bound {TRAIN_MIN_BYTES} bytes/"
                   f"parameter, no activations: {'; '.join(parts)}; a GPU run would only add activations and "
                   "allocator overhead (offloading or sharding, which the paper does not state, could change it)",
                   measured)


def bk_s65_projection(baseline_params: int, optimized_params: int) -> Verdict:
    """BK-S65-PROJ (Section 6.5: at vocab 50K, d 1024, 12 layers, seq 2048 the baseline "would require approximately
    8.2 GB VRAM", the optimized model "approximately 1.2 GB"). Byte lower bounds from the exact counts: baseline
    FP32 + AdamW (S65_BASELINE_BYTES per parameter), optimized FP16 + AdamW (TRAIN_MIN_BYTES). not-reproduced when
    a lower bound exceeds the projection (GB read as binary, the larger); otherwise pending: the projection is a
    training peak (activations, allocator), which only a GPU run at that configuration measures."""
    proj = paper.S65_GB
    lb = {"baseline": baseline_params * S65_BASELINE_BYTES, "optimized": optimized_params * TRAIN_MIN_BYTES}
    over = [m for m in lb if lb[m] > proj[m] * T1_UNIT_BYTES_BINARY["GB"]]
    red = 100 * (1 - proj["optimized"] / proj["baseline"])
    measured = f"lower bounds {lb['baseline'] / 1e9:.2f} GB / {lb['optimized'] / 1e9:.3f} GB vs projected 8.2 / 1.2 GB"
    why = (f"exact counts {baseline_params:,} / {optimized_params:,} parameters; parameter-state lower bounds "
           f"{lb['baseline'] / 1e9:.2f} GB (x{S65_BASELINE_BYTES} bytes) and {lb['optimized'] / 1e9:.3f} GB "
           f"(x{TRAIN_MIN_BYTES}) vs the projected {proj['baseline']} and {proj['optimized']} GB; the projected "
           f"reduction {red:.1f}% is Table 11's {T11_PEAK_REDUCTION}% applied (the paper: 'extrapolating measured "
           "compression ratios')")
    if over:
        return Verdict("BK-S65-PROJ", "not-reproduced", f"{why}; the {' and '.join(over)} lower bound already exceeds "
                       "the projection", measured)
    return Verdict("BK-S65-PROJ", "pending", f"needs a GPU run at that configuration (a training-peak projection: "
                   f"activations and allocator are device-bound); bytes cannot decide it: {why}", measured)


def bk_t67_consist(tput: dict | None = None, fwd_s: dict | None = None) -> Verdict:
    """BK-T67-CONSIST ("Despite the log factor, Phase 1 achieves better practical throughput"): Tables 6 and 7 read
    against each other. Per model, Table 6's "forward time" x tokens/s is the tokens processed; when it grows as N^e
    with |e - 1| <= T67_WORKLOAD_EXP, the time is that of a fixed number of sequences, the per-token cost is
    1 / tokens/s, and Table 7's class must show in it: O(N) keeps tokens/s flat, O(N log N) lowers it by
    log N_min / log N_max (the ratio smallest-N over largest-N tokens/s is then log N_max / log N_min). A model is consistent when its tokens/s ratio (smallest N over largest) is nearer its
    Table 7 class's than the other class's. reproduced when both models are; partially-reproduced when one is;
    not-reproduced when none is; not-testable when a model's tokens do not grow about as N."""
    tput, fwd_s = tput or paper.TABLE6, fwd_s or paper.TABLE6_FORWARD_S
    ok, parts = [], []
    for m, cls in ((m, paper.TABLE7[m][0]) for m in ("baseline", "phase1")):
        ns = sorted(tput[m])
        tok = [fwd_s[m][n] * tput[m][n] for n in ns]
        e = math.log(tok[-1] / tok[0]) / math.log(ns[-1] / ns[0])
        if abs(e - 1) > T67_WORKLOAD_EXP:
            return Verdict("BK-T67-CONSIST", "not-testable", f"{m}: forward time x tokens/s grows as N^{e:.2f}: not a "
                           "fixed number of sequences, the two tables cannot be read together", f"{m} tokens ~ N^{e:.2f}")
        g = tput[m][ns[0]] / tput[m][ns[-1]]
        expect = {"O(N)": 1.0, "O(N log N)": math.log(ns[-1]) / math.log(ns[0])}
        near = min(expect, key=lambda k: abs(math.log(g / expect[k])))
        ok.append(near == cls)
        parts.append(f"{m}: forward time x tokens/s = {tok[0] / 1e3:.0f}K..{tok[-1] / 1e3:.0f}K tokens (~N^{e:.2f}); "
                     f"tokens/s ratio N={ns[0]}/N={ns[-1]} {g:.3f} (O(N): 1, O(N log N): {expect['O(N log N)']:.3f}) "
                     f"fits {near}, Table 7 says {cls}")
    measured = f"{sum(ok)}/2 Table 7 classes consistent with Table 6"
    verdict = ("not-reproduced", "partially-reproduced", "reproduced")[sum(ok)]
    return Verdict("BK-T67-CONSIST", verdict, "; ".join(parts), measured)
