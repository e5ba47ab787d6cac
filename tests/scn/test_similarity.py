"""Eq. 1 (both readings), Eq. 2 cosine, tokenization, perturbations."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from scipy.spatial.distance import cdist

from paperlib.scn.embed import HashingEmbedder, cosine_similarity_matrix
from paperlib.scn.perturb import FAMILIES, perturb, perturb_many
from paperlib.scn.similarity import invariant_report, similarity, similarity_many, strip_accents, tokenize

# the spec's test vectors: word-level reading, length penalty on
VECTORS = [(("Olá Mundo", "olá mundo"), 2 / 3), (("Olá Mundo", "Ola Mundo"), 5 / 6),
           (("Olá Mundo", "ola mundo"), 1 / 2), (("a b", "a b c d"), 0.75)]


@pytest.mark.parametrize("pair,expected", VECTORS)
def test_spec_vectors_word_reading(pair, expected):
    assert similarity(*pair, reading="word", length_penalty=True) == pytest.approx(expected, abs=1e-12)


def test_penalty_off():
    assert similarity("a b", "a b c d", length_penalty=False) == 1.0


def test_literal_reading_counts_characters():
    # literal: each word scores the number of matching aligned characters -> "casa" vs "casa" = 4
    assert similarity("casa", "casa", reading="literal") == pytest.approx(4.0)
    # "Olá" vs "olá": O/o scores 2/3 (d1, d3), l and á score 1 -> 8/3; Mundo/mundo -> 2/3 + 4 -> mean
    assert similarity("Olá Mundo", "olá mundo", reading="literal") == pytest.approx(((2 / 3 + 2) + (2 / 3 + 4)) / 2)
    assert similarity("casa", "casa", reading="word") == 1.0


def test_literal_clamps_word_skips_penalty():
    # base score 1/4 (one of four... ) : S=[x], T=[x,y,z,w]? base 1, penalty 3/8 -> 0.625 both readings
    assert similarity("x", "x y z w", "word") == pytest.approx(1 - 3 / 8)
    # base 1/3 (case+accent differ: only d1), penalty 3/8 > 1/3: literal clamps to 0, word skips the penalty
    assert similarity("É", "e y z w", "literal") == 0.0
    assert similarity("É", "e y z w", "word") == pytest.approx(1 / 3)


def test_tokenization_and_accents():
    assert tokenize("Olá, mundo! conhecê-la") == ["Olá", "mundo", "conhecê", "la"]
    assert tokenize("Ola\u0301") == ["Olá"]  # NFD input is composed first
    assert strip_accents("Coração, ação, você") == "Coracao, acao, voce"
    assert tokenize("?!...") == []
    assert similarity("?!", "olá") == 0.0


def test_bad_input():
    with pytest.raises(TypeError, match="t1 must be a str"):
        similarity(3, "a")
    with pytest.raises(ValueError, match="unknown reading"):
        similarity("a", "a", reading="chars")
    with pytest.raises(TypeError, match="length_penalty"):
        similarity("a", "a", length_penalty=1)


def test_similarity_many_matches_scalar():
    cands = ["olá mundo", "Ola", "a b c", "mundo olá !"]
    got = similarity_many("Olá Mundo", cands)
    np.testing.assert_allclose(got, [similarity("Olá Mundo", c) for c in cands])


TEXT = st.text(alphabet="abcoáãéçõAÉÇ ,.!?", max_size=30)


@settings(max_examples=200, deadline=None)
@given(TEXT, TEXT, st.booleans())
def test_word_reading_is_a_probability(a, b, pen):
    assert 0.0 <= similarity(a, b, "word", pen) <= 1.0


@settings(max_examples=200, deadline=None)
@given(TEXT, TEXT)
def test_symmetry_when_token_counts_differ(a, b):
    for r in ("word", "literal"):
        if len(tokenize(a)) != len(tokenize(b)):
            assert similarity(a, b, r) == pytest.approx(similarity(b, a, r))


def test_symmetry_fails_on_ties():
    # |S| = |T|: S is the first text; repeated words make the order matter
    assert similarity("a a", "a b") == 1.0 and similarity("a b", "a a") == 0.5


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_case_and_accent_changes_cost_at_most_one_delta(a):
    if tokenize(a):
        assert similarity(a, a, "word") == 1.0
        assert similarity(a, a.upper(), "word") >= 2 / 3 - 1e-12
        assert similarity(a, strip_accents(a), "word") >= 2 / 3 - 1e-12
        assert similarity(a, strip_accents(a).lower(), "word") >= 1 / 3 - 1e-12


def test_literal_range_exceeds_one():
    assert similarity("hello world", "hello world", "literal") > 1.0


def test_invariant_report_finds_the_known_violations():
    rep = invariant_report(n_trials=150, seed=0).set_index(["reading", "invariant"])
    assert bool(rep.loc[("word", "range [0,1]"), "holds"])
    assert not bool(rep.loc[("literal", "range [0,1]"), "holds"])
    assert not bool(rep.loc[("word", "case-insensitive"), "holds"])  # d2 is case-sensitive


# ---- Eq. 2 -----------------------------------------------------------------------------------------------
def test_cosine_matches_scipy():
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(7, 5, generator=g, dtype=torch.float64), torch.randn(4, 5, generator=g, dtype=torch.float64)
    np.testing.assert_allclose(cosine_similarity_matrix(x, y).numpy(), 1 - cdist(x.numpy(), y.numpy(), "cosine"),
                               atol=1e-12)


def test_cosine_zero_row_and_bad_input():
    s = cosine_similarity_matrix(torch.zeros(1, 3), torch.ones(2, 3))
    assert torch.equal(s, torch.zeros(1, 2))
    with pytest.raises(ValueError, match="NaN or inf"):
        cosine_similarity_matrix(torch.tensor([[math.nan, 1.0]]), torch.ones(1, 2))
    with pytest.raises(ValueError, match="expected"):
        cosine_similarity_matrix(torch.ones(2, 3), torch.ones(2, 4))


def test_hashing_embedder_deterministic():
    a = HashingEmbedder(dim=64).encode(["Olá mundo", "hello"])
    b = HashingEmbedder(dim=64).encode(["Olá mundo", "hello"])
    assert torch.equal(a, b) and a.shape == (2, 64)
    assert torch.allclose(a.norm(dim=1), torch.ones(2))
    # accent/case folding on by default: identical vectors
    c = HashingEmbedder(dim=64).encode(["OLA MUNDO"])
    assert torch.allclose(c[0], a[0])
    with pytest.raises(TypeError, match="single str"):
        HashingEmbedder().encode("x")


# ---- perturbations -----------------------------------------------------------------------------------------
def test_perturbations_seeded_and_changed():
    prompts = ["Como vai você?", "What is your name?", "hello there friend"]
    r1, r2 = perturb_many(prompts, seed=3), perturb_many(prompts, seed=3)
    assert r1 == r2
    assert all(r["changed"] for r in r1)
    rng = np.random.default_rng(0)
    assert perturb("Olá, mundo!", "accents", rng) == "Ola, mundo!"
    assert perturb("Olá, mundo!", "punctuation", rng) == "Olá mundo"
    assert perturb("hi", "case", rng) == "HI"
    with pytest.raises(ValueError, match="unknown perturbation family"):
        perturb("x", "emoji", rng)
    assert set(FAMILIES) == {"case", "accents", "punctuation", "word_order", "typos"}
