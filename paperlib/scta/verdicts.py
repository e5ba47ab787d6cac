"""Decision rules for SCTA's claims (notebooks 20-22 and the GPU run). Each rule takes this run's measured
quantities (with their spread where there is one) and returns a :class:`paperlib.common.verdicts.Verdict`
whose reason is built from them; thresholds are the named constants below, fixed from the paper's text.

One rule for CPU and GPU: a claim is decided on CPU only when the quantity it states does not depend on the
device (an operation count, a held-out perplexity, a direction the paper states in general); the paper's GPU
wall-clock, allocator-memory and energy numbers stay ``pending`` on CPU with the CPU measurement beside them.
"""
from __future__ import annotations

import math
import statistics

from paperlib.common.stats import ratio_summary
from paperlib.common.verdicts import Verdict
from paperlib.scta.methods import CE_DENSE, SCTA_DENSE, vocab_text
from paperlib.scta.paper import PAPER_A6000

__all__ = ["ENERGY_BAND", "EXPONENT_MAX", "MAX_REL_IQR", "SEPARATION", "SPEEDUP_BAND", "energy", "one_m_consumer",
           "scta_complexity", "scta_conv", "scta_scale", "t1_speedup"]

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
    `paperlib.common.stats.ratio_summary` (inclusive quartiles).

    Only ratios whose IQR is at most MAX_REL_IQR of their median decide (the others are reported, excluded);
    fewer than two such V: not-testable. Over the deciding V, with changes resolved by SEPARATION: reproduced
    when every consecutive step in V is a resolved increase; partially-reproduced when the largest deciding V's
    ratio is resolved above the smallest's but some step is not; not-reproduced when that overall change is a
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
    excl = f"; excluded as too noisy (IQR/median > {MAX_REL_IQR}): V={vocab_text(noisy)}" if noisy else ""
    if len(used) < 2:
        return Verdict("SCTA-SCALE", "not-testable", f"fewer than two ratios precise enough to decide a direction"
                       f"{excl}; {spread}", measured)
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
    return Verdict("SCTA-SCALE", verdict, f"{lead} over V={vocab_text(used)} (IQRs separated x{SEPARATION:g}){excl}; "
                                          f"{spread}", measured)


def t1_speedup(ratios: dict, *, on_cuda: bool, claim: str = "SCTA-T1-SPEEDUP", device: str = "",
               detail: str = "") -> Verdict:
    """SCTA-T1-SPEEDUP / -TPUT from CE/SCTA-dense step-time ratios {V: median ratio} (the throughput ratio at a
    fixed batch equals the step-time ratio). On CUDA with all of the paper's V: reproduced when each is within
    a factor SPEEDUP_BAND of the A6000's; partially when SCTA is faster at every V; not-reproduced otherwise.
    Elsewhere pending (the paper's values are GPU timings), with this run's ratios recorded beside; pending too
    when a ratio is missing (nan: a run failed). A ratio of inf (only CE failed: a lower bound, the paper's
    "infinite") counts as SCTA faster but can never lie within the band of a finite A6000 value."""
    Vs = sorted(ratios)
    what = "tokens/s ratio SEM/CE" if claim.endswith("TPUT") else "speedup of SCTA (dense) over CE per step"
    measured = f"{what} {_fmt(ratios[V] for V in Vs)} at V={vocab_text(Vs)}{f' on {device}' if device else ''}"
    if detail:
        measured += f"; {detail}"
    if not (on_cuda and set(PAPER_A6000) <= set(ratios)):
        return Verdict(claim, "pending", f"needs a GPU run at V = {vocab_text(sorted(PAPER_A6000))} (the paper's values are GPU "
                                         f"timings); this run's {measured}", measured)
    failed = [V for V in sorted(PAPER_A6000) if not ratios[V] > 0]  # nan: a run failed, no ratio to compare
    if failed:
        return Verdict(claim, "pending", f"no ratio at V={vocab_text(failed)} (a run failed); {measured}", measured)
    ours = [ratios[V] for V in sorted(PAPER_A6000)]
    paper = [PAPER_A6000[V] for V in sorted(PAPER_A6000)]
    if all(abs(math.log(o / p)) < math.log(SPEEDUP_BAND) for o, p in zip(ours, paper)):
        verdict = "reproduced"
    else:
        verdict = "partially-reproduced" if all(o > 1 for o in ours) else "not-reproduced"
    return Verdict(claim, verdict, f"{what} {_fmt(ours)} vs the A6000's {_fmt(paper)} (factor {SPEEDUP_BAND} "
                                   f"band)", measured)


def one_m_consumer(statuses: dict | None, *, analytic: str = "") -> Verdict:
    """SCTA-1M-CONSUMER from the statuses of the runs under the emulated memory cap ({label: ok|oom|...}):
    reproduced when CE runs out of memory and SCTA runs; partially when SCTA runs and CE too; not-reproduced
    when SCTA fails. None (no capped run: no CUDA) -> pending, with the analytic estimate beside."""
    if statuses is None:
        return Verdict("SCTA-1M-CONSUMER", "pending",
                       f"needs a GPU run under the emulated memory cap (allocator memory); {analytic or 'no estimate'}",
                       analytic or None)
    ce_fail, sem_ok = statuses.get(CE_DENSE) == "oom", statuses.get(SCTA_DENSE) == "ok"
    verdict = "reproduced" if (ce_fail and sem_ok) else "partially-reproduced" if sem_ok else "not-reproduced"
    measured = f"under the cap: {statuses}"
    return Verdict("SCTA-1M-CONSUMER", verdict, f"CE {'OOM' if ce_fail else 'ran'}, SCTA "
                   f"{'ran' if sem_ok else 'failed'} under the emulated cap{'; ' + analytic if analytic else ''}",
                   measured)


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
