"""`make verify`: re-run chapters into build/ and compare their verdicts with the committed ledger.

    python -m paperlib.companion.verify [--profile cpu] [--paper resnet-bk] [--only 13_bk_core ...]

A reviewer checks the published verdicts without reading a diff of figures/: the chosen notebooks (default:
every chapter; ``--paper`` keeps the chapters that decide that paper's claims) run under the profile (cpu by
default) into ``build/verify/<profile>/``, never into figures/ or any tracked file. Each claim they record is
put beside its committed record of the same profile (``figures/<profile>/ledger/``; for a profile with no
published ledger, the headline in figures/claims.json): both verdicts, both measured values, and, where both
records carry a number with its spread (``Verdict.value``/``spread``: an IQR, a seed range), whether the values
agree within the spreads; both runs' machine and commit. The comparison is printed and written as Markdown and
HTML (atomically) to build/verify/<profile>/verify.{md,html}. Exit status 1 when any verdict differs or a
chapter fails, else 0.
"""
from __future__ import annotations

import argparse
import html
import json
import sys
from pathlib import Path

from paperlib.common import paths
from paperlib.common.atomic import write_text

__all__ = ["select", "committed_records", "compare", "agreement", "render_markdown", "render_html", "main"]


def select(paper: str | None = None, only: list[str] | None = None, registry=None) -> list[str]:
    """The chapters to run: `only` (validated), else those deciding `paper`'s claims, else every chapter but
    the overview (which reads the ledger rather than deciding claims)."""
    from paperlib.companion import ledger
    from paperlib.companion.pipeline import notebooks

    names = notebooks(only)
    if paper:
        reg = registry if registry is not None else ledger.load_registry()
        papers = sorted({c.paper for c in reg.values()})
        if paper not in papers:
            raise ValueError(f"unknown paper {paper!r}; known: {', '.join(papers)}")
        decide = {c.notebook for c in reg.values() if c.paper == paper}
        names = [n for n in names if n in decide]
    return [n for n in names if not n.startswith("00_")] if not only else names


def committed_records(profile: str, figures: Path | None = None) -> dict[str, dict]:
    """The committed record per claim for `profile`: figures/<profile>/ledger/ (the notebooks' own runs; a GPU
    run's file is preferred where both exist), else the headline records of figures/claims.json."""
    figures = paths.FIGURES if figures is None else Path(figures)
    folder = figures / profile / "ledger"
    out: dict[str, dict] = {}
    if folder.is_dir():
        for f in sorted(folder.glob("*.json")):
            for r in json.loads(f.read_text())["records"]:
                out[r["id"]] = r
        return out
    try:
        return {r["id"]: r for r in json.loads((figures / "claims.json").read_text())}
    except FileNotFoundError:
        return {}


def agreement(this: dict, committed: dict) -> str:
    """"agree" / "differ" when both records carry a value with a spread (agree: the intervals overlap), else
    "no spread recorded"."""
    if not all(k in r for r in (this, committed) for k in ("value", "spread")):
        return "no spread recorded"
    (a_lo, a_hi), (b_lo, b_hi) = this["spread"], committed["spread"]
    return "agree" if a_lo <= b_hi and b_lo <= a_hi else "differ"


def compare(this_run: dict[str, dict], committed: dict[str, dict]) -> list[dict]:
    """One row per claim this run recorded: both verdicts, both measured values, agreement, provenance."""
    rows = []
    for cid in sorted(this_run):
        r, c = this_run[cid], committed.get(cid)
        rows.append({
            "claim": cid, "notebook": r["notebook"],
            "published": c["verdict"] if c else "(none published)", "this run": r["verdict"],
            "same verdict": bool(c) and c["verdict"] == r["verdict"],
            "measured (published)": c.get("measured_value", "") if c else "",
            "measured (this run)": r.get("measured_value", ""),
            "within spread": agreement(r, c) if c else "",
            "published run": f"{c.get('device', '')}, commit {c.get('commit', '')}" if c else "",
            "this run's machine": f"{r.get('device', '')}, commit {r.get('commit', '')}",
        })
    return rows


_COLUMNS = ["claim", "published", "this run", "same verdict", "measured (published)", "measured (this run)",
            "within spread", "published run", "this run's machine"]


