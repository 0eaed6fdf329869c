"""SARIF 2.1.0, as GitHub code scanning accepts it.

Paths are relative URI references (spaces and other characters percent-encoded) against
`%SRCROOT%`, the folder the check ran in; the consumer (code scanning: the repository root)
supplies that folder, so the report does not depend on the machine it was made on.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from pipeline import __version__
from pipeline.diagnostics import Diagnostic
from pipeline.report import Report
from pipeline.rules import RULES

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _rules() -> list[dict[str, Any]]:
    return [{
        "id": rule.code,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.why},
        "help": {"text": f"{rule.summary} {rule.why}",
                 "markdown": f"**{rule.code} {rule.name}**: {rule.summary}\n\n{rule.why}"},
        "defaultConfiguration": {"level": rule.severity},
        "properties": {"tags": [rule.family]},
    } for rule in RULES]


def _result(d: Diagnostic, index: dict[str, int]) -> dict[str, Any]:
    text = d.message + (f" (hint: {d.hint})" if d.hint else "")
    return {
        "ruleId": d.code,
        "ruleIndex": index[d.code],
        "level": d.severity,
        "message": {"text": text},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": quote(d.path), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": d.line, "startColumn": d.column,
                       "endLine": max(d.end_line, d.line),
                       "endColumn": (d.end_column + 1 if d.end_line > d.line
                                     else max(d.end_column + 1, d.column + 1))},
        }}],
    }


def render(report: Report) -> str:
    rules = _rules()
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "pipeline", "version": __version__,
                                "informationUri": "https://encyclopedia.example.org/docs/rules",
                                "rules": rules}},
            "results": [_result(d, index) for d in report.diagnostics],
            "columnKind": "unicodeCodePoints",
        }],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
