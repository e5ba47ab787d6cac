"""The SCN model (Semantic Comparison Network): store (prompt, answer) pairs, answer a new prompt with the best
match (SCN paper, Eq. 1-5).

    C = {x_t},  y_hat = argmax_{y_i in C} sim(x, y_i)                                       (Eq. 4-5)

Scoring modes:

* ``"lexical"``   -- sim = P(prompt, stored prompt) of Eq. 1 (`paperlib.scn.similarity`, reading chosen by `reading`).
* ``"embedding"`` -- sim = cosine of frozen embeddings (Eq. 2) of the prompt and each stored prompt.
* ``"hurnet"``    -- a HurNet layer (closed form, Eq. 3; `paperlib.scn.hurnet.HurNetLayer`) is fitted to map prompt
  embeddings to answer embeddings; the answer is the stored answer whose embedding has the largest cosine with
  the mapped query. Fine-tuning updates the layer incrementally (`partial_fit`, no refit from scratch).

"Training" (`fit`) = embed and store; "fine-tuning" (`fine_tune`) = append pairs (an exactly repeated prompt
gets its answer replaced when ``replace=True``). The store is unbounded: embeddings live in fixed-size
chunks (appending never copies old rows) and a query scans them chunk by chunk with a running max, so
the extra memory per query is O(batch x chunk_size) whatever the number of stored pairs.
Ties go to the earliest stored pair (deterministic). Save/load: ``.npz`` arrays + ``.json`` metadata
(no pickle).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import torch

from paperlib.scn.embed import check_finite, embedder_from_spec
from paperlib.scn.similarity import READINGS, similarity_many

__all__ = ["SCN", "Prediction", "EmbeddingStore", "EmptyModelError", "MODES", "answer_sets", "exact_match_rate",
           "check_pairs", "synthetic_store_benchmark"]

MODES = ("lexical", "embedding", "hurnet")


class EmptyModelError(RuntimeError):
    """predict() on an SCN that stores no pairs."""


@dataclass(frozen=True)
class Prediction:
    answer: str
    score: float
    index: int            # index of the stored pair that answered
    matched_prompt: str   # its stored prompt ("" for pairs added as bare embeddings)


def check_pairs(pairs) -> list[tuple[str, str]]:
    """Validate (prompt, answer) pairs: a non-empty list of 2-tuples of non-blank str."""
    if isinstance(pairs, (str, bytes)) or not isinstance(pairs, Iterable):
        raise TypeError("pairs must be an iterable of (prompt, answer) tuples")
    out = []
    for i, p in enumerate(pairs):
        if not isinstance(p, (tuple, list)) or len(p) != 2:
            raise TypeError(f"pair {i} must be a (prompt, answer) 2-tuple, got {p!r:.80}")
        q, a = p
        if not isinstance(q, str) or not isinstance(a, str):
            raise TypeError(f"pair {i}: prompt and answer must be str, got {type(q).__name__}, {type(a).__name__}")
        if not q.strip() or not a.strip():
            raise ValueError(f"pair {i}: prompt and answer must be non-empty text")
        out.append((q, a))
    if not out:
        raise ValueError("pairs is empty")
    return out


def _check_prompt(p) -> str:
    if not isinstance(p, str):
        raise TypeError(f"prompt must be a str, got {type(p).__name__}")
    if not p.strip():
        raise ValueError("prompt is empty")
    return p


class EmbeddingStore:
    """Append-only store of L2-normalised row vectors in fixed-size chunks; chunked max-cosine search."""

    def __init__(self, dim: int, chunk_size: int = 65536, dtype=torch.float32):
        if not isinstance(dim, int) or dim < 1:
            raise ValueError(f"dim must be a positive int, got {dim!r}")
        if not isinstance(chunk_size, int) or chunk_size < 1:
            raise ValueError(f"chunk_size must be a positive int, got {chunk_size!r}")
        self.dim, self.chunk_size, self.dtype = dim, chunk_size, dtype
        self.chunks: list[torch.Tensor] = []
        self.n = 0

    def __len__(self):
        return self.n

    @property
    def nbytes(self) -> int:
        return sum(c.numel() * c.element_size() for c in self.chunks)

    @staticmethod
    def _normalise(x: torch.Tensor) -> torch.Tensor:
        return x / x.norm(dim=1, keepdim=True).clamp_min(1e-12)

    def append(self, x: torch.Tensor) -> None:
        x = check_finite(torch.as_tensor(x), "embeddings")
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"expected embeddings of shape (n, {self.dim}), got {tuple(x.shape)}")
        x = self._normalise(x.to(torch.float64)).to(self.dtype)  # Eq. 2: store unit vectors, cosine = dot
        i = 0
        while i < x.shape[0]:
            fill = self.n % self.chunk_size
            if fill == 0:
                self.chunks.append(torch.zeros(self.chunk_size, self.dim, dtype=self.dtype))
            take = min(self.chunk_size - fill, x.shape[0] - i)
            self.chunks[-1][fill:fill + take] = x[i:i + take]
            self.n += take
            i += take

    def set_row(self, i: int, x: torch.Tensor) -> None:
        x = check_finite(torch.as_tensor(x).reshape(1, -1), "embedding")
        self.chunks[i // self.chunk_size][i % self.chunk_size] = self._normalise(x.to(torch.float64))[0].to(self.dtype)

    def to_numpy(self) -> np.ndarray:
        if self.n == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return torch.cat(self.chunks, 0)[: self.n].numpy()

    @torch.no_grad()
    def argmax_cosine(self, q: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """For each query row: (best cosine, index of the earliest stored row achieving it). Eq. 5."""
        if self.n == 0:
            raise EmptyModelError("the store is empty")
        q = check_finite(torch.as_tensor(q), "query embeddings")
        q = self._normalise(q.reshape(-1, self.dim).to(torch.float64)).to(self.dtype)
        best = torch.full((q.shape[0],), -math.inf, dtype=self.dtype)
        arg = torch.zeros(q.shape[0], dtype=torch.long)
        for c, chunk in enumerate(self.chunks):
            rows = min(self.chunk_size, self.n - c * self.chunk_size)
            s = q @ chunk[:rows].T
            v, j = s.max(dim=1)  # first maximal index within the chunk
            better = v > best      # strict: earlier chunks win ties
            best = torch.where(better, v, best)
            arg = torch.where(better, j + c * self.chunk_size, arg)
        return best, arg


class SCN:
    """Semantic Comparison Network: fit on (prompt, answer) pairs, predict the best stored answer.

    mode : 'lexical' (Eq. 1) | 'embedding' (Eq. 2 cosine) | 'hurnet' (HurNet-fitted map, Eq. 3).
    embedder : object with ``encode(list[str]) -> (n, d) tensor``, ``dim`` and ``spec()`` (paperlib.scn.embed);
        needed for 'embedding' and 'hurnet'. Defaults to the frozen all-MiniLM-L6-v2.
    reading, length_penalty : Eq. 1 options for mode 'lexical'.
    chunk_size : rows per storage chunk (the per-query memory bound).
    ridge : ridge term of the HurNet layer (mode 'hurnet'); > 0 keeps the incremental solve well-posed.
    """

    def __init__(self, mode: str = "embedding", embedder=None, reading: str = "word", length_penalty: bool = True,
                 chunk_size: int = 65536, ridge: float = 1e-2):
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of {MODES}")
        if reading not in READINGS:
            raise ValueError(f"unknown reading {reading!r}; expected one of {READINGS}")
        self.mode, self.reading, self.length_penalty = mode, reading, bool(length_penalty)
        self.chunk_size, self.ridge = chunk_size, float(ridge)
        if mode != "lexical" and embedder is None:
            from paperlib.scn.embed import MiniLMEmbedder

            embedder = MiniLMEmbedder()
        self.embedder = embedder
        self.reset()

    # -- state ------------------------------------------------------------------------------------------
    def reset(self) -> "SCN":
        self.prompts: list[str] = []
        self.answers: list[str] = []
        self._index: dict[str, int] = {}
        dim = self.embedder.dim if self.embedder is not None else 1
        self.store = EmbeddingStore(dim, self.chunk_size) if self.mode != "lexical" else None
        self.answer_store = EmbeddingStore(dim, self.chunk_size) if self.mode == "hurnet" else None
        self.layer = None
        if self.mode == "hurnet":
            from paperlib.scn.hurnet import HurNetLayer

            self.layer = HurNetLayer(dim, dim, bias=True, ridge=self.ridge, dtype=torch.float64)
        return self

    def __len__(self):
        return len(self.answers)

    @property
    def n_pairs(self) -> int:
        return len(self.answers)

    def memory_bytes(self) -> int:
        """Bytes held by stored embedding tensors (+ HurNet buffers); strings not counted."""
        b = 0
        for s in (self.store, self.answer_store):
            if s is not None:
                b += s.nbytes
        if self.layer is not None:
            b += sum(t.numel() * t.element_size() for t in self.layer.state_dict().values() if t is not None)
        return b

    # -- training ---------------------------------------------------------------------------------------
    def fit(self, pairs) -> "SCN":
        """Base "training": forget everything, embed and store all pairs (and fit the HurNet map)."""
        pairs = check_pairs(pairs)
        self.reset()
        self._add(pairs, replace=False, first=True)
        return self

    def fine_tune(self, pairs, replace: bool = True) -> "SCN":
        """Fine-tuning = add pairs. With replace=True a prompt identical to a stored one overwrites its answer."""
        pairs = check_pairs(pairs)
        self._add(pairs, replace=replace, first=self.n_pairs == 0)
        return self

    def _encode(self, texts: Sequence[str]) -> torch.Tensor:
        e = self.embedder.encode(list(texts))
        e = check_finite(torch.as_tensor(e), "embedder output")
        if e.shape != (len(texts), self.embedder.dim):
            raise ValueError(f"embedder returned shape {tuple(e.shape)}, expected ({len(texts)}, {self.embedder.dim})")
        return e

    def _add(self, pairs, replace: bool, first: bool) -> None:
        new, updates = [], []
        for q, a in pairs:
            j = self._index.get(q)
            if replace and j is not None:
                updates.append((j, q, a))
            else:
                new.append((q, a))
        if self.mode != "lexical":
            qs = [q for q, _ in new] + [q for _, q, _ in updates]
            A = [a for _, a in new] + [a for _, _, a in updates]
            xq = self._encode(qs) if qs else None
            xa = self._encode(A) if (self.mode == "hurnet" and A) else None
        for q, a in new:
            self._index.setdefault(q, len(self.answers))
            self.prompts.append(q)
            self.answers.append(a)
        for j, q, a in updates:
            self.answers[j] = a
        if self.mode == "lexical" or xq is None:
            return
        n_new = len(new)
        if n_new:
            self.store.append(xq[:n_new])
        if self.mode == "hurnet":
            if n_new:
                self.answer_store.append(xa[:n_new])
            for k, (j, _, _) in enumerate(updates):
                self.answer_store.set_row(j, xa[n_new + k])
            X, Y = xq.to(torch.float64), xa.to(torch.float64)
            if first:
                self.layer.fit(X, Y)          # Eq. 3 closed form
            else:
                self.layer.partial_fit(X, Y)  # incremental update, no refit from scratch

    def add_embeddings(self, prompt_embeddings: torch.Tensor, answers: Sequence[str]) -> "SCN":
        """Append pre-computed prompt embeddings with their answers (mode 'embedding' only; synthetic stores)."""
        if self.mode != "embedding":
            raise ValueError("add_embeddings is for mode 'embedding'")
        x = check_finite(torch.as_tensor(prompt_embeddings), "prompt_embeddings")
        if isinstance(answers, str) or len(answers) != x.shape[0]:
            raise ValueError("answers must be a sequence with one str per embedding row")
        self.store.append(x)
        self.answers.extend(answers)
        self.prompts.extend([""] * x.shape[0])
        return self

    # -- inference --------------------------------------------------------------------------------------
    def _require_nonempty(self):
        if self.n_pairs == 0:
            raise EmptyModelError("the SCN stores no pairs: call fit() or fine_tune() first")

    def predict(self, prompt: str) -> Prediction:
        return self.predict_batch([prompt])[0]

    def predict_batch(self, prompts: Sequence[str], batch_size: int = 64) -> list[Prediction]:
        """Best stored answer for each prompt (Eq. 5), queries processed `batch_size` at a time."""
        if isinstance(prompts, str):
            raise TypeError("predict_batch takes a list of prompts; use predict() for one")
        prompts = [_check_prompt(p) for p in prompts]
        self._require_nonempty()
        out: list[Prediction] = []
        if self.mode == "lexical":
            for p in prompts:
                s = similarity_many(p, self.prompts, self.reading, self.length_penalty)
                j = int(np.argmax(s))  # first maximum = earliest stored pair
                out.append(Prediction(self.answers[j], float(s[j]), j, self.prompts[j]))
            return out
        for i in range(0, len(prompts), batch_size):
            x = self._encode(prompts[i:i + batch_size])
            if self.mode == "embedding":
                best, arg = self.store.argmax_cosine(x)
            else:
                y = self.layer(x.to(torch.float64)).to(torch.float32)  # mapped to answer space
                best, arg = self.answer_store.argmax_cosine(y)
            for b, j in zip(best.tolist(), arg.tolist()):
                out.append(Prediction(self.answers[j], float(b), int(j), self.prompts[j]))
        return out

    # -- persistence ------------------------------------------------------------------------------------
    def save(self, path) -> Path:
        """Write `path`.npz (arrays) and `path`.json (config, prompts, answers). No pickle."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"format": "paperlib.scn/1", "mode": self.mode, "reading": self.reading,
                "length_penalty": self.length_penalty, "chunk_size": self.chunk_size, "ridge": self.ridge,
                "embedder": self.embedder.spec() if self.embedder is not None else None,
                "prompts": self.prompts, "answers": self.answers}
        arrays = {}
        if self.store is not None:
            arrays["prompt_emb"] = self.store.to_numpy()
        if self.answer_store is not None:
            arrays["answer_emb"] = self.answer_store.to_numpy()
        if self.layer is not None:
            for k, t in self.layer.state_dict().items():
                if t is not None:
                    arrays["hurnet." + k] = t.numpy()
            meta["hurnet_n_seen"] = self.layer.n_seen_
        np.savez(path.with_suffix(".npz"), **arrays)
        path.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path, embedder=None) -> "SCN":
        """Rebuild a saved SCN. The embedder is rebuilt from its saved spec unless one is given."""
        path = Path(path)
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        if meta.get("format") != "paperlib.scn/1":
            raise ValueError(f"{path}: not a saved SCN (format {meta.get('format')!r})")
        if embedder is None and meta["embedder"] is not None:
            embedder = embedder_from_spec(meta["embedder"])
        m = cls(mode=meta["mode"], embedder=embedder, reading=meta["reading"],
                length_penalty=meta["length_penalty"], chunk_size=meta["chunk_size"], ridge=meta["ridge"])
        m.prompts, m.answers = list(meta["prompts"]), list(meta["answers"])
        for i, q in enumerate(m.prompts):
            if q:
                m._index.setdefault(q, i)
        with np.load(path.with_suffix(".npz"), allow_pickle=False) as z:
            if m.store is not None:
                m.store.append(torch.from_numpy(z["prompt_emb"]))
            if m.answer_store is not None:
                m.answer_store.append(torch.from_numpy(z["answer_emb"]))
            if m.layer is not None:
                sd = {k[len("hurnet."):]: torch.from_numpy(z[k]) for k in z.files if k.startswith("hurnet.")}
                m.layer.load_state_dict(sd, strict=False)
                m.layer.n_seen_ = int(meta.get("hurnet_n_seen", 0))
                m.layer.fitted_ = True
        if m.store is not None and len(m.store) != len(m.answers):
            raise ValueError(f"{path}: {len(m.store)} embeddings but {len(m.answers)} answers")
        return m


