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
