"""Every name the pipeline derives from text, in one place: article slugs, heading ids and
category slugs. The check and every renderer call these, so a link the check accepts is a
link that lands, and a category page the check allows is the page publish writes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ANCHOR_STRIP = re.compile(r"[^\w\- ]", re.UNICODE)
_WORDS = re.compile(r"[a-z0-9]+")
_APOSTROPHES = re.compile(r"(?<=\w)['\u2019\u02bc](?=\w)")
_LETTERS = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th",
            "ł": "l", "\u0131": "i", "ħ": "h", "ŋ": "ng", "\u017f": "s"}

# Element ids the article page itself uses (templates/base.html and article.html): headings
# never take them, so `### Content` becomes `content-2` and a link to `#content` is refused.
PAGE_IDS = frozenset({"content", "disclaimer", "disclaimer-title", "about-this-article"})


@dataclass(frozen=True)
class LinkTarget:
    """What a link's target names, as every rule and renderer reads it."""

    external: bool  # a scheme or a host: an address elsewhere
    scheme: str  # as written (lower case), "" when there is none
    path: str  # percent-decoded
    fragment: str  # percent-decoded

    @property
    def article(self) -> str | None:
        """The slug of the article a `slug.md` link names, None for anything else."""
        if self.external or not self.path.endswith(".md") or "/" in self.path:
            return None
        slug = self.path[:-3]
        return slug if SLUG.fullmatch(slug) else None


def link_target(target: str) -> LinkTarget:
    """Parse a link or image target once: `slug.md#section`, `#section`, an address."""
    parts = urlsplit(target)
    external = bool(parts.scheme or parts.netloc or target.startswith("//"))
    return LinkTarget(external, parts.scheme.lower(), unquote(parts.path),
                      unquote(parts.fragment))


def slug_of(path: Path) -> str:
    """The slug an article file names: its file name without `.md`."""
    return path.name[:-3] if path.name.endswith(".md") else path.stem


def anchor_of(title: str) -> str:
    """The fragment id of a heading text: lower case, punctuation dropped, spaces to hyphens."""
    return "-".join(_ANCHOR_STRIP.sub("", title.lower()).split())


def unique_ids(titles: Iterable[str], reserved: frozenset[str] = PAGE_IDS) -> list[str]:
    """The ids of a page's headings, in order: `anchor_of` each title, then `-2`, `-3`… when
    the page already uses it (the page's own ids first, then earlier headings)."""
    used = set(reserved)
    return [free_id(anchor_of(title) or "section", used) for title in titles]


def free_id(base: str, used: set[str]) -> str:
    """`base`, or `base-2`, `base-3`… whichever `used` does not hold yet; records it."""
    candidate, number = base, 1
    while candidate in used:
        number += 1
        candidate = f"{base}-{number}"
    used.add(candidate)
    return candidate


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: accents transliterated (`Ménière` →
    `meniere`), apostrophes inside words dropped (`Crohn's` → `crohns`), any other run of
    punctuation or space a hyphen. "" when nothing is left."""
    text = "".join(_LETTERS.get(char, char) for char in text.lower())
    text = _APOSTROPHES.sub("", text)
    ascii_text = "".join(char if char.isascii() else " "
                         for char in unicodedata.normalize("NFKD", text)
                         if not unicodedata.combining(char))  # é → e, a dash → a gap
    return "-".join(_WORDS.findall(ascii_text))


def category_slug(name: str) -> str:
    """The file name of a category's page: `slugify`, with `&` read as `and`
    (`Obstetrics & gynaecology` → `obstetrics-and-gynaecology`)."""
    return slugify(name.replace("&", " and ")) or "category"
