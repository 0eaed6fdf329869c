"""COD: classification codes in `codes:` and a medicine's drug fields, as `pipeline check`
reports them: the form of each code (COD101, from the schema's patterns), the check digits of
SNOMED CT ids and CAS numbers (COD102), one diagnostic per bad code on its own line and
column, with a hint that shows the expected form."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.check import check_paths
from pipeline.config import load_config
from pipeline.render.view import CODE_SYSTEMS
from pipeline.rules.codes import (
    CHECK_DIGITS,
    cas_check_digit,
    check_digit_problem,
    code_patterns,
    snomed_check_digit,
)
from pipeline.schema import load_schema
from tests.conftest import SCHEMA, Runner, write_pyproject

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = FIXTURES / "cod-valid-codes-good" / "articles"
LAST_FRONT_MATTER_LINE = "last_reviewed: 2026-06-01\n"


def project_with(tmp_path: Path, front_matter: str, slug: str = "asthma") -> Path:
    """The valid pair of articles, `front_matter` put in place of the codes of `slug`."""
    shutil.copytree(GOOD, tmp_path / "articles")
    path = tmp_path / "articles" / f"{slug}.md"
    text = path.read_text(encoding="utf-8")
    head, body = text.split(LAST_FRONT_MATTER_LINE, 1)
    path.write_text(head + LAST_FRONT_MATTER_LINE + front_matter + "---\n"
                    + body.split("---\n", 1)[1], encoding="utf-8")
    write_pyproject(tmp_path, 'ignore = ["REF106"]\n')
    return tmp_path


def found(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int, str, str]]:
    monkeypatch.chdir(root)
    result = check_paths(load_config(root))
    return [(d.line, d.column, d.code, d.message) for d in result.diagnostics]


# -- what the user sees --------------------------------------------------------------------


def test_each_bad_code_is_reported_on_its_line_with_the_expected_form(
        tmp_path: Path, run_cli: Runner) -> None:
    root = project_with(tmp_path, "codes:\n"
                                  "  icd10: [J45, j45.9]\n"
                                  "  mesh:\n"
                                  "    - D001249\n"
                                  "    - 1249\n"
                                  "  snomed: [\"195967002\"]\n")
    done = run_cli(root, "check")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert "articles/asthma.md:13:16: COD101 [error] 'j45.9' is not an ICD-10 code" in lines
    hint = lines[lines.index(
        "articles/asthma.md:13:16: COD101 [error] 'j45.9' is not an ICD-10 code") + 1]
    assert "a capital letter, two digits" in hint and "`J45.9`" in hint
    assert ("articles/asthma.md:16:7: COD101 [error] '1249' is not a MeSH descriptor id"
            in lines)
    assert ("articles/asthma.md:17:12: COD102 [error] SNOMED CT id '195967002' has a wrong "
            "check digit") in lines
    snomed_hint = lines[lines.index("articles/asthma.md:17:12: COD102 [error] SNOMED CT id "
                                    "'195967002' has a wrong check digit") + 1]
    assert "should be 1, not 2" in snomed_hint
    assert sum(": COD" in line for line in lines) == 3  # J45 and D001249 are right


def test_valid_codes_and_drug_fields_pass(tmp_path: Path, run_cli: Runner) -> None:
    shutil.copytree(GOOD, tmp_path / "articles")
    write_pyproject(tmp_path, 'ignore = ["REF106"]\n')
    done = run_cli(tmp_path, "check")
    assert done.returncode == 0, done.stdout
    assert "COD" not in done.stdout and "FMT" not in done.stdout


def test_a_disabled_code_rule_is_not_reported(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = project_with(tmp_path, "codes:\n  icd10: [J4]\n  cas: [18559-94-8]\n")
    write_pyproject(root, 'ignore = ["REF106", "COD101", "COD102"]\n')
    assert found(root, monkeypatch) == []


# -- the form of each classification's codes (COD101) and check digits (COD102) -------------

VALID = [
    ("icd10", "E43"), ("icd10", "J45.9"), ("icd10", "U07.1"), ("icd10", "S72.00"),
    ("icd11", "5B71"), ("icd11", "1F40.Z"), ("icd11", "CA23.3"), ("icd11", "2C25.0&XH7SY0"),
    ("icd11", "CA23.3/CA22"), ("mesh", "D044342"), ("mesh", "D000069283"),
    ("omim", "600807"), ("snomed", "195967001"), ("snomed", "22298006"),
    ("atc", "M"), ("atc", "M01"), ("atc", "M01A"), ("atc", "M01AE"), ("atc", "M01AE01"),
    ("cas", "15687-27-1"), ("cas", "50-00-0"), ("cas", "7732-18-5"),
    ("drugbank", "DB01050"),
]
MALFORMED = [
    ("icd10", "e43"), ("icd10", "J4"), ("icd10", "J45.901"), ("icd10", "J45."),
    ("icd10", "J45.9 "),
    ("icd11", "CI23"), ("icd11", "5B7"), ("icd11", "CA23.333"), ("icd11", "CA23&J45"),
    ("icd11", "ca23.3"),
    ("mesh", "D04434"), ("mesh", "044342"), ("mesh", "C000656484"),
    ("omim", "60080"), ("omim", "MIM 600807"), ("omim", "#600807"),
    ("snomed", "01959670"), ("snomed", "19596"), ("snomed", "SCTID 195967001"),
    ("atc", "M1AE01"), ("atc", "M01AE1"), ("atc", "m01ae01"), ("atc", "E01AE01"),
    ("cas", "15687271"), ("cas", "15687-27-01"), ("cas", "015687-27-1"),
    ("drugbank", "DB1050"), ("drugbank", "db01050"), ("drugbank", "DB010500"),
]
WRONG_CHECK_DIGIT = [
    ("snomed", "195967002", "1"), ("snomed", "22298060", "8"),
    ("cas", "15687-27-2", "1"), ("cas", "18595-94-9", "3"),
]


def _one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, system: str,
         value: str) -> list[tuple[int, int, str, str]]:
    root = project_with(tmp_path, f"codes:\n  {system}:\n    - \"{value}\"\n")
    return found(root, monkeypatch)


@pytest.mark.parametrize(("system", "value"), VALID)
def test_a_code_of_the_right_form_passes(system: str, value: str, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    assert _one(tmp_path, monkeypatch, system, value) == []


@pytest.mark.parametrize(("system", "value"), MALFORMED)
def test_a_malformed_code_is_cod101_on_its_line(system: str, value: str, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    [(line, column, code, message)] = _one(tmp_path, monkeypatch, system, value)
    assert (line, column, code) == (14, 7, "COD101")
    assert f"{value!r} is not " in message and CODE_SYSTEMS[system] in message


@pytest.mark.parametrize(("system", "value", "digit"), WRONG_CHECK_DIGIT)
def test_a_wrong_check_digit_is_cod102(system: str, value: str, digit: str, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    [(line, column, code, message)] = _one(tmp_path, monkeypatch, system, value)
    assert (line, column, code) == (14, 7, "COD102")
    assert check_digit_problem(system, value) == digit
    assert "wrong check digit" in message


def test_check_digits() -> None:
    assert snomed_check_digit("19596700") == "1"  # asthma
    assert snomed_check_digit("2229800") == "6"  # myocardial infarction
    assert cas_check_digit("7732-18") == "5"  # water
    assert cas_check_digit("15687-27") == "1"  # ibuprofen
    assert check_digit_problem("snomed", "195967001") == ""
    assert check_digit_problem("mesh", "D044342") == ""  # no check digit to check
    assert set(CHECK_DIGITS) == {"snomed", "cas"}


def test_the_schema_holds_a_pattern_for_every_classification() -> None:
    patterns = code_patterns(load_schema(SCHEMA))
    assert set(patterns) == set(CODE_SYSTEMS)
    for system, value in VALID:
        assert patterns[system].search(value), (system, value)
    for system, value in MALFORMED:
        assert not patterns[system].search(value), (system, value)


# -- drug fields -----------------------------------------------------------------------------


def test_drug_fields_are_checked_by_the_schema(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    root = project_with(tmp_path, "routes: [Oral]\n"
                                  "pregnancy_category: {Australia: B3}\n"
                                  "legal_status: {UK: [POM]}\n", slug="salbutamol")
    result = [(line, code, message) for line, _, code, message in found(root, monkeypatch)]
    assert result == [
        (12, "FMT102", "route 'Oral' must be a word or two in lower case, such as oral or "
                       "intravenous"),
        (13, "FMT102", "region 'Australia' must be a two-letter country code such as AU, UK, "
                       "US, or EU"),
        (14, "FMT104", "write the value for each region as text, e.g. "
                       "`legal_status: {UK: POM, US: Rx-only}`"),
    ]


def test_the_schema_describes_the_drug_fields() -> None:
    properties = load_schema(SCHEMA)["$defs"]["front_matter"]["properties"]
    for name in ("routes", "pregnancy_category", "legal_status", "codes"):
        assert properties[name]["description"]
    for system in CODE_SYSTEMS:
        assert properties["codes"]["properties"][system]["description"]
