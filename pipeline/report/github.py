"""GitHub Actions workflow commands: one `::error`/`::warning` annotation per diagnostic."""

from __future__ import annotations

from pipeline.report import Report


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    lines = []
    for d in report.diagnostics:
        properties = ",".join([
            f"file={_property(d.path)}", f"line={d.line}", f"col={d.column}",
            f"endLine={d.end_line}", f"endColumn={d.end_column}",
            f"title={_property(f'{d.code} {d.name}')}",
        ])
        message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        lines.append(f"::{d.severity} {properties}::{_data(message)}\n")
    return "".join(lines)
