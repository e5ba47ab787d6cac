"""Independent tasks on an engine (common.tasks): the same results in the same order as in-process."""
import os

import pytest

from paperlib.common import tasks


def _seeded_draw(seed):
    import torch

    g = torch.Generator().manual_seed(seed)
    return seed, torch.randn(3, generator=g).tolist(), os.getpid()


def _boom(x):
    if x == 2:
        raise RuntimeError("task 2 failed")
    return x


def test_parse_engine_reads_each_kind_and_refuses_the_rest(monkeypatch):
    assert tasks.parse_engine("") == tasks.Engine("serial")
    assert tasks.parse_engine("local:3") == tasks.Engine("local", workers=3)
    assert tasks.parse_engine("gpus").kind == "gpus"
    assert tasks.parse_engine("tcp://10.0.0.1:8786") == tasks.Engine("address", address="tcp://10.0.0.1:8786")
    monkeypatch.setenv(tasks.SCHEDULER_ENV, "local:2")
    assert tasks.parse_engine().workers == 2
    for bad in ("local:0", "local", "cluster", "http://x"):
        with pytest.raises(ValueError, match="is not an engine"):
            tasks.parse_engine(bad)


def test_serial_engine_runs_in_process_and_raises_the_failure():
    out = tasks.map_tasks(_seeded_draw, [3, 1, 2], spec="")
    assert [o[0] for o in out] == [3, 1, 2] and {o[2] for o in out} == {os.getpid()}
    with pytest.raises(RuntimeError, match="task 2 failed"):
        tasks.map_tasks(_boom, [1, 2, 3], spec="")


@pytest.mark.slow
def test_a_two_worker_local_cluster_gives_the_serial_results_in_order():
    pytest.importorskip("dask.distributed")
    serial = tasks.map_tasks(_seeded_draw, [5, 0, 7, 1], spec="")
    with tasks.engine("local:2") as client:
        clustered = tasks.map_tasks(_seeded_draw, [5, 0, 7, 1], client=client)
        with pytest.raises(RuntimeError, match="task 2 failed"):
            tasks.map_tasks(_boom, [1, 2, 3], client=client)
    assert [o[:2] for o in clustered] == [o[:2] for o in serial]
    assert {o[2] for o in clustered}.isdisjoint({os.getpid()})  # they ran in the workers
