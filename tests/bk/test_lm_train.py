"""Tests for ResNet-BK training (paperlib.bk.train on common.lm's loop), its data preparation (bk.lm_data) and
experiment helpers (bk.experiments).

The training loop is tested on a tiny stand-in model (a learnable bigram table) with closed-form oracles:
a deterministic cyclic stream is learnt to near-zero loss, and held-out perplexity matches a numpy reference.
"""
from __future__ import annotations

import math
import sys
import types

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from paperlib.bk import experiments as ex
from paperlib.bk import lm_data
from paperlib.bk import train as lt
from paperlib.common import lm


class Bigram(nn.Module):
    """logits[b, t] = table[idx[b, t]]; exposes model.aux and generate like the project's LMs."""

    def __init__(self, vocab, aux_param=False):
        super().__init__()
        self.table = nn.Embedding(vocab, vocab)
        self.aux_w = nn.Parameter(torch.ones(())) if aux_param else None
        self.aux = {}

    def forward(self, idx):
        self.aux = {"frac_active": torch.tensor(0.5)}
        if self.aux_w is not None:
            self.aux["balance_loss"] = (self.aux_w - 3.0) ** 2
        return self.table(idx)

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None, generator=None):
        for _ in range(max_new_tokens):
            logits = self(idx)[:, -1] / temperature
            probs = F.softmax(logits, -1)
            nxt = torch.multinomial(probs, 1, generator=generator)
            idx = torch.cat([idx, nxt], 1)
        return idx


