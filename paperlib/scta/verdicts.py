"""Decision rules for SCTA's claims (notebooks 20-22 and the GPU run). Each rule takes this run's measured
quantities (with their spread where there is one) and returns a :class:`paperlib.common.verdicts.Verdict`
whose reason is built from them; thresholds are the named constants below, fixed from the paper's text.

One rule for CPU and GPU: a claim is decided on CPU only when the quantity it states does not depend on the
device (an operation count, tensor bytes, the paper's own printed numbers, a held-out perplexity, a direction the
paper states in general, resolved beyond its spread); the paper's GPU wall-clock numbers and energy stay
``pending`` on CPU with the CPU measurement beside them as supporting evidence.
"""
from __future__ import annotations

import math
import statistics

from paperlib.common.stats import ratio_summary
from paperlib.common.verdicts import Verdict
from paperlib.scta.methods import CE_DENSE, SCTA_DENSE, vocab_text
from paperlib.scta.paper import PAPER_A6000, PAPER_CONSUMER_GB, PAPER_RTX4070

__all__ = ["ENERGY_BAND", "EXPONENT_MAX", "GB_READINGS", "MAX_REL_IQR", "MIN_DECIDING_V", "SEPARATION",
           "SPEEDUP_BAND", "energy", "one_m_consumer", "scta_complexity", "scta_conv", "scta_scale",
           "t1_consistency", "t1_speedup", "t1_throughput"]

SPEEDUP_BAND = 1.3  # reproduced when every ratio is within this factor of the paper's
ENERGY_BAND = 1.3   # "energy proportional to time": energy ratio within this factor of the time ratio
# "O(K * D_sem) instead of O(V)": the loss's work grows with V at most like V^0.15 ("independent of V"; CE: V^1)
EXPONENT_MAX = 0.15
# "Speedup increases with vocabulary size": the paper's steps are x1.84 (50K->200K) and x1.49 (200K->1M). A
# ratio whose interquartile range exceeds 25% of its median cannot resolve a step of that size: no decision.
MAX_REL_IQR = 0.25
# A change between two V is resolved when the log-distance of the medians exceeds SEPARATION x the sum of the
# two half-IQRs (log scale): with 1.0 the interquartile ranges do not overlap.
SEPARATION = 1.0
# SCTA-SCALE's exclusions (fixed in advance): a direction needs at least this many V left after excluding the
# noisy ratios, and the largest measured V must be among them (the claim is about growth towards large V).
MIN_DECIDING_V = 2
# "8 GB" read once for the whole statement (units read once per table): binary (GiB) and SI (1e9 bytes), in GiB
GB_READINGS = {"GiB": 1.0, "GB (1e9 bytes)": 1e9 / 1024 ** 3}


def _fmt(xs) -> str:
    return " / ".join(f"{x:.2f}x" for x in xs)


def _change(a: dict, b: dict) -> str:
    """'up', 'down' or 'unresolved' from summary a (smaller V) to b (larger V)."""
    gap = math.log(b["median"] / a["median"])
    half = lambda s: 0.5 * math.log(s["q3"] / s["q1"])  # noqa: E731
    if abs(gap) <= SEPARATION * (half(a) + half(b)):
        return "unresolved"
    return "up" if gap > 0 else "down"


