"""SCTA's rules reach every verdict they can return, the paper's own numbers included."""
import math

import pytest

from paperlib.common.verdicts import Verdict
from paperlib.scta import verdicts as v
from paperlib.scta.paper import PAPER_A6000, PAPER_EXAMPLES, PAPER_RTX4070, PAPER_RUN_TOKENS, table1_rows


def test_t1_speedup_every_verdict():
    paper = dict(PAPER_A6000)
    r = v.t1_speedup(paper, on_cuda=True)
    assert isinstance(r, Verdict) and r.verdict == "reproduced" and "1.61x" in r.reason
    assert "RTX 4070 Laptop 2.22x / 3.40x" in r.reason  # both GPU rows of the table are compared
    # the RTX 4070's own ratios (and the A6000's at 1M, where CE failed on the 4070) are reproduced too
    assert v.t1_speedup({**paper, **PAPER_RTX4070}, on_cuda=True).verdict == "reproduced"
    # 50K: 2.8x lies within 1.3x of the 4070's 2.22x but not of the A6000's 1.61x: within the two GPUs' range
    assert v.t1_speedup({**paper, 50_000: 2.8}, on_cuda=True).verdict == "reproduced"
    r = v.t1_speedup({**paper, 50_000: 3.0}, on_cuda=True)  # above both GPUs' band at 50K
    assert r.verdict == "partially-reproduced" and "except 50K" in r.reason
    assert v.t1_speedup({V: 1.05 for V in paper}, on_cuda=True).verdict == "partially-reproduced"
    assert v.t1_speedup({V: 0.9 for V in paper}, on_cuda=True).verdict == "not-reproduced"
    r = v.t1_speedup(paper, on_cuda=False, device="cpu")
    assert r.verdict == "pending" and "4.43x" in r.measured  # the CPU measurement recorded beside
    assert "supporting evidence only" in r.reason and "named GPUs" in r.reason
    assert v.t1_speedup({50_000: 1.61}, on_cuda=True).verdict == "pending"  # the paper's V not all measured
    assert v.t1_speedup({**paper, 1_000_000: math.nan}, on_cuda=True).verdict == "pending"  # a run failed
    # CE out of memory at 1M: the ratio is a bound (inf), faster but not within the band of 4.43x
    assert v.t1_speedup({**paper, 1_000_000: math.inf}, on_cuda=True).verdict == "partially-reproduced"


def test_one_m_consumer_every_verdict():
    ce, sem = "CE (full logits) dense", "SCTA dense"
    assert v.one_m_consumer({ce: "oom", sem: "ok"}).verdict == "reproduced"  # the paper's outcome
    assert v.one_m_consumer({ce: "ok", sem: "ok"}).verdict == "partially-reproduced"
    assert v.one_m_consumer({ce: "oom", sem: "oom"}).verdict == "not-reproduced"
    r = v.one_m_consumer(None, analytic="CE 19.1 GiB")
    assert r.verdict == "pending" and "19.1" in r.reason


def test_one_m_consumer_decided_on_bytes_without_a_gpu():
    # the cpu run's analytic bytes at V = 1M: CE 19.1 GiB, SCTA 4.8 GiB against 8 GB under both readings
    r = v.one_m_consumer(None, gib={"CE": 19.1, "SCTA": 4.8})
    assert r.verdict == "reproduced" and "7.45 GiB" in r.reason and "capped GPU run" in r.reason
    assert v.one_m_consumer(None, gib={"CE": 6.0, "SCTA": 4.8}).verdict == "partially-reproduced"
    assert v.one_m_consumer(None, gib={"CE": 19.1, "SCTA": 9.0}).verdict == "not-reproduced"
    r = v.one_m_consumer(None, gib={"CE": 7.8, "SCTA": 4.8})  # between 7.45 GiB (8e9 B) and 8 GiB
    assert r.verdict == "pending" and "disagree" in r.reason
    assert v.one_m_consumer(None, gib={"CE": 19.1}).verdict == "pending"  # no SCTA estimate


def test_t1_throughput_every_verdict():
    tight = lambda m: [m * 0.98, m, m * 1.02]  # noqa: E731
    r = v.t1_throughput({V: tight(x) for V, x in PAPER_A6000.items()}, shape="16x64 tokens/step, cpu")
    assert r.verdict == "reproduced" and "SCTA-T1-SPEEDUP" in r.reason and "cpu" in r.measured
    r = v.t1_throughput({5_000: [0.95, 1.05, 1.2], 50_000: tight(3.0)})  # IQR reaches 1 at 5K
    assert r.verdict == "not-reproduced" and "5K" in r.reason
    assert v.t1_throughput({5_000: tight(0.8)}).verdict == "not-reproduced"
    with pytest.raises(ValueError):
        v.t1_throughput({})


