"""The workshop kit: a self-contained folder (and zip) for attendees.

    python -m paperlib.companion.workshop [--out build/workshop] [--no-timing] [--readme-times]

    python -m paperlib.companion.workshop --only 02_hurnet_closed_form 13_bk_core   # a kit of some notebooks

It holds the notebooks with outputs cleared and the smoke profile as their defaults, the library and the
small data files they need, the environment files, the committed ledger and figures (notebook 00 and the
headline quotes read them), the "try it" solutions where every notebook says they are
(`notebooks/exercises/`), and a facilitator guide: a two-hour plan (:data:`TRACK`: learning goals, minutes
per exercise, discussion prompts), offline troubleshooting, and each notebook's smoke run time measured here
by executing it under smoke. With --readme-times (`make readme-times`) the same timings also replace the
tracked README's smoke-times table (between its markers, in the section for teachers); without it the README
is never written. Building writes only under the output folder and build/: the work tree stays clean.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from paperlib.common import paths
from paperlib.common.atomic import replace_dir
from paperlib.common.measure import fingerprint

SOLUTIONS = paths.NOTEBOOKS / "exercises"
KIT_SOLUTIONS = Path("notebooks") / "exercises"  # where every notebook's "Solution:" line points


@dataclass(frozen=True)
class Stop:
    """One block of the session: the notebooks it opens, its minutes, what attendees should take away, the
    "Try it" exercises it uses ((notebook, title as posed, minutes); `optional` ones for fast groups) and the
    questions to put to the room."""
    title: str
    minutes: int
    notebooks: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    exercises: tuple[tuple[str, str, int], ...] = ()
    optional: tuple[tuple[str, str, int], ...] = ()
    prompts: tuple[str, ...] = ()


# The track the material supports (issue 21): 02 -> 13 -> 11 -> 21/20, with 30 as a stretch. Exercise titles
# are the notebooks' "### Try it:" headings (a test checks each is posed, and that the minutes add up).
TRACK: tuple[Stop, ...] = (
    Stop("Welcome: claims and verdicts", 10, ("00_claims_overview",),
         goals=("A claim is a sentence of a paper with a stable ID; a verdict is the return value of a tested "
                "decision rule, not an opinion.",
                "`refuted` (a mathematical statement shown false) is not `not-reproduced` (measured honestly, "
                "does not hold); `pending` waits for a GPU.",
                "Everyone's set-up works: `make lab`, open `00_claims_overview`, Run All."),
         prompts=("Pick a refuted claim and a not-reproduced one in the table: what kind of evidence settles each?",)),
    Stop("HurNet's closed form is least squares", 25, ("02_hurnet_closed_form",),
         goals=("The \"closed form\" $W = (X^\\top X)^{-1}X^\\top Y$ is ordinary least squares; solvers never form "
                "the inverse, and the pseudo-inverse (SVD) gives the minimum-norm solution when $X^\\top X$ is "
                "singular.",
                "Test an inequality by trying to break it: Eq. 11's bound changes its truth with the units of $X$.",
                "\"Real time without epochs\" is a claim about cost: one least-squares solve instead of many "
                "passes, and `partial_fit` adds rows without a refit."),
         exercises=(("02_hurnet_closed_form", "Write it yourself: the ridge-regularised closed form", 10),),
         optional=(("02_hurnet_closed_form", "Rescale X and watch Eq. 11's bound", 8),),
         prompts=("If multiplying $X$ by a constant turns a bound from false to true, what was the bound "
                  "actually about? What would a scale-free statement compare the residual with?",
                  "As $\\lambda \\to 0$ and $\\lambda \\to \\infty$, what does the ridge fit become, and why does "
                  "the bias stay unpenalised?",
                  "When does a closed-form fit stop being cheaper than a few epochs of gradient descent?")),
    Stop("The BK-Core op: an O(N) resolvent diagonal", 25, ("13_bk_core",),
         goals=("The diagonal of a tridiagonal resolvent comes from two recurrences (leading and trailing "
                "minors) in $O(N)$.",
                "The products $\\theta_i$ as printed grow geometrically and overflow; ratios (a continued fraction) "
                "are the same mathematics and stay finite.",
                "A recurrence that is a product of $2 \\times 2$ matrices is an associative scan, hence parallel; "
                "exactness is checked against a float64 reference, speed against a plain C loop."),
         exercises=(("13_bk_core", "Raise N: naive theta products vs the normalized scan", 10),),
         optional=(("13_bk_core", "Write it yourself: the causal diagonal as a continued fraction", 12),),
         prompts=("The paper claims stability to 32k tokens: stability of which algorithm? Would the recurrence "
                  "as printed pass the test?",
                  "Predict the overflow token from the plotted $\\log_{10}|\\theta_i|$ line before you run: "
                  "what sets its slope?",
                  "\"O(N)\" on a GPU and on one CPU core: what does each mean for wall-clock time?")),
    Stop("Break", 5),
    Stop("Prime-Bump and \"the GUE fit\": testing a statistical claim", 25, ("11_prime_bump_gue",),
         goals=("Nearest-neighbour spacings, unfolding, and the three reference laws (Poisson, GOE and GUE "
                "Wigner surmises); the paper's Eq. 6 is the GOE surmise.",
                "A test needs controls with known answers (sampled GOE, GUE and Poisson spectra; $V = 0$) to "
                "show it has the power to tell the laws apart at the sizes used.",
                "KS distance (the largest gap between two cumulative distributions) against its critical value; "
                "the unfolding-free ratio $\\langle r \\rangle$.",
                "Why the bulk is a picket fence: a finite-rank perturbation of the Laplacian barely moves its "
                "levels (interlacing)."),
         exercises=(("11_prime_bump_gue", "Shrink the validation spectra and watch the pipeline's power", 10),),
         optional=(("11_prime_bump_gue", "Change eps and watch the spacing statistics", 8),),
         prompts=("A \"fit error of about 0.3\" against which alternative? What would the Poisson and GOE controls "
                  "have shown at the same size?",
                  "A real symmetric matrix is time-reversal invariant: which class could it belong to at most?",
                  "With 30 levels, is a GOE sample \"not rejected\" by the GUE surmise? What does one KS distance "
                  "at N = 256 then tell you?")),
    Stop("SCTA: measuring a speedup honestly", 25, ("21_scta_speedup_vs_vocab", "20_scta_method"),
         goals=("Where the $O(V)$ cost of a training step lives: CE's logits, and the optimizer step over "
                "$V$-row tables (dense AdamW) even when the loss is $O(K D_\\text{sem})$.",
                "A speedup is a ratio of step times with a shared part (the GRU): it grows with $V$ towards a "
                "ceiling set by the per-row costs and by the tokens per step.",
                "Honest timing: warm-up steps, medians and their spread, a no-head floor, and the machine named.",
                "An SCTA loss ($(K{+}1)$-way, chance $\\log(K{+}1)$) cannot be compared with a CE loss ($V$-way, "
                "chance $\\log V$) (notebook 20, section 2)."),
         exercises=(("21_scta_speedup_vs_vocab", "Move V and watch the speedup", 10),),
         optional=(("20_scta_method", "Change the number of negatives K", 8),),
         prompts=("Your neighbour's speedups differ from yours: which numbers should agree between machines and "
                  "which should not?",
                  "Why do sparse tables make SCTA's step independent of $V$ while dense ones do not?",
                  "The paper reads lower SCTA loss values as \"lower loss\": what would a fair quality comparison "
                  "measure instead?")),
    Stop("Wrap-up", 5, ("00_claims_overview",),
         goals=("Each paper's story at the top of notebook 00 in your own words: what held, what did not, and "
                "which evidence decided it.",),
         prompts=("Which of today's measurements would you trust on another machine, and which would you re-run?",
                  "Which claim would you test next, and what would be its decision rule?")),
)
# For groups that finish early: OLS as one linear-attention layer closes the loop with HurNet (02).
STRETCH = Stop("Stretch: least squares inside attention", 20, ("30_ols_linear_attention",),
               goals=("The OLS solution of 02 read out by one linear-attention layer from its context: no weight "
                      "is fitted to $Y$.",
                      "Slow memory (the weights) and fast memory (the context): which one limits the answer."),
               exercises=(("30_ols_linear_attention", "Write it yourself: least squares as one linear-attention "
                                                      "layer", 15),),
               optional=(("30_ols_linear_attention", "Grow the slow memory", 8),),
               prompts=("HurNet fits $W$ to $Y$ once; attention reads $Y$ from its context each time: what does each "
                        "cost, and when is each exact?",))


def _stop_markdown(stop: Stop, timings: dict[str, float | None], start: int) -> list[str]:
    when = f"{start // 60}:{start % 60:02d}-{(start + stop.minutes) // 60}:{(start + stop.minutes) % 60:02d}"
    names = ", ".join(f"`{n}`" for n in stop.notebooks)
    head = f"### {when} · {stop.title} ({stop.minutes} min)" + (f": {names}" if names else "")
    lines = [head, ""]
    runs = [f"`{n}` {timings[n]:.0f} s" for n in stop.notebooks if timings.get(n) is not None]
    if runs:
        lines += [f"Run All under smoke on the machine that built this kit: {', '.join(runs)}.", ""]
    if stop.goals:
        lines += ["Learning goals:", ""] + [f"* {g}" for g in stop.goals] + [""]
    if stop.exercises or stop.optional:
        lines += ["Exercises (the notebook's \"Try it\" cells; solutions in `notebooks/exercises/`):", ""]
        lines += [f"* {m} min: *{t}* (`{n}`)" for n, t, m in stop.exercises]
        lines += [f"* optional, {m} min, for fast groups: *{t}* (`{n}`)" for n, t, m in stop.optional]
        lines.append("")
    if stop.prompts:
        lines += ["Discussion prompts:", ""] + [f"* {p}" for p in stop.prompts] + [""]
    return lines


TROUBLESHOOTING = """## Offline troubleshooting

