"""The print edition's Typst source: article text stays text, and each tag of the sanitised
section HTML becomes its Typst counterpart, which Typst compiles and a reader reads back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.publish.verify import pdf_text
from pipeline.render import typst as ts

pytest.importorskip("typst")

NO_IMAGES = lambda url: None  # noqa: E731


# What the writer's output calls (no Jinja data in it: its comment is all Jinja removes).
HELPERS = re.sub(r"\{#.*?#\}", "", (Path(__file__).parents[1] / "templates" / "print-writer.typ")
                 .read_text(encoding="utf-8"), flags=re.S)


def printed(body: str) -> str:
    """The text of a PDF whose only content is `body` (Typst markup)."""
    from pipeline.render.pdf import compile_pdf

    source = (f'#set document(title: "T")\n#set text(lang: "en")\n{HELPERS}= T\n== S\n'
              f'{body}\n')
    text = " ".join(pdf_text(compile_pdf(source, Path("."))).split())
    assert text.startswith("T S")  # PDF/UA-1: the first heading is of level 1
    return text.removeprefix("T S").strip()


@pytest.mark.parametrize("value", [
    "#import \"@preview/cetz:0.3.0\": *", "*not bold* _not emph_ `not raw`", "$x^2$ // no",
    "= not a heading", "- not a list", "+ not an enum", "/ not: a term", "1. not numbered",
    "<label> @reference \\ backslash ~ tilde", "-- --- ... 'single' \"double\"",
    "[brackets] {braces} (parens) #{1 + 1}", "Ünïcödé — “quotes” ≥ 5 µg ± 2 °C",
])
def test_text_prints_as_written(value: str) -> None:
    assert printed(ts.text(value)) == value
    assert printed(f"#text({ts.string(value)})") == value


def test_white_space_folds_as_html_does_but_no_break_spaces_stay() -> None:
    assert ts.text("a \n\n\t b") == "a b"
    assert ts.text("5\u00a0mg") == "5\u00a0mg"


def write(html: str, labels: frozenset[str] = frozenset(), prefix: str = "") -> str:
    return ts.Writer(NO_IMAGES, labels, prefix)(html)


def test_blocks_and_inline_elements() -> None:
    html = ("<h3>Sub <em>heading</em></h3><p>A <strong>b</strong> <i>c</i> <del>d</del> "
            "x<sup>2</sup> H<sub>2</sub>O <code>#x = 1</code><br>next line</p>"
            "<ul><li>one</li><li>two <b>2</b></li></ul>"
            "<ol start=\"3\"><li>three</li><li>four</li></ol>"
            "<blockquote><p>Quoted #text.</p></blockquote>"
            "<pre><code>if a < b: *x* = $y</code></pre><hr>")
    source = write(html)
    assert "#heading(level: 3)[Sub #emph[heading]]" in source
    assert "#enum(start: 3, [three], [four])" in source
    text = printed(source)
    for expected in ("Sub heading", "A b c d x2 H2O #x = 1 next line", "• one • two 2",
                     "3. three 4. four", "Quoted #text.", "if a < b: *x* = $y"):
        assert expected in text, (expected, text)


def test_a_table_with_header_row_and_alignment() -> None:
    html = ("<table><caption>Doses</caption><thead><tr><th>Age</th><th>Dose</th></tr></thead>"
            "<tbody><tr><td>Adult</td><td style=\"text-align: right\">10 mg</td></tr>"
            "<tr><td>Child</td></tr></tbody></table>")
    source = write(html)
    assert "table.header(" in source and "columns: 2" in source
    assert "table.cell(align: right)[10 mg]" in source
    assert printed(source) == "Doses Age Dose Adult 10 mg Child"


def test_links_out_internal_links_and_labels() -> None:
    html = ('<p>See <a href="https://example.org/a?b=1">the guide</a>, '
            '<a href="#ref-1">[1]</a>, <a href="#gone">[2]</a> and '
            '<a href="javascript:alert(1)">this</a>.</p>'
            '<ol class="references"><li id="ref-1">A reference.</li></ol>')
    labels = ts.link_targets([html], "a-")
    assert labels == {"a-ref-1"}  # "gone" is a target no element has
    source = write(html, labels, "a-")
    assert '#link("https://example.org/a?b=1")[the guide]' in source
    assert "#link(<a-ref-1>)[\\[1\\]]" in source
    assert "<a-ref-1>" in source and "<gone>" not in source and "javascript" not in source
    assert printed(source) == "See the guide, [1], [2] and this. 1. A reference."


def test_notes_are_lettered_and_back_links_left_out() -> None:
    html = ('<ol class="notes"><li id="note-a">First <span class="backlinks">↩ '
            '<a href="#cite-1">a</a></span></li><li>Second</li></ol>')
    assert printed(write(html)) == "a. First b. Second"


def test_headings_skip_no_level() -> None:
    """PDF/UA-1 forbids skipping a level; Markdown allows `####` under a section's `##`."""
    source = write("<h4>Four</h4><p>x</p><h6>Six</h6><h3>Three</h3><h4> </h4><h6>Six</h6>")
    levels = [int(level) for level in re.findall(r"#heading\(level: (\d)\)", source)]
    assert levels == [3, 4, 3, 4]  # the empty heading is left out, and counts for nothing
    assert printed(source) == "Four x Six Three Six"


def test_an_image_without_alt_text_takes_its_credit_s_and_an_empty_heading_goes() -> None:
    """PDF/UA-1 refuses an image without alt text and an empty heading; Markdown allows both
    (`![](images/x.svg)`, `###`), and the image credits always have alt text (the schema)."""
    image = ts.Writer(lambda url: "/" + url.rsplit("/", 1)[-1], alts={"x.svg": "A diagram"})
    source = image('<p><img src="https://e.org/images/x.svg" alt=""></p><h3> </h3>')
    assert source == '#print-image("/x.svg", "A diagram")'
    assert 'print-image("/y.svg", "y")' in image('<img src="https://e.org/images/y.svg">')


def test_an_id_that_cannot_be_a_label_gets_none() -> None:
    html = '<p><a href="#bad id">x</a></p><h4 id="bad id">Title</h4>'
    assert ts.link_targets([html]) == frozenset()
    assert printed(write(html)) == "x Title"
