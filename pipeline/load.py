"""File → `Article`, or diagnostics. Never raises for bad content; keeps every source position.

YAML is read from the parser's event stream, not composed: that keeps the marks of every key
and value, refuses tags and aliases before anything is built, bounds the nesting depth without
recursion, reports duplicate keys, and keeps every scalar as text (`No`, `on`, `1e3` and dates
stay the strings the author wrote).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from pipeline.citations import Citation, keys_in
from pipeline.config import MAX_YAML_DEPTH, Limits
from pipeline.diagnostics import Diagnostic, make
from pipeline.fsio import read_regular_file
from pipeline.model import Article, FieldPath, Link, Section, SourceMap, Span
from pipeline.names import SLUG, slug_of, unique_ids

__all__ = ["SLUG", "Loaded", "article_files", "load_bytes", "load_file", "read_regular_file",
           "slug_of"]

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_FENCE = frozenset({"---"})
_CLOSERS = frozenset({"---", "..."})
_CORE_TAG = "tag:yaml.org,2002:"
_IGNORED_EVENTS = frozenset({yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent})
# However high `max_yaml_depth` is set, nesting beyond this is refused: the front matter is
# validated by recursive code (jsonschema), and paths into deeper values grow quadratically.
YAML_DEPTH_CEILING = MAX_YAML_DEPTH


@dataclass
class Loaded:
    article: Article | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def article_files(folder: Path) -> list[Path]:
    """The `*.md` files of an articles folder, by name (one folder: no need to compare whole
    paths, which was slow for 10,000 files); none when it is not a folder."""
    return sorted(folder.glob("*.md"), key=lambda p: p.name) if folder.is_dir() else []


def load_file(path: Path, display: str, limits: Limits) -> Loaded:
    """Read and load one article file."""
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            return Loaded(None, [_too_large(display, size, limits)])
        data = read_regular_file(path, limits.max_file_bytes)
    except OSError as error:
        return Loaded(None, [make(display, 1, 1, "SRC001",
                                  f"cannot read file: {error.strerror or error}",
                                  "check that the file exists and is readable; a symbolic "
                                  "link may point to nothing")])
    return load_bytes(data, display, slug_of(path), limits)


def read_front_matter(path: Path, limits: Limits) -> dict[str, Any] | None:
    """The front matter of one article file, without its Markdown (None when it cannot be
    read or has none); as guarded as `load_file`, for a quick look at every article."""
    try:
        data = read_regular_file(path, limits.max_file_bytes)
        lines = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    if any(len(line) > limits.max_line_chars for line in lines):
        return None
    close = _front_matter_end(lines)
    if close is None:
        return None
    front, _, _ = parse_front_matter(lines, close, str(path), limits)
    return front


def load_bytes(data: bytes, display: str, slug: str, limits: Limits) -> Loaded:
    """Load an article from its bytes; `display` is the path shown in diagnostics."""
    if len(data) > limits.max_file_bytes:
        return Loaded(None, [_too_large(display, len(data), limits)])
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        what = "file is empty" if not data else "file holds nothing but blank space"
        return Loaded(None, [make(display, 1, 1, "SRC004", what,
                                  "start from `pipeline new \"Title\" --type condition`")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _position_of_byte(data, error.start)
        return Loaded(None, [make(display, line, column, "SRC002",
                                  f"invalid UTF-8 byte 0x{data[error.start]:02x}",
                                  "save the file as UTF-8")])
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    diagnostics: list[Diagnostic] = []
    if not SLUG.fullmatch(slug):
        diagnostics.append(make(display, 1, 1, "SRC013",
                                f"file name {slug!r} is not a slug of lower-case words and "
                                "digits joined by hyphens",
                                f"rename it to {_suggest_slug(slug)}.md"))
    for number, text_line in enumerate(lines, start=1):
        if len(text_line) > limits.max_line_chars:
            diagnostics.append(make(display, number, limits.max_line_chars + 1, "SRC016",
                                    f"line is {len(text_line):,} characters long; the limit is "
                                    f"{limits.max_line_chars:,}",
                                    "wrap the text into paragraphs"))
            return Loaded(None, diagnostics)
    close = _front_matter_end(lines)
    if close is None:
        return Loaded(None, [*diagnostics, _front_matter_problem(display, lines)])
    front, source_map, yaml_problems = parse_front_matter(lines, close, display, limits)
    diagnostics.extend(yaml_problems)
    if front is None:
        return Loaded(None, diagnostics)
    body_line = close + 2
    body = "\n".join(lines[close + 1:])
    article = Article(path=display, slug=slug, front_matter=front, source_map=source_map,
                      body_line=body_line, body=body, lines=lines,
                      final_newline=text.endswith("\n"))
    nesting = (_markdown_nesting_problem(article, limits) or _bracket_problem(article, limits)
               or _size_estimate_problem(article, limits))
    if nesting is not None:
        return Loaded(None, [*diagnostics, nesting])
    parse_body(article, limits)
    too_deep = _parsed_problem(article, limits)
    if too_deep is not None:
        return Loaded(None, [*diagnostics, too_deep])
    return Loaded(article, diagnostics)


def _too_large(display: str, size: int, limits: Limits) -> Diagnostic:
    return make(display, 1, 1, "SRC003",
                f"file is {size:,} bytes; the limit is {limits.max_file_bytes:,}",
                "split the article or remove pasted data")


def _position_of_byte(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column (in characters, as everywhere else) of the byte at `offset`.

    Everything before `offset` is valid UTF-8; CR LF, CR and LF all end a line.
    """
    before = data[:offset].decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    line_start = before.rfind("\n") + 1
    return before.count("\n") + 1, len(before) - line_start + 1


