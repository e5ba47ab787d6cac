"""paperlib.bk.quantize (BK-S23-QUANT's post-training fake quantization): against a float reference written
element by element, its error bound, what it rounds and what it leaves float."""
import math

import numpy as np
import pytest
import torch
import torch.nn as nn

from paperlib.bk import quantize as qz


def _reference(w: np.ndarray, bits: int) -> np.ndarray:
    """Per-row symmetric quantize-dequantize in plain Python floats (round half to even, as numpy/torch)."""
    q = 2 ** (bits - 1) - 1
    out = np.zeros_like(w, dtype=np.float64)
    for i, row in enumerate(w.astype(np.float64)):
        s = max(abs(float(x)) for x in row) / q
        if s == 0:
            continue
        for j, x in enumerate(row):
            out[i, j] = s * min(max(round(float(x) / s), -q), q)
    return out


@pytest.mark.parametrize("bits", [8, 4, 2])
def test_fake_quantize_matches_the_float_reference(bits):
    g = torch.Generator().manual_seed(bits)
    w = torch.randn(7, 13, generator=g, dtype=torch.float64) * torch.logspace(-3, 1, 7, dtype=torch.float64)[:, None]
    got = qz.fake_quantize(w, bits)
    np.testing.assert_allclose(got.numpy(), _reference(w.numpy(), bits), rtol=0, atol=1e-15)
    scale = w.abs().amax(1, keepdim=True) / qz.qmax(bits)
    assert torch.all((got - w).abs() <= scale / 2 + 1e-15)                    # at most half a level per element
    assert all(len(torch.unique(r)) <= 2 * qz.qmax(bits) + 1 for r in got)  # at most 2q+1 levels per row
    torch.testing.assert_close(qz.fake_quantize(got, bits), got)             # idempotent: already on the grid
    torch.testing.assert_close(got.abs().amax(1), w.abs().amax(1))           # each row's largest value is kept


def test_fake_quantize_edge_cases():
    assert qz.qmax(8) == 127 and qz.qmax(4) == 7
    w = torch.tensor([[0.0, 0.0, 0.0], [1.0, -0.5, 0.2]], dtype=torch.float32)
    out = qz.fake_quantize(w, 4)
    assert out.dtype == torch.float32 and torch.equal(out[0], torch.zeros(3))
    assert out[1].tolist() == pytest.approx([1.0, -4 / 7, 1 / 7])           # 0.5 * 7 = 3.5 -> 4 (half to even)
    for bad in (1, 17, 4.0, True):
        with pytest.raises(ValueError):
            qz.qmax(bad)
    with pytest.raises(ValueError):
        qz.fake_quantize(torch.ones(3), 8)
    with pytest.raises(ValueError):
        qz.fake_quantize(torch.tensor([[math.inf, 1.0]]), 8)


class _Toy(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(11, 8)
        self.attn = nn.MultiheadAttention(8, 2, batch_first=True)
        self.norm = nn.LayerNorm(8)
        self.head = nn.Linear(8, 11)
        self.offset = nn.Parameter(torch.randn(8))
        self.head.weight = self.emb.weight    # tied

    def forward(self, idx):
        x = self.emb(idx)
        x = x + self.attn(x, x, x, need_weights=False)[0]
        return self.head(self.norm(x) + self.offset)


def test_quantize_weights_rounds_weights_only_and_leaves_the_model():
    torch.manual_seed(0)
    m = _Toy()
    before = {k: v.clone() for k, v in m.state_dict().items()}
    q = qz.quantize_weights(m, 4)
    for k, v in m.state_dict().items():                       # the original is untouched
        assert torch.equal(v, before[k])
    sd = q.state_dict()
    for k in ("emb.weight", "attn.in_proj_weight", "attn.out_proj.weight", "head.weight"):
        torch.testing.assert_close(sd[k], qz.fake_quantize(before[k], 4))
    for k in ("attn.in_proj_bias", "attn.out_proj.bias", "norm.weight", "norm.bias", "head.bias", "offset"):
        assert torch.equal(sd[k], before[k])
    assert q.head.weight is q.emb.weight                        # still tied, quantized once
    n = sum(p.numel() for p in m.parameters())
    want = (11 * 8 + 3 * 8 * 8 + 8 * 8) / n
    assert qz.quantized_fraction(m) == pytest.approx(want)


def test_int8_keeps_the_function_and_ppl_under_quantization():
    torch.manual_seed(0)
    m = _Toy().eval()
    idx = torch.randint(0, 11, (2, 6))
    with torch.no_grad():
        ref, q8, q4 = m(idx), qz.quantize_weights(m, 8)(idx), qz.quantize_weights(m, 4)(idx)
    assert (q8 - ref).abs().max() < (q4 - ref).abs().max()     # coarser grid, larger error
    assert (q8 - ref).abs().max() < 0.05 * ref.abs().max()
    stream = torch.randint(0, 11, (200,))
    out = qz.ppl_under_quantization(m, stream, 8, 4, 5, bits=(8, 4))
    assert set(out) == {"float", 8, 4} and all(v > 1 for v in out.values())
    assert abs(out[8] / out["float"] - 1) < 0.05
