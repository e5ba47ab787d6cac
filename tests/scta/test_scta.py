"""Tests of paperlib.scta (model, losses, bench, memory, loss_cost) against independent oracles (float64 dense references,
brute-force expectations, direct formulas)."""
import itertools
import json
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlib import scta
from paperlib.common import lm
from paperlib.scta import (GRULM, NegativeSampler, SCTAConfig, chunked_linear_cross_entropy, evaluate_full_softmax,
                           parse_sharegpt, sample_negatives, sampled_softmax_loss, scta_loss)
from paperlib.scta import bench as scta_bench
from paperlib.scta import loss_cost, memory
from paperlib.scta.methods import method_label

torch.set_num_threads(1)


# ---------------------------------------------------------------------------------------- chunked CE
def _full_ce(h, W, b, y):
    logits = h @ W.t() + (b if b is not None else 0)
    return F.cross_entropy(logits, y)


@settings(max_examples=15, deadline=None)
@given(N=st.integers(1, 23), V=st.integers(2, 40), d=st.integers(1, 6), chunk=st.integers(1, 25),
       bias=st.booleans(), seed=st.integers(0, 10_000))
def test_own_chunked_ce_matches_full_ce_values_and_grads(N, V, d, chunk, bias, seed):
    g = torch.Generator().manual_seed(seed)
    h = torch.randn(N, d, dtype=torch.float64, generator=g, requires_grad=True)
    W = torch.randn(V, d, dtype=torch.float64, generator=g, requires_grad=True)
    b = torch.randn(V, dtype=torch.float64, generator=g, requires_grad=True) if bias else None
    y = torch.randint(0, V, (N,), generator=g)
    params = (h, W) + ((b,) if bias else ())
    l1 = chunked_linear_cross_entropy(h, W, y, b, chunk=chunk, impl="own")
    g1 = torch.autograd.grad(l1, params)
    l0 = _full_ce(h, W, b, y)
    g0 = torch.autograd.grad(l0, params)
    assert torch.allclose(l1, l0, rtol=1e-12, atol=1e-12)
    for a, c in zip(g1, g0):
        assert torch.allclose(a, c, rtol=1e-10, atol=1e-12)


def test_own_chunked_ce_gradcheck():
    g = torch.Generator().manual_seed(1)
    h = torch.randn(7, 3, dtype=torch.float64, generator=g, requires_grad=True)
    W = torch.randn(5, 3, dtype=torch.float64, generator=g, requires_grad=True)
    b = torch.randn(5, dtype=torch.float64, generator=g, requires_grad=True)
    y = torch.randint(0, 5, (7,), generator=g)
    assert torch.autograd.gradcheck(lambda h, W, b: chunked_linear_cross_entropy(h, W, y, b, 3, "own"), (h, W, b))


@pytest.mark.skipif(not scta.HAS_TORCH_LCE, reason="torch has no linear_cross_entropy")
def test_torch_linear_cross_entropy_path_matches_full_ce():
    g = torch.Generator().manual_seed(2)
    h = torch.randn(40, 6, dtype=torch.float64, generator=g, requires_grad=True)
    W = torch.randn(33, 6, dtype=torch.float64, generator=g, requires_grad=True)
    b = torch.randn(33, dtype=torch.float64, generator=g, requires_grad=True)
    y = torch.randint(0, 33, (40,), generator=g)
    l1 = chunked_linear_cross_entropy(h, W, y, b, chunk=8, impl="torch")
    g1 = torch.autograd.grad(l1, (h, W, b))
    l0 = _full_ce(h, W, b, y)
    g0 = torch.autograd.grad(l0, (h, W, b))
    assert torch.allclose(l1, l0, rtol=1e-10)
    for a, c in zip(g1, g0):
        assert torch.allclose(a, c, rtol=1e-8, atol=1e-12)


