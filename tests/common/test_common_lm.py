"""common.lm: batching and evaluation windows against explicit index arithmetic, and the one training loop."""
import pytest
import torch

from paperlib.common import lm


def test_random_windows_are_next_token_pairs_from_the_stream():
    stream = torch.arange(100, 160)
    g = torch.Generator().manual_seed(1)
    x, y = lm.random_windows(stream, 5, 7, g)
    assert x.shape == y.shape == (5, 7)
    assert torch.equal(y[:, :-1], x[:, 1:]) and torch.equal(y - x, torch.ones_like(x))
    assert int(x.min()) >= 100 and int(y.max()) <= 159


def test_batches_draw_the_same_windows_as_random_windows():
    stream = torch.randint(0, 50, (300,), generator=torch.Generator().manual_seed(0))
    it = lm.batches(stream, 4, 9, torch.Generator().manual_seed(3))
    g = torch.Generator().manual_seed(3)
    for _ in range(3):
        a, b = next(it), lm.random_windows(stream, 4, 9, g)
        assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])


def test_windows_reject_bad_input():
    g = torch.Generator()
    with pytest.raises(TypeError, match="torch.Tensor"):
        lm.random_windows([1, 2, 3], 1, 1, g)
    with pytest.raises(TypeError, match="integer token ids"):
        lm.random_windows(torch.ones(10), 1, 2, g)
    with pytest.raises(ValueError, match="seq_len\\+1"):
        lm.batches(torch.arange(5), 2, 5, g)
    with pytest.raises(ValueError, match="1-D"):
        lm.eval_windows(torch.zeros(2, 5, dtype=torch.long), 2)


def test_eval_windows_count_every_target_once():
    stream = torch.arange(23)
    x, y = lm.eval_windows(stream, 5)
    assert x.shape == (4, 5)                      # (23 - 1) // 5 windows; the short tail is dropped
    assert torch.equal(x.flatten(), torch.arange(20)) and torch.equal(y.flatten(), torch.arange(1, 21))
    assert lm.eval_windows(stream, 5, max_windows=2)[0].shape == (2, 5)


class _Tok:
    """A character tokenizer with the `tokenizers` interface the helpers use."""

    class _Enc:
        def __init__(self, ids):
            self.ids = ids

    def encode(self, s):
        return self._Enc([ord(c) for c in s])

    def encode_batch(self, texts):
        return [self.encode(t) for t in texts]


def test_encode_corpus_in_pieces_equals_one_encoding_and_texts_get_eos():
    text = "line one\nline two\nthree\n" * 5
    assert torch.equal(lm.encode(_Tok(), text, chunk_chars=7), torch.tensor([ord(c) for c in text]))
    ids = lm.encode(_Tok(), ["ab", "c"], eos=0)
    assert ids.tolist() == [97, 98, 0, 99, 0]
    with pytest.raises(TypeError):
        lm.encode(_Tok(), b"bytes")
    with pytest.raises(ValueError, match="no texts"):
        lm.encode(_Tok(), [])


def test_evaluate_perplexity_of_a_uniform_model_is_the_vocabulary_size():
    class Uniform(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))

        def forward(self, x):
            return torch.zeros(*x.shape, 13) + self.w

    ev = lm.evaluate_perplexity(Uniform(), torch.randint(0, 13, (200,)), 10, batch_size=3)
    assert ev["ppl"] == pytest.approx(13.0) and ev["tokens"] == 190 and ev["chunks"] == 19


def _counting_batches():
    i = 0
    while True:
        i += 1
        yield i


def test_train_loop_evaluates_on_schedule_and_at_the_end():
    seen = []
    r = lm.train_loop(lambda step, b: seen.append((step, b)) or 1.0 / (step + 1), _counting_batches(), 10,
                      eval_fn=lambda s: {"at": s}, eval_every=4)
    assert seen == [(s, s + 1) for s in range(10)] and r.steps == 10 and r.stopped == "steps"
    assert [e["step"] for e in r.evals] == [4, 8, 10] and [e["at"] for e in r.evals] == [4, 8, 10]
    assert r.losses[0] == 1.0 and 0 < r.train_s == r.evals[-1]["train_s"]  # the last evaluation is at the end
    assert all(a["train_s"] <= b["train_s"] for a, b in zip(r.evals, r.evals[1:]))
    r = lm.train_loop(lambda s, b: 0.0, _counting_batches(), 8, eval_fn=lambda s: {}, eval_every=4, eval_at_end=False)
    assert [e["step"] for e in r.evals] == [4, 8]


def test_train_loop_stops_on_its_criterion_and_on_its_time_budget():
    r = lm.train_loop(lambda s, b: 0.0, _counting_batches(), 100, eval_fn=lambda s: {"em": s / 10},
                      eval_every=3, stop=lambda ev: ev["em"] >= 0.6)
    assert r.stopped == "criterion" and r.steps == 6 and len(r.losses) == 6

    import time

    r = lm.train_loop(lambda s, b: time.sleep(0.01) or 0.0, _counting_batches(), 1000,
                      eval_fn=lambda s: {}, eval_every=500, max_seconds=0.05)
    assert r.stopped == "time" and 5 <= r.steps < 1000 and r.train_s >= 0.05
    assert r.evals[-1]["step"] == r.steps           # the budget's end is evaluated
    with pytest.raises(ValueError):
        lm.train_loop(lambda s, b: 0.0, _counting_batches(), -1)