Nothing in the smoke profile needs the network once `make setup` has run: the corpora are embedded
(chatterbot dialogs), the sentence encoder is an installed package that the library loads with the Hugging Face
hub switched off, and `make data` is not needed.

* **No network in the room.** `make setup` is the only step that downloads. Run it before the day, or bring a
  wheelhouse built on a connected machine like the attendees' (the last two packages build the library):

  ```bash
  python -m pip download -d wheelhouse -c constraints.txt "torch==2.13.0" ".[lab]" "setuptools>=68" wheel
  PIP_NO_INDEX=1 PIP_FIND_LINKS=$PWD/wheelhouse make setup EXTRAS=lab   # in the room, in the kit's folder
  ```

  The kit ships no tests, so the `lab` extra is all attendees need.
* **`make lab` opens but the notebook asks for a kernel, or the `paperlib` kernel is missing.** Register it
  again: `.venv/bin/python -m paperlib.companion.jupyter_kernel`, then reload the page.
* **`ModuleNotFoundError: paperlib`.** The kernel is not the project's: choose the `paperlib` kernel
  (Kernel > Change Kernel), or run `make setup` in the kit's folder, which installs the library in editable mode.
* **A cell fails after an exercise's change.** Cells depend on the ones above them: re-run from the
  parameters cell down to the section. Kernel > Restart Kernel and Run All Cells returns to the defaults after
  undoing the change; a fresh copy of any notebook is in `workshop.zip`.
