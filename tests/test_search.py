"""Search: the bundled corpus published with its Pagefind index, served over HTTP on
127.0.0.1 and searched in Debian's Chromium (Playwright) the way a reader does: type into
the search box of any page, read the results (title, type, summary), follow one. A synonym
(`synonyms:`) and a classification code (`codes:`) find their article. The index is
byte-identical from one publish to the next, wherever the project sits; without Pagefind the
publish still succeeds and says once that search was skipped.

Needs Pagefind (`pip install "pagefind[bin]"`, in the `test` extra), Chromium and axe-core
(see tests/browser.py); a missing tool fails, it does not skip.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import load_config
from pipeline.publish import PublishRequest, publish
from pipeline.render import search
from tests.browser import AXE_JS, CHROMIUM, CHROMIUM_ARGS, format_axe, require, serve
from tests.conftest import ARTICLES, write_pyproject

NOT_ARTICLES = ("404.html", "index.html", "search.html")  # the top-level pages of the site


def _publish(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "pipeline", "publish", "--out", "build",
                           "--formats", "html", "--no-progress"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


SHARD_PAGES = 4  # the bundled articles in four shards: the search page merges them


def _project(root: Path) -> Path:
    shutil.copytree(ARTICLES, root / "articles")
    write_pyproject(root, f"search-shard-pages = {SHARD_PAGES}\n")
    return root


def _bundles(build: Path) -> list[Path]:
    return sorted((build / "html" / "pagefind").iterdir())


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    require(search.available(), 'Pagefind (pip install "pagefind[bin]")')
    root = _project(tmp_path_factory.mktemp("search"))
    done = _publish(root)
    assert done.returncode == 0, done.stdout + done.stderr
    return root / "build", done.stderr


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require(Path(CHROMIUM).is_file(), f"Chromium ({CHROMIUM})")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the machine
        require(False, "the Python package playwright")
        raise
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def site(published: tuple[Path, str]) -> Iterator[str]:
    with serve(published[0] / "html") as base:
        yield base


def _search_from(page: Any, base: str, start: str, query: str) -> Any:
    """Type `query` into the search box of the page `start` and submit it; the first result."""
    page.goto(base + start, wait_until="load")
    box = page.get_by_role("search", name="Site").get_by_role("searchbox")
    box.fill(query)
    box.press("Enter")
    page.wait_for_url("**/search.html?q=*")
    first = page.locator("#search-results li").first
    first.wait_for(timeout=15000)
    return first


def test_the_index_is_published_and_listed(published: tuple[Path, str]) -> None:
    build, stderr = published
    assert "search index skipped" not in stderr
    assert not (build.parent / "pagefind").exists()  # nothing written outside the build
    index = sorted(p.relative_to(build).as_posix() for p in (build / "html" / "pagefind")
                   .rglob("*") if p.is_file())
    articles = len(list((build / "html").glob("*.html"))) - len(NOT_ARTICLES)
    assert search.shard_count(articles, SHARD_PAGES) == 4
    assert [p.name for p in _bundles(build)] == ["0", "1", "2", "3"]
    assert all(f"html/pagefind/{n}/pagefind.js" in index for n in range(4))
    assert any(name.endswith(".pf_fragment") for name in index)
    assert not any("pagefind-ui" in name for name in index)  # the site has its own script
    import json

    listed = json.loads((build / "manifest.json").read_bytes())["files"]
    assert set(index) <= set(listed)
    # complete: every file written out before it was read back (an index read while
    # Pagefind was still writing had an empty entry file and an empty WebAssembly file)
    assert [name for name in index if (build / name).stat().st_size == 0] == []
    counts = [language["page_count"] for bundle in _bundles(build)
              for language in json.loads((bundle / "pagefind-entry.json").read_bytes())
              ["languages"].values()]
    assert len(counts) == 4 and sum(counts) == articles  # each article in one shard
    shown = (build / "html" / "search.html").read_text(encoding="utf-8")
    assert 'data-bundles="pagefind/0/ pagefind/1/ pagefind/2/ pagefind/3/"' in shown


def _indexed_text(build: Path) -> dict[str, str]:
    """What the index holds of each page: its fragment's text, by address."""
    import gzip
    import json

    found: dict[str, str] = {}
    for fragment in (build / "html" / "pagefind").rglob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        document = json.loads(data[len(b"pagefind_dcd"):])
        found[document["url"].lstrip("/")] = document["content"]
    return found


