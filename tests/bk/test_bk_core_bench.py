"""Tests of the measurement helpers of notebook 13 (paperlib.bk.core_bench) and the references beside the op
(paperlib.bk.core_ref)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from paperlib.bk import core_bench as bench, core_paths_bench as paths, core_ref
from paperlib.common.stats import fit_power_law


def test_fit_power_law_recovers_exponent():
    ns = np.array([256, 512, 1024, 2048, 4096])
    f = fit_power_law(ns, 3e-6 * ns**1.5)
    assert f["exponent"] == pytest.approx(1.5, abs=1e-9)
    assert f["prefactor"] == pytest.approx(3e-6, rel=1e-6)
    assert f["r2"] == pytest.approx(1.0)
    np.testing.assert_allclose(bench.local_slopes(ns, ns**2.0), 2.0)
    with pytest.raises(ValueError, match="two points"):
        fit_power_law([10], [1.0])


@pytest.mark.parametrize("kind", core_ref.CASES)
def test_oracles_match_numpy(kind):
    v, off, z = core_ref.make_case(kind, 20, seed=1)
    A = np.diag(-2.0 + v - z) + np.diag(off, 1) + np.diag(off, -1)
    np.testing.assert_allclose(core_ref.oracle_two_sided(v, off, z), np.diag(np.linalg.inv(A)), rtol=1e-9)
    causal = [np.linalg.inv(A[: i + 1, : i + 1])[i, i] for i in range(20)]
    np.testing.assert_allclose(core_ref.oracle_causal(v, off, z), causal, rtol=1e-9)
    np.testing.assert_allclose(core_ref.oracle_two_sided(v, off, z, rows=[3, 7]), np.diag(np.linalg.inv(A))[[3, 7]],
                               rtol=1e-9)


def test_make_case_rejects_bad_input():
    with pytest.raises(ValueError, match="unknown case"):
        core_ref.make_case("nope", 8, 0)
    with pytest.raises(ValueError, match="n must be"):
        core_ref.make_case("random", 0, 0)


def test_exactness_and_stability_tables_small():
    ex = bench.exactness_table(ns=(16,), dense_max=16, causal_oracle_max=16, dense_causal_max=16)
    assert (ex[["rel_err_two_sided", "rel_err_causal"]].max().max()) < 1e-8
    st = bench.stability_table(ns=(64, 2048), n_rows=4)
    scan = st[st.method == "scan"]
    assert (scan.finite_frac == 1.0).all()
    naive_big = st[(st.method == "naive-theta") & (st.N == 2048)]
    assert (naive_big.finite_frac < 1.0).all()  # the naive products overflow by N = 2048 at z = i


def test_theta_growth_consistent_with_naive_overflow():
    g = bench.theta_growth(n=2048)
    lt = g["log10_theta"]
    bad64 = g["first_nonfinite"]["float64"]
    assert bad64 is not None and bad64 > g["first_nonfinite"]["float32"]
    # the stable log10|theta| crosses the float64 limit right where the naive product broke
    assert lt[bad64 - 2] < g["float64_limit"] + 1 and lt[bad64 - 1] > g["float64_limit"] - 1


def test_gradient_check_and_speed_sweep_shapes():
    gc = bench.gradient_check(n=5)
    assert gc.passed.all()
    sp = bench.speed_sweep([16, 32], methods=("scan", "dense"), repeats=1, dense_max=16)
    assert list(sp.method) == ["scan", "dense", "scan"]
    np.testing.assert_allclose(sp.tokens_per_s, sp.batch * sp.N / sp.seconds)
    assert (sp.seconds > 0).all() and (sp.iqr >= 0).all()


@pytest.mark.skipif(torch.cuda.is_available(), reason="the CPU answer of a GPU-only measurement")
def test_cuda_bandwidth_is_none_without_cuda():
    assert bench.cuda_bandwidth() is None


def test_power_law_fits_use_sizes_from_fit_min_n():
    ns = [256, 512, 1024, 2048]
    speed = pd.DataFrame(dict(method="scan", N=ns, seconds=[1e-6 * n for n in ns[:2]] + [1e-9 * n ** 2 for n in ns[2:]],
                              **{"pass": "forward"}))
    assert bench.power_law_fits(speed, 1024)["scan"]["exponent"] == pytest.approx(2.0)  # only N >= 1024
    assert bench.power_law_fits(speed, 4096)["scan"]["exponent"] < 2.0                # too few: all sizes
    assert bench.power_law_fits(speed.iloc[:1], 0) == {}                              # one size: no fit


def test_op_sweep_smoke_parameters_on_cpu():
    P = dict(SEED=0, SPEED_NS=[16, 32], SPEED_BATCH=2, SPEED_REPEATS=1, DENSE_SPEED_MAX=16, SEQUENTIAL_SPEED_MAX=16,
             FIT_MIN_N=16, BACKWARD_NS=[16], CUDA_BW_N=64, CUDA_BW_BATCH=2)
    m = bench.op_sweep(P, device="cpu")
    sp = m.tables["bk_core_speed"]
    loop = m.notes["loop_methods"]
    fwd = sp[sp["pass"] == "forward"]
    assert sorted(fwd[fwd.N == 32].method) == sorted(("scan",) + loop)  # sequential and dense stop at 16
    assert set(sp[sp["pass"] != "forward"].method) == {"scan", *loop}
    assert m.verdicts == [] and m.notes["bandwidth"] is None and set(m.notes["fits"]) == {"scan", *loop}


def test_device_check_compares_only_an_accelerator():
    assert bench.device_check("cpu", 64) == []


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_device_check_on_cuda():
    rows = bench.device_check("cuda", 512)
    assert [r["dtype"] for r in rows] == ["float64", "float32"]
    assert all(r["finite"] for r in rows) and rows[0]["max_rel_err"] < 1e-8 and rows[1]["max_rel_err"] < 1e-3


def test_exactness_and_stability_summaries_reach_both_answers():
    ex = pd.DataFrame(dict(case=["random", "near_spectrum"], rel_err_two_sided=[1e-12, 1e-9], rel_err_causal=[np.nan, 1e-10]))
    assert bench.exactness_summary(ex) == dict(worst_well=1e-12, worst_near=1e-9, ok=True)
    assert not bench.exactness_summary(ex.assign(rel_err_causal=[2e-10, 1e-10]))["ok"]  # well-conditioned bound 1e-10
    assert not bench.exactness_summary(ex.assign(rel_err_two_sided=[1e-12, 2e-8]))["ok"]  # near-spectrum bound 1e-8
    st = bench.stability_table(ns=(64, 2048), n_rows=4)
    s = bench.stability_summary(st)
    assert s["n_max"] == 2048 and s["scan_finite"] and s["err64"] < 1e-10 and s["naive_broken_n"] == 2048
    assert bench.stability_summary(st[st.method != "naive-theta"])["naive_broken_n"] is None


def test_stability_worst_is_one_row_per_n_with_the_worst_over_seeds_and_variants():
    st = pd.DataFrame(dict(N=[64] * 6 + [64] * 3, variant=["two-sided"] * 3 + ["causal"] * 3 + ["two-sided"] * 3,
                           method=["naive-theta", "scan", "scan"] * 3, dtype=["float64", "float32", "float64"] * 3,
                           finite_frac=[1.0, 1.0, 1.0, 0.5, 1.0, 1.0, 0.8, 1.0, 1.0],
                           max_rel_err=[1e-15, 1e-7, 2e-16, np.inf, 3e-7, 4e-16, 1e-15, 2e-7, 1e-16],
                           seed=[0] * 6 + [1] * 3))
    w = bench.stability_worst(st)
    assert len(w) == 1 and w.N.tolist() == [64]
    row = w.iloc[0]
    assert row["naive theta/phi f64: finite share"] == 0.5 and np.isinf(row["naive theta/phi f64: max rel err"])
    assert row["scan f64: max rel err"] == 4e-16 and row["scan f32: max rel err"] == 3e-7
    assert row["scan: finite share"] == 1.0
    assert np.isnan(bench.stability_worst(st[st.method == "scan"]).iloc[0]["naive theta/phi f64: finite share"])


def test_scaling_exponents_only_from_enough_sizes():
    ns = [256, 512, 1024, 2048, 4096, 8192]
    speed = pd.DataFrame(dict(method="scan", N=ns, seconds=[1e-9 * n for n in ns], **{"pass": "forward"}))
    dense = pd.DataFrame(dict(method="dense", N=ns[:3], seconds=[1e-12 * n ** 3 for n in ns[:3]], **{"pass": "forward"}))
    both = pd.concat([speed, dense], ignore_index=True)
    fits = bench.scaling_exponents(both, 1024)
    assert set(fits) == {"scan"}                                 # dense: too few sizes for an exponent
    assert fits["scan"]["exponent"] == pytest.approx(1.0) and fits["scan"]["x_from"] == 1024
    assert fits["scan"]["n_sizes"] == 4
    assert bench.scaling_exponents(both, 2048) == {}             # three sizes from 2048: none
    np.testing.assert_allclose(bench.guide_line([256, 512], 512, 2.0, 3), [0.25, 2.0])


# ------------------------------------------------------------------ both Triton kernel paths (core_paths_bench)


def test_bytes_per_element_are_the_kernel_authors_and_scale_with_the_dtype():
    assert paths.BYTES_PER_ELEMENT_FP32 == {("per-row", "forward"): 20, ("chunked", "forward"): 32,
                                            ("per-row", "backward"): 32, ("chunked", "backward"): 52}
    assert paths.bytes_per_element("chunked", "backward", torch.float64) == 104
    assert paths.sweep_config("paper")["rows"] == (2, 8, 4096) and max(paths.sweep_config("paper")["ns"]) == 65536
    tiny = paths.sweep_config("smoke")
    assert tiny == paths.sweep_config("tiny") and max(tiny["rows"]) * max(tiny["ns"]) <= 1024


def test_paths_sweep_without_the_interpreter_times_the_torch_fallback_and_skips_the_per_row_kernel(monkeypatch):
    monkeypatch.setenv("TRITON_INTERPRET", "0")
    df = paths.paths_sweep(rows=(2,), ns=(16,), device="cpu", warmup=0, repeats=1)
    assert len(df) == 4 and set(df.path) == set(paths.PATHS) and set(df["pass"]) == set(paths.PASSES)
    per_row, chunked = df[df.path == "per-row"], df[df.path == "chunked"]
    assert (per_row.status == "skipped").all() and per_row.reason.str.contains("CUDA").all()
    assert (chunked.status == "ok").all() and (chunked.engine == "torch (core_chunked_ref)").all()
    assert chunked.fraction_of_peak.isna().all()                                 # no peak given
    assert paths.paths_comparison(df).empty                                      # one path measured: no comparison
    s = paths.paths_summary(df, paths.paths_comparison(df))
    assert s["measured"] == 2 and s["skipped"] == 2 and s["rule_picked_faster"] == "0/0"


@pytest.mark.skipif(not paths._backend("per-row").available(), reason="needs triton (interpreter)")
def test_paths_sweep_under_the_interpreter_measures_both_paths(monkeypatch):
    monkeypatch.setenv("TRITON_INTERPRET", "1")
    df = paths.paths_sweep(rows=(2,), ns=(16,), device="cpu", warmup=0, repeats=1, peak_GBps=100.0, peak_basis="x")
    assert (df.status == "ok").all() and (df.engine == "triton interpreter").all()
    ok = df.iloc[0]
    assert ok.achieved_GBps == pytest.approx(ok.bytes_per_element * 2 * 16 / ok.seconds / 1e9)
    assert ok.fraction_of_peak == pytest.approx(ok.achieved_GBps / 100.0)
    assert set(df.auto_choice) == {bench.resolve_method("cpu")}                  # auto never runs Triton on CPU
    assert set(df.rule_choice) == {"chunked"} and set(df.sm_count) == {paths.REFERENCE_SMS}  # 2 rows: chunked
    cmp = paths.paths_comparison(df)
    assert len(cmp) == 2 and set(cmp["pass"]) == set(paths.PASSES)
    assert df.attrs["peak_basis"] == "x"


def test_paths_comparison_names_the_faster_path_and_judges_the_choices():
    rows = [dict(path=p, **{"pass": "forward"}, rows=8, N=1024, engine="triton", status="ok", seconds=t,
                 fraction_of_peak=f, auto_choice="chunked", rule_choice="chunked")
            for p, t, f in (("per-row", 4e-3, 0.1), ("chunked", 1e-3, 0.6))]
    rows.append(dict(path="chunked", **{"pass": "backward"}, rows=8, N=1024, engine="triton", status="ok",
                     seconds=1.0, fraction_of_peak=0.1, auto_choice="chunked", rule_choice="chunked"))
    cmp = paths.paths_comparison(pd.DataFrame(rows))
    assert len(cmp) == 1                                                          # backward: one path only
    c = cmp.iloc[0]
    assert c.faster == "chunked" and c["speed-up"] == pytest.approx(4.0) and c.engine == "triton"
    assert c["auto picked the faster"] and c["rule picked the faster"]
    cmp2 = paths.paths_comparison(pd.DataFrame(rows).assign(auto_choice="scan", rule_choice="per-row"))
    assert cmp2.iloc[0]["auto picked the faster"] is None and not cmp2.iloc[0]["rule picked the faster"]


def test_op_sweep_adds_the_kernel_paths_only_when_asked(monkeypatch):
    monkeypatch.setenv("TRITON_INTERPRET", "0")
    P = dict(SEED=0, SPEED_NS=[16], SPEED_BATCH=2, SPEED_REPEATS=1, DENSE_SPEED_MAX=16, SEQUENTIAL_SPEED_MAX=16,
             FIT_MIN_N=16, BACKWARD_NS=[], CUDA_BW_N=64, CUDA_BW_BATCH=2)
    m = bench.op_sweep(P, device="cpu", kernel_paths=dict(rows=(2,), ns=(16,), warmup=0, repeats=1))
    assert {"bk_core_paths", "bk_core_paths_compare"} <= set(m.tables) and m.notes["paths"]["measured"] == 2
    assert "bk_core_paths" not in bench.op_sweep(P, device="cpu").tables           # the notebook's call