* **Times differ from the table below, or between neighbours.** Timing cells measure the machine they run on
  (its CPU, its threads, what else it is running), so their numbers differ between laptops; that is a
  discussion point, not a fault. The table's times are for the smoke defaults: the larger values an exercise
  suggests run longer.
* **Where outputs go.** Figures, tables and the ledger a notebook saves go under `build/smoke/`; notebook 00
  and the headline quotes read the committed ledger shipped in `figures/claims.json` (and its figures in
  `figures/<profile>/`).
"""


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


def plan_markdown(timings: dict[str, float | None], names: list[str] | None = None) -> str:
    """The session plan: the stops of :data:`TRACK` whose notebooks are in the kit (all of them, the break
    included, in a full kit: two hours), then the stretch; start and end times in h:mm from the start."""
    have = set(timings if names is None else names)
    full = all(n in have for s in TRACK for n in s.notebooks)
    stops = [s for s in TRACK if (s.notebooks or full) and all(n in have for n in s.notebooks)]
    total = sum(s.minutes for s in stops)
    hours = f"{total // 60}-hour" if total % 60 == 0 else f"{total}-minute"
    route = " -> ".join("/".join(n[:2] for n in s.notebooks) for s in stops
                        if s.notebooks and s.notebooks != ("00_claims_overview",))
    stretch = all(n in have for n in STRETCH.notebooks)
    lines = [f"## A {hours} session: {route or 'notebook 00'}{', with 30 as a stretch' if stretch else ''}", "",
             "Each block: attendees Run All first (seconds under smoke), read the chapter's sections with you, then "
             "try the exercise; the solutions are in `notebooks/exercises/` (hand them out afterwards, or remove the "
             "folder before sharing the kit if attendees should not see them yet). Minutes are a plan, not a clock: "
             "cut an optional exercise before cutting a discussion.", ""]
    start = 0
    for stop in stops:
        lines += _stop_markdown(stop, timings, start)
        start += stop.minutes
    if stretch:
        lines += _stop_markdown(STRETCH, timings, start)
    return "\n".join(lines)


def guide(timings: dict[str, float | None], exs: dict[str, list[str]]) -> str:
    fp = fingerprint()
    lines = ["# Facilitator guide", "",
             "Attendees install once (`make setup EXTRAS=lab`, or `make setup`), then open `make lab`. Every",
             "notebook's defaults are the `smoke` profile: small sizes that run in seconds. Solutions to the",
             "\"Try it\" exercises are in `notebooks/exercises/`, where every notebook's \"Solution:\" line points;",
             "each has a `check()` that computes the answer at smoke sizes; run one with", "",
             "```bash", "f=notebooks/exercises/13_bk_core__naive_overflow.py",
             ".venv/bin/python -c \"import runpy, sys; print(runpy.run_path(sys.argv[1])['check']())\" $f", "```",
             "", plan_markdown(timings), TROUBLESHOOTING,
             "## Smoke run times and exercises", "",
             f"Timings measured when this kit was built, on {fp['device']} (torch {fp['torch']}),",
             "executing each notebook from a fresh kernel:", "",
             "| notebook | smoke run (s) | try-it exercises |", "|---|---|---|"]
    for name, secs in timings.items():
        t = "not measured" if secs is None else f"{secs:.0f}"
        lines.append(f"| `{name}` | {t} | {'; '.join(exs.get(name, [])) or '—'} |")
    total = sum(t for t in timings.values() if t is not None)
    lines += ["", f"Total execution time: {total:.0f} s.", "",
              "## The papers", "", "Cite them as:", ""]
    lines += [f"* {c}" for c in citations_markdown()] + [""]
    return "\n".join(lines)


def citations_markdown() -> list[str]:
    from paperlib.companion.book import CITATIONS

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


def ship_figures(dest: Path) -> None:
    """The committed ledger (claims.json, CLAIMS.md), the published figures' PNGs and chapters: notebook 00 quotes
    figures/claims.json and shows thumbnails of figures/<profile>/*.png, every chapter's headline quotes read
    figures/claims.json, and the README's "Start here" links the published chapters (to read beside a smoke run)."""
    dest.mkdir(parents=True)
    for name in ("claims.json", "CLAIMS.md"):
        shutil.copy(paths.FIGURES / name, dest / name)
    for profile in paths.PUBLISHED_PROFILES:
        src = paths.FIGURES / profile
        files = sorted(src.glob("*.png")) + sorted(src.glob("notebooks/[0-9][0-9]_*.ipynb"))
        for f in files:
            target = dest / f.relative_to(paths.FIGURES)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(f, target)


def build(out: Path | None = None, timing: bool = True, readme_times: bool = False,
          only: list[str] | None = None) -> Path:
    """The kit in `out` (and `out`.zip); `only`: these notebooks (and their solutions) instead of all;
    `readme_times`: also write the measured times into the tracked README. Writes under `out`'s folder and
    build/ only."""
    if readme_times and not timing:
        raise ValueError("readme_times needs timing: the README's table is what this run measured")
    if readme_times and only:
        raise ValueError("readme_times needs every notebook: the README's table has one row per notebook")
    out = Path(out) if out is not None else paths.BUILD / "workshop"
    tmp = out.with_name(out.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    names = sorted(p.stem for p in paths.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if only:
        unknown = sorted(set(only) - set(names))
        if unknown:
            raise ValueError(f"no stored notebook {', '.join(unknown)}; known: {', '.join(names)}")
        names = [n for n in names if n in set(only)]
    (tmp / "notebooks" / "params").mkdir(parents=True)
    for name in names:
        nbformat.write(cleared(name), str(tmp / "notebooks" / f"{name}.ipynb"))
        params = paths.PARAMS / f"{name}.yaml"
        if params.is_file():
            shutil.copy(params, tmp / "notebooks" / "params" / params.name)
    ignore = shutil.ignore_patterns("__pycache__", "cache", "*.pyc")
    shutil.copytree(paths.ROOT / "paperlib", tmp / "paperlib", ignore=ignore)
    shutil.copytree(paths.DATA, tmp / "data", ignore=ignore)
    for f in ("pyproject.toml", "constraints.txt", "environment.yml", "Makefile", "README.md"):
        shutil.copy(paths.ROOT / f, tmp / f)
    ship_figures(tmp / "figures")
    (tmp / KIT_SOLUTIONS).mkdir()
    for f in sorted(SOLUTIONS.glob("[0-9][0-9]_*__*.py")):
        if f.name.split("__")[0] in names:
            shutil.copy(f, tmp / KIT_SOLUTIONS / f.name)
    timings: dict[str, float | None] = {}
    for name in names:
        if timing:
            print(f"[workshop] timing {name} under smoke ...", flush=True)
            timings[name] = time_notebook(name)
        else:
            timings[name] = None
    exs = {n: t for n, t in exercises().items() if n in names}
    (tmp / "FACILITATOR.md").write_text(guide(timings, exs), encoding="utf-8")
    if readme_times and update_readme_times(timings):
        shutil.copy(paths.README, tmp / "README.md")  # the kit's README shows the fresh table too
        print(f"[workshop] README.md: smoke run times refreshed ({paths.README})", flush=True)
    replace_dir(tmp, out)  # the finished folder replaces the old one in one step
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
    ap.add_argument("--only", nargs="+", metavar="NOTEBOOK",
                    help="a kit of these notebooks (and their solutions) only, e.g. the session's track")
    args = ap.parse_args(argv)
    if args.readme_times and args.no_timing:
        ap.error("--readme-times needs the timing run (drop --no-timing)")
    if args.readme_times and args.only:
        ap.error("--readme-times needs every notebook (drop --only)")
    build(args.out, timing=not args.no_timing, readme_times=args.readme_times, only=args.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
