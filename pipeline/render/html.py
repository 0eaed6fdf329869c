"""The HTML site: article pages, the front page, category pages and the stylesheet.

Each renderer is a pure function from views to the bytes of one file; the Jinja templates in
`templates/` decide the markup. Pages link to each other relatively: article pages and the
front page sit in `html/`, category pages one folder down in `html/category/`, so every
template gets a `root` prefix ("" or "../") for the links it writes itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import jinja2

from pipeline.licenses import LICENSES
from pipeline.render.references import ReferenceView
from pipeline.render.view import ArticleView, CategoryView, LicenseView, Listed, Listing, Site

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.model import Article
    from pipeline.render.formats import Views

_SITE_LICENSE = LICENSES["CC-BY-SA-4.0"]
SITE_LICENSE = LicenseView(_SITE_LICENSE.spdx, _SITE_LICENSE.name, _SITE_LICENSE.url)

# schema.org type of what an article is about, by article type.
ABOUT_TYPES = {"condition": "MedicalCondition", "drug": "Drug", "topic": "MedicalEntity"}

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
OTHER_INITIAL = "#"
DASH = "\u2013"  # between a page's name and the site's in <title>
_Shown = TypeVar("_Shown", bound=Listed)


@dataclass(frozen=True)
class LetterGroup:
    """Articles whose titles start with one letter, for the A to Z list."""

    letter: str  # "A" to "Z", or "#" for titles that start with anything else
    anchor: str
    articles: list[Listed]


@dataclass(frozen=True)
class CategoryGroup:
    category: CategoryView
    url: str  # relative to the front page
    articles: list[Listed]


def render_article_page(view: ArticleView, site: Site, env: jinja2.Environment) -> bytes:
    """`html/<slug>.html`: the article with its notices, credits and structured data."""
    return _render(env, "article.html", site, root="", canonical=view.url,
                   page_title=f"{view.title} {DASH} {site.name}", description=view.summary,
                   json_ld=article_json_ld(view, site), view=view, disclaimer_link="#disclaimer",
                   reviewed=long_date(view.last_reviewed), og_type="article",
                   page_license=view.license)


def render_index_page(views: Iterable[Listed], site: Site, env: jinja2.Environment) -> bytes:
    """`html/index.html`: every article A to Z with its summary, then by category."""
    ordered = sorted_views(views)
    description = (f"{site.name}: {len(ordered)} articles on medical conditions, medicines and "
                   "health topics, A to Z and by category.")
    json_ld = {"@context": "https://schema.org", "@type": "WebSite", "name": site.name,
               "url": site.base_url, "description": description, "inLanguage": site.language,
               "license": SITE_LICENSE.url, "publisher": _publisher(site)}
    return _render(env, "index.html", site, root="", canonical=site.base_url,
                   page_title=site.name, description=description, json_ld=json_ld,
                   letters=letter_groups(ordered), categories=category_groups(ordered),
                   count=len(ordered), disclaimers=list(site.disclaimers.values()),
                   disclaimer_link="#disclaimers", og_type="website",
                   page_license=SITE_LICENSE)


def render_category_page(category: CategoryView, views: Iterable[Listed], site: Site,
                         env: jinja2.Environment) -> bytes:
    """`html/category/<slug>.html`: the articles of one category, A to Z, with summaries."""
    ordered = sorted_views(views)
    url = site.url(category_path(category))
    description = (f"{len(ordered)} {'article' if len(ordered) == 1 else 'articles'} in "
                   f"{category.name}, {site.name}.")
    json_ld = {"@context": "https://schema.org", "@type": "CollectionPage",
               "name": category.name, "url": url, "description": description,
               "inLanguage": site.language,
               "isPartOf": {"@type": "WebSite", "name": site.name, "url": site.base_url},
               "hasPart": [{"@type": "MedicalWebPage", "name": v.title, "url": v.url}
                           for v in ordered]}
    return _render(env, "category.html", site, root="../", canonical=url,
                   page_title=f"{category.name} {DASH} {site.name}", description=description,
                   json_ld=json_ld, category=category, articles=ordered,
                   disclaimer_link="../index.html#disclaimers", og_type="website",
                   page_license=SITE_LICENSE)


def stylesheet(templates: Path) -> bytes:
    """`html/style.css`: the site's screen and print styles, as the templates folder has it."""
    return (templates / "style.css").read_bytes()


