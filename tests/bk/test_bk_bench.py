"""paperlib.bk.bench's operation counter against closed forms, and its input checks."""
import pytest
import torch
import torch.nn.functional as F

from paperlib.bk import bench


def test_count_ops_closed_forms():
    a, b = torch.randn(3, 5), torch.randn(5, 7)
    assert bench.count_ops(lambda: torch.mm(a, b))["matmul"] == 2 * 3 * 5 * 7
    x, w = torch.randn(2, 4, 10), torch.randn(4, 1, 3)                     # depthwise conv1d, k = 3
    c = bench.count_ops(lambda: F.conv1d(x, w, groups=4))
    assert c["conv"] == 2 * (2 * 4 * 8) * 3
    q, k = torch.randn(1, 2, 6, 4), torch.randn(1, 2, 9, 4)
    att = bench.count_ops(lambda: F.scaled_dot_product_attention(q, k, k))
    assert att["attention"] + att["matmul"] >= 4 * 2 * 6 * 9 * 4              # Q K^T and A V, fused or not
    y = torch.randn(4, 6)
    e = bench.count_ops(lambda: (y + 1).view(24))                            # the view is free
    assert e == {"matmul": 0, "conv": 0, "attention": 0, "elementwise": 24, "n_calls": 1, "total": 24}
    z = torch.randn(4, 6)
    assert bench.count_ops(lambda: z.add_(1)) == e                          # in place: written, not a free view
    a, b, c0 = torch.randn(3, 4), torch.randn(4, 5), torch.randn(3, 5)
    assert bench.count_ops(lambda: c0.addmm_(a, b))["matmul"] == 2 * 3 * 4 * 5


def test_dense_attention_counts_its_attention_and_restores_fastpath():
    before = torch.backends.mha.get_fastpath_enabled()
    df = bench.op_counts("s44_dense_attention", [16, 32], overrides=dict(vocab_size=32, d_model=16, n_layers=1,
                                                                        seq_len=32))
    assert torch.backends.mha.get_fastpath_enabled() == before
    # 8 heads of width 2: Q K^T and A V cost 4 H N^2 E multiply-adds (the N^2 term is seen, fused or not)
    assert df["attention"].tolist() == [4 * 8 * n * n * 2 for n in (16, 32)]


def test_op_counts_deterministic_and_checked():
    ov = dict(vocab_size=32, d_model=8, n_layers=1, seq_len=32)
    a = bench.op_counts("table5_phase1", [16, 32], overrides=ov)
    b = bench.op_counts("table5_phase1", [16, 32], overrides=ov)
    assert a["total"].tolist() == b["total"].tolist() and (a["total"] > 0).all()
    with pytest.raises(ValueError, match="seq_lens"):
        bench.op_counts("table5_phase1", [], overrides=ov)


def test_memory_table_repeats_checked():
    with pytest.raises(ValueError, match="repeats"):
        bench.memory_table([], repeats=0)


def test_decided_class_needs_a_bic_margin():
    import numpy as np

    N = np.repeat([64, 128, 256, 512, 1024, 2048, 4096], 3).astype(float)
    noise = 1 + 0.01 * np.random.default_rng(0).standard_normal(N.size)
    assert bench.decided_class(bench.fit_complexity(N, 1e-9 * N ** 2 * noise)) == "O(N^2)"
    assert bench.decided_class(bench.fit_complexity(N, 1e-6 * N * noise)) == "O(N)"
    fits = bench.fit_complexity(N, 1e-6 * N * noise)
    fits.loc[fits.model == "O(N log N)", "bic"] = fits.loc[fits.model == "O(N)", "bic"].iloc[0] + 1.9
    assert bench.decided_class(fits) == "undetermined"                      # runner-up within the margin of 2
    assert bench.decided_class(fits, margin=1.5) == "O(N)"


def test_the_paper_size_and_table11_parameter_memory_come_from_the_configuration():
    from paperlib.bk import configs, memory_claims, scaling_claims

    assert scaling_claims.paper_size(dict(VOCAB=50257, D_MODEL=256, N_LAYERS=4))
    assert not scaling_claims.paper_size(dict(VOCAB=512, D_MODEL=32, N_LAYERS=2))
    total = {r["component"]: r for r in configs.table10_rows(build=True)}["total"]
    assert memory_claims.table11_param_mb() == (4 * total["baseline"] / 1e6, 2 * total["optimized"] / 1e6)


def test_the_abstracts_memory_part_is_table11s_measurement_at_the_paper_configuration(monkeypatch):
    """BK-ABS's memory part is t11_vram's paper-pairing median (the one Table 11 measurement), at seq 512, batch 2;
    off CUDA nothing is measured."""
    from paperlib.bk import memory_claims
    from paperlib.common.verdicts import Measurement

    seen = []

    def fake_t11(P, *, device):
        seen.append(dict(P))
        return Measurement(notes=dict(reductions={"paper pairing": [80.0, 90.0, 84.0]}))

    monkeypatch.setattr(memory_claims, "t11_vram", fake_t11)
    P = {"T11_REPEATS": 3, "SEED": 7}
    assert memory_claims.abstract_memory_reduction(P, device="cpu") is None and seen == []
    assert memory_claims.abstract_memory_reduction(P, device=torch.device("cuda")) == pytest.approx(0.84)
    assert seen == [{"MEASURE_MEMORY": True, "T11_VARIANTS": ["baseline_fp32", "optimized_amp_ckpt"], "T11_SEQ": 512,
                     "T11_BATCH": 2, "T11_REPEATS": 3, "SEED": 7}]


def test_on_cuda_reads_the_device_type():
    from paperlib.common.runtime import on_cuda

    assert on_cuda("cuda") and on_cuda(torch.device("cuda", 1)) and on_cuda("cuda:0")
    assert not on_cuda("cpu") and not on_cuda(torch.device("cpu")) and not on_cuda("meta")


def test_fit_curve_reproduces_the_fitted_times():
    import numpy as np

    N = np.array([64, 128, 256, 512, 1024, 64, 128, 256, 512, 1024], dtype=float)
    t = 2e-6 * N * np.log2(N) + 1e-4
    fits = bench.fit_complexity(N, t)
    row = fits.set_index("model").loc["O(N log N)"]
    assert np.allclose(bench.fit_curve(row.to_dict() | {"model": "O(N log N)"}, N), t, rtol=1e-6)
    pl = fits[fits.model == "power law c N^p"].iloc[0].to_dict()
    pl_named = {**pl, "fit": pl.pop("model")}   # the name under "fit", as scaling_claims stores it
    assert np.all(bench.fit_curve(pl_named, N) > 0)


def test_op_counts_backward_counts_the_gradient_alone():
    ov = dict(vocab_size=64, d_model=16, n_layers=1, seq_len=64)
    fwd = bench.op_counts("table5_baseline", [32, 64], overrides=ov)
    bwd = bench.op_counts("table5_baseline", [32, 64], overrides=ov, backward=True)
    assert (bwd["total"] > 0).all() and (bwd["total"] != fwd["total"]).all()
    again = bench.op_counts("table5_baseline", [32, 64], overrides=ov, backward=True)
    assert again["total"].tolist() == bwd["total"].tolist()      # exact, repeatable (grads reset per length)
