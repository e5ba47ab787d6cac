"""The workshop kit: a self-contained folder (and zip) for attendees.

    python -m paperlib.companion.workshop [--out build/workshop] [--no-timing] [--readme-times]

It holds the notebooks with outputs cleared and the smoke profile as their defaults, the library and the
small data files they need, the environment files, a facilitator guide whose per-notebook timings are
measured here by executing every notebook under smoke, and the "try it" solutions in a separate folder.
With --readme-times (`make readme-times`) the same timings also replace the tracked README's "Start here" table
(between its smoke-times markers); without it the README is never written.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import shutil
import sys
from pathlib import Path

import nbformat

from paperlib.common import paths
from paperlib.common.measure import fingerprint

SOLUTIONS = paths.NOTEBOOKS / "exercises"


def cleared(name: str):
    from nbconvert.preprocessors import ClearMetadataPreprocessor, ClearOutputPreprocessor

    nb = nbformat.read(paths.NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nb, _ = ClearOutputPreprocessor().preprocess(nb, {})
    nb, _ = ClearMetadataPreprocessor(preserve_cell_metadata_mask=["tags"]).preprocess(nb, {})
    nb.metadata["kernelspec"] = {"display_name": "paperlib", "language": "python", "name": "paperlib"}
    return nb


def time_notebook(name: str, timeout: int = 600) -> float:
    """Seconds to execute one notebook under smoke on this machine (fresh kernel; outputs discarded)."""
    from paperlib.companion.pipeline import execute_smoke

    return execute_smoke(name, paths.BUILD / "workshop-timing", timeout=timeout)[1]


def exercises() -> dict[str, list[str]]:
    """Exercise titles per notebook: markdown cells of the stored notebooks that start with '### Try it'."""
    out: dict[str, list[str]] = {}
    for ipynb in sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(ipynb, as_version=4)
        titles = [c.source.splitlines()[0].replace("### Try it:", "").strip() for c in nb.cells
                  if c.cell_type == "markdown" and c.source.startswith("### Try it")]
        if titles:
            out[ipynb.stem] = titles
    return out


def guide(timings: dict[str, float | None], exs: dict[str, list[str]]) -> str:
    fp = fingerprint()
    lines = ["# Facilitator guide", "",
             "Attendees install once (`make setup`), then open",
             "`make lab`. Every notebook's defaults are the `smoke` profile: small sizes that run in seconds.",
             "", f"Timings measured when this kit was built, on {fp['device']} (torch {fp['torch']}),",
             "executing each notebook from a fresh kernel:", "",
             "| notebook | smoke run (s) | try-it exercises |", "|---|---|---|"]
    for name, secs in timings.items():
        t = "not measured" if secs is None else f"{secs:.0f}"
        lines.append(f"| `{name}` | {t} | {'; '.join(exs.get(name, [])) or '—'} |")
    total = sum(t for t in timings.values() if t is not None)
    lines += ["", f"Total execution time: {total:.0f} s. Budget reading and discussion on top: about 15–25",
              "minutes per chapter notebook is comfortable.", "",
              "Solutions to the exercises are in `solutions/` (each is a script whose `check()` is run by the",
              "companion's test suite); hand them out after the session.", "",
              "## The papers", "", "Cite them as:", ""]
    lines += [f"* {c}" for c in citations_markdown()] + [""]
    return "\n".join(lines)


def citations_markdown() -> list[str]:
    from paperlib.companion.site import CITATIONS

    return [cite_markdown(c) for c in CITATIONS]


def cite_markdown(c: dict) -> str:
    """One citation as Markdown: authors (year). *Title*. identifiers. (chapters)."""
    ids = "; ".join(f"[{label}]({url})" for label, url in c["ids"]) or "No public identifier"
    return f"{c['authors']} ({c['year']}). *{c['title']}*. {ids}. {c['note'][0].upper() + c['note'][1:]}; " \
           f"companion notebooks {c['chapters']}."


TIMES_START, TIMES_END = "<!-- smoke-times:start -->", "<!-- smoke-times:end -->"


def times_table(timings: dict[str, float | None], device: str, when: str) -> str:
    """The README's table of smoke run times (what `make readme-times` measured)."""
    lines = [f"Measured by `make readme-times` on {when} on {device}, each notebook from a fresh kernel:", "",
             "| notebook | smoke run (s) |", "|---|---:|"]
    lines += [f"| `{n}` | {'not measured' if s is None else f'{s:.0f}'} |" for n, s in timings.items()]
    measured = [s for s in timings.values() if s is not None]
    if measured:
        lines.append(f"| total | {sum(measured):.0f} |")
    return "\n".join(lines)


