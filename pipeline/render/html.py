"""The HTML site: article pages, the front page, A to Z and category pages, the search page,
the 404 page, the sitemap, the Atom feed, the stylesheet and the search index.

Each renderer is a pure function from views to the bytes of one file; the Jinja templates in
`templates/` decide the markup. Pages link to each other relatively: article pages and the
front page sit in `html/`, category pages one folder down in `html/category/`, A to Z pages
in `html/a-z/`, so every template gets a `root` prefix ("" or "../") for the links it writes
itself (the 404 page, served at any address, gets the site's root path, "/").

No page grows with the corpus: the front page links to one page per letter and to the
categories; letter and category pages show `PAGE_ENTRIES` articles each and link to the
previous and next page (`category/<slug>.html`, `category/<slug>--2.html`, ...; a category
slug never holds "--", so page 2 of "Type" never meets "Type 2"). The sitemap and the search
index do grow, by design (a sitemap may hold 50,000 addresses; Pagefind splits its index
into chunks the browser fetches on demand).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml_escape

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
PAGE_ENTRIES = 100  # articles on one A to Z or category page
FEED_ENTRIES = 20  # articles in the Atom feed, the most recently reviewed
RECENT_ENTRIES = 10  # articles the front page lists as recently reviewed
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


@dataclass(frozen=True)
class Pager:
    """Where one page of a paginated list sits among its pages (links relative to it)."""

    number: int  # from 1
    count: int
    first: str
    previous: str  # "" on the first page
    next: str  # "" on the last page
    last: str


def paginate(items: Sequence[_Shown], size: int = PAGE_ENTRIES) -> list[Sequence[_Shown]]:
    """`items` in pages of at most `size`; one (empty) page when there are none."""
    return [items[start:start + size] for start in range(0, len(items), size)] or [items[:0]]


def page_name(stem: str, number: int) -> str:
    """The file of page `number` of a paginated list: `stem.html`, `stem--2.html`, ..."""
    return f"{stem}.html" if number == 1 else f"{stem}--{number}.html"


def pager(stem: str, number: int, count: int) -> Pager:
    """Links between the pages of a list whose files are `page_name(stem, n)`, relative to
    a page in the same folder."""
    name = stem.rsplit("/", 1)[-1]
    return Pager(number, count, page_name(name, 1),
                 page_name(name, number - 1) if number > 1 else "",
                 page_name(name, number + 1) if number < count else "",
                 page_name(name, count))


def letter_stem(letter: str) -> str:
    """The A to Z page of a letter, relative to the front page, without `.html`."""
    return "a-z/" + (letter.lower() if letter != OTHER_INITIAL else "other")


def render_article_page(view: ArticleView, site: Site, env: jinja2.Environment) -> bytes:
    """`html/<slug>.html`: the article with its notices, credits and structured data."""
    return _render(env, "article.html", site, root="", canonical=view.url,
                   page_title=f"{view.title} {DASH} {site.name}", description=view.summary,
                   json_ld=article_json_ld(view, site), view=view, disclaimer_link="#disclaimer",
                   reviewed=long_date(view.last_reviewed), og_type="article",
                   page_license=view.license)


def render_index_page(views: Iterable[Listed], site: Site, env: jinja2.Environment) -> bytes:
    """`html/index.html`: the letters (each linking to its A to Z page), the categories with
    their counts, the most recently reviewed articles and the disclaimers. Its size grows
    with the number of categories, not of articles."""
    ordered = sorted_views(views)
    description = (f"{site.name}: {len(ordered)} articles on medical conditions, medicines and "
                   "health topics, A to Z and by category.")
    json_ld = {"@context": "https://schema.org", "@type": "WebSite", "name": site.name,
               "url": site.base_url, "description": description, "inLanguage": site.language,
               "license": SITE_LICENSE.url, "publisher": _publisher(site)}
    letters = [(group.letter, letter_stem(group.letter) + ".html", len(group.articles))
               for group in letter_groups(ordered)]
    return _render(env, "index.html", site, root="", canonical=site.base_url,
                   page_title=site.name, description=description, json_ld=json_ld,
                   letters=letters, categories=category_groups(ordered),
                   recent=[(view, long_date(view.last_reviewed))
                           for view in recently_reviewed(ordered, RECENT_ENTRIES)],
                   count=len(ordered), disclaimers=list(site.disclaimers.values()),
                   disclaimer_link="#disclaimers", og_type="website",
                   page_license=SITE_LICENSE)


def render_category_page(category: CategoryView, views: Iterable[Listed], site: Site,
                         env: jinja2.Environment, number: int = 1) -> bytes:
    """`html/category/<slug>.html` (page `number` > 1: `<slug>--<number>.html`): the
    articles of one category, A to Z, with summaries, `PAGE_ENTRIES` a page."""
    return _category_page(category, sorted_views(views), site, env, number)


def _category_page(category: CategoryView, ordered: Sequence[Listed], site: Site,
                   env: jinja2.Environment, number: int) -> bytes:
    pages = paginate(ordered)
    shown = pages[number - 1]
    stem = category_path(category).removesuffix(".html")
    url = site.url(page_name(stem, number))
    description = (f"{len(ordered)} {'article' if len(ordered) == 1 else 'articles'} in "
                   f"{category.name}, {site.name}"
                   + (f" (page {number} of {len(pages)})." if len(pages) > 1 else "."))
    json_ld = {"@context": "https://schema.org", "@type": "CollectionPage",
               "name": category.name, "url": url, "description": description,
               "inLanguage": site.language,
               "isPartOf": {"@type": "WebSite", "name": site.name, "url": site.base_url},
               "hasPart": [{"@type": "MedicalWebPage", "name": v.title, "url": v.url}
                           for v in shown]}
    title = category.name + (f" (page {number} of {len(pages)})" if len(pages) > 1 else "")
    return _render(env, "category.html", site, root="../", canonical=url,
                   page_title=f"{title} {DASH} {site.name}", description=description,
                   json_ld=json_ld, category=category, articles=shown, total=len(ordered),
                   pager=pager(stem, number, len(pages)),
                   disclaimer_link="../index.html#disclaimers", og_type="website",
                   page_license=SITE_LICENSE)


def render_letter_page(letter: str, ordered: Sequence[Listed], letters: Sequence[str],
                       site: Site, env: jinja2.Environment, number: int = 1) -> bytes:
    """`html/a-z/<letter>.html` (page `number` > 1: `<letter>--<number>.html`): the
    articles whose titles start with `letter`, in reading order, `PAGE_ENTRIES` a page;
    `letters`: every letter that has a page, for the letter navigation."""
    pages = paginate(ordered)
    shown = pages[number - 1]
    stem = letter_stem(letter)
    url = site.url(page_name(stem, number))
    name = "Other" if letter == OTHER_INITIAL else letter
    heading = (f"Articles starting with {letter}" if letter != OTHER_INITIAL
               else "Articles starting with other characters")
    description = (f"{len(ordered)} {'article' if len(ordered) == 1 else 'articles'} of "
                   f"{site.name} under {name}"
                   + (f" (page {number} of {len(pages)})." if len(pages) > 1 else "."))
    json_ld = {"@context": "https://schema.org", "@type": "CollectionPage",
               "name": heading, "url": url, "description": description,
               "inLanguage": site.language,
               "isPartOf": {"@type": "WebSite", "name": site.name, "url": site.base_url}}
    nav = [(other, letter_stem(other).removeprefix("a-z/") + ".html", other == letter)
           for other in letters]
    title = heading + (f" (page {number} of {len(pages)})" if len(pages) > 1 else "")
    return _render(env, "letter.html", site, root="../", canonical=url,
                   page_title=f"{title} {DASH} {site.name}", description=description,
                   json_ld=json_ld, heading=heading, letters=nav, articles=shown,
                   total=len(ordered), pager=pager(stem, number, len(pages)),
                   disclaimer_link="../index.html#disclaimers", og_type="website",
                   page_license=SITE_LICENSE)


def render_search_page(site: Site, env: jinja2.Environment,
                       bundles: Sequence[str] = ()) -> bytes:
    """`html/search.html`: the search form and, with JavaScript, its results from the
    index `bundles` (`pipeline.render.search.bundle_paths`)."""
    url = site.url("search.html")
    description = f"Search the articles of {site.name} by name, other name, code or text."
    json_ld = {"@context": "https://schema.org", "@type": "SearchResultsPage",
               "name": "Search", "url": url, "inLanguage": site.language,
               "isPartOf": {"@type": "WebSite", "name": site.name, "url": site.base_url}}
    return _render(env, "search.html", site, root="", canonical=url,
                   page_title=f"Search {DASH} {site.name}", description=description,
                   json_ld=json_ld, disclaimer_link="index.html#disclaimers",
                   og_type="website", page_license=SITE_LICENSE, robots="noindex",
                   search_bundles=" ".join(bundles))


def render_not_found_page(site: Site, env: jinja2.Environment) -> bytes:
    """`html/404.html`: what a static host serves for a missing page, at any address, so
    its links start at the site's root path."""
    root = urlsplit(site.base_url).path or "/"
    description = f"This page of {site.name} does not exist."
    json_ld = {"@context": "https://schema.org", "@type": "WebPage", "name": "Page not found",
               "inLanguage": site.language,
               "isPartOf": {"@type": "WebSite", "name": site.name, "url": site.base_url}}
    return _render(env, "404.html", site, root=root, canonical="",
                   page_title=f"Page not found {DASH} {site.name}", description=description,
                   json_ld=json_ld, disclaimer_link=f"{root}index.html#disclaimers",
                   og_type="website", page_license=SITE_LICENSE, robots="noindex")


