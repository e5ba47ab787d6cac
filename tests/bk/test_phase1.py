"""Tests for paperlib.bk.phase1 (HTT embedding, AR-SSM, low-rank FFN/head, optimized LM) and the Transformer baseline."""
import numpy as np
import pytest
import torch

from paperlib.bk.phase1 import (ARSSMLayer, HTTEmbedding, LowRankFFN, LowRankHead, UltraMemoryOptimizedLM, htt_factors,
                             lowrank_ffn_rank, lowrank_head_rank)
from paperlib.bk.transformer import TransformerLM


def test_htt_factors_cover_vocab_and_dim():
    for V, d in [(10_000, 512), (50257, 256), (7, 5), (1, 1)]:
        v1, v2, d1, d2 = htt_factors(V, d)
        assert v1 * v2 >= V and d1 * d2 >= d
    assert htt_factors(10_000, 512) == (100, 100, 23, 23)


def test_htt_matches_explicit_tensor_train_contraction():
    torch.manual_seed(0)
    emb = HTTEmbedding(37, 10, rank=3).double()
    c1, c2 = emb.core1.detach().numpy(), emb.core2.detach().numpy()
    v2, d1, d2 = emb.v2, emb.d1, emb.d2
    ref = np.zeros((37, 10))
    for tok in range(37):   # independent loop oracle: sum_r outer(core1[i1, r], core2[i2, r]), row-major, cropped
        i1, i2 = divmod(tok, v2)
        full = sum(np.outer(c1[i1, r], c2[i2, r]) for r in range(3)).reshape(d1 * d2)
        ref[tok] = full[:10]
    np.testing.assert_allclose(emb.dense_weight().detach().numpy(), ref, rtol=1e-12, atol=1e-14)
    idx = torch.randint(0, 37, (4, 6))
    np.testing.assert_allclose(emb(idx).detach().numpy(), ref[idx.numpy()], rtol=1e-12, atol=1e-14)


def test_htt_param_count_table10():
    emb = HTTEmbedding(10_000, 512, rank=4)
    assert sum(p.numel() for p in emb.parameters()) == HTTEmbedding.expected_params(10_000, 512, 4) == 18_400


def test_htt_rejects_float_ids():
    with pytest.raises(TypeError, match="integer"):
        HTTEmbedding(10, 4, 2)(torch.zeros(2, 3))


def _arssm_reference(layer, x):
    """Loop oracle of y_t = T(x)_t + out_proj( (sum_{s<=t} U(x_s) g_s) * V(x_t) g_t ), causal conv k=3."""
    x = x.detach().double()
    W = layer.conv.weight.detach().double()[:, 0, :]  # (d, k)
    b = layer.conv.bias.detach().double()
    B, T, d = x.shape
    k = W.shape[1]
    y = torch.zeros_like(x)
    with torch.no_grad():
        lay = layer.double()
        g = torch.sigmoid(lay.gate(x))
        U, V = lay.U(x) * g, lay.V(x) * g
        for bb in range(B):
            acc = torch.zeros(layer.r_max, dtype=torch.float64)
            for t in range(T):
                conv = b.clone()
                for j in range(k):  # tap j multiplies x_{t-(k-1)+j}
                    s = t - (k - 1) + j
                    if s >= 0:
                        conv += W[:, j] * x[bb, s]
                acc = acc + U[bb, t]
                y[bb, t] = conv + lay.out_proj(acc * V[bb, t])
    return y


def test_arssm_matches_loop_reference_and_is_causal():
    torch.manual_seed(1)
    layer = ARSSMLayer(8, r_max=3, gate_hidden=5).double()
    x = torch.randn(2, 7, 8, dtype=torch.float64)
    torch.testing.assert_close(layer(x), _arssm_reference(layer, x), rtol=1e-10, atol=1e-12)
    x2 = x.clone()
    x2[:, 4] += 1.0
    y1, y2 = layer(x), layer(x2)
    torch.testing.assert_close(y1[:, :4], y2[:, :4], rtol=0, atol=0)
    assert (y1[:, 4:] - y2[:, 4:]).abs().max() > 1e-6


