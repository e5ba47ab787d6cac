"""figures.check_figure finds unlabelled axes and layouts other than constrained; savefig records, warns or
raises according to PAPERLIB_FIGURE_CHECK."""
import json
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from paperlib.common import figures  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_a_labelled_constrained_figure_passes():
    fig, ax = plt.subplots(layout="constrained")
    ax.plot([1, 2], [3, 4])
    ax.set_xlabel("N")
    ax.set_ylabel("time (s)")
    assert figures.check_figure(fig) == []


def test_each_missing_label_and_the_layout_are_named():
    fig, axes = plt.subplots(1, 2, layout="none")       # no layout engine, second panel unlabelled
    axes[0].set(xlabel="N", ylabel="s", title="left")
    axes[1].set_title("right")
    problems = figures.check_figure(fig)
    assert problems[0].startswith("not constrained layout")
    assert problems[1:] == ["panel 2/2 'right': no x-axis label", "panel 2/2 'right': no y-axis label"]


def test_shared_axes_sup_labels_categories_and_colorbars_count_as_labelled():
    fig, axes = plt.subplots(2, 2, sharex=True, sharey="row", layout="constrained")
    axes[1, 0].set_xlabel("N")                          # shared by every panel's x axis
    axes[0, 0].set_ylabel("loss")                       # row 0 shares y
    axes[1, 0].set_ylabel("ppl")                        # row 1 shares y
    assert figures.check_figure(fig) == []
    fig2, (a, b) = plt.subplots(1, 2, layout="constrained")
    a.bar(["ce", "scta"], [1.0, 2.0])                   # categorical x: its ticks name it
    a.set_ylabel("speedup (x)")
    im = b.imshow([[0, 1], [1, 0]])
    fig2.colorbar(im, ax=b)                             # colorbar axes are skipped
    fig2.supxlabel("column")
    assert figures.check_figure(fig2) == ["panel 2/2: no y-axis label"]
    b.set_axis_off()                                    # an image shown without axes is fine
    assert figures.check_figure(fig2) == []


def test_savefig_records_warns_or_raises(tmp_path, monkeypatch):
    from paperlib.common import measure

    monkeypatch.setattr(measure, "fingerprint", lambda: {"device": "test"})  # no torch import, no git call
    monkeypatch.setenv("PAPERLIB_OUTPUT", str(tmp_path))
    fig, ax = plt.subplots(layout="none")
    ax.plot([0, 1])
    monkeypatch.setenv("PAPERLIB_FIGURE_CHECK", "record")
    with warnings.catch_warnings():
        warnings.simplefilter("error")                  # record mode prints nothing
        figures.savefig(fig, "fig_a", profile="smoke", formats=("png",))
    prov = json.loads((tmp_path / "smoke" / "fig_a.provenance.json").read_text())
    assert len(prov["figure_check"]) == 3
    monkeypatch.setenv("PAPERLIB_FIGURE_CHECK", "warn")
    with pytest.warns(UserWarning, match="fig_b.*no x-axis label"):
        figures.savefig(fig, "fig_b", profile="smoke", formats=("png",))
    monkeypatch.setenv("PAPERLIB_FIGURE_CHECK", "error")
    with pytest.raises(ValueError, match="fig_c.*no x-axis label"):
        figures.savefig(fig, "fig_c", profile="smoke", formats=("png",))
    assert not (tmp_path / "smoke" / "fig_c.png").exists()
    monkeypatch.delenv("PAPERLIB_FIGURE_CHECK", raising=False)
    assert figures.figure_check_mode() == "error"       # the default refuses such a figure
    monkeypatch.setenv("PAPERLIB_FIGURE_CHECK", "loud")
    with pytest.raises(ValueError, match="PAPERLIB_FIGURE_CHECK"):
        figures.savefig(fig, "fig_d", profile="smoke", formats=("png",))


def test_recorded_problems_are_listed(tmp_path):
    from paperlib.common.atomic import write_json

    write_json(tmp_path / "a.provenance.json", {"name": "a", "kind": "figure", "figure_check": ["panel 1/1: no y"]})
    write_json(tmp_path / "b.provenance.json", {"name": "b", "kind": "figure", "figure_check": []})
    write_json(tmp_path / "t.provenance.json", {"name": "t", "kind": "table"})
    assert figures.recorded_problems(tmp_path) == {"a": ["panel 1/1: no y"]}
    assert figures.main(["check", str(tmp_path)]) == 1 and figures.main(["check", str(tmp_path / "none")]) == 0


def test_published_figures_have_labelled_axes():
    """Every published figure whose sidecar records a check passed it (the default mode is "error")."""
    from paperlib.common import paths

    found = {}
    for prof in paths.PUBLISHED_PROFILES:
        found.update({f"{prof}/{k}": v for k, v in figures.recorded_problems(paths.FIGURES / prof).items()})
    assert not found, found


def test_mark_paper_draws_lines_and_points_and_verdict_subtitle_names_the_profile():
    from paperlib.common.verdicts import Verdict

    fig, ax = plt.subplots(layout="constrained")
    h = figures.mark_paper(ax, y=0.3, label="0.3 (Table 2)")
    v = figures.mark_paper(ax, x=5.0)
    p = figures.mark_paper(ax, x=1.0, y=2.0, label="paper: 2x")
    assert h.get_label() == "paper: 0.3 (Table 2)" and v.get_label() == "paper" and p.get_label() == "paper: 2x"
    assert list(h.get_ydata()) == [0.3, 0.3] and list(v.get_xdata()) == [5.0, 5.0]
    assert (p.get_xdata()[0], p.get_ydata()[0]) == (1.0, 2.0)
    with pytest.raises(ValueError, match="paper's value"):
        figures.mark_paper(ax)
    ax.set_title("spacing std")
    text = figures.verdict_subtitle(ax, Verdict("X-1", "refuted", "r", "m"), "smoke")
    assert text == "spacing std\nverdict (smoke run): refuted" == ax.get_title()
    assert figures.verdict_subtitle(ax, "pending", "cpu", title="") == "verdict (cpu run): pending"