def sitemap(ordered: Iterable[Listed], pages: Iterable[str], site: Site) -> bytes:
    """`html/sitemap.xml`: the front page, the list pages (`pages`, relative to it) and
    every article, with its last-reviewed date as `lastmod`."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
             f"<url><loc>{xml_escape(site.base_url)}</loc></url>"]
    lines += [f"<url><loc>{xml_escape(site.url(page))}</loc></url>" for page in pages]
    for view in sorted(ordered, key=lambda v: v.slug):
        lastmod = (f"<lastmod>{view.last_reviewed}</lastmod>"
                   if _DATE.fullmatch(view.last_reviewed) else "")
        lines.append(f"<url><loc>{xml_escape(view.url)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def recently_reviewed(views: Iterable[_Shown], count: int) -> list[_Shown]:
    """The `count` most recently reviewed articles: newest review first, then by slug;
    articles without a review date are left out."""
    dated = [v for v in views if _DATE.fullmatch(v.last_reviewed)]
    dated.sort(key=lambda v: v.slug)
    dated.sort(key=lambda v: v.last_reviewed, reverse=True)  # stable: slug order kept
    return dated[:count]


def feed(views: Iterable[Listed], site: Site, epoch: str = "") -> bytes:
    """`html/feed.xml`: an Atom feed of the `FEED_ENTRIES` most recently reviewed articles.
    Every date is a last-reviewed date; the feed's own `updated` is its newest entry's, or
    `epoch` (SOURCE_DATE_EPOCH, in seconds) when it has none: never the clock."""
    entries = recently_reviewed(views, FEED_ENTRIES)
    if entries:
        updated = f"{entries[0].last_reviewed}T00:00:00Z"
    else:
        from datetime import UTC, datetime

        seconds = int(epoch) if epoch.strip().isdigit() else 0
        updated = datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    x = xml_escape
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{x(site.language)}">',
             f"<title>{x(site.name)}: recently reviewed articles</title>",
             f"<id>{x(site.url('feed.xml'))}</id>",
             f'<link rel="self" type="application/atom+xml" href="{x(site.url("feed.xml"))}"/>',
             f'<link rel="alternate" type="text/html" href="{x(site.base_url)}"/>',
             f"<updated>{updated}</updated>",
             f"<author><name>{x(site.name)}</name></author>",
             f"<rights>{x(SITE_LICENSE.name)}; each article names its licence</rights>"]
    for view in entries:
        lines += ["<entry>",
                  f"<title>{x(view.title)}</title>",
                  f"<id>{x(view.url)}</id>",
                  f'<link rel="alternate" type="text/html" href="{x(view.url)}"/>',
                  f"<updated>{view.last_reviewed}T00:00:00Z</updated>",
                  f"<summary>{x(view.summary)}</summary>"]
        lines += [f'<category term="{x(c.slug)}" label="{x(c.name)}"/>'
                  for c in view.categories]
        if view.license.url:
            lines.append(f'<link rel="license" href="{x(view.license.url)}"/>')
        lines.append("</entry>")
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def stylesheet(templates: Path) -> bytes:
    """`html/style.css`: the site's screen and print styles, as the templates folder has it."""
    return (templates / "style.css").read_bytes()


