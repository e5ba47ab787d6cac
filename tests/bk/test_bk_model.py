"""Tests for paperlib.bk.model (ResNet-BK LM, scattering router, ACT, Prime-Bump) and paperlib.bk.configs."""
import math

import numpy as np
import pytest
import torch

from paperlib.bk.model import (BKConfig, ResNetBKLM, act_halting_prob, expected_params, free_prefix_trace,
                               prime_bump_potential, causal_prefix_phase)
from paperlib.bk import configs as bk_configs

V = 40


def _cfg(**kw):
    base = dict(vocab_size=V, d_model=16, n_layers=2, seq_len=12)
    base.update(kw)
    return BKConfig(**base)


VARIANTS = [dict(), dict(router="scattering"), dict(router="scattering_gphase"), dict(router="none"),
            dict(act=True), dict(router="scattering", act=True), dict(embedding="htt", htt_rank=2),
            dict(mixer="arssm"), dict(mixer="bk+arssm", embedding="htt"), dict(ffn="lowrank", head="lowrank"),
            dict(prime_bump_init=True)]


@pytest.mark.parametrize("kw", VARIANTS, ids=[str(k) or "default" for k in VARIANTS])
def test_shapes_counts_causality(kw):
    torch.manual_seed(0)
    cfg = _cfg(**kw)
    m = ResNetBKLM(cfg).double().eval()   # float64: expert batches of different size round differently in fp32
    assert m.num_params() == expected_params(cfg)["total"]
    idx = torch.randint(0, V, (2, 10))
    idx2 = idx.clone()
    t = 6
    idx2[:, t] = (idx[:, t] + 3) % V
    with torch.no_grad():
        a, b = m(idx), m(idx2)
    assert a.shape == (2, 10, V) and torch.isfinite(a).all()
    torch.testing.assert_close(a[:, :t], b[:, :t], rtol=0, atol=1e-12)   # nothing before t may change
    assert (a[:, t:] - b[:, t:]).abs().max() > 1e-4
    util = m.aux["router_util"]
    if cfg.ffn == "moe":
        assert util.shape == (cfg.n_layers, cfg.n_experts)
        torch.testing.assert_close(util.sum(-1), torch.ones(cfg.n_layers, dtype=util.dtype))
    assert 0.0 < m.aux["act_flops_fraction"] <= 1.0


def test_two_sided_bk_is_not_causal():
    """The check above can fail: the two-sided G_ii sees later tokens."""
    torch.manual_seed(0)
    m = ResNetBKLM(_cfg(causal=False)).eval()
    idx = torch.randint(0, V, (1, 10))
    idx2 = idx.clone()
    idx2[:, 7] = (idx[:, 7] + 1) % V
    with torch.no_grad():
        assert (m(idx)[:, :7] - m(idx2)[:, :7]).abs().max() > 0


def test_gradients_flow_to_all_parameters():
    torch.manual_seed(1)
    m = ResNetBKLM(_cfg(mixer="bk+arssm")).train()
    idx = torch.randint(0, V, (2, 12))
    logits = m(idx)
    loss = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, V), idx[:, 1:].reshape(-1))
    (loss + 0.01 * m.aux["balance_loss"]).backward()
    missing = [n for n, p in m.named_parameters() if p.grad is None or not torch.isfinite(p.grad).all()]
    # experts that received no token in this batch legitimately have no gradient
    missing = [n for n in missing if ".experts." not in n]
    assert not missing, missing
    assert m.blocks[0].v_proj.weight.grad.abs().sum() > 0   # the BK potential path is trained


def test_checkpointing_same_gradients():
    torch.manual_seed(2)
    m1 = ResNetBKLM(_cfg())
    m2 = ResNetBKLM(_cfg(checkpointing=True))
    m2.load_state_dict(m1.state_dict())
    idx = torch.randint(0, V, (2, 12))
    for m in (m1, m2):
        m.train()
        m(idx).logsumexp(-1).mean().backward()
    for p1, p2 in zip(m1.parameters(), m2.parameters()):
        if p1.grad is not None:
            torch.testing.assert_close(p1.grad, p2.grad)


