"""One house style for matplotlib, and atomic writers for figures and tables with provenance sidecars.

Figures are saved as PNG and PDF with deterministic metadata (no timestamps), so an unchanged figure is
an unchanged file. Tables go out as CSV, Markdown and LaTeX (booktabs). Every output gets a
``<name>.provenance.json`` beside it: profile, device, versions, commit, notebook.
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


def _provenance(name: str, profile: str, kind: str, extra: dict | None) -> dict:
    from paperlib.common.measure import fingerprint

    return {"name": name, "kind": kind, "profile": profile, "notebook": os.environ.get("PAPERLIB_NOTEBOOK", ""),
            **fingerprint(), **(extra or {})}


def _check_name(name: str) -> None:
    if not name or "/" in name or name.startswith(".") or not all(c.isalnum() or c in "_-." for c in name):
        raise ValueError(f"output name {name!r}: use letters, digits, '_', '-' and '.' only")


def savefig(fig, name: str, *, profile: str, formats=("png", "pdf"), provenance: dict | None = None) -> Path:
    """Save `fig` as <output_dir(profile)>/<name>.{png,pdf} atomically; return the PNG path."""
    _check_name(name)
    folder = paths.output_dir(profile)
    meta = {"png": {"Software": None}, "pdf": {"CreationDate": None, "ModDate": None, "Producer": None,
                                                "Creator": None}}
    written = []
    for fmt in formats:
        target = folder / f"{name}.{fmt}"
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=fmt, metadata=meta.get(fmt))
        written.append(target)
    write_json(folder / f"{name}.provenance.json", _provenance(name, profile, "figure", provenance))
    return written[0]


def save_table(df, name: str, *, profile: str, index: bool = False, float_format: str = "%.4g",
               caption: str = "", provenance: dict | None = None) -> Path:
    """Save a DataFrame as CSV, Markdown and LaTeX (booktabs) atomically; return the CSV path."""
    _check_name(name)
    folder = paths.output_dir(profile)
    csv = folder / f"{name}.csv"
    write_text(csv, df.to_csv(index=index, float_format=float_format))
    write_text(folder / f"{name}.md", df.to_markdown(index=index, floatfmt=".4g") + "\n")
    latex = df.to_latex(index=index, float_format=lambda x: float_format % x, caption=caption or None,
                        label=f"tab:{name}", escape=True)
    # pandas emits \toprule/\midrule/\bottomrule: booktabs style
    write_text(folder / f"{name}.tex", latex)
    write_json(folder / f"{name}.provenance.json", _provenance(name, profile, "table", provenance))
    return csv
