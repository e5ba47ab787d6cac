"""common.figures, common.measure, common.progress and seeding: deterministic outputs with provenance, timing, memory."""
import json

import pandas as pd
import pytest


# ---------------------------------------------------------------- figures, tables, measure, progress
@pytest.mark.slow  # over about 2 s on 2 cores: `make check` leaves it out
def test_figures_and_tables_are_deterministic_with_provenance(isolated_output):
    import matplotlib.pyplot as plt

    from paperlib.common.figures import save_table, savefig, use_house_style

    use_house_style()
    digests = []
    for _ in range(2):
        fig, ax = plt.subplots()
        ax.plot([0, 1], [1, 0])
        ax.set(xlabel="x", ylabel="y")
        png = savefig(fig, "t_fig", profile="cpu")
        plt.close(fig)
        digests.append((png.read_bytes(), png.with_suffix(".pdf").read_bytes()))
    assert digests[0] == digests[1]
    prov = json.loads((png.parent / "t_fig.provenance.json").read_text())
    assert prov["profile"] == "cpu" and "device" in prov and "torch" in prov and "commit" in prov
    csv = save_table(pd.DataFrame({"a": [1.0, 2.5], "b": ["x", "y"]}), "t_tab", profile="cpu")
    assert csv.read_text().splitlines()[0] == "a,b"
    assert "\\toprule" in csv.with_suffix(".tex").read_text()
    assert "|" in csv.with_suffix(".md").read_text()
    with pytest.raises(ValueError, match="output name"):
        save_table(pd.DataFrame(), "../escape", profile="cpu")


def test_time_callable_counts_calls_and_summarises_with_the_shared_quartiles(monkeypatch):
    from paperlib.common import measure
    from paperlib.common.measure import time_callable

    clock = [0.0]  # a fake clock: each call takes the next of these durations (two warm-ups, then five timed)
    durations = iter([9.0, 9.0, 0.5, 0.1, 0.3, 0.2, 0.4])
    monkeypatch.setattr(measure.time, "perf_counter", lambda: clock[0])
    calls = []

    def fn():
        calls.append(1)
        clock[0] += next(durations)

    t = time_callable(fn, warmup=2, repeats=5, sync_cuda=False)
    assert len(calls) == 7 and t.repeats == 5 and t.times == pytest.approx([0.5, 0.1, 0.3, 0.2, 0.4])
    # inclusive quartiles 0.2 / 0.4 (the exclusive ones, 0.15 / 0.45, would give 0.3)
    assert (t.median, t.iqr, t.min) == pytest.approx((0.3, 0.2, 0.1))
    with pytest.raises(ValueError):
        time_callable(lambda: None, repeats=0)


def test_peak_rss_subprocess_sees_a_real_allocation():
    from paperlib.common.measure import peak_rss_subprocess

    small = peak_rss_subprocess("paperlib.companion._selftest:allocate", {"mb": 1})
    big = peak_rss_subprocess("paperlib.companion._selftest:allocate", {"mb": 200})
    assert small["status"] == "ok" and big["result"] == 200
    assert big["peak_rss_mb"] - small["peak_rss_mb"] > 150
    assert 190 < big["peak_above_baseline_mb"] < 260
    oom = peak_rss_subprocess("paperlib.companion._selftest:allocate", {"mb": -1})
    assert oom["status"] == "oom" and "MemoryError" in oom["reason"]


def test_fingerprint_fields():
    from paperlib.common.measure import fingerprint

    fp = fingerprint()
    for k in ("device", "cpu", "threads", "torch", "numpy", "commit"):
        assert k in fp
    assert fp["device"].startswith(("cpu:", "cuda:"))


def test_progress_is_quiet_in_ci(monkeypatch):
    from paperlib.common.progress import progress

    monkeypatch.setenv("PAPERLIB_PROGRESS", "0")
    bar = progress(range(3), desc="x")
    assert bar.disable and list(bar) == [0, 1, 2]


def test_seed_everything_is_reproducible():
    import torch

    from paperlib import seed_everything

    seed_everything(3)
    a = torch.rand(4)
    g = seed_everything(3)
    assert torch.equal(a, torch.rand(4))
    assert torch.equal(torch.rand(2, generator=g), torch.rand(2, generator=seed_everything(3)))
    with pytest.raises(TypeError):
        seed_everything(1.5)




def test_time_callable_setup_is_untimed_and_fresh_per_call():
    import time as _time

    from paperlib.common.measure import time_callable

    made, used = [], []

    def setup():
        _time.sleep(0.02)  # untimed
        made.append(object())
        return made[-1]

    t = time_callable(lambda obj: used.append(obj), setup=setup, warmup=1, repeats=3, sync_cuda=False)
    assert len(made) == 4 and used == made and t.repeats == 3
    assert t.median < 0.01


def test_progress_bars_go_to_the_named_file_not_the_notebook(tmp_path, monkeypatch, capsys):
    """Pipeline-run notebooks append their bars to PAPERLIB_PROGRESS_FILE; the pipeline echoes that file."""
    import sys
    import time

    from paperlib.common.progress import progress
    from paperlib.companion.pipeline import _Echo

    target = tmp_path / "bars.progress"
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("PAPERLIB_PROGRESS", "1")
    monkeypatch.setenv("PAPERLIB_PROGRESS_FILE", str(target))
    echo = _Echo(target, prefix="[nb] ")
    for _ in progress(range(3), desc="steps"):
        pass
    time.sleep(0.1)
    echo.stop()
    err = capsys.readouterr().err
    assert "steps: 100%" in target.read_text() and "[nb] steps: 100%" in err
    assert sys.stderr is not None