def _render(env: jinja2.Environment, name: str, site: Site, **context: Any) -> bytes:
    text = env.get_template(name).render(site=site, site_license=SITE_LICENSE, **context)
    return (text.rstrip("\n") + "\n").encode("utf-8")


# -- data for the templates ----------------------------------------------------------------


def sorted_views(views: Iterable[_Shown]) -> list[_Shown]:
    """Articles in reading order: by title, ignoring case and accents; slug breaks ties."""
    return sorted(views, key=lambda v: (_fold(v.title), v.title, v.slug))


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def initial(title: str) -> str:
    """The letter of the A to Z list a title is listed under."""
    first = _fold(title)[:1].upper()
    return first if "A" <= first <= "Z" else OTHER_INITIAL


def letter_groups(ordered: Iterable[Listed]) -> list[LetterGroup]:
    groups: dict[str, list[Listed]] = {}
    for view in ordered:
        groups.setdefault(initial(view.title), []).append(view)
    return [LetterGroup(letter, "letter-" + (letter.lower() if letter != OTHER_INITIAL
                                              else "other"), members)
            for letter, members in sorted(groups.items(),
                                          key=lambda item: (item[0] == OTHER_INITIAL, item[0]))]


def category_groups(ordered: Iterable[Listed]) -> list[CategoryGroup]:
    """Categories by name, each with its articles in reading order; one entry per slug."""
    found: dict[str, tuple[CategoryView, list[Listed]]] = {}
    for view in ordered:
        for slug in dict.fromkeys(category.slug for category in view.categories):
            category = next(c for c in view.categories if c.slug == slug)
            found.setdefault(slug, (category, []))[1].append(view)
    groups = [CategoryGroup(category, category_path(category), members)
              for category, members in found.values()]
    return sorted(groups, key=lambda g: (_fold(g.category.name), g.category.slug))


def category_path(category: CategoryView) -> str:
    """Where a category page sits, relative to the front page."""
    return f"category/{category.slug}.html"


def long_date(iso: str) -> str:
    """`2026-01-21` → `21 January 2026`; anything else is returned as it is."""
    match = _DATE.fullmatch(iso)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return iso
    year, month, day = match.groups()
    return f"{int(day)} {_MONTHS[int(month) - 1]} {year}"


def _publisher(site: Site) -> dict[str, str]:
    return {"@type": "Organization", "name": site.name, "url": site.base_url}


def _person(name: str, credentials: str) -> dict[str, str]:
    person = {"@type": "Person", "name": name}
    if credentials:
        person["honorificSuffix"] = credentials
    return person


