"""Markdown tokens (parsed once by the loader) → safe HTML and plain text, section by section.

Raw HTML in the source is dropped (the check reports it); links are rewritten by the caller's
`LinkStyle`; the result is passed through nh3 (the ammonia sanitiser) with an allow-list as
a second line of defence, so nothing executable can reach a reader even if a rule is missed.

A table sits in a box that scrolls sideways when the table is wider than the page. GFM tables
always have a header row; one whose header cells are all empty (`|  |  |`) is a table of
names and values: it is written without a header row, its first column as row headers.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import nh3
from markdown_it.token import Token

from pipeline.characters import without_forbidden
from pipeline.load import inline_text, markdown_parser
from pipeline.names import link_target

if TYPE_CHECKING:
    from pipeline.render.references import Numbering

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "del", "div", "em", "figcaption",
    "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul", "wbr",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "img": {"src", "alt", "title", "loading", "decoding"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "ol": {"start", "class", "data-pagefind-ignore"},  # the reference list is not searched
    # citations, footnotes and the reference list (`pipeline.render.references`)
    "sup": {"id", "class"}, "li": {"id"}, "span": {"class"},
    "td": {"style"}, "th": {"style", "scope"},
    "figure": {"class"}, "figcaption": {"class"},
    # the box around a table that scrolls it sideways: focusable, so keyboards can scroll it
    "div": {"class", "role", "tabindex", "aria-label"}, "table": {"class"},
}
URL_SCHEMES = frozenset({"https", "http", "mailto"})
# A link whose text is a web address or a DOI (as the reference list writes them), and the
# places such an address may wrap: after a slash (not inside `//`), before other punctuation.
_ADDRESS_LINK = re.compile(r"(<a\b[^>]*>)((?:https?://|10\.)[^<\s]+)(</a>)")
_ADDRESS_BREAK = re.compile(r"(?<=/)(?!/)|(?<=.)(?=[.\-_?#&=~%])")


@cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(tags=set(ALLOWED_TAGS), attributes={k: set(v) for k, v in
                                                              ALLOWED_ATTRIBUTES.items()},
                       url_schemes=set(URL_SCHEMES), link_rel=None, strip_comments=True,
                       filter_style_properties={"text-align"})


def breakable_addresses(fragment: str) -> str:
    """Web addresses and DOIs shown as link text get `<wbr>` where they may wrap (after a
    `/`, before `.`, `-`, `_`, `?`, `#`, `&`, `=`, `~`, `%`): a long address wraps at its
    punctuation, not between two letters, and the rest of the text only between words."""
    def breakable(match: re.Match[str]) -> str:
        text = html.unescape(match.group(2))
        parts = (html.escape(part, quote=False) for part in _ADDRESS_BREAK.split(text) if part)
        return match.group(1) + "<wbr>".join(parts) + match.group(3)

    return _ADDRESS_LINK.sub(breakable, fragment)


def sanitise(fragment: str) -> str:
    """The allow-list sanitiser every rendered fragment goes through; the characters HTML
    forbids are removed too."""
    return without_forbidden(str(_cleaner().clean(fragment)))


@dataclass(frozen=True)
class LinkStyle:
    """How one output writes links: to other articles, to sections, to images."""

    article: Callable[[str, str], str]  # (slug, fragment) → URL
    image: Callable[[str], str]  # file name in the images folder → URL
    credit: Callable[[str], str]  # file name → credit line (plain text), "" if none


def _render_rules(max_nesting: int) -> Any:
    # A renderer of our own: the parser the loader shares is never changed by rendering.
    from markdown_it.renderer import RendererHTML

    parser = markdown_parser(max_nesting)
    renderer: Any = RendererHTML(parser)
    plugin_rules: dict[str, Any] = getattr(parser.renderer, "rules", {})
    for name, rule in plugin_rules.items():  # the plugins' tokens (footnotes, citations)
        renderer.rules.setdefault(name, rule)

    def drop(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        return ""

    def heading_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        anchor = str(tokens[idx].attrs.get("id", ""))  # named once, by the loader
        return f'<{_heading_tag(tokens[idx])} id="{html.escape(anchor)}">'

    def heading_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        return f"</{_heading_tag(tokens[idx])}>\n"

    def link_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        # The tokens belong to the article and are rendered more than once (relative and
        # absolute links): build the tag here instead of rewriting the token's attributes.
        token = tokens[idx]
        target = env["rewrite"](str(token.attrs.get("href", "")))
        env["links"].append(target)
        title = token.attrs.get("title")
        extra = f' title="{html.escape(str(title))}"' if title else ""
        return f'<a href="{html.escape(target)}"{extra}>'

    def image(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        src = env["rewrite_image"](str(token.attrs.get("src", "")))
        alt = html.escape(self.renderInlineAsText(token.children or [], options, env))
        if not src:
            return alt
        return f'<img src="{html.escape(src)}" alt="{alt}" loading="lazy" decoding="async">'

    def paragraph_open(self: Any, tokens: list[Token], idx: int, options: Any,
                       env: Any) -> str:
        figure = _lone_image(tokens, idx)
        if figure is not None:
            env["figure"] = figure
            return '<figure class="article-figure">'
        return "<p>"

    def paragraph_close(self: Any, tokens: list[Token], idx: int, options: Any,
                        env: Any) -> str:
        figure = env.pop("figure", None)
        if figure is not None:
            credit = env["credit"](figure)
            caption = f'<figcaption class="credit">{html.escape(credit)}</figcaption>' if (
                credit) else ""
            return f"{caption}</figure>\n"
        return "</p>\n"

    def citation(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        numbering = env.get("numbering")
        if numbering is None:
            return html.escape(tokens[idx].content)
        return str(numbering.citation(tokens[idx]))

    def footnote_ref(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        numbering = env.get("numbering")
        return "" if numbering is None else str(numbering.note_ref(tokens[idx]))

    def footnote_anchor(self: Any, tokens: list[Token], idx: int, options: Any,
                        env: Any) -> str:
        numbering = env.get("numbering")
        return "" if numbering is None else str(numbering.note_anchor(tokens[idx]))

    def footnote_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        return f'<li id="note-{int((tokens[idx].meta or {}).get("id", 0)) + 1}">'

    def table_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        head = _header_cells(tokens, idx)
        env["key_value"] = not any(head)
        label = html.escape(_table_label(tokens, idx, head), quote=True)
        kind = ' class="key-value"' if env["key_value"] else ""
        return (f'<div class="table-scroll" role="region" tabindex="0" aria-label="{label}">'
                f"<table{kind}>\n")

    def table_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        env.pop("key_value", None)
        return "</table></div>\n"

    def thead_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        env["in_head"] = True
        return "" if env.get("key_value") else "<thead>\n"

    def thead_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        env["in_head"] = False
        return "" if env.get("key_value") else "</thead>\n"

    def tr_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        env["cell"] = 0
        return "" if env.get("key_value") and env.get("in_head") else "<tr>\n"

    def tr_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        return "" if env.get("key_value") and env.get("in_head") else "</tr>\n"

    def th_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        if env.get("key_value"):
            return ""
        return f'<th scope="col"{_cell_style(tokens[idx])}>'

    def th_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        return "" if env.get("key_value") else "</th>\n"

    def td_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        env["cell"] = env.get("cell", 0) + 1
        if env.get("key_value") and env["cell"] == 1:  # the name of the row's value
            return f'<th scope="row"{_cell_style(tokens[idx])}>'
        return f"<td{_cell_style(tokens[idx])}>"

    def td_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        return "</th>\n" if env.get("key_value") and env.get("cell") == 1 else "</td>\n"

    def fixed(markup: str) -> Any:
        def rule(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
            return markup
        return rule

    for name in ("html_block", "html_inline"):
        renderer.rules[name] = drop.__get__(renderer)
    for name, function in (("heading_open", heading_open), ("heading_close", heading_close),
                           ("link_open", link_open), ("image", image),
                           ("paragraph_open", paragraph_open),
                           ("paragraph_close", paragraph_close), ("citation", citation),
                           ("footnote_ref", footnote_ref), ("footnote_anchor", footnote_anchor),
                           ("footnote_open", footnote_open),
                           ("table_open", table_open), ("table_close", table_close),
                           ("thead_open", thead_open), ("thead_close", thead_close),
                           ("tr_open", tr_open), ("tr_close", tr_close),
                           ("th_open", th_open), ("th_close", th_close),
                           ("td_open", td_open), ("td_close", td_close),
                           ("footnote_close", fixed("</li>\n")),
                           ("footnote_block_open", fixed('<ol class="notes">\n')),
                           ("footnote_block_close", fixed("</ol>\n"))):
        renderer.rules[name] = function.__get__(renderer)
    return parser.options, renderer


def _heading_tag(token: Token) -> str:
    """Headings keep their level; a stray level one becomes two (the page title is the h1)."""
    return "h2" if token.tag == "h1" else token.tag


def _header_cells(tokens: list[Token], idx: int) -> list[str]:
    """The text of each header cell of the table that opens at `idx`."""
    cells: list[str] = []
    for token in tokens[idx + 1:]:
        if token.type == "thead_close":
            break
        if token.type == "inline":
            cells.append(inline_text(token))
    return cells


def _table_label(tokens: list[Token], idx: int, head: list[str]) -> str:
    """What the scrolling box of a table is called: its column headings, or for a table of
    names and values (no header), the first names."""
    names = [cell for cell in head if cell]
    if not names:
        in_body, cell = False, 0
        for token in tokens[idx + 1:]:
            if token.type in ("tbody_open", "table_close"):
                in_body = token.type == "tbody_open"
                if not in_body:
                    break
            elif token.type == "tr_open":
                cell = 0
            elif token.type == "td_open":
                cell += 1
            elif in_body and cell == 1 and token.type == "inline" and inline_text(token):
                names.append(inline_text(token))
                if len(names) == 3:
                    break
    label = "Table: " + ", ".join(names) if names else "Table"
    return label if len(label) <= 100 else label[:99].rstrip() + "\u2026"


def _cell_style(token: Token) -> str:
    """A cell's alignment (`style="text-align:..."`, the only style markdown-it writes)."""
    style = token.attrs.get("style")
    return f' style="{html.escape(str(style))}"' if style else ""


