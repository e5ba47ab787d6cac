"""SCTA's rules reach every verdict they can return, the paper's own numbers included."""
import math

import pytest

from paperlib.common.verdicts import Verdict
from paperlib.scta import verdicts as v
from paperlib.scta.paper import PAPER_A6000


def test_t1_speedup_every_verdict():
    paper = dict(PAPER_A6000)
    r = v.t1_speedup(paper, on_cuda=True)
    assert isinstance(r, Verdict) and r.verdict == "reproduced" and "1.61x" in r.reason
    assert v.t1_speedup({V: 1.05 for V in paper}, on_cuda=True).verdict == "partially-reproduced"
    assert v.t1_speedup({V: 0.9 for V in paper}, on_cuda=True).verdict == "not-reproduced"
    r = v.t1_speedup(paper, on_cuda=False, device="cpu")
    assert r.verdict == "pending" and "4.43x" in r.measured  # the CPU measurement recorded beside
    assert v.t1_speedup({50_000: 1.61}, on_cuda=True).verdict == "pending"  # the paper's V not all measured
    assert v.t1_speedup(paper, on_cuda=True, claim="SCTA-T1-TPUT").claim == "SCTA-T1-TPUT"
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
    # a ratio whose spread is large against the effect does not decide; with fewer than two precise ones, nothing does
    noisy = [1.28, 2.0, 2.75]
    r = v.scta_scale({5_000: tight(1.8), 20_000: tight(4.2), 100_000: noisy})
    assert r.verdict == "reproduced" and "excluded" in r.reason and "100K" in r.reason
    assert v.scta_scale({20_000: noisy, 50_000: tight(4.0)}).verdict == "not-testable"
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