def article_json_ld(view: ArticleView, site: Site) -> dict[str, Any]:
    """schema.org `MedicalWebPage` for an article page (serialised by `tojson_script`)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "@id": view.url,
        "url": view.url,
        "name": view.title,
        "headline": view.title,
        "description": view.summary,
        "inLanguage": site.language,
        "about": {"@type": ABOUT_TYPES.get(view.type, "Thing"), "name": view.title,
                  "description": view.summary},
        "author": [_person(c.name, c.credentials) for c in view.contributors],
        "license": view.license.url or view.license.name,
        "publisher": _publisher(site),
        "isPartOf": {"@type": "WebSite", "name": site.name, "url": site.base_url},
    }
    reviewers = [_person(c.name, c.credentials) for c in view.contributors
                 if c.role == "reviewer"]
    if reviewers:
        data["reviewedBy"] = reviewers
    if view.last_reviewed:
        data["lastReviewed"] = view.last_reviewed
    if view.categories:
        data["keywords"] = ", ".join(c.name for c in view.categories)
    if view.images:
        data["image"] = [site.url(f"images/{image.file}") for image in view.images]
    if view.references:
        data["citation"] = [_citation(reference) for reference in view.references]
    if view.upstream is not None:
        data["isBasedOn"] = {"@type": "CreativeWork", "name": view.upstream.title,
                             "url": view.upstream.url, "author": view.upstream.authors,
                             "license": view.upstream.license.url or view.upstream.license.name}
    return data


_SCHOLARLY = frozenset({"article-journal", "paper-conference", "review", "review-book"})


def _citation(reference: ReferenceView) -> dict[str, Any]:
    """One reference as schema.org: a ScholarlyArticle (journal papers) or CreativeWork."""
    csl = reference.csl
    item: dict[str, Any] = {
        "@type": "ScholarlyArticle" if csl.get("type") in _SCHOLARLY else "CreativeWork",
        "name": str(csl.get("title", reference.text)), "description": reference.text}
    url = csl.get("URL") or reference.doi_url
    if url:
        item["url"] = url
    if reference.doi_url:
        item["sameAs"] = reference.doi_url
    identifiers = [{"@type": "PropertyValue", "propertyID": name, "value": csl[name]}
                   for name in ("DOI", "PMID", "PMCID") if csl.get(name)]
    if identifiers:
        item["identifier"] = identifiers
    authors = [person.get("literal") or " ".join(
        part for part in (person.get("given"), person.get("family")) if part)
        for person in csl.get("author", [])]
    if authors:
        item["author"] = [{"@type": "Person", "name": name} for name in authors if name]
    year = (csl.get("issued") or {}).get("date-parts", [[None]])[0][0]
    if year:
        item["datePublished"] = str(year)
    if csl.get("container-title"):
        item["isPartOf"] = {"@type": "Periodical" if item["@type"] == "ScholarlyArticle"
                            else "CreativeWork", "name": csl["container-title"]}
    return item


def category_pages(listings: Iterable[Listing]) -> dict[CategoryView, list[Listing]]:
    """Articles by category page: names that share a slug share the page (first name wins)."""
    names: dict[str, CategoryView] = {}
    groups: dict[str, dict[str, Listing]] = {}  # by article slug: no article twice
    for listing in listings:
        for category in listing.categories:
            names.setdefault(category.slug, category)
            groups.setdefault(category.slug, {}).setdefault(listing.slug, listing)
    return {names[slug]: list(groups[slug].values()) for slug in sorted(groups)}


class HtmlFormat:
    """`html/`: article pages; the front page, category pages, stylesheet and images."""

    name = "html"

    def article_files(self, config: Config, site: Site, views: Views,
                      article: Article) -> dict[str, bytes]:
        from pipeline.render.environment import environment

        return {f"html/{article.slug}.html": render_article_page(
            views.view, site, environment(config.templates))}

    def site_files(self, config: Config, site: Site, listings: list[Listing],
                   images: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        from pipeline.image_files import publishable_image

        yield "html/index.html", self.index_page(config, site, listings)
        yield "html/style.css", stylesheet(config.templates)
        for category, members in category_pages(listings).items():
            yield (f"html/category/{category.slug}.html",
                   self.category_page(config, site, category, members))
        for name in images:
            source = publishable_image(config, name)
            if source is not None:
                yield f"html/images/{source.name}", source.read_bytes()

    def index_page(self, config: Config, site: Site, listings: Iterable[Listed]) -> bytes:
        """`html/index.html`, also served by the preview."""
        from pipeline.render.environment import environment

        return render_index_page(listings, site, environment(config.templates))

    def category_page(self, config: Config, site: Site, category: CategoryView,
                      members: Iterable[Listed]) -> bytes:
        """`html/category/<slug>.html`, also served by the preview."""
        from pipeline.render.environment import environment

        return render_category_page(category, members, site, environment(config.templates))


FORMAT = HtmlFormat()
