"""The per-paper story is rendered from the headline verdicts (companion.story)."""
import json

import pytest

from paperlib.companion import ledger, story


@pytest.mark.parametrize("verdicts, phrase", [
    (["reproduced", "reproduced", "pending"], "reproduced as stated"),
    (["refuted", "refuted", "reproduced", "not-reproduced"], "mostly mis-stated, with statements shown false"),
    (["refuted", "reproduced", "reproduced", "partially-reproduced"], "partly sound, partly shown false"),
    (["partially-reproduced", "not-reproduced", "not-testable"], "reproduced in part"),
    (["not-reproduced", "not-reproduced", "partially-reproduced"], "not reproduced as measured here"),
    (["reproduced", "pending", "pending"], "mostly pending; so far reproduced as stated"),
    (["pending", "not-testable"], "not decided yet"),
    (["not-testable"], "not testable"),
])
def test_reading_reaches_each_phrase(verdicts, phrase):
    assert story.reading(verdicts) == phrase


def test_every_registered_claim_is_in_one_part_and_figures_are_named():
    reg = ledger.load_registry()
    placed = [cid for parts in story.PARTS.values() for _, _, ids in parts for cid in ids]
    assert sorted(placed) == sorted(reg) and len(placed) == len(set(placed))
    for paper, parts in story.PARTS.items():
        assert all(reg[cid].paper == paper for _, _, ids in parts for cid in ids)
    assert set(story.KEY_FIGURES) == set(story.PARTS)


def test_story_follows_the_ledger(tmp_path):
    rows = [{"id": "SCTA-COMPLEXITY", "verdict": "reproduced", "profile": "cpu"},
            {"id": "SCTA-SCALE", "verdict": "not-reproduced", "profile": "paper"},
            {"id": "SCTA-T1-SPEEDUP", "verdict": "not-reproduced", "profile": "paper"},
            {"id": "SCTA-ENERGY", "verdict": "pending", "profile": None}]  # registered, never run: not counted
    f = tmp_path / "claims.json"
    f.write_text(json.dumps(rows))
    text = story.story("scta", path=f)
    assert "**The method** (the loss's cost, free of the vocabulary size): reproduced as stated (1 reproduced; cpu run)." in text
    assert "not reproduced as measured here (2 not-reproduced; paper run)" in text
    assert "**Quality** (convergence and final loss against cross-entropy): nothing published yet." in text
    with pytest.raises(ValueError, match="unknown paper"):
        story.story("nope")
    with pytest.raises(ValueError, match="unknown paper"):
        story.key_figures("nope")