def scta_complexity(*, work_exponent: float, work_exponent_ce: float, time_exponent: float,
                    time_exponent_ce: float, V_range: tuple[int, int]) -> Verdict:
    """SCTA-COMPLEXITY from the exponent a of the loss's operation count ~ V^a (elements written by forward +
    backward of the loss alone, a device-independent count): reproduced when a < EXPONENT_MAX, not-reproduced
    otherwise. The wall-clock exponents are recorded beside it; they do not decide a complexity claim."""
    lo, hi = V_range
    measured = f"SCTA loss work ~ V^{work_exponent:.3f} (CE ~ V^{work_exponent_ce:.2f}) over V={lo:,}..{hi:,}"
    ok = work_exponent < EXPONENT_MAX
    reason = (f"operation count of the loss alone: SCTA exponent {work_exponent:.3f} "
              f"{'<' if ok else '>='} {EXPONENT_MAX} (CE {work_exponent_ce:.2f}); wall-clock beside it: SCTA "
              f"V^{time_exponent:.2f}, CE V^{time_exponent_ce:.2f}; the loss only: dense V-row tables and their "
              "AdamW step still cost O(V) per training step (notebook 21)")
    return Verdict("SCTA-COMPLEXITY", "reproduced" if ok else "not-reproduced", reason, measured)


def scta_scale(ratios: dict, *, shape: str = "") -> Verdict:
    """SCTA-SCALE ("speedup increases with vocabulary size", a direction the paper states in general) from
    repeated, interleaved CE/SCTA-dense step-time ratios {V: [ratio per repeat]} (>= 2 V), each summarised by
    `paperlib.common.stats.ratio_summary` (inclusive quartiles). A CPU run decides it (a direction, resolved
    beyond its spread); the device is in `shape` and the spread in the reason.

    Exclusions, fixed in advance: a ratio whose IQR exceeds MAX_REL_IQR of its median does not decide (it is
    named in the reason, with its IQR/median). At least MIN_DECIDING_V ratios must remain, the largest measured
    V among them; otherwise not-testable. Over the deciding V, with changes resolved by SEPARATION: reproduced
    when every consecutive step in V is a resolved increase; partially-reproduced when the largest V's ratio is
    resolved above the smallest deciding V's but some step is not; not-reproduced when that overall change is a
    resolved decrease, or unresolved (no increase larger than the noise).
    """
    if len(ratios) < 2:
        raise ValueError("SCTA-SCALE needs ratios at >= 2 vocabulary sizes")
    Vs = sorted(ratios)
    s = {V: ratio_summary(ratios[V]) for V in Vs}
    med = [s[V]["median"] for V in Vs]
    spread = ", ".join(f"{vocab_text([V])}: {s[V]['median']:.2f}x [IQR {s[V]['q1']:.2f}-{s[V]['q3']:.2f}, "
                       f"n={s[V]['n']}]" for V in Vs)
    measured = f"SCTA dense speedup over CE {_fmt(med)} at V={vocab_text(Vs)}{f' ({shape})' if shape else ''}"
    used = [V for V in Vs if s[V]["rel_iqr"] <= MAX_REL_IQR]
    noisy = [V for V in Vs if V not in used]
    excl = (f"; excluded as too noisy (IQR/median > {MAX_REL_IQR}): "
            + ", ".join(f"V={vocab_text([V])} (IQR/median {s[V]['rel_iqr']:.2f})" for V in noisy)
            if noisy else "; none excluded")
    need = (f"{MIN_DECIDING_V} of the {len(Vs)} V must remain, the largest ({vocab_text([Vs[-1]])}) among them; "
            f"{len(used)} remain")
    if len(used) < MIN_DECIDING_V or Vs[-1] not in used:
        return Verdict("SCTA-SCALE", "not-testable", f"too few precise ratios to decide a direction: {need}{excl}; "
                       f"{spread}", measured)
    steps = [_change(s[a], s[b]) for a, b in zip(used, used[1:])]
    overall = _change(s[used[0]], s[used[-1]])
    if all(c == "up" for c in steps):
        verdict, lead = "reproduced", "speedup increases at every step in V beyond the spread"
    elif overall == "up":
        verdict, lead = "partially-reproduced", f"speedup larger at the largest V, but steps are {steps}"
    elif overall == "down":
        verdict, lead = "not-reproduced", "speedup decreases from the smallest to the largest V beyond the spread"
    else:
        verdict, lead = "not-reproduced", "no change from the smallest to the largest V beyond the spread"
    return Verdict("SCTA-SCALE", verdict, f"{lead} over V={vocab_text(used)} (IQRs separated x{SEPARATION:g}; "
                                          f"{need}){excl}; {spread}", measured)


