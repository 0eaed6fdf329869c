"""The Markdown profile the pipeline parses with, against the public CommonMark spec examples.

Every example of the CommonMark spec 0.31.2 (the version markdown-it-py 4 targets) and every
GFM spec example of the two extensions the pipeline enables (tables, strikethrough) is rendered
with `pipeline.load.markdown_parser` and compared with the spec's HTML after `normalize_html`.
The examples, their sources and their licence are described in tests/data/commonmark/README.md.

An example that does not match is listed, with the reason, in `KNOWN_DIFFERENCES` (CommonMark)
or `KNOWN_GFM_DIFFERENCES` (GFM extensions), and the test then asserts that it still differs, so
neither list can go stale.
"""

from __future__ import annotations

import json
import re
from html import escape
from html.entities import name2codepoint
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from pipeline.load import markdown_parser

DATA = Path(__file__).parent / "data" / "commonmark"
SPEC_EXAMPLES: list[dict[str, Any]] = json.loads(
    (DATA / "spec-0.31.2.json").read_text(encoding="utf-8"))
GFM_EXAMPLES: list[dict[str, Any]] = json.loads(
    (DATA / "gfm-extensions.json").read_text(encoding="utf-8"))

# CommonMark spec examples our profile renders differently: none.
KNOWN_DIFFERENCES: dict[int, str] = {}

# GFM spec examples (numbered as in the GFM spec) our profile renders differently. Both are how
# markdown-it-py spells the same structure in HTML; `GFM_SPELLINGS` below proves that nothing
# else differs.
KNOWN_GFM_DIFFERENCES: dict[int, str] = {
    199: 'column alignment is written style="text-align:center" where cmark-gfm writes '
         'align="center" (cmark-gfm writes the style form too with its '
         'table-prefer-style-attributes option); the alignments themselves are the same',
    491: "strikethrough is written <s>...</s> where cmark-gfm writes <del>...</del>",
}

# markdown-it-py's HTML spellings -> cmark-gfm's, applied only to check the two differences above.
GFM_SPELLINGS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r'style="text-align:(left|center|right)"'), r'align="\1"'),
    (re.compile(r"<(/?)s>"), r"<\1del>"),
]


# The normalisation follows the rules of the CommonMark spec's test tooling (normalize.py in
# commonmark/commonmark-spec, used by its spec_tests.py); it only removes differences that
# HTML does not give a meaning to:
#   1. outside <pre>, runs of whitespace become one space;
#   2. whitespace next to a block-level tag is dropped ("<blockquote>\n</blockquote>" and
#      "<blockquote></blockquote>" are the same), as is a newline right after <br>;
#   3. "<br />" becomes "<br>" (the self-closing slash is dropped) and attributes are sorted;
#   4. entity and numeric character references become the characters they stand for, except
#      <, >, & and " which are always written &lt; &gt; &amp; &quot;.
# Unlike the tooling, rule 1 only counts ASCII whitespace (a no-break space is not a space).
_BLOCK_TAGS = frozenset({
    "article", "header", "aside", "hgroup", "blockquote", "hr", "iframe", "body", "li", "map",
    "button", "object", "canvas", "ol", "caption", "output", "col", "p", "colgroup", "pre", "dd",
    "progress", "div", "section", "dl", "table", "td", "dt", "tbody", "embed", "textarea",
    "fieldset", "tfoot", "figcaption", "th", "figure", "thead", "footer", "tr", "form", "ul",
    "h1", "h2", "h3", "h4", "h5", "h6", "video", "script", "style",
})
_ASCII_WHITESPACE = " \t\n\r\f"
_WHITESPACE = re.compile(f"[{_ASCII_WHITESPACE}]+")
_CHUNKS = re.compile(r"<!\[CDATA\[.*?\]\]>|<[^>]*>|[^<]+", re.DOTALL)
_ESCAPES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;"}


