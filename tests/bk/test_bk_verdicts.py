"""BK's GPU timing rules (BK-S44-PERF, BK-T6-TPUT) reach every verdict they can return, the paper's own numbers
included; off CUDA they stay pending with the CPU measurement in the reason."""
import math

from paperlib.bk import verdicts as v
from paperlib.common.verdicts import Verdict


def test_bk_s44_perf_every_verdict():
    paper = v.bk_s44_perf(35.0, 1200.0, 3.06, on_cuda=True, seq_len=4096)  # the paper's numbers
    assert isinstance(paper, Verdict) and paper.claim == "BK-S44-PERF" and paper.verdict == "reproduced"
    slow = v.bk_s44_perf(60.0, 1200.0, 3.06, on_cuda=True, seq_len=4096)
    assert slow.verdict == "not-reproduced" and "forward 60 ms" in slow.reason
    assert v.bk_s44_perf(35.0, 700.0, 3.06, on_cuda=True, seq_len=4096).verdict == "not-reproduced"  # too few tok/s
    assert v.bk_s44_perf(35.0, 1200.0, 1.5, on_cuda=True, seq_len=4096).verdict == "not-reproduced"  # no memory gain
    cpu = v.bk_s44_perf(1659.0, 344.0, 0.99, on_cuda=False, seq_len=4096)  # a CPU number
    assert cpu.verdict == "pending" and "1659 ms" in cpu.reason and "344 tok/s" in cpu.reason
    assert v.bk_s44_perf(35.0, 1200.0, 3.06, on_cuda=True, seq_len=1024).verdict == "pending"  # not the paper's seq
    assert v.bk_s44_perf(35.0, 1200.0, math.nan, on_cuda=True, seq_len=4096).verdict == "pending"  # memory missing


def test_bk_t6_tput_every_verdict():
    assert v.bk_t6_tput(824.74 / 798.28, on_cuda=True, paper_size=True).verdict == "reproduced"  # paper's averages
    bad = v.bk_t6_tput(0.95, on_cuda=True, paper_size=True)
    assert bad.verdict == "not-reproduced" and "0.950" in bad.reason
    cpu = v.bk_t6_tput(0.915, on_cuda=False, paper_size=True)
    assert cpu.verdict == "pending" and "0.915" in cpu.reason
    assert v.bk_t6_tput(1.033, on_cuda=True, paper_size=False).verdict == "pending"
