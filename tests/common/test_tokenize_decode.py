"""Tokenizers decode to text: decode(encode(s)) == s for both kinds, and the cache key carries the format."""
import pytest

from paperlib.common import tokenize

TRAIN = [
    " = Robert Boulter = \n",
    " Robert Boulter is an English film , television and theatre actor .\n",
    "He had a guest-starring role on the television series The Bill in 2000; since then he's worked on stage.\n",
    "Olá, como vai você? Não sei.\n",
] * 3


@pytest.mark.parametrize("kind", ["bpe", "word"])
def test_decode_inverts_encode(tmp_path, monkeypatch, kind):
    monkeypatch.setattr(tokenize, "CACHE", tmp_path)
    for cached in (False, True, True):                    # fresh, written to the cache, read back from it
        tok = tokenize.train_tokenizer(TRAIN, kind=kind, vocab_size=300, cache=cached)
        for sentence in TRAIN[:4] + [" Robert Boulter is an actor .", "Olá, você?"]:
            ids = tok.encode(sentence).ids
            assert tok.decode(ids) == sentence
        # pieces are words and subwords, not text re-joined by spaces
        assert tok.decode(tok.encode(" Robert Boulter").ids) != " R ob ert"


def test_cache_key_has_the_format_version(tmp_path, monkeypatch):
    monkeypatch.setattr(tokenize, "CACHE", tmp_path)
    tokenize.train_tokenizer(TRAIN, kind="bpe", vocab_size=300)
    (first,) = tmp_path.glob("*.json")
    assert f"-v{tokenize.FORMAT}-" in first.name
    monkeypatch.setattr(tokenize, "FORMAT", tokenize.FORMAT + 1)
    tokenize.train_tokenizer(TRAIN, kind="bpe", vocab_size=300)
    assert len(list(tmp_path.glob("*.json"))) == 2          # a new format never reads the old file
