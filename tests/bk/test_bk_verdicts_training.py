"""Decision rules of notebook 16 (paperlib.bk.verdicts, section "training, ablations, routing"): each rule is
driven to every verdict it can return, with the paper's own numbers where the claim prints them."""
from __future__ import annotations

import numpy as np
import pytest

from paperlib.bk import verdicts as bv
from paperlib.common.verdicts import Verdict

FULL = [28.3, 28.5, 28.1, 28.4]          # Table 4's full model, with seed spread


def _word(v: Verdict) -> str:
    assert isinstance(v, Verdict) and v.reason
    return v.verdict


# ---------------------------------------------------------------------------------------------- BK-PB-CONV

def test_pb_conv_all_verdicts():
    rand = [100.0, 110.0, 120.0, 105.0]
    paper = [70.0, 77.0, 84.0, 73.5]                                   # the paper's 30% fewer steps
    assert _word(bv.bk_pb_conv(paper, rand, target_loss=3.0)) == "reproduced"
    small = [90.0, 100.0, 109.0, 95.0]                                 # ~9% faster, consistently
    assert _word(bv.bk_pb_conv(small, rand, target_loss=3.0)) == "partially-reproduced"
    slower = [130.0, 141.0, 152.0, 137.0]          # a measurement in the opposite direction: never `refuted`
    v = bv.bk_pb_conv(slower, rand, target_loss=3.0, scale="d 64, 300 steps")
    assert v.verdict == "not-reproduced" and "opposite direction" in v.reason
    assert "scale: d 64, 300 steps" in v.reason and "cannot show" in v.reason
    same = [101.0, 108.0, 121.0, 104.0]                                # inside seed noise
    v = bv.bk_pb_conv(same, rand, target_loss=3.0, reference_identical=True)
    assert v.verdict == "not-reproduced" and "reference-code reading" in v.reason
    identical = bv.bk_pb_conv(rand, rand, target_loss=3.0)             # no difference at all
    assert identical.verdict == "not-reproduced" and "equal steps in every seed" in identical.reason
    with pytest.raises(ValueError):
        bv.bk_pb_conv([1.0], [1.0], target_loss=1.0)


# ----------------------------------------------------------------------------------------------- BK-T4-ABL

def _row(name, ablated, by_construction=False):
    return {"name": name, "full": FULL, "ablated": ablated, "by_construction": by_construction}


WORSE = [31.2, 31.5, 31.0, 31.4]          # the paper's w/o LAP row
BETTER = [25.0, 25.3, 24.9, 25.1]
SAME = [28.4, 28.2, 28.3, 28.5]


def test_t4_abl_all_verdicts():
    assert _word(bv.bk_t4_abl([_row("no_lap", WORSE), _row("no_scattering", [29.0, 29.3, 28.8, 29.1])])) \
        == "reproduced"
    assert _word(bv.bk_t4_abl([_row("no_lap", WORSE), _row("x", SAME)])) == "partially-reproduced"
    v = bv.bk_t4_abl([_row("no_lap", WORSE), _row("no_scattering", BETTER), _row("no_prime_bump", FULL, True)])
    assert v.verdict == "not-reproduced"                                # one component in the opposite direction
    assert "1 better" in v.reason and "no_prime_bump" in v.reason     # opposite direction and exclusion reported
    assert _word(bv.bk_t4_abl([_row("no_scattering", BETTER), _row("x", SAME)])) == "not-reproduced"
    assert _word(bv.bk_t4_abl([_row("x", SAME)])) == "not-reproduced"
    assert _word(bv.bk_t4_abl([_row("no_prime_bump", FULL, True)])) == "not-testable"
    v = bv.bk_t4_abl([_row("no_lap", WORSE)], scale="d 64, 300 steps")
    assert "scale: d 64, 300 steps" in v.reason and "z = 0.01i" in v.reason    # what the scale and reading show



def test_same_function_at_init():
    """Rounding-level logit differences are the same function; scaled by max(1, |logit|)."""
    assert bv.same_function_at_init(5e-6, 0.3) and not bv.same_function_at_init(2e-5, 0.3)
    assert bv.same_function_at_init(5e-5, 10.0) and not bv.same_function_at_init(2e-4, 10.0)

