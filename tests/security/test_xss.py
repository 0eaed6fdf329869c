"""Promise 1: no script reaches a reader.

The payload corpus (`payloads.yaml`, from the public filter-evasion lists) is written into
articles: raw HTML, script URLs in links, images, reference definitions and autolinks,
event handlers, SVG and MathML, `</script>` and `<!--` in every front-matter value that
reaches the JSON-LD block, `<title>`, `<meta>` or an attribute, control characters, and
template syntax. The check must report each one on its line; and, published with those
errors downgraded to warnings (the renderer on its own), no page may run anything in a real
browser, the JSON API's HTML must be as clean, and every page must still be valid,
accessible HTML.
"""

from __future__ import annotations

import collections
import html
import json
import os
import re
from pathlib import Path

import pytest

from pipeline.characters import without_forbidden
from pipeline.check import check_paths
from pipeline.config import load_config
from pipeline.diagnostics import RULES_BY_CODE
from tests.browser import axe_violations, format_axe, format_nu, nu_check
from tests.security.browser_probe import visit_all
from tests.security.conftest import HostileSite
from tests.security.hostile import (
    BODY_SLOTS,
    FLAGS,
    FRONT_SLOTS,
    HostileArticle,
    load_payloads,
    make_project,
)
from tests.security.htmlscan import executable_constructs

PAYLOADS = load_payloads()


# -- the corpus itself -----------------------------------------------------------------------


def test_the_corpus_is_large_and_every_payload_would_set_a_flag() -> None:
    assert len(PAYLOADS) >= 60
    assert len({p.id for p in PAYLOADS}) == len(PAYLOADS)
    for payload in PAYLOADS:
        assert payload.where in FRONT_SLOTS + BODY_SLOTS, payload.id
        assert payload.flag in FLAGS, payload.id
        assert payload.carries_its_flag(), f"{payload.id} would set no {payload.flag} flag"
        assert set(payload.expect) <= set(RULES_BY_CODE), payload.id
    where = collections.Counter(p.where for p in PAYLOADS)
    assert set(where) == set(FRONT_SLOTS + BODY_SLOTS)  # every slot is attacked


# -- the check reports what it refuses ----------------------------------------------------------


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory,
            hostile_articles: list[HostileArticle]) -> dict[tuple[str, int], set[str]]:
    """Codes reported by `pipeline check` (default configuration), by article and line."""
    root = make_project(tmp_path_factory.mktemp("checked"), hostile_articles)
    result = check_paths(load_config(root))
    found: dict[tuple[str, int], set[str]] = collections.defaultdict(set)
    for diagnostic in result.diagnostics:
        found[(Path(diagnostic.path).stem, diagnostic.line)].add(diagnostic.code)
    return found


@pytest.mark.parametrize("payload_id", [p.id for p in PAYLOADS])
def test_the_check_reports_each_payload_on_its_line(
        payload_id: str, hostile_articles: list[HostileArticle],
        checked: dict[tuple[str, int], set[str]]) -> None:
    article = next(a for a in hostile_articles if payload_id in a.lines)
    payload = next(p for p in article.payloads if p.id == payload_id)
    first = article.lines[payload_id]
    lines = range(first, first + payload.payload.count("\n") + 1)
    reported = set().union(*(checked.get((article.slug, n), set()) for n in lines))
    assert reported == set(payload.expect), (
        f"{article.slug}.md:{first}: {payload.payload!r}")


def test_every_refused_payload_makes_the_publish_fail(
        tmp_path: Path, hostile_articles: list[HostileArticle]) -> None:
    from pipeline.publish import PublishRequest, publish

    root = make_project(tmp_path, hostile_articles)
    result = publish(load_config(root), PublishRequest(out=root / "build", formats=("html",)))
    assert not result.ok
    assert not (root / "build").exists()
    refused = {d.code for d in result.diagnostics if d.severity == "error"}
    assert {"SEC101", "SEC102", "SEC106", "SEC107"} <= refused


# -- published anyway: the renderer on its own ------------------------------------------------


def site_pages(site: HostileSite) -> list[Path]:
    html_root = site.build / "html"
    return sorted(p for p in html_root.rglob("*") if p.suffix in (".html", ".svg"))


def test_every_hostile_article_was_published(hostile_site: HostileSite) -> None:
    pages = {p.name for p in site_pages(hostile_site)}
    for article in hostile_site.articles:
        assert f"{article.slug}.html" in pages
    assert "index.html" in pages
    assert len(list((hostile_site.build / "html" / "category").glob("*.html"))) >= 3
    warned = {d.code for d in hostile_site.result.diagnostics}
    assert {"SEC101", "SEC102", "SEC106", "SEC107"} <= warned


def test_no_page_holds_an_executable_construct(hostile_site: HostileSite) -> None:
    problems = {}
    for page in site_pages(hostile_site):
        if page.suffix == ".html":
            found = executable_constructs(page.read_text(encoding="utf-8"), page=True)
            if found:
                problems[page.name] = found
    assert not problems


def test_no_script_runs_in_a_browser_even_after_every_click(hostile_site: HostileSite) -> None:
    pages = site_pages(hostile_site)
    visits = visit_all(hostile_site.build / "html", pages)
    assert len(visits) == len(pages)
    problems = {v.url: v.findings() for v in visits if v.findings()}
    assert not problems
    # the probe really clicked: links to other pages were reached and stopped
    assert sum(v.clicks_stopped for v in visits) > len(pages)