def _paper_range(V: int) -> tuple[float, float]:
    """The paper's finite speedups at V over its two GPUs (Table 1): (smallest, largest)."""
    xs = [PAPER_A6000[V]] + ([PAPER_RTX4070[V]] if V in PAPER_RTX4070 else [])
    return min(xs), max(xs)


def t1_speedup(ratios: dict, *, on_cuda: bool, device: str = "", detail: str = "") -> Verdict:
    """SCTA-T1-SPEEDUP (Table 1's speedups, numbers measured on two named GPUs) from CE/SCTA-dense step-time
    ratios {V: median ratio}. The numbers are GPU wall-clock: on CPU the claim stays pending and this run's ratios
    are recorded beside it as supporting evidence only (their direction decides SCTA-SCALE and SCTA-T1-TPUT).

    On CUDA with all of the paper's V, each ratio is compared with both GPU rows of the table: reproduced when
    it lies within a factor SPEEDUP_BAND of the range the RTX A6000 and the RTX 4070 Laptop span at that V (the
    4070's 1M entry is CE's out-of-memory failure, SCTA-1M-CONSUMER's outcome, so at 1M the A6000's value alone);
    partially when SCTA is faster at every V; not-reproduced otherwise. Pending too when a ratio is missing (nan:
    a run failed). A ratio of inf (only CE failed: a lower bound) counts as SCTA faster but never lies within the
    band of a finite value."""
    claim = "SCTA-T1-SPEEDUP"
    Vs = sorted(ratios)
    what = "speedup of SCTA (dense) over CE per step"
    measured = f"{what} {_fmt(ratios[V] for V in Vs)} at V={vocab_text(Vs)}{f' on {device}' if device else ''}"
    if detail:
        measured += f"; {detail}"
    pV = sorted(PAPER_A6000)
    paper = (f"the paper's RTX A6000 {_fmt(PAPER_A6000[V] for V in pV)} and RTX 4070 Laptop "
             f"{_fmt(PAPER_RTX4070[V] for V in sorted(PAPER_RTX4070))} / infinite (CE out of memory) at "
             f"V={vocab_text(pV)}")
    if not (on_cuda and set(PAPER_A6000) <= set(ratios)):
        return Verdict(claim, "pending", f"numbers measured on named GPUs ({paper}, whole-run times) wait for a GPU "
                                         f"run at V = {vocab_text(pV)}; supporting evidence only (not deciding): "
                                         f"this run's {measured}", measured)
    failed = [V for V in pV if not ratios[V] > 0]  # nan: a run failed, no ratio to compare
    if failed:
        return Verdict(claim, "pending", f"no ratio at V={vocab_text(failed)} (a run failed); {measured}", measured)
    ours = [ratios[V] for V in pV]
    within = [lo / SPEEDUP_BAND < o < hi * SPEEDUP_BAND for o, (lo, hi) in zip(ours, map(_paper_range, pV))]
    if all(within):
        verdict = "reproduced"
    else:
        verdict = "partially-reproduced" if all(o > 1 for o in ours) else "not-reproduced"
    outside = [vocab_text([V]) for V, w in zip(pV, within) if not w]
    return Verdict(claim, verdict, f"{what} {_fmt(ours)} vs {paper} (within a factor {SPEEDUP_BAND} of the two "
                                   f"GPUs' range at every V{'' if not outside else ' except ' + ', '.join(outside)})",
                   measured)


