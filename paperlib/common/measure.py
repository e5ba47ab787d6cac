"""Measurement: wall-clock timing with warm-up and repeats, peak memory, and a hardware/software fingerprint."""
from __future__ import annotations

import importlib
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from functools import lru_cache

from paperlib.common import paths
from paperlib.common.stats import quartiles


@dataclass
class Timing:
    """Seconds per call: median and interquartile range (`common.stats.quartiles`) over `repeats` timed calls
    after `warmup` calls."""

    median: float
    iqr: float
    min: float
    times: list[float] = field(repr=False)
    warmup: int = 0

    @property
    def repeats(self) -> int:
        return len(self.times)

    def __str__(self) -> str:
        return f"{self.median * 1e3:.3g} ms (IQR {self.iqr * 1e3:.2g} ms, n={self.repeats})"


def _cuda_sync():
    try:
        import torch

        if torch.cuda.is_available() and torch.cuda.is_initialized():
            torch.cuda.synchronize()
    except ImportError:  # pragma: no cover
        pass


def time_callable(fn, *, warmup: int = 1, repeats: int = 5, sync_cuda: bool = True, min_time: float = 0.0,
                  setup=None) -> Timing:
    """Time `fn()`; CUDA is synchronised before and after each call so GPU work is counted.

    setup: optional untimed preparation before every call (warm-up calls included); the call is then
    `fn(setup())`, e.g. a fresh object to fit, or the next batch of a training loop. The only benchmark
    timing loop of the companion: everything that reports seconds times through here."""
    if repeats < 1:
        raise ValueError("repeats must be >= 1")
    if warmup < 0:
        raise ValueError("warmup must be >= 0")
    sync = _cuda_sync if sync_cuda else (lambda: None)
    call = fn if setup is None else (lambda arg: fn(arg))
    prepare = (lambda: ()) if setup is None else (lambda: (setup(),))
    for _ in range(warmup):
        call(*prepare())
    sync()
    times: list[float] = []
    start_all = time.perf_counter()
    while len(times) < repeats or (time.perf_counter() - start_all) < min_time:
        args = prepare()
        t0 = time.perf_counter()
        call(*args)
        sync()
        times.append(time.perf_counter() - t0)
        if len(times) >= 10 * repeats:
            break
    q1, med, q3 = quartiles(times)
    return Timing(median=med, iqr=q3 - q1, min=min(times), times=times, warmup=warmup)


def cuda_peak_memory(fn, device=None) -> dict:
    """Run `fn()` once on CUDA and report allocator statistics in MB (peak allocated, reserved)."""
    import torch

    if not torch.cuda.is_available():
        raise RuntimeError("cuda_peak_memory needs a CUDA device")
    torch.cuda.synchronize(device)
    torch.cuda.reset_peak_memory_stats(device)
    base = torch.cuda.memory_allocated(device)
    result = fn()
    torch.cuda.synchronize(device)
    mb = 1024**2
    return {"peak_allocated_mb": torch.cuda.max_memory_allocated(device) / mb,
            "peak_above_start_mb": (torch.cuda.max_memory_allocated(device) - base) / mb,
            "peak_reserved_mb": torch.cuda.max_memory_reserved(device) / mb, "result": result}


def is_oom(exc: BaseException) -> bool:
    """Whether an exception is an out-of-memory error, on CUDA or the CPU: MemoryError, torch.OutOfMemoryError,
    or a RuntimeError whose message says "out of memory" (older torch, other allocators) or, from torch's CPU
    allocator, "can't allocate memory". The one detector: benchmarks turn such an error into a row with status
    "oom" (reason: oom_reason); anything else propagates."""
    if isinstance(exc, MemoryError):
        return True
    torch = sys.modules.get("torch")  # an OutOfMemoryError can only come from a torch already imported
    oom_type = getattr(torch, "OutOfMemoryError", None) if torch is not None else None
    if oom_type is not None and isinstance(exc, oom_type):
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and any(m in text for m in OOM_MESSAGES)


OOM_MESSAGES = ("out of memory", "can't allocate memory", "cannot allocate memory")


def oom_reason(exc: BaseException) -> str:
    """The one-line reason an "oom" row records: the error's type and the first line of its message (if any)."""
    lines = str(exc).splitlines()
    return f"{type(exc).__name__}: {lines[0][:160]}" if lines and lines[0] else type(exc).__name__


