"""The reading edition: a book (Sphinx + MyST-NB + sphinx-book-theme) of the executed notebooks and the ledger.

    python -m paperlib.companion.book [--out build/site]        (`make html`)

Each chapter is the most faithful executed copy of its notebook (:func:`pick_executed`: figures/paper/notebooks
> build/paper > figures/cpu/notebooks > build/cpu > build/smoke > the stored smoke copy in notebooks/), never
re-executed; the copy given to Sphinx (:func:`book_copy`) says which copy and which device it is, shows the
parameters once ("This run's parameters"), drops stderr that is only progress bars or warnings, and carries
an anchor `claim-<id>` at the section that decides each claim. The landing page (verdict dashboard), the
"Start here" page, one page per paper and the data page are MyST Markdown (book_pages). The Sphinx
configuration is paperlib/companion/book_conf/conf.py; the build needs no network and its pages request
nothing from it (MathJax is served from the build).
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from paperlib.companion import book_pages, ledger
from paperlib.companion.publish import NOTEBOOKS_DIR, anchor_claims
from paperlib.common import paths
from paperlib.common.atomic import replace_dir

CONF_DIR = Path(__file__).parent / "book_conf"
# The papers, as a reader outside this repository can find them: identifiers only where the paper itself
# gives one (never guessed). Used by the reading edition, the workshop kit and checked against the README.
CITATIONS = [
    {"key": "scn-hurnet", "paper": "scn-hurnet", "year": "n.d.",
     "authors": "Ben-Hur Varriano, in collaboration with Sapiens Technology",
     "title": "A Paradigm Shift in Language Model Training: A Mathematical Perspective on SCN and HurNetTorch "
              "Networks", "ids": [], "chapters": "01–03",
     "note": "English and Portuguese editions; the paper states no date"},
    {"key": "resnet-bk", "paper": "resnet-bk", "authors": "Teppei Arai (Hakuoh University)", "year": "2025",
     "title": "ResNet-BK: A Memory-Efficient Language Model Based on Birman-Schwinger Operator Theory",
     "ids": [("code repository named in the paper",
              "https://github.com/neko-jpg/Project-ResNet-BK-An-O-N-Language-Model-Architecture")],
     "chapters": "10–16", "note": "dated November 19, 2025; no DOI or arXiv identifier is given"},
    {"key": "scta", "paper": "scta", "authors": "Ademir P. de Oliveira (OktoSeek AI)", "year": "2024",
     "title": "OktoSemantic Training: Semantic Contrastive Token Approximation for Large-Vocabulary Language "
              "Models", "ids": [("doi:10.5281/zenodo.17931292", "https://doi.org/10.5281/zenodo.17931292")],
     "chapters": "20–22", "note": "Zenodo archive of https://github.com/oktoseek/oktosemantic"},
    {"key": "ols-lintf", "paper": "related-theory", "authors": "Authors not given in the abstract feed", "year": "n.d.",
     "title": "Ordinary Least Squares is a Special Case of Transformer", "ids": [], "chapters": "30",
     "note": "an abstract in a feed of transformer-theory abstracts"},
    {"key": "hkt-cost", "paper": "related-theory", "authors": "Authors not given in the abstract feed", "year": "n.d.",
     "title": "Hierarchical Kernel Transformer: Multi-Scale Attention with an Information-Theoretic "
              "Approximation Analysis", "ids": [], "chapters": "30",
     "note": "an abstract in a feed of transformer-theory abstracts"},
]
PARAMS_TITLE = "This run's parameters"


def pick_executed(name: str) -> tuple[Path | None, str]:
    """The most faithful executed copy of a notebook: per profile (paper > cpu > smoke) the published one
    (figures/<profile>/notebooks/, the run the ledger shows) before one in build/; else the stored smoke copy."""
    for prof in paths.MOST_FAITHFUL_FIRST:
        published = [paths.FIGURES / prof / NOTEBOOKS_DIR] if prof in paths.PUBLISHED_PROFILES else []
        for p in [folder / f"{name}.ipynb" for folder in published + [paths.BUILD / prof]]:
            if p.is_file():
                return p, prof
    stored = paths.NOTEBOOKS / f"{name}.ipynb"
    return (stored, "smoke") if stored.is_file() else (None, "")


def device_of(name: str, profile: str) -> str:
    """The device a notebook's recorded results name (its ledger file), or ''."""
    for f in sorted((paths.output_dir(profile) / "ledger").glob(f"{name}__*.json")):
        try:
            return json.loads(f.read_text(encoding="utf-8"))["fingerprint"]["device"]
        except (ValueError, KeyError, TypeError):
            continue
    return ""


