"""SCTA's data: dialog corpora, encoding, the Zipf stream and batches, evaluation windows, the held-out split.

Part of paperlib.scta (the method is described in the package docstring)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import torch

def parse_sharegpt(source) -> list[str]:
    """Sequences "prompt \\n answer" from ShareGPT-format data.

    `source`: a path to a JSON file, a JSON string, or the already-loaded list of
    ``{"conversations": [{"from": "human", "value": ...}, {"from": "gpt", "value": ...}, ...]}``.
    Each human turn followed by a gpt turn gives one sequence.
    """
    if isinstance(source, (str, Path)):
        text = str(source)
        if not text.lstrip().startswith(("[", "{")):
            p = Path(text)
            if not p.exists():
                raise ValueError(f"ShareGPT file not found: {p}")
            text = p.read_text(encoding="utf-8")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"ShareGPT source is not valid JSON: {exc}") from None
    else:
        data = source
    if not isinstance(data, list):
        raise TypeError(f"ShareGPT data must be a list of records, got {type(data).__name__}")
    out: list[str] = []
    for i, rec in enumerate(data):
        if not isinstance(rec, dict) or "conversations" not in rec:
            raise ValueError(f"ShareGPT record {i} has no 'conversations' list")
        conv = rec["conversations"]
        if not isinstance(conv, list):
            raise ValueError(f"ShareGPT record {i}: 'conversations' must be a list")
        for j, turn in enumerate(conv):
            if not isinstance(turn, dict) or "from" not in turn or "value" not in turn:
                raise ValueError(f"ShareGPT record {i}, turn {j}: needs 'from' and 'value'")
            if not isinstance(turn["value"], str):
                raise TypeError(f"ShareGPT record {i}, turn {j}: 'value' must be a string")
        for a, b in zip(conv, conv[1:]):
            if a["from"] == "human" and b["from"] == "gpt":
                out.append(f"{a['value']}\n{b['value']}")
    return out


def dialog_texts(source: str = "chatterbot", lang: str = "english") -> list[str]:
    """Training sequences "prompt \\n answer": the embedded chatterbot corpus, or a ShareGPT JSON file path."""
    if source == "chatterbot":
        from paperlib.common.data import chatterbot_pairs

        return [f"{p}\n{a}" for p, a in chatterbot_pairs(lang=lang)]
    return parse_sharegpt(source)


@dataclass
class EncodedCorpus:
    ids: torch.Tensor          # 1-D int64 token stream, sequences separated by an end-of-sequence id
    V: int                     # size of the output space (>= tokenizer vocabulary; padded)
    tokenizer_vocab: int       # ids the tokenizer can emit
    ids_occurring: int         # distinct ids that actually occur in `ids`

    def split(self, valid_fraction: float = 0.1):
        if not 0.0 < valid_fraction < 1.0:
            raise ValueError(f"valid_fraction must be in (0, 1), got {valid_fraction}")
        n = int(len(self.ids) * (1 - valid_fraction))
        return self.ids[:n], self.ids[n:]


def encode_texts(texts: list[str], tokenizer, V: int) -> EncodedCorpus:
    """Token-id stream of `texts` (an end-of-sequence id after each), in an output space padded to V ids."""
    if not texts:
        raise ValueError("no texts to encode")
    tv = tokenizer.get_vocab_size()
    eos = tv  # one id past the tokenizer's vocabulary
    if V < tv + 1:
        raise ValueError(f"V={V} is smaller than the tokenizer vocabulary + EOS ({tv + 1})")
    stream: list[int] = []
    for enc in tokenizer.encode_batch(texts):
        stream.extend(enc.ids)
        stream.append(eos)
    ids = torch.tensor(stream, dtype=torch.long)
    return EncodedCorpus(ids=ids, V=V, tokenizer_vocab=tv + 1, ids_occurring=int(torch.unique(ids).numel()))


def zipf_ids(n: int, n_types: int, generator: torch.Generator, s: float = 1.1) -> torch.Tensor:
    """Synthetic Zipf(s) token stream over `n_types` ids (for benchmarks that only need realistic id statistics)."""
    if n_types < 1 or n < 1:
        raise ValueError("n and n_types must be >= 1")
    w = torch.arange(1, n_types + 1, dtype=torch.float64).pow(-s)
    return torch.multinomial(w / w.sum(), n, replacement=True, generator=generator)


def batch_iterator(ids: torch.Tensor, batch_size: int, seq_len: int, generator: torch.Generator,
                   device="cpu"):
    """Endless (x, y) batches of shape (batch_size, seq_len): random windows of the stream, y = x shifted by one."""
    if ids.dim() != 1 or ids.dtype != torch.long:
        raise TypeError("ids must be a 1-D int64 tensor")
    if batch_size < 1 or seq_len < 1:
        raise ValueError("batch_size and seq_len must be >= 1")
    n_win = len(ids) - seq_len - 1
    if n_win < 1:
        raise ValueError(f"token stream of {len(ids)} ids is too short for seq_len={seq_len}")
    offs = torch.arange(seq_len + 1)
    while True:
        starts = torch.randint(0, n_win + 1, (batch_size,), generator=generator)
        w = ids[starts[:, None] + offs[None, :]].to(device)
        yield w[:, :-1], w[:, 1:]


def eval_windows(ids: torch.Tensor, seq_len: int, max_windows: int | None = None):
    """Non-overlapping (x, y) windows covering the held-out stream (deterministic)."""
    n = (len(ids) - 1) // seq_len
    if max_windows is not None:
        n = min(n, max_windows)
    if n < 1:
        raise ValueError("held-out stream too short for one window")
    x = ids[: n * seq_len].view(n, seq_len)
    y = ids[1: n * seq_len + 1].view(n, seq_len)
    return x, y



def split_texts(texts: list[str], valid_fraction: float = 0.1, seed: int = 0, dedupe: bool = True):
    """(train, held-out) sequences: exact duplicates removed first (the dialog corpus repeats some pairs 100+
    times, which would leak into the held-out set), then a seeded random split by sequence."""
    if not 0.0 < valid_fraction < 1.0:
        raise ValueError(f"valid_fraction must be in (0, 1), got {valid_fraction}")
    uniq = list(dict.fromkeys(texts)) if dedupe else list(texts)
    if len(uniq) < 2:
        raise ValueError("need at least two distinct sequences to split")
    perm = torch.randperm(len(uniq), generator=torch.Generator().manual_seed(seed)).tolist()
    n_valid = max(1, int(round(len(uniq) * valid_fraction)))
    valid = [uniq[i] for i in perm[:n_valid]]
    train = [uniq[i] for i in perm[n_valid:]]
    return train, valid
