"""What a chapter shows a reader: tables as tables, findings as prose, the machine as a sentence.

Each object has an HTML or Markdown form (Jupyter, the reading edition) and the same content as plain text
(nbval compares it; a terminal prints it), so a chapter never prints ``df.to_string()`` or a raw dict.

    ch.show(df, floatfmt="{:.3g}", caption="Table 2 beside this run")   # an HTML table
    ch.finding(f"The MLP gate beats the router by {gain:.1%} ...")      # Markdown prose, numbers from the run
"""
from __future__ import annotations

import html
from typing import Any, Callable, Mapping

__all__ = ["Table", "Prose", "format_value", "machine_sentence"]


def format_value(v: Any, floatfmt: str | Callable[[float], str] = "{:.4g}") -> str:
    """A cell as a reader reads it: floats through `floatfmt`, NaN/None as an empty cell, the rest as str."""
    import math

    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        return floatfmt(v) if callable(floatfmt) else floatfmt.format(v)
    try:  # numpy scalars
        import numpy as np

        if isinstance(v, np.floating):
            return format_value(float(v), floatfmt)
        if isinstance(v, np.integer):
            return str(int(v))
    except ImportError:  # pragma: no cover - numpy is a core dependency
        pass
    return str(v)


NUM = ' class="num" style="text-align: right"'


class Table:
    """A DataFrame shown as a table: HTML for Jupyter and the book, aligned text for nbval and terminals.

    `floatfmt` formats every float (a format string or a callable), `formats` overrides it per column,
    `index` keeps the DataFrame's index as leading columns, `caption` titles the table, and `max_rows`
    refuses a wall of numbers (pivot or trim it instead: a reader reads the columns they need)."""

    def __init__(self, df, *, floatfmt: str | Callable[[float], str] = "{:.4g}",
                 formats: Mapping[str, str | Callable[[float], str]] | None = None, index: bool = False,
                 caption: str | None = None, max_rows: int = 60):
        if index:
            df = df.reset_index()
        if len(df) > max_rows:
            raise ValueError(f"a table of {len(df)} rows is too long to read (max_rows={max_rows}): "
                             "pivot it or keep the rows a reader needs")
        formats = dict(formats or {})
        self.caption = caption
        self.columns = [str(c) for c in df.columns]
        self.rows = [[format_value(v, formats.get(c, floatfmt)) for c, v in zip(df.columns, row)]
                     for row in df.itertuples(index=False, name=None)]
        self.numeric = [df[c].dtype.kind in "iuf" for c in df.columns]

    def _repr_html_(self) -> str:
        def cells(tag, values):
            return "".join(f"<{tag}{NUM if num else ''}>{html.escape(v)}</{tag}>"
                           for v, num in zip(values, self.numeric))

        cap = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        body = "".join(f"<tr>{cells('td', r)}</tr>" for r in self.rows)
        return (f'<table class="paperlib-table">{cap}<thead><tr>{cells("th", self.columns)}</tr></thead>'
                f"<tbody>{body}</tbody></table>")

    def __repr__(self) -> str:
        widths = [max([len(c)] + [len(r[i]) for r in self.rows]) for i, c in enumerate(self.columns)]

        def line(values):
            return "  ".join(v.rjust(w) if num else v.ljust(w)
                             for v, w, num in zip(values, widths, self.numeric)).rstrip()

        out = ([self.caption] if self.caption else []) + [line(self.columns)] + [line(r) for r in self.rows]
        return "\n".join(out)


class Prose:
    """A passage rendered from measured values: Markdown in Jupyter and the book (math included), the same
    text in plain form for nbval."""

    def __init__(self, text: str):
        self.text = text.strip()

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text


def machine_sentence(fp: Mapping[str, Any]) -> str:
    """Where a timing was measured, in words (from common.measure.fingerprint())."""
    if str(fp.get("device", "")).startswith("cuda"):
        where = fp["device"].split(": ", 1)[-1]
    else:
        n = fp.get("threads")
        where = f"{fp.get('cpu', 'a CPU')}, {n} thread{'s' if n != 1 else ''}"
    return f"Measured on {where}, with torch {fp.get('torch')}."
