"""One parse, one engine, one home for each fact: the pipeline never says two things about
the same article.

Each test here was a reproducer of a disagreement: check passing and publish refusing, two
parsers giving different trees, the answer depending on the number of workers, a heading id
computed in several places.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from pipeline.check import check_paths
from pipeline.config import load_config
from pipeline.publish import PublishRequest, publish
from tests.conftest import ARTICLES, Runner, write_pyproject

HEAD = """---
title: {title}
type: condition
summary: A made-up condition that exists only to test the pipeline.
license: CC-BY-SA-4.0
disclaimer: medical
contributors:
  - name: Test Author
    credentials: MD
categories: [Testing]
last_reviewed: "2026-06-01"
references:
  - id: lee2023
    type: article-journal
    title: A made-up study
    DOI: 10.1000/test.2023.001
---
"""
SECTIONS = ("## Overview\n\n{overview}\n\n## Symptoms\n\nS.\n\n## Causes\n\nC [@lee2023].\n\n"
            "## Diagnosis\n\nD.\n\n## Treatment\n\nT.\n\n## See Also\n\n- [{other}]({slug}.md)\n")


def write(project: Path, slug: str, overview: str, other: str = "beta") -> None:
    text = HEAD.format(title=slug.capitalize()) + SECTIONS.format(
        overview=overview, other=other.capitalize(), slug=other)
    (project / "articles" / f"{slug}.md").write_text(text, encoding="utf-8")


def pair(project: Path, overview: str) -> None:
    """`alpha` with the given Overview, and `beta` linking back so neither is an orphan."""
    write(project, "alpha", overview, "beta")
    write(project, "beta", "Beta is fine.", "alpha")


def check_json(run_cli: Runner, project: Path, *args: str) -> list[tuple[str, int, str]]:
    done = run_cli(project, "check", "--format", "json", *args)
    assert done.returncode in (0, 1), done.stderr
    return [(d["path"], d["line"], d["code"])
            for d in json.loads(done.stdout)["diagnostics"]]


# -- check exit 0 => publish succeeds ------------------------------------------------------------


def test_a_heading_inside_a_list_item_checks_and_publishes(project: Path,
                                                           run_cli: Runner) -> None:
    pair(project, "Some text.\n\n- item\n  ## Heading\n\n  more text")
    assert run_cli(project, "check").returncode == 0
    published = run_cli(project, "publish", "--formats", "html,json")
    assert published.returncode == 0, published.stdout + published.stderr
    page = (project / "build" / "html" / "alpha.html").read_text(encoding="utf-8")
    overview = page.split('id="overview"', 1)[1].split('id="causes"', 1)[0]
    assert "<li>item\n<h2" in overview or "<li>\n<p>item</p>\n<h2" in overview \
        or ('<h2 id="heading">Heading</h2>' in overview)
    sections = json.loads((project / "build" / "json" / "alpha.json").read_bytes())["sections"]
    assert [s["title"] for s in sections][:2] == ["Overview", "Symptoms"]


# -- one parser ---------------------------------------------------------------------------------

# Inputs on which the retired second parser gave different trees (the classes).
DISAGREEMENTS = [
    "SpO₂ **≥**94% at rest.",
    "a\x0c",
    "- ![a\n  b](images/x.png)",
    "![*(**](images/x.png)",
    '[a](https://münchen.de "[1](x)")',
    "*a * a~~*~~b~~",
    "Oxygen _≤_ 5 litres, __→__ done.",
]


def reference_tokens(body: str) -> list[tuple[str, str, str]]:
    parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return flatten(parser.parse(body))


def flatten(tokens: list) -> list[tuple[str, str, str]]:  # type: ignore[type-arg]
    result = []
    for token in tokens:
        result.append((token.type, token.tag, token.content))
        for child in token.children or []:
            result.append((child.type, child.tag, child.content))
    return result


@pytest.mark.parametrize("text", DISAGREEMENTS)
def test_the_tree_the_rules_read_is_the_reference_parsers_tree(text: str) -> None:
    from pipeline.config import config_from_table
    from pipeline.load import load_bytes

    body = f"## Overview\n\n{text}\n"
    config = config_from_table(Path("."), {})
    loaded = load_bytes((HEAD.format(title="Alpha") + body).encode(), "articles/alpha.md",
                        "alpha", config.limits)
    assert loaded.article is not None
    assert flatten(loaded.article.tokens) == reference_tokens(body)


def test_symbols_next_to_emphasis_render_as_the_parser_reads_them(project: Path) -> None:
    """markdown-it-py 4 treats Unicode symbols as punctuation: `**≥**94%` is not emphasis."""
    pair(project, "SpO₂ **≥**94% at rest; **≥ 94%** is.")
    config = load_config(project)
    result = publish(config, PublishRequest(out=project / "build", formats=("html",)))
    assert result.ok, result.diagnostics
    page = (project / "build" / "html" / "alpha.html").read_text(encoding="utf-8")
    assert "SpO₂ **≥**94% at rest; <strong>≥ 94%</strong> is." in page


def test_a_link_title_that_looks_like_a_link_is_not_a_link(project: Path,
                                                           run_cli: Runner) -> None:
    pair(project, 'See [a](https://münchen.de "[1](x)").')
    assert check_json(run_cli, project) == []
    assert run_cli(project, "publish", "--formats", "html").returncode == 0
    page = (project / "build" / "html" / "alpha.html").read_text(encoding="utf-8")
    assert 'href="https://xn--mnchen-3ya.de"' in page  # the parser's own normalisation
    assert 'title="[1](x)"' in page


# -- heading ids: one computation ---------------------------------------------------------------


def test_heading_ids_are_the_same_for_the_check_and_the_page(project: Path,
                                                             run_cli: Runner) -> None:
    pair(project, "### Content\n\nText.\n\n### Triggers\n\nOne.\n\n### Triggers\n\nTwo.\n\n"
                  "[first](#triggers) [second](#triggers-2) [content](#content-2)")
    write(project, "beta", "[page](alpha.md#content) [ok](alpha.md#triggers-2)", "alpha")
    found = check_json(run_cli, project)
    assert found == [("articles/beta.md", 20, "LNK102")]  # #content is the page's <main>
    write(project, "beta", "[ok](alpha.md#triggers-2) [ok](alpha.md#content-2)", "alpha")
    assert check_json(run_cli, project) == []
    assert run_cli(project, "publish", "--formats", "html").returncode == 0
    page = (project / "build" / "html" / "alpha.html").read_text(encoding="utf-8")
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    assert {"content", "content-2", "triggers", "triggers-2"} <= set(ids)
    assert '<h3 id="content-2">Content</h3>' in page


# -- one engine: the same answer for any number of workers ---------------------------------------


SILENCE = '  # <!-- pipeline: ignore LNK104 reason="new" -->'


def corpus(folder: Path, count: int) -> None:
    """`count` articles in a ring of See Also links; every seventh silences an orphan warning
    it does not get (SUP102); one more is a real orphan and silences it (nothing)."""
    articles = folder / "articles"
    for number in range(count):
        slug, after = f"article-{number:03d}", f"article-{(number + 1) % count:03d}"
        overview = "Plain text."
        if number % 11 == 0:
            overview += "\n\nSee [the old site](http://example.org/)."
        write(folder, slug, overview, after)
        if number % 7 == 0:
            path = articles / f"{slug}.md"
            path.write_text(path.read_text(encoding="utf-8").replace(
                "\ntype:", SILENCE + "\ntype:", 1), encoding="utf-8")
    write(folder, "article-lone", "Alone.", "article-000")
    lone = articles / "article-lone.md"
    lone.write_text(lone.read_text(encoding="utf-8").replace("\ntype:", SILENCE + "\ntype:", 1),
                    encoding="utf-8")


@pytest.mark.parametrize("count", [20, 60])
def test_one_job_and_two_jobs_give_the_same_diagnostics(tmp_path: Path, count: int) -> None:
    (tmp_path / "articles").mkdir()
    write_pyproject(tmp_path)
    corpus(tmp_path, count)
    config = load_config(tmp_path)
    one = check_paths(config, jobs=1).diagnostics
    two = check_paths(config, jobs=2).diagnostics
    assert one == two
    codes = [d.code for d in one]
    assert codes.count("SUP102") == len(range(0, count, 7))
    assert "LNK104" not in codes


def test_generated_corpus_checks_the_same_with_any_number_of_jobs(tmp_path: Path) -> None:
    from benchmarks.corpus import generate

    generate(tmp_path / "articles", 120, seed=7)
    write_pyproject(tmp_path)
    config = load_config(tmp_path)
    one = check_paths(config, jobs=1).diagnostics
    assert one == check_paths(config, jobs=2).diagnostics
    assert one == check_paths(config, jobs=3).diagnostics


def test_check_publish_and_bundled_articles_agree(tmp_path: Path) -> None:
    shutil.copytree(ARTICLES, tmp_path / "articles")
    write_pyproject(tmp_path)
    config = load_config(tmp_path)
    checked = check_paths(config, jobs=1)
    published = publish(config, PublishRequest(out=tmp_path / "build", formats=("html",),
                                               jobs=2))
    assert checked.diagnostics == published.diagnostics
