"""Independent training runs (variant x seed) on an engine give the serial run's results (bk.train.train_variants)."""
import pytest
import torch

from paperlib.bk.configs import ablation_specs
from paperlib.bk.train import TrainConfig, train_variants


def _setup():
    specs = ablation_specs(vocab_size=40, d_model=16, n_layers=1, seq_len=16, n_experts=2, lap_im_z=0.01)
    g = torch.Generator().manual_seed(0)
    stream = torch.randint(0, 40, (3000,), generator=g)
    cfg = TrainConfig(steps=6, batch_size=2, seq_len=16, lr=3e-3, eval_chunks=2)
    jobs = [("full", specs["full"], 0), ("transformer", specs["transformer"], 1), ("full", specs["full"], 1)]
    return jobs, stream[:2400], stream[2400:], cfg


def test_serial_runs_come_back_in_order_with_their_seeds():
    jobs, train, held, cfg = _setup()
    out = train_variants(jobs, train, held, cfg)
    assert [(n, s) for n, s, _, _ in out] == [(n, s) for n, _, s in jobs]
    assert out[0][3].losses != out[2][3].losses  # another seed, another run


@pytest.mark.slow
def test_a_two_worker_cluster_trains_the_same_runs_as_a_serial_loop():
    pytest.importorskip("dask.distributed")
    from paperlib.common.tasks import engine

    jobs, train, held, cfg = _setup()
    serial = train_variants(jobs, train, held, cfg)
    with engine("local:2") as client:
        clustered = train_variants(jobs, train, held, cfg, client=client)
    for (n1, s1, _, r1), (n2, s2, _, r2) in zip(serial, clustered):
        assert (n1, s1) == (n2, s2) and r1.losses == r2.losses and r1.final_ppl == r2.final_ppl