class Uniform(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.vocab = vocab
        self.dummy = nn.Parameter(torch.zeros(()))

    def forward(self, idx):
        return torch.zeros(*idx.shape, self.vocab) + 0 * self.dummy


# ----------------------------------------------------------------------------------------- evaluation

def test_evaluate_perplexity_matches_numpy_reference():
    torch.manual_seed(0)
    v, t = 11, 8
    m = Bigram(v)
    stream = torch.randint(0, v, (200,))
    ev = lm.evaluate_perplexity(m, stream, seq_len=t, batch_size=5)
    table = m.table.weight.detach().double().numpy()
    s = stream.numpy()
    n = (len(s) - 1) // t * t
    logp = table - np.log(np.exp(table).sum(1, keepdims=True))
    ref = -np.mean([logp[s[i], s[i + 1]] for i in range(n)])
    assert ev["loss"] == pytest.approx(ref, rel=1e-5)
    assert ev["ppl"] == pytest.approx(math.exp(ref), rel=1e-5)


# ------------------------------------------------------------------------------------------- training

def test_train_learns_cyclic_stream_and_is_deterministic():
    v = 13
    stream = torch.arange(3000) % v  # next token = (token+1) mod v: a bigram model can learn it exactly
    cfg = lt.TrainConfig(steps=150, batch_size=8, seq_len=16, lr=0.1, eval_chunks=8, seed=3)

    def run():
        torch.manual_seed(0)
        m = Bigram(v)
        return lt.train_lm(m, stream, cfg, eval_stream=stream[:500])

    r1, r2 = run(), run()
    assert r1.losses == r2.losses  # same seed, same batches, same init
    assert len(r1.losses) == 150
    assert r1.losses[0] > math.log(v) * 0.8  # starts near uniform
    assert r1.final_ppl < 1.5                 # learnt the cycle
    assert r1.tokens_seen == 150 * 8 * 16
    assert r1.tokens_per_s > 0 and r1.train_seconds > 0
    assert r1.n_params == v * v
    assert r1.aux_means["frac_active"] == pytest.approx(0.5)
    assert r1.eval_history[-1]["step"] == 150


def test_train_includes_aux_losses():
    v = 5
    m = Bigram(v, aux_param=True)
    stream = torch.randint(0, v, (400,))
    lt.train_lm(m, stream, lt.TrainConfig(steps=60, batch_size=2, seq_len=8, lr=0.1, weight_decay=0.0,
                                                     aux_weight=1.0))
    # the only gradient on aux_w comes from aux["balance_loss"] = (w-3)^2: it must have moved toward 3
    assert abs(m.aux_w.item() - 3.0) < 1.5
    m2 = Bigram(v, aux_param=True)
    lt.train_lm(m2, stream, lt.TrainConfig(steps=5, batch_size=2, seq_len=8, lr=0.1, aux_weight=0.0))
    assert m2.aux_w.item() == pytest.approx(1.0)


def test_train_eval_every_records_history():
    v = 7
    stream = torch.randint(0, v, (600,))
    r = lt.train_lm(Bigram(v), stream, lt.TrainConfig(steps=20, batch_size=2, seq_len=8, eval_every=5),
                    eval_stream=stream)
    assert [h["step"] for h in r.eval_history] == [5, 10, 15, 20]


def test_train_bad_input():
    with pytest.raises(TypeError, match="TrainConfig"):
        lt.train_lm(Bigram(3), torch.arange(100) % 3, {"steps": 3})
    for bad in (dict(steps=0), dict(lr=-1.0), dict(schedule="linear"), dict(grad_clip=0.0),
                dict(min_lr_frac=2.0), dict(seq_len=1.5)):
        with pytest.raises((ValueError, TypeError)):
            lt.TrainConfig(**bad)


def test_lr_schedule_endpoints():
    cfg = lt.TrainConfig(steps=101, lr=1e-3, min_lr_frac=0.1)
    assert lt.lr_at_step(cfg, 0) == pytest.approx(1e-3)
    assert lt.lr_at_step(cfg, 50) == pytest.approx(0.55e-3)
    assert lt.lr_at_step(cfg, 100) == pytest.approx(1e-4)
    w = lt.TrainConfig(steps=100, lr=1e-3, warmup_steps=10)
    assert lt.lr_at_step(w, 0) == pytest.approx(1e-4)
    assert lt.lr_at_step(w, 9) == pytest.approx(1e-3)
    c = lt.TrainConfig(steps=10, lr=2e-3, schedule="constant")
    assert all(lt.lr_at_step(c, s) == 2e-3 for s in range(10))


def test_build_model_bad_spec():
    with pytest.raises(ValueError, match="unknown configuration 'bk'"):
        lt.build_model("bk")
    with pytest.raises(TypeError, match="spec dict"):
        lt.build_model(3)
    with pytest.raises(ValueError, match="unknown model kind"):
        lt.build_model({"kind": "rnn"})


def test_one_model_registry_for_names_and_specs():
    """train.build_model is configs.build_model; a name and its spec dict build the same model."""
    from paperlib.bk import configs

    assert lt.build_model is configs.build_model
    kind, kw = configs.model_kwargs("table5_baseline", vocab_size=64, d_model=16, n_layers=1, seq_len=32)
    a = configs.build_model("table5_baseline", vocab_size=64, d_model=16, n_layers=1, seq_len=32)
    b = configs.build_model({"kind": kind, **kw})
    assert type(a) is type(b) and lt.count_params(a) == lt.count_params(b)
    specs = configs.ablation_specs(64, 16, 1, 32, 2, 0.01)
    assert set(specs) == {"full", "no_prime_bump", "no_scattering", "no_lap", "act", "pb_potential",
                          "random_potential", "optimized", "transformer"}
    for spec in specs.values():
        assert lt.count_params(configs.build_model(spec)) > 0


# ------------------------------------------------------------------------------ untrained perplexity

@pytest.mark.parametrize("sigma", [0.0, 0.3, 1.0])
def test_expected_untrained_ppl_matches_monte_carlo(sigma):
    g = torch.Generator().manual_seed(0)
    v, n = 5000, 1000
    logits = sigma * torch.randn(n, v, generator=g, dtype=torch.float64)
    # average the CE over all equally likely targets exactly (no target-sampling noise)
    ce = torch.logsumexp(logits, -1) - logits.mean(-1)
    mc = math.exp(ce.mean().item())
    assert ex.expected_untrained_ppl(v, sigma) == pytest.approx(mc, rel=0.02)


def test_expected_untrained_ppl_bad_input():
    with pytest.raises(ValueError):
        ex.expected_untrained_ppl(100, -1.0)
    with pytest.raises(TypeError):
        ex.expected_untrained_ppl(100.5)


def test_logit_stats_on_known_logits():
    torch.manual_seed(0)
    m = Bigram(50)
    with torch.no_grad():
        m.table.weight.normal_(0.0, 2.0)
    s = ex.logit_stats(m, torch.randint(0, 50, (4, 30)))
    assert s["logit_std"] == pytest.approx(2.0, rel=0.15)


# ------------------------------------------------------------------------------ generation and data

class CharTok:
    """A stand-in tokenizer: characters a..z map to ids 0..25."""

    class Enc:
        def __init__(self, ids):
            self.ids = ids

    def encode(self, text):
        return self.Enc([ord(c) - 97 for c in text if "a" <= c <= "z"])

    def decode(self, ids):
        return "".join(chr(97 + i) for i in ids)

    def get_vocab_size(self):
        return 26


def test_sample_text_is_seeded_and_decoded():
    torch.manual_seed(0)
    m = Bigram(26)
    a = lm.sample_text(m, CharTok(), "abc", max_new_tokens=10, seed=1)
    b = lm.sample_text(m, CharTok(), "abc", max_new_tokens=10, seed=1)
    assert a == b and a.startswith("abc") and len(a) == 13


def _fake_data_modules(monkeypatch, train, valid, test):
    data = types.ModuleType("paperlib.common.data")
    data.load_text = lambda name: types.SimpleNamespace(name="fake", train=train, valid=valid, test=test,
                                                        label="fake corpus")
    tok = types.ModuleType("paperlib.common.tokenize")
    seen = {}

    def train_tokenizer(texts, kind, vocab_size):
        seen["texts"] = texts
        return CharTok()

    tok.train_tokenizer = train_tokenizer
    monkeypatch.setitem(sys.modules, "paperlib.common.data", data)
    monkeypatch.setitem(sys.modules, "paperlib.common.tokenize", tok)
    return seen


def test_prepare_lm_data_split_rule_and_label(monkeypatch):
    seen = _fake_data_modules(monkeypatch, train="", valid="abcabc", test="xyz")
    d = lm_data.prepare_lm_data("wikitext-2")
    assert (d.train_split, d.eval_split) == ("valid", "test")
    assert "fit on its valid part, evaluated on its test part" in d.label
    assert seen["texts"] == ["abcabc"]  # tokenizer never sees evaluation text
    assert d.train.tolist() == [0, 1, 2, 0, 1, 2] and d.vocab_size == 26
    _fake_data_modules(monkeypatch, train="ab", valid="cd", test="ef")
    d2 = lm_data.prepare_lm_data("x")
    assert (d2.train_split, d2.eval_split) == ("train", "valid")
    _fake_data_modules(monkeypatch, train="", valid="", test="ef")
    with pytest.raises(ValueError, match="no usable"):
        lm_data.prepare_lm_data("x")


def test_init_output_difference_same_and_different_specs():
    spec = dict(kind="transformer", vocab_size=20, d_model=16, n_layers=1, n_heads=2, seq_len=8)
    x = torch.randint(0, 20, (2, 9), generator=torch.Generator().manual_seed(0))
    same = ex.init_output_difference(spec, spec, 0, x)
    assert same["max_logit_diff"] == 0.0 and same["loss_a"] == same["loss_b"]
    other = ex.init_output_difference(spec, {**spec, "ffn_mult": 2}, 0, x)
    assert other["max_logit_diff"] > 1e-3
    with pytest.raises(ValueError, match="shape"):
        ex.init_output_difference(spec, spec, 0, torch.zeros(9, dtype=torch.long))


def test_build_model_kinds_and_bench_memory_takes_a_spec():
    from paperlib.bk.bench import train_step_memory

    spec = dict(kind="transformer", vocab_size=30, d_model=16, n_layers=1, n_heads=2, seq_len=8)
    m = lt.build_model(spec)
    assert m(torch.zeros(1, 4, dtype=torch.long)).shape == (1, 4, 30)
    u = lt.build_model(dict(kind="ultra", vocab_size=30, d_model=16, n_layers=1, htt_rank=2, r_max=2,
                            gate_hidden=4, seq_len=8))
    assert u(torch.zeros(1, 4, dtype=torch.long)).shape == (1, 4, 30)
    out = train_step_memory(spec, batch=2, seq_len=8, stage="train")
    assert out["n_params"] == lt.count_params(m)
    assert out["param_mb"] == pytest.approx(out["n_params"] * 4 / 1024 ** 2)


def test_train_lm_uses_common_loop_batches():
    """train_lm's batches are common.lm.batches drawn from a generator seeded with cfg.seed."""
    v = 11
    stream = torch.randint(0, v, (400,), generator=torch.Generator().manual_seed(0))
    seen = []

    class Spy(Bigram):
        def forward(self, idx):
            if self.training:
                seen.append(idx.clone())
            return super().forward(idx)

    lt.train_lm(Spy(v), stream, lt.TrainConfig(steps=3, batch_size=2, seq_len=8, seed=5))
    ref = lm.batches(stream, 2, 8, torch.Generator().manual_seed(5))
    assert len(seen) == 3
    for got in seen:
        assert torch.equal(got, next(ref)[0])


def test_router_timings_report_spread():
    rt = ex.router_timings(8, 2, 2, 16, repeats=3)
    for k in ("mlp", "scattering", "scattering+G", "gphase"):
        assert rt[k].median > 0 and rt[k].repeats == 3
    assert rt["mlp_gate_params"] == 8 * 2 + 2
    r = rt["ratio"]
    assert r["n"] == 3 and r["q1"] <= r["median"] <= r["q3"]


def test_interleaved_times_rotate_and_pair():
    """Every callable is called warmup + rounds x calls times, in an order that rotates between rounds; the
    paired ratio is taken round by round."""
    order = []
    fns = {k: (lambda k=k: order.append(k)) for k in "abc"}
    times = ex.interleaved_times(fns, 3, calls=2, warmup=1)
    assert order[:3] == list("abc") and order[3:] == list("aabbcc") + list("bbccaa") + list("ccaabb")
    assert all(len(t) == 3 for t in times.values())
    r = ex.paired_ratio({"a": [2.0, 4.0, 6.0], "b": [1.0, 1.0, 2.0]}, "a", "b")
    assert (r["q1"], r["median"], r["q3"], r["n"]) == (2.5, 3.0, 3.5, 3)


def test_potential_offset_reading_of_prime_bump():
    """potential_init: V_eps / random / zero offsets on the BK potential change the function (unlike the
    position-embedding reading) and leave every other weight of the same seed identical (paired variants)."""
    import paperlib
    from paperlib.bk.model import prime_bump_potential

    base = dict(kind="bk", vocab_size=20, d_model=16, n_layers=2, seq_len=16, router="scattering")
    models = {}
    for init in ("prime_bump", "random", "zero"):
        paperlib.seed_everything(0)
        models[init] = lt.build_model({**base, "potential_init": init})
    paperlib.seed_everything(0)
    plain = lt.build_model(base)
    assert lt.count_params(models["zero"]) == lt.count_params(plain) + 2 * 16
    from paperlib.bk.model import BKConfig, expected_params
    cfg = BKConfig(**{k: v for k, v in base.items() if k != "kind"}, potential_init="random")
    assert expected_params(cfg)["total"] == lt.count_params(models["random"])
    sd = {k: v for k, v in plain.state_dict().items()}
    for m in models.values():
        for k, t in m.state_dict().items():
            if "v_offset" not in k:
                assert torch.equal(t, sd[k]), k
    V = prime_bump_potential(16).float()
    assert torch.allclose(models["prime_bump"].blocks[1].v_offset, V)
    assert torch.count_nonzero(models["zero"].blocks[0].v_offset) == 0
    r = models["random"].blocks[0].v_offset.detach()
    assert not torch.equal(r, models["random"].blocks[1].v_offset.detach()) and r.std() > 0
    x = torch.randint(0, 20, (2, 16), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        assert (models["prime_bump"](x) - models["zero"](x)).abs().max() > 1e-3
    with pytest.raises(ValueError, match="potential_init"):
        lt.build_model({**base, "potential_init": "primes"})


def test_finding_words():
    assert ex.p_words(0.00217) == "p = 0.0022"
    assert ex.p_words(float("nan")).startswith("no p-value")
    assert ex.change_words(0.0962) == "9.6% higher"
    assert ex.change_words(-0.0962, down="better") == "9.6% better"
    assert ex.change_words(0.0) == "no different"
    assert ex.paired_pct([50.0, 100.0], [55.0, 90.0]) == pytest.approx([10.0, -10.0])
    with pytest.raises(ValueError):
        ex.paired_pct([1.0], [1.0, 2.0])