def _suggest_slug(name: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", name.lower())) or "article"


def _front_matter_end(lines: list[str]) -> int | None:
    if not lines or lines[0].rstrip() not in _FENCE:
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in _CLOSERS:
            return index
    return None


def _front_matter_problem(display: str, lines: list[str]) -> Diagnostic:
    if lines and lines[0].rstrip() in _FENCE:
        return make(display, 1, 1, "SRC006",
                    "front matter opened with `---` is never closed",
                    "add a line `---` after the last front-matter field", end_column=3)
    return make(display, 1, 1, "SRC005", "file does not start with a `---` front matter block",
                "begin the file with `---`, the fields (title, type, ...), then `---`")


# -- YAML --------------------------------------------------------------------------------------


class _Loader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):  # type: ignore[misc]
    """Parses events only; scalars are never resolved to Python types."""


_Loader.yaml_implicit_resolvers = {}


@dataclass
class _Frame:
    container: dict[str, Any] | list[Any]
    path: FieldPath
    start: Any  # the YAML mark where the collection starts
    key: str | None = None
    key_span: Span | None = None


class _Abort(Exception):
    """Stop building: the front matter cannot be used."""


class _Builder:
    """Turns a stream of YAML events into plain dicts, lists and strings, with a source map."""

    def __init__(self, display: str, offset: int, max_depth: int,
                 lines: list[str] | None = None) -> None:
        self.display = display
        self.offset = offset  # file line of YAML line 0
        self.max_depth = min(max_depth, YAML_DEPTH_CEILING)
        self.lines = lines or []  # the YAML text's lines, to place the end of block collections
        self.stack: list[_Frame] = []
        self.keys: dict[FieldPath, Span] = {}
        self.values: dict[FieldPath, Span] = {}
        self.diagnostics: list[Diagnostic] = []
        self.root: Any = None
        self.documents = 0

    def span(self, event: Any) -> Span:
        """Where an event sits in the file: 1-based, the end inclusive and never before the start.

        YAML end marks are exclusive; a block collection's end mark is the start of whatever
        follows it, so its end is taken back to the last character of its last line.
        """
        return self.between(event.start_mark, event.end_mark)

    def between(self, start: Any, end: Any) -> Span:
        row, column, end_row, end_column = start.line, start.column + 1, end.line, end.column
        if end_row == row:  # the usual case, a scalar on one line
            return Span(row + self.offset, column, row + self.offset,
                        end_column if end_column > column else column)
        if end_column == 0 and end_row > row:
            end_row -= 1
            while end_row > row and self._blank(end_row):
                end_row -= 1
            end_column = len(self.lines[end_row].rstrip()) if end_row < len(self.lines) else 1
        line, end_line = row + self.offset, end_row + self.offset
        if (end_line, end_column) < (line, column):
            end_line, end_column = line, column
        return Span(line, column, end_line, max(end_column, 1))

    def _blank(self, row: int) -> bool:
        text = self.lines[row].strip() if row < len(self.lines) else ""
        return not text or text.startswith("#")

    def problem(self, span: Span, code: str, message: str, hint: str = "") -> None:
        self.diagnostics.append(make(self.display, span.line, span.column, code, message, hint,
                                     span.end_line, span.end_column))

    def feed(self, event: Any) -> None:
        kind = type(event)
        if kind is yaml.ScalarEvent and event.anchor is None and event.tag is None:
            # the usual event (four in five): a scalar with neither anchor nor tag
            self.emit(_scalar_value(event), self.span(event))
            return
        if kind in _IGNORED_EVENTS:
            return
        if kind is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                self.problem(self.span(event), "SRC007",
                             "front matter holds more than one YAML document",
                             "keep one block of fields between the two `---` lines")
                raise _Abort
            return
        span = self.span(event)
        if kind is yaml.AliasEvent or getattr(event, "anchor", None):
            what = "alias *" if kind is yaml.AliasEvent else "anchor &"
            self.problem(span, "SRC010", f"YAML {what}{event.anchor} is not allowed: front "
                         "matter has no anchors or aliases", "write the value out in full")
            raise _Abort
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            written = "!!" + tag[len(_CORE_TAG):] if tag.startswith(_CORE_TAG) else tag
            self.problem(span, "SRC009", f"YAML tag {written!r} is not allowed",
                         "remove the tag; values are read as plain text")
        if kind is yaml.ScalarEvent:
            self.emit(_scalar_value(event), span)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if len(self.stack) >= self.max_depth:
                self.problem(span, "SRC012",
                             f"front matter nests deeper than {self.max_depth} levels",
                             DEPTH_HINT)
                raise _Abort
            container: dict[str, Any] | list[Any] = (
                {} if kind is yaml.MappingStartEvent else [])
            self.stack.append(_Frame(container, self.child_path(), event.start_mark))
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            frame = self.stack.pop()
            self.emit(frame.container, self.between(frame.start, event.end_mark))

    def child_path(self) -> FieldPath:
        if not self.stack:
            return ()
        parent = self.stack[-1]
        if isinstance(parent.container, list):
            return (*parent.path, len(parent.container))
        return (*parent.path, parent.key or "")

    def emit(self, value: Any, span: Span) -> None:
        if not self.stack:
            self.root = value
            self.values[()] = span
            return
        parent = self.stack[-1]
        if isinstance(parent.container, list):
            self.values[(*parent.path, len(parent.container))] = span
            parent.container.append(value)
            return
        if parent.key is None:
            self.take_key(parent, value, span)
            return
        path = (*parent.path, parent.key)
        self.values[path] = span
        if parent.key_span is not None:
            self.keys[path] = parent.key_span
        parent.container[parent.key] = value
        parent.key, parent.key_span = None, None

    def take_key(self, parent: _Frame, value: Any, span: Span) -> None:
        if not isinstance(value, str):
            self.problem(span, "SRC007", "a mapping key must be plain text",
                         "write each field as `name: value`")
            raise _Abort
        assert isinstance(parent.container, dict)
        if value in parent.container:
            first = self.keys.get((*parent.path, value))
            where = f" (first on line {first.line})" if first else ""
            self.problem(span, "SRC008", f"duplicate key {value!r}{where}",
                         "keep one of the two values and delete the other")
            del parent.container[value]  # the later value wins, as YAML would; reported
        parent.key, parent.key_span = value, span


