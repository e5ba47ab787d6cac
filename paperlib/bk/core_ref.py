"""Independent references for the BK-Core op (paperlib.bk.core), beside it as a kernel's reference is: named
input families, the float64 banded-solve oracles (scipy; independent of the op's recurrences) and the plain C
causal loop (``core_ref.c``, built with the system C compiler) that notebook 13 uses as a speed yardstick.
(scipy is imported where the oracles need it, so the C loop also loads where scipy is missing.)"""
from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import torch

from paperlib.common import paths

__all__ = ["CASES", "make_case", "oracle_two_sided", "oracle_causal", "max_elementwise_rel", "c_reference"]

CASES = ("random", "large_v", "near_spectrum", "small_off")


def make_case(kind: str, n: int, seed: int):
    """(v, off, z) as numpy float64 arrays / complex for a named input family.

    random: v ~ N(0, 1.5^2) clamped to +-3 (the model's range), off = 1 + 0.3 N(0,1), z = i.
    large_v: v ~ N(0, 1e3^2), random off, z = 0.1 + 0.5i.
    near_spectrum: random v/off, z = (an eigenvalue of H from the middle of the spectrum) + 1e-4 i
                   (computed only for n <= 4096; beyond that z = 0.01 i inside the band).
    small_off: off of random sign and size 1e-4..1e-2, z = 0.1 + 0.01i.
    """
    if kind not in CASES:
        raise ValueError(f"unknown case {kind!r}; expected one of {', '.join(CASES)}")
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    g = np.random.default_rng(seed)
    m = max(n - 1, 0)
    v = np.clip(g.normal(size=n) * 1.5, -3, 3)
    off = 1.0 + 0.3 * g.normal(size=m)
    z = 1j
    if kind == "large_v":
        v = g.normal(size=n) * 1e3
        z = 0.1 + 0.5j
    elif kind == "small_off":
        off = g.uniform(1e-4, 1e-2, size=m) * g.choice([-1.0, 1.0], size=m)
        z = 0.1 + 0.01j
    elif kind == "near_spectrum":
        if n <= 4096:
            lam = _scipy_linalg().eigvalsh_tridiagonal(-2.0 + v, off) if n > 1 else -2.0 + v
            z = complex(lam[n // 2], 1e-4)
        else:
            z = 0.01j
    return v, off, z


def _scipy_linalg():
    import scipy.linalg

    return scipy.linalg


def _banded(v, off, z, h0=-2.0):
    n = len(v)
    ab = np.zeros((3, n), dtype=np.complex128)
    if n > 1:
        ab[0, 1:] = off
        ab[2, :-1] = off
    ab[1] = h0 + v - z
    return ab


def oracle_two_sided(v, off, z, h0=-2.0, rows=None):
    """Diagonal of (H - zI)^{-1} by scipy banded solves, complex128 (all rows: one solve with N right-hand
    sides, O(N^2) memory; rows: one O(N) solve per selected row)."""
    ab = _banded(v, off, z, h0)
    n = len(v)
    if rows is None:
        return np.diag(_scipy_linalg().solve_banded((1, 1), ab, np.eye(n, dtype=np.complex128)))
    out = []
    for i in rows:
        e = np.zeros(n, dtype=np.complex128)
        e[i] = 1.0
        out.append(_scipy_linalg().solve_banded((1, 1), ab, e)[i])
    return np.array(out)


def oracle_causal(v, off, z, h0=-2.0, rows=None):
    """Last diagonal entry of the leading-(i+1)-block resolvent, by banded solves on each block."""
    rows = range(len(v)) if rows is None else rows
    return np.array([oracle_two_sided(v[: i + 1], off[:i], z, h0, rows=[i])[0] for i in rows])


def max_elementwise_rel(got, ref) -> float:
    """max_i |got_i - ref_i| / |ref_i| of a torch result against a numpy reference (complex; an op's worst entry),
    unlike common.checks.relative_error's norm ratio."""
    got = got.detach().cpu().to(torch.complex128).numpy()
    with np.errstate(all="ignore"):
        return float(np.max(np.abs(got - ref) / np.abs(ref)))



# ------------------------------------------------------------------------------- the plain C yardstick
REF_C = Path(__file__).with_name("core_ref.c")


def _compiler():
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    return cc if cc and (os.path.isabs(cc) and os.path.exists(cc) or shutil.which(cc)) else None


def c_reference(folder=None):
    """The plain C causal loop (paperlib/bk/core_ref.c) built with `cc -O2 -shared -fPIC` into build/cext/
    (cached by source hash; a temporary folder if build/ is not writable) and wrapped for torch.

    Returns (fn, info): fn(v, off, z=1j, h0=-2.0) -> complex128 (rows, N) for float64 v (rows, N) and off
    (rows, N-1); or (None, reason) when there is no compiler or the build fails."""
    cc = _compiler()
    if cc is None:
        return None, "no C compiler (cc/gcc or $CC) found"
    src = REF_C.read_bytes()
    tag = hashlib.sha256(src + cc.encode()).hexdigest()[:12]
    folder = Path(folder) if folder is not None else paths.BUILD / "cext"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK):
            raise OSError(f"{folder} is not writable")
    except OSError:
        folder = Path(tempfile.gettempdir()) / "paperlib-cext"
        folder.mkdir(parents=True, exist_ok=True)
    lib_path = folder / f"bk_core_ref-{tag}.so"
    if not lib_path.exists():
        tmp = folder / f".{lib_path.name}.{os.getpid()}.tmp"
        cmd = [cc, "-O2", "-shared", "-fPIC", "-o", str(tmp), str(REF_C)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.SubprocessError) as exc:
            return None, f"C build failed to run ({' '.join(cmd)}): {exc}"
        if proc.returncode != 0:
            tmp.unlink(missing_ok=True)
            tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
            return None, f"C build failed ({' '.join(cmd)}): {tail}"
        os.replace(tmp, lib_path)
    lib = ctypes.CDLL(str(lib_path))
    f = lib.bk_causal_ref
    f.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_double, ctypes.c_double, ctypes.c_double,
                  ctypes.c_long, ctypes.c_long, ctypes.c_void_p]
    f.restype = None

    def fn(v, off, z=1j, h0=-2.0):
        if v.dtype != torch.float64 or v.dim() != 2 or v.device.type != "cpu":
            raise ValueError("the C loop takes a float64 CPU tensor v of shape (rows, N)")
        rows, n = v.shape
        if off.shape != (rows, max(n - 1, 0)) or off.dtype != torch.float64:
            raise ValueError(f"off must be float64 of shape {(rows, max(n - 1, 0))}, got {tuple(off.shape)}")
        v, off = v.contiguous(), off.contiguous()
        out = torch.empty(rows, n, dtype=torch.complex128)
        z = complex(z)
        f(v.data_ptr(), off.data_ptr(), float(h0), z.real, z.imag, rows, n, out.data_ptr())
        return out

    return fn, f"{Path(cc).name} -O2 -shared -fPIC -> {Path(lib_path).name}"  # no machine paths in outputs
