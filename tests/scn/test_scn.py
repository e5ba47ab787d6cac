"""SCN model: fit / predict / fine-tune / chunked store / save-load / errors (fast hashing embedder)."""
import math

import numpy as np
import pytest
import torch

from paperlib.scn.embed import HashingEmbedder
from paperlib.scn.experiments import answer_sets, exact_match_rate
from paperlib.scn.model import SCN
from paperlib.scn.store import EmbeddingStore, EmptyModelError
from paperlib.scn.store_bench import synthetic_store_benchmark

PAIRS = [("Olá", "Oi"), ("Como vai você?", "Bem, e você?"), ("What is your name?", "I am a bot."),
         ("Do you like music?", "Yes, jazz."), ("Qual é a capital do Brasil?", "Brasília.")]


def _emb():
    return HashingEmbedder(dim=128)


@pytest.mark.parametrize("mode", ["lexical", "embedding", "hurnet"])
def test_training_prompts_answered_exactly(mode):
    m = SCN(mode=mode, embedder=None if mode == "lexical" else _emb(), ridge=1e-6).fit(PAIRS)
    preds = m.predict_batch([q for q, _ in PAIRS])
    assert [p.answer for p in preds] == [a for _, a in PAIRS]
    sets = answer_sets(PAIRS)
    assert exact_match_rate([p.answer for p in preds], [q for q, _ in PAIRS], sets) == 1.0


@pytest.mark.parametrize("mode", ["lexical", "embedding"])
def test_perturbed_prompt_and_fine_tune(mode):
    m = SCN(mode=mode, embedder=None if mode == "lexical" else _emb()).fit(PAIRS)
    assert m.predict("como vai voce").answer == "Bem, e você?"
    m.fine_tune([("Quem é você?", "Um robô.")])
    assert m.n_pairs == 6 and m.predict("Quem é você?").answer == "Um robô."
    m.fine_tune([("Olá", "Olá! Tudo bem?")])  # identical prompt: replaced, not appended
    assert m.n_pairs == 6 and m.predict("Olá").answer == "Olá! Tudo bem?"


def test_hurnet_fine_tune_is_incremental_and_equals_refit():
    e = _emb()
    a = SCN(mode="hurnet", embedder=e, ridge=1e-3).fit(PAIRS[:3]).fine_tune(PAIRS[3:])
    b = SCN(mode="hurnet", embedder=e, ridge=1e-3).fit(PAIRS)
    assert a.layer.n_seen_ == len(PAIRS)
    torch.testing.assert_close(a.layer.weight, b.layer.weight, atol=1e-8, rtol=1e-6)


def test_chunked_store_equals_dense_argmax():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1000, 16, generator=g)
    x[537] = x[12]  # tie: the earliest row must win
    s = EmbeddingStore(16, chunk_size=64)
    s.append(x[:300])
    s.append(x[300:])
    assert len(s.chunks) == math.ceil(1000 / 64)
    q = torch.cat([torch.randn(20, 16, generator=g), x[12:13]])
    best, arg = s.argmax_cosine(q)
    xn = x / x.norm(dim=1, keepdim=True)
    dense = (q / q.norm(dim=1, keepdim=True)) @ xn.T
    np.testing.assert_array_equal(arg.numpy(), dense.argmax(1).numpy())
    assert int(arg[-1]) == 12
    np.testing.assert_allclose(best.numpy(), dense.max(1).values.numpy(), atol=1e-5)


def test_synthetic_benchmark_small():
    r = synthetic_store_benchmark(n=3000, dim=32, n_queries=16, batch_sizes=(1, 16), repeats=1, chunk_size=512)
    assert r["accuracy"] == 1.0 and r["n"] == 3000


@pytest.mark.parametrize("mode", ["lexical", "embedding", "hurnet"])
def test_save_load_roundtrip(tmp_path, mode):
    m = SCN(mode=mode, embedder=None if mode == "lexical" else _emb()).fit(PAIRS)
    m.save(tmp_path / "model")
    assert not list(tmp_path.glob("*.pkl"))
    m2 = SCN.load(tmp_path / "model")
    qs = ["como vai?", "your name", "music"]
    assert [p.answer for p in m.predict_batch(qs)] == [p.answer for p in m2.predict_batch(qs)]
    if mode == "hurnet":
        m2.fine_tune([("Quem é você?", "Um robô.")])  # statistics survived the round trip
        assert m2.layer.n_seen_ == len(PAIRS) + 1


def test_deterministic():
    a = SCN(mode="embedding", embedder=_emb()).fit(PAIRS).predict_batch(["music?", "nome"])
    b = SCN(mode="embedding", embedder=_emb()).fit(PAIRS).predict_batch(["music?", "nome"])
    assert a == b


def test_errors():
    with pytest.raises(EmptyModelError, match="stores no pairs"):
        SCN(mode="lexical").predict("x")
    m = SCN(mode="embedding", embedder=_emb()).fit(PAIRS)
    with pytest.raises(ValueError, match="prompt is empty"):
        m.predict("   ")
    with pytest.raises(TypeError, match="prompt must be a str"):
        m.predict(3)
    with pytest.raises(ValueError, match="pairs is empty"):
        m.fit([])
    with pytest.raises(TypeError, match="2-tuple"):
        m.fit([("a",)])
    with pytest.raises(ValueError, match="non-empty"):
        m.fit([("a", " ")])
    with pytest.raises(ValueError, match="NaN or inf"):
        SCN(mode="embedding", embedder=_emb()).add_embeddings(torch.tensor([[math.nan] * 128]), ["x"])
    with pytest.raises(ValueError, match="unknown mode"):
        SCN(mode="gpt")

    class BadEmb(HashingEmbedder):
        def encode(self, texts, batch_size=256):
            return torch.full((len(texts), self.dim), math.inf)

    with pytest.raises(ValueError, match="NaN or inf"):
        SCN(mode="embedding", embedder=BadEmb(dim=8)).fit(PAIRS)


def test_paraphrase_set_uses_exact_corpus_prompts():
    from paperlib.common.data import chatterbot_pairs
    from paperlib.scn.perturb import heldout_queries, load_paraphrases

    for lang in ("english", "portuguese"):
        rows = load_paraphrases(lang)
        prompts = {q for q, _ in chatterbot_pairs(lang)}
        assert len(rows) >= 20 and all(r["prompt"] in prompts and r["paraphrase"] != r["prompt"] for r in rows)
        held = heldout_queries(sorted(prompts), lang, n_sample=3, seed=1)
        assert held == heldout_queries(sorted(prompts), lang, n_sample=3, seed=1)
        assert {r["family"] for r in held} >= {"typos", "paraphrase"}
    with pytest.raises(ValueError, match="lang"):
        load_paraphrases("french")
