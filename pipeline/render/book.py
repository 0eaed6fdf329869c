"""Print books: every article of one category in one tagged PDF, with a cover and a table of
contents whose page numbers Typst fills in (`outline`, `templates/book.typ`).

A book is a site file of the PDF format (`print/books/<category-slug>.pdf`): it is made of
every published article of its category, in title order, each as the single-article print
edition shows it (`templates/print-article.typ`: credits, disclaimer, sections with the
references list, licence and attribution). Same inputs, same bytes: the book's date is
SOURCE_DATE_EPOCH's day or else its newest review date, never the clock.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Config, ConfigError
from pipeline.names import category_slug

if TYPE_CHECKING:
    from pipeline.render.view import ArticleView, Listing, Site

TEMPLATE = "book.typ"
FOLDER = "print/books"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class UnknownBook(ConfigError):
    """A book was asked for a category no article is in: a usage error (exit 2)."""


def book_path(category: str) -> str:
    return f"{FOLDER}/{category_slug(category)}.pdf"


def unknown_books(books: Iterable[str], categories: Iterable[str]) -> UnknownBook | None:
    """The error for the books that name no category of the corpus, or None."""
    known = sorted(set(categories), key=str.casefold)
    missing = [book for book in books if book not in known]
    if not missing:
        return None
    names = ", ".join(repr(b) for b in missing)
    listed = ", ".join(known) if known else "(none: no article has a category)"
    return UnknownBook(f"no article is in the categor{'y' if len(missing) == 1 else 'ies'} "
                       f"{names} asked for as a book; the categories are: {listed}")


def corpus_categories(config: Config) -> set[str]:
    """Every category named in the articles' front matter (read without the Markdown)."""
    from pipeline.check import corpus_files
    from pipeline.load import read_front_matter

    found: set[str] = set()
    for path in corpus_files(config):
        front = read_front_matter(path, config.limits)
        values = front.get("categories") if front is not None else None
        if isinstance(values, list):
            found.update(value for value in values if isinstance(value, str))
    return found


def book_date(reviewed: Iterable[str]) -> str:
    """SOURCE_DATE_EPOCH's day when it is set, else the newest review date, else ""."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        try:
            return datetime.fromtimestamp(int(raw), UTC).date().isoformat()
        except (ValueError, OverflowError, OSError) as error:
            raise ConfigError(f"SOURCE_DATE_EPOCH={raw!r} is not a number of seconds"
                              ) from error
    dates = [d for d in reviewed if _DATE.fullmatch(d)]
    return max(dates, default="")


def book_files(config: Config, site: Site, listings: list[Listing]
               ) -> Iterator[tuple[str, bytes]]:
    """The books `config.books` names, each from the published articles of its category."""
    if not config.books:
        return
    members: dict[str, list[Listing]] = {}
    for listing in listings:
        for category in listing.categories:
            members.setdefault(category.name, []).append(listing)
    error = unknown_books(config.books, members)
    if error is not None:
        raise error
    for book in sorted(set(config.books), key=category_slug):
        chosen = sorted(members[book], key=lambda item: (item.title.casefold(), item.slug))
        yield book_path(book), render_book(config, site, book, [item.slug for item in chosen])


def render_book(config: Config, site: Site, category: str, slugs: list[str]) -> bytes:
    """The book of `category` made of the articles `slugs`, in that order."""
    from pipeline.image_files import images_folder
    from pipeline.load import load_file
    from pipeline.render.view import absolute_view, build_view

    views: list[ArticleView] = []
    for slug in slugs:
        path = config.articles / f"{slug}.md"
        loaded = load_file(path, f"articles/{slug}.md", config.limits)
        if loaded.article is None:  # it was published a moment ago: it loads
            raise OSError(f"cannot read {path} for the book {category!r}")
        views.append(absolute_view(build_view(loaded.article, site), site))
    return book_pdf(config.templates, images_folder(config) or config.root / ".no-images",
                    site, category, views, config)


def book_pdf(templates: Path, images_dir: Path, site: Site, category: str,
             views: list[ArticleView], config: Config) -> bytes:
    from pipeline.render import typst
    from pipeline.render.pdf import common, compile_pdf

    date = book_date(view.last_reviewed for view in views)
    authors = sorted({c.name for view in views for c in view.contributors}, key=str.casefold)
    prefixes = [f"article-{view.slug}-" for view in views]
    source = typst.environment(templates).get_template(TEMPLATE).render(
        site=site, category=category, books=list(zip(views, prefixes, strict=True)),
        date=date, authors=authors,
        **common(site, views, images_dir, config.limits, prefixes))
    return compile_pdf(source, images_dir)
