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
from pathlib import Path
from typing import Any

import pytest

from benchmarks.parsers import normalize_html  # one normaliser for the suite and the benchmark
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
