"""One house style for matplotlib, and atomic writers for figures and tables with provenance sidecars.

Figures are saved as PNG and PDF with deterministic metadata (no timestamps), so an unchanged figure is
an unchanged file. Tables go out as CSV, Markdown and LaTeX (booktabs). Every output gets a
``<name>.provenance.json`` beside it: profile, device, versions, commit, notebook.

Before saving, :func:`check_figure` looks for what makes a figure hard to read: an axis with no label
(and no labelled axis it shares), a figure without constrained layout. What savefig does with the problems
is FIGURE_CHECK_MODE (env ``PAPERLIB_FIGURE_CHECK``): ``error`` (default: ValueError), ``warn`` (a Python
warning) or ``record`` (only listed in the provenance sidecar as ``figure_check``).
"""
from __future__ import annotations

import os
from pathlib import Path

from paperlib.common import paths
from paperlib.common.atomic import atomic_path, write_json, write_text

HOUSE_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "figure.constrained_layout.use": True,   # no overlapping labels or titles
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "lines.linewidth": 1.6,
    "axes.prop_cycle": None,  # filled in below (colour-blind safe palette)
    "svg.hashsalt": "paperlib",
    "pdf.fonttype": 42,
}
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]


def use_house_style() -> None:
    import matplotlib as mpl
    from cycler import cycler

    style = dict(HOUSE_STYLE)
    style["axes.prop_cycle"] = cycler(color=PALETTE)
    mpl.rcParams.update(style)


def _provenance(name: str, profile: str, kind: str, extra: dict | None, notebook: str | None) -> dict:
    from paperlib.common.measure import fingerprint

    # the notebook's name comes from its chapter (NOTEBOOK); "" for a caller outside a chapter
    return {"name": name, "kind": kind, "profile": profile, "notebook": notebook or "", **fingerprint(), **(extra or {})}


def _check_name(name: str) -> None:
    if not name or "/" in name or name.startswith(".") or not all(c.isalnum() or c in "_-." for c in name):
        raise ValueError(f"output name {name!r}: use letters, digits, '_', '-' and '.' only")


FIGURE_CHECK_MODES = ("record", "warn", "error")
# "error": savefig (and the test over the published figures, tests/common/test_figures_check.py) refuses a
# figure with an unlabelled axis or without constrained layout
DEFAULT_FIGURE_CHECK = "error"


def figure_check_mode() -> str:
    mode = os.environ.get("PAPERLIB_FIGURE_CHECK", DEFAULT_FIGURE_CHECK).strip().lower()
    if mode not in FIGURE_CHECK_MODES:
        raise ValueError(f"PAPERLIB_FIGURE_CHECK={mode!r}: use one of {', '.join(FIGURE_CHECK_MODES)}")
    return mode


def _categorical(axis) -> bool:
    from matplotlib.category import StrCategoryConverter

    conv = axis.get_converter() if hasattr(axis, "get_converter") else getattr(axis, "converter", None)
    return isinstance(conv, StrCategoryConverter)


def _labelled(ax, which: str, fig) -> bool:
    """An axis is labelled when it has a label, shares the axis of one that has, or the figure has a
    sup-label for that direction; a categorical axis is labelled by its tick names."""
    if getattr(fig, f"_sup{which}label", None) is not None and getattr(fig, f"_sup{which}label").get_text():
        return True
    axis = ax.xaxis if which == "x" else ax.yaxis
    if axis.get_label_text().strip() or _categorical(axis):
        return True
    shared = ax.get_shared_x_axes() if which == "x" else ax.get_shared_y_axes()
    return any((s.xaxis if which == "x" else s.yaxis).get_label_text().strip()
               for s in shared.get_siblings(ax) if s is not ax and s.axison)


