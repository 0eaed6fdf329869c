"""The JSON shape of DESIGN.md: version, diagnostics, summary."""

from __future__ import annotations

import json
from typing import Any

from pipeline.diagnostics import Diagnostic
from pipeline.report import Report


def as_dict(d: Diagnostic) -> dict[str, Any]:
    return {"path": d.path, "line": d.line, "column": d.column, "end_line": d.end_line,
            "end_column": d.end_column, "code": d.code, "rule": d.name,
            "severity": d.severity, "message": d.message, "hint": d.hint}


def render(report: Report) -> str:
    document = {
        "version": 1,
        "diagnostics": [as_dict(d) for d in report.diagnostics],
        "summary": {"files": len(report.files), "errors": report.errors,
                    "warnings": report.warnings},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