def _lone_image(tokens: list[Token], idx: int) -> str | None:
    """The image file of a paragraph that holds only an image, else None."""
    if idx + 1 >= len(tokens) or tokens[idx + 1].type != "inline":
        return None
    children = [c for c in tokens[idx + 1].children or []
                if not (c.type == "text" and not c.content.strip())]
    if len(children) == 1 and children[0].type == "image":
        return str(children[0].attrs.get("src", "")).rsplit("/", 1)[-1]
    return None


@cache
def _renderer(max_nesting: int) -> Any:
    return _render_rules(max_nesting)


def render_html(tokens: list[Token], style: LinkStyle, max_nesting: int = 32,
                numbering: Numbering | None = None) -> tuple[str, list[str]]:
    """Safe HTML for a run of block tokens, and the URLs it links to. Headings carry the ids
    the loader gave them (`pipeline.names.unique_ids`). Citations and footnote marks are
    numbered and linked by `numbering` (one per article, shared by all its runs)."""
    options, renderer = _renderer(max_nesting)
    links: list[str] = []
    env = {"rewrite": lambda target: _rewrite(target, style),
           "rewrite_image": lambda src: _rewrite_image(src, style), "links": links,
           "credit": style.credit, "numbering": numbering}
    raw = renderer.render(tokens, options, env)
    return sanitise(raw), links


