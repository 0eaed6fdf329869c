"""An article view → the bytes of its print edition: a tagged PDF (PDF/UA-1) set by Typst.

`templates/print.typ` (a Jinja template whose output is Typst, `pipeline.render.typst`)
gives the content, the type, the running header and page numbers, and the PDF metadata
(title, authors, language, summary, categories, date); the page size comes from the site.
The result depends only on the inputs: the PDF date is the article's last-reviewed date
(none when it has none, never the clock), Typst derives the file identifier from the
document, and Typst reads nothing but the images of the images folder that
`pipeline.image_files` accepts: it is given that folder as its root, and the source names
no other file. Typst fetches no package: the templates import none.

Typst writes each of the tagged structure's hundreds of small objects (one per paragraph,
heading, list item, link…) on its own, uncompressed; `pack` has qpdf (pikepdf) put them in
compressed object streams: a PDF a quarter to a third smaller, for 4-8 ms of CPU.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from pipeline.config import Config, Limits
from pipeline.extras import PDF, load
from pipeline.image_files import MEDIA_TYPES, image_problem
from pipeline.render import typst as ts
from pipeline.render.view import ArticleView, Listing, Site

if TYPE_CHECKING:
    from pipeline.model import Article
    from pipeline.render.formats import Views

TEMPLATE = "print.typ"
# Tagged PDF (structure tree, alt text, language) with the PDF/UA-1 identification; Typst
# refuses to write a document that breaks its rules (no title, an image without alt text).
PDF_STANDARDS = ("ua-1",)

_IMAGE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# CSS `size` values: a named size (A4, Letter, …) or one or two lengths, with an orientation.
_NAMED_SIZES = {"a3": "a3", "a4": "a4", "a5": "a5", "b4": "iso-b4", "b5": "iso-b5",
                "jis-b4": "jis-b4", "jis-b5": "jis-b5", "letter": "us-letter",
                "legal": "us-legal", "ledger": "us-tabloid"}
_LENGTH = re.compile(r"(\d+(?:\.\d+)?|\.\d+)(mm|cm|in|pt|pc|px|q)")
_POINTS = {"pc": 12.0, "px": 0.75}  # CSS units Typst lacks, in points (Q: a quarter mm)
_ORIENTATIONS = ("portrait", "landscape")


@dataclass(frozen=True)
class ImageFiles:
    """The file names of the images folder that `<img src>` addresses may name.

    Only `<prefix><name>`, where the name is one plain file of the folder (no sub-folder, no
    symbolic link that leads out of it) with an image type that `pipeline.image_files`
    accepts (no SVG with scripts or references, no entity bomb, not too many pixels); any
    other address is left out of the page.
    """

    prefix: str
    folder: Path
    limits: Limits

    def __call__(self, url: str) -> str | None:
        path = self.local_path(url)
        return f"/{path.name}" if path is not None else None

    def local_path(self, url: str) -> Path | None:
        """The file in the images folder that `url` names, or None if it names none."""
        if not url.startswith(self.prefix):
            return None
        name = unquote(url[len(self.prefix):])
        if not _IMAGE_NAME.fullmatch(name) or Path(name).suffix.lower() not in MEDIA_TYPES:
            return None
        folder = self.folder.resolve()
        path = (folder / name).resolve()
        if path.parent != folder or path.suffix.lower() not in MEDIA_TYPES:
            return None
        if not path.is_file() or image_problem(path, self.limits):
            return None
        return path


def render_pdf(view: ArticleView, site: Site, templates: Path, images_dir: Path,
               limits: Limits | None = None) -> bytes:
    """The print edition of one article; same inputs, same bytes.

    `view` should be built with absolute links (`build_view(..., absolute_links=True)`):
    links in the PDF point at the site, images are read from `images_dir`. Two steps (the
    benchmark times each); a book takes the same ones.
    """
    return compile_pdf(print_source(view, site, templates, images_dir, limits), images_dir)


def print_source(view: ArticleView, site: Site, templates: Path, images_dir: Path,
                 limits: Limits | None = None) -> str:
    """The print edition as Typst source (`templates/print.typ`)."""
    return ts.environment(templates).get_template(TEMPLATE).render(
        view=view, site=site, **common(site, [view], images_dir, limits))


def common(site: Site, views: list[ArticleView], images_dir: Path, limits: Limits | None,
           prefixes: list[str] | None = None) -> dict[str, Any]:
    """What every print template is given besides its views: the page, the language,
    `html`, which writes a view's section HTML as Typst (with that view's id prefix), and
    `label`, a heading's label when a link of the document points at it."""
    prefixes = prefixes or [""] * len(views)
    images = ImageFiles(site.url("images/"), images_dir, limits or Limits())
    labels = frozenset().union(*(
        ts.link_targets((s.html for s in view.sections), prefix,
                        ids=(s.anchor for s in view.sections))
        for view, prefix in zip(views, prefixes, strict=True)))
    alts = {image.file: image.alt for view in views for image in view.images}
    writers = {prefix: ts.Writer(images, labels, prefix, alts) for prefix in set(prefixes)}
    lang, _, region = site.language.partition("-")
    return {"page": page_setup(site.page_size), "lang": ts.string(lang.lower()),
            "region": ts.string(region.upper()) if region else ts.Source("none"),
            "html": lambda html, prefix="": writers[prefix](html),
            "label": ts.Writer(images, labels).label}


