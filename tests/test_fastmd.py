"""The Rust parser's route (`pipeline.fastmd`) gives exactly markdown-it-py's tokens, or
declines; markdown-it-py stays the reference.

Compared field by field on every bundled article, every Markdown file of the tests, a sample
of the benchmark corpus and thousands of generated documents; then, end to end, the checks'
diagnostics and the rendered pages must not depend on the route.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from pipeline import fastmd
from pipeline.benchcorpus import generate
from pipeline.load import markdown_parser
from tests.conftest import ARTICLES

TESTS = Path(__file__).parent
FIELDS = ("type", "tag", "nesting", "attrs", "map", "level", "content", "markup", "info",
          "meta", "block", "hidden")


def difference(reference: list[Any], fast: list[Any], where: str = "") -> str:
    """The first difference between two token streams, '' when they are equal."""
    if len(reference) != len(fast):
        return (f"{where}: {len(reference)} tokens against {len(fast)}: "
                f"{[t.type for t in reference]} / {[t.type for t in fast]}")
    for index, (one, other) in enumerate(zip(reference, fast, strict=True)):
        for name in FIELDS:
            if getattr(one, name) != getattr(other, name):
                return (f"{where}[{index}] {one.type}.{name}: {getattr(one, name)!r} against "
                        f"{getattr(other, name)!r}")
        if (one.children is None) != (other.children is None):
            return f"{where}[{index}] {one.type}.children: {one.children!r} / {other.children!r}"
        found = difference(one.children or [], other.children or [], f"{where}[{index}]")
        if found:
            return found
    return ""


def body_of(text: str) -> str:
    if text.startswith("---\n") and "\n---\n" in text[4:]:
        return text[4:].split("\n---\n", 1)[1]
    return text


def compare(body: str) -> tuple[bool, str]:
    """(whether the fast route took it, the first difference from the reference)."""
    fast = fastmd.parse(body, 32)
    if fast is None:
        return False, ""
    return True, difference(markdown_parser(32).parse(body), fast)


def readable(path: Path) -> bool:
    """Files the loader would hand to a parser at all (not a dangling link, not bad UTF-8)."""
    try:
        path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return True


KNOWN = [p for p in sorted(ARTICLES.glob("*.md")) + sorted(TESTS.glob("**/*.md"))
         if readable(p)]


@pytest.mark.parametrize("path", KNOWN, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_every_known_markdown_file_gets_the_reference_tokens(path: Path) -> None:
    taken, found = compare(body_of(path.read_text(encoding="utf-8")))
    assert not found, found
    if path.parent == ARTICLES:
        assert taken, "a bundled article should take the fast route"


def test_the_benchmark_corpus_takes_the_fast_route_with_the_same_tokens(tmp_path: Path) -> None:
    paths = generate(tmp_path / "articles", 150, seed=7)
    results = [compare(body_of(p.read_text(encoding="utf-8"))) for p in paths]
    assert [found for _, found in results if found] == []
    assert all(taken for taken, _ in results)


ATOMS = ("word", "**strong**", "__strong__", "*em*", "_em_", "~~del~~", "[link](a.md)",
         '[link](https://x.org "T")', "![alt](images/a.svg)", "![a *b*](i.png)", "\\*", "&amp;",
         "&copy;", "&#35;", "é", "—", "***x***", "**a *b* c**", "*", "**", "_", "a_b", "x**y**z",
         "[", "]", "(", ")", "!", "~", "~~", "|", "#", "  ", " ", "[a](b.md#c)", "[*a*](b.md)",
         "1.", "-", "+", "https://auto.org", "\\", "\\\n", "  \n", "\n", "ünï", "日本", "`x`",
         "<b>", "\t", "\u00a0")
BLOCKS = ("para", "## Heading", "### Sub ###", "# H1", "- item", "* item", "+ item", "1. one",
          "2) two", "10. ten", "  - nested", "    - deeper", "---", "***", "- - -", "___",
          "    indented", "| a | b |\n|---|:-:|\n| 1 | 2 |", "| a |\n|--|\n", "Setext\n===",
          "Setext\n---", "", "", "  para indented", "-", "1.", "- ", "-  two spaces",
          "-     five spaces", "  continuation", "> quote", "[ref]: https://x.org",
          "```\ncode\n```", "- a\n\n  b", "1. a\n   - b\n     c", "- a\n- b\n\n- c", "  1. x",
          "10) y\n    z", "- a\n  1. b\n     2. c\n  - d", "* x\n\n\n* y", "-\n  text",
          "1.  a\n\n    code?", "- # heading in item", "- ---", "- | a |\n  |---|")
WITH_TEXT = ("para", "## Heading", "- item", "1. one", "  - nested", "* item", "  continuation",
             "  para indented")


def generated(rng: random.Random) -> str:
    blocks = []
    for _ in range(rng.randint(1, 12)):
        block = rng.choice(BLOCKS)
        if block in WITH_TEXT:
            text = "".join(rng.choice(ATOMS) + rng.choice(("", " ", " "))
                           for _ in range(rng.randint(1, 8)))
            block = text if block == "para" else f"{block} {text}"
        blocks.append(block)
    return rng.choice(("\n", "\n\n")).join(blocks) + rng.choice(("", "\n", "\n\n"))


def generated_agree(make: Callable[[random.Random], str], seed: int, count: int) -> int:
    """Compare both routes on `count` documents from `make`; how many took the fast route."""
    rng = random.Random(seed)
    taken = 0
    for _ in range(count):
        document = make(rng)
        fast, found = compare(document)
        assert not found, f"{document!r}: {found}"
        taken += fast
    return taken


def pieces(choices: Sequence[str], least: int, most: int) -> Callable[[random.Random], str]:
    """Documents of `least` to `most` pieces drawn from `choices`."""
    return lambda rng: "".join(rng.choice(choices) for _ in range(rng.randint(least, most)))


def test_generated_documents_get_the_reference_tokens_or_are_declined() -> None:
    # the comparison is not vacuous: many documents took the fast route
    assert generated_agree(generated, 20261125, 4000) > 800


def test_small_documents_of_delimiters_get_the_reference_tokens_or_are_declined() -> None:
    """Emphasis, strikethrough, links and escapes packed densely: where the two parsers'
    delimiter algorithms could part ways (this is how mixed `*` and `_` was found)."""
    assert generated_agree(pieces("_*~[]()!a \n:\\&;", 3, 16), 7, 20000) > 5000


@pytest.mark.parametrize("body", [
    "_)\nt*v_*:*/", "- a\n  ---", "+ = \n  ---\n", "- **\n)\n    |-", "- # heading in item\n",
    "| a | b |\n|---|:-:|\n| 1 | 2 |\n2) two", "'a*a\n a_*_*_'", "# *em***strong** + *",
    "* **a *b* c**** a_b ) \nSetext\n---\n", "~~del~~~~~~ b\n", "- item ünï \n    - ",
    "![\\!](\"t\")", "![&#x41; \"]()", "![](http://xü.md)", "[a](x.md&nbsp;)",
    "|\\||\n|-|", "😀**\u200b*", "*😀**=",
])
def test_every_difference_found_so_far_stays_fixed(body: str) -> None:
    """Each body once gave different tokens on the two routes (found by fuzzing and by
    real-world documents); now it gives the same, or is declined."""
    assert compare(body)[1] == ""


LINK_PIECES = ("[", "]", "(", ")", "![", "a", "b c", "x.md", "#frag", "https://e.org/a?b=1&c=2",
               '"t"', "'t'", "(t)", "\\(", "\\)", "\\[", "&amp;", "&#x41;", "&nbsp;", "%20", "é",
               "ü.md", " ", "\n", "*", "**", "~~", "!", "\\\\", "\\!", "[a]", "(b)", "][", "](",
               "[]", "()", "  \n", "http://x", "mailto:a@b", "ftp://x", ' "', 'a"b')


def test_small_documents_of_links_get_the_reference_tokens_or_are_declined() -> None:
    """Links and images with titles, escapes, entities and odd destinations: where the two
    parsers' link rules and URL normalisation could part ways (how image labels' escapes,
    punycode and entities in destinations were found)."""
    assert generated_agree(pieces(LINK_PIECES, 1, 14), 20, 20000) > 10000


CELLS = ("a", "b c", " ", "", "*x*", "**y**", "\\|", "&amp;", "[l](u)", "é", "  z  ", "1.", "- ",
         "#")
DELIMITER_CELLS = ("---", ":--", "--:", ":-:", "-", "  ---  ", ":---:")


def test_small_tables_get_the_reference_tokens_or_are_declined() -> None:
    """Tables with uneven rows, alignments, markup and escaped pipes in cells, between other
    blocks (how escaped pipes were found: markdown-it-py unescapes them in the cell text)."""
    def table(rng: random.Random) -> str:
        def row(cells: int) -> str:
            return (("|" if rng.random() < 0.9 else "")
                    + "|".join(rng.choice(CELLS) for _ in range(cells))
                    + ("|" if rng.random() < 0.8 else ""))
        columns = rng.randint(1, 4)
        delimiters = columns if rng.random() < 0.9 else rng.randint(1, 4)
        lines = [row(columns), "|" + "|".join(rng.choice(DELIMITER_CELLS)
                                              for _ in range(delimiters)) + "|"]
        lines += [row(rng.randint(1, 5)) for _ in range(rng.randint(0, 4))]
        return (rng.choice(("", "para\n\n", "## H\n\n", "- item\n\n")) + "\n".join(lines)
                + rng.choice(("", "\n", "\n\npara", "\n\n- x")))

    assert generated_agree(table, 30, 8000) > 3000


TEXT_PIECES = ("*", "**", "_", "__", "~~", "#", "## ", "a", " ", "\n", "  \n", "\\\n", "\\#",
               "&#35;", "&copy;", "&;", "é", "\u0301", "\u200b", "\u00ad", "中文", "\u05d0",
               "\u2014", "\u201c", "ß", "\u0130", "\U0001F600", ".", "!", "=", "-")


def test_small_documents_of_unicode_text_get_the_reference_tokens_or_are_declined() -> None:
    """Emphasis beside accents, combining and invisible characters, other scripts and emoji
    (how emoji were found: the parsers classify delimiter runs beside them differently)."""
    assert generated_agree(pieces(TEXT_PIECES, 1, 12), 52, 20000) > 8000


LINE_PIECES = ("- ", "* ", "+ ", "1. ", "2) ", "10. ", "0. ", "123456789. ", " ", "  ", "   ",
               "    ", "     ", "a", "b c", "#", "## ", "###### ", "####### ", "---", "***",
               "___", "- - -", "|", "|-|", "| a |", "|:-:|", "=", "==", "\\", "*", "**", "_",
               "[a](b)", "![i](j)", "!", "1", "&amp;", "é", "  \n", "\n")


def test_small_documents_of_block_markers_get_the_reference_tokens_or_are_declined() -> None:
    """Lines made of list markers, indents, headings, rules and table pipes: where the two
    parsers' block rules could part ways (how headings inside items and pipes right after a
    line of text were found)."""
    def lines(rng: random.Random) -> str:
        return "\n".join(pieces(LINE_PIECES, 0, 5)(rng) for _ in range(rng.randint(1, 9))) \
            + rng.choice(("", "\n", "\n\n"))

    assert generated_agree(lines, 12, 20000) > 4000


PROSE = ("the", "dose", "is", "1.", "mg", "-", "or", "+", "more", "*", "than", "#", "2)", "of", "=",
         "===", "---", "***", "*x*", "**bold**", "[link](a.md)", "![img](i.svg)", "10.", "a)", "1)",
         "\u2014", "\u201cquoted\u201d", "it\u2019s", "5%", "e.g.", "(see)", "[1]", "|", "~",
         "~~s~~", "\\*", "&amp;", "é")


def test_wrapped_prose_gets_the_reference_tokens_or_is_declined() -> None:
    """Paragraphs wrapped at random, so that a line may start with a list marker, a heading
    mark, a rule or a pipe, as an editor's wrapping can make it."""
    def document(rng: random.Random) -> str:
        paragraphs = []
        for _ in range(rng.randint(1, 4)):
            text = "".join((rng.choice(("\n", "\n", "  \n", " ", "\n   "))
                            if rng.random() < 0.25 else " ") + rng.choice(PROSE)
                           for _ in range(rng.randint(3, 25)))
            paragraphs.append(rng.choice(("", "", "- ", "1. ", "## ", "  - ", "    ", "* "))
                              + text.strip())
        return rng.choice(("\n\n", "\n")).join(paragraphs) + "\n"

    assert generated_agree(document, 63, 6000) > 1500


