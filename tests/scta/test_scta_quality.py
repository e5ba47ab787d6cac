"""scta.quality: notebook 22's SCTA-CONV measurement, decided by the rule on the seed table it returns."""
from paperlib.scta import quality, verdicts

P = dict(METHODS=["ce:dense", "scta:sparse"], SEED=0, SEEDS=[0], STEPS=10, STAGE2_STEPS=5, BATCH=2, SEQ_LEN=8)


def _run(ppl, top5, loss):
    return {"final": {"ppl": ppl, "top5": top5}, "train_losses": [loss + 1, loss]}


def test_conv_labels_follow_the_methods():
    assert quality.conv_labels(P) == ("CE (full logits) dense", "SCTA sparse")
    assert quality.conv_labels({**P, "METHODS": ["ce:dense", "scta:dense"]})[1] == "SCTA dense"


def test_conv_claims_uses_the_chapters_runs_for_its_seed_and_the_rule():
    runs = {"CE (full logits) dense": _run(50.0, 0.4, 3.0), "SCTA sparse": _run(140.0, 0.4, 1.0)}
    m = quality.conv_claims(P, data=None, device="cpu", runs=runs)   # SEEDS = [SEED]: nothing more to train
    seeds = m.tables["scta_quality_seeds"]
    assert seeds.to_dict("records") == [{"seed": 0, "ppl_ce": 50.0, "ppl_scta": 140.0, "top5_ce": 0.4, "top5_scta": 0.4}]
    expected = verdicts.scta_conv(seeds["ppl_scta"], seeds["ppl_ce"], loss_scta=1.0, loss_ce=3.0,
                                  budget="10 steps x 2x8 tokens, +5 Stage-2 steps for SCTA")
    assert m.verdicts == [expected] and expected.verdict == "not-reproduced"
    assert "scta_quality_seeds" in m.evidence["SCTA-CONV"]
