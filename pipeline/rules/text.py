"""The body as text the rules can search: inline blocks with their file positions.

markdown-it keeps, for each paragraph, heading, list item paragraph and table cell, the raw
inline source (`content`) and the block's line range (`map`). A match at an offset of that
source is turned back into a file line and column here, so every rule reports the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.model import Article, FieldPath

if TYPE_CHECKING:
    from markdown_it.token import Token

_CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_CONTAINERS = frozenset({"list_item_open", "tr_open"})


@dataclass(frozen=True)
class Block:
    """One inline token of the body and where it sits."""

    token: Token
    index: int  # index of the inline token in article.tokens
    first_line: int  # file line of the block's first line
    container: int  # index of the innermost list item or table row holding it, else `index`

    @property
    def content(self) -> str:
        return self.token.content


def inline_blocks(article: Article) -> list[Block]:
    """Every inline token of the body with a source position, in document order (computed
    once per article: most rules read them)."""
    blocks = article.derived.get("inline_blocks")
    if blocks is None:
        blocks = article.derived["inline_blocks"] = list(_inline_blocks(article))
    return blocks


def _inline_blocks(article: Article) -> Iterator[Block]:
    open_containers: list[int] = []
    for index, token in enumerate(article.tokens):
        if token.type in _CONTAINERS:
            open_containers.append(index)
        elif token.type in ("list_item_close", "tr_close") and open_containers:
            open_containers.pop()
        elif token.type == "inline" and token.map is not None:
            container = open_containers[-1] if open_containers else index
            yield Block(token, index, article.body_line + token.map[0], container)


def position(article: Article, block: Block, offset: int) -> tuple[int, int]:
    """File line and column of `offset` in the block's inline source."""
    content = block.content
    before = content[:offset]
    row = before.count("\n")
    line = block.first_line + row
    start_of_row = before.rfind("\n") + 1
    row_text = content[start_of_row:].split("\n", 1)[0]
    file_text = article.lines[line - 1] if 0 < line <= len(article.lines) else ""
    found = file_text.find(row_text) if row_text else -1
    indent = found if found >= 0 else len(file_text) - len(file_text.lstrip())
    return line, indent + (offset - start_of_row) + 1


def without_code_spans(text: str) -> str:
    """The text with inline code spans blanked out (same length, so offsets still hold)."""
    if "`" not in text:
        return text
    return _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), text)


def front_matter_strings(value: object, path: FieldPath = (),
                         skip: frozenset[str] = frozenset()) -> Iterator[tuple[FieldPath, str]]:
    """Every text value of the front matter with its path, leaving out the fields named in
    `skip` wherever they are."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in skip:
                yield from front_matter_strings(item, (*path, key), skip)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from front_matter_strings(item, (*path, index), skip)
