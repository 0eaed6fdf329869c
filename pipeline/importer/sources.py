"""What `pipeline import` reads: wikitext files, MediaWiki XML exports (Special:Export,
streamed) and a page saved as text from a wiki (WikiMD's reader view), each turned into
`Page`s, or refused with an `ImportFailure` before anything is written."""

from __future__ import annotations

import re
import xml.parsers.expat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from pipeline.fsio import display_path, read_regular_file

CHUNK = 1 << 16


class ImportFailure(Exception):
    """The import cannot be carried out; `exit_code` is 1 for content, 2 for usage."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Site:
    name: str  # "Wikipedia", "MDWiki", "WikiMD", or the host
    license: str  # SPDX id of the site's text licence
    # (first day of `license`, the licence before it): Wikipedia's text was CC BY-SA 3.0
    # until its terms of use changed on 2023-06-29.
    earlier: tuple[str, str] | None = None

    def license_on(self, date: str | None) -> str:
        """The licence of a revision of that date (YYYY-MM-DD; None: today's licence)."""
        if date and self.earlier and date < self.earlier[0]:
            return self.earlier[1]
        return self.license


SITES = {"wikipedia.org": Site("Wikipedia", "CC-BY-SA-4.0", ("2023-06-29", "CC-BY-SA-3.0")),
         "mdwiki.org": Site("MDWiki", "CC-BY-SA-4.0"),
         "wikimd.org": Site("WikiMD", "CC-BY-SA-3.0"),
         "wikimd.com": Site("WikiMD", "CC-BY-SA-3.0")}


def site_of(url: str) -> Site | None:
    host = (urlsplit(url).hostname or "").lower()
    for suffix, site in SITES.items():
        if host == suffix or host.endswith("." + suffix):
            return site
    return None


@dataclass(frozen=True)
class Page:
    title: str
    text: str  # wikitext
    source: Path
    url: str | None = None
    revision: str | None = None
    date: str | None = None  # YYYY-MM-DD of the revision
    site: Site | None = None
    saved_page: bool = False  # a reader's view saved as text (no wiki markup)


# The chrome of a saved WikiMD page: never article content (matched per line, plain text).
_SAVED_CHROME = (
    re.compile(r"^From WikiMD\b.*Encyclopedia$"),
    re.compile(r"^Navigation:"),
    re.compile(r"^Search WikiMD$"),
    re.compile(r"^Ad\.", re.IGNORECASE),
    re.compile(r"^Advertise on WikiMD$"),
    re.compile(r"^Semaglutide\b.*available\.?$"),
    re.compile(r"^WikiMD is not a substitute for professional medical advice"),
    re.compile(r"^Credits:"),
    re.compile(r"^Contributors:"),
    re.compile(r".*\.(?:jpe?g|png|gif|svg|webp)$", re.IGNORECASE),
)
_EDIT_LINK = "[edit | edit source]"
_SAVED_END = re.compile(r"^Navigation:")


def read_sources(paths: list[Path], limit: int, source_url: str | None) -> Iterator[Page]:
    """Every page of every source, in order; ImportFailure on the first bad one."""
    for path in paths:
        yield from _read_one(path, limit, source_url)


def _read_one(path: Path, limit: int, source_url: str | None) -> Iterator[Page]:
    shown = display_path(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError as error:
        raise ImportFailure(f"{shown}: cannot read: {error.strerror or error}") from error
    if head.startswith(b"\x89PNG") or head[:4] in (b"GIF8", b"%PDF") or \
            head.startswith(b"\xff\xd8\xff") or b"\x00" in head:
        raise ImportFailure(f"{shown}: not wikitext (a binary file); import takes wikitext "
                            ".wiki/.mediawiki/.txt files, MediaWiki XML exports and saved "
                            "pages' text")
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        raise ImportFailure(f"{shown}: an HTML page, not wikitext; export the page's source "
                            "(Special:Export, or ?action=raw) and import that")
    if lowered.startswith(b"<?xml") or lowered.startswith(b"<mediawiki"):
        yield from _read_export(path, shown, limit)
        return
    try:
        data = read_regular_file(path, limit)
    except OSError as error:
        raise ImportFailure(f"{shown}: cannot read: {error.strerror or error}") from error
    if len(data) > limit:
        raise ImportFailure(f"{shown}: larger than the article limit of {limit} bytes "
                            "(max_file_bytes)")
    try:
        text = data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as error:
        raise ImportFailure(f"{shown}: not UTF-8 text (byte {error.start})") from error
    if not text.strip():
        raise ImportFailure(f"{shown}: empty")
    site = site_of(source_url) if source_url else None
    if _EDIT_LINK in text:
        yield _saved_page(path, text, source_url)
        return
    title = (_title_of(source_url) if source_url else "") or path.stem.replace("_", " ")
    title = title.strip()
    title = title[:1].upper() + title[1:]
    yield Page(title, text, path, url=source_url, site=site,
               revision=_revision_of(source_url) if source_url else None)


def _title_of(url: str) -> str:
    """The page title a wiki address names (`…/wiki/Ascorbic_acid`, or a permanent link
    `…/w/index.php?title=Ascorbic_acid&oldid=123`) → "Ascorbic acid"; "" for none."""
    parts = urlsplit(url)
    titles = parse_qs(parts.query).get("title", [])
    if titles:
        return titles[0].replace("_", " ").strip()
    if "/wiki/" not in parts.path:
        return ""
    return unquote(parts.path.split("/wiki/", 1)[1]).replace("_", " ").strip()


def _revision_of(url: str) -> str | None:
    """The revision a permanent link names (`oldid=123`), if any."""
    oldid = parse_qs(urlsplit(url).query).get("oldid", [])
    return oldid[0] if oldid and oldid[0].isdigit() else None


def _saved_page(path: Path, text: str, source_url: str | None) -> Page:
    """A page saved from a wiki's reader view: headings end in `[edit | edit source]`; the
    first line is the title; navigation, advertising, disclaimer and credits are dropped."""
    lines = text.splitlines()
    title = lines[0].strip() if lines else path.stem
    wikimd = any(line.startswith("From WikiMD") for line in lines[:5])
    out: list[str] = []
    for line in lines[1:]:
        stripped = line.strip()
        if _SAVED_END.match(stripped):
            break
        if stripped == f"{title} Resources" or any(p.match(stripped) for p in _SAVED_CHROME):
            continue
        if stripped.endswith(_EDIT_LINK):
            heading = stripped[: -len(_EDIT_LINK)].strip()
            out.extend(["", f"== {heading} ==", ""])
            continue
        out.append(_nowiki(stripped))
    site = site_of(source_url) if source_url else (SITES["wikimd.org"] if wikimd else None)
    url = source_url or (f"https://www.wikimd.org/wiki/{quote(title.replace(' ', '_'))}"
                         if wikimd else None)
    return Page(title, "\n".join(out).strip() + "\n", path, url=url, site=site,
                saved_page=True)


def _nowiki(line: str) -> str:
    """Plain text carried through the wikitext converter unchanged."""
    if not line or not any(c in line for c in "[]{}<>'=*#:;|&~"):
        return line
    return f"<nowiki>{line.replace('</nowiki>', '')}</nowiki>"


# -- MediaWiki XML exports ----------------------------------------------------------------------


@dataclass
class _ExportScan:
    """What a first, streamed pass over an export found (bounded memory: titles only)."""

    titles: list[str]
    base: str | None


def scan_export(path: Path, shown: str, limit: int) -> _ExportScan:
    """Check that the export is well-formed XML holding pages, none of whose text is longer
    than `limit`, reading it in chunks (expat; nothing but titles is kept)."""
    parser = xml.parsers.expat.ParserCreate()
    stack: list[str] = []
    titles: list[str] = []
    state: dict[str, str] = {"title": "", "base": ""}
    size = [0]
    root: list[str] = []

    def local(name: str) -> str:
        return name.rsplit("}", 1)[-1].rsplit(" ", 1)[-1]

    def start(name: str, _attrs: dict[str, str]) -> None:
        tag = local(name)
        if not stack:
            root.append(tag)
        stack.append(tag)
        if tag == "text":
            size[0] = 0
        elif tag in ("title", "base"):
            state[tag] = ""

    def end(_name: str) -> None:
        tag = stack.pop()
        if tag == "title" and len(stack) >= 1 and stack[-1] == "page":
            titles.append(str(state["title"]).strip())

    def chars(data: str) -> None:
        tag = stack[-1] if stack else ""
        if tag == "text":
            size[0] += len(data.encode("utf-8"))
            if size[0] > limit:
                page = titles[-1] if titles else "?"
                raise ImportFailure(f"{shown}: page {page!r} has more than {limit} bytes of "
                                    "text, the article limit (max_file_bytes); nothing "
                                    "imported")
        elif tag == "title" and len(str(state["title"])) < 1000:
            state["title"] = str(state["title"]) + data
        elif tag == "base" and len(str(state["base"])) < 1000:
            state["base"] = str(state["base"]) + data

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError as error:
        where = f"line {error.lineno}" if error.lineno else "the end"
        problem = ("truncated or not well-formed" if "no element found" in str(error)
                   or "unclosed token" in str(error) else str(error))
        raise ImportFailure(f"{shown}: not a complete MediaWiki export: {problem} "
                            f"({where})") from error
    except OSError as error:
        raise ImportFailure(f"{shown}: cannot read: {error.strerror or error}") from error
    if root[:1] != ["mediawiki"]:
        raise ImportFailure(f"{shown}: XML, but not a MediaWiki export (<mediawiki>)")
    if not titles:
        raise ImportFailure(f"{shown}: the export holds no pages")
    return _ExportScan(titles, str(state["base"]).strip() or None)


def _read_export(path: Path, shown: str, limit: int) -> Iterator[Page]:
    import mwxml  # type: ignore[import-untyped]

    scan = scan_export(path, shown, limit)
    base = scan.base or ""
    site = site_of(base) if base else None
    article_root = base.rsplit("/", 1)[0] + "/" if "/wiki/" in base else ""
    with open(path, "rb") as handle:
        dump = mwxml.Dump.from_file(handle)
        for page in dump:
            if getattr(page, "redirect", None):
                continue
            latest = None
            for revision in page:
                latest = revision
            if latest is None or latest.text is None:
                continue
            title = str(page.title)
            url = f"{article_root}{quote(title.replace(' ', '_'))}" if article_root else None
            stamp = str(latest.timestamp) if latest.timestamp is not None else ""
            yield Page(title, str(latest.text), path, url=url,
                       revision=str(latest.id) if latest.id is not None else None,
                       date=stamp[:10] or None, site=site)
