"""One line per diagnostic, no hints: for grep and editors' problem matchers."""

from __future__ import annotations

from pipeline.report import Report
from pipeline.report.text import line_of


def render(report: Report) -> str:
    return "".join(line_of(report, i) + "\n" for i in range(len(report.diagnostics)))
