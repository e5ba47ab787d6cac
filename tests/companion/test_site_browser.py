"""The reading edition, checked in a real browser (headless Chromium driven by Playwright).

Every page loads without console errors, every image and internal link resolves, the dashboard's counts
equal figures/claims.json, and a screenshot of the landing page is written to build/.
"""
import json
import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest

from paperlib.companion import ledger, site
from paperlib.common import paths

pytestmark = [pytest.mark.slow, pytest.mark.integration]  # builds the site and drives Chromium

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


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    return site.build(tmp_path_factory.mktemp("site") / "site")


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
    page = browser.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(url, wait_until="load")
    return page, errors, failed


def test_every_page_loads_cleanly_and_resolves(built_site, browser):
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) >= 3
    for html in pages:
        page, errors, failed = _visit(browser, html.as_uri())
        assert not errors, f"{html.name}: console errors {errors[:3]}"
        assert not failed, f"{html.name}: failed requests {failed[:3]}"
        broken = page.evaluate("Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
                               ".map(i => i.src.slice(0, 80))")
        assert not broken, f"{html.name}: images that did not load {broken}"
        hrefs = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
        for href in hrefs:
            u = urlparse(href)
            if u.scheme != "file":
                assert u.scheme in ("http", "https", "mailto"), href
                continue
            target = Path(unquote(u.path))
            assert target.is_file(), f"{html.name}: broken internal link {href}"
            if u.fragment and target.suffix == ".html":
                text = target.read_text(encoding="utf-8")
                assert f'id="{u.fragment}"' in text, f"{html.name}: link to missing anchor {href}"
        page.close()


def test_dashboard_counts_equal_the_ledger(built_site, browser):
    table = json.loads((built_site / "claims.json").read_text())
    claims_file = paths.FIGURES / "claims.json"
    if claims_file.is_file():  # the site shows the committed ledger, not a different one
        assert [r["id"] for r in table] == [r["id"] for r in json.loads(claims_file.read_text())]
    expected = ledger.verdict_counts(table)
    page, errors, _ = _visit(browser, (built_site / "index.html").as_uri())
    shown = page.evaluate("""Array.from(document.querySelectorAll('#dashboard tbody tr')).map(tr => [
        tr.dataset.paper,
        Object.fromEntries(Array.from(tr.querySelectorAll('td[data-verdict]')).map(td => [td.dataset.verdict,
                           Number(td.textContent)]))])""")
    assert {p for p, _ in shown} == set(expected.index)
    for paper, counts in shown:
        for verdict in ledger.VERDICTS:
            assert counts[verdict] == int(expected.loc[paper, verdict]), (paper, verdict)
    n_rows = page.evaluate("document.querySelectorAll('tr.claim').length")
    assert n_rows == len(table)
    paths.BUILD.mkdir(exist_ok=True)
    page.screenshot(path=str(paths.BUILD / "site-landing.png"), full_page=True)
    assert (paths.BUILD / "site-landing.png").stat().st_size > 10_000
    page.close()


# text outside code (inputs, printed outputs) that still reads like LaTeX source: $...$ or $$...$$
_RAW_MATH_JS = """() => {
  const out = [], walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const n = walk.currentNode;
    if (n.parentElement.closest('pre, code, math, script, style, .jp-InputArea, .jp-OutputArea-output pre')) continue;
    const m = n.textContent.match(/\\$[^$\\s][^$]*\\$/);
    if (m) out.push(m[0].slice(0, 60));
  }
  return out;
}"""


def test_equations_are_rendered_math(built_site, browser):
    """No page shows raw $...$ source; pages of notebooks that write equations hold MathML the browser lays
    out (a box with a width)."""
    with_math = 0
    for html in sorted(built_site.rglob("*.html")):
        page, errors, _ = _visit(browser, html.as_uri())
        raw = page.evaluate(_RAW_MATH_JS)
        assert not raw, f"{html.name}: raw LaTeX left in the page: {raw[:3]}"
        if html.parent.name != "notebooks":
            page.close()
            continue
        used, _ = site.pick_executed(html.stem)  # the executed copy the page was built from
        markdown = [c.source for c in nbformat.read(used, as_version=4).cells if c.cell_type == "markdown"]
        if any(site.math_slots(m, []) != m for m in markdown):  # its markdown holds a formula
            sizes = page.evaluate("Array.from(document.querySelectorAll('math')).map(m => "
                                  "m.getBoundingClientRect().width)")
            assert sizes and min(sizes) > 0, f"{html.name}: equations not rendered as MathML"
            with_math += 1
        page.close()
    assert with_math >= 5


def test_math_slots_round_trip_outside_code():
    """LaTeX in prose becomes MathML, code is untouched, placeholders inside tags become plain words."""
    store = []
    md = "Eq. 6: $p(s)=\\frac{\\pi s}{2}$ and\n$$\\sum_p x_p$$\nbut `cost $5` and\n```\n$x$\n```\nstay; $a |b$ here."
    slotted = site.math_slots(md, store)
    assert "$" not in slotted.replace("`cost $5`", "").replace("```\n$x$\n```", "")
    assert "`cost $5`" in slotted and "```\n$x$\n```" in slotted and len(store) == 3
    assert store[0].startswith("<math") and 'display="block"' in store[1] and "<mfrac>" in store[0]
    html = site.fill_math_slots(f'<h2 id="x-{"MATHSLOT0X"}">see MATHSLOT0X</h2>', store)
    assert html.startswith('<h2 id="x-math0">see <math') and "MATHSLOT" not in html


def test_pages_come_from_the_published_notebooks_first(tmp_path, monkeypatch):
    """paper > cpu > smoke; within a profile the published copy (figures/<profile>/notebooks/) before build/."""
    for name, value in (("FIGURES", tmp_path / "figures"), ("BUILD", tmp_path / "build"),
                        ("NOTEBOOKS", tmp_path / "notebooks")):
        monkeypatch.setattr(paths, name, value)
    made = []

    def make(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")
        made.append(path)
        return site.pick_executed("01_x")

    assert site.pick_executed("01_x") == (None, "")
    assert make(tmp_path / "notebooks" / "01_x.ipynb") == (made[-1], "smoke")
    assert make(tmp_path / "build" / "smoke" / "01_x.ipynb") == (made[-1], "smoke")
    assert make(tmp_path / "build" / "cpu" / "01_x.ipynb") == (made[-1], "cpu")
    assert make(tmp_path / "figures" / "cpu" / "notebooks" / "01_x.ipynb") == (made[-1], "cpu")
    assert make(tmp_path / "build" / "paper" / "01_x.ipynb") == (made[-1], "paper")
    assert make(tmp_path / "figures" / "paper" / "notebooks" / "01_x.ipynb") == (made[-1], "paper")
