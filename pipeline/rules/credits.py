"""CRD: every image the body shows is credited, every credit is used, every file is there."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pipeline.diagnostics import Diagnostic, Rule, make
from pipeline.model import Article, Link
from pipeline.rules.context import Context
from pipeline.rules.safety import WEB_SCHEMES, scheme_of


@dataclass(frozen=True)
class ImageRef:
    """An image of the body: its file name, and why it is outside the images folder ("")."""

    link: Link
    name: str
    outside: str


def image_refs(article: Article, images_dir: str) -> Iterator[ImageRef]:
    """The body's images, except those whose scheme SEC101 reports."""
    folder = images_dir.strip("/")
    for link in article.links:
        if link.kind != "image":
            continue
        scheme = scheme_of(link.target)
        if scheme and scheme not in WEB_SCHEMES:
            continue
        parts = urlsplit(link.target)
        path = unquote(parts.path)
        name = path.rsplit("/", 1)[-1]
        if parts.scheme or parts.netloc:
            outside = "a web address; download the file into the images folder"
        elif path.startswith("/"):
            outside = "an absolute path"
        elif ".." in path.split("/"):
            outside = "a path that climbs out of the folder with `..`"
        elif posixpath.dirname(posixpath.normpath(path)) != folder:
            outside = f"not in the `{folder}/` folder"
        else:
            outside = ""
        yield ImageRef(link, name, outside)


def _credits(article: Article) -> list[tuple[int, str]]:
    images = article.front_matter.get("images")
    if not isinstance(images, list):
        return []
    return [(index, entry["file"]) for index, entry in enumerate(images)
            if isinstance(entry, dict) and isinstance(entry.get("file"), str)]


def image_credits(article: Article, context: Context) -> Iterator[Diagnostic]:
    """CRD101/CRD102/CRD105: body images and `images:` credits match one to one."""
    folder = context.config.images_dir.strip("/")
    refs = list(image_refs(article, folder))
    credited: dict[str, int] = {}
    for index, name in _credits(article):
        if name in credited:
            span = article.source_map.value(("images", index, "file"))
            first = article.source_map.value(("images", credited[name], "file")).line
            yield make(article.path, span.line, span.column, "CRD105",
                       f"image {name!r} is credited twice (first on line {first})",
                       "keep the one correct credit and delete the other",
                       span.end_line, span.end_column)
            continue
        credited[name] = index
    used = {ref.name for ref in refs}
    for ref in refs:
        if ref.name and ref.name not in credited and not ref.outside:
            yield make(article.path, ref.link.line, ref.link.column, "CRD101",
                       f"image {ref.name!r} has no credit in the front matter `images:`",
                       f"add `- file: {ref.name}` with its title, alt, author, source and "
                       "license under `images:`")
    for name, index in credited.items():
        if name not in used:
            span = article.source_map.value(("images", index, "file"))
            yield make(article.path, span.line, span.column, "CRD102",
                       f"image {name!r} is credited but the article does not show it",
                       f"show it with `![alt text]({folder}/{name})`, or delete the credit",
                       span.end_line, span.end_column)


def image_files(article: Article, context: Context) -> Iterator[Diagnostic]:
    """CRD103/CRD104: body images are files of the images folder, and exist."""
    folder = context.images_folder
    for ref in image_refs(article, context.config.images_dir):
        link = ref.link
        if ref.outside:
            yield make(article.path, link.line, link.column, "CRD104",
                       f"image {link.target!r} is outside the images folder: {ref.outside}",
                       f"keep the file in the images folder and write "
                       f"`{context.config.images_dir.strip('/')}/{ref.name or 'name.svg'}`")
            continue
        problem = _file_problem(folder, ref.name)
        if problem == "missing":
            yield make(article.path, link.line, link.column, "CRD103",
                       f"image file {ref.name!r} is not in {_shown(folder)}",
                       "add the file to the images folder, or fix the file name")
        elif problem == "escapes":
            yield make(article.path, link.line, link.column, "CRD104",
                       f"image file {ref.name!r} is a link to a file outside {_shown(folder)}",
                       "copy the file itself into the images folder")


def _file_problem(folder: Path, name: str) -> str:
    path = folder / name
    if not name or not path.is_file():
        return "missing"
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return "escapes"
    return ""


def _shown(folder: Path) -> str:
    from pipeline.fsio import display_path

    return display_path(folder) + "/"


RULES: tuple[Rule, ...] = (
    Rule("CRD101", "uncredited-image", "error",
         "The body shows an image that has no entry in the front matter `images:`.",
         "CC licences require the title, author, source and licence of every image (TASL).",
         "![Lungs](images/lungs.svg)\n   # and no `images:` entry for lungs.svg",
         "images:\n  - file: lungs.svg\n    ...\n---\n![Lungs](images/lungs.svg)\n",
         check=image_credits),
    Rule("CRD102", "unused-credit", "error",
         "An `images:` entry credits a file the body does not show.",
         "A stale credit lists an image readers never see, and often means the body names "
         "the file differently.",
         "images:\n  - file: lungs.svg\n    ...\n---\n## Overview\nNo image here.\n",
         "images:\n  - file: lungs.svg\n    ...\n---\n![Lungs](images/lungs.svg)\n",
         check=image_credits),
    Rule("CRD103", "missing-image-file", "error",
         "An image the body shows is not in the images folder (`images_dir`).",
         "A missing file is a broken image on the page and in print.",
         "![Lungs](images/lungs.svg)   # articles/images/lungs.svg does not exist",
         "![Lungs](images/lungs.svg)   # articles/images/lungs.svg is committed",
         check=image_files),
    Rule("CRD104", "image-outside-folder", "error",
         "An image is referenced from outside the images folder: a URL, an absolute path, "
         "`..` or another folder.",
         "Only files in the images folder are checked, credited and published with the site; "
         "remote images track readers and can change or vanish.",
         "![Lungs](https://example.org/lungs.png)\n![Lungs](../lungs.svg)\n",
         "![Lungs](images/lungs.svg)\n",
         check=image_files),
    Rule("CRD105", "duplicate-credit", "error",
         "Two `images:` entries credit the same file.",
         "One of the two credits is wrong, and readers cannot tell which.",
         "images:\n  - file: lungs.svg\n    ...\n  - file: lungs.svg\n    ...\n",
         "images:\n  - file: lungs.svg\n    ...\n",
         check=image_credits),
)