class _Normaliser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.output = ""
        self.last = "starttag"  # the kind of the last thing read
        self.last_tag = ""
        self.in_pre = False

    def handle_data(self, data: str) -> None:
        after_tag = self.last in ("starttag", "endtag")
        if after_tag and self.last_tag == "br":
            data = data.lstrip("\n")
        if not self.in_pre:
            data = _WHITESPACE.sub(" ", data)
            if after_tag and self.last_tag in _BLOCK_TAGS:
                data = data.lstrip(" ") if self.last == "starttag" else data.strip(" ")
        self.output += data
        self.last = "data"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pre":
            self.in_pre = True
        if tag in _BLOCK_TAGS:
            self.output = self.output.rstrip(_ASCII_WHITESPACE)
        self.output += "<" + tag + "".join(
            f" {key}" if value is None else f' {key}="{escape(value, quote=True)}"'
            for key, value in sorted(attrs, key=lambda pair: (pair[0], pair[1] or "")))
        self.output += ">"
        self.last_tag = tag
        self.last = "starttag"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.last = "endtag"

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self.in_pre = False
        elif tag in _BLOCK_TAGS:
            self.output = self.output.rstrip(_ASCII_WHITESPACE)
        self.output += f"</{tag}>"
        self.last_tag = tag
        self.last = "endtag"

    def handle_comment(self, data: str) -> None:
        self.output += f"<!--{data}-->"
        self.last = "comment"

    def handle_decl(self, decl: str) -> None:
        self.output += f"<!{decl}>"
        self.last = "decl"

    def unknown_decl(self, data: str) -> None:
        self.handle_decl(data)

    def handle_pi(self, data: str) -> None:
        self.output += f"<?{data}>"
        self.last = "pi"

    def handle_entityref(self, name: str) -> None:
        code = name2codepoint.get(name)
        self._reference(None if code is None else chr(code), f"&{name};")

    def handle_charref(self, name: str) -> None:
        try:
            char = chr(int(name[1:], 16) if name[:1] in "xX" else int(name))
        except (ValueError, OverflowError):
            char = None
        self._reference(char, f"&#{name};")

    def _reference(self, char: str | None, written: str) -> None:
        self.output += written if char is None else _ESCAPES.get(char, char)
        self.last = "ref"


def normalize_html(html: str) -> str:
    """`html` with the differences the CommonMark test tooling ignores removed (see above)."""
    parser = _Normaliser()
    for chunk in _CHUNKS.finditer(html):
        if chunk.group().startswith("<![CDATA["):  # html.parser cannot read CDATA: keep as is
            parser.output += chunk.group()
        else:
            parser.feed(chunk.group())
    parser.close()
    return parser.output.strip(_ASCII_WHITESPACE)


def test_normalisation_rules() -> None:
    assert normalize_html("<p>a  \t\nb</p>\n") == "<p>a b</p>"
    assert normalize_html("<blockquote>\n</blockquote>\n") == "<blockquote></blockquote>"
    assert normalize_html("<p>a<br />\nb</p>") == "<p>a<br>b</p>"
    assert normalize_html('<a title="t" href="u">x</a>') == '<a href="u" title="t">x</a>'
    assert normalize_html("<p>&ouml;&#x22;&amp;&#60;</p>") == "<p>ö&quot;&amp;&lt;</p>"
    assert normalize_html("<pre><code>a  b\n</code></pre>") == "<pre><code>a  b\n</code></pre>"
    assert normalize_html("<p><em>a</em> b</p>") != normalize_html("<p><em>a</em>b</p>")


def test_vendored_examples_are_complete() -> None:
    assert [example["example"] for example in SPEC_EXAMPLES] == list(range(1, 653))
    assert {example["extension"] for example in GFM_EXAMPLES} == {"table", "strikethrough"}
    assert len(GFM_EXAMPLES) == 10
    assert set(KNOWN_DIFFERENCES) <= {example["example"] for example in SPEC_EXAMPLES}
    assert set(KNOWN_GFM_DIFFERENCES) <= {example["example"] for example in GFM_EXAMPLES}


@pytest.fixture(scope="module")
def render() -> Any:
    return markdown_parser(32).render


def _compare(actual: str, example: dict[str, Any], known: dict[int, str]) -> tuple[str, str]:
    number = example["example"]
    got, expected = normalize_html(actual), normalize_html(example["html"])
    if number in known:
        assert got != expected, (
            f"example {number} now matches the spec: remove it from the known differences")
    else:
        assert got == expected, (
            f"example {number} ({example['section']}):\n{example['markdown']!r}")
    return got, expected


@pytest.mark.parametrize("example", SPEC_EXAMPLES, ids=lambda e: f"example-{e['example']}")
def test_commonmark_example(render: Any, example: dict[str, Any]) -> None:
    _compare(render(example["markdown"]), example, KNOWN_DIFFERENCES)


@pytest.mark.parametrize("example", GFM_EXAMPLES,
                         ids=lambda e: f"gfm-{e['extension']}-{e['example']}")
def test_gfm_extension_example(render: Any, example: dict[str, Any]) -> None:
    got, expected = _compare(render(example["markdown"]), example, KNOWN_GFM_DIFFERENCES)
    if example["example"] in KNOWN_GFM_DIFFERENCES:
        for pattern, replacement in GFM_SPELLINGS:
            got = pattern.sub(replacement, got)
        assert got == expected, "the difference is no longer only the HTML spelling"
