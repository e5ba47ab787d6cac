"""GPT baseline: tokenizer round trip, padding-invariant forward, causal mask, learns a tiny task, errors."""
import pytest
import torch

from paperlib.scn.gpt_baseline import BOS, PAD, CharWordVocab, GPTBaseline, TinyGPT


@pytest.mark.parametrize("level", ["char", "word"])
def test_vocab_lossless(level):
    texts = ["Olá, mundo!  Tudo bem?", "Hello -- world."]
    v = CharWordVocab(texts, level)
    for t in texts:
        assert v.decode(v.encode(t)) == t
    assert v.encode("Ω")[0] == 4  # <unk>
    with pytest.raises(ValueError, match="level"):
        CharWordVocab(texts, "byte")


def test_left_padding_and_causality():
    torch.manual_seed(0)
    m = TinyGPT(20, d_model=16, n_layers=2, n_heads=2).eval()
    seq = torch.tensor([[BOS, 7, 8, 9]])
    ref = m(seq, torch.arange(4)[None], torch.ones(1, 4, dtype=torch.bool))
    padded = torch.tensor([[PAD, PAD, BOS, 7, 8, 9]])
    pos = (torch.arange(6) - 2).clamp_min(0)[None]
    got = m(padded, pos, torch.tensor([[False, False, True, True, True, True]]))
    torch.testing.assert_close(got[:, 2:], ref, atol=1e-5, rtol=1e-5)
    assert torch.isfinite(got).all()
    # causality: changing the last token does not change earlier logits
    seq2 = seq.clone()
    seq2[0, 3] = 11
    out2 = m(seq2, torch.arange(4)[None], torch.ones(1, 4, dtype=torch.bool))
    torch.testing.assert_close(out2[:, :3], ref[:, :3])


def test_learns_tiny_task_and_fine_tunes():
    torch.set_num_threads(1)
    pairs = [("oi", "olá"), ("tchau", "até logo"), ("hi", "hello")]
    new = [("bom dia", "bom dia!")]
    m = GPTBaseline([t for p in pairs + new for t in p], d_model=32, n_layers=1, n_heads=2, batch_size=8, seed=0,
                    lr=1e-2, max_answer_tokens=16)
    r = m.train(pairs, target_em=1.0, max_steps=400, max_seconds=30, eval_every=25)
    assert r.reached and r.final_em == 1.0
    assert m.generate(["oi", "hi"]) == ["olá", "hello"]
    f = m.fine_tune(new, pairs, target_em=1.0, max_steps=400, max_seconds=30, eval_every=25)
    assert f.reached and m.generate(["bom dia", "tchau"]) == ["bom dia!", "até logo"]


def test_errors():
    m = GPTBaseline(["a"], d_model=8, n_layers=1, n_heads=2)
    with pytest.raises(TypeError, match="list of prompts"):
        m.generate("a")
    with pytest.raises(ValueError, match="target_em"):
        m.train([("a", "b")], target_em=0.0)
    with pytest.raises(ValueError, match="pairs is empty"):
        m.train([])


def test_criterion_is_per_group_and_time_excludes_checks():
    """The fine-tune criterion needs EACH prompt set at the target (not their union); only steps are timed."""
    torch.set_num_threads(1)
    m = GPTBaseline(["abc", "xyz"], d_model=8, n_layers=1, n_heads=2, batch_size=4, seed=0)
    pairs = [("a", "b"), ("c", "a")]
    r = m.train(pairs, target_em=1.0, max_steps=3, max_seconds=30, eval_every=1,
                criterion_groups=[pairs, [("x", "y")]])
    assert not r.reached and r.steps == 3 and len(r.history) == 3
    assert [h[0] for h in r.history] == [1, 2, 3]
    assert r.final_em == min(r.history[-1][2], 1.0) and r.train_seconds > 0 and r.eval_seconds > 0
    assert "2 prompt set(s)" in r.criterion
    with pytest.raises(ValueError, match="positive"):
        m.train(pairs, max_steps=0)


def test_gpt_time_counts_only_seeds_with_a_base_model_and_reports_bounds():
    from paperlib.scn.gpt_baseline import gpt_time

    def row(seed, base_s, base_ok, ft_s=float("nan"), ft_ok=False):
        return dict(seed=seed, base_s=base_s, base_reached=base_ok, ft_s=ft_s, ft_reached=ft_ok)

    both = [row(0, 5.0, True, 6.0, True), row(1, 7.0, True, 8.0, True)]
    assert gpt_time(both, "base") | {} == gpt_time(both, "base")
    b = gpt_time(both, "base")
    assert b["status"] == "measured" and b["seconds"] == 6.0 and (b["seconds_min"], b["seconds_max"]) == (5.0, 7.0)
    assert gpt_time(both, "fine-tune")["seconds"] == 7.0
    one_bound = [row(0, 5.0, True, 40.0, False), row(1, 7.0, True, 8.0, True)]
    assert gpt_time(one_bound, "fine-tune")["status"] == "bound"
    no_base = [row(0, 100.0, False), row(1, 7.0, True, 8.0, True)]
    assert gpt_time(no_base, "base")["status"] == "bound"
    ft = gpt_time(no_base, "fine-tune")          # one seed with a base model: fewer than two count
    assert ft["status"] == "undefined" and ft["n_seeds"] == 1 and ft["n_runs"] == 2