def t1_throughput(ratios: dict, *, shape: str = "") -> Verdict:
    """SCTA-T1-TPUT ("SEMANTIC maintains significantly higher throughput across all vocabulary sizes"): a
    direction, decided on any device from repeated interleaved CE/SCTA-dense step-time ratios {V: [ratio per
    round]} (the tokens/s ratio at a fixed batch is the step-time ratio). reproduced when at every V the IQR over
    rounds lies entirely above 1; not-reproduced when at some V it does not (reaching 1 or below: not higher beyond
    the spread). What it adds to SCTA-T1-SPEEDUP: the direction at every V, decidable here; the table's tokens/s
    numbers are its times restated (SCTA-T1-CONSIST), whose ratios SCTA-T1-SPEEDUP holds; "the advantage
    increasing" is SCTA-SCALE."""
    if not ratios:
        raise ValueError("SCTA-T1-TPUT needs ratios at >= 1 vocabulary size")
    Vs = sorted(ratios)
    s = {V: ratio_summary(ratios[V]) for V in Vs}
    spread = ", ".join(f"{vocab_text([V])}: {s[V]['median']:.2f}x [IQR {s[V]['q1']:.2f}-{s[V]['q3']:.2f}, "
                       f"n={s[V]['n']}]" for V in Vs)
    measured = (f"SEM/CE throughput ratio {_fmt(s[V]['median'] for V in Vs)} at V={vocab_text(Vs)}"
                f"{f' ({shape})' if shape else ''}")
    not_above = [V for V in Vs if not s[V]["q1"] > 1]
    adds = ("adds the direction at every V to SCTA-T1-SPEEDUP: Table 1's tokens/s are its times restated "
            "(SCTA-T1-CONSIST), their ratios are SCTA-T1-SPEEDUP's (GPU numbers), the growth with V is SCTA-SCALE")
    if not not_above:
        return Verdict("SCTA-T1-TPUT", "reproduced", f"SCTA's throughput is higher at every V, the IQR over rounds "
                       f"above 1 ({spread}); {adds}", measured)
    return Verdict("SCTA-T1-TPUT", "not-reproduced", f"SCTA's throughput is not higher beyond the spread at "
                   f"V={vocab_text(not_above)} (IQR reaches 1 or below; {spread}); {adds}", measured)


def t1_consistency(rows, *, tokens: int, examples: int) -> Verdict:
    """SCTA-T1-CONSIST: Table 1's rows agree with one another and with the stated run. Each row (dict: time_s,
    tok_s, ex_s) is printed with time to 0.01 s, tokens/s to 1 and examples/s to 0.1, so time x tokens/s and time
    x examples/s are known within the rounding of the printed digits. reproduced when one token count and one
    example count lie inside every row's rounding interval and `tokens` / `examples` (the stated configuration)
    are among them; partially-reproduced when common counts exist but not the configuration's; refuted when no
    common count exists (an exact computation shows two rows inconsistent)."""
    def box(t, r, dr):  # interval of (t +- 0.005) x (r +- dr)
        return (t - 0.005) * (r - dr), (t + 0.005) * (r + dr)

    common = {}
    for name, col, dr in (("tokens", "tok_s", 0.5), ("examples", "ex_s", 0.05)):
        iv = [box(r["time_s"], r[col], dr) for r in rows]
        lo, hi = max(a for a, _ in iv), min(b for _, b in iv)
        common[name] = (lo, hi) if lo <= hi else None
    prod = lambda col: [r["time_s"] * r[col] for r in rows]  # noqa: E731
    measured = (f"time x tokens/s over {len(rows)} rows: {min(prod('tok_s')):,.0f}..{max(prod('tok_s')):,.0f} "
                f"(stated run {tokens:,}); time x examples/s: {min(prod('ex_s')):,.0f}..{max(prod('ex_s')):,.0f} "
                f"({examples:,})")
    bad = [k for k, v in common.items() if v is None]
    if bad:
        return Verdict("SCTA-T1-CONSIST", "refuted", f"no single {' or '.join(bad)} count fits every row within the "
                       f"rounding of its printed digits; {measured}", measured)
    (tlo, thi), (elo, ehi) = common["tokens"], common["examples"]
    band = f"common tokens {tlo:,.0f}..{thi:,.0f}, examples {elo:,.0f}..{ehi:,.0f}"
    if tlo <= tokens <= thi and elo <= examples <= ehi:
        return Verdict("SCTA-T1-CONSIST", "reproduced", f"every row's time x tokens/s and time x examples/s is the "
                       f"stated run of {tokens:,} tokens / {examples:,} examples within the rounding of its printed "
                       f"digits ({band}): the throughput columns are the time column restated; {measured}", measured)
    return Verdict("SCTA-T1-CONSIST", "partially-reproduced", f"the rows share one run size ({band}) but not the "
                   f"stated {tokens:,} tokens / {examples:,} examples; {measured}", measured)