def test_chunked_ce_bad_inputs():
    h, W, y = torch.randn(4, 3), torch.randn(5, 3), torch.zeros(4, dtype=torch.long)
    with pytest.raises(ValueError, match="need h"):
        chunked_linear_cross_entropy(h, torch.randn(5, 2), y)
    with pytest.raises(ValueError, match="targets"):
        chunked_linear_cross_entropy(h, W, torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="chunk"):
        chunked_linear_cross_entropy(h, W, y, chunk=0)
    with pytest.raises(ValueError, match="impl"):
        chunked_linear_cross_entropy(h, W, y, impl="fast")


# ---------------------------------------------------------------------------------------- sampled softmax
@pytest.mark.parametrize("dist", ["uniform", "unigram"])
def test_sampled_softmax_log_q_is_unbiased_in_exp_space_brute_force(dist):
    """Enumerate every K-tuple drawn with replacement from q: E[exp(loss)] == exp(full CE) exactly."""
    V, K, d = 5, 3, 4
    g = torch.Generator().manual_seed(3)
    h = torch.randn(2, d, dtype=torch.float64, generator=g)
    W = torch.randn(V, d, dtype=torch.float64, generator=g)
    b = torch.randn(V, dtype=torch.float64, generator=g)
    y = torch.tensor([1, 4])
    counts = torch.tensor([5.0, 1.0, 2.0, 7.0, 3.0])
    sampler = NegativeSampler(V, dist, counts if dist == "unigram" else None)
    q = sampler.prob(torch.arange(V)).double()
    for row in range(2):
        hr, yr = h[row:row + 1], y[row:row + 1]
        expect = 0.0
        for tup in itertools.product(range(V), repeat=K):
            neg = torch.tensor(tup)
            p = float(torch.prod(q[neg]))
            loss = sampled_softmax_loss(hr, W[yr], b[yr], W[neg], b[neg], q[neg], K, neg[None] == yr[:, None])
            expect += p * math.exp(float(loss))
        ce = float(_full_ce(hr, W, b, yr))
        assert expect == pytest.approx(math.exp(ce), rel=1e-10)


def test_sampled_softmax_without_hit_removal_is_biased():
    """The check above can fail: without accidental-hit removal the expectation overshoots exp(CE)."""
    V, K = 4, 2
    g = torch.Generator().manual_seed(4)
    h = torch.randn(1, 3, dtype=torch.float64, generator=g)
    W = torch.randn(V, 3, dtype=torch.float64, generator=g)
    b = torch.zeros(V, dtype=torch.float64)
    y = torch.tensor([2])
    q = torch.full((V,), 1.0 / V, dtype=torch.float64)
    expect = sum(q[list(t)].prod().item() * math.exp(float(sampled_softmax_loss(
        h, W[y], b[y], W[list(t)], b[list(t)], q[list(t)], K, None))) for t in itertools.product(range(V), repeat=K))
    assert expect > math.exp(float(_full_ce(h, W, b, y))) * 1.01


# ---------------------------------------------------------------------------------------- SCTA loss
def _scta_direct(z, ep, en, tau, mask=None):
    """The paper's equation, one token at a time, in numpy float64."""
    out = []
    for t in range(z.shape[0]):
        zt = z[t] / np.linalg.norm(z[t])
        pos = np.exp(zt @ (ep[t] / np.linalg.norm(ep[t])) / tau)
        negs = en if en.ndim == 2 else en[t]
        s = 0.0
        for j, e in enumerate(negs):
            if mask is not None and mask[t, j]:
                continue
            s += np.exp(zt @ (e / np.linalg.norm(e)) / tau)
        out.append(-np.log(pos / (pos + s)))
    return float(np.mean(out))


@pytest.mark.parametrize("shared", [False, True])
def test_scta_loss_matches_direct_formula(shared):
    rng = np.random.default_rng(5)
    N, K, D, tau = 6, 4, 5, 0.07
    z, ep = rng.normal(size=(N, D)), rng.normal(size=(N, D))
    en = rng.normal(size=(K, D)) if shared else rng.normal(size=(N, K, D))
    mask = rng.random((N, K)) < 0.3 if shared else None
    got = scta_loss(torch.tensor(z), torch.tensor(ep), torch.tensor(en), tau,
                    torch.tensor(mask) if mask is not None else None)
    assert float(got) == pytest.approx(_scta_direct(z, ep, en, tau, mask), rel=1e-10)


