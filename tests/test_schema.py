"""The schema is the source of truth: its rules, codes and messages reach users without code.

Part one changes a copy of schemas/article.schema.json (a section made required, a new
section, other messages, another code) and checks what `pipeline check` then reports. Part two
pins where schema errors land: every diagnostic on the line and column of what it is about.
"""

from __future__ import annotations

import json
import shutil
import string
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.check import check_paths
from pipeline.config import ConfigError, Limits, load_config
from pipeline.diagnostics import RULES_BY_CODE, Diagnostic
from pipeline.load import load_bytes
from pipeline.model import Article
from pipeline.schema import check_schema, document_instance, load_schema, outlines
from tests.conftest import SCHEMA, TEMPLATES, Runner

BASE = Path(__file__).parent / "fixtures" / "valid-pair" / "articles"
_PAIR = (BASE / "asthma.md").read_text(encoding="utf-8")
_CAUSES = _PAIR[_PAIR.index("## Causes\n"):_PAIR.index("## Symptoms\n")]
_SYMPTOMS = _PAIR[_PAIR.index("## Symptoms\n"):_PAIR.index("## Diagnosis\n")]
# the base article with its sections in the outline's order (Symptoms before Causes)
ASTHMA = _PAIR.replace(_CAUSES + _SYMPTOMS, _SYMPTOMS + _CAUSES)
SALBUTAMOL = (BASE / "salbutamol.md").read_text(encoding="utf-8")
Schema = dict[str, Any]


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in the schema, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def real_schema() -> Schema:
    schema: Schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return schema


def outline_entry(schema: Schema, kind: str, title: str) -> dict[str, Any]:
    entries: list[dict[str, Any]] = schema["$defs"]["outline"][kind]["sectionOutline"]
    return next(entry for entry in entries if entry["title"] == title)


def project(root: Path, change: Callable[[Schema], None] | None = None,
            articles: dict[str, str] | None = None) -> Path:
    """A project with the two base articles and its own copy of the schema, changed."""
    schema = real_schema()
    if change is not None:
        change(schema)
    copy = root / "schemas" / "article.schema.json"
    copy.parent.mkdir(parents=True)
    copy.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    (root / "articles").mkdir()
    for name, text in (articles or {"asthma.md": ASTHMA, "salbutamol.md": SALBUTAMOL}).items():
        (root / "articles" / name).write_text(text, encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[tool.pipeline]\narticles = "articles"\nschema = "schemas/article.schema.json"\n'
        f'templates = "{TEMPLATES.as_posix()}"\n'
        'ignore = ["REF106"]\n',  # these articles are about outlines, not their sources
        encoding="utf-8")
    return root