def update_readme_times(timings: dict[str, float | None], readme: Path | None = None) -> bool:
    """Replace the README's smoke-times table; False (nothing written) when its markers are absent."""
    from paperlib.common.atomic import replace_between_markers

    when = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d")
    table = times_table(timings, fingerprint()["device"], when)
    return replace_between_markers(readme if readme is not None else paths.README, TIMES_START, TIMES_END, table)


def build(out: Path | None = None, timing: bool = True, readme_times: bool = False) -> Path:
    """The kit in `out` (and `out`.zip); `readme_times`: also write the measured times into the tracked README."""
    if readme_times and not timing:
        raise ValueError("readme_times needs timing: the README's table is what this run measured")
    out = Path(out) if out is not None else paths.BUILD / "workshop"
    tmp = out.with_name(out.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    names = sorted(p.stem for p in paths.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    (tmp / "notebooks" / "params").mkdir(parents=True)
    for name in names:
        nbformat.write(cleared(name), str(tmp / "notebooks" / f"{name}.ipynb"))
    for f in paths.PARAMS.glob("*.yaml"):
        shutil.copy(f, tmp / "notebooks" / "params" / f.name)
    ignore = shutil.ignore_patterns("__pycache__", "cache", "*.pyc")
    shutil.copytree(paths.ROOT / "paperlib", tmp / "paperlib", ignore=ignore)
    shutil.copytree(paths.DATA, tmp / "data", ignore=ignore)
    for f in ("pyproject.toml", "constraints.txt", "environment.yml", "Makefile", "README.md"):
        shutil.copy(paths.ROOT / f, tmp / f)
    (tmp / "figures").mkdir()
    if SOLUTIONS.is_dir():
        shutil.copytree(SOLUTIONS, tmp / "solutions", ignore=ignore)
    timings: dict[str, float | None] = {}
    for name in names:
        if timing:
            print(f"[workshop] timing {name} under smoke ...", flush=True)
            timings[name] = time_notebook(name)
        else:
            timings[name] = None
    (tmp / "FACILITATOR.md").write_text(guide(timings, exercises()), encoding="utf-8")
    if readme_times and update_readme_times(timings):
        shutil.copy(paths.README, tmp / "README.md")  # the kit's README shows the fresh table too
        print(f"[workshop] README.md: smoke run times refreshed ({paths.README})", flush=True)
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    archive = shutil.make_archive(str(out), "zip", root_dir=out.parent, base_dir=out.name)
    print(f"workshop kit: {out}/ and {archive}")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m paperlib.companion.workshop", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=paths.BUILD / "workshop")
    ap.add_argument("--no-timing", action="store_true", help="skip executing the notebooks to time them")
    ap.add_argument("--readme-times", action="store_true",
                    help="also write the measured smoke times into the tracked README.md (between its markers)")
    args = ap.parse_args(argv)
    if args.readme_times and args.no_timing:
        ap.error("--readme-times needs the timing run (drop --no-timing)")
    build(args.out, timing=not args.no_timing, readme_times=args.readme_times)
    return 0


if __name__ == "__main__":
    sys.exit(main())
