"""common.opcount: one operation counter, two cost models. Closed forms for each rule, and the counts of its two
callers (bk.bench.count_ops, scta.loss_cost.loss_work) pinned to the values their own counters gave before they
were merged (recorded at commit 27a2452 on fixed models and losses)."""
import pytest
import torch

from paperlib.common.opcount import OpCounter


def _count(fn, cost):
    with OpCounter(cost=cost) as c:
        fn()
    return c


def test_cost_models_on_closed_forms():
    a, b = torch.randn(3, 5), torch.randn(5, 7)
    assert _count(lambda: torch.mm(a, b), "macs").counts["matmul"] == 2 * 3 * 5 * 7
    assert _count(lambda: torch.mm(a, b), "elements").counts["matmul"] == 3 * 7  # elements written
    c0 = torch.randn(3, 7)
    assert _count(lambda: c0.addmm_(a, b), "macs").counts["matmul"] == 2 * 3 * 5 * 7  # in place: counted
    y = torch.randn(4, 6)
    for cost in ("macs", "elements"):
        c = _count(lambda: (y + 1).view(24).t().unsqueeze(0), cost)  # views are free
        assert (c.total, c.n_calls) == (24, 1)
    with pytest.raises(ValueError, match="cost must be"):
        OpCounter(cost="flops")


def test_sparse_results_count_their_stored_values():
    emb = torch.nn.Embedding(1000, 4, sparse=True)
    idx = torch.tensor([1, 5, 5])

    def fwd_bwd():
        emb(idx).sum().backward()

    dense = torch.nn.Embedding(1000, 4)
    sparse_work = _count(fwd_bwd, "elements").total
    dense_work = _count(lambda: dense(idx).sum().backward(), "elements").total
    assert sparse_work < 100 < 4000 <= dense_work  # the sparse gradient: 3 rows x 4 stored, not 1000 x 4


# the counts both callers gave before the merge (bk: 'matmul', 'conv', 'attention', 'elementwise', 'n_calls')
BK_BEFORE = {
    "table5_baseline": [(16, 105472, 0, 0, 11082, 324), (32, 210944, 0, 0, 22400, 360)],
    "table5_phase1": [(16, 144384, 3072, 0, 15402, 344), (32, 288768, 6144, 0, 31488, 387)],
    "s44_dense_attention": [(16, 229376, 0, 32768, 7058, 33), (32, 458752, 0, 131072, 15138, 33)],
}
SCTA_BEFORE = {("ce", 500): 72515, ("ce", 3000): 432515, ("chunked", 500): 25538, ("chunked", 3000): 145538,
               ("scta", 500): 33254, ("scta", 3000): 33254}


@pytest.mark.parametrize("name", sorted(BK_BEFORE))
def test_bk_count_ops_unchanged(name):
    from paperlib.bk import bench

    df = bench.op_counts(name, [16, 32], overrides=dict(vocab_size=64, d_model=16, n_layers=2, seq_len=32))
    got = [tuple(int(r[k]) for k in ("seq_len", "matmul", "conv", "attention", "elementwise", "n_calls"))
           for _, r in df.iterrows()]
    assert got == BK_BEFORE[name]
    assert (df["total"] == df[["matmul", "conv", "attention", "elementwise"]].sum(axis=1)).all()


def test_bk_count_ops_forward_backward_unchanged():
    from paperlib.bk import bench
    from paperlib.bk.bench import _build

    ov = dict(vocab_size=64, d_model=16, n_layers=2, seq_len=16, bk_method="scan")
    torch.manual_seed(0)
    m = _build("table5_phase1", 16, "fp32", False, "cpu", ov, 0)
    idx = torch.randint(0, 64, (2, 16), generator=torch.Generator().manual_seed(0))

    def fb():
        out = m(idx)
        (out[0] if isinstance(out, tuple) else out).float().sum().backward()

    assert bench.count_ops(fb) == {"matmul": 866304, "conv": 6144, "attention": 0, "elementwise": 77594,
                                   "n_calls": 791, "total": 950042}


def test_scta_loss_work_unchanged():
    from paperlib.scta.loss_cost import loss_work

    got = {(m, V): loss_work(m, V, N=32, hidden=16, d_sem=8, K=5) for m, V in SCTA_BEFORE}
    assert got == SCTA_BEFORE