def checked(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[Diagnostic]:
    monkeypatch.chdir(root)
    return check_paths(load_config(root)).diagnostics


def located(diagnostics: list[Diagnostic]) -> list[tuple[str, str, int, int]]:
    return [(d.path, d.code, d.line, d.column) for d in diagnostics]


# -- the schema itself ------------------------------------------------------------------------


def test_every_x_code_in_the_schema_is_in_the_catalogue() -> None:
    codes = {node["x-code"] for node in walk(real_schema()) if "x-code" in node}
    assert codes >= {"LIC101", "FMT106", "FMT107", "FMT108", "FMT109", "MED103"}
    assert codes <= set(RULES_BY_CODE), codes - set(RULES_BY_CODE)


def test_the_codes_schema_py_gives_without_an_x_code_are_in_the_catalogue() -> None:
    # the outline keyword and the defaults for missing, unknown, wrong-type, invalid, empty
    for code in ("MED101", "MED102", "MED104", "MED105", "MED106",
                 "FMT101", "FMT102", "FMT103", "FMT104", "FMT105"):
        assert code in RULES_BY_CODE


def test_message_templates_use_only_the_values_they_are_given() -> None:
    schema = real_schema()
    formatter = string.Formatter()
    for node in walk(schema):
        for template in node.get("x-messages", {}).values():
            fields = {name for _, name, _, _ in formatter.parse(template) if name}
            assert fields <= {"value", "key", "allowed"}, template
    outline_fields = {"type", "title", "order", "allowed", "previous", "first", "canonical",
                      "next", "suggestion"}
    for template in schema["x-outline-messages"].values():
        fields = {name for _, name, _, _ in formatter.parse(template) if name}
        assert fields <= outline_fields, template


def test_the_schema_loads_and_defines_the_outline_of_each_type() -> None:
    required = {kind: [e["title"] for e in entries if e.get("required")]
                for kind, entries in outlines(load_schema(SCHEMA)).items()}
    assert required == {
        "condition": ["Overview", "Symptoms", "Causes", "Diagnosis", "Treatment", "See Also"],
        "drug": ["Overview", "Medical uses", "Contraindications", "Side effects", "Interactions",
                 "Pharmacology", "See Also"],
        "topic": ["Overview", "Health effects", "Recommendations", "See Also"],
        "procedure": ["Overview", "Medical uses", "Risks", "Technique", "See Also"],
        "stub": ["Overview"],
    }


@pytest.mark.parametrize(("content", "message"), [
    (None, "cannot read schema"),
    ("{", "cannot read schema"),
    ('{"type": 5}', "is not a valid JSON Schema"),
    ("true", "must be a JSON object"),
], ids=["missing", "not-json", "not-a-schema", "not-an-object"])
def test_an_unusable_schema_is_a_configuration_error(tmp_path: Path, content: str | None,
                                                     message: str) -> None:
    path = tmp_path / "schema.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_schema(path)


# -- changing the schema changes the check, without code --------------------------------------


def test_making_an_optional_section_required_needs_no_code(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    def require_prevention(schema: Schema) -> None:
        outline_entry(schema, "condition", "Prevention")["required"] = True

    assert checked(project(tmp_path / "before"), monkeypatch) == []
    found = checked(project(tmp_path / "after", require_prevention), monkeypatch)
    # Prevention comes before Treatment, the next section the article has
    assert located(found) == [("articles/asthma.md", "MED101", 29, 1)]
    assert found[0].message == (
        "the condition has no 'Prevention' section, which the schema requires")
    assert found[0].hint == "add `## Prevention` before `## Treatment`"
    assert real_schema() == json.loads(SCHEMA.read_text(encoding="utf-8"))  # only the copy changed


def test_a_new_required_section_needs_no_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              run_cli: Runner) -> None:
    def add_living_with(schema: Schema) -> None:
        entries = schema["$defs"]["outline"]["condition"]["sectionOutline"]
        see_also = [entry["title"] for entry in entries].index("See Also")
        entries.insert(see_also, {  # before See Also and the trailing sections
            "title": "Living with the condition", "required": True, "synonyms": ["Self-care"],
            "guidance": "Day-to-day life with the condition."})

    root = project(tmp_path / "new", add_living_with)
    found = checked(root, monkeypatch)
    assert located(found) == [("articles/asthma.md", "MED101", 33, 1)]
    assert found[0].message == (
        "the condition has no 'Living with the condition' section, which the schema requires")
    # the real command, on the same project
    result = run_cli(root, "check", "--format", "concise")
    assert result.returncode == 1
    assert result.stdout == (
        "articles/asthma.md:33:1: MED101 [error] the condition has no 'Living with the "
        "condition' section, which the schema requires\n")
    # with the section (here under its synonym), the article passes but for the synonym
    (root / "articles" / "asthma.md").write_text(ASTHMA.replace(
        "## See Also", "## Self-care\n\nAn action plan helps.\n\n## See Also"), encoding="utf-8")
    assert [(d.code, d.line) for d in checked(root, monkeypatch)] == [("MED106", 33)]


def test_a_new_last_section_is_missing_at_the_end_of_the_article(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def add_last(schema: Schema) -> None:
        schema["$defs"]["outline"]["drug"]["sectionOutline"].append(
            {"title": "Patient leaflets", "required": True, "synonyms": [], "guidance": "..."})

    found = checked(project(tmp_path, add_last), monkeypatch)
    last = SALBUTAMOL.splitlines()[-1]
    assert last == "- [Asthma](asthma.md)"
    # no line follows the last one: just past its end
    assert located(found) == [("articles/salbutamol.md", "MED101", 39, len(last) + 1)]
    assert found[0].hint == "add `## Patient leaflets` at the end of the article"


def test_messages_and_codes_come_from_the_schema(tmp_path: Path, run_cli: Runner) -> None:
    def reword(schema: Schema) -> None:
        schema["x-outline-messages"]["missing"] = "{title} is missing from this {type} (custom)"
        licence = schema["$defs"]["front_matter"]["properties"]["license"]
        licence["x-messages"]["enum"] = "licence {value} cannot be published (custom)"
        licence["x-hint"] = "ask the editors (custom)"
        summary = schema["$defs"]["front_matter"]["properties"]["summary"]
        summary["x-code"] = "FMT105"
        summary["x-messages"]["minLength"] = "write a longer summary (custom)"

    text = (ASTHMA.replace("license: CC-BY-SA-4.0", "license: CC-BY-NC-4.0")
            .replace("summary: Asthma is a long-term condition in which the airways of the "
                     "lungs narrow and swell.", "summary: Airway disease.")
            .replace("## Diagnosis\n\nA doctor listens to the chest and measures how well the "
                     "lungs work.\n\n", ""))
    root = project(tmp_path, reword, {"asthma.md": text, "salbutamol.md": SALBUTAMOL})
    result = run_cli(root, "check")
    assert result.returncode == 1
    assert result.stdout.splitlines()[:6] == [
        "articles/asthma.md:4:10: FMT105 [error] write a longer summary (custom)",
        "    hint: write one plain sentence of 20 to 300 characters",
        "articles/asthma.md:5:10: LIC101 [error] licence CC-BY-NC-4.0 cannot be published "
        "(custom)",
        "    hint: ask the editors (custom)",
        "articles/asthma.md:25:1: MED101 [error] Diagnosis is missing from this condition "
        "(custom)",
        "    hint: add `## Diagnosis` before `## Treatment`",
    ]


# -- where schema errors land -----------------------------------------------------------------


def article(text: str, slug: str = "asthma") -> Article:
    result = load_bytes(text.encode("utf-8"), f"articles/{slug}.md", slug, Limits())
    assert result.article is not None, result.diagnostics
    return result.article


def schema_errors(text: str) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.column) for d in check_schema(article(text), SCHEMA)]


