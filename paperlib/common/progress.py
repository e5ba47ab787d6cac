"""Progress bars that behave in three places: a terminal, papermill logs, and CI.

Bars are off when CI is set or PAPERLIB_PROGRESS=0; when stderr is not a terminal (log files) they update
rarely and on new lines instead of carriage-return spam. When PAPERLIB_PROGRESS_FILE names a file (the pipeline
sets it for the notebooks it executes) bars are appended there, not to the notebook: the pipeline echoes that
file on the terminal running `make figures`, and the stored chapter carries no progress bars.
"""
from __future__ import annotations

import os
import sys


def enabled() -> bool:
    flag = os.environ.get("PAPERLIB_PROGRESS")
    if flag is not None:
        return flag not in ("0", "false", "no", "")
    return not os.environ.get("CI")


class _NoBar:
    """What `progress` returns without tqdm (a GPU machine's bare Python): the iterable, and no-op bar methods."""

    def __init__(self, iterable=None, **_):
        self.iterable = iterable if iterable is not None else ()

    def __iter__(self):
        return iter(self.iterable)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, *a, **k): ...
    def set_postfix(self, *a, **k): ...
    def set_description(self, *a, **k): ...
    def write(self, s, *a, **k): print(s, file=sys.stderr)
    def close(self): ...


def progress(iterable=None, *, desc: str = "", total: int | None = None, **kwargs):
    if not enabled():
        try:
            import importlib

            importlib.import_module("tqdm")  # with tqdm present, a disabled bar is still a tqdm object
        except ImportError:
            return _NoBar(iterable)
    target = os.environ.get("PAPERLIB_PROGRESS_FILE")
    if target and enabled():
        from tqdm import tqdm as plain

        stream = open(target, "a", buffering=1)  # noqa: SIM115 - lives as long as the bar; closed by the OS
        return plain(iterable, **{**dict(desc=desc, total=total, leave=True, file=stream, mininterval=10.0,
                                         ascii=True, ncols=80), **kwargs})
    interactive = sys.stderr.isatty()
    defaults = dict(desc=desc, total=total, disable=not enabled(), dynamic_ncols=interactive,
                    leave=True, file=sys.stderr)
    if not interactive:
        defaults.update(mininterval=10.0, ascii=True, ncols=80)
        from tqdm import tqdm as plain  # the notebook widget needs a browser; logs want plain text

        return plain(iterable, **{**defaults, **kwargs})
    from tqdm.auto import tqdm  # imported only here: in a kernel without ipywidgets it warns (with a venv path)

    return tqdm(iterable, **{**defaults, **kwargs})
