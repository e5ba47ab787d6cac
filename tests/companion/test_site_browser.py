"""The reading edition, checked in a real browser (headless Chromium driven by Playwright).

Every page loads without console errors, every image and internal link resolves, the dashboard's counts
equal figures/claims.json, and a screenshot of the landing page is written to build/.
"""
import json
import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from paperlib.companion import ledger, site
from paperlib.common import paths

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