def one_m_consumer(statuses: dict | None, *, analytic: str = "", gib: dict | None = None,
                   cap_gb: float = PAPER_CONSUMER_GB) -> Verdict:
    """SCTA-1M-CONSUMER ("CE cannot train V = 1M on the 8 GB RTX 4070 Laptop; SEMANTIC can").

    With a capped GPU run (`statuses` {label: ok|oom|...} under the emulated cap): reproduced when CE runs out of
    memory and SCTA runs; partially when SCTA runs and CE too; not-reproduced when SCTA fails.
    Without one (statuses None), decided now on the analytic tensor bytes at the paper's configuration (`gib`:
    {"CE": GiB, "SCTA": GiB} at V = 1M; fp32 parameters, gradients, Adam moments, logits, activations), with
    "8 GB" read both ways (GB_READINGS): reproduced when under both readings CE's bytes exceed the card and
    SCTA's fit; partially when both fit; not-reproduced when SCTA's exceed it; pending when the two readings
    disagree, or with no estimate. The reason says what the capped GPU run would still confirm."""
    if statuses is not None:
        ce_fail, sem_ok = statuses.get(CE_DENSE) == "oom", statuses.get(SCTA_DENSE) == "ok"
        verdict = "reproduced" if (ce_fail and sem_ok) else "partially-reproduced" if sem_ok else "not-reproduced"
        measured = f"under the cap: {statuses}"
        return Verdict("SCTA-1M-CONSUMER", verdict, f"CE {'OOM' if ce_fail else 'ran'}, SCTA "
                       f"{'ran' if sem_ok else 'failed'} under the emulated cap{'; ' + analytic if analytic else ''}",
                       measured)
    if not gib or not {"CE", "SCTA"} <= set(gib):
        return Verdict("SCTA-1M-CONSUMER", "pending", f"no analytic estimate and no capped GPU run; "
                       f"{analytic or 'no estimate'}", analytic or None)
    ce, sem = float(gib["CE"]), float(gib["SCTA"])
    outcomes = {}
    for unit, f in GB_READINGS.items():
        card = cap_gb * f
        outcomes[unit] = "not-reproduced" if sem > card else "reproduced" if ce > card else "partially-reproduced"
    cards = " or ".join(f"{cap_gb * f:.2f} GiB ({cap_gb:g} {u})" for u, f in GB_READINGS.items())
    confirm = (f"a capped GPU run (allocator under a {cap_gb:g} GiB cap) would confirm it with what the estimate "
               "leaves out: CUDA context, allocator workspace and fragmentation")
    measured = analytic or f"analytic at V=1M: CE {ce:.1f} GiB, SCTA {sem:.1f} GiB"
    if len(set(outcomes.values())) > 1:
        return Verdict("SCTA-1M-CONSUMER", "pending", f"the two readings of {cap_gb:g} GB ({cards}) disagree "
                       f"({outcomes}): the capped GPU run decides; {measured}", measured)
    verdict = next(iter(outcomes.values()))
    lead = {"reproduced": "CE's tensors exceed the card, SCTA's fit",
            "partially-reproduced": "SCTA's tensors fit, but so do CE's",
            "not-reproduced": "SCTA's tensors do not fit"}[verdict]
    return Verdict("SCTA-1M-CONSUMER", verdict, f"decided on analytic tensor bytes (device-independent): {lead} "
                   f"(CE {ce:.1f} GiB, SCTA {sem:.1f} GiB vs {cards}, the same under both readings of GB); "
                   f"{confirm}; {measured}", measured)