def test_arssm_noncausal_leaks_future():
    torch.manual_seed(2)
    layer = ARSSMLayer(8, r_max=3, causal=False)
    x = torch.randn(1, 6, 8)
    x2 = x.clone()
    x2[:, 3] += 1.0
    assert (layer(x)[:, 2] - layer(x2)[:, 2]).abs().max() > 1e-6  # conv tap sees t+1


def test_arssm_param_count_and_bad_input():
    for d, r, h in [(512, 8, 128), (64, 4, None), (9, 2, 3)]:
        layer = ARSSMLayer(d, r_max=r, gate_hidden=h)
        assert sum(p.numel() for p in layer.parameters()) == ARSSMLayer.expected_params(d, r, h)
    with pytest.raises(ValueError, match="expects"):
        ARSSMLayer(8)(torch.randn(2, 3, 5))
    with pytest.raises(ValueError, match="r_max"):
        ARSSMLayer(8, r_max=0)


def test_lowrank_ranks_and_counts():
    assert lowrank_ffn_rank(512) == 8 and lowrank_ffn_rank(1024) == 16 and lowrank_ffn_rank(64) == 8
    assert lowrank_head_rank(512) == 4 and lowrank_head_rank(1024) == 8
    f, h = LowRankFFN(512), LowRankHead(512, 10_000)
    assert sum(p.numel() for p in f.parameters()) == LowRankFFN.expected_params(512) == 512 * 8 + 8 + 8 * 512 + 512
    assert sum(p.numel() for p in h.parameters()) == LowRankHead.expected_params(512, 10_000) == 512 * 4 + 4 + 4 * 10_000 + 10_000
    assert f(torch.randn(2, 3, 512)).shape == (2, 3, 512)
    assert h(torch.randn(2, 3, 512)).shape == (2, 3, 10_000)


def _check_causal(model, V, T=10, t=6):
    torch.manual_seed(3)
    idx = torch.randint(0, V, (2, T))
    idx2 = idx.clone()
    idx2[:, t] = (idx[:, t] + 1) % V
    model.eval()
    with torch.no_grad():
        a, b = model(idx), model(idx2)
    assert a.shape == (2, T, V)
    torch.testing.assert_close(a[:, :t], b[:, :t], rtol=0, atol=0)
    assert (a[:, t:] - b[:, t:]).abs().max() > 0


def test_ultra_model_shapes_causality_counts():
    m = UltraMemoryOptimizedLM(50, d_model=32, n_layers=2, htt_rank=2, r_max=4, gate_hidden=8, seq_len=16)
    _check_causal(m, 50)
    rows = UltraMemoryOptimizedLM.expected_params(50, 32, 2, 2, 4, 8)
    assert m.num_params() == rows["total"]


def test_ultra_checkpointing_same_gradients():
    torch.manual_seed(4)
    m1 = UltraMemoryOptimizedLM(40, d_model=16, n_layers=2, htt_rank=2, r_max=2, gate_hidden=4, seq_len=8)
    m2 = UltraMemoryOptimizedLM(40, d_model=16, n_layers=2, htt_rank=2, r_max=2, gate_hidden=4, seq_len=8,
                                checkpointing=True)
    m2.load_state_dict(m1.state_dict())
    idx = torch.randint(0, 40, (2, 8))
    for m in (m1, m2):
        m.train()
        m(idx).logsumexp(-1).sum().backward()
    for p1, p2 in zip(m1.parameters(), m2.parameters()):
        torch.testing.assert_close(p1.grad, p2.grad)


def test_transformer_counts_causality_generate():
    m = TransformerLM(30, d_model=16, n_layers=2, n_heads=4, seq_len=12)
    assert m.num_params() == TransformerLM.expected_params(30, 16, 2, 4, 12)["total"]
    _check_causal(m, 30)
    out = m.generate(torch.zeros(1, 2, dtype=torch.long), 5, top_k=3, generator=torch.Generator().manual_seed(0))
    assert out.shape == (1, 7) and int(out.max()) < 30
    with pytest.raises(ValueError, match="divisible"):
        TransformerLM(30, d_model=10, n_heads=4)


def test_table10_baseline_count_closed_form():
    # 5.12M + 18.91M + 5.13M (paper rounding), exact from nn.TransformerEncoderLayer
    assert TransformerLM.expected_params(10_000, 512, 6)["total"] == 29_164_304