def replaced(old: str, new: str, text: str = ASTHMA) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_the_base_articles_have_no_schema_error() -> None:
    assert schema_errors(ASTHMA) == []
    assert check_schema(article(SALBUTAMOL, "salbutamol"), SCHEMA) == []


@pytest.mark.parametrize(("title", "heading", "line"), [
    ("Overview", "Symptoms", 13), ("Symptoms", "Causes", 17), ("Causes", "Diagnosis", 21),
    ("Diagnosis", "Treatment", 25), ("Treatment", "See Also", 29)])
def test_a_missing_section_is_reported_at_the_heading_that_follows(title: str, heading: str,
                                                                   line: int) -> None:
    start = ASTHMA.index(f"## {title}\n")
    end = ASTHMA.index("\n## ", start) + 1
    text = ASTHMA[:start] + ASTHMA[end:]
    assert text.splitlines()[line - 1] == f"## {heading}"
    found = check_schema(article(text), SCHEMA)
    assert [(d.code, d.line, d.column, d.end_line, d.end_column) for d in found] == [
        ("MED101", line, 1, line, len(heading) + 3)]
    assert found[0].hint == f"add `## {title}` before `## {heading}`"


def test_every_missing_section_of_an_article_with_no_sections() -> None:
    text = ASTHMA[:ASTHMA.index("## Overview")]
    assert text.endswith("---\n")
    # no body at all: each missing section just past the closing `---`
    assert schema_errors(text) == [("MED101", 12, 4)] * 6
    # a body of one paragraph and no section: at the line after it
    assert schema_errors(text + "Asthma.\n\n") == [("MED101", 14, 1)] * 6


def test_sections_out_of_order_duplicated_unknown_synonym_and_empty() -> None:
    text = (ASTHMA.replace("## Symptoms", "## Clinical features")
            .replace("## Diagnosis", "## Causes\n\nMore causes.\n\n## Diagnosis")
            .replace("## See Also", "## Living with asthma\n\nText.\n\n## Risk factors\n\n"
                                    "## See Also"))
    found = sorted(check_schema(article(text), SCHEMA))
    assert [(d.code, d.severity, d.line) for d in found] == [
        ("MED106", "warning", 17),   # Clinical features is Symptoms
        ("MED104", "error", 25),     # Causes again
        ("MED105", "warning", 37),   # Living with asthma
        ("MED102", "warning", 41),   # Risk factors after Treatment ...
        ("MED103", "error", 41),     # ... and empty
    ]
    messages = [d.message for d in found]
    assert messages[1] == "section 'Causes' appears twice (first on line 21)"
    assert messages[3] == "section 'Risk factors' must come before 'Treatment'"


