"""BK-S64-TRADEOFF's one measurement (paperlib.bk.tradeoff): the GPU run's path (it trains the pair itself) and
notebook 16's path (its setup cell's ``training_setup``, its own training loop over the seeds, the runs passed in)
give the same table rows and the same Verdict."""
import re

import numpy as np
import pytest

from paperlib.bk import tradeoff
from paperlib.bk.train import train_variant
from paperlib.common import paths
from paperlib.common.verdicts import Measurement

P = dict(CORPUS="chatterbot", TOKENIZER="bpe", VOCAB=256, MAX_TRAIN_CHARS=20000, MAX_EVAL_CHARS=8000, D_MODEL=16,
         N_LAYERS=1, N_EXPERTS=2, SEQ_LEN=16, BATCH=4, STEPS=6, LR=0.003, WARMUP=1, EVAL_CHUNKS=2, SEEDS=[0, 1],
         SMOOTH=2, LAP_IM_Z=0.01, TIMING_REPEATS=2)


@pytest.fixture(scope="module")
def both_paths():
    gpu_path = tradeoff.s64_tradeoff_claims(P, device="cpu")
    data, cfg, specs = tradeoff.training_setup(P)              # notebook 16's setup cell, then its training loop
    runs = {name: [train_variant(specs[name], data.train, data.eval, cfg, seed, device="cpu")[1]
                   for seed in P["SEEDS"]] for name in tradeoff.PAIR}
    notebook_path = tradeoff.s64_tradeoff_claims(P, device="cpu", runs=runs, specs=specs)
    return gpu_path, notebook_path


def test_gpu_and_notebook_paths_agree(both_paths):
    a, b = both_paths
    assert isinstance(a, Measurement) and a.decided() == b.decided()
    assert [c for c, _ in a.decided()] == ["BK-S64-TRADEOFF"] and a.evidence == b.evidence
    ta, tb = a.tables[tradeoff.TABLE], b.tables[tradeoff.TABLE]
    assert list(ta.paper) == ["1.5-2x", "-", "2-3x", "-", "1-2", "10-15"]   # Section 6.4's printed ranges
    trained = ta.quantity.str.startswith(("PPL", "extra steps"))           # the rows that are not timings
    np.testing.assert_array_equal(ta[trained][["measured", "spread"]].to_numpy(),
                                  tb[trained][["measured", "spread"]].to_numpy())
    assert np.array_equal(a.notes["steps_optimized"], b.notes["steps_optimized"])


def test_off_cuda_the_timings_wait(both_paths):
    v = both_paths[0].verdict("BK-S64-TRADEOFF")
    assert "pending a GPU" in v.reason and "paired time ratios on CPU" in v.reason


def test_runs_need_their_specs():
    with pytest.raises(ValueError):
        tradeoff.s64_tradeoff_claims(P, device="cpu", runs={"optimized": [], "transformer": []})


def test_notebook_16_builds_its_training_from_the_shared_setup():
    source = (paths.NOTEBOOKS / "16_bk_training.py").read_text()
    assert re.search(r"^data, cfg, SPECS = training_setup\(ch\.params\)$", source, re.M)
    assert "s64_tradeoff_claims(ch.params, device=DEVICE, runs=runs, specs=SPECS)" in source
    assert "ablation_specs(" not in source and "TrainConfig(" not in source     # no second setup beside it