def test_t4_outcome_is_the_rules_classification():
    """The table's row outcomes (t4_rows) and the rule's (bk_t4_abl) are one classification, t4_outcome; its
    oracle here is the definition: beyond seed noise = compare_groups' `significant`, direction = sign."""
    from paperlib.common.stats import compare_groups

    for ablated, want in ((WORSE, "worse"), (BETTER, "better"), (SAME, "no difference")):
        kind, c = bv.t4_outcome(FULL, ablated)
        ref = compare_groups(FULL, ablated, paired=True)
        assert kind == want and c == ref and ref["significant"] == (want != "no difference")
    assert bv.t4_outcome(FULL, FULL, by_construction=True) == (bv.T4_IDENTICAL, None)
    rows = [_row("no_lap", WORSE) | {"paper": 31.2}, _row("no_scattering", BETTER),
            _row("no_prime_bump", FULL, True) | {"paper": 29.8}, _row("x", SAME)]
    table = bv.t4_rows(rows)
    assert [r["outcome"] for r in table] == ["worse", "better", bv.T4_IDENTICAL, "no difference"]
    assert table[0]["paper_vs_full_pct"] == pytest.approx(100 * (31.2 / 28.3 - 1))   # Table 4: 31.2 vs 28.3
    assert table[0]["vs_full_pct"] == pytest.approx(100 * (sum(WORSE) / sum(FULL) - 1))
    v = bv.bk_t4_abl(rows)
    assert v.reason.startswith("1/3 testable ablations worse than full beyond seed noise, 1 better")

# ------------------------------------------------------------------------------------------- BK-EQ7-ROUTER

def _ratio(q1, med, q3, n=20):
    return {"median": med, "q1": q1, "q3": q3, "n": n}


FASTER, SLOWER, OVERLAP = _ratio(0.4, 0.5, 0.6), _ratio(2.5, 2.8, 3.1), _ratio(0.9, 0.97, 1.05)


def test_paired_direction():
    assert bv.paired_direction(0.5, 0.99) == "lower" and bv.paired_direction(1.01, 2.0) == "higher"
    assert bv.paired_direction(0.9, 1.1) == "undecided" and bv.paired_direction(1.0, 1.2) == "undecided"
    assert bv.paired_direction(float("nan"), 0.5) == "undecided"


def test_eq7_router_all_verdicts_and_parameter_free_not_credited():
    mlp, equal = [28.9, 29.1, 28.8, 29.0], [28.3, 28.5, 28.1, 28.4]   # Table 4: scattering 28.3 vs MLP 28.9
    worse = [35.0, 35.5, 34.8, 35.2]
    kw = dict(router_params=0, gate_params=520)
    v = bv.bk_eq7_router(FASTER, equal, mlp, **kw, scale="d 64, B x T 16 x 64")
    assert v.verdict == "reproduced" and "IQR 0.4-0.6" in v.reason and "scale: d 64" in v.reason
    assert "causal-prefix" in v.reason and "cannot" not in v.measured
    assert _word(bv.bk_eq7_router(SLOWER, equal, mlp, **kw)) == "partially-reproduced"
    assert _word(bv.bk_eq7_router(FASTER, worse, mlp, **kw)) == "partially-reproduced"
    undecided = bv.bk_eq7_router(OVERLAP, equal, mlp, **kw)
    assert undecided.verdict == "partially-reproduced" and "undecided" in undecided.reason
    # slower and worse: parameter-free alone does not earn any credit
    assert _word(bv.bk_eq7_router(SLOWER, worse, mlp, **kw)) == "not-reproduced"
    assert _word(bv.bk_eq7_router(OVERLAP, worse, mlp, **kw)) == "not-reproduced"
    assert _word(bv.bk_eq7_router(FASTER, equal, mlp, router_params=4, gate_params=520)) == "not-reproduced"


# --------------------------------------------------------------------------------------------- BK-EQ10-ACT

def test_eq10_act_all_verdicts():
    kept, worse = [28.4, 28.6, 28.2, 28.5], [40.0, 41.0, 39.5, 40.5]
    assert _word(bv.bk_eq10_act([0.8, 0.82, 0.79, 0.81], FULL, kept)) == "reproduced"
    assert _word(bv.bk_eq10_act([0.8, 0.82, 0.79, 0.81], FULL, worse)) == "partially-reproduced"  # costs PPL
    assert _word(bv.bk_eq10_act([0.97, 0.96, 0.98, 0.97], FULL, kept)) == "partially-reproduced"  # not material
    assert _word(bv.bk_eq10_act([1.0, 0.9, 1.0, 1.0], FULL, kept)) == "not-reproduced"  # not in every seed
    assert _word(bv.bk_eq10_act([0.97, 0.96, 0.98, 0.97], FULL, worse)) == "not-reproduced"
    assert _word(bv.bk_eq10_act([1.0, 1.0, 1.0, 1.0], FULL, worse)) == "not-reproduced"
    v = bv.bk_eq10_act([0.8, 0.82, 0.79, 0.81], FULL, kept, scale="d 64, 2 layers")
    assert "scale: d 64, 2 layers" in v.reason and "causal-prefix" in v.reason


