"""The article as the loader hands it to the checks and the renderers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from markdown_it.token import Token

    from pipeline.citations import Citation

# A path into the front matter: keys and list indexes, e.g. ("images", 0, "license").
FieldPath = tuple[str | int, ...]


class Span(NamedTuple):
    """A region of the source file; lines and columns are 1-based, the end is inclusive.

    A named tuple: a front matter has hundreds of them (every key and value), and one is
    made in a third of the time of a frozen dataclass."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class SourceMap:
    """Where each front-matter key and value sits in the file."""

    keys: dict[FieldPath, Span]
    values: dict[FieldPath, Span]
    front_matter: Span  # from the opening `---` to the closing one

    def key(self, path: FieldPath) -> Span:
        """The span of the key at `path`, or of its nearest ancestor that has one."""
        return self._nearest(self.keys, path)

    def value(self, path: FieldPath) -> Span:
        """The span of the value at `path`, or of its nearest ancestor that has one."""
        return self._nearest(self.values, path)

    def _nearest(self, table: dict[FieldPath, Span], path: FieldPath) -> Span:
        for end in range(len(path), 0, -1):
            span = table.get(path[:end]) or self.values.get(path[:end])
            if span is not None:
                return span
        return self.front_matter


@dataclass(frozen=True)
class Section:
    """A `##` section of the body."""

    title: str
    anchor: str
    line: int  # line of the heading
    column: int
    end_line: int  # last line of the section's content
    empty: bool
    token_start: int  # index of the heading_open token
    token_end: int  # index one past the section's last token


@dataclass(frozen=True)
class Link:
    """A link or an image reference found in the body."""

    kind: Literal["link", "image"]
    target: str
    text: str
    line: int
    column: int
    section: str  # title of the enclosing section, "" before the first one


@dataclass
class Article:
    """A loaded article: front matter with its source map, and the parsed body."""

    path: str  # as shown in diagnostics
    slug: str
    front_matter: dict[str, Any]
    source_map: SourceMap
    body_line: int  # file line of the first body line
    body: str
    lines: list[str]  # every line of the file, without line endings
    final_newline: bool = True  # whether the file ends with a line break
    tokens: list[Token] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)  # `[@key]`, in body order
    # what several rules derive from the tokens, computed once (see `rules.text.inline_blocks`)
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def title(self) -> str:
        value = self.front_matter.get("title")
        return value if isinstance(value, str) else self.slug

    @property
    def type(self) -> str:
        value = self.front_matter.get("type")
        return value if isinstance(value, str) else ""

    def section_at(self, line: int) -> Section | None:
        """The section whose heading or content holds `line`."""
        for section in self.sections:
            if section.line <= line <= section.end_line:
                return section
        return None
