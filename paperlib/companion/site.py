"""The reading edition: a static, offline site built from the executed notebooks and the claims ledger.

    python -m paperlib.companion.site [--out build/site]

Notebook pages are rendered by nbconvert (the JupyterLab template with its CDN assets removed); the
landing page (verdict dashboard), one page per paper and the data page are Jinja2 templates
(``paperlib/companion/site_templates``). For each notebook the most faithful executed copy is used:
build/paper > build/cpu > build/smoke > the stored smoke copy in notebooks/, and the page says which.
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
from paperlib.common import paths

TEMPLATES = Path(__file__).parent / "site_templates"
GROUPS = [("Reproduced", ("reproduced",)), ("Partially reproduced", ("partially-reproduced",)),
          ("Not reproduced or refuted", ("not-reproduced", "refuted")),
          ("Not testable", ("not-testable",)), ("Pending", ("pending",))]


def pick_executed(name: str) -> tuple[Path | None, str]:
    for prof in ("paper", "cpu", "smoke"):
        p = paths.BUILD / prof / f"{name}.ipynb"
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


def _anchor_claims(nb, claim_ids) -> set[str]:
    """Put an anchor before the first code cell that names each claim id; return the ids anchored."""
    found, cells = set(), []
    for cell in nb.cells:
        if cell.cell_type == "code":
            here = [c for c in claim_ids if c not in found and (f'"{c}"' in cell.source or f"'{c}'" in cell.source)]
            if here:
                cells.append(nbformat.v4.new_markdown_cell("".join(f'<a id="claim-{c}"></a>' for c in here)))
                found.update(here)
        cells.append(cell)
    nb.cells = cells
    return found


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
        where = "stored copy in notebooks/" if src.parent == paths.NOTEBOOKS else f"build/{prof}/"
        provenance = f"profile {prof}" + (f" on {device}" if device else "") + f" · {where}{name}.ipynb"
        title = _title(nb)
        anchored[name] = _anchor_claims(nb, [c.id for c in registry.values() if c.notebook == name])
        html, _ = exporter.from_notebook_node(nb, resources={"companion_provenance": provenance,
                                                             "metadata": {"name": name}})
        # links between notebooks point at their pages in the site
        html = re.sub(r'href="(\d\d_[A-Za-z0-9_]+)\.ipynb', r'href="\1.html', html)
        (tmp / "notebooks" / f"{name}.html").write_text(html, encoding="utf-8")
        notebooks.append({"name": name, "title": title, "provenance": provenance})
    for r in table:  # a claim links to the section of its notebook that records it (None: no page yet)
        nb_page = f"notebooks/{r['notebook']}.html"
        r["link"] = None if r["notebook"] not in anchored else (
            nb_page + (f"#claim-{r['id']}" if r["id"] in anchored[r["notebook"]] else ""))
    counts_df = ledger.verdict_counts(table)
    papers = list(counts_df.index)
    counts = {p: {k: int(v) for k, v in counts_df.loc[p].items()} for p in papers}
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES / "pages"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    common = {"papers": papers, "generated_from": "figures/claims.json and the executed notebooks"}
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
