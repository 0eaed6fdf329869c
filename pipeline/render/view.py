"""What the templates see: an article as plain, output-ready data, and the site around it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

from pipeline.licenses import lookup
from pipeline.model import Article
from pipeline.names import PAGE_IDS, category_slug, free_id, link_target
from pipeline.render.markdown import (
    LinkStyle,
    breakable_addresses,
    plain_text,
    render_html,
    sanitise,
)
from pipeline.render.references import ReferenceView

# What may become an href or a datetime attribute; anything else stays plain text (or, for
# a date, is left out), so a hostile value cannot make the page invalid HTML.
_WEB_ADDRESS = re.compile(r"https://[^\s\"'<>\\^`{|}]+")
_ISO_DATE = re.compile(r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])")

# Element ids the article page template uses itself; section headings never take them.


@dataclass(frozen=True)
class Disclaimer:
    id: str
    title: str
    text: str


@dataclass(frozen=True)
class LicenseView:
    spdx: str
    name: str
    url: str


@dataclass(frozen=True)
class Site:
    name: str
    base_url: str  # ends with "/"
    language: str
    page_size: str
    disclaimers: dict[str, Disclaimer]
    titles: dict[str, str]  # slug → title of every published article
    max_nesting: int = 32
    # The formats published together (set by `render_article`): an article page links to
    # its PDF when "pdf" is among them.
    formats: tuple[str, ...] = ()
    # The article types the schema marks as stubs (`"x-stub": true` in their outline).
    stub_types: frozenset[str] = frozenset()

    def url(self, path: str) -> str:
        return self.base_url + path


@dataclass(frozen=True)
class ContributorView:
    name: str
    credentials: str
    role: str

    @property
    def display(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


@dataclass(frozen=True)
class ImageView:
    file: str
    title: str
    alt: str
    caption: str
    author: str
    source: str
    source_url: str  # the source when it is a web address, else ""
    license: LicenseView
    credit: str  # one line: title, author, source, licence


@dataclass(frozen=True)
class SectionView:
    title: str
    anchor: str
    html: str
    text: str


@dataclass(frozen=True)
class LinkView:
    slug: str
    title: str
    url: str


@dataclass(frozen=True)
class CategoryView:
    name: str
    slug: str


@dataclass(frozen=True)
class CodeLink:
    """One code and the page of its registry that shows it ("" when there is none)."""

    value: str
    url: str


@dataclass(frozen=True)
class CodeView:
    """The codes of one classification (`codes:`), e.g. ICD-10: ("J45",)."""

    system: str  # the key in the front matter: icd10, atc, ...
    name: str  # how readers know the classification: "ICD-10", "ATC"
    values: tuple[str, ...]

    @property
    def links(self) -> tuple[CodeLink, ...]:
        return tuple(CodeLink(value, code_url(self.system, value)) for value in self.values)


@dataclass(frozen=True)
class RegionalValue:
    """A value that differs by region, e.g. a legal status: region code, its name, value."""

    region: str  # as written: AU, UK, US, EU
    name: str  # the region's name for readers ("Australia"), or the code
    value: str


# The classifications of `codes:`, in the order the page lists them, by front-matter key.
CODE_SYSTEMS = {"icd10": "ICD-10", "icd11": "ICD-11", "mesh": "MeSH", "omim": "OMIM",
                "snomed": "SNOMED CT", "atc": "ATC", "cas": "CAS", "drugbank": "DrugBank"}

# The public page of each registry that shows one code; `{code}` is the code, URL-quoted.
# SNOMED CT has no public page without accepting a licence, so its codes are not linked;
# the ICD-11 browser has no address per code, so an ICD-11 code links to the browser of its
# release, where the code is searched for.
CODE_URLS = {
    "icd10": "https://icd.who.int/browse10/2019/en#/{code}",
    "icd11": "https://icd.who.int/browse/2024-01/mms/en",
    "mesh": "https://meshb.nlm.nih.gov/record/ui?ui={code}",
    "omim": "https://omim.org/entry/{code}",
    "atc": "https://atcddd.fhi.no/atc_ddd_index/?code={code}",
    "cas": "https://commonchemistry.cas.org/detail?cas_rn={code}",
    "drugbank": "https://go.drugbank.com/drugs/{code}",
}

# Names of the regions drug fields are most often given for; other codes are shown as written.
REGION_NAMES = {"AU": "Australia", "CA": "Canada", "DE": "Germany", "EU": "European Union",
                "FR": "France", "IN": "India", "INT": "International", "JP": "Japan",
                "NZ": "New Zealand", "UK": "United Kingdom", "GB": "United Kingdom",
                "US": "United States"}


def code_url(system: str, value: str) -> str:
    """The registry page of a code, or "" when its classification has none."""
    template = CODE_URLS.get(system)
    return template.format(code=quote(value, safe="")) if template and value else ""


@dataclass(frozen=True)
class UpstreamView:
    """The work an adapted article was taken from (`adapted_from:`)."""

    title: str
    url: str
    revision: str
    date: str
    authors: str
    license: LicenseView
    changes: str

    @property
    def credit(self) -> str:
        """TASL: title, author, source (address and revision), licence."""
        version = ", ".join(part for part in (
            f"revision {self.revision}" if self.revision else "", self.date) if part)
        licence = self.license.name + (f" ({self.license.url})" if self.license.url else "")
        return (f"“{self.title}” by {self.authors}, {self.url}"
                f"{f' ({version})' if version else ''}, licensed under {licence}")


@dataclass(frozen=True)
class ArticleView:
    slug: str
    title: str
    type: str
    summary: str
    url: str  # canonical address of the HTML page
    source_path: str
    license: LicenseView
    disclaimer: Disclaimer
    contributors: tuple[ContributorView, ...]
    images: tuple[ImageView, ...]
    categories: tuple[CategoryView, ...]
    last_reviewed: str
    sections: tuple[SectionView, ...]
    see_also: tuple[LinkView, ...]
    links: tuple[str, ...]  # slugs of the articles this one links to
    attribution: str
    references: tuple[ReferenceView, ...] = ()
    upstream: UpstreamView | None = None
    synonyms: tuple[str, ...] = ()  # other names of the subject (`synonyms:`)
    codes: tuple[CodeView, ...] = ()  # classification codes (`codes:`)
    # a medicine's routes of administration, pregnancy category and legal status by region
    routes: tuple[str, ...] = ()
    pregnancy_category: tuple[RegionalValue, ...] = ()
    legal_status: tuple[RegionalValue, ...] = ()
    stub: bool = False  # a short article the site marks as one to be expanded

    @property
    def has_infobox(self) -> bool:
        """Whether the page has facts to show in its infobox."""
        return bool(self.synonyms or self.codes or self.routes or self.pregnancy_category
                    or self.legal_status)

    @property
    def authors(self) -> str:
        return ", ".join(c.name for c in self.contributors)


def license_view(text: str) -> LicenseView:
    found = lookup(text)
    if found is None:
        return LicenseView(text, text, "")
    return LicenseView(found.spdx, found.name, found.url)


def disclaimers_from_schema(schema: dict[str, Any]) -> dict[str, Disclaimer]:
    """The disclaimer texts the schema defines (`oneOf` of `const` + `description`)."""
    field = schema.get("$defs", {}).get("front_matter", {}).get("properties", {}).get(
        "disclaimer", {})
    return {str(option["const"]): Disclaimer(str(option["const"]),
                                             str(option.get("title", option["const"])),
                                             str(option.get("description", "")))
            for option in field.get("oneOf", []) if "const" in option}


def html_style(site: Site, images: dict[str, ImageView], absolute: bool) -> LinkStyle:
    """Links as one output writes them: relative inside the site, absolute elsewhere."""
    base = site.base_url if absolute else ""

    def article(slug: str, fragment: str) -> str:
        return f"{base}{slug}.html" + (f"#{fragment}" if fragment else "")

    def image(name: str) -> str:
        return f"{base}images/{name}"

    def credit(name: str) -> str:
        view = images.get(name)
        return f"{view.caption} {view.credit}".strip() if view else ""

    return LinkStyle(article=article, image=image, credit=credit)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _date(value: Any) -> str:
    """A review date as YYYY-MM-DD, or "" when the value is not one."""
    text = _text(value)
    return text if _ISO_DATE.fullmatch(text) else ""


def _images(article: Article) -> dict[str, ImageView]:
    result: dict[str, ImageView] = {}
    for entry in article.front_matter.get("images") or []:
        if not isinstance(entry, dict):
            continue
        license = license_view(_text(entry.get("license")))
        source = _text(entry.get("source"))
        title, author = _text(entry.get("title")), _text(entry.get("author"))
        credit = f"“{title}” by {author}. Source: {source}. Licence: {license.name}."
        result[_text(entry.get("file"))] = ImageView(
            file=_text(entry.get("file")), title=title, alt=_text(entry.get("alt")),
            caption=_text(entry.get("caption")), author=author, source=source,
            source_url=source if _WEB_ADDRESS.fullmatch(source) else "", license=license,
            credit=credit)
    return result


def build_view(article: Article, site: Site, absolute_links: bool = False,
               with_sections: bool = True) -> ArticleView:
    """The article as output-ready data; section HTML is sanitised, links are rewritten.

    Without sections, only the metadata is built (for index and category pages)."""
    fm = article.front_matter
    images = _images(article)
    style = html_style(site, images, absolute_links)
    sections: list[SectionView] = []
    linked: list[str] = []
    references: tuple[ReferenceView, ...] = ()
    if with_sections:
        sections, references = _sections(article, site, style)
    see_also: list[LinkView] = []
    for link in article.links:
        slug = link_target(link.target).article
        if link.kind != "link" or slug is None:
            continue
        if slug not in linked:
            linked.append(slug)
        if (link.section.lower() == "see also" and slug in site.titles
                and all(seen.slug != slug for seen in see_also)):
            see_also.append(LinkView(slug, site.titles[slug], style.article(slug, "")))
    contributors = tuple(
        ContributorView(_text(c.get("name")), _text(c.get("credentials")), _text(c.get("role")))
        for c in fm.get("contributors") or [] if isinstance(c, dict))
    license = license_view(_text(fm.get("license")))
    url = site.url(f"{article.slug}.html")
    title = article.title
    authors = ", ".join(c.name for c in contributors)
    upstream = _upstream(fm.get("adapted_from"))
    attribution = (f"“{title}” by {authors}, {site.name}, {url}. Licensed under {license.name} "
                   f"({license.url}). ")
    if upstream is None:
        attribution += "Changes: none; this is the original article."
    else:
        changes = upstream.changes if upstream.changes.endswith((".", "!", "?")) else (
            upstream.changes + ".")
        attribution += f"Adapted from {upstream.credit}. Changes: {changes}"
    disclaimer_id = _text(fm.get("disclaimer"))
    return ArticleView(
        slug=article.slug, title=title, type=article.type, summary=_text(fm.get("summary")),
        url=url, source_path=article.path, license=license,
        disclaimer=site.disclaimers.get(disclaimer_id, Disclaimer(disclaimer_id, "", "")),
        contributors=contributors, images=tuple(images.values()),
        categories=tuple(CategoryView(str(c), category_slug(str(c)))
                         for c in fm.get("categories") or []),
        last_reviewed=_date(fm.get("last_reviewed")), sections=tuple(sections),
        see_also=tuple(see_also), links=tuple(linked), attribution=attribution,
        references=references, upstream=upstream, synonyms=_strings(fm.get("synonyms")),
        codes=_codes(fm.get("codes")), routes=_strings(fm.get("routes")),
        pregnancy_category=_regional(fm.get("pregnancy_category")),
        legal_status=_regional(fm.get("legal_status")),
        stub=article.type in site.stub_types)


def _strings(value: Any) -> tuple[str, ...]:
    """The non-empty strings of a list, each once, in order."""
    if not isinstance(value, list):
        return ()
    return tuple(dict.fromkeys(text for text in (_text(item) for item in value) if text))


def _codes(value: Any) -> tuple[CodeView, ...]:
    if not isinstance(value, dict):
        return ()
    found = ((system, name, _strings(value.get(system))) for system, name in CODE_SYSTEMS.items())
    return tuple(CodeView(system, name, values) for system, name, values in found if values)


def _regional(value: Any) -> tuple[RegionalValue, ...]:
    """A mapping of region to text, as written; entries that are not text are left out."""
    if not isinstance(value, dict):
        return ()
    found = ((_text(region), _text(text)) for region, text in value.items())
    return tuple(RegionalValue(region, REGION_NAMES.get(region, region), text)
                 for region, text in found if region and text)


def _upstream(value: Any) -> UpstreamView | None:
    if not isinstance(value, dict) or not _text(value.get("title")):
        return None
    return UpstreamView(title=_text(value.get("title")), url=_text(value.get("url")),
                        revision=_text(value.get("revision")), date=_date(value.get("date")),
                        authors=_text(value.get("authors")),
                        license=license_view(_text(value.get("license"))),
                        changes=_text(value.get("changes")))


NOTES_TITLES = frozenset({"notes", "footnotes"})
REFERENCES_TITLES = frozenset({"references", "bibliography", "citations",
                               "notes and references", "sources"})


def _sections(article: Article, site: Site, style: LinkStyle
              ) -> tuple[list[SectionView], tuple[ReferenceView, ...]]:
    """The sections as HTML and text, citations numbered; the notes in the Notes section
    and the reference list in the References section, each added when the author left it
    out (notes before the references, references at the end)."""
    from pipeline.load import heading_ids, notes_start

    entries = _reference_entries(article)
    used = heading_ids(article) | set(PAGE_IDS)
    start = notes_start(article.tokens)
    numbering = None
    if entries or article.citations or start < len(article.tokens):
        from pipeline.render.references import Numbering
        from pipeline.render.references import numbering as number

        numbering = (number([c.key for c in article.citations], entries, used) if entries
                     else Numbering({}, {}))
        numbering.note_counts = _note_counts(article)
    sections: list[SectionView] = []
    for section in article.sections:
        body = article.tokens[section.token_start + 3:section.token_end]
        html, _ = render_html(body, style, site.max_nesting, numbering)
        sections.append(SectionView(section.title, section.anchor, html, plain_text(body)))
    if start < len(article.tokens):
        notes = article.tokens[start:]
        html, _ = render_html(notes, style, site.max_nesting, numbering)
        at = next((i for i, s in enumerate(sections) if s.title.lower() in NOTES_TITLES), None)
        if at is None:
            at = next((i for i, s in enumerate(sections)
                       if s.title.lower() in REFERENCES_TITLES), len(sections))
            sections.insert(at, SectionView("Notes", free_id("notes", used), "", ""))
        shown = sections[at]
        sections[at] = SectionView(shown.title, shown.anchor, shown.html + html,
                                   _join(shown.text, plain_text(notes)))
    if not entries or numbering is None:
        return sections, ()
    from pipeline.render.references import reference_list_html, reference_views

    references = reference_views(entries, numbering)
    listed = sanitise(breakable_addresses(reference_list_html(references, numbering)))
    text = "\n".join(f"{ref.number}. {ref.text}" for ref in references)
    at = next((i for i, s in enumerate(sections) if s.title.lower() in REFERENCES_TITLES),
              None)
    if at is None:
        sections.append(SectionView("References", free_id("references", used), listed, text))
    else:
        shown = sections[at]
        sections[at] = SectionView(shown.title, shown.anchor, shown.html + listed,
                                   _join(shown.text, text))
    return sections, tuple(references)


def _reference_entries(article: Article) -> list[dict[str, Any]]:
    from pipeline.render.references import reference_entries

    value = article.front_matter.get("references")
    return reference_entries(value) if value else []


def _note_counts(article: Article) -> dict[int, int]:
    """How many times each footnote is referred to (its back-links)."""
    counts: dict[int, int] = {}
    for token in article.tokens:
        for child in token.children or []:
            if child.type == "footnote_ref":
                number = int((child.meta or {}).get("id", 0))
                counts[number] = counts.get(number, 0) + 1
    return counts


def _join(first: str, second: str) -> str:
    return f"{first}\n{second}" if first and second else first or second






_RELATIVE = re.compile(r'(?P<attr>\b(?:href|src))="(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)(?P<url>[^"]*)"')


def absolute_view(view: ArticleView, site: Site) -> ArticleView:
    """The same view with links to pages and images made absolute (for JSON and print).

    Section HTML comes from our own renderer and sanitiser, so its relative URLs are exactly
    the `href="slug.html..."` and `src="images/..."` attributes this rewrites."""
    from dataclasses import replace

    def absolute(html: str) -> str:
        return _RELATIVE.sub(lambda m: f'{m["attr"]}="{site.base_url}{m["url"]}"', html)

    return replace(
        view,
        sections=tuple(replace(s, html=absolute(s.html)) for s in view.sections),
        see_also=tuple(replace(link, url=site.url(link.url)) for link in view.see_also))


class Listed(Protocol):
    """What the front, category and index pages show of an article: an `ArticleView` or,
    in a publish, the article's `Listing`."""

    @property
    def slug(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def categories(self) -> tuple[CategoryView, ...]: ...
    @property
    def last_reviewed(self) -> str: ...
    @property
    def license(self) -> LicenseView: ...


@dataclass(frozen=True, slots=True)
class Listing:
    """An article as the pages made of every article list it: all that a publish keeps of
    each article for those pages, in memory and in its state, a few hundred bytes."""

    slug: str
    title: str
    type: str
    summary: str
    url: str
    categories: tuple[CategoryView, ...]
    last_reviewed: str
    license: LicenseView


def listing_of(view: Listed) -> Listing:
    return Listing(view.slug, view.title, view.type, view.summary, view.url, view.categories,
                   view.last_reviewed, view.license)


def listing_to_json(listing: Listing) -> str:
    """One JSON array, ASCII (one byte a character): how the publish holds and stores it."""
    return json.dumps([listing.slug, listing.title, listing.type, listing.summary, listing.url,
                       [[c.name, c.slug] for c in listing.categories], listing.last_reviewed,
                       [listing.license.spdx, listing.license.name, listing.license.url]])


def listing_from_json(text: str) -> Listing:
    """The inverse of `listing_to_json`; ValueError, KeyError or TypeError if it is not one."""
    slug, title, kind, summary, url, categories, reviewed, license_ = json.loads(text)
    fields = (slug, title, kind, summary, url, reviewed, *license_)
    if not all(isinstance(value, str) for value in fields) or len(license_) != 3:
        raise ValueError("not a listing")
    return Listing(slug, title, kind, summary, url,
                   tuple(CategoryView(str(name), str(cat)) for name, cat in categories),
                   reviewed, LicenseView(*license_))
