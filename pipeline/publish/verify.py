"""Verify: every output of an article carries the disclaimer, the licence and the
attribution, as a reader of that output gets its text (HTML unescaped, every string of a
JSON document, the text of a PDF)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

from pipeline.diagnostics import Diagnostic, make
from pipeline.model import Article
from pipeline.render.view import ArticleView


def missing_notices(article: Article, outputs: dict[str, bytes],
                    view: ArticleView) -> Iterator[Diagnostic]:
    """Every output must carry the disclaimer, the licence and the attribution (with the
    upstream work an adapted article names), and every entry of the reference list."""
    wanted = {"disclaimer": view.disclaimer.text, "licence": view.license.url,
              "attribution": view.attribution}
    if view.upstream is not None:
        wanted["upstream attribution"] = view.upstream.credit
    # An entry may wrap at a hyphen in a PDF, where text extraction can drop it: entries are
    # compared without hyphens (the notices keep theirs: they never wrap there).
    references = {f"reference {r.number} ({r.id})": r.text for r in view.references}
    for relative, data in sorted(outputs.items()):
        text = _output_text(relative, data)
        if relative.endswith(".html"):
            import html

            text = html.unescape(text)
        squashed = _squash(text)
        missing = [name for name, needle in wanted.items()
                   if not needle or _squash(needle) not in squashed]
        if references:
            unhyphenated = _unhyphenated(squashed)
            missing += [name for name, needle in references.items()
                        if _unhyphenated(_squash(needle)) not in unhyphenated]
        for name in missing:
            yield make(article.path, 1, 1, "PUB003", f"{relative} lacks the {name}",
                       "restore the notice in the template for this output"
                       if not name.startswith("reference") else
                       "restore the reference list in the template for this output")


def _unhyphenated(text: str) -> str:
    return text.replace("-", "").replace("\u2010", "").replace("\u00ad", "")


def _squash(text: str) -> str:
    """Text without any whitespace: line breaks in PDFs fall anywhere, even inside a URL;
    and without the characters the renderers remove (`pipeline.characters`)."""
    from pipeline.characters import without_forbidden

    return "".join(without_forbidden(text).split())


def _output_text(relative: str, data: bytes) -> str:
    if relative.endswith(".pdf"):
        return pdf_text(data)
    if relative.endswith(".json"):
        return "\n".join(_strings(json.loads(data)))
    return data.decode("utf-8", errors="replace")


def _strings(value: Any) -> Iterator[str]:
    """Every string in a JSON document, as a reader of the API gets it."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def pdf_text(data: bytes) -> str:
    """The text a reader of the PDF gets, read in this process by PDFium (pypdfium2, of the
    `pdf` extra), else by pypdf.

    Where the line breaker split a word at a hyphen, PDFium gives a mark instead of the
    hyphen (U+FFFE from the call made here, U+0002 from others); the mark is dropped, as
    pdftotext and pypdf drop such a hyphen (the references are compared without hyphens, the
    notices never break there).
    """
    try:
        import pypdfium2  # type: ignore[import-untyped]
    except (ImportError, OSError):  # not installed, or its PDFium library would not load
        pypdfium2 = None
    if pypdfium2 is not None:
        try:
            return _pdfium_text(pypdfium2, data)
        except pypdfium2.PdfiumError:
            pass  # not a PDF PDFium can read: pypdf has its say, as it did without PDFium
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


# PDFium is not thread-safe, not even across documents: a Dask worker may verify two
# articles' PDFs on two threads at once. Every object is closed under the lock.
_PDFIUM = threading.Lock()


def _pdfium_text(pypdfium2: Any, data: bytes) -> str:
    pages: list[str] = []
    with _PDFIUM:
        document = pypdfium2.PdfDocument(data)
        try:
            for page in document:
                text = page.get_textpage()
                pages.append(text.get_text_range())
                text.close()
                page.close()
        finally:
            document.close()
    return "\n".join(pages).replace("\x02", "").replace("\ufffe", "")
