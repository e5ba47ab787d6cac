"""The reading edition (the book `make html` builds), checked in a real browser (headless Chromium, Playwright).

The book is built once and every page visited once; the tests then check what a reader gets: pages load
without console errors and request nothing outside file://, images, links and anchors resolve, every chapter
page has the navigation with all chapters, previous/next and its contents, math is typeset by MathJax, tables
are HTML tables, no progress bar is shown, the parameters appear once, and the dashboard's counts equal
figures/claims.json. A screenshot of the landing page is written to build/.
"""
import json
import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest

from paperlib.companion import book, book_pages, ledger
from paperlib.common import paths

pytestmark = [pytest.mark.slow, pytest.mark.integration]  # builds the book and drives Chromium

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _require_browser():
    missing = []
    if CHROMIUM is None:
        missing.append("Debian's chromium package")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package")
    if missing:
        msg = "browser test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(msg + " (.ci/run installs them)")
        pytest.skip(msg)


# What one visit collects from a page (after MathJax has finished typesetting).
_COLLECT_JS = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const raw = [], walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {  // text outside code that still reads like LaTeX source: $...$
    const n = walk.currentNode;
    if (n.parentElement.closest('pre, code, mjx-container, script, style, textarea')) continue;
    const m = n.textContent.match(/\\$[^$\\s][^$]*\\$/);
    if (m) raw.push(m[0].slice(0, 60));
  }
  return {
    broken: Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(-80)),
    hrefs: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
    nav: Array.from(document.querySelectorAll('nav.bd-docs-nav a.reference')).map(a => a.href),
    prevnext: document.querySelectorAll('.prev-next-area a').length,
    toc: document.querySelectorAll('#pst-page-toc-nav a').length,
    mjx: document.querySelectorAll('mjx-container').length,
    mjx_errors: document.querySelectorAll('mjx-merror').length,
    raw_math: raw,
    tables: document.querySelectorAll('table.paperlib-table').length,
    params_titles: Array.from(document.querySelectorAll('p strong')).filter(s => /This run.s parameters/.test(s.textContent)).length,
    params_cells: document.querySelectorAll('.tag_parameters, .tag_injected-parameters').length,
    progress: Array.from(document.querySelectorAll('.output')).filter(o => /it\\/s|s\\/it/.test(o.textContent)).length,
    provenance: Array.from(document.querySelectorAll('p.provenance')).map(p => p.textContent),
  };
}"""


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    return book.build(tmp_path_factory.mktemp("book") / "site")


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                    "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


def _visit(browser, url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log = {"errors": [], "requests": []}
    page.on("console", lambda m: log["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.on("requestfailed", lambda r: log["errors"].append(f"request failed: {r.url}"))
    page.on("request", lambda r: log["requests"].append(r.url))
    page.goto(url, wait_until="load")
    return page, log


@pytest.fixture(scope="module")
def visited(built_site, browser):
    """{page path relative to the book: what a visit saw}, every page visited once (not the theme's own
    template fragments in _static/)."""
    out = {}
    for html in sorted(p for p in built_site.rglob("*.html") if not p.relative_to(built_site).parts[0].startswith("_")):
        page, log = _visit(browser, html.as_uri())
        seen = page.evaluate(_COLLECT_JS)
        seen.update(log)
        out[html.relative_to(built_site).as_posix()] = seen
        page.close()
    return out


def _chapters(built_site):
    return sorted(p.stem for p in (built_site / "notebooks").glob("*.html"))


def test_every_page_loads_cleanly_offline_and_resolves(built_site, visited):
    assert {"index.html", "start.html", "data.html", "search.html"} <= set(visited)
    for name, seen in visited.items():
        assert not seen["errors"], f"{name}: console errors {seen['errors'][:3]}"
        outside = [u for u in seen["requests"] if urlparse(u).scheme not in ("file", "data", "blob")]
        assert not outside, f"{name}: requests outside file:// {outside[:3]}"
        assert not seen["broken"], f"{name}: images that did not load {seen['broken']}"
        for href in seen["hrefs"]:
            u = urlparse(href)
            if u.scheme != "file":
                assert u.scheme in ("http", "https", "mailto"), href
                continue
            target = Path(unquote(u.path))
            assert target.is_file(), f"{name}: broken internal link {href}"
            if u.fragment and target.suffix == ".html":
                assert f'id="{u.fragment}"' in target.read_text(encoding="utf-8"), f"{name}: missing anchor {href}"


def test_every_chapter_page_is_a_book_page(built_site, visited):
    """The sidebar lists every chapter; previous/next and the page's contents are there; the page says which
    executed copy it shows; the parameters are shown once; no progress bar; the HTML tables of the chapter's
    outputs are HTML tables on the page."""
    chapters = _chapters(built_site)
    assert len(chapters) == len(book.notebook_names())
    for name in chapters:
        seen = visited[f"notebooks/{name}.html"]
        nav = {Path(urlparse(h).path).stem for h in seen["nav"]}
        assert set(chapters) <= nav, f"{name}: chapters missing from the navigation {set(chapters) - nav}"
        assert seen["prevnext"] >= 1 and seen["toc"] >= 1, f"{name}: no previous/next or no contents"
        assert len(seen["provenance"]) == 1 and "profile" in seen["provenance"][0], name
        assert seen["params_cells"] == 1 and seen["params_titles"] == 1, f"{name}: parameters not shown once"
        assert seen["progress"] == 0, f"{name}: shows a progress bar"
        used, _ = book.pick_executed(name)
        html_tables = sum(str(o.get("data", {}).get("text/html", "")).count('class="paperlib-table"')
                          for c in nbformat.read(used, as_version=4).cells for o in c.get("outputs", []))
        assert seen["tables"] == html_tables, f"{name}: {html_tables} tables in the notebook, {seen['tables']} shown"


def test_math_is_typeset(built_site, visited):
    """No page shows raw $...$; every chapter whose markdown or Markdown outputs hold a formula has MathJax
    output, with no MathJax error."""
    with_math = 0
    for name, seen in visited.items():
        assert not seen["raw_math"], f"{name}: raw LaTeX left in the page: {seen['raw_math'][:3]}"
        assert not seen["mjx_errors"], f"{name}: MathJax could not typeset {seen['mjx_errors']} formulas"
        if not name.startswith("notebooks/"):
            continue
        used, _ = book.pick_executed(Path(name).stem)
        nb = nbformat.read(used, as_version=4)
        texts = [c.source for c in nb.cells if c.cell_type == "markdown"]
        texts += [str(o.get("data", {}).get("text/markdown", "")) for c in nb.cells for o in c.get("outputs", [])]
        if any(book_pages.has_math(t) for t in texts):
            assert seen["mjx"] > 0, f"{name}: formulas not typeset"
            with_math += 1
    assert with_math >= 5


def test_dashboard_counts_equal_the_ledger(built_site, browser):
    table = json.loads((built_site / "claims.json").read_text())
    claims_file = paths.FIGURES / "claims.json"
    if claims_file.is_file():  # the book shows the committed ledger, not a different one
        assert [r["id"] for r in table] == [r["id"] for r in json.loads(claims_file.read_text())]
    expected = ledger.verdict_counts(table)
    page, _ = _visit(browser, (built_site / "index.html").as_uri())
    shown = page.evaluate("""Array.from(document.querySelectorAll('#dashboard tbody tr')).map(tr => [
        tr.dataset.paper,
        Object.fromEntries(Array.from(tr.querySelectorAll('td[data-verdict]')).map(td => [td.dataset.verdict,
                           Number(td.textContent)]))])""")
    assert {p for p, _ in shown} == set(expected.index)
    for paper, counts in shown:
        for verdict in ledger.VERDICTS:
            assert counts[verdict] == int(expected.loc[paper, verdict]), (paper, verdict)
    links = page.evaluate("Array.from(document.querySelectorAll('tr.claim')).map(tr => [tr.dataset.claim, "
                          "(tr.querySelector('a') || {}).href || ''])")
    assert len(links) == len(table)
    for claim, href in links:  # every claim opens the chapter section that decides it
        assert href.endswith(f"#{ledger.claim_anchor(claim)}"), (claim, href)
    paths.BUILD.mkdir(exist_ok=True)
    page.screenshot(path=str(paths.BUILD / "site-landing.png"), full_page=True)
    assert (paths.BUILD / "site-landing.png").stat().st_size > 10_000
    page.close()


def test_start_page_follows_the_readme_and_papers_open_with_their_story(built_site, browser, visited):
    page, _ = _visit(browser, (built_site / "start.html").as_uri())
    order = [Path(urlparse(h).path).stem for h in page.evaluate(
        "Array.from(document.querySelectorAll('article ol a.reference')).map(a => a.href)")]
    page.close()
    path = [n for n, _ in book_pages.reading_path() if (built_site / "notebooks" / f"{n}.html").is_file()]
    assert order == path and len(order) >= 3
    story = book_pages._story_api()
    for p in {r["paper"] for r in json.loads((built_site / "claims.json").read_text())}:
        seen = visited[f"papers/{p}.html"]
        if story is not None and story.key_figures(p):
            n_images = sum(1 for _ in (built_site / "_images").glob("*.png"))
            assert n_images and not seen["broken"]


def test_search_finds_a_chapter(built_site, browser):
    page, log = _visit(browser, (built_site / "search.html").as_uri() + "?q=resolvent")
    page.wait_for_selector("#search-results li", timeout=20_000)
    hits = page.evaluate("Array.from(document.querySelectorAll('#search-results li a')).map(a => a.href)")
    page.close()
    assert any("/notebooks/" in h for h in hits) and not log["errors"]
