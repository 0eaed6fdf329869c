"""COD: the classification codes of `codes:` are real codes of their classification.

The schema gives each classification the form of its codes (`pattern`, reported as COD101
with the schema's own message and hint). What a pattern cannot say is checked here: the
check digit that SNOMED CT identifiers (Verhoeff) and CAS Registry Numbers carry (COD102).
A code whose form is already wrong is left to COD101: one diagnostic per bad code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

from stdnum import casrn, verhoeff

from pipeline.diagnostics import Diagnostic, Rule, make
from pipeline.model import Article
from pipeline.rules.context import Context
from pipeline.rules.schema_rules import check as schema_check
from pipeline.schema import Schema, load_schema

CheckDigit = Callable[[str], str]  # the code without its check digit → the check digit


def snomed_check_digit(body: str) -> str:
    """The Verhoeff check digit that ends a SNOMED CT identifier."""
    return str(verhoeff.calc_check_digit(body))


def cas_check_digit(body: str) -> str:
    """The check digit that ends a CAS Registry Number (`body` with its hyphens)."""
    return str(casrn.calc_check_digit(body.rstrip("-")))


# Classification (the key in `codes:`) → its name, how its check digit is computed, and
# where the reader of the hint can look the code up.
CHECK_DIGITS: dict[str, tuple[str, CheckDigit, str]] = {
    "snomed": ("SNOMED CT id", snomed_check_digit, "a SNOMED CT browser"),
    "cas": ("CAS Registry Number", cas_check_digit, "CAS Common Chemistry"),
}


def code_patterns(schema: Schema) -> dict[str, re.Pattern[str]]:
    """The form of each classification's codes, as the schema's `pattern` gives it."""
    systems = (schema.get("$defs", {}).get("front_matter", {}).get("properties", {})
               .get("codes", {}).get("properties", {}))
    return {name: re.compile(str(sub["items"]["pattern"])) for name, sub in systems.items()
            if isinstance(sub, dict) and isinstance(sub.get("items"), dict)
            and "pattern" in sub["items"]}


@lru_cache(maxsize=8)
def _patterns(path: Path, _identity: int) -> dict[str, re.Pattern[str]]:
    return code_patterns(load_schema(path))


def written_codes(article: Article) -> Iterator[tuple[str, int, str]]:
    """Each code written in `codes:` as text: its classification, index and value."""
    codes = article.front_matter.get("codes")
    if not isinstance(codes, dict):
        return
    for system, values in codes.items():
        if isinstance(values, list):
            for index, value in enumerate(values):
                if isinstance(value, str):
                    yield str(system), index, value


def check_digit_problem(system: str, value: str) -> str:
    """The check digit `value` should end with, or "" when it is right (or has none)."""
    found = CHECK_DIGITS.get(system)
    if found is None or not value:
        return ""
    expected = found[1](value[:-1])
    return "" if expected == value[-1] else expected


def check_digits(article: Article, context: Context) -> Iterator[Diagnostic]:
    """COD102: SNOMED CT ids and CAS numbers of the right form end in the right digit."""
    schema_path = context.config.schema
    patterns = _patterns(schema_path, id(load_schema(schema_path)))
    for system, index, value in written_codes(article):
        pattern = patterns.get(system)
        if system not in CHECK_DIGITS or pattern is None or not pattern.search(value):
            continue  # no check digit, or not of the form: COD101 says so
        expected = check_digit_problem(system, value)
        if not expected:
            continue
        name, _, where = CHECK_DIGITS[system]
        span = article.source_map.value(("codes", system, index))
        yield make(article.path, span.line, span.column, "COD102",
                   f"{name} {value!r} has a wrong check digit",
                   f"the last digit should be {expected}, not {value[-1]}, if the other digits "
                   f"are right: copy the number again from {where}",
                   span.end_line, span.end_column)


RULES: tuple[Rule, ...] = (
    Rule("COD101", "invalid-code", "error",
         "A classification code in `codes:` does not have the form of its classification.",
         "A malformed code links the reader to nothing, or to another disease or medicine, "
         "and no registry or search engine can match it.",
         "codes:\n  icd10: [J45.90.1]\n  mesh: [\"44342\"]\n  atc: [M1AE01]\n",
         "codes:\n  icd10: [J45.9]\n  mesh: [D044342]\n  atc: [M01AE01]\n",
         check=schema_check),
    Rule("COD102", "code-check-digit", "error",
         "A SNOMED CT id or a CAS Registry Number has a wrong check digit.",
         "The last digit of these numbers is computed from the others, to catch a mistyped "
         "or swapped digit before the code sends a reader to the wrong concept or substance.",
         "codes:\n  snomed: [\"195967002\"]\n  cas: [15687-27-2]\n",
         "codes:\n  snomed: [\"195967001\"]\n  cas: [15687-27-1]\n",
         check=check_digits),
)