def test_generate_deterministic_with_generator():
    torch.manual_seed(3)
    m = ResNetBKLM(_cfg())
    idx = torch.randint(0, V, (2, 3))
    a = m.generate(idx, 4, temperature=0.8, top_k=5, generator=torch.Generator().manual_seed(7))
    b = m.generate(idx, 4, temperature=0.8, top_k=5, generator=torch.Generator().manual_seed(7))
    assert a.shape == (2, 7) and torch.equal(a, b) and torch.equal(a[:, :3], idx)
    g = m.generate(idx[:1], 11, temperature=0)   # longer than seq_len: context is cropped
    assert g.shape == (1, 14)


def _dense_free_resolvent(n, zeta):
    H0 = np.diag(-2.0 * np.ones(n)) + np.diag(np.ones(n - 1), 1) + np.diag(np.ones(n - 1), -1)
    return np.linalg.inv(H0 - zeta * np.eye(n))


@pytest.mark.parametrize("zeta", [1j, 0.3 + 0.7j, -1.5 + 0.05j])
def test_scattering_phase_matches_dense_det2(zeta):
    torch.manual_seed(4)
    v = torch.randn(2, 14, dtype=torch.float64)
    tr = free_prefix_trace(v, zeta)
    ph = causal_prefix_phase(v, None, zeta)
    ph_det = causal_prefix_phase(v, None, zeta, regularized=False)
    for b in range(2):
        for i in range(14):
            n = i + 1
            K = _dense_free_resolvent(n, zeta) @ np.diag(v[b, :n].numpy())
            t_ref = np.trace(K)
            det = np.linalg.det(np.eye(n) + K)
            assert abs(tr[b, i].item() - t_ref) < 1e-10 * max(1.0, abs(t_ref))
            wrap = lambda x: (x + math.pi) % (2 * math.pi) - math.pi
            assert abs(wrap(ph[b, i].item() - np.angle(det * np.exp(-t_ref)))) < 1e-8
            assert abs(wrap(ph_det[b, i].item() - np.angle(det))) < 1e-8


def test_act_halting_prob_eq10():
    d = torch.tensor([0.0, 0.1, -0.19, 0.5, -0.5, 0.81, 3.0, 2 * math.pi + 0.1])
    p = act_halting_prob(d)
    expected = torch.tensor([1.0, 1.0, 1.0, torch.sigmoid(torch.tensor(0.5)).item(),
                             torch.sigmoid(torch.tensor(0.5)).item(), 0.0, 0.0, 1.0])
    torch.testing.assert_close(p, expected)


def test_prime_bump_potential_formula():
    n, eps, kmax = 30, 0.7, 3
    V_ = prime_bump_potential(n, eps, kmax).numpy()
    primes = [p for p in range(2, n) if all(p % q for q in range(2, int(p ** 0.5) + 1))]
    ref = np.zeros(n)
    for x in range(n):
        for p in primes:
            for k in range(1, kmax + 1):
                ref[x] += math.log(p) / p ** (k * (0.5 + eps)) * eps ** -0.5 * math.exp(-(x - math.log(p)) ** 2 / (2 * eps))
    np.testing.assert_allclose(V_, ref, rtol=1e-12)
    m0 = ResNetBKLM(_cfg())
    torch.manual_seed(5); a = ResNetBKLM(_cfg(prime_bump_init=False))
    torch.manual_seed(5); b = ResNetBKLM(_cfg(prime_bump_init=True))
    diff = (b.pos_emb.weight - a.pos_emb.weight).detach()
    torch.testing.assert_close(diff, 0.02 * prime_bump_potential(12).float()[:, None].expand_as(diff))
    del m0


