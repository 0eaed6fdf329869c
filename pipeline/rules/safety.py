"""SEC: nothing a contributor writes may run code or smuggle markup into a page.

markdown-it refuses to make links of `javascript:`, `vbscript:`, `file:` and most `data:`
targets: they stay as text, and so never reach `Article.links`. The raw inline source of each
block is therefore scanned too, for link targets (`](...)`), autolinks (`<...>`) and link
reference definitions, after undoing the tricks that hide a scheme from a naive check:
HTML entities, percent-encoding, Markdown backslash escapes, whitespace and control
characters, and letter case.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import unquote

from pipeline.diagnostics import Diagnostic, make
from pipeline.model import Article
from pipeline.rules.context import Context
from pipeline.rules.text import inline_blocks, position, without_code_spans

WEB_SCHEMES = frozenset({"http", "https"})
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_RAW_TARGETS = re.compile(
    r"\]\s*\((?P<inline>[^)]{0,400})"  # [text](target
    r"|<(?P<auto>[^<>\s][^<>]{0,400})>"  # <scheme:...>
    r"|^[ \t]{0,3}\[[^\]]+\]:[ \t]*(?P<reference>\S[^\n]{0,400})",  # [ref]: target
    re.MULTILINE)
_DEFINITION = re.compile(r"^[\s>*+\-\d.)]*\[[^\]]+\]:[ \t]*(?P<target>\S.*)")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def decoded(target: str) -> str:
    """The target as a browser would finally see it: entities and escapes undone (repeatedly),
    whitespace and control characters removed, case folded."""
    text = target
    for _ in range(8):
        before = text
        text = _ESCAPE.sub(r"\1", unquote(html.unescape(text)))
        if text == before:
            break
    text = "".join(ch for ch in text
                   if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf"))
    return text.lstrip("<").casefold()


def scheme_of(target: str) -> str:
    """The URL scheme of a link target after decoding, "" when it has none."""
    match = _SCHEME.match(decoded(target))
    return match.group(1) if match else ""


def _unsafe(path: str, line: int, column: int, scheme: str) -> Diagnostic:
    return make(path, line, column, "SEC101",
                f"link target uses the {scheme + ':'!r} scheme, which is not allowed",
                "link to an https:// web page, or to another article as `slug.md`")


def unsafe_link_scheme(article: Article, context: Context) -> Iterator[Diagnostic]:
    """SEC101: every link and image target is a web address or a path, however it is spelt.

    Targets are read where they are written: in the inline source of each block (links,
    images, autolinks, and definitions markdown-it refused), and on the lines of the link
    reference definitions it accepted, which belong to no block."""
    for block in inline_blocks(article):
        text = without_code_spans(block.content)
        for match in _RAW_TARGETS.finditer(text):
            group = next(g for g in ("inline", "auto", "reference") if match.group(g))
            scheme = scheme_of(match.group(group))
            if scheme and scheme not in WEB_SCHEMES:
                line, column = position(article, block, match.start(group))
                yield _unsafe(article.path, line, column, scheme)
    in_blocks = _block_lines(article)
    for number in range(article.body_line, len(article.lines) + 1):
        if number in in_blocks:
            continue
        definition = _DEFINITION.match(article.lines[number - 1])
        if definition is not None:
            scheme = scheme_of(definition.group("target"))
            if scheme and scheme not in WEB_SCHEMES:
                yield _unsafe(article.path, number, definition.start("target") + 1, scheme)


def _block_lines(article: Article) -> set[int]:
    lines: set[int] = set()
    for token in article.tokens:
        if token.map is not None and token.type in ("inline", "fence", "code_block",
                                                    "html_block"):
            lines.update(range(article.body_line + token.map[0],
                               article.body_line + token.map[1]))
    return lines


def _only_comments(markup: str) -> bool:
    return not _COMMENT.sub("", markup).strip()


def raw_html(article: Article, context: Context) -> Iterator[Diagnostic]:
    """SEC102: raw HTML blocks and inline tags; HTML comments (and suppressions) are fine."""
    hint = "write it in Markdown; raw HTML is dropped when the page is rendered"
    for token in article.tokens:
        if token.type == "html_block" and token.map and not _only_comments(token.content):
            line = article.body_line + token.map[0]
            raw = article.lines[line - 1]
            yield make(article.path, line, len(raw) - len(raw.lstrip()) + 1, "SEC102",
                       "raw HTML is not allowed; it is removed from the page", hint)
    for block in inline_blocks(article):
        cursor = 0
        lines: set[int] = set()  # one report per line: `<b>bold</b>` is one problem
        for child in block.token.children or []:
            if child.type != "html_inline":
                continue
            offset = block.content.find(child.content, cursor)
            cursor = offset + len(child.content) if offset >= 0 else cursor
            if _only_comments(child.content):
                continue
            line, column = position(article, block, max(offset, 0))
            if line not in lines:
                lines.add(line)
                yield make(article.path, line, column, "SEC102",
                           "raw HTML is not allowed; it is removed from the page", hint)