@pytest.mark.parametrize("body", [
    "<b>raw HTML</b>\n", "> a quote\n", "a\n\n[ref]: https://example.org\n", "- a\tb\n",
    "`code`\n", "```\nfenced\n```\n", "~~~\nfenced\n~~~\n", "a | b\n--|--\n",
    "- " * 20 + "deep\n", "a\u00a0b\n", "text\n  ",
    # nesting that could exhaust the Rust parser's stack (it recurses; an overflow kills the
    # process): too many delimiters in one paragraph, too many markers before one line
    "*a " * 1100 + "b" + " a*" * 1100 + "\n", "[" * 2100 + "\n", "- " * 60 + "deep\n",
    # `*` and `_` in one paragraph: the parsers can pair them differently
    "_* a*_*a _*\n", "Both _this_ and *that*.\n",
])
def test_constructs_the_conversion_does_not_cover_go_to_the_reference(body: str) -> None:
    assert fastmd.parse(body, 32) is None


def test_a_panic_of_the_rust_parser_is_silent_and_declined(capfd: pytest.CaptureFixture[str]
                                                          ) -> None:
    # `[` then a backtick: markdown-it-pyrs 0.4 panics (index out of bounds); the route
    # declines such bodies before parsing, and a panic all the same prints nothing.
    assert fastmd._tree("[`") is None
    assert fastmd._tree("A paragraph.\n") is not None
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_checks_and_pages_do_not_depend_on_the_route(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    from pipeline.check import check_paths
    from pipeline.config import load_config
    from pipeline.load import load_file
    from pipeline.render.markdown import LinkStyle, render_html

    def outcome() -> tuple[list[Any], list[str]]:
        config = load_config(ARTICLES.parent)
        paths = sorted(ARTICLES.glob("*.md")) + sorted(TESTS.glob("fixtures/*/articles/*.md"))
        diagnostics = [d for p in paths for d in check_paths(config, [p], jobs=1).diagnostics]
        style = LinkStyle(article=lambda slug, fragment: f"{slug}.html#{fragment}",
                          image=lambda name: f"images/{name}", credit=lambda name: name)
        pages = []
        for path in sorted(ARTICLES.glob("*.md")):
            article = load_file(path, path.name, config.limits).article
            assert article is not None
            pages.append(render_html(article.tokens, style)[0])
        return diagnostics, pages

    fast = outcome()
    monkeypatch.setattr(fastmd, "parse", lambda body, nesting: None)
    reference = outcome()
    assert fast == reference
    assert len(fast[0]) > 100 and all("<h2" in page for page in fast[1])


def _no_job(job: None) -> None:
    """A worker's start-up with nothing to receive."""


def _route_in_worker(body: str) -> tuple[int, bool]:
    import threading

    return threading.active_count(), fastmd.parse(body, 32) is not None


def test_worker_processes_take_the_rust_route() -> None:
    """The route is refused in processes with threads (see `fastmd._tree`); the check and
    publish workers have none, so the speed the benchmark measures is the one users get."""
    from pipeline.workers import pool

    body = (ARTICLES / "asthma.md").read_text(encoding="utf-8")
    with pool(2, _no_job, None) as executor:
        results = list(executor.map(_route_in_worker, [body_of(body)] * 4))
    assert results == [(1, True)] * 4
