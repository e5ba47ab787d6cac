"""BK's GPU timing rules reach every verdict they can return, the paper's own numbers included."""
from paperlib.bk import verdicts as v


def test_bk_s44_perf_every_verdict():
    assert v.bk_s44_perf(35.0, 1200.0, 3.06, on_cuda=True, seq_len=4096)[0] == "reproduced"  # the paper's numbers
    assert v.bk_s44_perf(60.0, 1200.0, 3.06, on_cuda=True, seq_len=4096)[0] == "not-reproduced"  # too slow
    assert v.bk_s44_perf(35.0, 1200.0, 1.5, on_cuda=True, seq_len=4096)[0] == "not-reproduced"  # no memory gain
    assert v.bk_s44_perf(35.0, 1200.0, 3.06, on_cuda=False, seq_len=4096)[0] == "pending"  # a CPU number
    assert v.bk_s44_perf(35.0, 1200.0, 3.06, on_cuda=True, seq_len=1024)[0] == "pending"  # not the paper's seq


def test_bk_t6_tput_every_verdict():
    assert v.bk_t6_tput(1.033, on_cuda=True, paper_size=True)[0] == "reproduced"
    assert v.bk_t6_tput(0.95, on_cuda=True, paper_size=True)[0] == "not-reproduced"
    assert v.bk_t6_tput(1.033, on_cuda=False, paper_size=True)[0] == "pending"
    assert v.bk_t6_tput(1.033, on_cuda=True, paper_size=False)[0] == "pending"