def _scalar_value(event: Any) -> str | None:
    """A scalar event's value: text, or None for a plain null (`~`, `null`, nothing at all;
    libyaml gives "" for the last, PyYAML None)."""
    value: str | None = event.value
    return None if not event.style and value in _NULLS else value


DEPTH_HINT = "front-matter values are text, lists, or lists of fields"
_FLOW_MARK = re.compile(r"""['"#\[\]{}]""")
_FLOW_BRACKET = re.compile(r"[\[\]{}]")


def _flow_too_deep(lines: list[str], limit: int) -> tuple[int, int] | None:
    """Where flow brackets (`[`, `{`) first open deeper than `limit`, quotes aside.

    Only lines with a bracket are read, and in them only the characters that matter (a
    quote or a comment ends with its line, so the others cannot change the depth)."""
    if sum(line.count("[") + line.count("{") for line in lines) <= limit:
        return None
    depth = 0
    for number, line in enumerate(lines):
        if _FLOW_BRACKET.search(line) is None:
            continue
        quote = ""
        for match in _FLOW_MARK.finditer(line):
            char, column = match.group(), match.start()
            if quote:
                if char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char == "#":
                if column == 0 or line[column - 1] in " \t":
                    break
            elif char in "[{":
                depth += 1
                if depth >= limit:  # the front matter itself is the first level
                    return number, column
            else:
                depth = max(depth - 1, 0)
    return None


