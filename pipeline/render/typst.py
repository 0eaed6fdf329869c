"""Typst source for the print edition: escaping, the Jinja environment of `.typ` templates,
and the article's sanitised HTML written as Typst markup.

The print templates (`templates/print.typ`, `print-article.typ`, `book.typ`) are Jinja
templates whose output is Typst. Every `{{ ... }}` is escaped as Typst text unless it is
`Source`, markup this module made: article data can never become Typst code (a title holding
`#import` prints as written). The section HTML that `pipeline.render.markdown` made and
sanitised is a closed set of tags (`ALLOWED_TAGS`); `Writer` writes each as its Typst
counterpart, images only when `pipeline.image_files` accepts the file of the images folder.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2

from pipeline.characters import without_forbidden
from pipeline.render.references import WEB_ADDRESS


class Source(str):
    """Typst markup or code made by this module: a template writes it as is."""

    __slots__ = ()


# Every ASCII punctuation character: each may open markup (`#`, `*`, `_`, `$`, `@`, `<`, `[`,
# `=`/`-`/`+`/`/` at a line start, `//` comments, `--` dashes, `...`, smart quotes, `~`), and
# a backslash before any of them writes the character itself.
_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")
_SPACE = re.compile(r"[ \t\n\r\f\v]+")  # HTML's white space; U+00A0 stays a no-break space
_STRING_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r",
                   ord("\t"): "\\t"}
# Typst label names; an id with other characters gets no label (and links to it stay text).
_LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:-]*")
_ID = re.compile(r'\bid="([^"]*)"')
_HREF_FRAGMENT = re.compile(r'\bhref="#([^"]*)"')
_ALIGN = re.compile(r"text-align:\s*(left|right|center)")
# A word the line breaker may split without a space: at a hyphen, a dash or a slash.
_BREAKABLE_WORD = re.compile(r"\S*[-/\u2010-\u2015]\S*")
_LINK_SCHEMES = ("https://", "http://", "mailto:")


def text(value: object) -> Source:
    """`value` as Typst text: white space folded as HTML does, punctuation escaped."""
    plain = _SPACE.sub(" ", without_forbidden(str(value)))
    return Source(_PUNCTUATION.sub(r"\\\g<0>", plain))


def string(value: object) -> Source:
    """`value` as a Typst string literal, for code: metadata, link targets, file names."""
    return Source(f'"{without_forbidden(str(value)).translate(_STRING_ESCAPES)}"')


def unbroken(value: str) -> Source:
    """`value` as Typst text in which no word with a hyphen or a slash wraps, web addresses
    linked: the notices read back from the PDF then match their text (publish checks the
    licence and the attribution that way)."""
    parts: list[str] = []
    end = 0
    for match in _BREAKABLE_WORD.finditer(value):
        word = match.group()
        url = WEB_ADDRESS.search(word)
        inner = text(word) if url is None else Source(
            f"{text(word[:url.start()])}#link({string(url.group())})[{text(url.group())}]"
            f"{text(word[url.end():])}")
        parts += [text(value[end:match.start()]), f"#box[{inner}]"]
        end = match.end()
    parts.append(text(value[end:]))
    return Source("".join(parts))


def link(url: str, content: str | None = None) -> Source:
    """A link to a web address, showing `content` (Typst markup) or the address itself."""
    return Source(f"#link({string(url)})[{text(url) if content is None else content}]")


def date(value: str) -> Source:
    """A `YYYY-MM-DD` date as a Typst datetime, or `none`: the PDF then has no dates rather
    than the clock's."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    if match is None:
        return Source("none")
    year, month, day = (int(part) for part in match.groups())
    return Source(f"datetime(year: {year}, month: {month}, day: {day})")


def array(values: Iterable[object]) -> Source:
    """Typst strings as an array: `("a", "b",)` (the comma keeps one item an array)."""
    return Source("(" + "".join(f"{string(v)}, " for v in values) + ")")


# -- the sanitised article HTML as Typst --------------------------------------------------

_VOID = frozenset({"br", "wbr", "img", "hr"})
# Inline elements that are one Typst function of their content, and the headings' levels.
_INLINE = {"strong": "strong", "b": "strong", "em": "emph", "i": "emph", "del": "strike",
           "s": "strike", "sup": "super", "sub": "sub"}
