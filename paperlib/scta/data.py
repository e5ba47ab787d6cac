"""SCTA's data: dialog corpora, the padded output space of an encoding, the Zipf stream, the held-out split.
Batches and evaluation windows are `paperlib.common.lm`'s (`batches`, `eval_windows`).

Part of paperlib.scta (the method is described in the package docstring)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import torch

from paperlib.common.lm import encode


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
    """Token-id stream of `texts` (an end-of-sequence id after each; `paperlib.common.lm.encode`), in an output
    space padded to V ids."""
    tv = tokenizer.get_vocab_size()
    eos = tv  # one id past the tokenizer's vocabulary
    if V < tv + 1:
        raise ValueError(f"V={V} is smaller than the tokenizer vocabulary + EOS ({tv + 1})")
    ids = encode(tokenizer, list(texts), eos=eos)
    return EncodedCorpus(ids=ids, V=V, tokenizer_vocab=tv + 1, ids_occurring=int(torch.unique(ids).numel()))


def zipf_ids(n: int, n_types: int, generator: torch.Generator, s: float = 1.1) -> torch.Tensor:
    """Synthetic Zipf(s) token stream over `n_types` ids (for benchmarks that only need realistic id statistics)."""
    if n_types < 1 or n < 1:
        raise ValueError("n and n_types must be >= 1")
    w = torch.arange(1, n_types + 1, dtype=torch.float64).pow(-s)
    return torch.multinomial(w / w.sum(), n, replacement=True, generator=generator)


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
