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
T1_UNIT_BYTES = {"MB": 1e6, "GB": 1e9}  # the paper writes MB and GB (SI); it never writes MiB/GiB
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


def printed_bytes(printed: str) -> float:
    """Bytes of a memory size as the paper prints it ("63 MB", "6.6 GB"), in its units as printed (T1_UNIT_BYTES:
    MB = 10^6, GB = 10^9 bytes)."""
    value, unit = printed.split()
    if unit not in T1_UNIT_BYTES:
        raise ValueError(f"unknown memory unit {unit!r} in {printed!r}; expected one of {', '.join(T1_UNIT_BYTES)}")
    return float(value) * T1_UNIT_BYTES[unit]


def bk_t1_sizes(params, paper_params, paper_memory) -> Verdict:
    """BK-T1-SIZES (Table 1): per model, our parameter count, the printed count and the printed "Memory (FP16)"
    string ("63 MB", "6.6 GB"). FP16 memory = 2 bytes/parameter, in the paper's units read as printed, MB = 1e6 and
    GB = 1e9 bytes (the paper never writes MiB). A count matches within 1%, a memory within 5%. reproduced when
    all counts and memories match; partially-reproduced when all counts or all memories do; not-reproduced
    otherwise. The reason also gives the printed memory against 2 bytes x the printed count."""
    params, paper_params, paper_memory = list(params), list(paper_params), list(paper_memory)
    if not params or not len(params) == len(paper_params) == len(paper_memory):
        raise ValueError("bk_t1_sizes needs one count, one printed count and one printed memory per model")
    pb = [printed_bytes(m) for m in paper_memory]
    cnt = [n / p - 1 for n, p in zip(params, paper_params)]
    mem = [T1_BYTES_PER_PARAM * n / b - 1 for n, b in zip(params, pb)]
    own = [T1_BYTES_PER_PARAM * p / b - 1 for p, b in zip(paper_params, pb)]
    count_ok = all(abs(x) <= T1_COUNT_TOL for x in cnt)
    mem_ok = all(abs(x) <= T1_MEMORY_TOL for x in mem)
    pct = lambda xs: ", ".join(f"{100 * x:+.1f}%" for x in xs)  # noqa: E731
    measured = "; ".join(f"{n / 1e6:.1f}M / {T1_BYTES_PER_PARAM * n / 1e6:.0f} MB" for n in params)
    reason = (f"counts vs printed {pct(cnt)} (tolerance {100 * T1_COUNT_TOL:.0f}%); FP16 = 2 bytes/param in the "
              f"paper's MB/GB (SI) vs printed {pct(mem)} (tolerance {100 * T1_MEMORY_TOL:.0f}%); the paper's own "
              f"counts x 2 bytes vs its printed memory {pct(own)}")
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
        extra += (f"; parameter memory (bytes of tensors) {param_mb[0]:.1f} -> {param_mb[1]:.2f} MB vs printed "
                  f"{T11_PARAM_MB[0]} -> {T11_PARAM_MB[1]}")
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
    bk_cls, q = count_class(ns, bk_counts)
    ctl_cls, qc = count_class(ns, control_counts)
    ratio = _growth([int(n) for n in ns], bk_counts, float)   # ops/N, largest N over smallest
    ns = sorted(int(n) for n in ns)
    measured = f"op count {bk_cls} (q={q:.2f}); control {ctl_cls} (q={qc:.2f})"
    wall = (f"; wall-clock (supporting only): exponent {wall_exponent:.2f}, BIC class {wall_class}"
            if wall_exponent is not None else "")
    base = (f"exact forward op count over N={ns[0]}..{ns[-1]}: ops/N changes x{ratio:.3f}, second difference "
            f"growth q={q:.2f} -> {bk_cls}; dense-attention control q={qc:.2f} -> {ctl_cls}{wall}")
    if ctl_cls != "O(N^2)":
        return Verdict("BK-T3-ON", "not-testable", f"control not seen as O(N^2): {base}", measured)
    return Verdict("BK-T3-ON", "reproduced" if bk_cls == "O(N)" else "not-reproduced", base, measured)


def bk_t7_fit(baseline_class: str, phase1_class: str, *, on_cuda: bool, paper_size: bool,
              baseline_exponent: float | None = None, phase1_exponent: float | None = None,
              count_classes: tuple | None = None) -> Verdict:
    """BK-T7-FIT (Table 7, a fit of GPU wall-clock times). Inputs: the BIC-decided class of each model's timing
    fit ('O(N)', 'O(N log N)', 'O(N^2)' or 'undetermined'). pending off CUDA or away from the paper's size (the
    CPU fit and the operation-count classes are recorded as supporting evidence). On CUDA at the paper's size:
    reproduced when baseline is O(N) and Phase 1 O(N log N); not-reproduced when either is decided otherwise;
    not-testable when both are undetermined; partially-reproduced when one matches and one is undetermined."""
    exps = (f" (p={baseline_exponent:.2f})" if baseline_exponent is not None else "",
            f" (p={phase1_exponent:.2f})" if phase1_exponent is not None else "")
    measured = f"baseline {baseline_class}{exps[0]}, phase1 {phase1_class}{exps[1]}"
    cnt = (f"; exact op counts: baseline {count_classes[0]}, phase1 {count_classes[1]}" if count_classes else "")
    if not (on_cuda and paper_size):
        return Verdict("BK-T7-FIT", "pending", f"needs a GPU run at the paper's size (a GPU timing fit); this run "
                       f"({_where(on_cuda)}{'' if paper_size else ', reduced size'}) BIC classes {measured}{cnt} "
                       "as supporting evidence", measured)
    paper_cls = {m: paper.TABLE7[m][0] for m in ("baseline", "phase1")}   # O(N), O(N log N)
    want = {"baseline": (paper_cls["baseline"], baseline_class), "phase1": (paper_cls["phase1"], phase1_class)}
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
    return Verdict("BK-T7-FIT", verdict, f"BIC classes on CUDA: {measured} vs paper {paper_cls['baseline']}, {paper_cls['phase1']}{cnt}", measured)