def test_scta_loss_at_chance_is_log_k_plus_1():
    N, K, D = 3, 32, 8
    z = torch.randn(N, D, dtype=torch.float64)
    e = torch.ones(D, dtype=torch.float64)
    loss = scta_loss(z, e.expand(N, D), e.expand(K, D), 0.07)
    assert float(loss) == pytest.approx(math.log(K + 1), rel=1e-12)
    with pytest.raises(ValueError, match="tau"):
        scta_loss(z, e.expand(N, D), e.expand(K, D), 0.0)


# ---------------------------------------------------------------------------------------- sampling
def test_negative_sampling_options():
    g = torch.Generator().manual_seed(6)
    V, K = 50, 8
    y = torch.randint(0, V, (200,), generator=g)
    s = NegativeSampler(V)
    neg = sample_negatives(s, y, K, shared=False, replacement=True, exclude_positive=True, generator=g)
    assert neg.shape == (200, K) and not (neg == y[:, None]).any()
    neg = sample_negatives(s, y, K, shared=False, replacement=False, exclude_positive=True, generator=g)
    assert not (neg == y[:, None]).any()
    assert all(len(set(r.tolist())) == K for r in neg)
    neg = sample_negatives(s, y, K, shared=True, replacement=False, exclude_positive=True, generator=g)
    assert neg.shape == (K,) and len(set(neg.tolist())) == K
    # unigram: zero-count ids are never drawn; frequencies follow the counts
    counts = torch.zeros(V)
    counts[:5] = torch.tensor([1.0, 2.0, 3.0, 4.0, 10.0])
    u = NegativeSampler(V, "unigram", counts)
    draws = u.draw((20000,), "cpu", g)
    assert draws.max() < 5
    freq = torch.bincount(draws, minlength=5)[:5].double() / 20000
    assert torch.allclose(freq, counts[:5].double() / 20, atol=0.02)
    with pytest.raises(ValueError, match="distinct"):
        sample_negatives(NegativeSampler(4), y[:3] % 4, 4, shared=False, replacement=False, exclude_positive=True)
    with pytest.raises(ValueError, match="distribution"):
        NegativeSampler(V, "zipf")
    with pytest.raises(ValueError, match="counts"):
        NegativeSampler(V, "unigram")


def test_without_replacement_is_uniform_over_subsets():
    """First-K-distinct draws: every id equally likely to be included (checks no bias toward small ids)."""
    g = torch.Generator().manual_seed(7)
    V, K = 10, 3
    y = torch.zeros(20000, dtype=torch.long)
    neg = sample_negatives(NegativeSampler(V), y, K, shared=False, replacement=False, exclude_positive=True,
                           generator=g)
    freq = torch.bincount(neg.reshape(-1), minlength=V).double() / neg.shape[0]
    assert freq[0] == 0
    assert torch.allclose(freq[1:], torch.full((V - 1,), K / (V - 1), dtype=torch.float64), atol=0.02)


# ---------------------------------------------------------------------------------------- sparse vs dense
@pytest.mark.parametrize("method", ["scta", "sampled", "ce"])
def test_sparse_and_dense_gradients_agree(method):
    grads = []
    for sparse in (False, True):
        torch.manual_seed(8)
        m = GRULM(SCTAConfig(V=300, method=method, emb_dim=8, hidden=16, d_sem=4, K=5, sparse=sparse)).double()
        g = torch.Generator().manual_seed(9)
        x = torch.randint(0, 300, (2, 5), generator=g)
        y = torch.randint(0, 300, (2, 5), generator=g)
        m.loss(x, y, generator=torch.Generator().manual_seed(10)).backward()
        grads.append({n: (p.grad.to_dense() if p.grad.is_sparse else p.grad) for n, p in m.named_parameters()})
    assert grads[0].keys() == grads[1].keys()
    for n in grads[0]:
        assert torch.allclose(grads[0][n], grads[1][n], rtol=1e-10, atol=1e-12), n
    if method != "ce":
        assert any(p.grad is None or p.grad.is_sparse for p in m.parameters())


