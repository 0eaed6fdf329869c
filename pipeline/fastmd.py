"""A faster route to the same Markdown tokens: markdown-it-pyrs (markdown-it in Rust) parses,
and its tree is turned into the token stream markdown-it-py would have produced.

markdown-it-py stays the reference: it defines what the checks and the renderers see. This
route is taken only for bodies made of the constructs converted here (paragraphs, headings,
lists, pipe tables, indented code, thematic breaks, emphasis, strikethrough, links, images,
breaks, escapes and entities) and shallow enough that the parsers' nesting limits cannot
differ. Anything else (raw HTML, autolinks, code spans and fences, block quotes, reference
definitions, tabs, paragraphs mixing `*` and `_`, deep nesting, a node this module does not
know) returns None, and the caller parses with markdown-it-py.
`tests/test_fastmd.py` compares both parsers' tokens, field by field, on every fixture and
bundled article, the benchmark corpus and generated documents.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from markdown_it.token import Token

# Lines that open constructs whose tokens this module does not rebuild (block quotes,
# reference definitions); raw HTML and autolinks need `<`, tabs change column arithmetic.
_UNSUPPORTED_LINE = re.compile(rb"^ {0,3}(?:>|\[[^\]\n]*\]:)", re.MULTILINE)
# Unicode blank characters: Python's strip() (markdown-it-py) removes them, Rust's trim of
# Markdown whitespace does not.
_ODD_SPACE = re.compile("[\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f"
                        "\u205f\u3000]")
# Characters beyond U+FFFF (emoji…) next to emphasis delimiters: the parsers classify the
# delimiter runs differently.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# A `|` in a line that does not start with one: the parsers disagree on where such tables
# start and end.
_PIPE_INSIDE = re.compile(rb"^ *[^|\n ][^\n]*\|", re.MULTILINE)
_PIPE_THEN_RULE = re.compile(rb"^ *\|[^\n]*\n *:?-+:? *$", re.MULTILINE)
_PIPE_AFTER_TEXT = re.compile(rb"^ *[^|\n ][^\n]*\n *\|", re.MULTILINE)  # no blank line first
_ENTITY = re.compile(rb"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_MAX_LEVEL = 12  # deeper documents go to the reference parser, whose nesting limit is exact


class _Unsupported(Exception):
    """The tree holds something this conversion does not reproduce exactly."""


@cache
def _parser() -> Any:
    import markdown_it_pyrs

    return markdown_it_pyrs.MarkdownIt("commonmark").enable_many(["table", "strikethrough"])


def parse(body: str, max_nesting: int) -> list[Token] | None:
    """markdown-it-py's tokens for `body`, or None when this route does not apply."""
    data = body.encode("utf-8")
    if _deep(body, data) or _mixed_emphasis(body):
        return None
    if b"<" in data or b"`" in data or b"\t" in data or b"\r" in data or b"\x00" in data \
            or _UNSUPPORTED_LINE.search(data) \
            or (not body.isascii() and (_ODD_SPACE.search(body) or _ASTRAL.search(body))) \
            or b"~~~" in data or _blank_last_line(data) \
            or (b"|" in data and (b"\\|" in data or _PIPE_INSIDE.search(data)
                                  or _PIPE_THEN_RULE.search(data)
                                  or _PIPE_AFTER_TEXT.search(data))):
        return None
    tree = _tree(body)
    if tree is None:
        return None
    try:
        return _Converter(data, min(_MAX_LEVEL, max_nesting // 2)).document(tree)
    except Exception:  # _Unsupported, or any surprise: the reference parser decides
        return None


def _deep(body: str, data: bytes) -> bool:
    """Whether the body could nest deeply enough to exhaust the Rust parser's stack (it
    recurses, and a stack overflow kills the process instead of raising): many emphasis or
    link delimiters in one paragraph, or many list markers and indents before one line.
    The loader refuses most such bodies first; this holds whoever calls `parse`."""
    def many(text: str) -> bool:
        return sum(text.count(mark) for mark in _DELIMITERS) > _MAX_DELIMITERS

    if many(body) and any(many(chunk) for chunk in _paragraphs(body)):
        return True
    return _DEEP_PREFIX.search(data) is not None


def _mixed_emphasis(body: str) -> bool:
    """Whether a paragraph holds both `*` and `_`: there the two parsers can pair emphasis
    delimiters differently (found by fuzzing: `_* a*_*a _*` and 21 others in 240,000 small
    documents; none with one kind of delimiter in another 650,000)."""
    if "*" not in body or "_" not in body:
        return False
    return any("*" in chunk and "_" in chunk for chunk in _paragraphs(body))


def _paragraphs(body: str) -> list[str]:
    """The body cut at empty lines. Lines of spaces also end a paragraph, so each piece holds
    one or more whole paragraphs: a test true of no piece is true of no paragraph."""
    return body.split("\n\n")


_DELIMITERS = ("*", "_", "~", "[")
_MAX_DELIMITERS = 2000  # in one paragraph; 20,000 nested levels were measured to be safe
_DEEP_PREFIX = re.compile(rb"^(?:[ >]|[-+*] |\d{1,9}[.)] ){48}", re.MULTILINE)


def _blank_last_line(data: bytes) -> bool:
    """A last line of spaces without a line break: the parsers' line counts differ there."""
    last = data[data.rfind(b"\n") + 1:]
    return bool(last) and not last.strip(b" ")


def _tree(body: str) -> Any:
    """The Rust parser's tree, or None if it panicked. A panic prints its message to the
    standard error before Python sees it, so the file descriptor is pointed at /dev/null for
    the call; in a process with threads that would hide their output too, so there the
    reference parser is used instead."""
    import os
    import threading

    if threading.active_count() > 1:
        return None
    saved = os.dup(2)
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 2)
        finally:
            os.close(null)
        try:
            return _parser().tree(body)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # pyo3's PanicException derives from BaseException
            return None
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _Converter:
    def __init__(self, data: bytes, max_level: int) -> None:
        from markdown_it.token import Token

        self.token = Token
        self.data = data
        self.max_level = max_level
        self.starts = [0]  # byte offset of each line's start
        position = data.find(b"\n")
        while position >= 0:
            self.starts.append(position + 1)
            position = data.find(b"\n", position + 1)
        # markdown-it counts a last line only when it is not empty
        self.line_count = len(self.starts) - (1 if data.endswith(b"\n") or not data else 0)
        self.tokens: list[Token] = []

    # -- positions ----------------------------------------------------------------------------

    def _line_bytes(self, number: int) -> bytes:
        end = self.starts[number + 1] - 1 if number + 1 < len(self.starts) else len(self.data)
        return self.data[self.starts[number]:end]

    def _rest_of_line(self, offset: int) -> bytes:
        """From `offset` to the end of its line (where a block opens inside a list item)."""
        line = self.line_of(offset)
        return self._line_bytes(line)[offset - self.starts[line]:]

    def _blank(self, number: int) -> bool:
        return not self._line_bytes(number).strip(b" ")

    def line_of(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1

    def end_line(self, end: int) -> int:
        """The line after the one holding the last byte before `end`."""
        return self.line_of(max(end - 1, 0)) + 1

    def next_content_line(self, line: int) -> int:
        while line < self.line_count and self._blank(line):
            line += 1
        return min(line, self.line_count)

    # -- blocks -------------------------------------------------------------------------------

    def document(self, root: Any) -> list[Token]:
        self.blocks(root.children, 0, 0)
        return self.tokens

    def push(self, kind: str, tag: str, nesting: Literal[-1, 0, 1], level: int,
             map: list[int] | None = None, content: str = "", markup: str = "",
             info: str = "", attrs: dict[str, Any] | None = None,
             children: list[Token] | None = None, hidden: bool = False) -> Token:
        # positional: the generated __init__ is then cheapest (a document has hundreds)
        token = self.token(kind, tag, nesting, attrs or {}, map, level, children, content,
                           markup, info, {}, True, hidden)
        self.tokens.append(token)
        return token

    def blocks(self, nodes: list[Any], level: int, indent: int) -> None:
        if level > self.max_level:
            raise _Unsupported("deep nesting")
        for node in nodes:
            handler = _BLOCKS.get(node.name)
            if handler is None:
                raise _Unsupported(node.name)
            handler(self, node, level, indent)

    def paragraph(self, node: Any, level: int, indent: int) -> None:
        self.inline_block(node.children, node.srcmap[0], node.srcmap[1], level, indent,
                          hidden=False)

    def inline_block(self, children: list[Any], start: int, end: int, level: int,
                     indent: int, hidden: bool) -> None:
        first, last = self.line_of(start), self.end_line(end)
        content = self._text_of(start, first + 1, last, indent)
        self.push("paragraph_open", "p", 1, level, map=[first, last], hidden=hidden)
        self.push("inline", "", 0, level + 1, map=[first, last], content=content,
                  children=self.inline(children))
        self.push("paragraph_close", "p", -1, level, hidden=hidden)

    def _text_of(self, start: int, following: int, last: int, indent: int) -> str:
        """An inline token's content as markdown-it-py's `getLines` cuts it: from `start` to
        the end of its line, then lines `following` to `last` less up to `indent` spaces."""
        lines = [self._rest_of_line(start)]
        for number in range(following, last):
            raw = self._line_bytes(number)
            lines.append(raw[min(len(raw) - len(raw.lstrip(b" ")), indent):])
        return b"\n".join(lines).decode("utf-8").strip()

    def heading(self, node: Any, level: int, indent: int) -> None:
        depth = node.meta["level"]
        tag = f"h{depth}"
        line = self.line_of(node.srcmap[0])
        children = node.children
        if node.name == "lheading":
            markup = node.meta["marker"]
            last = self.end_line(node.srcmap[1])
            inline_end = last - 1  # the underline is not text
            content = self._text_of(node.srcmap[0], line + 1, inline_end, indent)
        else:
            markup = "#" * depth
            last = inline_end = line + 1
            content = _atx_content(self._rest_of_line(node.srcmap[0]).decode("utf-8"))
        self.push("heading_open", tag, 1, level, map=[line, last], markup=markup)
        self.push("inline", "", 0, level + 1, map=[line, inline_end], content=content,
                  children=self.inline(children))
        self.push("heading_close", tag, -1, level, markup=markup)

    def hr(self, node: Any, level: int, indent: int) -> None:
        line = self.line_of(node.srcmap[0])
        self.push("hr", "hr", 0, level, map=[line, line + 1],
                  markup=node.meta["marker"] * (node.meta["marker_len"] + 1))  # as markdown-it-py

    def code_block(self, node: Any, level: int, indent: int) -> None:
        first = self.line_of(node.srcmap[0])
        last = first + node.meta["content"].count("\n")
        self.push("code_block", "code", 0, level, map=[first, last],
                  content=node.meta["content"])

    def listing(self, node: Any, level: int, indent: int) -> None:
        ordered = node.name == "ordered_list"
        kind, tag = ("ordered_list", "ol") if ordered else ("bullet_list", "ul")
        marker = node.meta["marker"]
        first = self.line_of(node.srcmap[0])
        attrs = {"start": node.meta["start"]} if ordered and node.meta["start"] != 1 else {}
        span = [first, 0]
        self.push(f"{kind}_open", tag, 1, level, map=span, markup=marker, attrs=attrs)
        items = node.children
        end = first
        for item in items:
            if item.name != "list_item":
                raise _Unsupported(item.name)
            end = self.item(item, level + 1, ordered, marker)
        span[1] = end
        self.push(f"{kind}_close", tag, -1, level, markup=marker)

    def item(self, node: Any, level: int, ordered: bool, marker: str) -> int:
        start = node.srcmap[0]
        first = self.line_of(start)
        line = self._line_bytes(first)
        offset = start - self.starts[first]
        head = line[offset:]
        number = head[:len(head) - len(head.lstrip(b"0123456789"))] if ordered else b""
        after_marker = offset + len(number) + 1
        rest = line[after_marker:]
        spaces = len(rest) - len(rest.lstrip(b" "))
        if not rest.strip(b" "):
            raise _Unsupported("item starting with a blank line")
        if spaces > 4:
            spaces = 1  # indented code inside an item: the content starts one column on
        indent = len(line[:after_marker + spaces].decode("utf-8"))
        info = number.decode("ascii") if ordered else ""
        span = [first, 0]
        self.push("list_item_open", "li", 1, level, map=span, markup=marker, info=info)
        content_start = self.starts[first] + after_marker + spaces
        children = node.children
        inline_run = 0
        while inline_run < len(children) and children[inline_run].name not in _BLOCKS:
            inline_run += 1
        if inline_run:  # a tight item's text: a hidden paragraph, as markdown-it-py has it
            self.inline_block(children[:inline_run], content_start,
                              children[inline_run - 1].srcmap[1], level + 1, indent,
                              hidden=True)
        for child in children[inline_run:]:
            if child.name not in _BLOCKS:
                raise _Unsupported("text after a block in a list item")
            self.blocks([child], level + 1, indent)
        end = self.next_content_line(self.end_line(node.srcmap[1]))
        span[1] = end
        self.push("list_item_close", "li", -1, level, markup=marker)
        return end

    def table(self, node: Any, level: int, indent: int) -> None:
        aligns = node.meta.get("alignments", [])
        first, last = self.line_of(node.srcmap[0]), self.end_line(node.srcmap[1])
        if any(not self._line_bytes(n).lstrip(b" ").startswith(b"|") for n in range(first, last)):
            raise _Unsupported("a table row without a leading pipe")  # where tables end differs
        if last < self.line_count and not self._blank(last):
            raise _Unsupported("a table not followed by a blank line")  # ends differ
        self.push("table_open", "table", 1, level, map=[first, last])
        for part in node.children:
            if part.name not in ("thead", "tbody"):
                raise _Unsupported(part.name)
            head = part.name == "thead"
            part_first = first if head else first + 2
            part_last = first + 1 if head else last
            self.push(f"{part.name}_open", part.name, 1, level + 1, map=[part_first, part_last])
            for row in part.children:
                row_line = self.line_of(row.srcmap[0])
                self.push("tr_open", "tr", 1, level + 2, map=[row_line, row_line + 1])
                cell_tag = "th" if head else "td"
                for column, cell in enumerate(row.children):
                    align = aligns[column] if column < len(aligns) else "none"
                    attrs = {"style": f"text-align:{align}"} if align != "none" else {}
                    self.push(f"{cell_tag}_open", cell_tag, 1, level + 3, attrs=attrs)
                    content = (self.data[cell.srcmap[0]:cell.srcmap[1]].decode("utf-8")
                               .strip() if cell.srcmap else "")
                    self.push("inline", "", 0, level + 4, map=[row_line, row_line + 1],
                              content=content, children=self.inline(cell.children))
                    self.push(f"{cell_tag}_close", cell_tag, -1, level + 3)
                self.push("tr_close", "tr", -1, level + 2)
            self.push(f"{part.name}_close", part.name, -1, level + 1)
        self.push("table_close", "table", -1, level)

    # -- inline -------------------------------------------------------------------------------

    def inline(self, nodes: list[Any]) -> list[Token]:
        out: list[Token] = []
        self._inline(nodes, 0, out)
        return out

    def _inline(self, nodes: list[Any], level: int, out: list[Token]) -> None:
        """Inline tokens as markdown-it-py leaves them: adjacent text merged (its
        `fragments_join`), escapes and entities merged into the text (its `text_join`), and an
        empty text beside each `**` or `__` delimiter run (what remains of the delimiter's
        second character)."""
        if level > self.max_level:
            raise _Unsupported("deep inline nesting")
        for node in nodes:
            name = node.name
            if name == "text":
                self._text(out, node.meta["content"], level)
            elif name == "text_special":  # markdown-it-py's text_join keeps the escape's
                meta = node.meta           # markup and info when it starts a text
                self._text(out, meta["content"], level, meta["markup"], meta["info"])
            elif name in ("softbreak", "hardbreak"):
                out.append(self.token(name, "br", 0, {}, None, level))
            elif name in _PAIRS:
                kind, tag, width = _PAIRS[name]
                markup = node.meta["marker"] * width
                if kind == "strong":
                    self._text(out, "", level)
                out.append(self.token(f"{kind}_open", tag, 1, {}, None, level, None, "",
                                      markup))
                self._inline(node.children, level + 1, out)
                out.append(self.token(f"{kind}_close", tag, -1, {}, None, level, None, "",
                                      markup))
                if kind == "strong":
                    self._text(out, "", level)
            elif name == "link":
                self._plain_destination(node)
                meta = node.meta
                attrs = {"href": meta["url"]}
                if meta.get("title"):
                    attrs["title"] = meta["title"]
                out.append(self.token("link_open", "a", 1, attrs, None, level))
                self._inline(node.children, level + 1, out)
                out.append(self.token("link_close", "a", -1, {}, None, level))
            elif name == "image":
                out.append(self.image(node, level))
            else:
                raise _Unsupported(name)

    def _text(self, out: list[Token], content: str, level: int, markup: str = "",
              info: str = "") -> None:
        """Text joins the text before it, as markdown-it-py's joins leave it."""
        if out and out[-1].type == "text":
            out[-1].content += content
        else:
            out.append(self.token("text", "", 0, {}, None, level, None, content, markup, info))

    def _plain_destination(self, node: Any) -> None:
        """Links whose destination the parsers normalise differently are declined: non-ASCII
        (punycode against percent-encoding), entities and backslash escapes."""
        start, end = node.srcmap
        source = self.data[start:end]
        destination = source[source.rfind(b"](") + 1:] if b"](" in source else source
        if not destination.isascii() or b"\\" in destination or _ENTITY.search(destination):
            raise _Unsupported("a link destination to normalise")

    def image(self, node: Any, level: int) -> Token:
        self._plain_destination(node)
        start, end = node.srcmap
        source = self.data[start:end].decode("utf-8")
        label_end = _label_end(source)
        attrs = {"src": node.meta["url"], "alt": ""}
        if node.meta.get("title"):
            attrs["title"] = node.meta["title"]
        children = self.inline(node.children)  # markdown-it-py joins image labels' text too
        return self.token("image", "img", 0, level=level, attrs=attrs, content=source[2:label_end],
                          children=children or None)


def _atx_content(line: str) -> str:
    """The text of an ATX heading line, as markdown-it-py's heading rule cuts it."""
    text = line.lstrip(" ")
    start = len(text) - len(text.lstrip("#"))
    end = len(text.rstrip(" "))
    closing = len(text[:end].rstrip("#"))
    if closing > start and text[closing - 1] == " ":
        end = closing
    return text[start:end].strip()


def _label_end(source: str) -> int:
    """Index of the `]` that closes the label of `![label](...)`."""
    depth = 0
    index = 1
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise _Unsupported("image label")


_PAIRS = {"strong": ("strong", "strong", 2), "em": ("em", "em", 1),
          "strikethrough": ("s", "s", 2)}
_BLOCKS: dict[str, Any] = {
    "paragraph": _Converter.paragraph, "heading": _Converter.heading,
    "lheading": _Converter.heading, "hr": _Converter.hr,
    "code_block": _Converter.code_block, "bullet_list": _Converter.listing,
    "ordered_list": _Converter.listing, "table": _Converter.table,
}
