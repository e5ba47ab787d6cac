"""common.verdicts: the vocabulary, and a Verdict that refuses what the ledger would refuse."""
import pytest

from paperlib.common.verdicts import VERDICTS, Verdict


def test_verdict_validates_word_reason_and_claim():
    v = Verdict("X-1", "reproduced", "measured 1.0 vs 1.0", 1.0)
    assert v.verdict in VERDICTS and "X-1: reproduced" in str(v)
    with pytest.raises(ValueError, match="unknown verdict"):
        Verdict("X-1", "confirmed", "r")
    with pytest.raises(ValueError, match="reason"):
        Verdict("X-1", "reproduced", "  ")
    with pytest.raises(ValueError, match="claim id"):
        Verdict("", "reproduced", "r")
    assert len(set(VERDICTS)) == 6 and "pending" in VERDICTS


def test_a_verdict_may_carry_its_value_and_spread_and_the_ledger_keeps_them(tmp_path):
    import pytest

    from paperlib.common.verdicts import Verdict
    from paperlib.companion.ledger import Recorder

    with pytest.raises(ValueError, match="low <= high"):
        Verdict("SCTA-SCALE", "reproduced", "r", value=1.0, spread=(2.0, 1.0))
    rec = Recorder("21_scta_speedup_vs_vocab", "smoke", root=tmp_path)
    r = rec.record(Verdict("SCTA-SCALE", "reproduced", "r", "1.6x", value=1.6, spread=(1.5, 1.7)))
    assert r["value"] == 1.6 and r["spread"] == [1.5, 1.7]
    assert "spread" not in rec.record(Verdict("SCTA-ENERGY", "pending", "r"))