# ----------------------------------------------------------------------------------------------------------
# Evaluation helpers

def answer_sets(pairs) -> dict[str, set[str]]:
    """Every answer the corpus gives to each prompt (chatterbot repeats prompts with different answers)."""
    d: dict[str, set[str]] = {}
    for q, a in pairs:
        d.setdefault(q, set()).add(a)
    return d


def exact_match_rate(predicted: Sequence[str], source_prompts: Sequence[str], sets: dict[str, set[str]]) -> float:
    """Fraction of predictions that are one of the corpus answers of the (original) source prompt."""
    if len(predicted) != len(source_prompts):
        raise ValueError("predicted and source_prompts differ in length")
    if not predicted:
        return float("nan")
    return float(np.mean([p in sets.get(q, ()) for p, q in zip(predicted, source_prompts)]))


def synthetic_store_benchmark(n: int, dim: int = 384, n_queries: int = 64, batch_sizes=(1, 64), repeats: int = 3,
                              chunk_size: int = 65536, noise: float = 0.05, seed: int = 0) -> dict:
    """Eq. 4-5 at scale: store n random unit 384-d "embeddings" labelled by index, query noisy copies.

    Returns build seconds, per-batch latency medians (seconds per call), retrieval accuracy (the label
    retrieved equals the source row) and the store's bytes. Meant to run inside
    `paperlib.common.measure.peak_rss_subprocess` so the peak memory of one configuration is measured alone.
    """
    import time

    from paperlib import seed_everything
    from paperlib.common.measure import time_callable

    g = seed_everything(seed)
    t0 = time.perf_counter()
    scn = SCN(mode="embedding", embedder=_DimOnly(dim), chunk_size=chunk_size)
    block = 65536
    for i in range(0, n, block):
        m = min(block, n - i)
        scn.add_embeddings(torch.randn(m, dim, generator=g), [str(k) for k in range(i, i + m)])
    build_s = time.perf_counter() - t0
    src = torch.randint(0, n, (max(n_queries, max(batch_sizes)),), generator=g)
    rows = torch.stack([scn.store.chunks[int(j) // chunk_size][int(j) % chunk_size] for j in src])
    q = rows + noise * torch.randn(rows.shape, generator=g) / math.sqrt(dim)
    _, arg = scn.store.argmax_cosine(q)
    acc = float((arg == src).float().mean())
    lat = {}
    for b in batch_sizes:
        t = time_callable(lambda: scn.store.argmax_cosine(q[:b]), warmup=1, repeats=repeats)
        lat[f"batch{b}_s"] = t.median
        lat[f"batch{b}_per_query_s"] = t.median / b
    return {"n": n, "dim": dim, "build_s": build_s, "accuracy": acc, "store_mb": scn.store.nbytes / 2**20, **lat}


class _DimOnly:
    """Placeholder embedder for stores filled with add_embeddings (it refuses to embed text)."""

    def __init__(self, dim):
        self.dim = dim

    def encode(self, texts):
        raise RuntimeError("this SCN holds synthetic embeddings only; it cannot embed text")

    def spec(self):
        return None


def accuracy_by_family(answer_fn, queries: list[dict], sets: dict[str, set[str]]):
    """Exact-match accuracy of `answer_fn(list_of_queries) -> list_of_answers` per held-out family.

    queries: rows {family, query, source} (paperlib.scn.perturb.heldout_queries). Returns a pandas Series
    (family -> accuracy) with an 'all held-out' entry, and the per-query correctness list.
    """
    import pandas as pd

    answers = answer_fn([r["query"] for r in queries])
    ok = [a in sets.get(r["source"], ()) for a, r in zip(answers, queries)]
    df = pd.DataFrame({"family": [r["family"] for r in queries], "ok": ok})
    s = df.groupby("family", sort=False)["ok"].mean()
    s["all held-out"] = float(np.mean(ok)) if ok else float("nan")
    return s, ok


def scn_answer_fn(model: "SCN"):
    return lambda qs: [p.answer for p in model.predict_batch(qs)]


def retrieval_comparison(lang: str, embedders: dict, n_heldout: int = 20, seed: int = 0, max_pairs: int = 0):
    """Notebook 01: SCN retrieval accuracy on held-out prompts, Eq. 1 (both readings) vs Eq. 2 embedders.

    The SCN stores every chatterbot (prompt, answer) pair of `lang`; queries are perturbations of a seeded
    sample of stored prompts plus the hand-written paraphrases; a query is answered correctly if the returned
    answer is one of the corpus answers of its source prompt. Returns a DataFrame (family x system).
    max_pairs > 0 keeps only that many pairs (the paraphrase-source pairs first, then corpus order).
    """
    import pandas as pd

    from paperlib.common.data import chatterbot_pairs
    from paperlib.scn.perturb import heldout_queries, load_paraphrases

    pairs = chatterbot_pairs(lang)
    if max_pairs:
        para = {r["prompt"] for r in load_paraphrases(lang)}
        pairs = ([p for p in pairs if p[0] in para] + [p for p in pairs if p[0] not in para])[:max_pairs]
    sets = answer_sets(pairs)
    held = heldout_queries([q for q, _ in pairs], lang, n_sample=n_heldout, seed=seed)
    systems = {"Eq.1 word": SCN(mode="lexical", reading="word"),
               "Eq.1 literal": SCN(mode="lexical", reading="literal")}
    for name, e in embedders.items():
        systems[f"Eq.2 {name}"] = SCN(mode="embedding", embedder=e)
    cols = {}
    for name, m in systems.items():
        m.fit(pairs)
        acc, _ = accuracy_by_family(scn_answer_fn(m), held, sets)
        cols[name] = acc
    df = pd.DataFrame(cols)
    df.insert(0, "queries", pd.Series({f: sum(r["family"] == f for r in held) for f in df.index}).fillna(len(held)))
    df.loc["all held-out", "queries"] = len(held)
    df["queries"] = df["queries"].astype(int)
    return df
