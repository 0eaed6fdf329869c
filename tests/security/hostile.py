"""The hostile corpus: payloads from `payloads.yaml` placed into articles, and the project
that holds them.

Several payloads share an article (one per front-matter field, a few in the body), which
keeps the number of pages the browser opens small; each payload's line is recorded so the
check's diagnostics can be matched to it.
"""

from __future__ import annotations

import base64
import contextlib
import html
import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import yaml

from tests.conftest import write_pyproject

HERE = Path(__file__).resolve().parent
PAYLOADS = HERE / "payloads.yaml"

FRONT_SLOTS = ("title", "type", "summary", "contributor", "credentials", "role", "category",
               "image_file", "image_title", "image_alt", "image_caption", "image_author",
               "image_source", "last_reviewed")
BODY_SLOTS = ("body", "inline", "link", "image", "refdef", "autolink", "heading", "table",
              "code")
FLAGS = ("alert", "pwned", "title", "console", "request", "text")
# What each flag looks like in the payload, once entities, percent-escapes and base64 are
# undone: the corpus is checked to really carry the flag it claims.
_MARKERS = {"alert": re.compile(r"alert|msgbox|fromCharCode\(88,83,83\)|prompt|confirm"),
            "pwned": re.compile(r"__pwned"), "title": re.compile(r"PWNED"),
            "console": re.compile(r"console\.log\('PWNED'\)"),
            "request": re.compile(r"evil\.example|file:"), "text": re.compile(r"\{\{|\{%")}

# Every family that could stop a hostile article from being published, downgraded: the
# browser test proves the renderer is safe even when the check has been overridden.
DOWNGRADED = ("SEC", "FMT", "LNK", "CRD", "MED", "LIC", "TRS")
SAFE_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" '
            'viewBox="0 0 40 20"><rect width="40" height="20" fill="#2b6cb0"/></svg>\n')
PER_ARTICLE = 5


@dataclass(frozen=True)
class Payload:
    id: str
    where: str
    payload: str
    flag: str
    expect: tuple[str, ...]
    source: str

    def carries_its_flag(self) -> bool:
        return bool(_MARKERS[self.flag].search(_decoded(self.payload)))


@dataclass
class HostileArticle:
    slug: str
    payloads: list[Payload]
    text: str = ""
    lines: dict[str, int] = field(default_factory=dict)  # payload id → file line


@cache
def load_payloads() -> tuple[Payload, ...]:
    raw = yaml.safe_load(PAYLOADS.read_text(encoding="utf-8"))
    return tuple(Payload(id=str(e["id"]), where=str(e["where"]), payload=str(e["payload"]),
                         flag=str(e["flag"]), expect=tuple(e.get("expect") or ()),
                         source=str(e["source"])) for e in raw)


def _decoded(text: str) -> str:
    parts = [text, text[::-1]]  # a bidirectional override shows text backwards
    current = text
    for _ in range(4):
        current = unquote(html.unescape(current))
        parts.append(current)
    for chunk in re.findall(r"base64,([A-Za-z0-9+/= ]+)", text):
        with contextlib.suppress(ValueError):
            parts.append(base64.b64decode(chunk.replace(" ", "") + "==").decode("latin-1"))
    return "\n".join(parts)


def pack(payloads: tuple[Payload, ...], per_article: int = PER_ARTICLE
         ) -> list[HostileArticle]:
    """Payloads grouped into articles: at most one per front-matter field, `per_article`
    in all, in corpus order. A hostile `type` goes alone: which rules apply depends on it."""
    articles: list[HostileArticle] = []
    for payload in payloads:
        for article in articles:
            taken = {p.where for p in article.payloads}
            if (len(article.payloads) < per_article and "type" not in taken
                    and payload.where != "type"
                    and not (payload.where in FRONT_SLOTS and payload.where in taken)):
                article.payloads.append(payload)
                break
        else:
            articles.append(HostileArticle(f"hostile-{len(articles) + 1:02d}", [payload]))
    for index, article in enumerate(articles):
        following = articles[(index + 1) % len(articles)].slug
        write_article(article, following)
    return articles


def _quoted(text: str) -> str:
    """A double-quoted YAML scalar; what YAML may not hold raw is written as an escape."""
    def escape(character: str) -> str:
        if character in '"\\':
            return "\\" + character
        if character.isprintable() and not 0xD800 <= ord(character) <= 0xDFFF and \
                ord(character) not in (0xFEFF, 0xFFFE, 0xFFFF):
            return character
        return f"\\u{ord(character):04x}" if ord(character) <= 0xFFFF else \
            f"\\U{ord(character):08x}"
    return '"' + "".join(escape(c) for c in text) + '"'