def parse_front_matter(lines: list[str], close: int, display: str, limits: Limits
                       ) -> tuple[dict[str, Any] | None, SourceMap, list[Diagnostic]]:
    """Parse lines 1..close-1 (0-based) as YAML; return the mapping, its source map, problems."""
    whole = Span(1, 1, close + 1, 3)
    text = "\n".join(lines[1:close])
    builder = _Builder(display, offset=2, max_depth=limits.max_yaml_depth,
                       lines=lines[1:close])
    deep = _flow_too_deep(lines[1:close], builder.max_depth)
    if deep is not None:
        # Some libyaml builds stop at their own nesting limit while scanning ahead, before
        # the events reach the builder: find the place ourselves, the same everywhere.
        builder.diagnostics.append(make(display, deep[0] + 2, deep[1] + 1, "SRC012",
                                        f"front matter nests deeper than {builder.max_depth} "
                                        "levels", DEPTH_HINT))
        return None, SourceMap({}, {}, whole), builder.diagnostics
    try:
        parser = _Loader(text)  # as `yaml.parse`, with no generator between it and the builder
        more, event, feed = parser.check_event, parser.get_event, builder.feed
        while more():
            feed(event())
    except _Abort:
        return None, SourceMap({}, {}, whole), builder.diagnostics
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = str(error.problem or error.context or "invalid YAML")
        if (error.context_mark is not None and mark is not None
                and _at_end(mark, lines[1:close]) and error.context_mark.line <= mark.line
                and error.context_mark.index < mark.index):
            # The parser only noticed at the end: point at what was left open instead.
            mark = error.context_mark
            message += f" ({error.context} that starts here is never closed)"
        line, column = (mark.line + 2, mark.column + 1) if mark else (2, 1)
        builder.diagnostics.append(make(display, line, column, "SRC007",
                                        f"invalid YAML: {message}",
                                        "check indentation, quotes and brackets on this line"))
        return None, SourceMap({}, {}, whole), builder.diagnostics
    except yaml.YAMLError as error:
        builder.diagnostics.append(make(display, 2, 1, "SRC007", f"invalid YAML: {error}"))
        return None, SourceMap({}, {}, whole), builder.diagnostics
    source_map = SourceMap(builder.keys, builder.values, whole)
    root = builder.root
    if builder.diagnostics and any(d.code != "SRC008" and d.code != "SRC009"
                                   for d in builder.diagnostics):
        return None, source_map, builder.diagnostics
    if root is None:
        root = {}
    if not isinstance(root, dict):
        kind = "a list" if isinstance(root, list) else "a single value"
        span = builder.values.get((), Span(2, 1, 2, 1))
        builder.diagnostics.append(make(display, span.line, span.column, "SRC011",
                                        f"front matter is {kind}, not a mapping of fields",
                                        "write one `field: value` per line"))
        return None, source_map, builder.diagnostics
    return root, source_map, builder.diagnostics


def _at_end(mark: Any, rows: list[str]) -> bool:
    """Whether a YAML mark is at the very end of the front matter's text."""
    line, column = int(mark.line), int(mark.column)
    return line >= len(rows) or (line == len(rows) - 1 and column >= len(rows[-1]))


# -- Markdown ----------------------------------------------------------------------------------