def _cell(v) -> str:
    return ("yes" if v else "NO") if isinstance(v, bool) else str(v)


def render_markdown(rows: list[dict], profile: str, failed: list[str]) -> str:
    differ = [r["claim"] for r in rows if not r["same verdict"]]
    head = [f"# make verify: a {profile} run beside the committed ledger", "",
            f"{len(rows)} claim(s) re-decided; {len(differ)} verdict(s) differ"
            + (f": {', '.join(differ)}" if differ else "") + "."]
    if failed:
        head.append(f"Chapters that failed (their claims are missing here): {', '.join(failed)}.")
    lines = ["| " + " | ".join(_COLUMNS) + " |", "|" + "---|" * len(_COLUMNS)]
    lines += ["| " + " | ".join(_cell(r[c]).replace("|", "\\|") for c in _COLUMNS) + " |" for r in rows]
    return "\n".join(head + [""] + lines) + "\n"


def render_html(rows: list[dict], profile: str, failed: list[str]) -> str:
    differ = sum(not r["same verdict"] for r in rows)
    body = "".join("<tr" + ("" if r["same verdict"] else ' class="differs"') + ">"
                   + "".join(f"<td>{html.escape(_cell(r[c]))}</td>" for c in _COLUMNS) + "</tr>" for r in rows)
    fail = f"<p>Chapters that failed: {html.escape(', '.join(failed))}</p>" if failed else ""
    return ("<!doctype html><meta charset='utf-8'><title>make verify</title>"
            "<style>td,th{border:1px solid #ccc;padding:2px 6px}.differs{background:#fdd}</style>"
            f"<h1>make verify: a {html.escape(profile)} run beside the committed ledger</h1>"
            f"<p>{len(rows)} claim(s) re-decided; {differ} verdict(s) differ.</p>{fail}<table><thead><tr>"
            + "".join(f"<th>{html.escape(c)}</th>" for c in _COLUMNS) + f"</tr></thead><tbody>{body}</tbody></table>")


def run(profile: str = "cpu", paper: str | None = None, only: list[str] | None = None,
        out: Path | None = None) -> int:
    from paperlib.companion.pipeline import execute, resolve

    paths.profile(profile)  # ValueError on an unknown profile
    names = select(paper, only)
    for n in names:
        resolve(n, profile)  # every parameter file is checked before anything runs
    out = (paths.BUILD / "verify" / profile) if out is None else Path(out)
    root = out / "outputs"  # the chapters' OUTPUT_ROOT: figures, tables and ledger records of this run
    print(f"[verify] {len(names)} chapter(s) under {profile} into {out}", flush=True)
    failed = []
    for n in names:
        o = execute(n, profile, out / "notebooks", progress=False, output_root=root)
        print(f"[verify] {n}: {'ok' if o.ok else 'FAILED ' + str(o.error)} ({o.seconds:.0f} s)", flush=True)
        if not o.ok:
            failed.append(n)
    return report(profile, names, out, failed)


def report(profile: str, names: list[str], out: Path, failed: list[str], figures: Path | None = None) -> int:
    """Compare the records this run left in out/outputs/ with the committed ones; write verify.{md,html};
    the exit status (1 when a verdict differs or a chapter failed)."""
    this_run = {}
    for f in sorted((Path(out) / "outputs" / profile / "ledger").glob("*.json")):
        for r in json.loads(f.read_text())["records"]:
            if r["notebook"] in names:
                this_run[r["id"]] = r
    rows = compare(this_run, committed_records(profile, figures))
    md = render_markdown(rows, profile, failed)
    write_text(Path(out) / "verify.md", md)
    write_text(Path(out) / "verify.html", render_html(rows, profile, failed))
    print(md)
    print(f"[verify] written: {Path(out) / 'verify.md'} and {Path(out) / 'verify.html'}")
    return 1 if failed or any(not r["same verdict"] for r in rows) else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m paperlib.companion.verify", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profile", default="cpu")
    ap.add_argument("--paper", default=None)
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--out", default=None, help="output folder (default build/verify/<profile>)")
    args = ap.parse_args(argv)
    try:
        return run(args.profile, args.paper, args.only or None, args.out)
    except ValueError as exc:  # an unknown profile, paper or notebook, a bad parameter file
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