def test_optimizers_split_sparse_and_dense():
    m = GRULM(SCTAConfig(V=100, method="scta", emb_dim=8, hidden=8, d_sem=4, K=3, sparse=True))
    opts = scta.make_optimizers(m)
    kinds = sorted(type(o).__name__ for o in opts)
    assert kinds == ["AdamW", "SparseAdam"]
    x = torch.randint(0, 100, (2, 4))
    before = m.E_sem.weight.detach().clone()
    scta.train_step(m, opts, x, x)
    changed = (m.E_sem.weight.detach() != before).any(1)
    assert 0 < int(changed.sum()) < 100  # only the touched rows moved


def test_config_bad_inputs():
    with pytest.raises(ValueError, match="method"):
        SCTAConfig(V=10, method="softmax").validate()
    with pytest.raises(ValueError, match="tau"):
        SCTAConfig(V=10, tau=-1.0).validate()
    with pytest.raises(ValueError, match="K"):
        SCTAConfig(V=10, K=0).validate()
    with pytest.raises(ValueError, match="sampling"):
        SCTAConfig(V=10, sampling="zipf").validate()


# ---------------------------------------------------------------------------------------- evaluation / stage 2
def test_full_softmax_evaluation_matches_direct_computation():
    torch.manual_seed(11)
    m = GRULM(SCTAConfig(V=40, method="ce", emb_dim=8, hidden=8))
    x = torch.randint(0, 40, (5, 6))
    y = torch.randint(0, 40, (5, 6))
    r = evaluate_full_softmax(m, x, y, batch=2, chunk=7)
    with torch.no_grad():
        logits = m.W_tok(m.hidden_states(x)).reshape(-1, 40)
    t = y.reshape(-1)
    assert r["loss"] == pytest.approx(float(F.cross_entropy(logits, t)), rel=1e-5)
    assert r["top1"] == pytest.approx(float((logits.argmax(1) == t).double().mean()))
    assert r["top5"] == pytest.approx(float((logits.topk(5, 1).indices == t[:, None]).any(1).double().mean()))
    s = GRULM(SCTAConfig(V=40, method="scta", emb_dim=8, hidden=8, d_sem=4, K=3))
    with pytest.raises(ValueError, match="Stage 2"):
        evaluate_full_softmax(s, x, y)
    assert evaluate_full_softmax(s, x, y, head="semantic")["tokens"] == 30
    scta.add_token_head(s, init="semantic")
    assert evaluate_full_softmax(s, x, y)["tokens"] == 30


def test_stage2_head_only_freezes_backbone_and_lowers_loss():
    torch.manual_seed(12)
    g = torch.Generator().manual_seed(12)
    m = GRULM(SCTAConfig(V=30, method="scta", emb_dim=8, hidden=16, d_sem=4, K=3))
    ids = torch.arange(300) % 7  # a deterministic cycle: learnable
    before = {n: p.detach().clone() for n, p in m.named_parameters()}
    out = scta.train_stage2(m, lm.batches(ids, 4, 8, g), steps=40, mode="head", lr=3e-2)
    assert out["losses"][-1] < out["losses"][0]
    for n, p in m.named_parameters():
        if not n.startswith("W_tok"):
            assert torch.equal(p, before[n]), n
    with pytest.raises(ValueError, match="mode"):
        scta.train_stage2(m, lm.batches(ids, 4, 8, g), steps=1, mode="tail")


