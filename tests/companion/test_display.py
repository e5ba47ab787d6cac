"""Tables as tables and findings as prose (companion.display): the HTML and the text forms say the same."""
import math

import numpy as np
import pandas as pd
import pytest

from paperlib.companion.display import Prose, Table, format_value, machine_sentence


def test_table_html_and_text_carry_the_same_cells():
    df = pd.DataFrame({"V": [5000, 100000], "ratio": [1.6123, 5.7], "note": ["a<b", None]})
    t = Table(df, floatfmt="{:.2f}", caption="ratios")
    html, text = t._repr_html_(), repr(t)
    for cell in ("5000", "100000", "1.61", "5.70"):
        assert cell in html and cell in text
    assert "a&lt;b" in html and "a<b" in text  # escaped in HTML only
    assert html.count("<tr>") == 3 and text.splitlines()[0] == "ratios"


def test_table_formats_per_column_keeps_index_and_refuses_walls():
    df = pd.DataFrame({"x": [0.123456]}, index=pd.Index(["row"], name="name"))
    t = Table(df, index=True, formats={"x": "{:.1%}"})
    assert t.columns == ["name", "x"] and t.rows == [["row", "12.3%"]]
    with pytest.raises(ValueError, match="too long to read"):
        Table(pd.DataFrame({"x": range(61)}))


def test_format_value_reads_numpy_and_missing_cells():
    assert format_value(np.float32(0.5), "{:.2f}") == "0.50" and format_value(np.int64(3)) == "3"
    assert format_value(math.nan) == "" and format_value(None) == "" and format_value(True) == "True"
    assert format_value(2.0, lambda v: f"{v:g}x") == "2x"


def test_prose_and_machine_sentence():
    p = Prose("  The ratio is $1.6\\times$.  ")
    assert p._repr_markdown_() == repr(p) == "The ratio is $1.6\\times$."
    assert machine_sentence({"device": "cpu: Xeon (1 threads)", "cpu": "Xeon", "threads": 1, "torch": "2.13"}) == \
        "Measured on Xeon, 1 thread, with torch 2.13."
    assert machine_sentence({"device": "cuda: H100 (80 GiB)", "torch": "2.11"}) == "Measured on H100 (80 GiB), with torch 2.11."
