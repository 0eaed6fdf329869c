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
    expect(panel).to_contain_text("MED101", timeout=TIMEOUT_MS)
    expect(panel).to_contain_text("MED105")
    expect(panel).to_contain_text(f"line {causes + 2}, column 1: MED105")  # 2 lines added


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
