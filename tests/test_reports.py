"""The formatters, as pure functions: a report in, exactly the text users and CI tools read out.

SARIF is validated against the official SARIF 2.1.0 schema (tests/data, see its README), with
the `uri` and `uri-reference` formats checked too; JUnit is parsed back with ElementTree.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from xml.etree import ElementTree as ET

import pytest
from jsonschema import (  # type: ignore[import-untyped, unused-ignore]
    Draft7Validator,
    FormatChecker,
)

from pipeline.diagnostics import RULES, RULES_BY_CODE, Diagnostic, make
from pipeline.report import FORMATS, Report, formatter

SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"

# RFC 3986: unreserved, reserved and percent-encoded characters, nothing else (no spaces)
_URI_CHARACTERS = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*")
FORMATS_CHECKED = FormatChecker()


def _uri_reference(value: object) -> bool:
    return not isinstance(value, str) or _URI_CHARACTERS.fullmatch(value) is not None


def _uri(value: object) -> bool:
    return not isinstance(value, str) or (
        _URI_CHARACTERS.fullmatch(value) is not None
        and re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", value) is not None)


FORMATS_CHECKED.checks("uri-reference")(_uri_reference)
FORMATS_CHECKED.checks("uri")(_uri)


def sarif_errors(document: Any) -> list[str]:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = Draft7Validator(schema, format_checker=FORMATS_CHECKED)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def diagnostics() -> list[Diagnostic]:
    """A mix of what reports must carry: spaces, accents, newlines, %, :, , and a warning."""
    return sorted([
        make("articles/asthma.md", 5, 10, "LIC101",
             "article licence 'CC-BY-NC-4.0' is not CC BY-SA (CC-BY-SA-3.0 or CC-BY-SA-4.0)",
             "use `license: CC-BY-SA-4.0`", 5, 21),
        make("articles/asthma.md", 21, 1, "MED106",
             "section heading 'Signs and symptoms' should be 'Symptoms'",
             "rename the heading to `## Symptoms`", 21, 21),
        make("articles/asthma.md", 8, 5, "FMT108", "a contributor has no name", "", 9, 19),
        make("articles/Acute Bronchitis.md", 1, 1, "SRC013",
             "file name 'Acute Bronchitis' is not a slug", "rename it to acute-bronchitis.md"),
        make("articles/café, 100%: notes.md", 3, 2, "SRC007",
             "invalid YAML: line one\nline two\r\nwith 100% of it", "fix it: now, please"),
    ])


def report(found: list[Diagnostic] | None = None, files: list[str] | None = None,
           color: bool = False) -> Report:
    found = diagnostics() if found is None else found
    paths = sorted({d.path for d in found} | {"articles/salbutamol.md"}) if files is None \
        else files
    return Report(found, files=paths, seconds=0.25, color=color)


def render(name: str, value: Report | None = None) -> str:
    return formatter(name)(value or report())


def test_every_documented_format_has_a_formatter() -> None:
    assert set(FORMATS) == {"text", "concise", "json", "github", "sarif", "junit"}
    for name in FORMATS:
        assert callable(formatter(name))


def test_formatters_are_pure() -> None:
    for name in FORMATS:
        assert render(name) == render(name)


# -- text and concise -------------------------------------------------------------------------


def test_text() -> None:
    assert render("text") == (
        "articles/Acute Bronchitis.md:1:1: SRC013 [error] file name 'Acute Bronchitis' is not "
        "a slug\n"
        "    hint: rename it to acute-bronchitis.md\n"
        "articles/asthma.md:5:10: LIC101 [error] article licence 'CC-BY-NC-4.0' is not CC "
        "BY-SA (CC-BY-SA-3.0 or CC-BY-SA-4.0)\n"
        "    hint: use `license: CC-BY-SA-4.0`\n"
        "articles/asthma.md:8:5: FMT108 [error] a contributor has no name\n"
        "articles/asthma.md:21:1: MED106 [warning] section heading 'Signs and symptoms' should "
        "be 'Symptoms'\n"
        "    hint: rename the heading to `## Symptoms`\n"
        "articles/café, 100%: notes.md:3:2: SRC007 [error] invalid YAML: line one\n"
        "line two\r\nwith 100% of it\n"
        "    hint: fix it: now, please\n")


def test_concise_has_one_line_per_diagnostic_and_no_hints() -> None:
    lines = render("concise", report(diagnostics()[:4])).splitlines()
    assert lines == [
        "articles/Acute Bronchitis.md:1:1: SRC013 [error] file name 'Acute Bronchitis' is not "
        "a slug",
        "articles/asthma.md:5:10: LIC101 [error] article licence 'CC-BY-NC-4.0' is not CC "
        "BY-SA (CC-BY-SA-3.0 or CC-BY-SA-4.0)",
        "articles/asthma.md:8:5: FMT108 [error] a contributor has no name",
        "articles/asthma.md:21:1: MED106 [warning] section heading 'Signs and symptoms' should "
        "be 'Symptoms'",
    ]


def test_colour_only_when_asked_and_only_around_the_same_text() -> None:
    plain = render("text")
    coloured = render("text", report(color=True))
    assert "\033[" not in plain
    assert "\033[31merror\033[0m" in coloured
    assert "\033[33mwarning\033[0m" in coloured
    assert re.sub(r"\033\[[0-9;]*m", "", coloured) == plain
    assert "\033[" in render("concise", report(color=True))
    for name in ("json", "github", "sarif", "junit"):  # files for machines: never coloured
        assert "\033[" not in render(name, report(color=True))


def test_summary_counts_files_errors_and_warnings() -> None:
    from pipeline.report.text import summary

    assert summary(report()) == "Checked 4 files: 4 errors, 1 warning in 0.25s\n"
    assert summary(Report([], files=["a.md"], seconds=0.0)) == (
        "Checked 1 file: 0 errors, 0 warnings in 0.00s\n")


# -- json -------------------------------------------------------------------------------------


def test_json_has_the_documented_shape() -> None:
    document = json.loads(render("json"))
    assert list(document) == ["version", "diagnostics", "summary"]
    assert document["version"] == 1
    assert document["summary"] == {"files": 4, "errors": 4, "warnings": 1}
    assert document["diagnostics"][1] == {
        "path": "articles/asthma.md", "line": 5, "column": 10, "end_line": 5, "end_column": 21,
        "code": "LIC101", "rule": "article-license", "severity": "error",
        "message": "article licence 'CC-BY-NC-4.0' is not CC BY-SA (CC-BY-SA-3.0 or "
                   "CC-BY-SA-4.0)",
        "hint": "use `license: CC-BY-SA-4.0`"}
    assert [(d["path"], d["line"], d["code"]) for d in document["diagnostics"]] == [
        (d.path, d.line, d.code) for d in diagnostics()]
    assert document["diagnostics"][4]["message"] == (
        "invalid YAML: line one\nline two\r\nwith 100% of it")


# -- GitHub workflow commands -----------------------------------------------------------------


def test_github_annotations_escape_what_the_runner_would_misread() -> None:
    lines = render("github").splitlines()
    assert lines == [
        "::error file=articles/Acute Bronchitis.md,line=1,col=1,endLine=1,endColumn=1,"
        "title=SRC013 invalid-file-name::file name 'Acute Bronchitis' is not a slug%0Ahint: "
        "rename it to acute-bronchitis.md",
        "::error file=articles/asthma.md,line=5,col=10,endLine=5,endColumn=21,"
        "title=LIC101 article-license::article licence 'CC-BY-NC-4.0' is not CC BY-SA "
        "(CC-BY-SA-3.0 or CC-BY-SA-4.0)%0Ahint: use `license: CC-BY-SA-4.0`",
        "::error file=articles/asthma.md,line=8,col=5,endLine=9,endColumn=19,"
        "title=FMT108 missing-contributors::a contributor has no name",
        "::warning file=articles/asthma.md,line=21,col=1,endLine=21,endColumn=21,"
        "title=MED106 heading-synonym::section heading 'Signs and symptoms' should be "
        "'Symptoms'%0Ahint: rename the heading to `## Symptoms`",
        "::error file=articles/café%2C 100%25%3A notes.md,line=3,col=2,endLine=3,endColumn=2,"
        "title=SRC007 yaml-syntax::invalid YAML: line one%0Aline two%0D%0Awith 100%25 of it"
        "%0Ahint: fix it: now, please",
    ]


# -- SARIF ------------------------------------------------------------------------------------


def test_the_sarif_schema_is_the_official_one() -> None:
    import hashlib

    readme = (SARIF_SCHEMA.parent / "README.md").read_text(encoding="utf-8")
    assert hashlib.sha256(SARIF_SCHEMA.read_bytes()).hexdigest() in readme  # as documented
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]
    # the validation is not vacuous: a result without a message is refused
    assert sarif_errors({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
                                                        "results": [{"ruleId": "A"}]}]})
    assert sarif_errors({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
                                                        "results": [], "columnKind": "bytes"}]})
    assert sarif_errors({"version": "2.1.0", "runs": [], "$schema": "not a uri"})
    location = {"physicalLocation": {"artifactLocation": {"uri": "articles/a b.md"}}}
    assert sarif_errors({"version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "x"}},
        "results": [{"message": {"text": "m"}, "locations": [location]}]}]})


def test_sarif_is_valid_against_the_official_schema() -> None:
    document = json.loads(render("sarif"))
    assert sarif_errors(document) == []
    empty = json.loads(render("sarif", Report([], files=[])))
    assert sarif_errors(empty) == []
    assert empty["runs"][0]["results"] == []


def test_sarif_results_carry_every_diagnostic_where_it_is() -> None:
    run = json.loads(render("sarif"))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule.code for rule in RULES]
    results = run["results"]
    assert len(results) == len(diagnostics())
    for result, d in zip(results, diagnostics(), strict=True):
        assert result["ruleId"] == d.code
        assert rules[result["ruleIndex"]]["id"] == d.code
        assert result["level"] == d.severity
        assert result["message"]["text"].startswith(d.message)
        location = result["locations"][0]["physicalLocation"]
        assert unquote(location["artifactLocation"]["uri"]) == d.path
        region = location["region"]
        assert (region["startLine"], region["startColumn"], region["endLine"]) == (
            d.line, d.column, d.end_line)
        assert region["endColumn"] == d.end_column + 1  # SARIF's end column is exclusive
    lic = results[1]["locations"][0]["physicalLocation"]
    assert lic["artifactLocation"] == {"uri": "articles/asthma.md", "uriBaseId": "%SRCROOT%"}
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "articles/Acute%20Bronchitis.md")
    assert rules[results[1]["ruleIndex"]]["defaultConfiguration"] == {"level": "error"}
    assert "originalUriBaseIds" not in run  # the paths are relative to where the check ran


def test_sarif_rules_describe_the_catalogue() -> None:
    rules = json.loads(render("sarif"))["runs"][0]["tool"]["driver"]["rules"]
    by_id = {rule["id"]: rule for rule in rules}
    for code, rule in RULES_BY_CODE.items():
        assert by_id[code]["shortDescription"]["text"] == rule.summary
        assert by_id[code]["defaultConfiguration"]["level"] == rule.severity


# -- JUnit ------------------------------------------------------------------------------------


def test_junit_is_well_formed_with_one_test_case_per_file() -> None:
    root = ET.fromstring(render("junit"))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures")) == ("4", "3")
    (suite,) = list(root)
    assert (suite.tag, suite.get("tests"), suite.get("failures")) == ("testsuite", "4", "3")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert list(cases) == ["articles/Acute Bronchitis.md", "articles/asthma.md",
                           "articles/café, 100%: notes.md", "articles/salbutamol.md"]
    asthma = cases["articles/asthma.md"]
    failure = asthma.find("failure")
    assert failure is not None
    assert failure.get("message") == "2 error(s) in articles/asthma.md"
    assert (failure.text or "").splitlines() == [
        "articles/asthma.md:5:10: LIC101 [error] article licence 'CC-BY-NC-4.0' is not CC BY-SA "
        "(CC-BY-SA-3.0 or CC-BY-SA-4.0)",
        "articles/asthma.md:8:5: FMT108 [error] a contributor has no name"]
    out = asthma.find("system-out")
    assert out is not None
    assert out.text == ("articles/asthma.md:21:1: MED106 [warning] section heading 'Signs and "
                        "symptoms' should be 'Symptoms'")
    salbutamol = cases["articles/salbutamol.md"]
    assert list(salbutamol) == []  # a file without a problem is a passing test case


def test_junit_stays_well_formed_with_characters_xml_cannot_hold() -> None:
    odd = [make("articles/a\x01b.md", 1, 1, "SRC007", "invalid YAML: \x00\x0b\x1b[31m\ufffe")]
    root = ET.fromstring(render("junit", Report(odd, files=["articles/a\x01b.md"])))
    case = root.find("testsuite/testcase")
    assert case is not None
    assert case.get("name") == "articles/a\\x01b.md"
    failure = case.find("failure")
    assert failure is not None
    assert failure.text == ("articles/a\\x01b.md:1:1: SRC007 [error] invalid YAML: "
                            "\\x00\\x0b\\x1b[31m\\ufffe")


def test_an_empty_report_in_every_format() -> None:
    empty = Report([], files=["articles/asthma.md"])
    assert render("text", empty) == ""
    assert render("concise", empty) == ""
    assert render("github", empty) == ""
    assert json.loads(render("json", empty)) == {
        "version": 1, "diagnostics": [], "summary": {"files": 1, "errors": 0, "warnings": 0}}
    root = ET.fromstring(render("junit", empty))
    assert (root.get("tests"), root.get("failures")) == ("1", "0")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_ends_with_a_newline_or_is_empty(name: str) -> None:
    text = render(name)
    assert text.endswith("\n")