def _rewrite(target: str, style: LinkStyle) -> str:
    parsed = link_target(target)
    if parsed.external:
        return target if parsed.scheme in URL_SCHEMES else ""
    slug = parsed.article
    if slug is not None:
        return style.article(slug, parsed.fragment)
    if not parsed.path and parsed.fragment:
        return "#" + parsed.fragment
    return ""


def _rewrite_image(src: str, style: LinkStyle) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(src)
    if parts.scheme or parts.netloc or ".." in parts.path:
        return ""
    name = parts.path.rsplit("/", 1)[-1]
    return style.image(name) if name else ""


def plain_text(tokens: list[Token]) -> str:
    """Readable plain text of a run of block tokens: paragraphs, list items, table rows."""
    blocks: list[str] = []
    prefix: list[str] = []
    row: list[str] | None = None
    for token in tokens:
        if token.type in ("bullet_list_open", "ordered_list_open"):
            prefix.append("- ")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            prefix.pop()
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            if any(row):  # the empty header row of a table of names and values is no row
                blocks.append(" | ".join(row))
            row = None
        elif token.type == "inline":
            text = inline_text(token)
            if row is not None:
                row.append(text)
            elif text:
                blocks.append(("  " * (len(prefix) - 1) + prefix[-1] if prefix else "") + text)
        elif token.type in ("fence", "code_block"):
            blocks.append(token.content.rstrip("\n"))
    return "\n".join(blocks)
