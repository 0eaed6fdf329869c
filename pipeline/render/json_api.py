"""The JSON API: one document per article and an index of all articles.

The article document follows the Wikimedia REST `page/summary` shape where it fits (`type`,
`title`, `displaytitle`, `description`, `extract`, `extract_html`, `content_urls`, `lang`,
`dir`, `timestamp`, `revision`) and adds the encyclopedia's own fields (sections, credits,
licence, disclaimer, attribution). `schemas/article.output.schema.json` describes both
documents. Output is deterministic: keys in a fixed order, no clock (the timestamp is the
review date), UTF-8 without `\\u` escapes, one trailing newline.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from pipeline.render.view import ArticleView, CategoryView, LicenseView, Listed, Listing, Site

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.model import Article
    from pipeline.render.formats import Views

API_VERSION = 1
_FIRST_PARAGRAPH = re.compile(r"^<p>.*?</p>", re.DOTALL | re.MULTILINE)  # not in a list
_TAG = re.compile(r"<[^>]*>")


def render_article_json(view: ArticleView, site: Site) -> bytes:
    """`json/<slug>.json`; `view` is built with absolute links."""
    return _dump(article_document(view, site))


def render_index_json(views: Iterable[Listed], site: Site) -> bytes:
    """`json/index.json`: the site, every article's metadata by slug, and the categories."""
    ordered = sorted(views, key=lambda v: v.slug)
    categories: dict[str, tuple[CategoryView, list[str]]] = {}
    for view in ordered:
        for category in view.categories:
            slugs = categories.setdefault(category.slug, (category, []))[1]
            if not slugs or slugs[-1] != view.slug:  # two names of one category: list it once
                slugs.append(view.slug)
    document = {
        "version": API_VERSION,
        "site": _site(site),
        "count": len(ordered),
        "articles": [summary_document(view, site) for view in ordered],
        "categories": [{"name": category.name, "slug": slug,
                        "url": site.url(f"category/{slug}.html"), "articles": slugs}
                       for slug, (category, slugs) in sorted(categories.items())],
    }
    return _dump(document)


def _dump(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _site(site: Site) -> dict[str, Any]:
    return {"name": site.name, "url": site.base_url, "lang": site.language}


def _license(license: LicenseView) -> dict[str, str]:
    return {"spdx": license.spdx, "name": license.name, "url": license.url}


def _timestamp(view: ArticleView) -> str:
    return f"{view.last_reviewed}T00:00:00Z" if view.last_reviewed else ""


def summary_document(view: Listed, site: Site) -> dict[str, Any]:
    """One article in the index: enough to list, link and filter it."""
    return {
        "slug": view.slug,
        "title": view.title,
        "article_type": view.type,
        "summary": view.summary,
        "url": view.url,
        "categories": [c.name for c in view.categories],
        "last_reviewed": view.last_reviewed,
        "license": view.license.spdx,
    }


def article_document(view: ArticleView, site: Site) -> dict[str, Any]:
    """The article as the API publishes it (keys in this order)."""
    extract_html = _first_paragraph(view)
    document: dict[str, Any] = {
        "type": "standard",
        "title": view.title,
        "displaytitle": _escape(view.title),
        "description": view.summary,
        "extract": html.unescape(_TAG.sub("", extract_html)),
        "extract_html": extract_html,
        "content_urls": {"desktop": {"page": view.url}, "mobile": {"page": view.url}},
        "lang": site.language,
        "dir": "ltr",
        "timestamp": _timestamp(view),
        "revision": "",
        "slug": view.slug,
        "article_type": view.type,
        "summary": view.summary,
        "sections": [{"title": s.title, "anchor": s.anchor, "html": s.html, "text": s.text}
                     for s in view.sections],
        "contributors": [{"name": c.name, "credentials": c.credentials, "role": c.role}
                         for c in view.contributors],
        "images": [{"file": i.file, "url": site.url(f"images/{i.file}"), "title": i.title,
                    "alt": i.alt, "caption": i.caption, "author": i.author,
                    "source": i.source, "license": _license(i.license)}
                   for i in view.images],
        "categories": [c.name for c in view.categories],
        "last_reviewed": view.last_reviewed,
        "license": _license(view.license),
        "disclaimer": {"id": view.disclaimer.id, "title": view.disclaimer.title,
                       "text": view.disclaimer.text},
        "attribution": view.attribution,
        "references": [{"number": r.number, "id": r.id, "csl": r.csl, "text": r.text,
                        "html": r.html} for r in view.references],
        "links": list(view.links),
        "see_also": [{"slug": link.slug, "title": link.title, "url": link.url}
                     for link in view.see_also],
        "site": _site(site),
        "version": API_VERSION,
    }
    document.update(infobox_document(view))
    upstream = view.upstream
    if upstream is not None:
        document["adapted_from"] = {
            "title": upstream.title, "url": upstream.url, "revision": upstream.revision,
            "date": upstream.date, "authors": upstream.authors,
            "license": _license(upstream.license), "changes": upstream.changes}
    document["revision"] = revision(document)
    return document


def infobox_document(view: ArticleView) -> dict[str, Any]:
    """What the article's infobox shows, each field only when the article has it: other
    names, codes by classification (with the registry page of each), a medicine's routes,
    pregnancy category and legal status by region, and whether it is a stub."""
    document: dict[str, Any] = {}
    if view.synonyms:
        document["synonyms"] = list(view.synonyms)
    if view.codes:
        document["codes"] = {code.system: [{"code": link.value, "system": code.name,
                                            "url": link.url} for link in code.links]
                             for code in view.codes}
    if view.routes:
        document["routes"] = list(view.routes)
    for name, values in (("pregnancy_category", view.pregnancy_category),
                         ("legal_status", view.legal_status)):
        if values:
            document[name] = {value.region: value.value for value in values}
    if view.stub:
        document["stub"] = True
    return document


def revision(document: dict[str, Any]) -> str:
    """A stable id of the content: the first 16 hex digits of its SHA-256."""
    content = {k: v for k, v in document.items() if k != "revision"}
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _first_paragraph(view: ArticleView) -> str:
    for section in view.sections:
        match = _FIRST_PARAGRAPH.search(section.html)
        if match:
            return match.group(0)
    return f"<p>{_escape(view.summary)}</p>"



class JsonFormat:
    """`json/`: one document per article, with absolute links; `json/index.json`."""

    name = "json"

    def article_files(self, config: Config, site: Site, views: Views,
                      article: Article) -> dict[str, bytes]:
        return {f"json/{article.slug}.json": render_article_json(views.absolute, site)}

    def site_files(self, config: Config, site: Site, listings: list[Listing],
                   images: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        yield "json/index.json", render_index_json(listings, site)


FORMAT = JsonFormat()