@cache
def markdown_parser(max_nesting: int) -> MarkdownIt:
    """The one parser used to check and render: CommonMark, pipe tables, strikethrough,
    footnotes (`[^note]`, mdit-py-plugins), Pandoc citations (`[@key]`) and Pandoc
    subscripts and superscripts (`H~2~O`, `x^2^`, mdit-py-plugins): `~~struck~~` stays
    strikethrough, which markdown-it tries first."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.subscript import sub_plugin
    from mdit_py_plugins.superscript import superscript_plugin

    from pipeline.citations import citation_plugin

    parser = MarkdownIt("commonmark", {"html": True, "maxNesting": max_nesting})
    parser.enable(["table", "strikethrough"])
    parser.use(footnote_plugin, inline=False)  # `^[inline notes]` are not Pandoc-portable
    parser.use(citation_plugin)
    parser.use(sub_plugin)
    parser.use(superscript_plugin)
    return parser


_NESTING_PREFIX = re.compile(r"(?:[ \t>]|[-+*][ \t]|\d{1,9}[.)][ \t])*")


def _markdown_nesting_problem(article: Article, limits: Limits) -> Diagnostic | None:
    """Refuse bodies whose indentation, quotes or list markers nest pathologically deep."""
    for index, line in enumerate(article.lines[article.body_line - 1:]):
        match = _NESTING_PREFIX.match(line)
        depth = match.end() if match else 0
        if depth > limits.max_markdown_indent:
            return make(article.path, article.body_line + index, 1, "SRC015",
                        f"line is nested {depth} characters deep (indentation, quotes, list "
                        f"markers); the limit is {limits.max_markdown_indent}",
                        "flatten the lists or quotes")
    return None


_FENCE_LINE = re.compile(r"^[ \t]{0,3}(```|~~~)")
_BRACKET = re.compile(r"\\.|[\[\]]")


def _bracket_problem(article: Article, limits: Limits) -> Diagnostic | None:
    """Refuse link brackets that open deeper than `max_markdown_nesting` in one paragraph.

    Every `[` makes the parser look for its `]`, and each look nests up to the parser's own
    limit: a paragraph of open brackets costs time that grows with its length times that
    limit (400 KB of `[` lines took 35 s), so it is stopped before parsing. Fenced code is
    skipped; a blank line ends a paragraph."""
    if article.body.count("[") <= limits.max_markdown_nesting:
        return None  # the usual case: too few brackets to nest that deep at all
    depth = 0
    fenced = False
    for index, line in enumerate(article.lines[article.body_line - 1:]):
        if _FENCE_LINE.match(line):
            fenced, depth = not fenced, 0
            continue
        if fenced:
            continue
        if not line.strip():
            depth = 0
            continue
        for match in _BRACKET.finditer(line):
            if match.group() == "[":
                depth += 1
                if depth > limits.max_markdown_nesting:
                    return make(article.path, article.body_line + index, match.start() + 1,
                                "SRC015", f"brackets open more than "
                                f"{limits.max_markdown_nesting} deep in one paragraph",
                                "close each `[` with its `]`, or escape it as `\\[`")
            elif match.group() == "]":
                depth = max(depth - 1, 0)
    return None


def _parsed_problem(article: Article, limits: Limits) -> Diagnostic | None:
    """After parsing, in one pass over the tokens: SRC015 for nesting that reaches the
    parser's limit (`max_markdown_nesting`: there it silently stops nesting and drops what
    is deeper, and emphasis is not limited at all; 300 levels of `*` made the PDF renderer
    overflow its stack), then SEC109 for too many elements (`_element_problem`)."""
    ceiling = limits.max_markdown_nesting - 1
    elements = 0
    for token in article.tokens:
        children = token.children
        elements += 1
        deepest = token.level
        if children:
            elements += len(children)
            deepest += max(child.level for child in children)
        if deepest >= ceiling:
            line = article.body_line + (token.map[0] if token.map else 0)
            return make(article.path, line, 1, "SRC015",
                        f"Markdown nests {deepest} levels deep (lists, quotes, emphasis, "
                        f"links); the limit is {ceiling - 1}",
                        "flatten the lists, quotes or emphasis")
    return _element_problem(article, limits, elements)


_MARKUP_CHARACTERS = re.compile(r"[*_`\[<|&~]")


def _size_estimate_problem(article: Article, limits: Limits) -> Diagnostic | None:
    """SEC109 before parsing, from a cheap count: lines of text outside fenced code, and the
    characters that open Markdown elements (`*_`[<|&~`). Parsing costs up to 100 µs an
    element (a megabyte of short lines or links took 6 to 30 s to parse, only to be
    refused), so a body whose count alone passes `max_markdown_elements` is refused first.
    The largest bundled or benchmark article counts under 300."""
    body = article.body
    most = body.count("\n") + 1 + sum(body.count(mark) for mark in "*_`[<|&~")
    if most <= limits.max_markdown_elements:
        return None  # the usual case: even counting blank lines and code, within the limit
    count = 0
    fenced = False
    for line in article.lines[article.body_line - 1:]:
        if _FENCE_LINE.match(line):
            fenced = not fenced
        if fenced or not line.strip():
            continue
        count += 1 + len(_MARKUP_CHARACTERS.findall(line))
    if count <= limits.max_markdown_elements:
        return None
    return _too_many_elements(article, limits, f"{count:,} lines and markup characters",
                              " Markdown elements")


def _element_problem(article: Article, limits: Limits, elements: int) -> Diagnostic | None:
    """SEC109: refuse bodies of more Markdown elements than `max_markdown_elements`: block
    and inline tokens (`elements`, counted by the caller), and link reference definitions
    (the body lines no token covers).

    The deterministic stand-in for a time budget: what the rules and renderers do grows
    with the elements, and a flood of markers in a small file (19,000 `*a`, 20,000
    comments, 25,000 definitions) is never prose. The largest bundled article has ~650."""
    if elements + len(article.lines) <= limits.max_markdown_elements:
        return None  # even if every line were a definition
    covered: set[int] = set()
    for token in article.tokens:
        if token.map is not None and token.level == 0:
            covered.update(range(token.map[0], token.map[1]))
    body = article.lines[article.body_line - 1:]
    elements += sum(1 for index, line in enumerate(body)
                    if line.strip() and index not in covered)
    if elements <= limits.max_markdown_elements:
        return None
    return _too_many_elements(article, limits, f"{elements:,} Markdown elements", "")


def _too_many_elements(article: Article, limits: Limits, held: str, unit: str) -> Diagnostic:
    return make(article.path, article.body_line, 1, "SEC109",
                f"the body holds {held}; the limit is {limits.max_markdown_elements:,}{unit}",
                "split the article; remove generated or pasted markup")


def inline_text(token: Token) -> str:
    """Plain text of an inline token."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts).strip()


def parse_body(article: Article, limits: Limits) -> None:
    """Parse the body once, with the one parser; record its tokens, `##` sections, heading
    ids and links. Every rule and every renderer reads these."""
    tokens = markdown_parser(limits.max_markdown_nesting).parse(article.body)
    article.tokens = tokens
    _name_headings(tokens)
    article.sections = _sections(article, tokens)
    article.links = _links(article, tokens)
    article.citations = _citations(article, tokens)


def _is_section_start(token: Token) -> bool:
    """A `##` heading at the top level: a heading inside a list item or a quote belongs to
    the section around it."""
    return token.type == "heading_open" and token.tag == "h2" and token.level == 0


def _name_headings(tokens: list[Token]) -> None:
    """Give every heading its element id, as the `id` attribute of its token: the ids the
    renderers write and the ids links are checked against. Section headings choose first
    (other articles link to them), then the other headings in document order."""
    headings = [i for i, t in enumerate(tokens) if t.type == "heading_open"]
    order = ([i for i in headings if _is_section_start(tokens[i])]
             + [i for i in headings if not _is_section_start(tokens[i])])
    titles = [inline_text(tokens[i + 1]) if i + 1 < len(tokens) else "" for i in order]
    for index, name in zip(order, unique_ids(titles), strict=True):
        tokens[index].attrSet("id", name)


def heading_ids(article: Article) -> set[str]:
    """Every heading id of the article: what `slug.md#fragment` may name."""
    return {str(t.attrs["id"]) for t in article.tokens
            if t.type == "heading_open" and "id" in t.attrs}


def notes_start(tokens: list[Token]) -> int:
    """Where the footnotes begin: the footnote plugin gathers every note's tokens after the
    body, wherever its definition was written. `len(tokens)` when there are none."""
    for index in range(len(tokens) - 1, -1, -1):
        if tokens[index].type == "footnote_block_open":
            return index
    return len(tokens)


def _sections(article: Article, tokens: list[Token]) -> list[Section]:
    body_end = notes_start(tokens)
    starts = [i for i, t in enumerate(tokens[:body_end]) if _is_section_start(t)]
    last_line = _last_content_line(article)
    sections: list[Section] = []
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else body_end
        heading_map = tokens[start].map or [0, 1]
        line = article.body_line + heading_map[0]
        next_line = (article.body_line + (tokens[end].map or [0])[0] - 1
                     if end < body_end else last_line)
        title = inline_text(tokens[start + 1])
        raw = article.lines[line - 1]
        column = len(raw) - len(raw.lstrip()) + 1
        content = [t for t in tokens[start + 3:end] if t.type != "html_block"]
        sections.append(Section(title=title, anchor=str(tokens[start].attrs["id"]), line=line,
                                column=column,
                                end_line=max(next_line, line), empty=not content,
                                token_start=start, token_end=end))
    return sections


def _last_content_line(article: Article) -> int:
    number = len(article.lines)
    while number >= article.body_line and not article.lines[number - 1].strip():
        number -= 1
    return max(number, article.body_line - 1)


def _links(article: Article, tokens: list[Token]) -> list[Link]:
    links: list[Link] = []
    section_starts = [(s.line, s.title) for s in article.sections]
    for token in tokens:
        if token.type != "inline" or not token.children or token.map is None:
            continue
        first = article.body_line + token.map[0]
        last = article.body_line + token.map[1] - 1
        cursor = (first, 0)
        section = ""
        for start, title in section_starts:
            if start <= first:
                section = title
        children = token.children
        for index, child in enumerate(children):
            if child.type == "link_open":
                target = str(child.attrs.get("href", ""))
                text = _link_text(children, index)
                kind = "link"
            elif child.type == "image":
                target = str(child.attrs.get("src", ""))
                text = child.content
                kind = "image"
            else:
                continue
            line, column, after = _locate(article.lines, target, cursor, last)
            cursor = (line, after)
            links.append(Link(kind=kind, target=target, text=text, line=line, column=column,  # type: ignore[arg-type]
                              section=section))
    return links


def _citations(article: Article, tokens: list[Token]) -> list[Citation]:
    """Every cited key, where its `@` is written (the order of the body)."""
    found: list[Citation] = []
    for token in tokens:
        if token.type != "inline" or not token.children or token.map is None:
            continue
        first = article.body_line + token.map[0]
        last = article.body_line + token.map[1] - 1
        cursor = (first, 0)
        for child in token.children:
            if child.type != "citation":
                continue
            for key, _ in keys_in(child.content):  # each key on its own: a bracket may wrap
                line, column = _find(article.lines, f"@{key}", cursor, last)
                cursor = (line, column + len(key))
                found.append(Citation(key, line, column))
    return found


def _find(lines: list[str], needle: str, cursor: tuple[int, int], last: int
          ) -> tuple[int, int]:
    """Line and 1-based column of the next `needle` from `cursor` (line, 0-based offset)."""
    line, start = cursor
    for number in range(line, min(last, len(lines)) + 1):
        found = lines[number - 1].find(needle, start if number == line else 0)
        if found >= 0:
            return number, found + 1
    return line, max(start, 1)


def _link_text(children: list[Token], index: int) -> str:
    parts: list[str] = []
    for position in range(index + 1, len(children)):  # no slice: a copy per link was O(n²)
        child = children[position]
        if child.type == "link_close":
            break
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
    return "".join(parts)


def _locate(lines: list[str], target: str, cursor: tuple[int, int], last: int
            ) -> tuple[int, int, int]:
    """Line and column of the `[...](target)` construct, and the offset to search on from."""
    from urllib.parse import unquote

    line, start_column = cursor
    candidates = [target, unquote(target)]
    for number in range(line, min(last, len(lines)) + 1):
        text = lines[number - 1]
        offset = start_column if number == line else 0
        for candidate in candidates:
            found = text.find(candidate, offset) if candidate else -1
            if found >= 0:
                bracket = text.rfind("[", 0, found)
                bang = bracket - 1 if bracket > 0 and text[bracket - 1] == "!" else bracket
                return number, (bang if bang >= 0 else found) + 1, found + len(candidate)
    return line, max(start_column, 1), start_column
