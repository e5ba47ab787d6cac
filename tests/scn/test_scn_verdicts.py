"""Every SCN decision rule driven to each verdict it can return (paper's own numbers and counterexamples)."""
import math

import pytest

from paperlib.common.verdicts import Verdict
from paperlib.scn import verdicts as V
from paperlib.scn.similarity import similarity


def _v(result, word):
    assert isinstance(result, Verdict)
    assert result.verdict == word, result
    return result


def test_eq1_range():
    lit = similarity("Coração", "Coração", "literal")  # the printed formula on identical texts
    r = _v(V.scn_eq1_range(0.0, lit, 0.0, 1.0), "refuted")
    assert "7" in r.reason
    _v(V.scn_eq1_range(0.0, 1.0, 0.0, 1.0), "reproduced")
    # the word-level reading being in range earns no credit
    _v(V.scn_eq1_range(0.0, 1.5, 0.0, 1.0), "refuted")


def test_eq2_frozen():
    # decided on the retrieval comparison; E being frozen (true by construction) earns nothing
    r = _v(V.scn_eq2_frozen(True, {"english": (0.07, 0.03, 0.11), "portuguese": (0.03, -0.001, 0.07)}),
           "partially-reproduced")
    assert "+0.03 [-0.00, +0.07]" in r.reason and "construction" in r.reason
    _v(V.scn_eq2_frozen(True, {"english": (0.07, 0.03, 0.11)}), "reproduced")
    _v(V.scn_eq2_frozen(None, {"english": (0.07, 0.03, 0.11)}, "hashing-256"), "reproduced")
    # a negative retrieval gap no longer gives reproduced
    _v(V.scn_eq2_frozen(True, {"english": (-0.2, -0.3, -0.1)}), "not-reproduced")
    _v(V.scn_eq2_frozen(True, {"english": (0.0, -0.1, 0.1)}), "not-reproduced")
    _v(V.scn_eq2_frozen(False, {"english": (0.1, 0.05, 0.2)}), "not-testable")
    with pytest.raises(ValueError):
        V.scn_eq2_frozen(True, {})


def test_eq7_operator():
    from paperlib.scn.hurnet_theory import eq7_as_typed

    e = eq7_as_typed()
    assert e["out_dim"] == 0 and e["min_gram_eig"] > 0 and e["symmetric"]
    r = _v(V.scn_eq7_operator(e["out_dim"], e["h_dim"], e["partial"]), "refuted")
    assert "real number" in r.reason and "diverges" in r.reason
    _v(V.scn_eq7_operator(1, 8, {10.0: 1.7, 1000.0: 1.77}), "reproduced")      # a vector, convergent integral
    _v(V.scn_eq7_operator(1, 8, {10.0: 10.9, 1000.0: 1000.9}), "refuted")     # divergence alone refutes
    with pytest.raises(ValueError):
        V.scn_eq7_operator(1, 8, {})


def test_eq3_closed():
    _v(V.scn_eq3_closed(4e-13, 384, 384), "reproduced")
    _v(V.scn_eq3_closed(4e-13, 300, 384, 2.3), "partially-reproduced")
    _v(V.scn_eq3_closed(1e-3, 384, 384), "not-reproduced")
    _v(V.scn_eq3_closed(math.nan, 384, 384), "not-reproduced")


def test_eq10_svd():
    _v(V.scn_eq10_svd(0.3, 1e-9, "m>n"), "reproduced")
    _v(V.scn_eq10_svd(50.0, 1e-3, "m>n"), "not-reproduced")


def test_eq8_span():
    _v(V.scn_eq8_span({"min-norm": 1e-14, "ridge": 1e-13}, {"null-space": 0.7}), "reproduced")
    _v(V.scn_eq8_span({"min-norm": 1e-14, "ridge": 0.3}, {}), "not-reproduced")
    with pytest.raises(ValueError):
        V.scn_eq8_span({}, {})


def test_eq11_bound():
    _v(V.scn_eq11_bound(9, 10, "residual 23 > bound 0"), "refuted")
    _v(V.scn_eq11_bound(0, 10), "reproduced")
    with pytest.raises(ValueError):
        V.scn_eq11_bound(0, 0)


def test_s8_conv():
    _v(V.scn_s8_conv({"synthetic": (0.0, 17.6, True), "real": (0.0, 2.7, True)}), "refuted")
    _v(V.scn_s8_conv({"synthetic": (5.0, 0.1, False)}), "partially-reproduced")
    _v(V.scn_s8_conv({"synthetic": (1.0, 1.0, True)}), "not-reproduced")


def test_eq15_min():
    _v(V.scn_eq15_min(1e-12, 0.0, False, True), "partially-reproduced")
    _v(V.scn_eq15_min(1e-12, 0.4, True, True), "reproduced")
    _v(V.scn_eq15_min(1e-2, 0.0, True, True), "not-reproduced")