def provenance(src: Path, name: str, prof: str) -> str:
    """One line: which executed copy a chapter page shows, under which profile, on which device."""
    if src.parent == paths.NOTEBOOKS:
        where = f"the stored smoke copy `notebooks/{name}.ipynb`"
    elif src.parent.parent.parent == paths.FIGURES:
        where = f"the published copy `figures/{prof}/notebooks/{name}.ipynb`"
    else:
        where = f"the executed copy `build/{prof}/{name}.ipynb` (not published)"
    device = device_of(name, prof)
    return f"This page shows {where}: profile **{prof}**" + (f", run on {device}." if device else ".")


# stderr that is bookkeeping, not content: progress bars (tqdm writes \r-separated frames) and warnings
_PROGRESS = re.compile(r"\d+%\|.*\|| \d+(\.\d+)?(it/s|s/it)\]")
_WARNING = re.compile(r"^\S.*:\d+: \w*Warning: ")


def is_bookkeeping_stderr(text: str) -> bool:
    """True when a stderr stream holds only progress bars, blank lines and Python warnings (a warning line
    `file:line: XWarning: ...` and the indented source lines after it); never for anything else."""
    in_warning = False
    for line in re.split(r"[\r\n]", text):
        if not line.strip() or _PROGRESS.search(line):
            in_warning = False
            continue
        if _WARNING.match(line):
            in_warning = True
            continue
        if in_warning and line.startswith((" ", "\t")):
            continue
        return False
    return True


def _set_source(cell, text: str) -> None:
    cell["source"] = text


def _md_cell(text: str, cell_id: str):
    return nbformat.v4.new_markdown_cell(text, id=cell_id)


# a chapter link as written in a stored chapter (../figures/<profile>/notebooks/NN.ipynb) or in a published one
# (../../<profile>/notebooks/NN.ipynb)
_NB_LINK = re.compile(r"\[([^\]\n]*)\]\((?:\.\./figures/[a-z]+/notebooks/|\.\./\.\./[a-z]+/notebooks/)?"
                      r"(\d\d_[A-Za-z0-9_]+)\.ipynb(#[^)\s]*)?\)")
_HEADING_ANCHORS = re.compile(r"^(#+ .*?)((?:\s*<a id=\"[^\"]+\"></a>)+)\s*$", re.M)


def _link_fix(text: str) -> str:
    """Links between notebooks (stored, or published in figures/<profile>/notebooks/) point at their pages;
    one to a section (`#claim-...`, an HTML anchor Sphinx does not know) is written as an HTML link."""
    def fix(m):
        label, name, frag = m.groups()
        return f'<a href="{name}.html{frag}">{label}</a>' if frag else f"[{label}]({name}.ipynb)"
    return _NB_LINK.sub(fix, text)


def _anchors_before_headings(text: str) -> str:
    """`## Heading <a id="claim-X"></a>` -> the anchor on its own line before the heading: inside the heading
    Sphinx would copy it into the contents and the navigation (duplicate ids, links inside links)."""
    return _HEADING_ANCHORS.sub(lambda m: "".join(re.findall(r'<a id="[^"]+"></a>', m.group(2)))
                                + "\n\n" + m.group(1).rstrip(), text)


def book_copy(nb, name: str, line: str, claims) -> tuple[object, set[str]]:
    """The copy of an executed notebook given to Sphinx, and the claim ids anchored in it."""
    nb = copy.deepcopy(nb)
    anchored = anchor_claims(nb, claims)
    nb = nbformat.from_dict(nb)  # cells anchor_claims added are plain dicts
    tags = [set(c.get("metadata", {}).get("tags", [])) for c in nb.cells]
    if any("injected-parameters" in t for t in tags):  # papermill's values replace the defaults: show them only
        nb.cells = [c for c, t in zip(nb.cells, tags) if "parameters" not in t or "injected-parameters" in t]
    cells = []
    for cell in nb.cells:
        t = set(cell.get("metadata", {}).get("tags", []))
        if t & {"parameters", "injected-parameters"}:
            cells.append(_md_cell(f"**{PARAMS_TITLE}**", "book-parameters"))
            # the one parameters cell a page keeps is shown, whatever tags the source gave it
            cell.metadata["tags"] = sorted(t - {"hide-input", "remove-input", "remove-cell"})
        if cell.cell_type == "markdown":
            _set_source(cell, _anchors_before_headings(_link_fix(cell.source)))
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if isinstance(data.get("text/markdown"), str):
                data["text/markdown"] = _link_fix(data["text/markdown"])
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr"
                                    and is_bookkeeping_stderr(o.get("text", "")))]
        cells.append(cell)
    for cell in cells:  # the provenance line goes right under the chapter's title
        if cell.cell_type == "markdown" and re.search(r"^# ", cell.source, re.M):
            _set_source(cell, re.sub(r"^(# .*)$", lambda m: f"{m.group(1)}\n\n{{.provenance}}\n{line}\n",
                                     cell.source, count=1, flags=re.M))
            break
    nb.cells = cells
    return nb, anchored