def search_script(templates: Path) -> bytes:
    """`html/search.js`: the search page's script, as the templates folder has it."""
    return (templates / "search.js").read_bytes()


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
        "about": about_json_ld(view),
        "author": [_person(c.name, c.credentials) for c in view.contributors],
        "license": view.license.url or view.license.name,
        "publisher": _publisher(site),
        "isPartOf": {"@type": "WebSite", "name": site.name, "url": site.base_url},
    }
    reviewers = [_person(c.name, c.credentials) for c in view.contributors
                 if c.role == "reviewer" and c.credentials]  # TRS106: none without
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


def about_json_ld(view: ArticleView) -> dict[str, Any]:
    """The subject of an article as schema.org: a MedicalCondition, a Drug or a MedicalEntity,
    with its other names, its codes (`MedicalCode`) and, for a medicine, its routes and legal
    status in each region."""
    about: dict[str, Any] = {"@type": ABOUT_TYPES.get(view.type, "Thing"), "name": view.title,
                             "description": view.summary}
    if view.synonyms:
        about["alternateName"] = list(view.synonyms)
    if view.codes:
        about["code"] = [{"@type": "MedicalCode", "codeValue": value,
                          "codingSystem": code.name} for code in view.codes
                         for value in code.values]
    if view.routes:
        about["administrationRoute"] = list(view.routes)
    if view.legal_status:
        about["legalStatus"] = [{"@type": "DrugLegalStatus", "name": status.value,
                                 "applicableLocation": {"@type": "AdministrativeArea",
                                                        "name": status.name}}
                                for status in view.legal_status]
    return about


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
        import os

        from pipeline.image_files import publishable_image
        from pipeline.render.environment import environment
        from pipeline.render.search import bundle_paths

        env = environment(config.templates)
        yield "html/index.html", self.index_page(config, site, listings)
        yield "html/style.css", stylesheet(config.templates)
        yield "html/search.html", render_search_page(
            site, env, bundle_paths((f"{listing.slug}.html" for listing in listings),
                                    config.search_shard_pages))
        yield "html/search.js", search_script(config.templates)
        yield "html/404.html", render_not_found_page(site, env)
        lists: list[str] = []  # the A to Z and category pages, for the sitemap
        ordered = sorted_views(listings)
        groups = letter_groups(ordered)
        letters = [group.letter for group in groups]
        for group in groups:
            stem = letter_stem(group.letter)
            for number in range(1, len(paginate(group.articles)) + 1):
                lists.append(page_name(stem, number))
                yield (f"html/{lists[-1]}", render_letter_page(
                    group.letter, group.articles, letters, site, env, number))
        for category, members in category_pages(listings).items():
            members_ordered = sorted_views(members)
            stem = category_path(category).removesuffix(".html")
            for number in range(1, len(paginate(members_ordered)) + 1):
                lists.append(page_name(stem, number))
                yield (f"html/{lists[-1]}",
                       _category_page(category, members_ordered, site, env, number))
        yield "html/sitemap.xml", sitemap(listings, lists, site)
        yield "html/feed.xml", feed(listings, site, os.environ.get("SOURCE_DATE_EPOCH", ""))
        for name in images:
            source = publishable_image(config, name)
            if source is not None:
                yield f"html/images/{source.name}", source.read_bytes()

    def staged_files(self, config: Config, staging: Path, files: Mapping[str, str],
                     slugs: Iterable[str],
                     previous: Path | None) -> Iterator[tuple[str, bytes | Path]]:
        """The search index of the staged article pages (`pipeline.render.search`)."""
        from pipeline.render.search import index_files

        pages = {f"{slug}.html": files[f"html/{slug}.html"] for slug in slugs
                 if f"html/{slug}.html" in files}
        before = previous / "html" if previous is not None else None
        for name, data in index_files(staging / "html", pages, before,
                                      config.search_shard_pages):
            yield f"html/{name}", data

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