# ----------------------------------------------------------------------------------------- BK-S64-TRADEOFF

TR = [30.0, 30.2, 29.9, 30.1]
OPT_PAPER = [30.45, 30.65, 30.35, 30.55]   # +1.5%
ST_TR = [100.0, 110.0, 105.0, 95.0]
ST_PAPER = [112.0, 123.0, 118.0, 107.0]    # +12%


def test_s64_tradeoff_all_verdicts():
    lat_paper, drop_paper = _ratio(1.6, 1.7, 1.8), _ratio(2.3, 2.5, 2.7)       # inside 1.5-2x and 2-3x
    gpu = dict(latency=lat_paper, tput_drop=drop_paper, on_cuda=True)
    cpu = {**gpu, "on_cuda": False}
    far = [60.0, 61.0, 59.0, 60.5]
    far_steps = [300.0, 320.0, 310.0, 290.0]
    assert _word(bv.bk_s64_tradeoff(TR, OPT_PAPER, ST_TR, ST_PAPER, **gpu)) == "reproduced"
    assert _word(bv.bk_s64_tradeoff(TR, OPT_PAPER, ST_TR, ST_PAPER, **{**gpu, "latency": FASTER})) \
        == "partially-reproduced"
    slow = {**gpu, "latency": FASTER, "tput_drop": _ratio(0.6, 0.7, 0.8)}
    assert _word(bv.bk_s64_tradeoff(TR, far, ST_TR, far_steps, **slow)) == "not-reproduced"
    # on CUDA, a timing whose IQR exceeds half its size decides nothing: it is not a pass
    wide = _ratio(0.5, 1.7, 3.0)
    v = bv.bk_s64_tradeoff(TR, far, ST_TR, far_steps, **{**gpu, "latency": wide, "tput_drop": FASTER})
    assert v.verdict == "not-reproduced" and "latency 1.5-2x: undecided" in v.reason
    v = bv.bk_s64_tradeoff(TR, OPT_PAPER, ST_TR, ST_PAPER, **{**gpu, "latency": wide})
    assert v.verdict == "partially-reproduced"
    # off CUDA (policy 3): the direction of each timing is decided by its paired IQR, the magnitude stays pending
    v = bv.bk_s64_tradeoff(TR, OPT_PAPER, ST_TR, ST_PAPER, **cpu, scale="d 64")
    assert v.verdict == "pending" and "latency higher (direction; 1.5-2x pending a GPU): direction holds" in v.reason
    assert "scale: d 64" in v.reason and "IQR 1.6-1.8" in v.reason
    v = bv.bk_s64_tradeoff(TR, OPT_PAPER, ST_TR, ST_PAPER, **{**cpu, "latency": FASTER})
    assert v.verdict == "partially-reproduced" and "pending a GPU): fails" in v.reason   # faster: opposite
    v = bv.bk_s64_tradeoff(TR, far, ST_TR, far_steps, **{**cpu, "latency": FASTER, "tput_drop": OVERLAP})
    assert v.verdict == "not-reproduced" and "undecided" in v.reason
    assert _word(bv.bk_s64_tradeoff(TR, far, ST_TR, ST_PAPER, **{**cpu, "latency": FASTER,
                                                                 "tput_drop": FASTER})) == "partially-reproduced"
    noisy_steps, noisy_ppl = [100.0, 300.0, 90.0, 250.0], [10.0, 80.0, 15.0, 60.0]
    v = bv.bk_s64_tradeoff(TR, noisy_ppl, ST_TR, noisy_steps, **{**cpu, "latency": OVERLAP, "tput_drop": OVERLAP})
    assert v.verdict == "pending" and "steps +10-15%: undecided" in v.reason and "PPL +1-2%: undecided" in v.reason


def test_s64_statistics_by_hand():
    st = bv.s64_statistics(TR, OPT_PAPER, ST_TR, ST_PAPER)
    assert st["ppl_increase"] == pytest.approx(sum(OPT_PAPER) / sum(TR) - 1)      # +1.5%
    sd = max(np.std(TR, ddof=1), np.std(OPT_PAPER, ddof=1))
    assert st["ppl_spread"] == pytest.approx(sd / np.mean(TR))
    extra = np.array(ST_PAPER) / np.array(ST_TR) - 1
    assert st["extra_steps"] == pytest.approx(extra.mean()) and st["extra_steps_sd"] == pytest.approx(extra.std(ddof=1))
    assert np.isnan(bv.s64_statistics(TR[:2], OPT_PAPER[:2], [100.0], [112.0])["extra_steps_sd"])

