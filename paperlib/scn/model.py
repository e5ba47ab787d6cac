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
the extra memory per query is O(batch x chunk_size) whatever the number of stored pairs
(`paperlib.scn.store.EmbeddingStore`). Ties go to the earliest stored pair (deterministic).
Save/load: ``.npz`` arrays + ``.json`` metadata (no pickle).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import torch

from paperlib.scn.embed import check_finite, embedder_from_spec
from paperlib.scn.similarity import READINGS, similarity_many
from paperlib.scn.store import EmbeddingStore, EmptyModelError

__all__ = ["SCN", "Prediction", "EmptyModelError", "MODES", "check_pairs"]

MODES = ("lexical", "embedding", "hurnet")


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