def energy(energy_ratio: float | None, time_ratio: float, *, on_cuda: bool, V: int | None = None) -> Verdict:
    """SCTA-ENERGY from the CE/SCTA energy-per-step ratio (NVML) and the step-time ratio: reproduced when the
    energy ratio is within a factor ENERGY_BAND of the time ratio; partially when SCTA still uses less energy;
    not-reproduced otherwise. Without CUDA, or without an energy counter on the device, pending."""
    at = f" at V={V:,}" if V else ""
    if not on_cuda:
        return Verdict("SCTA-ENERGY", "pending", f"needs a GPU run with an NVML energy counter; this CPU run's "
                       f"time ratio CE/SCTA {time_ratio:.2f}x{at}", f"time ratio {time_ratio:.2f}x{at}, no energy")
    if energy_ratio is None or not math.isfinite(energy_ratio):
        return Verdict("SCTA-ENERGY", "pending", "no NVML energy counter in this run (pynvml missing, or the "
                       "GPU/driver does not expose total energy); rerun with nvidia-ml-py on such a GPU",
                       f"time ratio {time_ratio:.2f}x{at}, no energy")
    if abs(math.log(energy_ratio / time_ratio)) < math.log(ENERGY_BAND):
        verdict = "reproduced"
    else:
        verdict = "partially-reproduced" if energy_ratio > 1 else "not-reproduced"
    measured = f"energy ratio CE/SCTA {energy_ratio:.2f}x vs time ratio {time_ratio:.2f}x{at}"
    return Verdict("SCTA-ENERGY", verdict, f"{measured} (NVML; proportional = within a factor {ENERGY_BAND})",
                   measured)


def scta_conv(ppl_scta, ppl_ce, *, loss_scta: float, loss_ce: float, budget: str = "") -> Verdict:
    """SCTA-CONV ("faster convergence: lower loss values than CE") on the common yardstick: held-out full-softmax
    perplexity of SCTA after Stage 2 and of CE at an equal token budget, paired by seed (lists, one per seed).
    reproduced when SCTA's is lower in every seed; not-reproduced otherwise (worse in every seed, or mixed: no
    consistent advantage). The raw training losses (SCTA's (K+1)-way vs CE's V-way problem) are reported beside,
    never compared."""
    a, b = [float(x) for x in ppl_scta], [float(x) for x in ppl_ce]
    if not a or len(a) != len(b):
        raise ValueError("need one SCTA and one CE perplexity per seed")
    r = ratio_summary([x / y for x, y in zip(a, b)])
    measured = (f"held-out ppl SCTA+Stage2 / CE = {r['median']:.2f} (median over {r['n']} seeds, range "
                f"{r['min']:.2f}-{r['max']:.2f}); ppl SCTA {statistics.median(a):.1f} vs CE {statistics.median(b):.1f}")
    lower = sum(x < y for x, y in zip(a, b))
    if lower == len(a):
        verdict, lead = "reproduced", "SCTA's held-out perplexity is below CE's in every seed"
    elif lower == 0:
        verdict, lead = "not-reproduced", "SCTA's held-out perplexity is above CE's in every seed"
    else:
        verdict, lead = "not-reproduced", f"SCTA below CE in {lower} of {len(a)} seeds only: no consistent advantage"
    reason = (f"{lead}{f' ({budget})' if budget else ''}; raw final training losses SEM {loss_scta:.2f} vs CE "
              f"{loss_ce:.2f} are on different scales (log(K+1) vs log V at chance)")
    return Verdict("SCTA-CONV", verdict, reason, measured)