def test_stage2_full_trains_the_backbone_with_make_optimizers_split():
    torch.manual_seed(13)
    g = torch.Generator().manual_seed(13)
    m = GRULM(SCTAConfig(V=30, method="scta", emb_dim=8, hidden=16, d_sem=4, K=3, sparse=True))
    ids = torch.arange(300) % 7
    before = {n: p.detach().clone() for n, p in m.named_parameters()}
    out = scta.train_stage2(m, lm.batches(ids, 4, 8, g), steps=3, mode="full", lr=3e-2, backbone_lr=3e-2,
                            eval_fn=lambda model: {"ok": 1}, eval_every=2)
    assert len(out["losses"]) == 3 and [e["step"] for e in out["evals"]] == [2, 3]
    assert out["evals"][0]["train_s"] <= out["evals"][1]["train_s"] <= out["train_s"]  # cumulative training time
    changed = {n for n, p in m.named_parameters() if n in before and not torch.equal(p, before[n])}
    assert {"emb.weight", "gru.weight_hh_l0"} <= changed  # sparse (SparseAdam) and dense (AdamW) backbone


# ---------------------------------------------------------------------------------------- data
def test_sharegpt_parser(tmp_path):
    data = [{"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"},
                               {"from": "human", "value": "how?"}, {"from": "gpt", "value": "fine"}]},
            {"conversations": [{"from": "gpt", "value": "lonely"}]}]
    assert parse_sharegpt(data) == ["hi\nhello", "how?\nfine"]
    f = tmp_path / "sg.json"
    f.write_text(json.dumps(data))
    assert parse_sharegpt(f) == parse_sharegpt(str(f)) == parse_sharegpt(json.dumps(data))
    with pytest.raises(ValueError, match="not found"):
        parse_sharegpt(tmp_path / "missing.json")
    with pytest.raises(ValueError, match="valid JSON"):
        parse_sharegpt("[{bad")
    with pytest.raises(TypeError, match="list"):
        parse_sharegpt({"conversations": []})
    with pytest.raises(ValueError, match="conversations"):
        parse_sharegpt([{"messages": []}])
    with pytest.raises(ValueError, match="'from' and 'value'"):
        parse_sharegpt([{"conversations": [{"role": "user"}]}])
    with pytest.raises(TypeError, match="string"):
        parse_sharegpt([{"conversations": [{"from": "human", "value": 3}]}])


def test_encode_texts_pads_the_output_space_and_separates_sequences():
    tokenizers = pytest.importorskip("tokenizers")
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace

    vocab = {"[UNK]": 0, "hi": 1, "there": 2, "bye": 3}
    tok = tokenizers.Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = Whitespace()
    c = scta.encode_texts(["hi there", "bye"], tok, V=10)
    assert c.ids.tolist() == [1, 2, 4, 3, 4]  # EOS = 4, one past the tokenizer's ids
    assert (c.V, c.tokenizer_vocab, c.ids_occurring) == (10, 5, 4)
    with pytest.raises(ValueError, match="smaller"):
        scta.encode_texts(["hi"], tok, V=4)


# ---------------------------------------------------------------------------------------- bench
def test_oom_becomes_a_row_and_other_errors_propagate():
    def fake(exc):
        def step():
            raise exc
        return step

    excs = [MemoryError("cannot allocate"), MemoryError(), RuntimeError("CUDA out of memory. Tried to allocate 4 GiB")]
    if hasattr(torch, "OutOfMemoryError"):
        excs.append(torch.OutOfMemoryError("CUDA out of memory"))
    for exc in excs:
        row = scta_bench.run_as_row(fake(exc), method="ce", V=10 ** 6)
        assert row["status"] == "oom" and row["V"] == 10 ** 6 and "memory" in row["reason"].lower()
    with pytest.raises(RuntimeError, match="shape"):
        scta_bench.run_as_row(fake(RuntimeError("shape mismatch")))
    assert scta_bench.run_as_row(lambda: {"step_s": 1.0})["status"] == "ok"