def test_reference_lists_are_not_indexed(published: tuple[Path, str]) -> None:
    """A reader searching for a word finds the articles about it, not every article whose
    reference list names a journal or an author with that word."""
    build, _ = published
    indexed = _indexed_text(build)
    articles = sorted(p.stem for p in ARTICLES.glob("*.md"))
    assert sorted(name.removesuffix(".html") for name in indexed) == articles
    page = (build / "html" / "metformin.html").read_text(encoding="utf-8")
    listed = re.search(r'<ol class="references" data-pagefind-ignore(="")?>', page)
    assert listed is not None
    entries = re.findall(r'<li id="ref-[^"]*">(.*?)</li>', page[listed.start():], re.S)
    shown = [" ".join(html.unescape(re.sub(r"<[^>]+>", "", entry)).split())[:60]
             for entry in entries]
    assert len(shown) >= 3 and all(len(entry) == 60 for entry in shown)
    content = " ".join(indexed["metformin.html"].split())
    assert [entry for entry in shown if entry in content] == []
    assert "Metformin" in content  # the article's own text is there


def test_small_sites_are_split_into_up_to_eight_shards() -> None:
    """At most `search-shard-pages` pages per shard on average; below that, up to 8 shards
    of at least 32 pages, so a change re-indexes a few dozen pages, not the whole site."""
    counts = {pages: search.shard_count(pages, 500)
              for pages in (14, 63, 64, 255, 256, 500, 4000, 4001, 10_000)}
    assert counts == {14: 1, 63: 1, 64: 2, 255: 4, 256: 8, 500: 8, 4000: 8, 4001: 16,
                      10_000: 32}


def test_a_change_reindexes_only_its_shard(tmp_path: Path) -> None:
    """The shards whose pages did not change are the previous build's files, linked; the
    result is byte for byte a cold build of the changed articles."""
    root = _project(tmp_path / "site")
    assert _publish(root).returncode == 0
    build = root / "build"
    before = {p: p.stat().st_ino for p in (build / "html" / "pagefind").rglob("*")
              if p.is_file()}
    article = root / "articles" / "metformin.md"
    text = article.read_text(encoding="utf-8")
    heading = text.index("\n", text.index("\n## ") + 1)  # the end of the first section's title
    article.write_text(text[:heading] + "\n\nA sentence added to test the search index."
                       + text[heading:], encoding="utf-8")
    done = _publish(root)
    assert done.returncode == 0, done.stdout + done.stderr
    changed = {p.parent.relative_to(build / "html" / "pagefind").parts[0]
               for p, inode in before.items() if not p.is_file() or p.stat().st_ino != inode}
    shard = [n for n, names in search.shards(
        [f"{a.stem}.html" for a in (root / "articles").glob("*.md")], SHARD_PAGES).items()
        if "metformin.html" in names]
    assert changed == {str(shard[0])}  # the other three shards were reused as they were
    cold = _project(tmp_path / "cold")
    shutil.copyfile(article, cold / "articles" / "metformin.md")
    assert _publish(cold).returncode == 0
    assert _files(build) == _files(cold / "build")


def test_the_indexer_works_beside_the_staging_folder(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind's scratch folder is made beside the build being staged, not in the system's
    temporary folder: a publish killed while Pagefind runs leaves it where the next publish
    removes it with the dead publish's staging folder."""
    root = _project(tmp_path / "site")
    empty_tmp = tmp_path / "tmp"
    empty_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(empty_tmp))
    # what a publish killed during indexing leaves: its staging folder and Pagefind's scratch
    dead = [root / ".build.staging-999999", root / ".build.staging-999999-search-abc123"]
    for folder in dead:
        (folder / "site").mkdir(parents=True)
        (folder / "site" / "page.html").write_text("<p>left behind</p>", encoding="utf-8")
    made: list[Path] = []
    real_run = subprocess.run

    def watched(command: Any, **kwargs: Any) -> Any:  # the Pagefind runs: where they work
        made.append(Path(kwargs["cwd"]))
        return real_run(command, **kwargs)

    monkeypatch.setattr(subprocess, "run", watched)
    config = load_config(root)
    result = publish(config, PublishRequest(out=root / "build", formats=("html",), jobs=1))
    assert not result.diagnostics, result.diagnostics
    assert made and all(folder.parent == root and folder.name.startswith(".build.staging-")
                        and "-search-" in folder.name for folder in made)
    assert not any(folder.exists() for folder in [*dead, *made])
    assert list(empty_tmp.iterdir()) == []
    assert (root / "build" / "html" / "pagefind" / "0" / "pagefind-entry.json").is_file()


class _Shard(dict[str, bytes]):
    """A shard's index files as `_index` returns them, but one that can be watched."""