def test_not_testable_sections():
    _v(V.scn_s9_banach(), "not-testable")


def test_eq3_realtime():
    _v(V.scn_eq3_realtime(0.03, 0.001, 1.0, 154, 3000, 0.0016, 1e-4, 0.036, 1e-3), "reproduced")
    _v(V.scn_eq3_realtime(0.03, 0.001, None, None, 3000, 0.0016, 1e-4, 0.036, 1e-3), "reproduced")
    _v(V.scn_eq3_realtime(0.03, 0.001, 1.0, 154, 3000, 0.03, 1e-3, 0.03, 1e-3), "partially-reproduced")
    # a gap inside the spread is not a difference
    _v(V.scn_eq3_realtime(1.0, 0.5, 1.2, 10, 3000, 0.03, 1e-3, 0.03, 1e-3), "not-reproduced")


def test_eq5_infctx():
    _v(V.scn_eq5_infctx(True, 1.0, 1536, 10**6, 212.0), "partially-reproduced")
    _v(V.scn_eq5_infctx(True, 0.05, 1536, 10**6, 0.1), "reproduced")
    _v(V.scn_eq5_infctx(False, 1.0, 1536, 10**6, 212.0), "not-reproduced")


@pytest.mark.parametrize("name,paper", [("scn_t1_base", 10702.0), ("scn_t1_ft", 243.0)])
def test_table1(name, paper):
    rule = getattr(V, name)   # looked up at call time (tests/companion/test_rules_reach_verdicts.py watches calls)
    _v(rule({"english": (paper, "measured")}), "reproduced")           # the paper's own number, measured
    # a bound set by our budget decides nothing, even above the paper (policy 6): not-testable without a measurement
    r = _v(rule({"english": (2 * paper, "bound")}), "not-testable")
    assert "lower bound set by that budget" in r.reason
    _v(rule({"english": (20.0, "measured"), "portuguese": (paper * 3, "measured")}), "partially-reproduced")
    r = _v(rule({"english": (919.0, "bound"), "portuguese": (170.0, "measured")}), "partially-reproduced"
           if paper > 170 else "reproduced")
    assert "excluded: english" in r.reason and ">= 919x" in r.measured
    r = _v(rule({"english": (float("nan"), "undefined"), "portuguese": (19.6, "bound")}), "not-testable")
    assert "not measured" in r.measured and "base criterion" in r.reason
    _v(rule({"english": (0.5, "measured")}), "not-reproduced")
    _v(rule({"english": (0.5, "measured"), "portuguese": (20.0, "bound")}), "not-reproduced")
    with pytest.raises(ValueError):
        rule({"english": (1.0, True)})
    with pytest.raises(ValueError):
        rule({})


def test_gen():
    ok = {"english": True, "portuguese": True}
    r = _v(V.scn_gen({"english": (0.2, 0.1, 0.3), "portuguese": (0.1, 0.05, 0.2)}, ok), "partially-reproduced")
    assert "new directions" in r.reason
    # the published cpu shape: no difference in English (both 0.00), a lead in Portuguese over a GPT at criterion
    r = _v(V.scn_gen({"english": (0.0, 0.0, 0.0), "portuguese": (0.04, 0.01, 0.08)},
                     {"english": False, "portuguese": True}), "partially-reproduced")
    assert "no differently in english" in r.reason
    _v(V.scn_gen({"english": (0.0, -0.1, 0.1)}, {"english": True}), "not-reproduced")
    _v(V.scn_gen({"english": (-0.2, -0.3, -0.1)}, {"english": False}), "not-reproduced")
    # a lead over a GPT below its criterion is excluded; with nothing left to count: not-testable, never pending
    r = _v(V.scn_gen({"english": (0.2, 0.1, 0.3)}, {"english": False}, {"english": (0.97, 0.39)}), "not-testable")
    assert "0.97" in r.measured and "excluded: english" in r.reason
    with pytest.raises(ValueError):
        V.scn_gen({"english": (0.2, 0.1, 0.3)}, {"portuguese": True})


def test_eq3_errors_reads_the_regimes_the_rule_decides_on():
    import pandas as pd

    from paperlib.scn.verdicts import EQ3_COND_MAX, eq3_errors

    agree = pd.DataFrame({"full_column_rank": [True, True, False, False],
                          "cond_X": [10.0, 10 * EQ3_COND_MAX, 1.0, 1.0],
                          "eq3_explicit_inv": [1e-12, 1e-3, 0.5, 1e-9]})
    # the ill-conditioned full-rank problem is outside the rule's regime; one deficient problem is missed
    assert eq3_errors(agree) == (1e-12, 1, 2)
