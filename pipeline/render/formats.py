"""Output formats behind one interface, and the one function that renders an article.

A format is an object with a `name` and two methods: the files of one article, and the files
made of the whole site (front page, indexes, copied images), each by its path relative to the
build folder. `render_article` and the publish's site pages loop over the formats asked for;
nothing else knows which formats exist.

Adding a format (say EPUB) is one new module, `pipeline/render/epub.py`, that defines an
object satisfying `OutputFormat` (`FORMAT = EpubFormat()`), plus one registration line in
`_REGISTERED` below. Modules are imported on first use, so a format's heavy dependencies
(Typst for the PDF) are loaded only when that format is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from pipeline.render.view import ArticleView, Listing, Site, absolute_view, build_view

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.model import Article


class Views:
    """The views of one article a format may render: with links relative to the site, and
    (built on first use, once for every format that needs it) with absolute links."""

    def __init__(self, view: ArticleView, site: Site) -> None:
        self.view = view
        self.site = site

    @cached_property
    def absolute(self) -> ArticleView:
        return absolute_view(self.view, self.site)


class OutputFormat(Protocol):
    """One output of the build; each method is a pure function of its arguments."""

    name: str

    def article_files(self, config: Config, site: Site, views: Views,
                      article: Article) -> dict[str, bytes]:
        """The files of one article, by path relative to the build folder."""

    def site_files(self, config: Config, site: Site, listings: list[Listing],
                   images: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """The files made of every article (`listings`, in slug order) and of the images
        they show (`images`, names in the images folder), one at a time: images may be
        large."""


@runtime_checkable
class IndexesStaged(Protocol):
    """A format that also makes files from the staged build (the HTML's search index,
    made by reading every page): optional beside `OutputFormat`."""

    def staged_files(self, config: Config, staging: Path, files: Mapping[str, str],
                     slugs: Iterable[str],
                     previous: Path | None) -> Iterator[tuple[str, bytes | Path]]:
        """Files made from the staging folder once every other file is in it (`files`: each
        staged file's sha256 by path; `slugs`: the articles): each as bytes, or as the path
        of the same file in the `previous` build, to be linked rather than written."""


# name → "module:object", in the order outputs are built and listed. One line per format.
_REGISTERED = {
    "html": "pipeline.render.html:FORMAT",
    "json": "pipeline.render.json_api:FORMAT",
    "pdf": "pipeline.render.pdf:FORMAT",
}


class _Registry(Mapping[str, OutputFormat]):
    """The formats by name; a format's module is imported when the format is first used."""

    def __init__(self, registered: dict[str, str]) -> None:
        self._registered = registered
        self._loaded: dict[str, OutputFormat] = {}

    def __getitem__(self, name: str) -> OutputFormat:
        if name not in self._loaded:
            module, attribute = self._registered[name].split(":")
            found: OutputFormat = getattr(importlib.import_module(module), attribute)
            self._loaded[name] = found
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._registered)

    def __len__(self) -> int:
        return len(self._registered)


FORMATS: Mapping[str, OutputFormat] = _Registry(_REGISTERED)


def chosen(formats: Iterable[str]) -> list[OutputFormat]:
    """The registered formats among `formats`, in the registry's order (unknown names are
    ignored): the same build whatever order they were asked in."""
    wanted = set(formats)
    return [FORMATS[name] for name in FORMATS if name in wanted]


def render_article(config: Config, site: Site, article: Article,
                   formats: tuple[str, ...]) -> dict[str, bytes]:
    """Every output file of one article, by path relative to the build folder."""
    site = replace(site, formats=tuple(f.name for f in chosen(formats)))
    views = Views(build_view(article, site), site)
    outputs: dict[str, bytes] = {}
    for output in chosen(formats):
        outputs.update(output.article_files(config, site, views, article))
    return outputs


def site_files(config: Config, site: Site, listings: list[Listing], images: Iterable[str],
               formats: tuple[str, ...]) -> Iterator[tuple[str, bytes]]:
    """Every file of the site that is not one article's, format by format."""
    shown = sorted(set(images))
    site = replace(site, formats=tuple(f.name for f in chosen(formats)))
    for output in chosen(formats):
        yield from output.site_files(config, site, listings, shown)


def staged_files(config: Config, staging: Path, formats: tuple[str, ...],
                 files: Mapping[str, str], slugs: Iterable[str],
                 previous: Path | None) -> Iterator[tuple[str, bytes | Path]]:
    """The files the formats make from the staged build, after every other file is staged."""
    names = sorted(slugs)
    for output in chosen(formats):
        if isinstance(output, IndexesStaged):
            yield from output.staged_files(config, staging, files, names, previous)
