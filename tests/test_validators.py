"""The published site passes the W3C Nu HTML checker with no error and axe-core with no
violation: the front page, every A to Z and category page, the search and 404 pages and
every article of the bundled corpus, published by `pipeline publish`; a category split
into pages is checked too (page 2 of a category with more articles than a page holds). The
search page with its results shown is checked in tests/test_search.py. The golden fixture
site and a page rendered from hostile front matter go through the Nu checker too, and the
hostile page through axe.

Needs Java, Debian's Chromium and the npm packages (vnu-jar, axe-core); see tests/browser.py.
A missing tool fails these tests instead of skipping them. A deliberately broken page is
checked in the same runs, to prove the checkers are really looking.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pipeline.render.environment import environment
from pipeline.render.html import (
    initial,
    render_article_page,
    render_category_page,
    render_letter_page,
)
from pipeline.render.view import CategoryView, build_view, category_slug
from tests.browser import axe_violations, format_axe, format_nu, nu_check, nu_path
from tests.conftest import ARTICLES, write_pyproject
from tests.golden import TEMPLATES, hostile_article, load_corpus, render_site, write_site
from tests.test_site_index import fake_listings

BROKEN_PAGE = """<html><head></head><body>
<img src="missing.png">
<p style="color:#bbb;background:#fff">Pale text</p>
<a href="#"></a>
<div id="twice"></div><div id="twice"></div>
</body></html>
"""


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus published with the real command line (HTML and JSON)."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(ARTICLES, root / "articles")
    write_pyproject(root)
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "pipeline", "publish", "--out", "build",
                           "--formats", "html,json", "--no-progress"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return root / "build"


@pytest.fixture(scope="module")
def pages(build: Path) -> list[Path]:
    return sorted((build / "html").rglob("*.html"))


@pytest.fixture(scope="module")
def extra(build: Path, pages: list[Path]) -> dict[str, Path]:
    """Pages beside the published site: the broken page, the hostile page, the golden site."""
    golden = load_corpus()
    write_site(render_site(golden), build / "golden")
    hostile = build / "html" / "zz-hostile.html"
    hostile.write_bytes(render_article_page(build_view(hostile_article(), golden.site),
                                            golden.site, environment(TEMPLATES)))
    broken = build / "broken.html"
    broken.write_text(BROKEN_PAGE, encoding="utf-8")
    # Long lists split into pages, and an article page that links its PDF and shows codes.
    env = environment(TEMPLATES)
    listings = fake_listings(250)
    paged = build / "html" / "category" / "zz-paged--2.html"
    paged.write_bytes(render_category_page(CategoryView("Zz paged", "zz-paged"), listings,
                                           golden.site, env, number=2))
    letter = build / "html" / "a-z" / "zz-letter--2.html"
    letter.write_bytes(render_letter_page("A", listings, ["A", "B", "#"], golden.site, env,
                                          number=2))
    bundled = load_corpus(ARTICLES)
    printed = build / "html" / "zz-printed.html"
    with_pdf = replace(bundled.site, formats=("html", "pdf"))
    printed.write_bytes(render_article_page(build_view(bundled.articles["ibuprofen"], with_pdf),
                                            with_pdf, env))
    return {"broken": broken, "hostile": hostile, "golden": build / "golden" / "html",
            "paged": paged, "letter": letter, "printed": printed}


@pytest.fixture(scope="module")
def nu_errors(pages: list[Path], extra: dict[str, Path]) -> dict[str, list[dict[str, Any]]]:
    checked = [*pages, extra["broken"], extra["hostile"], extra["paged"], extra["letter"],
               extra["printed"], *sorted(extra["golden"].rglob("*.html"))]
    by_page: dict[str, list[dict[str, Any]]] = {str(p): [] for p in checked}
    for message in nu_check(checked):
        by_page.setdefault(nu_path(message), []).append(message)
    return by_page


@pytest.fixture(scope="module")
def axe_results(build: Path, pages: list[Path], extra: dict[str, Path]
                ) -> dict[str, list[dict[str, Any]]]:
    return axe_violations([*pages, extra["hostile"], extra["broken"], extra["paged"],
                           extra["letter"], extra["printed"]], root=build)


def test_every_page_is_published(build: Path, pages: list[Path]) -> None:
    corpus = load_corpus(ARTICLES)
    categories = {f"category/{category_slug(name)}.html" for article in
                  corpus.articles.values() for name in article.front_matter["categories"]}
    letters = {f"a-z/{initial(article.title).lower()}.html".replace("#", "other")
               for article in corpus.articles.values()}
    expected = ({f"{slug}.html" for slug in corpus.articles} | categories | letters
                | {"index.html", "search.html", "404.html"})
    assert {p.relative_to(build / "html").as_posix() for p in pages} == expected


def test_nu_html_checker_finds_no_error(nu_errors: dict[str, list[dict[str, Any]]],
                                        pages: list[Path]) -> None:
    site = {str(p) for p in pages}
    found = [m for path, messages in nu_errors.items() if path in site for m in messages]
    assert found == [], format_nu(found)


def test_axe_finds_no_violation(axe_results: dict[str, list[dict[str, Any]]],
                                pages: list[Path]) -> None:
    site = {str(p.resolve()): axe_results[str(p.resolve())] for p in pages}
    assert not any(site.values()), format_axe(site)


def test_golden_and_hostile_pages_pass_too(nu_errors: dict[str, list[dict[str, Any]]],
                                           axe_results: dict[str, list[dict[str, Any]]],
                                           extra: dict[str, Path]) -> None:
    golden = [str(p) for p in sorted(extra["golden"].rglob("*.html"))]
    assert len(golden) == 13  # 3 articles, front, 3 letters, 4 categories, search, 404
    made = [str(extra[name]) for name in ("hostile", "paged", "letter", "printed")]
    found = [m for path in [*golden, *made] for m in nu_errors[path]]
    assert found == [], format_nu(found)
    axed = {path: axe_results[str(Path(path).resolve())] for path in made}
    assert not any(axed.values()), format_axe(axed)


def test_the_checkers_catch_a_broken_page(nu_errors: dict[str, list[dict[str, Any]]],
                                          axe_results: dict[str, list[dict[str, Any]]],
                                          extra: dict[str, Path]) -> None:
    broken = extra["broken"]
    assert len(nu_errors[str(broken)]) >= 3, format_nu(nu_errors[str(broken)])
    found = {v["id"] for v in axe_results[str(broken.resolve())]}
    assert {"image-alt", "color-contrast", "link-name", "html-has-lang",
            "document-title"} <= found
