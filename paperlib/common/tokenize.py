"""Tokenizers trained locally with the `tokenizers` package: word-level and BPE, deterministic and cached."""
from __future__ import annotations

import hashlib

from paperlib.common import paths
from paperlib.common.atomic import write_text

SPECIAL = ["[UNK]", "[PAD]", "[EOS]"]
CACHE = paths.DATA / "cache" / "tokenizers"
# Version of the pre-tokenizer/decoder pipeline below, part of the cache key: a tokenizer cached by an older
# pipeline (format 1: Whitespace pre-tokens, no decoder, so decode() joined pieces with spaces) is never reused.
FORMAT = 2


def train_tokenizer(texts, kind: str = "bpe", vocab_size: int = 8000, cache: bool = True):
    """Train (or load from cache) a tokenizer on `texts` (a string or an iterable of strings).

    kind: "bpe" (byte-pair encoding) or "word" (word-level). Both split text into GPT-2's byte-level
    pre-tokens (a word with its leading space, a run of punctuation, a run of whitespace), so
    ``tok.decode(tok.encode(text).ids) == text`` for NFC text whose pieces are all known (BPE: every byte
    seen in training; an unseen one becomes [UNK], which decode() drops).
    The cache key is the sha256 of FORMAT, the texts, the kind and the vocabulary size.
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

    if kind not in ("bpe", "word"):
        raise ValueError(f"unknown tokenizer kind {kind!r}; expected 'bpe' or 'word'")
    if not isinstance(vocab_size, int) or vocab_size < len(SPECIAL) + 1:
        raise ValueError(f"vocab_size must be an int > {len(SPECIAL)}, got {vocab_size!r}")
    if isinstance(texts, str):
        texts = [texts]
    texts = list(texts)
    if not texts or not any(t.strip() for t in texts):
        raise ValueError("train_tokenizer needs non-empty text")
    h = hashlib.sha256(f"format{FORMAT}|{kind}|{vocab_size}|".encode())
    for t in texts:
        h.update(t.encode("utf-8"))
        h.update(b"\x00")
    path = CACHE / f"{kind}-{vocab_size}-v{FORMAT}-{h.hexdigest()[:16]}.json"
    if cache and path.is_file():
        return Tokenizer.from_file(str(path))
    if kind == "bpe":
        tok = Tokenizer(models.BPE(unk_token="[UNK]"))
        trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL, show_progress=False)
    else:
        tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
        trainer = trainers.WordLevelTrainer(vocab_size=vocab_size, special_tokens=SPECIAL, show_progress=False)
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()  # reverses the byte-to-unicode mapping and keeps the spaces
    tok.train_from_iterator(texts, trainer=trainer)
    if cache:
        write_text(path, tok.to_str())
    return tok