def test_the_probe_sees_a_script_that_runs(tmp_path: Path) -> None:
    """The harness is not blind: each kind of evidence is caught on a page built to fail."""
    pages = {
        "script.html": "<script>window.__pwned = 1</script>",
        "dialog.html": '<img src="missing.png" onerror="alert(1)">',
        "title.html": "<script>document.title = 'PWNED'</script>",
        "console.html": "<script>console.log('PWNED')</script>",
        "request.html": '<img src="https://evil.example/pixel.png" alt="">',
        "click.html": '<a href="javascript:window.__pwned=1">x</a>',
        "safe.html": '<a href="safe.html#top">a</a> <a href="script.html">b</a>',
    }
    for name, body in pages.items():
        (tmp_path / name).write_text(f"<!DOCTYPE html><title>t</title>{body}",
                                     encoding="utf-8")
    visits = {Path(v.url).name: v for v in visit_all(tmp_path, sorted(
        tmp_path / name for name in pages))}
    assert any("flag set: pwned" in f for f in visits["script.html"].findings())
    assert any(f.startswith("dialog: alert") for f in visits["dialog.html"].findings())
    assert "flag set: title" in visits["title.html"].findings()
    assert "console: PWNED" in visits["console.html"].findings()
    assert any("evil.example" in f for f in visits["request.html"].findings())
    click = visits["click.html"].findings()
    assert "flag set: pwned" in click and any("javascript:" in f for f in click)
    assert visits["safe.html"].findings() == []
    assert visits["safe.html"].clicks_stopped == 1


def test_template_syntax_stays_text(hostile_site: HostileSite) -> None:
    for payload in (p for p in PAYLOADS if p.flag == "text"):
        article = next(a for a in hostile_site.articles if payload.id in a.lines)
        page = (hostile_site.build / "html" / f"{article.slug}.html").read_text(
            encoding="utf-8")
        assert payload.payload in html.unescape(page), payload.id
    assert not [p for p in hostile_site.root.rglob("*PWNED*")]


def test_front_matter_reaches_the_json_ld_block_as_data(hostile_site: HostileSite) -> None:
    for article in hostile_site.articles:
        page = (hostile_site.build / "html" / f"{article.slug}.html").read_text(
            encoding="utf-8")
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page,
                            re.DOTALL)
        assert len(blocks) == 1
        assert "<" not in blocks[0] and "\u2028" not in blocks[0]
        data = json.loads(blocks[0])
        for title in (p for p in article.payloads if p.where == "title"):
            assert without_forbidden(data["name"]) == without_forbidden(title.payload).strip()


# -- the JSON API -----------------------------------------------------------------------------


def test_section_html_in_the_json_api_is_sanitised(hostile_site: HostileSite) -> None:
    problems: dict[str, list[str]] = {}
    for path in sorted((hostile_site.build / "json").glob("hostile-*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        fragments = [s["html"] for s in document["sections"]] + [document["extract_html"]]
        for fragment in fragments:
            found = executable_constructs(fragment)
            if found:
                problems.setdefault(path.name, []).extend(found)
        assert "<" not in document["displaytitle"]
    assert not problems


# -- valid and accessible, whatever was written ------------------------------------------------


def test_hostile_pages_are_valid_html(hostile_site: HostileSite) -> None:
    pages = [p for p in site_pages(hostile_site) if p.suffix == ".html"]
    errors = nu_check(pages)
    assert not errors, format_nu(errors)


def test_hostile_pages_have_no_accessibility_violations(hostile_site: HostileSite) -> None:
    pages = [p for p in site_pages(hostile_site) if p.suffix == ".html"]
    results = axe_violations(pages, root=hostile_site.build / "html")
    assert not any(results.values()), format_axe(results)


def test_nothing_was_written_outside_the_build(hostile_site: HostileSite) -> None:
    written = {p.relative_to(hostile_site.root).as_posix()
               for p in hostile_site.root.rglob("*") if p.is_file()}
    sources = {f"articles/{a.slug}.md" for a in hostile_site.articles}
    outside = {p for p in written if not p.startswith("build/")
               and not re.fullmatch(r"\.pipeline-cache/publish-[0-9a-f]{16}\.json", p)}
    assert outside == sources | {"articles/images/pic.svg", "pyproject.toml", ".build.lock"}
    assert os.listdir(hostile_site.root.parent) == [hostile_site.root.name]  # nothing beside


def test_the_preview_never_links_a_file_name_that_is_not_a_slug(
        tmp_path: Path, hostile_articles: list[HostileArticle]) -> None:
    """`pipeline serve` renders drafts even with errors: a file called `javascript:...` must
    not become a link on its front page (publish refuses it with PUB005)."""
    from pipeline.serve import Preview

    root = make_project(tmp_path, hostile_articles[:2])
    (root / "articles" / "javascript:alert(1).md").write_text(hostile_articles[0].text,
                                                              encoding="utf-8")
    page = Preview(load_config(root)).index_page().decode("utf-8")
    own_script = '<script src="/__pipeline/reload.js"></script>'
    assert page.count(own_script) == 1
    assert executable_constructs(page.replace(own_script, ""), page=True) == []
    assert "alert(1).html" not in page