_CHILD = r"""
import importlib, json, sys
from paperlib.common.measure import is_oom, oom_reason

def _status(key):  # kB -> MB, from the kernel's per-process accounting (VmHWM = peak resident set)
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")

def _reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS
    except OSError:
        pass

spec = json.loads(sys.argv[1])
mod, _, name = spec["func"].partition(":")
fn = getattr(importlib.import_module(mod), name)
base = _status("VmRSS")
_reset_peak()
try:
    result = fn(**spec["kwargs"]); status, reason = "ok", ""
except BaseException as exc:
    if not is_oom(exc):
        raise
    result, status, reason = None, "oom", oom_reason(exc)
peak = _status("VmHWM")
print("__PAPERLIB_RESULT__" + json.dumps({"peak_rss_mb": peak, "baseline_rss_mb": base,
      "peak_above_baseline_mb": peak - base, "status": status, "reason": reason, "result": result}, default=str))
"""


def peak_rss_subprocess(func_path: str, kwargs: dict | None = None, timeout: float = 1800) -> dict:
    """Run `module:function(**kwargs)` in a fresh Python process and return its peak resident memory.

    A fresh process per configuration gives a real peak for that configuration alone (CPU memory is
    not released to the OS reliably within one process). `baseline_rss_mb` is the peak after imports,
    before the call, and `peak_above_baseline_mb` the call's own peak. An out-of-memory error becomes ``status="oom"`` with its reason, not a crash.
    """
    if ":" not in func_path:
        raise ValueError("func_path must look like 'package.module:function'")
    mod = func_path.partition(":")[0]
    importlib.util.find_spec(mod)  # fail early, here, on a misspelt module
    env = dict(os.environ)
    env["PYTHONPATH"] = str(paths.ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    # import the module before measuring the baseline so imports are not counted as the call's memory
    code = f"import {mod}\n" + _CHILD
    proc = subprocess.run([sys.executable, "-c", code, json.dumps({"func": func_path, "kwargs": kwargs or {}})],
                          capture_output=True, text=True, timeout=timeout, env=env)
    if proc.returncode != 0:
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        if proc.returncode in (-9, 137):
            return {"peak_rss_mb": None, "status": "oom", "reason": "killed (likely out of memory)", "result": None}
        raise RuntimeError(f"{func_path} failed in its subprocess: {' | '.join(tail)}")
    for line in proc.stdout.splitlines():
        if line.startswith("__PAPERLIB_RESULT__"):
            return json.loads(line[len("__PAPERLIB_RESULT__"):])
    raise RuntimeError(f"{func_path}: no result from the subprocess")


def dirty_inputs() -> list[str]:
    """Paths among the result-producing inputs (paths.SOURCE_INPUTS) that differ from the commit, untracked
    files included; outputs (figures/, README) do not count, so a run's own writes never make it dirty."""
    out = subprocess.run(["git", "-C", str(paths.ROOT), "status", "--porcelain", "--", *paths.SOURCE_INPUTS],
                         capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise RuntimeError(f"git status failed: {out.stderr.strip()}")
    return [line[3:] for line in out.stdout.splitlines() if line.strip()]


def git_commit() -> str:
    """The commit that produced a result, with '+dirty' when its inputs differ from that commit."""
    try:
        out = subprocess.run(["git", "-C", str(paths.ROOT), "rev-parse", "--short=12", "HEAD"],
                             capture_output=True, text=True, timeout=10)
        commit = out.stdout.strip() or "unknown"
        return commit + ("+dirty" if commit != "unknown" and dirty_inputs() else "")
    except (OSError, subprocess.SubprocessError, RuntimeError):
        return "unknown"


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


@lru_cache(maxsize=1)
def fingerprint() -> dict:
    """Hardware and software facts attached to every result."""
    import numpy as np
    import torch

    from paperlib.common.runtime import default_device

    dev = default_device()
    if dev.type == "cuda":
        props = torch.cuda.get_device_properties(dev)
        device = f"cuda: {props.name} ({props.total_memory / 1024**3:.0f} GiB)"
    else:
        device = f"cpu: {_cpu_name()} ({torch.get_num_threads()} threads)"
    return {
        "device": device,
        "cpu": _cpu_name(),
        "cpu_count": os.cpu_count(),
        "threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "numpy": np.__version__,
        "commit": git_commit(),
        # set by `pipeline run --allow-dirty`: this result was knowingly produced from uncommitted code
        **({"dirty_override": True} if os.environ.get("PAPERLIB_ALLOW_DIRTY") == "1" else {}),
    }


def fingerprint_json() -> str:
    return json.dumps(fingerprint(), indent=2, sort_keys=True)