_HEADINGS = {f"h{level}": level for level in range(2, 7)}
_BLOCK_BREAK = "\n\n"


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    children: list[_Node | str] = field(default_factory=list)

    def text_content(self) -> str:
        return "".join(c if isinstance(c, str) else c.text_content() for c in self.children)


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("", {})
        self._open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {k: v or "" for k, v in attrs})
        self._open[-1].children.append(node)
        if tag not in _VOID:
            self._open.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open[-1].children.append(_Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self._open[-1].children.append(data)


_LEVEL = "\0level"  # the level a heading is printed at (no attribute can have this name)


def _level_headings(node: _Node, last: list[int]) -> None:
    """Give each heading under `node` a level at most one deeper than the heading before it
    (`last[0]`; a section's body follows its level-2 title): PDF/UA-1 forbids skipping a
    level, and Markdown allows `####` right under `##`."""
    for child in node.children:
        if isinstance(child, str):
            continue
        if child.tag in _HEADINGS and child.text_content().strip():  # an empty one is left out
            last[0] = min(_HEADINGS[child.tag], last[0] + 1)
            child.attrs[_LEVEL] = str(last[0])
        else:
            _level_headings(child, last)


def link_targets(htmls: Iterable[str], prefix: str = "", ids: Iterable[str] = ()
                 ) -> frozenset[str]:
    """The ids of `htmls` (and `ids`, those the template gives) that some link among the
    `htmls` points at, with `prefix`: the labels a document needs (Typst refuses a link to
    a label it lacks or has twice). An id that cannot be a Typst label gets none."""
    found: set[str] = set(ids)
    targets: set[str] = set()
    for html in htmls:
        found.update(_ID.findall(html))
        targets.update(_HREF_FRAGMENT.findall(html))
    return frozenset(prefix + name for name in found & targets
                     if _LABEL.fullmatch(prefix + name))


@dataclass(frozen=True)
class Writer:
    """Writes one document's section HTML: `prefix` goes before every id (a book gives each
    article its own), `labels` are the ids links may point at (`link_targets`), `image`
    gives the file of the images folder an `<img src>` names, or None to leave it out;
    `alts` the alt text of the image credits, for an image whose Markdown gives none
    (PDF/UA-1 refuses an image without one)."""

    image: Callable[[str], str | None]
    labels: frozenset[str] = frozenset()
    prefix: str = ""
    alts: Mapping[str, str] = field(default_factory=dict)  # file name → its credit's alt

    def __call__(self, html: str) -> Source:
        tree = _Tree()
        tree.feed(html)
        tree.close()
        _level_headings(tree.root, [2])
        return Source(self._children(tree.root).strip())

    def _children(self, node: _Node) -> str:
        return "".join(self._write(child) for child in node.children)

    def _write(self, node: _Node | str) -> str:
        if isinstance(node, str):
            return text(node)
        if node.tag in _INLINE:
            return self._inline(node, _INLINE[node.tag])
        if node.tag in _HEADINGS:
            return self._heading(node)
        method = getattr(self, f"_tag_{node.tag}", None)
        return method(node) if method is not None else self._children(node)

    def label(self, name: str) -> Source:
        """`<name>` when a link of the document points at `name` (`labels`), else nothing."""
        return Source(f"<{name}>" if name in self.labels else "")

    def _label(self, node: _Node) -> str:
        return self.label(self.prefix + node.attrs.get("id", ""))

    def _block(self, body: str) -> str:
        return f"{_BLOCK_BREAK}{body}{_BLOCK_BREAK}"

    # blocks

    def _tag_p(self, node: _Node) -> str:
        return self._block(self._children(node).strip())

    def _heading(self, node: _Node) -> str:
        level = node.attrs.get(_LEVEL)  # none for an empty heading (`_level_headings`)
        if level is None:
            return ""  # an empty heading shows nothing, and PDF/UA-1 refuses one
        return self._block(f"#heading(level: {level})[{self._children(node).strip()}]"
                           f"{self._label(node)}")

    def _items(self, node: _Node) -> str:
        items = []
        for child in node.children:
            if isinstance(child, _Node) and child.tag == "li":
                # a list item takes no label: an empty element at its start carries it
                label = self._label(child)
                mark = f"#metadata({string(label[1:-1])}) {label}" if label else ""
                items.append(f"[{mark}{self._children(child).strip()}]")
        return ", ".join(items)

    def _tag_ul(self, node: _Node) -> str:
        return self._block(f"#list({self._items(node)})")

    def _tag_ol(self, node: _Node) -> str:
        options = []
        start = node.attrs.get("start", "")
        if start.isdigit():
            options.append(f"start: {int(start)}")
        if "notes" in node.attrs.get("class", "").split():
            options.append('numbering: "a."')
        return self._block(f"#enum({''.join(o + ', ' for o in options)}{self._items(node)})")

    def _tag_blockquote(self, node: _Node) -> str:
        return self._block(f"#quote(block: true)[{self._children(node).strip()}]")

    def _tag_pre(self, node: _Node) -> str:
        return self._block(f"#raw(block: true, {string(node.text_content())})")

    def _tag_hr(self, node: _Node) -> str:
        return self._block("#line(length: 100%, stroke: 0.5pt + luma(60%))")

    def _tag_div(self, node: _Node) -> str:
        return self._block(self._children(node).strip())

    def _tag_figure(self, node: _Node) -> str:
        caption = ""
        images = []
        for child in node.children:
            if isinstance(child, _Node) and child.tag == "figcaption":
                caption = self._children(child).strip()
            elif isinstance(child, _Node):
                images.append(self._write(child))
        body = "".join(images).strip()
        if not body:
            return self._block(f"#figure-caption[{caption}]") if caption else ""
        return self._block(f"#figure([{body}], caption: [{caption}])" if caption
                           else f"#figure([{body}])")

    def _tag_img(self, node: _Node) -> str:
        name = self.image(node.attrs.get("src", ""))
        if name is None:
            return ""
        alt = (node.attrs.get("alt", "").strip() or self.alts.get(name.lstrip("/"), "").strip()
               or Path(name).stem)
        return f"#print-image({string(name)}, {string(alt)})"

    def _tag_table(self, node: _Node) -> str:
        caption = ""
        head: list[list[str]] = []
        body: list[list[str]] = []
        for child in node.children:
            if not isinstance(child, _Node):
                continue
            if child.tag == "caption":
                caption = self._children(child).strip()
            elif child.tag in ("thead", "tbody", "tr"):
                rows = [child] if child.tag == "tr" else [
                    row for row in child.children if isinstance(row, _Node) and row.tag == "tr"]
                (head if child.tag == "thead" else body).extend(self._row(r) for r in rows)
        width = max((len(row) for row in head + body), default=0)
        if width == 0:
            return ""

        def padded(rows: list[list[str]]) -> str:  # every row as wide as the widest
            return ", ".join(cell for row in rows for cell in row + ["[]"] * (width - len(row)))

        cells, header = padded(body), padded(head)
        parts = [f"columns: {width}"]
        if header:
            parts.append(f"table.header({header})")
        if cells:
            parts.append(cells)
        table = f"#table({', '.join(parts)})"
        return self._block(f"#table-caption[{caption}]\n{table}" if caption else table)

    def _row(self, row: _Node) -> list[str]:
        cells = []
        for cell in row.children:
            if not isinstance(cell, _Node) or cell.tag not in ("td", "th"):
                continue
            content = self._children(cell).strip()
            options = []
            if cell.tag == "th":
                content = f"#strong[{content}]"
                options.append("fill: luma(93%)")
            align = _ALIGN.search(cell.attrs.get("style", ""))
            if align:
                options.append(f"align: {align.group(1)}")
            cells.append(f"table.cell({', '.join(options)})[{content}]" if options
                         else f"[{content}]")
        return cells

    # inline

    def _tag_a(self, node: _Node) -> str:
        href = node.attrs.get("href", "")
        content = self._children(node)
        if href.startswith("#"):
            label = self.label(self.prefix + href[1:])
            return f"#link({label})[{content}]" if label else content
        if href.startswith(_LINK_SCHEMES):
            return link(href, content or None)
        return content

    def _tag_span(self, node: _Node) -> str:
        if "backlinks" in node.attrs.get("class", "").split():
            return ""  # the way back to a citation means nothing on paper
        return self._children(node)

    def _inline(self, node: _Node, function: str) -> str:
        content = self._children(node)
        return f"#{function}[{content}]" if content.strip() else content

    def _tag_code(self, node: _Node) -> str:
        return f"#raw({string(node.text_content())})"

    def _tag_br(self, node: _Node) -> str:
        return "#linebreak()"

    def _tag_wbr(self, node: _Node) -> str:
        # Typst breaks the address a link shows at its punctuation on its own; a U+200B here
        # would be copied with the address from the PDF
        return ""


# -- the Jinja environment of the Typst templates --------------------------------------------


def finalize(value: Any) -> Any:
    """Every `{{ ... }}` of a Typst template: Typst text, unless this module made it."""
    if isinstance(value, Source):
        return value
    return text(value) if value is not None else ""


def environment(templates: Path) -> jinja2.Environment:
    """The environment of the `.typ` templates of a folder; built once per folder."""
    return _environment(str(Path(templates).resolve()))


@cache
def _environment(folder: str) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=False,
                             undefined=jinja2.StrictUndefined, finalize=finalize,
                             keep_trailing_newline=True)
    env.filters.update({"string": string, "unbroken": unbroken, "array": array,
                        "date": date, "link": link, "text": text})
    return env