@pytest.mark.parametrize(("old", "new", "expected", "message"), [
    ("title: Asthma\n", "", [("FMT101", 1, 1)], "the article has no title"),
    ("type: condition", "type: disease", [("FMT102", 3, 7)],
     "type 'disease' is not one of condition, drug, topic, procedure, stub"),
    ("type: condition", "type: [condition]", [("FMT104", 3, 7)], "type must be text"),
    ("title: Asthma", "title:", [("FMT105", 2, 7)], "title is empty"),
    ("title: Asthma", "title: ~", [("FMT105", 2, 8)], "title is empty"),
    ("summary: Asthma is a long-term condition in which the airways of the lungs narrow and "
     "swell.", "summary: ''", [("FMT105", 4, 10)], "summary is empty"),
    ("license: CC-BY-SA-4.0", "license: [CC-BY-SA-4.0]", [("LIC101", 5, 10)],
     "article licence must be an SPDX id such as CC-BY-SA-4.0"),
    ("license: CC-BY-SA-4.0", "license: GFDL-1.3-only", [("LIC101", 5, 10)],
     "article licence 'GFDL-1.3-only' is not CC BY-SA (CC-BY-SA-3.0 or CC-BY-SA-4.0)"),
    ("disclaimer: medical", "disclaimer: [medical]", [("FMT107", 6, 13)],
     "disclaimer must be text"),
    ("    credentials: MD", "    credentials: MD\n    email: a@example.org", [("FMT103", 10, 5)],
     "unknown contributor field 'email'"),
    ("  - name: Amara Okafor\n", "  - name: A\n", [("FMT108", 8, 11)],
     "contributors[0].name must be at least 2 characters long"),
    ("categories: [Respiratory]", "categories: [Respiratory, Respiratory]", [("FMT102", 10, 13)],
     "a category is listed twice"),
    ("last_reviewed: 2026-06-01", "last_reviewed: 1 June 2026", [("FMT106", 11, 16)],
     "last_reviewed '1 June 2026' is not a date written YYYY-MM-DD"),
    ("last_reviewed: 2026-06-01", "last_reviewed: 2026-13-01", [("FMT106", 11, 16)],
     "last_reviewed '2026-13-01' is not a real date"),
], ids=["missing", "invalid", "list-for-text", "empty", "null", "empty-quoted",
        "licence-as-list", "gfdl", "disclaimer-as-list", "unknown-nested-field",
        "too-short-nested", "duplicate-category", "date-in-words", "month-13"])
def test_one_diagnostic_per_problem_on_its_line(old: str, new: str,
                                                expected: list[tuple[str, int, int]],
                                                message: str) -> None:
    found = check_schema(article(replaced(old, new)), SCHEMA)
    assert [(d.code, d.line, d.column) for d in found] == expected
    assert found[0].message == message


def test_a_licence_spelled_out_is_read_as_its_spdx_id() -> None:
    text = replaced("license: CC-BY-SA-4.0", "license: Creative Commons Attribution-ShareAlike 4.0")
    assert document_instance(article(text))["front_matter"]["license"] == "CC-BY-SA-4.0"
    assert schema_errors(text) == []


def test_the_document_instance_holds_the_outline() -> None:
    instance = document_instance(article(replaced(
        "Asthma runs in families and is linked to allergy, tobacco smoke and air pollution.\n\n",
        "")))
    assert instance["body"]["sections"] == [
        {"title": "Overview", "empty": False, "line": 13},
        {"title": "Symptoms", "empty": False, "line": 17},
        {"title": "Causes", "empty": True, "line": 21},
        {"title": "Diagnosis", "empty": False, "line": 23},
        {"title": "Treatment", "empty": False, "line": 27},
        {"title": "See Also", "empty": False, "line": 31},
    ]


def test_an_unknown_type_is_not_held_to_any_outline() -> None:
    text = replaced("type: condition", "type: disease").replace("## Causes", "## Whatever")
    assert schema_errors(text) == [("FMT102", 3, 7)]


def test_a_topic_has_its_own_outline(tmp_path: Path) -> None:
    text = replaced("type: condition", "type: topic")
    found = check_schema(article(text), SCHEMA)
    # Symptoms, Causes, Diagnosis, Treatment are not topic sections; two required ones miss
    assert [(d.code, d.line) for d in found] == [
        ("MED105", 17), ("MED105", 21), ("MED105", 25), ("MED105", 29),
        ("MED101", 33), ("MED101", 33)]
    assert {d.message for d in found if d.code == "MED101"} == {
        "the topic has no 'Health effects' section, which the schema requires",
        "the topic has no 'Recommendations' section, which the schema requires"}


def test_checking_leaves_the_loaded_schema_as_it_was_read(tmp_path: Path) -> None:
    """Other stages read the schema too (`pipeline new`, `pipeline schema`): checking an
    article must not annotate the loaded copy they share."""
    copy = tmp_path / "copy.json"
    shutil.copy(SCHEMA, copy)
    assert check_schema(article(ASTHMA), copy) == []
    assert load_schema(copy) == real_schema()
    assert "x-article-type" not in load_schema(copy)["$defs"]["outline"]["condition"]
