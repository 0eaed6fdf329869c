"""The live preview in a real browser: open a page, edit the article, see the change appear."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require

TIMEOUT_MS = 15_000


@pytest.fixture
def server(corpus_project: Path) -> Iterator[tuple[str, Path]]:
    """`pipeline serve --port 0` on a copy of the corpus; yields its URL and the project."""
    process = subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "--port", "0"],
                               cwd=corpus_project, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "NO_COLOR": "1"})
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/", line)
    errors = process.stderr.read() if process.stderr and not match else ""
    assert match, f"no address in {line!r}; stderr: {errors}"
    try:
        yield match.group(0), corpus_project
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def browser_page() -> Iterator[object]:
    require(Path(CHROMIUM).is_file(), f"Chromium ({CHROMIUM})")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_context().new_page()
        finally:
            browser.close()


def test_a_saved_edit_appears_with_its_new_problem(server: tuple[str, Path],
                                                   browser_page: object) -> None:
    from playwright.sync_api import Page, expect

    base, root = server
    page = browser_page
    assert isinstance(page, Page)
    page.goto(base + "asthma.html")
    expect(page.locator("h1")).to_have_text("Asthma")
    panel = page.locator("#pipeline-problems")
    expect(panel).to_contain_text("No problems in articles/asthma.md")
    article = root / "articles" / "asthma.md"
    text = article.read_text(encoding="utf-8")
    lines = text.split("\n")
    causes = lines.index("## Causes") + 1
    edited = text.replace("## Overview\n", "## Overview\n\nA sentence added while previewing.\n",
                          1).replace("## Causes\n", "## Cause and effect\n", 1)
    article.write_text(edited, encoding="utf-8")
    expect(page.locator("main")).to_contain_text("A sentence added while previewing.",
                                                 timeout=TIMEOUT_MS)
    # one problem: the renamed heading most likely names the missing Causes (MED110)
    expect(panel).to_contain_text(f"line {causes + 2}, column 1: MED110",  # 2 lines added
                                  timeout=TIMEOUT_MS)
    expect(panel).to_contain_text("did you mean 'Causes'?")
    expect(panel).not_to_contain_text("MED101")


def test_a_draft_that_cannot_load_shows_its_problems(server: tuple[str, Path],
                                                     browser_page: object) -> None:
    from playwright.sync_api import Page, expect

    base, root = server
    page = browser_page
    assert isinstance(page, Page)
    (root / "articles" / "draft.md").write_text("---\ntitle: [unclosed\n---\n## Overview\n",
                                                encoding="utf-8")
    page.goto(base + "draft.html")
    expect(page.locator("#pipeline-problems")).to_contain_text("line 2")
    expect(page.locator("#pipeline-problems")).to_contain_text("SRC007")


def test_a_new_article_is_previewed_with_its_placeholders(server: tuple[str, Path],
                                                          browser_page: object) -> None:
    from playwright.sync_api import Page, expect

    base, root = server
    page = browser_page
    assert isinstance(page, Page)
    made = subprocess.run([sys.executable, "-m", "pipeline", "new", "Coeliac disease",
                           "--type", "condition"], cwd=root, capture_output=True, text=True,
                          timeout=60)
    assert made.returncode == 0, made.stderr
    page.goto(base + "coeliac-disease.html")
    expect(page.locator("h1")).to_have_text("Coeliac disease")
    expect(page.locator("#pipeline-problems")).to_contain_text("MED109")


def test_the_preview_serves_only_the_site(server: tuple[str, Path]) -> None:
    import urllib.error
    import urllib.request

    base, _ = server
    for path in ("images/..%2f..%2fpyproject.toml", "../pyproject.toml", "missing.html",
                 "images/asthma-airway.md"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + path, timeout=10)
        assert refused.value.code in (400, 404)
    with urllib.request.urlopen(base + "images/asthma-airway.svg", timeout=10) as reply:
        assert reply.headers["Content-Type"] == "image/svg+xml"


def test_the_preview_serves_every_page_of_the_site(server: tuple[str, Path]) -> None:
    """The A-Z pages, the search page and script, 404, sitemap and feed, as publish makes
    them (the HTML ones with the preview's reload script)."""
    import urllib.request

    from pipeline.config import load_config
    from pipeline.publish import PublishRequest, publish

    base, root = server
    out = root.parent / "published-for-preview"
    assert publish(load_config(root), PublishRequest(out=out, formats=("html",), jobs=1)).ok
    names = ["search.html", "search.js", "404.html", "sitemap.xml", "feed.xml",
             *sorted(p.relative_to(out / "html").as_posix()
                     for p in (out / "html" / "a-z").glob("*.html"))]
    assert len(names) > 6
    for name in names:
        with urllib.request.urlopen(base + name, timeout=30) as reply:
            served = reply.read()
        published = (out / "html" / name).read_bytes()
        if name.endswith(".html"):
            assert served.startswith(published.split(b"</body>")[0]), name
            assert b"/__pipeline/reload.js" in served
        else:
            assert served == published, name


def test_the_panel_folds_links_each_problem_to_its_place_and_shows_missing_links(
        server: tuple[str, Path], browser_page: object) -> None:
    from playwright.sync_api import Page, expect

    base, root = server
    page = browser_page
    assert isinstance(page, Page)
    article = root / "articles" / "asthma.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace(
        "## Causes\n", "## Causes\n\nSee [a missing page](no-such-article.md) for more.\n", 1),
        encoding="utf-8")
    line = article.read_text(encoding="utf-8").split("\n").index(
        "See [a missing page](no-such-article.md) for more.") + 1
    page.goto(base + "asthma.html")
    panel = page.locator("#pipeline-problems")
    expect(panel).to_contain_text("LNK")
    # the problem jumps to the section that holds its line
    where = panel.locator("li", has_text=f"line {line},").locator("a").first
    expect(where).to_have_attribute("href", "#causes")
    assert page.locator("main h2#causes").count() == 1
    where.click()
    expect(page).to_have_url(re.compile(r"#causes$"))
    # a problem of the front matter has no place on the page: no link
    (root / "articles" / "asthma.md").write_text(article.read_text(encoding="utf-8").replace(
        "license: CC-BY-SA-4.0", "license: CC-BY-NC-4.0", 1), encoding="utf-8")
    expect(panel).to_contain_text("LIC101", timeout=TIMEOUT_MS)
    licence = panel.locator("li", has_text="LIC101")
    assert licence.locator("a").count() == 0
    # the link to the missing article looks missing; a link to an existing one does not
    missing = page.locator('main a[href="no-such-article.html"]')
    expect(missing).to_have_class(re.compile(r"\bpipeline-missing\b"))
    assert missing.evaluate("e => getComputedStyle(e).outlineStyle") == "dashed"
    existing = page.locator('main a[href$=".html"]:not(.pipeline-missing)')
    assert existing.count() > 0
    # the panel folds away, and says so to assistive technology
    toggle = page.locator("#pipeline-problems-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_have_attribute("aria-controls", "pipeline-problem-list")
    expect(page.locator("#pipeline-problem-list")).to_be_visible()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#pipeline-problem-list")).to_be_hidden()
    page.reload()  # folded it stays, in this tab
    expect(page.locator("#pipeline-problems-toggle")).to_have_attribute("aria-expanded",
                                                                         "false")
    page.locator("#pipeline-problems-toggle").click()
    expect(page.locator("#pipeline-problem-list")).to_be_visible()


def test_published_pages_carry_nothing_of_the_preview(corpus_project: Path) -> None:
    from pipeline.config import load_config
    from pipeline.publish import make_site, render_article
    from pipeline.serve import Preview

    config = load_config(corpus_project)
    articles = Preview(config).articles()
    site = make_site(config, articles)
    page = render_article(config, site, articles["asthma"], ("html",))["html/asthma.html"]
    assert b"pipeline-missing" not in page and b"pipeline-problems" not in page
