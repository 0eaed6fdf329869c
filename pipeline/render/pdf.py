"""An article view → the bytes of its print edition: a tagged PDF laid out by WeasyPrint.

`templates/print.html` gives the content and the PDF metadata (title, authors, language,
summary, categories, dates); `templates/print.css` the typography, the running header and
the page numbers; the page size comes from the site. The result depends only on the inputs:
the PDF dates are the article's last-reviewed date, the file identifier is derived from the
article URL and the content, and nothing is fetched except images from the images folder.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from markupsafe import Markup, escape

from pipeline.config import Config, Limits
from pipeline.extras import PDF, load
from pipeline.image_files import MEDIA_TYPES, image_problem
from pipeline.render.environment import environment
from pipeline.render.view import ArticleView, Listing, Site

load(PDF)  # WeasyPrint's C libraries found the quick way (pipeline.extras), before the below
import pydyf  # type: ignore[import-untyped]  # noqa: E402  # WeasyPrint's PDF writer

# CSS re-exported: pipeline.render.book takes WeasyPrint from here, loaded as above
from weasyprint import CSS as CSS  # type: ignore[import-untyped]  # noqa: E402
from weasyprint import HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]  # noqa: E402

if TYPE_CHECKING:
    from pipeline.model import Article
    from pipeline.render.formats import Views

# zlib's own default level for the PDF's content streams, fonts and structure, where pydyf
# asks for 9: a twentieth of the PDF's CPU less for files 2% larger (53.4 -> 54.4 KB an
# article of the benchmark's sample; level 1 saved a little more for 20% larger files).
COMPRESSION_LEVEL = 6


class _Zlib:
    """What pydyf uses of `zlib` (`compressobj`, `compress`), at `COMPRESSION_LEVEL`.

    pydyf 0.13 writes `zlib.compressobj(level=9)` for every stream, with no option; this
    stands in for its module-level `zlib` name only, so nothing else in the process changes.
    Should pydyf name zlib otherwise, streams are simply compressed at its own level again."""

    @staticmethod
    def compressobj(level: int = COMPRESSION_LEVEL, *args: Any, **kwargs: Any) -> Any:
        return zlib.compressobj(COMPRESSION_LEVEL, *args, **kwargs)

    @staticmethod
    def compress(data: bytes, level: int = COMPRESSION_LEVEL, **kwargs: Any) -> bytes:
        return zlib.compress(data, COMPRESSION_LEVEL, **kwargs)


if getattr(pydyf, "zlib", None) is zlib:
    pydyf.zlib = _Zlib

TEMPLATE = "print.html"
STYLESHEET = "print.css"
# Tagged PDF (structure tree, alt text, language) with the PDF/UA-1 identification.
PDF_VARIANT = "pdf/ua-1"

_IMAGE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# CSS `size` values: a named size (A4, Letter, …) or lengths, optionally with an orientation.
_PAGE_SIZE = re.compile(r"[A-Za-z0-9.]+(?: [A-Za-z0-9.]+){0,2}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A web address in running text, without the punctuation that closes the sentence.
_URL = re.compile(r"https?://[^\s<>\"]*[^\s<>\".,;:!?)\]]")
# A word the line breaker may split without a space: at a hyphen, a dash or a slash.
_BREAKABLE_WORD = re.compile(r"\S*[-/\u2010-\u2015]\S*")


class ImageFetcher(URLFetcher):  # type: ignore[misc]
    """Serves `<base_url>images/<name>` from the images folder and refuses every other URL.

    No network, no `file:` or `data:` URLs, no sub-folders, no symbolic links that lead out
    of the folder, no image that `pipeline.image_files` refuses (an SVG with scripts or
    references, an entity bomb, too many pixels). WeasyPrint catches the refusal and leaves
    the image out of the page.
    """

    def __init__(self, prefix: str, images_dir: Path, limits: Limits | None = None) -> None:
        # No protocol is allowed, should anything reach the inherited urllib machinery.
        super().__init__(allowed_protocols=frozenset(), allow_redirects=False)
        self._prefix = prefix
        self._folder = images_dir.resolve()
        self._limits = limits or Limits()

    def fetch(self, url: str, headers: Any = None) -> Any:
        path = self.local_path(url)
        if path is None:
            raise ValueError(f"not an image of the site: {url}")
        return URLFetcherResponse(url, path.read_bytes(),
                                  {"Content-Type": MEDIA_TYPES[path.suffix.lower()]})

    def local_path(self, url: str) -> Path | None:
        """The file in the images folder that `url` names, or None if it names none."""
        if not url.startswith(self._prefix):
            return None
        name = unquote(url[len(self._prefix):])
        if not _IMAGE_NAME.fullmatch(name) or Path(name).suffix.lower() not in MEDIA_TYPES:
            return None
        path = (self._folder / name).resolve()
        if path.parent != self._folder or path.suffix.lower() not in MEDIA_TYPES:
            return None
        if not path.is_file() or image_problem(path, self._limits):
            return None
        return path


def render_pdf(view: ArticleView, site: Site, templates: Path, images_dir: Path,
               limits: Limits | None = None) -> bytes:
    """The print edition of one article; same inputs, same bytes.

    `view` should be built with absolute links (`build_view(..., absolute_links=True)`):
    links in the PDF point at the site, images are read from `images_dir`. The steps below,
    one after the other (the benchmark times each); a book takes the same ones.
    """
    document = parsed(print_html(view, site, templates), site, images_dir, limits)
    options = print_options(view, site, templates)
    return pdf_of(lay_out(document, options), options)


def print_html(view: ArticleView, site: Site, templates: Path) -> str:
    """The print edition as HTML (`templates/print.html`), written for WeasyPrint."""
    return for_weasyprint(environment(templates).get_template(TEMPLATE).render(
        view=view, site=site, date=_w3c_date(view.last_reviewed), unbroken=unbroken))


def parsed(html: str, site: Site, images_dir: Path, limits: Limits | None = None) -> Any:
    """WeasyPrint's parse of the print HTML, with the fetcher of the images folder."""
    return HTML(string=html, base_url=site.base_url,
                url_fetcher=ImageFetcher(site.url("images/"), images_dir, limits))


