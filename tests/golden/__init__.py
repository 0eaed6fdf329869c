"""The golden fixture site (`tests/golden/articles/`), a renderer for any small corpus, and
an article with hostile front matter for the escaping tests.

`render_site` calls the HTML and JSON renderers directly, the way `pipeline publish` does,
and returns every output file by its path in the build folder; tests write it or compare it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.check import check_paths
from pipeline.config import Config, Limits, config_from_table
from pipeline.load import load_bytes
from pipeline.model import Article
from pipeline.publish import make_site
from pipeline.render.environment import environment
from pipeline.render.html import FORMAT as HTML
from pipeline.render.html import render_article_page
from pipeline.render.json_api import render_article_json, render_index_json
from pipeline.render.view import ArticleView, Site, build_view, listing_of

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent
GOLDEN_ARTICLES = GOLDEN / "articles"
EXPECTED = GOLDEN / "expected"
SCHEMA = REPO / "schemas" / "article.schema.json"
TEMPLATES = REPO / "templates"


@dataclass
class Corpus:
    config: Config
    site: Site
    articles: dict[str, Article]


def load_corpus(articles: Path = GOLDEN_ARTICLES) -> Corpus:
    """Check a folder of articles with the repository's schema; it must have no error."""
    config = config_from_table(articles.parent, {"articles": str(articles),
                                                 "schema": str(SCHEMA),
                                                 "templates": str(TEMPLATES)})
    result = check_paths(config, keep_articles=True)
    assert result.errors == 0, [f"{d.path}:{d.line}: {d.code} {d.message}"
                                for d in result.diagnostics]
    return Corpus(config, make_site(config, result.articles), result.articles)


def light_views(corpus: Corpus) -> list[ArticleView]:
    return [build_view(a, corpus.site, with_sections=False)
            for _, a in sorted(corpus.articles.items())]


def render_site(corpus: Corpus, with_stylesheet: bool = False) -> dict[str, bytes]:
    """Every HTML and JSON output of the corpus, by path relative to the build folder."""
    env = environment(corpus.config.templates)
    site = corpus.site
    outputs: dict[str, bytes] = {}
    for slug, article in sorted(corpus.articles.items()):
        outputs[f"html/{slug}.html"] = render_article_page(build_view(article, site), site, env)
        outputs[f"json/{slug}.json"] = render_article_json(
            build_view(article, site, absolute_links=True), site)
    views = light_views(corpus)
    # The site pages as the publish makes them: front, A to Z, category, search and 404
    # pages, sitemap and feed (the stylesheet and search script only when asked for).
    for relative, data in HTML.site_files(corpus.config, site,
                                          [listing_of(v) for v in views], []):
        if with_stylesheet or relative not in ("html/style.css", "html/search.js"):
            outputs[relative] = data
    outputs["json/index.json"] = render_index_json(views, site)
    return dict(sorted(outputs.items()))


def write_site(outputs: dict[str, bytes], out: Path, images: Path | None = None) -> None:
    """Write rendered outputs under `out`, with the images next to the HTML pages."""
    for relative, data in outputs.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    if images is not None and images.is_dir():
        (out / "html" / "images").mkdir(parents=True, exist_ok=True)
        for image in images.iterdir():
            (out / "html" / "images" / image.name).write_bytes(image.read_bytes())


# Front-matter values that would break out of markup if a template forgot to escape them.
HOSTILE_TITLE = "</script><script>alert(1)</script> <!-- & \"quoted\""
HOSTILE_NAME = "<img src=x onerror=alert(3)>"
HOSTILE_SUMMARY = "A summary with </script><script>alert(2)</script>, & and a line\\u2028break."


def hostile_article() -> Article:
    """An article whose title, summary and contributor try to open scripts; it also repeats
    a sub-heading and uses one that collides with an id of the page template."""
    source = f"""---
title: {json.dumps(HOSTILE_TITLE)}
type: condition
summary: "{HOSTILE_SUMMARY}"
license: CC-BY-SA-4.0
disclaimer: medical
contributors:
  - name: {json.dumps(HOSTILE_NAME)}
    credentials: "MD</script>"
categories: [Immunology]
last_reviewed: "2026-01-01"
---
## Overview

Text with <script>alert(4)</script> raw HTML, dropped.

## Causes

### Children

Some text.

## Symptoms

### Children

More text.

### Disclaimer

A heading that takes a page id.

## See Also

- [Common cold](common-cold.md)
"""
    loaded = load_bytes(source.encode("utf-8"), "articles/hostile.md", "hostile", Limits())
    assert loaded.article is not None, loaded.diagnostics
    return loaded.article
