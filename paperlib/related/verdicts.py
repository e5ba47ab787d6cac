"""Decision rules for the related-theory claims checked in notebook 30: OLS-LINTF and HKT-COST.

Each rule takes this run's measured quantities and returns a :class:`paperlib.common.verdicts.Verdict` whose
reason is built from them; thresholds are the named constants below, fixed from the abstracts' text.
"""
from __future__ import annotations

from fractions import Fraction

from paperlib.common.verdicts import Verdict

__all__ = ["HKT_BOUND", "HKT_EXPERIMENT_T", "HKT_OVERHEAD", "HKT_RHO_L3", "IDENTITY_TOL", "INFORMATIVE_BOUND", "PSD_TOL",
           "bound_checks", "hkt_cost", "hkt_overhead", "hkt_psd", "hkt_subsumes", "ols_lintf"]

# HKT abstract: "bounded by 4/3 times that of standard attention, reaching 1.3125x for L = 3"
HKT_BOUND = Fraction(4, 3)
HKT_RHO_L3 = Fraction(21, 16)  # 1.3125 exactly
# HKT abstract, experiments: "ListOps ... T = 512 ... sequential CIFAR-10 ... T = 1,024 ... IMDB ... T = 1,024, all
# at 1.31x overhead": printed to 2 decimals, so it stands for [1.305, 1.315]
HKT_OVERHEAD = Fraction(131, 100)
HKT_EXPERIMENT_T = (512, 1024)
# Proposition 3.1 (PSD kernel): the smallest eigenvalue of the symmetrised score, relative to its largest absolute
# eigenvalue, counts as negative below -PSD_TOL (float64 eigensolvers are accurate to ~T eps relative to the norm)
PSD_TOL = 1e-10
# OLS abstract: attention's forward pass is "mathematically equivalent" to OLS. An exact identity checked in
# float64 (no conditioning amplification: same inputs, or the closed form (SF)) holds to rounding; 1e-10 leaves
# six orders of magnitude above float64 rounding and is far below any modelling difference.
IDENTITY_TOL = 1e-10
# a perturbation bound this large cannot show equality: such a check is reported but is not evidence
INFORMATIVE_BOUND = 1e-2


def bound_checks(table, err_col: str):
    """Add to an error table (a DataFrame with a `bound` column) whether each error is within its perturbation
    bound (`within_bound`) and whether the bound is small enough to be evidence of equality (`informative`)."""
    table["within_bound"] = table[err_col] <= table["bound"]
    table["informative"] = table["bound"] < INFORMATIVE_BOUND
    return table


def ols_lintf(*, synthetic_worst: float, real_worst: float, real_informative: bool, hurnet_worst: float,
              sf_dev: float, new_task_dev: float, note: str = "") -> Verdict:
    """OLS-LINTF: the constructed linear-attention layer equals OLS.

    Inputs are this run's worst cases: `synthetic_worst` = max over full-rank random instances of
    (relative error vs numpy.linalg.lstsq) / (d kappa^2 eps), the normal-equation bound; `real_worst` the same
    ratio on the real-data regression at a matched singular-value cut-off (kappa_r of the kept part) and
    `real_informative` whether some real-data bound is below 1e-2 (a looser bound cannot show equality);
    `hurnet_worst` = HurNet's closed-form predictions vs the layer's, over the same bound; `sf_dev` = the layer vs
    the slow/fast closed form (SF); `new_task_dev` = the layer vs the new task's OLS for same inputs, new targets;
    `note`: measured detail appended to the measured value (e.g. where the covariance route breaks down).

    reproduced: every ratio <= 1, real data informative, and both identities within IDENTITY_TOL;
    partially-reproduced: the synthetic or the real-data equality holds but not all of the above;
    not-reproduced: neither equality holds.
    """
    synthetic_ok = synthetic_worst <= 1.0
    real_ok = real_worst <= 1.0 and bool(real_informative)
    hurnet_ok = hurnet_worst <= 1.0
    sf_ok, task_ok = sf_dev <= IDENTITY_TOL, new_task_dev <= IDENTITY_TOL
    parts = (f"worst error/bound: synthetic {synthetic_worst:.2g}, real data {real_worst:.2g}"
             f"{'' if real_informative else ' (no informative real-data bound)'}, HurNet {hurnet_worst:.2g}; "
             f"SF identity {sf_dev:.1e}, new-task OLS {new_task_dev:.1e} (tolerance {IDENTITY_TOL:g})")
    if synthetic_ok and real_ok and hurnet_ok and sf_ok and task_ok:
        verdict, lead = "reproduced", "linear attention with W_K=W_Q=Lambda^-1/2 U^T equals OLS to rounding"
    elif synthetic_ok or real_ok:
        verdict, lead = "partially-reproduced", "the equality holds on part of the checks only"
    else:
        verdict, lead = "not-reproduced", "the layer does not reproduce OLS within the normal-equation bound"
    return Verdict("OLS-LINTF", verdict, f"{lead}; {parts}", measured=f"{parts}; {note}" if note else parts)


