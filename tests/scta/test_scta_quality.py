"""scta.quality: notebook 22's SCTA-CONV measurement, decided by the rule on the seed table it returns."""
from paperlib.scta import quality, verdicts

P = dict(METHODS=["ce:dense", "scta:sparse"], SEED=0, SEEDS=[0], EPOCHS=1.0, STAGE2_EPOCHS=0.5, BATCH=2, SEQ_LEN=8)
DATA = (list(range(160)), None, 50)                      # 160 training tokens: 10 steps of 2 x 8, then 5


def test_budget_is_epochs_of_the_training_tokens():
    assert quality.budget(P, 160) == (10, 5)
    assert quality.budget({**P, "EPOCHS": 0.001}, 160) == (1, 5)          # at least one step


def _run(ppl, top5, loss):
    return {"final": {"ppl": ppl, "top5": top5}, "train_losses": [loss + 1, loss]}


def test_conv_labels_follow_the_methods():
    assert quality.conv_labels(P) == ("CE (full logits) dense", "SCTA sparse")
    assert quality.conv_labels({**P, "METHODS": ["ce:dense", "scta:dense"]})[1] == "SCTA dense"


def test_conv_claims_uses_the_chapters_runs_for_its_seed_and_the_rule():
    runs = {"CE (full logits) dense": _run(50.0, 0.4, 3.0), "SCTA sparse": _run(140.0, 0.4, 1.0)}
    m = quality.conv_claims(P, data=DATA, device="cpu", runs=runs)   # SEEDS = [SEED]: nothing more to train
    seeds = m.tables["scta_quality_seeds"]
    assert seeds.to_dict("records") == [{"seed": 0, "ppl_ce": 50.0, "ppl_scta": 140.0, "top5_ce": 0.4, "top5_scta": 0.4}]
    expected = verdicts.scta_conv(seeds["ppl_scta"], seeds["ppl_ce"], loss_scta=1.0, loss_ce=3.0,
                                  budget="10 steps x 2x8 tokens, +5 Stage-2 steps for SCTA")
    assert m.verdicts == [expected] and expected.verdict == "not-reproduced"
    assert "scta_quality_seeds" in m.evidence["SCTA-CONV"]


def test_seed_contrast_pairs_perplexity_and_top5_by_seed():
    import pandas as pd
    import pytest

    seeds = pd.DataFrame({"seed": [0, 1, 2], "ppl_ce": [100.0, 200.0, 100.0], "ppl_scta": [250.0, 600.0, 280.0],
                          "top5_ce": [0.40, 0.41, 0.39], "top5_scta": [0.41, 0.40, 0.39]})
    c = quality.seed_contrast(seeds)
    assert c["n"] == 3 and c["n_ppl_scta_higher"] == 3
    assert (c["ppl_ratio_median"], c["ppl_ratio_min"], c["ppl_ratio_max"]) == pytest.approx((2.8, 2.5, 3.0))
    assert c["n_top5_scta_higher"] == 1                                   # +0.01, -0.01, 0: no consistent order
    assert (c["top5_diff_min"], c["top5_diff_max"], c["top5_diff_absmax"]) == pytest.approx((-0.01, 0.01, 0.01))