def test_bench_step_tiny_runs_and_sweep_speedups():
    rows = [scta_bench.bench_step(m, V=500, batch=2, seq_len=8, steps=1, warmup=1, emb_dim=8, hidden=8, d_sem=4,
                                  K=3, sparse=sp) for m, sp in [("ce", False), ("scta", True)]]
    assert all(r["status"] == "ok" for r in rows)
    for r in rows:  # throughputs are the median step time's, and the paper run is 2,500 such steps at batch 16
        assert r["tokens_per_s"] == pytest.approx(2 * 8 / r["step_s"])
        assert r["examples_per_s"] == pytest.approx(r["tokens_per_s"] / 8)
        assert r["step_s_min"] <= r["step_s"] and r["paper_run_s"] == pytest.approx(r["step_s"] * 40_000 / 2)
    import pandas as pd

    df = pd.DataFrame(rows + [{"method": "ce", "V": 900, "sparse": False, "status": "oom", "step_s": None},
                              {"method": "scta", "V": 900, "sparse": True, "status": "ok", "step_s": 0.5}])
    df["label"] = [method_label(m, s) for m, s in zip(df["method"], df["sparse"])]
    sp = scta_bench.speedup_table(df)
    assert sp[(sp.V == 900) & (sp.label == "SCTA sparse")]["speedup_vs_ce"].iloc[0] == math.inf
    s500 = sp[(sp.V == 500) & (sp.label == "SCTA sparse")]["speedup_vs_ce"].iloc[0]
    assert s500 == pytest.approx(rows[0]["step_s"] / rows[1]["step_s"])
    assert math.isnan(sp[(sp.V == 900) & (sp.label == "CE (full logits) dense")]["speedup_vs_ce"].iloc[0])


def test_scaling_exponent_and_memory_model():
    V = np.array([1e3, 1e4, 1e5])
    assert scta_bench.scaling_exponent(V, 3 * V ** 0.7) == pytest.approx(0.7)
    ce = memory.analytic_memory("ce", 10 ** 6)
    ch = memory.analytic_memory("chunked", 10 ** 6, chunk=64)
    sc = memory.analytic_memory("scta", 10 ** 6, sparse=True)
    assert ce["total_gib"] > ch["total_gib"] > sc["total_gib"]
    # logits buffer of full CE: 3 copies of (16*64) x 1e6 fp32
    assert ce["logits_gib"] == pytest.approx(3 * 1024 * 1e6 * 4 / 1024 ** 3)


def test_split_texts_dedupes_and_is_disjoint():
    texts = ["a\nb"] * 50 + [f"q{i}\nr{i}" for i in range(20)]
    tr, va = scta.split_texts(texts, 0.2, seed=1)
    assert len(tr) + len(va) == 21 and not set(tr) & set(va)
    assert scta.split_texts(texts, 0.2, seed=1) == (tr, va)
    with pytest.raises(ValueError, match="valid_fraction"):
        scta.split_texts(texts, 1.5)
    with pytest.raises(ValueError, match="two distinct"):
        scta.split_texts(["x"] * 3)


def test_quality_run_scta_with_stage2_counts_stage2_time():
    ids = torch.arange(400) % 11
    r = scta.quality_run("scta", ids, ids[:100], V=20, steps=4, stage2_steps=3, batch=2, seq_len=8, eval_every=2,
                         n_eval=4, emb_dim=8, hidden=8, d_sem=4, K=3)
    phases = [c["phase"] for c in r["curve"]]
    assert phases[-1] == "stage2" and "stage1" in phases
    assert r["curve"][-1]["train_s"] >= r["stage1_s"] and r["final"]["step"] == 7


def test_step_time_and_memory_tables():
    import pandas as pd

    df = pd.DataFrame([dict(label="A", V=10, status="ok", step_s=0.5), dict(label="A", V=20, status="oom", step_s=None)])
    assert scta_bench.step_time(df, "A", 10) == 0.5
    assert math.isnan(scta_bench.step_time(df, "A", 20)) and math.isnan(scta_bench.step_time(df, "B", 10))
    shape = dict(emb_dim=16, hidden=16, d_sem=8, K=4)
    paper = memory.analytic_memory_table([100_000, 1_000_000], [("ce", False), ("scta", True)], chunk=64, **shape)
    ce = paper[paper.label == "CE (full logits) dense"].total_gib.tolist()
    assert len(paper) == 4 and ce[1] > ce[0] > 0
    # CUDA rows come from the sweep's own measurements; nothing is measured again
    cuda = pd.DataFrame([dict(method="ce", V=1000, sparse=False, label="CE (full logits) dense", status="ok",
                              peak_mem_mb=12.0)])
    t = scta_bench.memory_table([("ce", False)], device_type="cuda", results=cuda, batch=2, seq_len=8, **shape)
    assert t.measured_mib.tolist() == [12.0] and t.analytic_mib.iloc[0] > 0
    assert scta_bench.memory_table([("ce", False)], device_type="cpu", V=None, batch=2, seq_len=8, **shape).empty


