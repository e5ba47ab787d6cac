"""common.data and common.tokenize: checksummed corpora, the offline mirror, deterministic tokenizers."""
import pytest

from paperlib.common import data as pdata
from paperlib.common import paths


# ---------------------------------------------------------------- data
def test_corrupt_data_file_is_an_error(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    (mirror / "tinyshakespeare").mkdir(parents=True)
    (mirror / "tinyshakespeare" / "input.txt").write_text("not shakespeare")
    monkeypatch.setenv("PAPERLIB_DATA_MIRROR", str(mirror))
    monkeypatch.setattr(pdata, "CACHE", tmp_path / "cache")
    with pytest.raises(pdata.DataError, match="checksum mismatch.*not used"):
        pdata.load_text("tinyshakespeare")


def test_missing_corpus_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERLIB_DATA_MIRROR", str(tmp_path / "empty"))
    monkeypatch.setattr(pdata, "CACHE", tmp_path / "cache")
    assert pdata.locate("wikitext-2") is None
    with pytest.raises(pdata.DataError, match="not available offline"):
        pdata.load_text("wikitext-2")
    assert pdata.load_text("auto").name == "chatterbot"
    with pytest.raises(ValueError, match="unknown corpus"):
        pdata.load_text("wikitext-103")


def test_mirror_files_verify(monkeypatch):
    mirror = paths.ROOT.parent / "shared" / "data"
    if not mirror.is_dir():
        pytest.skip("no offline mirror beside the checkout")
    monkeypatch.setenv("PAPERLIB_DATA_MIRROR", str(mirror))
    corpus = pdata.load_text("auto")
    assert corpus.name == "wikitext-2" and "VALIDATION" in corpus.label
    assert len(corpus.train.split()) == 213886 or len(corpus.train.split()) > 200000


def test_chatterbot_pairs_english_and_portuguese():
    en, pt = pdata.chatterbot_pairs("english"), pdata.chatterbot_pairs("portuguese")
    assert len(en) > 1000 and len(pt) > 200
    assert all(isinstance(a, str) and isinstance(b, str) and a and b for a, b in en + pt)
    assert any("ç" in a + b or "ã" in a + b for a, b in pt)
    with pytest.raises(ValueError, match="no language 'klingon'"):
        pdata.chatterbot_pairs("klingon")


def test_tokenizers_are_deterministic(tmp_path, monkeypatch):
    from paperlib.common import tokenize

    monkeypatch.setattr(tokenize, "CACHE", tmp_path)
    text = " ".join(a + " " + b for a, b in pdata.chatterbot_pairs("portuguese"))
    for kind in ("bpe", "word"):
        t1 = tokenize.train_tokenizer(text, kind=kind, vocab_size=300, cache=False)
        t2 = tokenize.train_tokenizer(text, kind=kind, vocab_size=300)
        t3 = tokenize.train_tokenizer(text, kind=kind, vocab_size=300)  # from the cache
        ids = [t.encode("Olá, como vai você?").ids for t in (t1, t2, t3)]
        assert ids[0] == ids[1] == ids[2] and t1.get_vocab_size() <= 300
    with pytest.raises(ValueError, match="unknown tokenizer kind"):
        tokenize.train_tokenizer(text, kind="char")
