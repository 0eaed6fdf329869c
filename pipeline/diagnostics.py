"""Diagnostics as plain data, and what a rule is.

Every rule is one `Rule` object, declared next to the code that reports it (in
`pipeline.rules.*`); `pipeline.rules.REGISTRY` gathers them in catalogue order. `make()`
looks a code up there, so a diagnostic always carries its rule's name and severity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal

Severity = Literal["error", "warning"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning")


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place of one file. Sorting orders by path, then position."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    severity: Severity
    message: str
    hint: str = ""

    def with_severity(self, severity: Severity) -> Diagnostic:
        return replace(self, severity=severity)


Scope = Literal["article", "corpus", "suppressions"]


@dataclass(frozen=True)
class Rule:
    """One rule: its code, name and default severity, what it means (for `pipeline rules` and
    the rules reference), the function that reports it, and the fix `--fix` applies, if any.

    `check` is the function that reports the code; several codes may share one. Its `scope`
    says who runs it: "article" checks, `(article, context) -> diagnostics`, are run by
    `pipeline.rules.run_rules` once per article when any of their codes is enabled; a
    "corpus" check needs every article at once and "suppressions" is the inline-suppression
    pass, both run by `pipeline.check`. A rule without a check is reported where its
    problem shows: while reading the file (`pipeline.load`) or publishing.
    `fix` is a `pipeline.fix.FixFunction`.
    """

    code: str
    name: str
    severity: Severity
    summary: str
    why: str
    bad: str = ""
    good: str = ""
    check: Callable[..., Any] | None = None
    fix: Callable[..., Any] | None = None
    scope: Scope = "article"

    @property
    def family(self) -> str:
        return self.code.rstrip("0123456789")


FAMILIES: dict[str, str] = {
    "SRC": "Reading the file: encoding, size, front matter, YAML",
    "FMT": "Front matter fields, as the schema describes them",
    "COD": "Classification codes: ICD-10, ICD-11, MeSH, OMIM, SNOMED CT, ATC, CAS, DrugBank",
    "MED": "Article structure: the sections each type of article must have",
    "LIC": "Licensing of the article and of every asset it includes",
    "CRD": "Credits: images and their attribution",
    "LNK": "Links between articles and to the web",
    "REF": "References and citations",
    "TRS": "Trustworthy medical content",
    "SEC": "Safety of what contributors write",
    "SUP": "Inline suppressions",
    "PUB": "Publishing: the build folder and the outputs",
}


@cache
def _by_code() -> dict[str, Rule]:
    from pipeline.rules import REGISTRY  # the rules modules call make(): resolved on first use

    return REGISTRY


def __getattr__(name: str) -> Any:
    """`RULES` and `RULES_BY_CODE`, kept importable from here; they live in `pipeline.rules`."""
    if name == "RULES":
        return tuple(_by_code().values())
    if name == "RULES_BY_CODE":
        return _by_code()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def make(path: str, line: int, column: int, code: str, message: str, hint: str = "",
         end_line: int | None = None, end_column: int | None = None) -> Diagnostic:
    """Build a diagnostic for a catalogued code at its default severity."""
    rule = _by_code()[code]
    return Diagnostic(
        path=path, line=max(line, 1), column=max(column, 1),
        end_line=max(end_line if end_line is not None else line, 1),
        end_column=max(end_column if end_column is not None else column, 1),
        code=code, name=rule.name, severity=rule.severity, message=message, hint=hint,
    )