@pytest.mark.parametrize("bad, exc", [
    (dict(router="magic"), ValueError), (dict(mixer="attn"), ValueError), (dict(d_model=0), ValueError),
    (dict(n_layers=2.0), TypeError), (dict(z=1.0), ValueError), (dict(mixer="arssm", router="scattering"), ValueError),
    (dict(mixer="arssm", act=True), ValueError), (dict(act_low=0.9, act_high=0.1), ValueError),
    (dict(dropout=1.5), ValueError)])
def test_bad_config(bad, exc):
    with pytest.raises(exc):
        _cfg(**bad)


def test_bad_input():
    m = ResNetBKLM(_cfg())
    with pytest.raises(TypeError, match="integer"):
        m(torch.zeros(1, 4))
    with pytest.raises(ValueError, match="shape"):
        m(torch.zeros(4, dtype=torch.long))
    with pytest.raises(ValueError, match="token ids"):
        m(torch.full((1, 4), V, dtype=torch.long))
    with pytest.raises(ValueError, match="exceeds seq_len"):
        m(torch.zeros(1, 13, dtype=torch.long))
    with pytest.raises(TypeError, match="BKConfig"):
        ResNetBKLM({"vocab_size": 3})


def test_named_configs_closed_form_matches_built_models():
    for name in ("table10_baseline", "table10_optimized", "table5_baseline", "table5_phase1"):
        model = bk_configs.build_model(name)
        assert model.num_params() == bk_configs.expected_param_rows(name)["total"], name
    built, closed = bk_configs.table10_rows(build=True), bk_configs.table10_rows(build=False)
    assert [r["optimized"] for r in built] == [r["optimized"] for r in closed]
    with pytest.raises(ValueError, match="unknown configuration"):
        bk_configs.build_model("table99")


@pytest.mark.parametrize("true_model, f", [("O(N)", lambda n: n), ("O(N log N)", lambda n: n * np.log2(n)),
                                           ("O(N^2)", lambda n: n ** 2)])
def test_fit_complexity_recovers_synthetic_scaling(true_model, f):
    from paperlib.bk.bench import fit_complexity
    rng = np.random.default_rng(0)
    N = np.repeat(2 ** np.arange(8, 15), 3).astype(float)
    t = (1e-6 * f(N) + 1e-4) * np.exp(0.02 * rng.standard_normal(len(N)))
    df = fit_complexity(N, t).set_index("model")
    basis = df.loc[["O(N)", "O(N log N)", "O(N^2)"]]
    assert basis["bic"].idxmin() == true_model
    with pytest.raises(ValueError, match="at least"):
        fit_complexity([1, 2], [1, 2])


def test_train_step_memory_and_throughput_run():
    from paperlib.bk.bench import train_step_memory, train_throughput
    ov = dict(vocab_size=50, d_model=16, n_layers=1, seq_len=16)
    r = train_step_memory("table5_baseline", batch=1, stage="train", overrides=ov)
    assert r["n_params"] > 0 and np.isfinite(r["loss"])
    tp = train_throughput("table10_optimized", batch=1, steps=1, warmup=0,
                          overrides=dict(vocab_size=50, d_model=16, n_layers=1, gate_hidden=4, seq_len=16))
    assert tp["train_tokens_per_s"] > 0
    with pytest.raises(ValueError, match="precision"):
        train_step_memory("table5_baseline", precision="int8", overrides=ov)


def test_prime_bump_torch_view_is_the_numpy_implementation():
    """One Prime-Bump potential: the model's torch tensor equals prime_bump's numpy values exactly."""
    from paperlib.bk import prime_bump as pb
    from paperlib.bk.model import prime_bump_potential

    for n, eps, kmax in ((64, 1.0, 3), (257, 0.3, 2), (5, 2.0, 1)):
        t = prime_bump_potential(n, eps, kmax)
        assert t.dtype == torch.float64
        assert np.array_equal(t.numpy(), pb.integer_grid_potential(n, eps, kmax))
    assert torch.equal(prime_bump_potential(2), torch.zeros(2, dtype=torch.float64))
    with pytest.raises(ValueError, match="eps"):
        prime_bump_potential(2, eps=0.0)