def test_loss_work_scta_flat_in_v_ce_linear():
    kw = dict(N=16, hidden=8, d_sem=4, K=3)
    assert loss_cost.loss_work("scta", 1000, **kw) == pytest.approx(loss_cost.loss_work("scta", 64000, **kw),
                                                                     rel=0.01)
    w1, w2, w4 = (loss_cost.loss_work("ce", V, **kw) for V in (1000, 2000, 4000))
    assert (w4 - w2) == 2 * (w2 - w1)  # exactly linear in V
    with pytest.raises(ValueError, match="ce\\|chunked\\|scta"):
        loss_cost.loss_work("sampled", 100, **kw)


def test_paired_ratios_interleave_and_pair_rounds():
    rows, ratios = scta_bench.paired_ratios(300, [("scta", False), ("scta", True)], batch=2, seq_len=4, steps=1,
                                            repeats=3, emb_dim=8, hidden=8, d_sem=4, K=3, n_types=50)
    assert len(rows) == 9 and {r["round"] for r in rows} == {0, 1, 2}
    assert [r["label"] for r in rows[:3]] != [r["label"] for r in rows[3:6]]  # the order rotates
    base = {r["round"]: r["step_s"] for r in rows if r["label"] == "CE (full logits) dense"}
    for label in ("SCTA dense", "SCTA sparse"):
        t = {r["round"]: r["step_s"] for r in rows if r["label"] == label}
        assert ratios[label] == pytest.approx([base[k] / t[k] for k in range(3)])
    with pytest.raises(ValueError):
        scta_bench.paired_ratios(300, [("scta", False)], repeats=0)


def test_complexity_claim_composes_the_rule_from_notebook_20s_tables():
    """The verdict notebook 20 records: exponents of the operation count decide, the wall-clock ones ride along;
    identical to calling the rule with the exponents fitted by hand."""
    import pandas as pd

    from paperlib.scta import verdicts

    Vs = [1000, 4000, 16000]
    work = pd.DataFrame([{"method": "ce", "V": V, "elements": 10 * V} for V in Vs[:2]]
                        + [{"method": "scta", "V": V, "elements": 5000} for V in Vs])
    cost = pd.DataFrame([{"method": m, "V": V, "seconds": t} for m, f in (("ce", lambda V: 1e-6 * V),
                                                                           ("chunked", lambda V: 2e-6 * V),
                                                                           ("scta", lambda V: 1e-3))
                         for V in Vs for t in [f(V)]])
    assert loss_cost.exponents(work, "elements") == pytest.approx({"ce": 1.0, "scta": 0.0}, abs=1e-12)
    assert set(loss_cost.exponents(cost, "seconds")) == {"ce", "chunked", "scta"}
    got = loss_cost.complexity_claim(work, cost)
    want = verdicts.scta_complexity(work_exponent=0.0, work_exponent_ce=1.0, time_exponent=0.0, time_exponent_ce=1.0,
                                    V_range=(1000, 16000))
    assert (got.claim, got.verdict) == ("SCTA-COMPLEXITY", "reproduced")
    assert got.measured == want.measured and "V=1,000..16,000" in got.measured
    # a loss whose count grows like CE's is not O(K D_sem)
    grows = work.assign(elements=lambda d: d["V"] * 3)
    assert loss_cost.complexity_claim(grows, cost).verdict == "not-reproduced"