def test_each_shard_is_let_go_once_its_files_are_taken(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The index is read back one shard at a time: when the files of the next shard are
    taken, nothing holds the previous shard's any more (a 10,000-article site's index is
    about 60 MB)."""
    import weakref

    pages = {f"page-{n:03}.html": f"{n:064x}" for n in range(300)}  # 8 shards
    made: list[weakref.ref[_Shard]] = []

    def index(html: Path, names: list[str]) -> _Shard:
        shard = _Shard({"pagefind-entry.json": b"{}", "index/a.pf_index": bytes(1000)})
        made.append(weakref.ref(shard))
        return shard

    monkeypatch.setattr(search, "_index", index)
    alive_when_taken: list[int] = []
    folders: list[str] = []
    for relative, _ in search.index_files(tmp_path, pages, None, 500):
        folder = relative.split("/")[1]
        if not folders or folders[-1] != folder:
            folders.append(folder)
            alive_when_taken.append(sum(ref() is not None for ref in made[:len(folders) - 1]))
    assert len(folders) == len(made) == search.shard_count(len(pages), 500) == 8
    assert alive_when_taken == [0] * 8  # no earlier shard is held when the next is read


def _files(build: Path) -> dict[str, bytes]:
    return {p.relative_to(build).as_posix(): p.read_bytes()
            for p in sorted(build.rglob("*")) if p.is_file()}


def test_the_index_is_byte_identical(published: tuple[Path, str],
                                     tmp_path: Path) -> None:
    build, _ = published
    again = _project(tmp_path / "elsewhere")
    done = _publish(again)
    assert done.returncode == 0, done.stdout + done.stderr

    def files(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    first, second = files(build / "html"), files(again / "build" / "html")
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


def test_a_synonym_finds_its_article(browser: Any, site: str) -> None:
    page = browser.new_page()
    first = _search_from(page, site, "asthma.html", "isobutylphenylpropionic acid")
    link = first.get_by_role("link")
    assert link.inner_text() == "Ibuprofen"
    assert first.locator(".entry-type").text_content() == "Drug"
    assert "non-steroidal anti-inflammatory" in first.locator(".entry-summary").inner_text()
    assert "found for" in page.locator("#search-status").inner_text()
    link.click()
    page.wait_for_url("**/ibuprofen.html")
    assert page.locator("h1").inner_text() == "Ibuprofen"
    page.close()


def test_a_classification_code_finds_its_article(browser: Any, site: str) -> None:
    page = browser.new_page()
    first = _search_from(page, site, "a-z/i.html", "J45")
    assert first.get_by_role("link").inner_text() == "Asthma"
    assert first.locator(".entry-type").text_content() == "Condition"
    first.get_by_role("link").click()
    page.wait_for_url("**/asthma.html")
    facts = page.locator("dl.article-facts")
    assert "ICD-10" in facts.inner_text() and "J45" in facts.inner_text()
    page.close()


def test_every_shard_answers(browser: Any, site: str, published: tuple[Path, str]) -> None:
    """An article of each shard is found by its title: the shards are merged."""
    import html
    import re

    html_folder = published[0] / "html"
    titles = {p.name: html.unescape(re.search(r"<h1[^>]*>(.*?)</h1>", p.read_text(
        encoding="utf-8"), re.S).group(1))  # type: ignore[union-attr]
              for p in html_folder.glob("*.html") if p.name not in NOT_ARTICLES}
    page = browser.new_page()
    for names in search.shards(titles, SHARD_PAGES).values():
        title = titles[names[0]]
        _search_from(page, site, "index.html", title)
        found = page.locator("#search-results li a.entry-title").all_inner_texts()
        assert title in found, (title, found)  # (ranks are per shard: tiny shards here)
    page.close()


def test_the_title_ranks_above_the_body(browser: Any, site: str) -> None:
    """Many articles mention asthma in their text; the article called Asthma comes first."""
    page = browser.new_page()
    first = _search_from(page, site, "index.html", "asthma")
    assert first.get_by_role("link").inner_text() == "Asthma"
    page.close()


def test_the_search_page_with_results_passes_axe(browser: Any, site: str) -> None:
    require(AXE_JS.is_file(), "node_modules/axe-core")
    page = browser.new_page()
    _search_from(page, site, "index.html", "immune")
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate("async () => (await axe.run(document)).violations")
    page.close()
    found = {"search.html (results)": [
        {"id": v["id"], "impact": v.get("impact"), "help": v.get("help"),
         "nodes": [{"target": n.get("target"), "summary": n.get("failureSummary")}
                   for n in v.get("nodes", [])]} for v in violations]}
    assert not any(found.values()), format_axe(found)


def test_without_pagefind_the_publish_says_so_once(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path)
    monkeypatch.setattr(search, "available", lambda: False)
    monkeypatch.setattr(search, "_noted", False)
    config = load_config(root)
    for out in ("build", "build2"):
        result = publish(config, PublishRequest(out=Path(out), formats=("html",), jobs=1))
        assert result.ok, result.diagnostics
        assert not (root / out / "html" / "pagefind").exists()
        assert (root / out / "html" / "search.html").is_file()
    stderr = capsys.readouterr().err
    assert stderr.count(search.SKIPPED_NOTE) == 1, stderr