def compile_pdf(source: str, images_dir: Path) -> bytes:
    """The PDF of `source`, reading images from `images_dir` alone: Typst's, packed."""
    return pack(typeset(source, images_dir))


def typeset(source: str, images_dir: Path) -> bytes:
    """Typst's PDF of `source`, reading images from `images_dir` alone."""
    compiler, lock = _compiler(str(images_dir.resolve()) if images_dir.is_dir() else "")
    with lock:  # one compile at a time per compiler (a Dask worker may run two threads)
        pdf: bytes = compiler.compile(input=source.encode("utf-8"), format="pdf",
                                      pdf_standards=list(PDF_STANDARDS))
    return pdf


def pack(pdf: bytes) -> bytes:
    """The same document with its objects packed into compressed object streams (PDF 1.5).
    Nothing else changes: the streams Typst wrote are copied as they are, the XMP metadata
    stays uncompressed (qpdf leaves it so, and any tool can read it), the first part
    of the file identifier is Typst's and the second is derived from the content, so the
    same PDF always packs into the same bytes."""
    import pikepdf

    packed = BytesIO()
    with pikepdf.open(BytesIO(pdf)) as document:
        document.save(packed, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                      compress_streams=True, stream_decode_level=pikepdf.StreamDecodeLevel.none,
                      recompress_flate=False, deterministic_id=True,
                      fix_metadata_version=False)
    return packed.getvalue()


def page_setup(page_size: str) -> ts.Source:
    """The arguments of Typst's `page` for a CSS page size (A4, Letter, "A5 landscape",
    "210mm 297mm"); ValueError for one that is not a page size."""
    words = page_size.lower().split()
    flipped = False
    if words and words[-1] in _ORIENTATIONS:
        flipped = words.pop() == "landscape"
    if len(words) == 1 and words[0] in _NAMED_SIZES:
        size = f'paper: "{_NAMED_SIZES[words[0]]}"'
    elif 1 <= len(words) <= 2 and all(_LENGTH.fullmatch(word) for word in words):
        lengths = [_length(word) for word in words]
        width, height = lengths[0], lengths[-1]
        size = f"width: {width}, height: {height}"
    else:
        raise ValueError(f"page size {page_size!r} is not a CSS page size such as A4 or Letter")
    return ts.Source(f"{size}, flipped: {'true' if flipped else 'false'}")


def valid_page_size(page_size: str) -> bool:
    """Whether `page_size` is a CSS page size this renderer can set."""
    try:
        page_setup(page_size)
    except ValueError:
        return False
    return True


def _length(word: str) -> str:
    match = _LENGTH.fullmatch(word)
    assert match is not None
    number, unit = float(match.group(1)), match.group(2)
    if unit in _POINTS:
        return f"{number * _POINTS[unit]:g}pt"
    if unit == "q":
        return f"{number / 4:g}mm"
    return f"{number:g}{unit}"


@lru_cache(maxsize=8)
def _compiler(root: str) -> tuple[Any, threading.Lock]:
    """One Typst compiler per images folder and process: the system fonts are found once
    (about 0.1 s), then each article compiles in a few milliseconds."""
    typst = load(PDF)
    return typst.Compiler(root=root or None), threading.Lock()


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