def print_options(view: ArticleView, site: Site, templates: Path) -> dict[str, Any]:
    """WeasyPrint's options for the layout and the writing of one article's PDF (its
    `HTML.write_pdf` passes the same to both): the stylesheet, the PDF/UA variant, the
    file identifier."""
    return {"stylesheets": [print_stylesheet(templates, site.page_size)],
            "pdf_variant": PDF_VARIANT, "pdf_identifier": _identifier(view)}


def print_stylesheet(templates: Path, page_size: str) -> Any:
    """`templates/print.css` with the page size, parsed once per process: the articles' and
    the books' (`pipeline.render.book` adds its own sheet after it)."""
    return _stylesheet((templates / STYLESHEET).read_text(encoding="utf-8"), page_size)


def lay_out(document: Any, options: dict[str, Any]) -> Any:
    """The styles and the layout: WeasyPrint's pages of the parsed print edition."""
    return document.render(font_config=_font_config(), **options)


def pdf_of(pages: Any, options: dict[str, Any]) -> bytes:
    """The laid-out pages drawn and written as a tagged PDF."""
    pdf: bytes = pages.write_pdf(**options)
    return pdf


def for_weasyprint(html: str) -> str:
    """`html` with each `<wbr>` written as the character it stands for, U+200B.

    WeasyPrint gives every `<wbr>` an element, a `::before` box holding U+200B and a computed
    style (its stylesheet: `wbr::before { content: "\\200B" }`); the character itself lays out
    the same lines and reads back as the same text. An article's reference list has about 50
    of them (the addresses' break points), and the element costs about a sixth of its PDF's
    layout time. `<wbr>` here is only ever the tag: text saying it is escaped (`&lt;wbr&gt;`).
    """
    return html.replace("<wbr>", "\u200b")


def valid_page_size(page_size: str) -> bool:
    """Whether `page_size` can go into `@page { size: … }` (A4, Letter, "A5 landscape", …)."""
    return _PAGE_SIZE.fullmatch(page_size) is not None


def _w3c_date(text: str) -> str:
    """The last-reviewed date as the W3C datetime WeasyPrint turns into the PDF dates."""
    return f"{text}T00:00:00Z" if _DATE.fullmatch(text) else ""


def unbroken(text: str) -> Markup:
    """`text` escaped, with every word that could wrap at a hyphen or a slash kept whole.

    A notice read back from the PDF must match its text with only whitespace changed
    (publish checks the licence and the attribution that way), so `Attribution-ShareAlike`
    and web addresses never wrap; the addresses also become links.
    """
    parts: list[str] = []
    end = 0
    for match in _BREAKABLE_WORD.finditer(text):
        word = match.group()
        url = _URL.search(word)
        inner = escape(word) if url is None else Markup('{}<a href="{}">{}</a>{}').format(
            word[:url.start()], url.group(), url.group(), word[url.end():])
        parts += [escape(text[end:match.start()]),
                  Markup('<span class="nowrap">{}</span>').format(inner)]
        end = match.end()
    parts.append(escape(text[end:]))
    return Markup("").join(parts)


@cache
def _font_config() -> Any:
    """One fontconfig and Pango font map per process, shared by every render.

    WeasyPrint otherwise makes a new one per document and loads the fonts again: sharing it
    saves about 15 ms of a 140 ms article here.
    """
    return FontConfiguration()


@lru_cache(maxsize=8)
def _stylesheet(css: str, page_size: str) -> Any:
    """The print stylesheet with the page size, parsed once per process (about 5 ms)."""
    if not valid_page_size(page_size):
        raise ValueError(f"page size {page_size!r} is not a CSS page size such as A4 or Letter")
    return CSS(string=f"{css}\n@page {{ size: {page_size}; }}\n", font_config=_font_config())


def _identifier(view: ArticleView) -> bytes:
    """The permanent half of the PDF file identifier: the same for every edition of a page."""
    return hashlib.sha256(view.url.encode("utf-8")).hexdigest()[:32].encode("ascii")


class PdfFormat:
    """`print/`: the print edition of each article; `print/books/`: one book per category
    that `books` names."""

    name = "pdf"

    def article_files(self, config: Config, site: Site, views: Views,
                      article: Article) -> dict[str, bytes]:
        from pipeline.image_files import images_folder

        return {f"print/{article.slug}.pdf": render_pdf(
            views.absolute, site, config.templates,
            images_folder(config) or config.root / ".no-images-folder", config.limits)}

    def site_files(self, config: Config, site: Site, listings: list[Listing],
                   images: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """The print books `config.books` names (`pipeline.render.book`)."""
        from pipeline.render.book import book_files

        return book_files(config, site, listings)


FORMAT = PdfFormat()