def write_article(article: HostileArticle, see_also: str) -> None:
    """Fill in `article.text` and the line of each payload."""
    front = {p.where: p for p in article.payloads if p.where in FRONT_SLOTS}
    lines: list[str] = []
    where: dict[str, int] = {}

    def add(text: str, payload: Payload | None = None) -> None:
        if payload is not None:
            where[payload.id] = len(lines) + 1
        lines.extend(text.split("\n"))

    def value(slot: str, default: str) -> tuple[str, Payload | None]:
        payload = front.get(slot)
        return (_quoted(payload.payload), payload) if payload else (_quoted(default), None)

    number = article.slug.rsplit("-", 1)[-1]
    add("---")
    for key, slot, default, indent in (
            ("title", "title", f"Hostile test article {number}", ""),
            ("type", "type", "condition", ""),
            ("summary", "summary", "A made-up condition that exists only to attack the "
                                   "pipeline in tests.", ""),
            ("license", "", "CC-BY-SA-4.0", ""), ("disclaimer", "", "medical", ""),
            ("contributors", "", "", ""), ("- name", "contributor", "Test Author", "  "),
            ("credentials", "credentials", "MD", "    "), ("role", "role", "author", "    "),
            ("images", "", "", ""),
            ("- file", "image_file", "pic.svg", "  "), ("title", "image_title", "Blue box", "    "),
            ("alt", "image_alt", "A blue rectangle", "    "),
            ("caption", "image_caption", "A blue rectangle.", "    "),
            ("author", "image_author", "Test Author", "    "),
            ("source", "image_source", "Own work", "    "),
            ("license", "", "CC-BY-SA-4.0", "    ")):
        if not default and not slot:
            add(f"{indent}{key}:")
            continue
        text, payload = value(slot, default) if slot else (default, None)
        add(f"{indent}{key}: {text}", payload)
    category = front.get("category")
    add(f"categories: [Testing{', ' + _quoted(category.payload) if category else ''}]",
        category)
    reviewed, payload = value("last_reviewed", "2026-06-01")
    add(f"last_reviewed: {reviewed}", payload)
    add("---")
    add("## Overview")
    add("")
    add("This made-up condition exists only in tests.")
    add("")
    add("![A blue rectangle](images/pic.svg)")
    headings: list[Payload] = []
    for payload in article.payloads:
        if payload.where in FRONT_SLOTS:
            continue
        if payload.where == "heading":
            headings.append(payload)
            continue
        add("")
        _body_slot(payload, add)
    for section in ("Causes", "Symptoms", "Diagnosis", "Treatment"):
        add("")
        add(f"## {section}")
        add("")
        add(f"{section} are described here.")
    for payload in headings:
        add("")
        add(f"## {payload.payload}", payload)
        add("")
        add("Text under a hostile heading.")
    add("")
    add("## See Also")
    add("")
    add(f"- [Next article]({see_also}.md)")
    article.text = "\n".join(lines) + "\n"
    article.lines = where


def _body_slot(payload: Payload, add: Callable[..., None]) -> None:
    text = payload.payload
    if payload.where == "body":
        add(text, payload)
    elif payload.where == "inline":
        add(f"Text before {text} and after.", payload)
    elif payload.where == "link":
        add(f"See [read more]({text}) for details.", payload)
    elif payload.where == "image":
        add(f"![diagram]({text})", payload)
    elif payload.where == "refdef":
        add(f"See [read more][{payload.id}] for details.")
        add("")
        add(f"[{payload.id}]: {text}", payload)
    elif payload.where == "autolink":
        add(f"Visit <{text}> now.", payload)
    elif payload.where == "table":
        add("| Name | Value |\n|---|---|")
        add(f"| {text} | 1 |", payload)
    elif payload.where == "code":
        add(f"Inline `{text}` code.", payload)
        add(f"\n```html\n{text}\n```")
    else:
        raise ValueError(f"unknown slot {payload.where!r} for {payload.id}")


def make_project(root: Path, articles: list[HostileArticle], extra: str = "") -> Path:
    """A project holding the hostile articles and the one image they show."""
    folder = root / "articles"
    (folder / "images").mkdir(parents=True, exist_ok=True)
    (folder / "images" / "pic.svg").write_text(SAFE_SVG, encoding="utf-8")
    for article in articles:
        (folder / f"{article.slug}.md").write_text(article.text, encoding="utf-8")
    write_pyproject(root, extra)
    return root


def downgraded_config() -> str:
    """`[tool.pipeline]` lines that turn every content error into a warning."""
    return "severity = { " + ", ".join(f'{code} = "warning"' for code in DOWNGRADED) + " }\n"


# An SVG whose entities would expand to two billion characters ("billion laughs").
BOMB = ('<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY a "aaaaaaaaaaaaaaaaaaaa">\n'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n'
                  for i in range(8))
        + ']>\n<svg xmlns="http://www.w3.org/2000/svg"><text>&i;</text></svg>\n')


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` by `height` pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))