def test_t1_consistency_every_verdict():
    rows = table1_rows()
    r = v.t1_consistency(rows, tokens=PAPER_RUN_TOKENS, examples=PAPER_EXAMPLES)  # the paper's own table
    assert r.verdict == "reproduced" and len(rows) == 11 and "2,520,000" in r.reason
    # consistent rows of another run size
    assert v.t1_consistency(rows, tokens=2_400_000, examples=PAPER_EXAMPLES).verdict == "partially-reproduced"
    bad = [*rows[:-1], {**rows[-1], "tok_s": rows[-1]["tok_s"] * 1.01}]  # one row 1% off
    r = v.t1_consistency(bad, tokens=PAPER_RUN_TOKENS, examples=PAPER_EXAMPLES)
    assert r.verdict == "refuted" and "tokens" in r.reason


def test_energy_every_verdict():
    assert v.energy(4.43, 4.43, on_cuda=True).verdict == "reproduced"  # the paper: proportional to 4.43x
    assert v.energy(1.2, 3.2, on_cuda=True).verdict == "partially-reproduced"
    assert v.energy(0.8, 3.2, on_cuda=True).verdict == "not-reproduced"
    assert v.energy(None, 3.2, on_cuda=True).verdict == "pending"
    assert v.energy(float("nan"), 3.2, on_cuda=True).verdict == "pending"
    assert v.energy(3.0, 3.2, on_cuda=False).verdict == "pending"


def test_complexity_decided_by_the_operation_count():
    kw = dict(work_exponent_ce=1.0, time_exponent=0.3, time_exponent_ce=1.0, V_range=(5000, 1_000_000))
    r = v.scta_complexity(work_exponent=0.0, **kw)  # the paper: independent of V
    assert r.verdict == "reproduced" and "0.30" in r.reason  # a noisy timing exponent does not decide
    assert v.scta_complexity(work_exponent=1.0, **kw).verdict == "not-reproduced"  # a loss as costly as CE
    assert v.scta_complexity(work_exponent=v.EXPONENT_MAX, **kw).verdict == "not-reproduced"


def test_scale_every_verdict():
    tight = lambda m: [m * 0.98, m, m * 1.02]  # noqa: E731 - 2% spread around a median
    paper = {V: tight(r) for V, r in PAPER_A6000.items()}
    r = v.scta_scale(paper)
    assert r.verdict == "reproduced" and "IQR" in r.reason
    # larger at the largest V, but a dip in between
    assert v.scta_scale({1: tight(1.6), 2: tight(3.0), 3: tight(2.5), 4: tight(4.4)}).verdict == \
        "partially-reproduced"
    assert v.scta_scale({1: tight(3.0), 2: tight(2.0)}).verdict == "not-reproduced"  # decreases
    r = v.scta_scale({1: tight(3.0), 2: tight(3.01)})  # precise and flat: no increase
    assert r.verdict == "not-reproduced" and "no change" in r.reason
    # a ratio whose spread is large against the effect does not decide, and is named with its spread
    noisy = [1.28, 2.0, 2.75]
    r = v.scta_scale({5_000: tight(1.8), 20_000: noisy, 100_000: tight(4.2)})
    assert r.verdict == "reproduced" and "excluded" in r.reason and "V=20K (IQR/median 0.37)" in r.reason
    assert f"{v.MIN_DECIDING_V} of the 3 V must remain" in r.reason
    assert "none excluded" in v.scta_scale(paper).reason
    # fewer than MIN_DECIDING_V precise ratios, or the largest V excluded: not decided
    assert v.scta_scale({20_000: noisy, 50_000: tight(4.0)}).verdict == "not-testable"
    r = v.scta_scale({5_000: tight(1.8), 20_000: tight(4.2), 100_000: noisy})
    assert r.verdict == "not-testable" and "the largest (100K)" in r.reason and "100K (IQR/median" in r.reason
    with pytest.raises(ValueError):
        v.scta_scale({1: [2.0]})


def test_conv_every_verdict():
    # the paper's own comparison: raw losses SEM 0.58-0.81 vs CE 5.7-7.3 say nothing on the common yardstick
    r = v.scta_conv([600, 650, 620], [210, 220, 215], loss_scta=0.7, loss_ce=6.5)
    assert r.verdict == "not-reproduced" and "every seed" in r.reason and "0.70" in r.reason
    assert v.scta_conv([200, 190], [210, 220], loss_scta=1.8, loss_ce=5.0).verdict == "reproduced"
    r = v.scta_conv([200, 230], [210, 220], loss_scta=1.8, loss_ce=5.0)
    assert r.verdict == "not-reproduced" and "1 of 2" in r.reason
    with pytest.raises(ValueError):
        v.scta_conv([1.0], [1.0, 2.0], loss_scta=1, loss_ce=1)