def check_figure(fig) -> list[str]:
    """What makes `fig` hard to read: unlabelled axes (naming the panel by its title or position) and a
    layout other than constrained. An empty list: nothing found. Colorbars and axes turned off are skipped."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    problems = []
    if not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        problems.append("not constrained layout (use plt.subplots(..., layout='constrained'))")
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.axison and not hasattr(ax, "_colorbar")]
    for i, ax in enumerate(panels):
        where = f"panel {i + 1}/{len(panels)}" + (f" '{ax.get_title()}'" if ax.get_title() else "")
        for which in ("x", "y"):
            axis = ax.xaxis if which == "x" else ax.yaxis
            if axis.get_visible() and not _labelled(ax, which, fig):
                problems.append(f"{where}: no {which}-axis label")
    return problems


PAPER_STYLE = {"color": "black", "linestyle": "--", "linewidth": 1.2, "zorder": 5}


def mark_paper(ax, *, y=None, x=None, label: str = "paper"):
    """Put the paper's value on a comparison plot, in one look everywhere (black, dashed, labelled "paper: ...").

    ``y`` alone: a horizontal line at the paper's value; ``x`` alone: a vertical line; both: a star at the point
    (x, y), as when the paper reports one configuration of a curve. Returns the artist, so a legend picks it up."""
    if y is None and x is None:
        raise ValueError("mark_paper needs the paper's value: y=, x= or both")
    label = label if label.startswith("paper") else f"paper: {label}"
    if x is not None and y is not None:
        return ax.plot([x], [y], marker="*", markersize=13, color="black", linestyle="none", zorder=6,
                       label=label)[0]
    if y is not None:
        return ax.axhline(y, label=label, **PAPER_STYLE)
    return ax.axvline(x, label=label, **PAPER_STYLE)


def verdict_subtitle(ax, verdict, profile: str, *, title: str | None = None) -> str:
    """Title a panel with what it shows and, underneath, this run's verdict, labelled with its profile (a smoke
    verdict may differ from the headline). `verdict` is a common.verdicts.Verdict or a verdict word."""
    word = getattr(verdict, "verdict", verdict)
    title = ax.get_title() if title is None else title
    text = (f"{title}\n" if title else "") + f"verdict ({profile} run): {word}"
    ax.set_title(text)
    return text


def savefig(fig, name: str, *, profile: str, root=None, notebook: str | None = None, formats=("png", "pdf"),
            provenance: dict | None = None) -> Path:
    """Save `fig` as <paths.output_dir(profile, root)>/<name>.{png,pdf} atomically; return the PNG path.

    root: the output root (a chapter's OUTPUT_ROOT; None or "": paths.output_root's fallback); notebook: the
    name recorded in the provenance sidecar.
    The figure is checked first (:func:`check_figure`; what happens to problems: FIGURE_CHECK_MODE)."""
    _check_name(name)
    problems = check_figure(fig)
    mode = figure_check_mode()
    if problems and mode == "error":
        raise ValueError(f"figure {name!r}: " + "; ".join(problems))
    if problems and mode == "warn":
        import warnings

        warnings.warn(f"figure {name!r}: " + "; ".join(problems), stacklevel=2)
    folder = paths.output_dir(profile, root)
    meta = {"png": {"Software": None}, "pdf": {"CreationDate": None, "ModDate": None, "Producer": None,
                                                "Creator": None}}
    written = []
    for fmt in formats:
        target = folder / f"{name}.{fmt}"
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=fmt, metadata=meta.get(fmt))
        written.append(target)
    extra = dict(provenance or {}, figure_check=problems)
    write_json(folder / f"{name}.provenance.json", _provenance(name, profile, "figure", extra, notebook))
    return written[0]


def save_table(df, name: str, *, profile: str, root=None, notebook: str | None = None, index: bool = False,
               float_format: str = "%.4g", caption: str = "", provenance: dict | None = None) -> Path:
    """Save a DataFrame as CSV, Markdown and LaTeX (booktabs) atomically into paths.output_dir(profile, root);
    return the CSV path."""
    _check_name(name)
    folder = paths.output_dir(profile, root)
    csv = folder / f"{name}.csv"
    write_text(csv, df.to_csv(index=index, float_format=float_format))
    write_text(folder / f"{name}.md", df.to_markdown(index=index, floatfmt=".4g") + "\n")
    latex = df.to_latex(index=index, float_format=lambda x: float_format % x, caption=caption or None,
                        label=f"tab:{name}", escape=True)
    # pandas emits \toprule/\midrule/\bottomrule: booktabs style
    write_text(folder / f"{name}.tex", latex)
    write_json(folder / f"{name}.provenance.json", _provenance(name, profile, "table", provenance, notebook))
    return csv


def recorded_problems(folder: Path) -> dict[str, list[str]]:
    """The figure_check problems that savefig recorded in a folder's provenance sidecars, per figure."""
    import json

    out = {}
    for prov in sorted(Path(folder).glob("*.provenance.json")):
        meta = json.loads(prov.read_text(encoding="utf-8"))
        if meta.get("kind") == "figure" and meta.get("figure_check"):
            out[meta.get("name", prov.name)] = list(meta["figure_check"])
    return out


def main(argv=None) -> int:
    """python -m paperlib.common.figures check [FOLDER]: list the figures whose axes or layout need work."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m paperlib.common.figures")
    ap.add_argument("cmd", choices=["check"])
    ap.add_argument("folder", nargs="?", type=Path, default=paths.FIGURES / "cpu")
    args = ap.parse_args(argv)
    found = recorded_problems(args.folder)
    for name, problems in found.items():
        print(f"{name}: " + "; ".join(problems))
    print(f"{len(found)} figure(s) in {args.folder} with problems recorded by savefig")
    return 1 if found else 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
