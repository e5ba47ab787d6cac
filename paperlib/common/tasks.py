"""Independent tasks (the chapters of a run, the variant x seed runs inside a chapter) on an existing engine.

    PAPERLIB_SCHEDULER=""                 in-process, one task after another (the default)
    PAPERLIB_SCHEDULER=local:4            a Dask LocalCluster of 4 single-threaded worker processes
    PAPERLIB_SCHEDULER=gpus               a Dask cluster with one worker process per local CUDA GPU
                                          (each sees one device through CUDA_VISIBLE_DEVICES)
    PAPERLIB_SCHEDULER=tcp://host:8786    the scheduler of a running Dask cluster (`dask scheduler` and
                                          `dask worker` on its machines; each worker needs this checkout)

:func:`map_tasks` returns the results in the order of the inputs, whatever the engine, and raises the first
failure (a failed task fails what it belongs to). Tasks must be deterministic functions of their arguments:
each seeds itself (the callers pass the seed), so the results are the same as a serial run's. Dask is optional
(the `cluster` extra); without it only the in-process engine is available.
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

__all__ = ["SCHEDULER_ENV", "Engine", "parse_engine", "engine", "map_tasks"]

SCHEDULER_ENV = "PAPERLIB_SCHEDULER"


@dataclass(frozen=True)
class Engine:
    kind: str            # "serial" | "local" | "gpus" | "address"
    workers: int = 1     # local: how many worker processes
    address: str = ""    # address: the scheduler's

    def describe(self) -> str:
        return {"serial": "in-process, one task after another",
                "local": f"a local Dask cluster of {self.workers} worker process(es)",
                "gpus": "a local Dask cluster, one worker per CUDA GPU",
                "address": f"the Dask scheduler at {self.address}"}[self.kind]


def parse_engine(spec: str | None = None) -> Engine:
    """The engine a spec names (default: the PAPERLIB_SCHEDULER environment variable, else in-process)."""
    spec = (os.environ.get(SCHEDULER_ENV, "") if spec is None else spec).strip()
    if spec in ("", "serial", "none"):
        return Engine("serial")
    m = re.fullmatch(r"local:(\d+)", spec)
    if m and int(m.group(1)) >= 1:
        return Engine("local", workers=int(m.group(1)))
    if spec == "gpus":
        return Engine("gpus")
    if re.fullmatch(r"(tcp|tls|ucx|inproc)://\S+", spec):
        return Engine("address", address=spec)
    raise ValueError(f"{SCHEDULER_ENV}={spec!r} is not an engine: use '' (in-process), 'local:N' (N >= 1), "
                     f"'gpus', or a Dask scheduler address such as tcp://host:8786")


def _dask():
    try:
        from dask import distributed
    except ImportError as exc:
        raise ValueError("a cluster engine needs Dask: `make setup EXTRAS=test,lab,site,cluster` "
                         "(or pip install 'dask[distributed]')") from exc
    return distributed


@contextmanager
def engine(spec: str | Engine | None = None) -> Iterator[Any]:
    """A Dask Client for the engine (closed, with its cluster, on exit), or None for in-process."""
    eng = spec if isinstance(spec, Engine) else parse_engine(spec)
    if eng.kind == "serial":
        yield None
        return
    distributed = _dask()
    if eng.kind == "address":
        with distributed.Client(eng.address) as client:
            yield client
        return
    if eng.kind == "local":
        cluster = distributed.LocalCluster(n_workers=eng.workers, threads_per_worker=1, processes=True,
                                           dashboard_address=None)
    else:
        import torch

        n = torch.cuda.device_count()
        if n == 0:
            raise ValueError(f"{SCHEDULER_ENV}=gpus needs CUDA GPUs; none is visible")
        workers = {f"gpu{i}": {"cls": distributed.Nanny,
                               "options": {"nthreads": 1, "env": {"CUDA_VISIBLE_DEVICES": str(i)}}}
                   for i in range(n)}
        cluster = distributed.SpecCluster(workers=workers, scheduler={
            "cls": distributed.Scheduler, "options": {"dashboard_address": None}})
    with cluster, distributed.Client(cluster) as client:
        yield client


def map_tasks(fn: Callable, items: Iterable, *, client=None, spec: str | None = None) -> list:
    """[fn(item) for item in items] on the engine: `client` (a Dask Client) when given, else the engine that
    `spec` (or PAPERLIB_SCHEDULER) names. Results come back in input order; the first failure is raised."""
    items = list(items)
    if client is None and parse_engine(spec).kind == "serial":
        return [fn(x) for x in items]
    if client is None:
        with engine(spec) as c:
            return map_tasks(fn, items, client=c)
    futures = client.map(fn, items, pure=False)
    return client.gather(futures)