# ------------------------------------------------------------------------------------------------- BK-ABS

def test_abs_all_verdicts():
    paper_red = 1 - 616.09e3 / 29.16e6          # Table 10's printed totals
    assert paper_red == pytest.approx(0.979, abs=5e-4)
    far = [60.0, 61.0, 59.0, 60.5]
    s = "d=64"
    assert _word(bv.bk_abs(paper_red, TR, OPT_PAPER, memory_reduction=0.848, ppl_setting=s)) == "reproduced"
    v = bv.bk_abs(paper_red, TR, OPT_PAPER, memory_reduction=None, ppl_setting=s)
    assert v.verdict == "pending" and "BK-T11-VRAM" in v.reason
    assert _word(bv.bk_abs(paper_red, TR, far, memory_reduction=None, ppl_setting=s)) == "partially-reproduced"
    assert _word(bv.bk_abs(paper_red, TR, OPT_PAPER, memory_reduction=0.5, ppl_setting=s)) == "partially-reproduced"
    assert _word(bv.bk_abs(0.93, TR, far, memory_reduction=None, ppl_setting=s)) == "not-reproduced"
    assert _word(bv.bk_abs(0.93, TR, far, memory_reduction=0.1, ppl_setting=s)) == "not-reproduced"


# ---------------------------------------------------------------------------------------------- BK-T8-PPL

def test_t8_ppl_all_verdicts():
    base = [50738.89, 50740.0, 50737.5, 50739.2]
    v = bv.bk_t8_ppl(base, [50505.61, 50507.0, 50504.0, 50506.3], vocab_size=50257, paper_config=True,
                     scale="V 50257, d 512, 8 layers")
    assert v.verdict == "reproduced" and "Table 8's configuration" in v.reason and "paired" in v.reason
    higher = bv.bk_t8_ppl(base, [50990.0, 50992.0, 50989.0, 50991.0], vocab_size=50257)
    assert higher.verdict == "not-reproduced" and "opposite direction" in higher.reason   # a measurement
    assert "same dense head" in higher.reason                   # not at the paper's configuration: said so
    noisy_b, noisy_p = [50000.0, 53000.0, 48500.0, 51400.0], [50505.61, 47800.0, 53100.0, 50200.0]
    v = bv.bk_t8_ppl(noisy_b, noisy_p, vocab_size=50257)
    assert v.verdict == "not-reproduced" and "-0.46%" in v.reason


def test_t8_paper_config_is_the_configs_reading():
    from paperlib.bk import configs, paper

    assert bv.T8_PAPER_CONFIG["vocab_size"] == configs.GPT2_VOCAB
    assert bv.T8_PAPER_CHANGE == pytest.approx(paper.TABLE8_CHANGE_PCT / 100, abs=5e-5)


# ------------------------------------------------------------------------------------------- BK-S23-QUANT

def test_s23_quant_all_verdicts():
    small, large = [0.01, 0.012, 0.011, 0.009], [0.30, 0.32, 0.29, 0.31]
    tiny, tiny2 = [0.001, 0.0012, 0.0009, 0.0011], [0.0011, 0.001, 0.0012, 0.0009]
    v = bv.bk_s23_quant({8: (tiny, tiny2), 4: (small, large)}, scale="d 64")
    assert v.verdict == "reproduced" and "INT4: more robust" in v.reason and "INT8: no difference" in v.reason
    assert ">100%" in v.reason and "scale: d 64" in v.reason
    assert _word(bv.bk_s23_quant({8: (small, large), 4: (tiny, tiny2)})) == "partially-reproduced"
    assert _word(bv.bk_s23_quant({8: (large, small), 4: (small, large)})) == "partially-reproduced"  # INT8 worse
    assert _word(bv.bk_s23_quant({8: (tiny, tiny2), 4: (large, small)})) == "not-reproduced"
    assert _word(bv.bk_s23_quant({8: (tiny, tiny2), 4: (tiny2, tiny)})) == "not-reproduced"
    assert bv.quant_outcome(large, small)[0] == "less robust"
    with pytest.raises(ValueError):
        bv.bk_s23_quant({4: (small, large)})
