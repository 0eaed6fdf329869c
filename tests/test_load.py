"""The loader: bytes → `Article` or located diagnostics, never an exception, never a crash.

The articles come from the fixture `valid-pair` (two small, valid articles); each test changes
one thing in them and asserts on what the loader returns: the front matter as data, the lines
of sections and fields, and the code, line and column of every diagnostic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import Limits
from pipeline.diagnostics import RULES_BY_CODE, Diagnostic
from pipeline.load import YAML_DEPTH_CEILING, Loaded, load_bytes, load_file
from pipeline.model import Article
from pipeline.schema import check_schema
from tests.conftest import SCHEMA, Runner, write_pyproject

BASE = Path(__file__).parent / "fixtures" / "valid-pair" / "articles"
ASTHMA = (BASE / "asthma.md").read_text(encoding="utf-8")
SALBUTAMOL = (BASE / "salbutamol.md").read_text(encoding="utf-8")
DISPLAY = "articles/asthma.md"


def load(data: str | bytes, limits: Limits | None = None, slug: str = "asthma") -> Loaded:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return load_bytes(raw, DISPLAY, slug, limits or Limits())


def loaded(data: str | bytes, limits: Limits | None = None) -> Article:
    """The article, asserting that it loaded without a single diagnostic."""
    result = load(data, limits)
    assert result.diagnostics == []
    assert result.article is not None
    return result.article


def where(result: Loaded) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.column) for d in result.diagnostics]


def position(text: str, needle: str, offset: int = 0) -> tuple[int, int]:
    """1-based line and column (in characters) of the only occurrence of `needle`."""
    assert text.count(needle) == 1, needle
    index = text.index(needle) + offset
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def replaced(old: str, new: str, text: str = ASTHMA) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def with_front_matter(yaml_lines: str, body: str = "## Overview\n\nText.\n") -> str:
    return f"---\n{yaml_lines}---\n{body}"


# -- the base articles ------------------------------------------------------------------------


def test_a_valid_article_loads_with_its_fields_sections_and_links() -> None:
    article = loaded(ASTHMA)
    assert article.front_matter == {
        "title": "Asthma",
        "type": "condition",
        "summary": "Asthma is a long-term condition in which the airways of the lungs narrow "
                   "and swell.",
        "license": "CC-BY-SA-4.0",
        "disclaimer": "medical",
        "contributors": [{"name": "Amara Okafor", "credentials": "MD"}],
        "categories": ["Respiratory"],
        "last_reviewed": "2026-06-01",
    }
    assert [(s.title, s.line, s.empty) for s in article.sections] == [
        ("Overview", 13, False), ("Symptoms", 17, False), ("Causes", 21, False),
        ("Diagnosis", 25, False), ("Treatment", 29, False), ("See Also", 33, False)]
    assert [(link.target, link.line, link.column, link.section) for link in article.links] == [
        ("salbutamol.md", 31, 27, "Treatment"), ("salbutamol.md", 35, 3, "See Also")]
    assert article.body_line == 13
    assert article.slug == "asthma"
    assert len(article.lines) == 35


def test_the_source_map_knows_where_every_key_and_value_is() -> None:
    article = loaded(ASTHMA)
    source = article.source_map
    assert source.key(("license",)) == _span(5, 1, 5, 7)
    assert source.value(("license",)) == _span(5, 10, 5, 21)
    assert source.value(("contributors", 0, "credentials")) == _span(9, 18, 9, 19)
    assert source.value(("categories", 0)) == _span(10, 14, 10, 24)
    # a block collection ends at the last character of its last line, not on the next line
    assert source.value(("contributors", 0)) == _span(8, 5, 9, 19)
    assert source.value(("contributors",)) == _span(8, 3, 9, 19)
    # a path that does not exist falls back to its nearest ancestor
    assert source.value(("contributors", 0, "role")) == _span(8, 5, 9, 19)
    assert source.front_matter == _span(1, 1, 12, 3)


def test_an_empty_value_has_a_span_that_does_not_end_before_it_starts() -> None:
    result = load(replaced("summary: Asthma is a long-term condition in which the airways of "
                           "the lungs narrow and swell.", "summary:"))
    assert result.article is not None
    span = result.article.source_map.value(("summary",))
    assert result.article.front_matter["summary"] is None
    assert (span.line, span.column) == (4, 9)
    assert (span.end_line, span.end_column) >= (span.line, span.column)


def _span(line: int, column: int, end_line: int, end_column: int) -> Any:
    from pipeline.model import Span

    return Span(line, column, end_line, end_column)


# -- scalars stay the text the author wrote ---------------------------------------------------


def test_scalars_are_never_converted_to_booleans_numbers_or_dates() -> None:
    article = loaded(with_front_matter(
        "title: No\n"
        "norway: NO\n"
        "switch: on\n"
        "answer: yes\n"
        "flag: true\n"
        "number: 1e3\n"
        "octal: 012\n"
        "hex: 0x1F\n"
        "infinite: .inf\n"
        "sexagesimal: 1:30\n"
        "date: 2026-01-01\n"
        "quoted_date: '2026-01-01'\n"
        "timestamp: 2026-01-01T10:00:00Z\n"
        "empty:\n"
        "tilde: ~\n"
        "null_word: null\n"
        "quoted_null: 'null'\n"
        "list: [No, on, 1e3, 2026-01-01, '']\n"))
    assert article.front_matter == {
        "title": "No", "norway": "NO", "switch": "on", "answer": "yes", "flag": "true",
        "number": "1e3", "octal": "012", "hex": "0x1F", "infinite": ".inf",
        "sexagesimal": "1:30", "date": "2026-01-01", "quoted_date": "2026-01-01",
        "timestamp": "2026-01-01T10:00:00Z", "empty": None, "tilde": None, "null_word": None,
        "quoted_null": "null", "list": ["No", "on", "1e3", "2026-01-01", ""],
    }


def test_an_unquoted_review_date_is_validated_as_the_text_written() -> None:
    article = loaded(replaced("last_reviewed: 2026-06-01", "last_reviewed: 2026-02-30"))
    assert article.front_matter["last_reviewed"] == "2026-02-30"
    found = check_schema(article, SCHEMA)
    assert [(d.code, d.line, d.column) for d in found] == [("FMT106", 11, 16)]
    assert found[0].message == "last_reviewed '2026-02-30' is not a real date"


# -- encodings and line endings ---------------------------------------------------------------


def test_a_byte_order_mark_is_ignored_without_a_diagnostic() -> None:
    plain = loaded(ASTHMA)
    marked = loaded(b"\xef\xbb\xbf" + ASTHMA.encode())
    assert marked.front_matter == plain.front_matter
    assert marked.lines == plain.lines
    assert marked.source_map == plain.source_map
    assert [(s.title, s.line) for s in marked.sections] == [(s.title, s.line)
                                                          for s in plain.sections]


@pytest.mark.parametrize("ending", ["\r\n", "\r"], ids=["crlf", "lone-cr"])
def test_other_line_endings_give_the_same_lines_and_columns(ending: str) -> None:
    plain = loaded(ASTHMA)
    other = loaded(ASTHMA.replace("\n", ending))
    assert other.lines == plain.lines
    assert "\r" not in other.body
    assert other.front_matter == plain.front_matter
    assert other.source_map == plain.source_map
    assert [(s.title, s.line, s.end_line) for s in other.sections] == [
        (s.title, s.line, s.end_line) for s in plain.sections]
    assert [(link.line, link.column) for link in other.links] == [(31, 27), (35, 3)]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "lone-cr"])
def test_invalid_utf8_is_reported_at_its_line_and_column_in_characters(ending: str) -> None:
    # two en dashes (3 bytes each in UTF-8) before the bad byte: byte column 65, character 61
    line = "The main symptom \u2013 a cough \u2013 may bring up mucus, as in a caf\x00."
    text = replaced("Typical symptoms are wheeze, cough, chest tightness and shortness of "
                    "breath.", line).replace("\n", ending)
    data = text.encode("utf-8").replace(b"\x00", b"\xe9")
    result = load(data)
    assert result.article is None
    assert where(result) == [("SRC002", 19, line.index("\x00") + 1)]
    assert line.index("\x00") + 1 == 61
    assert result.diagnostics[0].message == "invalid UTF-8 byte 0xe9"


def test_invalid_utf8_in_the_front_matter_and_on_the_first_line() -> None:
    assert where(load(replaced("title: Asthma", "title: Asth\xffma").encode("utf-8")
                      .replace("\xff".encode(), b"\xff"))) == [("SRC002", 2, 12)]
    assert where(load(b"\xff---\n")) == [("SRC002", 1, 1)]
    # a truncated multi-byte sequence at the very end of the file
    assert where(load(ASTHMA.encode() + "é".encode()[:1])) == [("SRC002", 36, 1)]


# -- empty files, fences ----------------------------------------------------------------------


@pytest.mark.parametrize(("data", "message"), [
    (b"", "file is empty"),
    (b"   \n\n\t\n", "file holds nothing but blank space"),
    (b"\r\n\r\n", "file holds nothing but blank space"),
    (b"\xef\xbb\xbf", "file is empty"),
], ids=["empty", "whitespace", "blank-crlf-lines", "only-a-bom"])
def test_an_empty_file(data: bytes, message: str) -> None:
    result = load(data)
    assert result.article is None
    assert where(result) == [("SRC004", 1, 1)]
    assert result.diagnostics[0].message == message


def test_no_front_matter() -> None:
    result = load(ASTHMA[ASTHMA.index("## Overview"):])
    assert result.article is None
    assert where(result) == [("SRC005", 1, 1)]


def test_an_unterminated_front_matter() -> None:
    result = load(replaced("last_reviewed: 2026-06-01\n---\n", "last_reviewed: 2026-06-01\n"))
    assert result.article is None
    assert where(result) == [("SRC006", 1, 1)]
    assert "never closed" in result.diagnostics[0].message


def test_three_dots_also_close_the_front_matter() -> None:
    article = loaded(replaced("last_reviewed: 2026-06-01\n---\n",
                              "last_reviewed: 2026-06-01\n...\n"))
    assert article.front_matter["last_reviewed"] == "2026-06-01"
    assert article.sections[0].line == 13


@pytest.mark.parametrize(("front", "kind"), [
    ("- title: Asthma\n- type: condition\n", "a list"),
    ("Asthma, a condition of the airways\n", "a single value"),
    ("'quoted text'\n", "a single value"),
], ids=["list", "scalar", "quoted-scalar"])
def test_front_matter_that_is_not_a_mapping(front: str, kind: str) -> None:
    result = load(with_front_matter(front))
    assert result.article is None
    assert where(result) == [("SRC011", 2, 1)]
    assert result.diagnostics[0].message == f"front matter is {kind}, not a mapping of fields"


def test_an_empty_front_matter_is_an_empty_mapping() -> None:
    article = loaded(with_front_matter(""))
    assert article.front_matter == {}
    assert article.body_line == 3


# -- YAML: keys, tags, aliases, documents -----------------------------------------------------


def test_a_duplicate_key_is_reported_on_the_second_key_and_the_later_value_wins() -> None:
    text = replaced("type: condition\n", "type: condition\ntitle: Bronchial asthma\n")
    result = load(text)
    assert where(result) == [("SRC008", 4, 1)]
    assert result.diagnostics[0].message == "duplicate key 'title' (first on line 2)"
    assert result.article is not None
    assert result.article.front_matter["title"] == "Bronchial asthma"
    assert list(result.article.front_matter).count("title") == 1


def test_a_duplicate_key_inside_a_list_item() -> None:
    text = replaced("    credentials: MD\n", "    credentials: MD\n    name: A. Okafor\n")
    result = load(text)
    assert where(result) == [("SRC008", 10, 5)]
    assert "(first on line 8)" in result.diagnostics[0].message


def test_a_python_tag_is_reported_as_written_and_never_run(tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned"
    text = replaced("categories: [Respiratory]",
                    f"categories: !!python/object/apply:os.system ['touch {sentinel}']")
    result = load(text)
    assert where(result) == [("SRC009", 10, 13)]
    assert result.diagnostics[0].message == (
        "YAML tag '!!python/object/apply:os.system' is not allowed")
    assert result.article is not None
    assert result.article.front_matter["categories"] == [f"touch {sentinel}"]
    assert not sentinel.exists()


@pytest.mark.parametrize(("value", "shown"), [
    ("!!str Asthma", "!!str"),
    ("!local Asthma", "!local"),
    ("!<tag:example.org,2026:x> Asthma", "tag:example.org,2026:x"),
])
def test_every_explicit_tag_is_reported(value: str, shown: str) -> None:
    result = load(replaced("title: Asthma", f"title: {value}"))
    assert where(result) == [("SRC009", 2, 8)]
    assert repr(shown) in result.diagnostics[0].message
    assert result.article is not None
    assert result.article.front_matter["title"] == "Asthma"


def test_an_anchor_and_an_alias_are_refused_at_the_anchor() -> None:
    text = replaced("title: Asthma", "title: &name Asthma\nalias: *name")
    result = load(text)
    assert result.article is None
    assert where(result) == [("SRC010", 2, 8)]
    assert result.diagnostics[0].message.startswith("YAML anchor &name is not allowed")


def test_an_alias_without_its_anchor_is_refused_too() -> None:
    result = load(with_front_matter("title: *nowhere\n"))
    assert result.article is None
    assert [d.code for d in result.diagnostics] in (["SRC010"], ["SRC007"])
    assert result.diagnostics[0].line == 2


def test_the_billion_laughs_are_refused_before_anything_is_expanded() -> None:
    levels = ['lol1: &lol1 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'] + [
        f"lol{n}: &lol{n} [{','.join([f'*lol{n - 1}'] * 9)}]\n" for n in range(2, 10)]
    result = load(with_front_matter("".join(levels) + "title: Laughs\n"))
    assert result.article is None
    assert where(result) == [("SRC010", 2, 7)]


def test_a_second_yaml_document_in_the_front_matter() -> None:
    text = replaced("last_reviewed: 2026-06-01\n",
                    "last_reviewed: 2026-06-01\n--- # chronic\ntitle: Chronic asthma\n")
    result = load(text)
    assert result.article is None
    assert where(result) == [("SRC007", 12, 1)]
    assert result.diagnostics[0].message == "front matter holds more than one YAML document"


@pytest.mark.parametrize(("front", "line", "column", "never_closed"), [
    ("summary: Asthma: a condition\n", 2, 16, False),
    ("title: Asthma\n  type: condition\n", 3, 7, False),
    ("title:\tAsthma\n\ttype: condition\n", 3, 1, False),
    # what is left open is found only at the end: reported where it was opened
    ("title: [Asthma\n", 2, 8, True),
    ("title: 'Asthma\n", 2, 8, True),
    ('title: "Asthma\nsummary: Asthma is common\n', 2, 8, True),
    ("title: Asthma\ncontributors: {name: A. Okafor\n", 3, 15, True),
], ids=["second-colon", "bad-indent", "tab", "unclosed-bracket", "unclosed-quote",
        "quote-over-lines", "unclosed-brace"])
def test_yaml_syntax_errors_are_located(front: str, line: int, column: int,
                                        never_closed: bool) -> None:
    result = load(with_front_matter(front))
    assert result.article is None
    assert where(result) == [("SRC007", line, column)]
    message = result.diagnostics[0].message
    assert message.startswith("invalid YAML: ")
    assert message.endswith("that starts here is never closed)") is never_closed


def test_a_key_that_is_not_text() -> None:
    result = load(with_front_matter("? [a, b]\n: value\n"))
    assert result.article is None
    assert where(result) == [("SRC007", 2, 3)]
    assert result.diagnostics[0].message == "a mapping key must be plain text"


# -- nesting: bounded, and never a crash ------------------------------------------------------


def test_flow_lists_nested_100_deep() -> None:
    text = replaced("categories: [Respiratory]",
                    "categories: " + "[" * 100 + "Respiratory" + "]" * 100)
    result = load(text)
    assert result.article is None
    # the front matter is level 1, so the 16th bracket (column 13 + 15) is the 17th level
    assert where(result) == [("SRC012", 10, 28)]
    assert result.diagnostics[0].message == "front matter nests deeper than 16 levels"


def test_nesting_exactly_at_the_limit_loads() -> None:
    article = loaded(replaced("categories: [Respiratory]",
                              "categories: " + "[" * 15 + "Respiratory" + "]" * 15))
    value: Any = article.front_matter["categories"]
    for _ in range(14):
        value = value[0]
    assert value == ["Respiratory"]


def test_flow_lists_nested_100000_deep_on_one_line() -> None:
    # the line limit would stop this first; lift it so that the YAML parser sees it all
    text = with_front_matter("title: " + "[" * 100_000 + "]" * 100_000 + "\n")
    result = load(text, Limits(max_file_bytes=10_000_000, max_line_chars=1_000_000))
    assert where(result) == [("SRC012", 2, 8 + 15)]


def test_flow_lists_nested_100000_deep_within_the_default_limits() -> None:
    text = with_front_matter("title:\n" + "  [\n" * 100_000 + "  ]\n" * 100_000)
    assert len(text.encode()) < Limits().max_file_bytes
    result = load(text)
    assert where(result) == [("SRC012", 3 + 15, 3)]


def test_a_huge_configured_depth_is_bounded_by_the_loader(tmp_path: Path) -> None:
    limits = Limits(max_file_bytes=10_000_000, max_line_chars=1_000_000,
                    max_yaml_depth=1_000_000)
    text = with_front_matter("title: " + "[" * 100_000 + "]" * 100_000 + "\n")
    result = load(text, limits)
    assert where(result) == [("SRC012", 2, 8 + YAML_DEPTH_CEILING - 1)]
    # just under the ceiling, the article loads and the schema (recursive) can check it
    deep = replaced("categories: [Respiratory]",
                    "categories: " + "[" * 200 + "Respiratory" + "]" * 200)
    article = loaded(deep, limits)
    assert [d.code for d in check_schema(article, SCHEMA)] == ["FMT104"]


def test_100000_levels_do_not_crash_the_command(tmp_path: Path, run_cli: Runner) -> None:
    """The C YAML composer recurses and segfaults on this; the event-based loader reports it."""
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "asthma.md").write_text(ASTHMA, encoding="utf-8")
    (tmp_path / "articles" / "salbutamol.md").write_text(SALBUTAMOL, encoding="utf-8")
    (tmp_path / "articles" / "deep.md").write_text(
        "---\ntitle: " + "[" * 100_000 + "]" * 100_000 + "\n---\n## Overview\n\nText.\n",
        encoding="utf-8")
    write_pyproject(tmp_path, "[tool.pipeline.limits]\nmax_line_chars = 1000000\n")
    result = run_cli(tmp_path, "check", "--format", "concise", "articles/deep.md")
    assert result.returncode == 1, result.stderr
    assert result.stdout == (
        "articles/deep.md:2:23: SRC012 [error] front matter nests deeper than 16 levels\n")
    assert "Traceback" not in result.stderr


# -- size and line limits ---------------------------------------------------------------------


def test_a_real_10_megabyte_file_is_refused_without_being_parsed(tmp_path: Path) -> None:
    path = tmp_path / "huge.md"
    paragraph = "Asthma is a common condition of the airways. " * 20 + "\n\n"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(ASTHMA)
        while handle.tell() < 10 * 1024 * 1024:
            handle.write(paragraph)
    size = path.stat().st_size
    assert size >= 10 * 1024 * 1024
    result = load_file(path, "articles/huge.md", Limits())
    assert result.article is None
    assert where(result) == [("SRC003", 1, 1)]
    assert result.diagnostics[0].message == f"file is {size:,} bytes; the limit is 1,048,576"
    assert result.diagnostics[0].path == "articles/huge.md"


def test_the_size_limit_is_inclusive() -> None:
    data = ASTHMA.encode()
    assert load(data, Limits(max_file_bytes=len(data))).article is not None
    assert where(load(data, Limits(max_file_bytes=len(data) - 1))) == [("SRC003", 1, 1)]


def test_the_line_limit_is_inclusive_and_reported_past_the_limit() -> None:
    longest = max(len(line) for line in ASTHMA.splitlines())
    assert len(ASTHMA.splitlines()[3]) == longest == 92  # the summary, line 4
    assert load(ASTHMA, Limits(max_line_chars=longest)).article is not None
    result = load(ASTHMA, Limits(max_line_chars=longest - 1))
    assert result.article is None
    assert where(result) == [("SRC016", 4, longest)]
    assert result.diagnostics[0].message == "line is 92 characters long; the limit is 91"


def test_markdown_nested_too_deep() -> None:
    text = replaced("- [Salbutamol](salbutamol.md)", ">" * 120 + " quoted")
    result = load(text)
    assert result.article is None
    assert where(result) == [("SRC015", 35, 1)]


# -- file names and unreadable files ----------------------------------------------------------


def test_a_file_name_that_is_not_a_slug_is_reported_and_the_article_still_checked() -> None:
    result = load_bytes(ASTHMA.encode(), "articles/Bronchial Asthma.md", "Bronchial Asthma",
                        Limits())
    assert where(result) == [("SRC013", 1, 1)]
    assert result.diagnostics[0].hint == "rename it to bronchial-asthma.md"
    assert result.article is not None
    assert result.article.slug == "Bronchial Asthma"


def test_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    (tmp_path / "folder.md").mkdir()
    for name, reason in [("dangling.md", "No such file or directory"),
                         ("folder.md", "Is a directory")]:
        result = load_file(tmp_path / name, f"articles/{name}", Limits())
        assert result.article is None
        assert where(result) == [("SRC001", 1, 1)]
        assert result.diagnostics[0].message == f"cannot read file: {reason}"


def test_load_file_and_load_bytes_agree(tmp_path: Path) -> None:
    path = tmp_path / "asthma.md"
    path.write_bytes(ASTHMA.encode())
    from_file = load_file(path, DISPLAY, Limits())
    from_bytes = load(ASTHMA)
    assert from_file.diagnostics == from_bytes.diagnostics == []
    assert from_file.article is not None and from_bytes.article is not None
    assert from_file.article.front_matter == from_bytes.article.front_matter
    assert from_file.article.lines == from_bytes.article.lines


# -- whatever the bytes, a result and never an exception --------------------------------------


def _well_formed(diagnostics: list[Diagnostic], data: bytes) -> None:
    lines = max(1, data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1)
    for d in diagnostics:
        assert d.code in RULES_BY_CODE
        assert d.path == DISPLAY
        assert 1 <= d.line <= lines, d
        assert d.column >= 1
        assert (d.end_line, d.end_column) >= (d.line, d.column), d
        assert d.message


YAMLISH = st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!?#|>'\" \n\t,.~%@`é0")), max_size=80)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_a_result(data: bytes) -> None:
    result = load(data)
    assert isinstance(result, Loaded)
    assert result.article is not None or result.diagnostics
    _well_formed(result.diagnostics, data)


@settings(max_examples=500, deadline=None)
@given(YAMLISH)
def test_any_front_matter_gives_a_result(front: str) -> None:
    data = with_front_matter(front + "\n").encode()
    result = load(data)
    assert result.article is not None or result.diagnostics
    _well_formed(result.diagnostics, data)
    if result.article is not None:
        assert isinstance(result.article.front_matter, dict)
        check_schema(result.article, SCHEMA)  # and the schema can take whatever loaded


class _PurePythonLoader(yaml.SafeLoader):
    """PyYAML without libyaml, as on a machine where the C extension is missing."""


_PurePythonLoader.yaml_implicit_resolvers = {}


@pytest.mark.parametrize("text", [
    ASTHMA, SALBUTAMOL,
    replaced("title: Asthma", "title: Asth\x01ma"),  # a control character
    replaced("title: Asthma", "title: &a Asthma\nsummary: *a"),  # an anchor
    replaced("title: Asthma", "title: !!str Asthma"),  # a tag
    replaced("title: Asthma", "title: [Asthma"),  # never closed
    replaced("title: Asthma", "title: Asthma\ntitle: Asthma again"),  # a duplicate key
])
def test_without_libyaml_the_same_article_and_diagnostics(
        text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pure-Python parser is refused nothing libyaml is refused, and the front matter,
    its source map and the diagnostics are the same (messages aside: the two parsers word
    some errors differently)."""
    import pipeline.load

    with_c = load(text)
    monkeypatch.setattr(pipeline.load, "_Loader", _PurePythonLoader)
    pure = load(text)
    assert where(pure) == where(with_c)
    assert (pure.article is None) == (with_c.article is None)
    if pure.article is not None and with_c.article is not None:
        assert pure.article.front_matter == with_c.article.front_matter
        assert pure.article.source_map == with_c.article.source_map