def hkt_cost(*, rho_3: Fraction, sup_rho: Fraction, all_below: bool, L_matching: int | None) -> Verdict:
    """HKT-COST: cost ratio of L levels over standard attention is bounded by 4/3 and is 1.3125 at L = 3.

    Inputs (exact fractions under one cost model): rho_3 = rho(3); sup_rho = sup_L rho(L); all_below = rho(L) <
    4/3 at every L checked; L_matching = the L with rho(L) = 1.3125 (None if none).
    reproduced: rho(3) = 21/16, L_matching = 3, sup = 4/3 and every rho(L) below it; partially-reproduced: one of
    the two numbers holds; not-reproduced: neither.
    """
    match = Fraction(rho_3) == HKT_RHO_L3 and L_matching == 3
    bound = Fraction(sup_rho) == HKT_BOUND and bool(all_below)
    verdict = "reproduced" if (match and bound) else "partially-reproduced" if (match or bound) else "not-reproduced"
    measured = f"rho(3) = {rho_3} = {float(rho_3):.4f}; sup_L rho = {sup_rho}; 1.3125 reached at L = {L_matching}"
    reason = (f"{measured}; paper: {HKT_RHO_L3} at L = 3 ({'matches' if match else 'does not match'}) and bound "
              f"{HKT_BOUND} ({'holds' if bound else 'does not hold'}) under this cost model, asymptotically in T")
    return Verdict("HKT-COST", verdict, reason, measured=measured)


def hkt_overhead(*, count_ratios: dict, with_downsampling: dict | None = None) -> Verdict:
    """HKT-OVERHEAD: the experiments' measured "1.31x overhead" beside the 1.3125 cost theory.

    `count_ratios` {T: Fraction}: the exact causal score-entry ratio at L = 3 (`hkt_cost.exact_cost_ratio`) at the
    experiments' T; `with_downsampling` {T: Fraction} the same with the downsampling convolutions counted (beside,
    not deciding). The printed 1.31 stands for [1.305, 1.315]. reproduced when the count at every experiment T
    lies in it (the reported overhead is what the cost theory gives at those lengths); not-reproduced otherwise.
    The wall-clock itself (the authors' models and hardware, neither given) is not re-measured: a timing of their
    model would confirm it."""
    half = Fraction(1, 200)
    Ts = sorted(count_ratios)
    within = {T: abs(Fraction(count_ratios[T]) - HKT_OVERHEAD) <= half for T in Ts}
    counts = ", ".join(f"T = {T:,}: {float(count_ratios[T]):.4f}" for T in Ts)
    extra = ("; with the downsampling convolutions counted: " + ", ".join(
        f"T = {T:,}: {float(with_downsampling[T]):.4f}" for T in sorted(with_downsampling))) if with_downsampling else ""
    measured = f"exact causal score-entry ratio at L = 3: {counts} (T -> inf: {float(HKT_RHO_L3)}){extra}"
    scope = ("the abstract's 1.31x is a measured overhead of the authors' models (not given): compared here with the "
             "cost theory at the experiments' lengths, not re-timed; a timing of their model would confirm it")
    if all(within.values()):
        return Verdict("HKT-OVERHEAD", "reproduced", f"the count at every experiment T rounds to the reported "
                       f"{float(HKT_OVERHEAD)} ({counts}){extra}; {scope}", measured)
    off = [T for T, ok in within.items() if not ok]
    return Verdict("HKT-OVERHEAD", "not-reproduced", f"the count at T = {', '.join(f'{T:,}' for T in off)} does not "
                   f"round to {float(HKT_OVERHEAD)} ({counts}){extra}; {scope}", measured)


def hkt_psd(*, min_eig_condition: float, min_eig_without: float, n: int, shape: str = "") -> Verdict:
    """HKT-PSD (Proposition 3.1): the hierarchical score matrix is a PSD kernel when every symmetrised bilinear form
    is PSD (our reading, `paperlib.related.hkt_kernel`). Inputs: the smallest relative eigenvalue of sym(S) over
    n random instances meeting the condition, and over n instances violating it (is the condition needed?).
    reproduced when no instance under the condition goes below -PSD_TOL; refuted when one does (a
    counterexample). The instances without the condition are reported beside (a negative eigenvalue there shows
    the condition is not vacuous)."""
    measured = (f"smallest eigenvalue / largest |eigenvalue| of sym(S): {min_eig_condition:.1e} over {n} instances "
                f"with PSD symmetrised forms, {min_eig_without:.2f} over {n} without{f' ({shape})' if shape else ''}")
    needed = ("the condition is needed (without it the kernel is indefinite)" if min_eig_without < -PSD_TOL
              else "no instance without the condition was indefinite either")
    if min_eig_condition >= -PSD_TOL:
        return Verdict("HKT-PSD", "reproduced", f"no negative eigenvalue beyond {PSD_TOL:g} under the condition; "
                       f"{needed}; {measured}; the proof is one line: sym(S) = sum_l alpha_l (U_l X_l) sym(A_l) "
                       f"(U_l X_l)^T with alpha_l >= 0", measured)
    return Verdict("HKT-PSD", "refuted", f"a counterexample: an instance meeting the condition has a negative "
                   f"eigenvalue beyond {PSD_TOL:g}; {measured}", measured)


def hkt_subsumes() -> Verdict:
    """HKT-SUBSUMES (Proposition 3.4: HKT "strictly subsumes single-head standard attention and causal
    convolution"). not-testable here, by the verdict policy's first rule: the abstract defines neither the
    downsampling operator, nor the output rule, nor the positional scheme, so (a) the attention case holds in any
    reading by construction (one level with convex weight 1 is single-head attention), which earns nothing, and
    (b) whether a causal convolution is a special case depends on exactly those undefined parts (one softmax head
    only produces non-negative, normalised mixing weights, which a convolution kernel need not be)."""
    reason = ("not testable from the abstract: the attention case is true by construction in any reading (one "
              "level with weight 1), which is no evidence; whether causal convolution is a special case depends on "
              "the downsampling, output rule and positions, which the abstract does not define (a softmax head mixes "
              "with non-negative normalised weights, a convolution kernel need not)")
    return Verdict("HKT-SUBSUMES", "not-testable", reason, "no equations given")

