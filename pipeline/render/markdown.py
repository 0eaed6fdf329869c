"""Markdown tokens (parsed once by the loader) → safe HTML and plain text, section by section.

Raw HTML in the source is dropped (the check reports it); links are rewritten by the caller's
`LinkStyle`; the result is passed through nh3 (the ammonia sanitiser) with an allow-list as
a second line of defence, so nothing executable can reach a reader even if a rule is missed.
"""

from __future__ import annotations

import html
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
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "del", "em", "figcaption",
    "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "img": {"src", "alt", "title", "loading", "decoding"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "ol": {"start", "class"},
    # citations, footnotes and the reference list (`pipeline.render.references`)
    "sup": {"id", "class"}, "li": {"id"}, "span": {"class"},
    "td": {"style"}, "th": {"style", "scope"},
    "figure": {"class"}, "figcaption": {"class"},
}
URL_SCHEMES = frozenset({"https", "http", "mailto"})


@cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(tags=set(ALLOWED_TAGS), attributes={k: set(v) for k, v in
                                                              ALLOWED_ATTRIBUTES.items()},
                       url_schemes=set(URL_SCHEMES), link_rel=None, strip_comments=True,
                       filter_style_properties={"text-align"})


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
                           ("footnote_close", fixed("</li>\n")),
                           ("footnote_block_open", fixed('<ol class="notes">\n')),
                           ("footnote_block_close", fixed("</ol>\n"))):
        renderer.rules[name] = function.__get__(renderer)
    return parser.options, renderer


def _heading_tag(token: Token) -> str:
    """Headings keep their level; a stray level one becomes two (the page title is the h1)."""
    return "h2" if token.tag == "h1" else token.tag


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
