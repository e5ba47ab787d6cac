"""SCTA's GPU rules reach every verdict they can return, the paper's own numbers included."""
from paperlib.scta import verdicts as v


def test_t1_speedup_every_verdict():
    paper = dict(v.PAPER_A6000)
    assert v.t1_speedup(paper, on_cuda=True)[0] == "reproduced"
    assert v.t1_speedup({V: 1.05 for V in paper}, on_cuda=True)[0] == "partially-reproduced"
    assert v.t1_speedup({V: 0.9 for V in paper}, on_cuda=True)[0] == "not-reproduced"
    assert v.t1_speedup(paper, on_cuda=False)[0] == "pending"
    assert v.t1_speedup({50_000: 1.61}, on_cuda=True)[0] == "pending"  # the paper's V not all measured


def test_one_m_consumer_every_verdict():
    ce, sem = "CE (full logits) dense", "SCTA dense"
    assert v.one_m_consumer({ce: "oom", sem: "ok"})[0] == "reproduced"
    assert v.one_m_consumer({ce: "ok", sem: "ok"})[0] == "partially-reproduced"
    assert v.one_m_consumer({ce: "oom", sem: "oom"})[0] == "not-reproduced"
    assert v.one_m_consumer(None)[0] == "pending"


def test_energy_every_verdict():
    assert v.energy(3.0, 3.2, on_cuda=True)[0] == "reproduced"
    assert v.energy(1.2, 3.2, on_cuda=True)[0] == "partially-reproduced"
    assert v.energy(0.8, 3.2, on_cuda=True)[0] == "not-reproduced"
    assert v.energy(None, 3.2, on_cuda=True)[0] == "pending"
    assert v.energy(3.0, 3.2, on_cuda=False)[0] == "pending"
