"""The reading edition: a static, offline site built from the executed notebooks and the claims ledger.

    python -m paperlib.companion.site [--out build/site]

Notebook pages are rendered by nbconvert (the JupyterLab template with its CDN assets removed); the
landing page (verdict dashboard), one page per paper and the data page are Jinja2 templates
(``paperlib/companion/site_templates``). For each notebook the most faithful executed copy is used:
figures/paper/notebooks > build/paper > figures/cpu/notebooks > build/cpu > build/smoke > the stored smoke
copy in notebooks/ (profiles in paths.MOST_FAITHFUL_FIRST order), and the page says which.
Equations ($...$ and $$...$$ in markdown) are converted to MathML when the site is built (latex2mathml), which
browsers display natively: no script and no network.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

import jinja2
import nbformat
import yaml

from paperlib.companion import ledger
from paperlib.companion.publish import NOTEBOOKS_DIR, anchor_claims
from paperlib.common import paths

TEMPLATES = Path(__file__).parent / "site_templates"
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
GROUPS = [("Reproduced", ("reproduced",)), ("Partially reproduced", ("partially-reproduced",)),
          ("Not reproduced or refuted", ("not-reproduced", "refuted")),
          ("Not testable", ("not-testable",)), ("Pending", ("pending",))]


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


def _device_of(name: str, profile: str) -> str:
    folder = paths.output_dir(profile) / "ledger"
    for f in sorted(folder.glob(f"{name}__*.json")):
        try:
            return json.loads(f.read_text())["fingerprint"]["device"]
        except (ValueError, KeyError):
            continue
    return ""


def _title(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""


# Math in markdown: $$display$$ (may span lines) and $inline$ (may wrap onto the next line, never across a
# blank line; not a `$` escaped as \$, next to a word character or followed by a space). Code is left alone.
_CODE = re.compile(r"^(```|~~~).*?^\1[^\n]*$|`[^`\n]*`", re.M | re.S)
_MATH = re.compile(r"\$\$(.+?)\$\$"                                                     # display
                   r"|(?<![\\$\w])\$(?![\s$])((?:[^$\n]|\n(?!\s*\n))+?)(?<!\\)\$(?![\w$])", re.S)  # inline
_SLOT = re.compile(r"MATHSLOT(\d+)X")


def latex_to_mathml(latex: str, display: bool = False) -> str:
    """MathML for one LaTeX formula (latex2mathml); a formula it cannot convert raises ValueError naming it."""
    from latex2mathml.converter import convert

    try:
        return convert(latex.strip(), display="block" if display else "inline")
    except Exception as e:  # latex2mathml raises its own exception types for unsupported input
        raise ValueError(f"cannot convert the formula {latex!r} to MathML: {e}") from e


def math_slots(markdown: str, store: list[str]) -> str:
    """Replace each formula of `markdown` (outside code) by a placeholder word, its MathML appended to `store`.

    Markdown rendering then cannot mangle the formula (a `|` in a table, `_` or `*` as emphasis);
    `fill_math_slots` puts the MathML into the rendered HTML.
    """
    def slot(m):
        display = m.group(1) is not None
        store.append(latex_to_mathml(m.group(1) if display else m.group(2), display))
        return f"MATHSLOT{len(store) - 1}X"

    out, last = [], 0
    for code in _CODE.finditer(markdown):
        out += [_MATH.sub(slot, markdown[last:code.start()]), code.group(0)]
        last = code.end()
    out.append(_MATH.sub(slot, markdown[last:]))
    return "".join(out)


def fill_math_slots(html: str, store: list[str]) -> str:
    """Put the MathML back: in text, the formula; inside a tag (an id or href made from a heading), a word."""
    def tag_or_slot(m):
        if m.group(0).startswith("<"):
            return _SLOT.sub(lambda s: f"math{s.group(1)}", m.group(0))
        return store[int(m.group(1))]
    return re.sub(r"<[^>]*>|MATHSLOT(\d+)X", tag_or_slot, html)


def math_html(text):
    """A Jinja filter: `text` HTML-escaped, its $...$ formulas as MathML (a markupsafe.Markup)."""
    import markupsafe

    store: list[str] = []
    return markupsafe.Markup(fill_math_slots(str(markupsafe.escape(math_slots(str(text), store))), store))


def _math_to_slots(nb, store: list[str]) -> None:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = math_slots(cell.source, store)
        elif cell.cell_type == "code":
            for o in cell.get("outputs", []):
                data = o.get("data", {})
                if isinstance(data.get("text/markdown"), str):
                    data["text/markdown"] = math_slots(data["text/markdown"], store)


def build(out: Path | None = None) -> Path:
    from nbconvert import HTMLExporter

    out = Path(out) if out is not None else paths.BUILD / "site"
    tmp = out.with_name(out.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    (tmp / "notebooks").mkdir(parents=True)
    (tmp / "papers").mkdir()
    registry = ledger.load_registry()
    claims_file = paths.FIGURES / "claims.json"
    table = json.loads(claims_file.read_text()) if claims_file.is_file() else ledger.aggregate(registry)
    exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input_prompt=True, exclude_output_prompt=True)
    names = sorted(p.stem for p in paths.NOTEBOOKS.glob("[0-9][0-9]_*.py"))
    notebooks, anchored = [], {}
    for name in names:
        src, prof = pick_executed(name)
        if src is None:
            print(f"warning: {name} has no executed or stored notebook; skipped", file=sys.stderr)
            continue
        nb = nbformat.read(src, as_version=4)
        device = _device_of(name, prof)
        where = ("stored copy in notebooks/" if src.parent == paths.NOTEBOOKS else
                 f"published copy in figures/{prof}/notebooks/" if src.parent.parent.parent == paths.FIGURES
                 else f"build/{prof}/")
        provenance = f"profile {prof}" + (f" on {device}" if device else "") + f" · {where}{name}.ipynb"
        title = _title(nb)
        anchored[name] = anchor_claims(nb, [c for c in registry.values() if c.notebook == name])
        nb = nbformat.from_dict(nb)  # cells anchor_claims added are plain dicts
        formulas: list[str] = []
        _math_to_slots(nb, formulas)
        html, _ = exporter.from_notebook_node(nb, resources={"companion_provenance": provenance,
                                                             "metadata": {"name": name}})
        html = fill_math_slots(html, formulas)
        # links between notebooks (stored, or published under figures/<profile>/notebooks/) point at their pages
        html = re.sub(r'href="(?:\.\./figures/[a-z]+/notebooks/)?(\d\d_[A-Za-z0-9_]+)\.ipynb', r'href="\1.html', html)
        (tmp / "notebooks" / f"{name}.html").write_text(html, encoding="utf-8")
        notebooks.append({"name": name, "title": title, "provenance": provenance})
    for r in table:  # a claim links to the section of its notebook that records it (None: no page yet)
        claim = registry.get(r["id"])  # the registry's summary and section, also beside an older claims.json
        r["summary"] = r.get("summary") or (claim.summary if claim else "")
        r["section"] = r.get("section") or (claim.section if claim else "")
        nb_page = f"notebooks/{r['notebook']}.html"
        r["link"] = None if r["notebook"] not in anchored else (
            nb_page + (f"#{ledger.claim_anchor(r['id'])}" if r["id"] in anchored[r["notebook"]] else ""))
    counts_df = ledger.verdict_counts(table)
    papers = list(counts_df.index)
    counts = {p: {k: int(v) for k, v in counts_df.loc[p].items()} for p in papers}
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES / "pages"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["math"] = math_html
    common = {"papers": papers, "generated_from": "figures/claims.json and the executed notebooks",
              "citations": CITATIONS}
    (tmp / "index.html").write_text(env.get_template("index.html.j2").render(
        title="Verdicts", root="", verdicts=ledger.VERDICTS, counts=counts, claims=table,
        notebooks=notebooks, **common), encoding="utf-8")
    for p in papers:
        rows = [r for r in table if r["paper"] == p]
        groups = [(g, [r for r in rows if r["verdict"] in vs]) for g, vs in GROUPS]
        (tmp / "papers" / f"{p}.html").write_text(env.get_template("paper.html.j2").render(
            title=p, root="../", paper=p, groups=groups, **common), encoding="utf-8")
    corpora = yaml.safe_load((paths.DATA / "corpora.yaml").read_text(encoding="utf-8"))
    (tmp / "data.html").write_text(env.get_template("data.html.j2").render(
        title="Data", root="", corpora=corpora, **common), encoding="utf-8")
    shutil.copy(TEMPLATES / "pages" / "style.css", tmp / "style.css")
    (tmp / "claims.json").write_text(json.dumps(table, indent=2, sort_keys=True, default=str), encoding="utf-8")
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)  # the finished site replaces the old one in one step
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m paperlib.companion.site", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=paths.BUILD / "site")
    args = ap.parse_args(argv)
    out = build(args.out)
    print(f"reading edition written to {out}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
