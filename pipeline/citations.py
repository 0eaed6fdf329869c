"""Pandoc citations in the Markdown body: `[@smith2020]`, `[@a; @b, p. 4]`,
`[see @who2021, chap. 2]`, `[-@smith2020]`.

A markdown-it inline rule turns each bracketed citation into one `citation` token whose
`meta["items"]` lists the cited keys with their prefix, locator and whether the author is
suppressed. The loader records where each key is written (`Citation`), the rules check the
keys against the front matter's `references:`, and the renderers number them.

The syntax is Pandoc's (and Quarto's): a citation is a bracket holding one or more items
separated by `;`, each with an `@key` preceded by nothing, a space or `-`; a bracket followed
by `(` or `[` is a link, never a citation. Keys start with a letter, a digit or `_` and may
hold `:.#$%&-+?<>~/` inside, as in Pandoc.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import StateInline

KEY = r"[A-Za-z0-9_](?:[A-Za-z0-9_]|[:.#$%&\-+?<>~/](?=[A-Za-z0-9_]))*"
_ITEM = re.compile(rf"^\s*(?P<prefix>(?:[^@;]*\s)?)(?P<suppress>-?)@(?P<key>{KEY})"
                   rf"(?P<suffix>[^@;]*)$", re.DOTALL)
_KEY_AT = re.compile(rf"(?<![\w@])-?@({KEY})")
MAX_CITATION = 1000  # characters inside one bracket: longer is prose, not a citation


@dataclass(frozen=True)
class CitedItem:
    """One `@key` of a citation, with the words around it."""

    key: str
    prefix: str = ""
    locator: str = ""  # what follows the key: `p. 4`, `chap. 2`
    suppress_author: bool = False


@dataclass(frozen=True)
class Citation:
    """Where a key is cited in the body (1-based line and column of its `@`)."""

    key: str
    line: int
    column: int


def parse_items(content: str) -> list[CitedItem] | None:
    """The items of a bracket's content, or None when it is not a citation."""
    items: list[CitedItem] = []
    for part in content.split(";"):
        match = _ITEM.match(part)
        if match is None:
            return None
        suffix = match.group("suffix").strip()
        items.append(CitedItem(match.group("key"), match.group("prefix").strip(),
                               suffix[1:].strip() if suffix.startswith(",") else suffix,
                               bool(match.group("suppress"))))
    return items or None


def _citation_rule(state: StateInline, silent: bool) -> bool:
    start = state.pos
    src = state.src
    if src[start] != "[" or start + 1 >= state.posMax or src[start + 1] == "^":
        return False
    end = src.find("]", start + 1, min(state.posMax, start + 2 + MAX_CITATION))
    if end < 0 or "[" in src[start + 1:end] or "@" not in src[start + 1:end]:
        return False
    if end + 1 < len(src) and src[end + 1] in "([":
        return False  # `[@x](url)` and `[@x][ref]` are links
    items = parse_items(src[start + 1:end])
    if items is None:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.content = src[start:end + 1]
        token.meta = {"items": items}
    state.pos = end + 1
    return True


def _render_citation(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    """Plain rendering (the parser's own `render`): the citation as written."""
    return html.escape(tokens[idx].content)


def citation_plugin(md: MarkdownIt) -> None:
    """Teach a markdown-it parser Pandoc's bracketed citations (before links and footnotes)."""
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.add_render_rule("citation", _render_citation)


def keys_in(text: str) -> list[tuple[str, int]]:
    """Each `@key` written in a citation's source text, with its offset."""
    return [(match.group(1), match.start() + (1 if text[match.start()] == "-" else 0))
            for match in _KEY_AT.finditer(text)]
