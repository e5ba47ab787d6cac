"""Progress bars that behave in three places: a terminal, papermill logs, and CI.

Bars are off when CI is set or PAPERLIB_PROGRESS=0; when stderr is not a terminal (papermill, log files)
they update rarely and on new lines instead of carriage-return spam.
"""
from __future__ import annotations

import os
import sys


def enabled() -> bool:
    flag = os.environ.get("PAPERLIB_PROGRESS")
    if flag is not None:
        return flag not in ("0", "false", "no", "")
    return not os.environ.get("CI")


def progress(iterable=None, *, desc: str = "", total: int | None = None, **kwargs):
    interactive = sys.stderr.isatty()
    defaults = dict(desc=desc, total=total, disable=not enabled(), dynamic_ncols=interactive,
                    leave=True, file=sys.stderr)
    if not interactive:
        defaults.update(mininterval=10.0, ascii=True, ncols=80)
        from tqdm import tqdm as plain  # the notebook widget needs a browser; logs want plain text

        return plain(iterable, **{**defaults, **kwargs})
    from tqdm.auto import tqdm  # imported only here: in a kernel without ipywidgets it warns (with a venv path)

    return tqdm(iterable, **{**defaults, **kwargs})