def notebook_names() -> list[str]:
    return sorted(p.stem for p in paths.NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def _write_if_changed(path: Path, text: str) -> None:
    """Unchanged sources keep their time stamps, so Sphinx rebuilds only the pages that changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def write_sources(src: Path) -> dict:
    """Write the book's sources into `src` (chapters, pages, thumbnails); return what the pages were made of."""
    registry = ledger.load_registry()
    claims_file = paths.FIGURES / "claims.json"
    table = json.loads(claims_file.read_text()) if claims_file.is_file() else ledger.aggregate(registry)
    chapters, wanted = [], set()
    for name in notebook_names():
        found, prof = pick_executed(name)
        if found is None:
            print(f"warning: {name} has no executed or stored notebook; skipped", file=sys.stderr)
            continue
        nb = nbformat.read(found, as_version=4)
        line = provenance(found, name, prof)
        nb, anchored = book_copy(nb, name, line, [c for c in registry.values() if c.notebook == name])
        rel = f"{NOTEBOOKS_DIR}/{name}.ipynb"
        _write_if_changed(src / rel, nbformat.writes(nb) + "\n")
        wanted.add(rel)
        chapters.append({"name": name, "title": book_pages.title_of(nb), "profile": prof,
                         "anchored": anchored, "provenance": line})
    pages = book_pages.pages(table, registry, chapters, CITATIONS)
    for rel, text in pages.items():
        if isinstance(text, Path):  # a figure to copy (thumbnails)
            dest = src / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if not dest.is_file() or dest.read_bytes() != text.read_bytes():
                shutil.copyfile(text, dest)
        else:
            _write_if_changed(src / rel, text)
        wanted.add(rel)
    for stale in [p for p in src.rglob("*") if p.is_file() and p.relative_to(src).as_posix() not in wanted]:
        stale.unlink()
    return {"table": table, "chapters": chapters}


def build(out: Path | None = None, work: Path | None = None, quiet: bool = True) -> Path:
    """Build the book into `out` (default build/site/); sources, doctrees and Sphinx's own output live in
    `work` (default beside `out`) so a rebuild only re-renders what changed."""
    out = Path(out) if out is not None else paths.BUILD / "site"
    work = Path(work) if work is not None else out.with_name(out.name + ".book")
    src, html = work / "src", work / "html"
    conf = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(CONF_DIR.rglob("*")) if p.is_file()))
    stamp = work / "conf.sha256"
    if not stamp.is_file() or stamp.read_text() != conf.hexdigest():  # Sphinx does not see code changes in conf.py
        shutil.rmtree(work / "doctrees", ignore_errors=True)
        shutil.rmtree(html, ignore_errors=True)
    made = write_sources(src)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(CONF_DIR), "-d", str(work / "doctrees"),
           "--keep-going", *(["-q"] if quiet else []), str(src), str(html)]
    run = subprocess.run(cmd, cwd=paths.ROOT)
    if run.returncode != 0:
        stamp.unlink(missing_ok=True)
        raise RuntimeError(f"sphinx-build failed (exit {run.returncode}): {' '.join(cmd)}")
    stamp.write_text(conf.hexdigest())
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(html, tmp, ignore=shutil.ignore_patterns(".buildinfo", ".doctrees"))
    (tmp / "claims.json").write_text(json.dumps(made["table"], indent=2, sort_keys=True, default=str),
                                     encoding="utf-8")
    replace_dir(tmp, out)  # the finished folder replaces the old one in one step
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m paperlib.companion.book", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=paths.BUILD / "site")
    ap.add_argument("--verbose", action="store_true", help="Sphinx's progress, not only its warnings")
    args = ap.parse_args(argv)
    out = build(args.out, quiet=not args.verbose)
    print(f"reading edition written to {out}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
