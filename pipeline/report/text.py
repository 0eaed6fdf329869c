"""`path:line:col: CODE [severity] message`, with the hint on the following line."""

from __future__ import annotations

from pipeline.report import Report

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "path": "\033[1m", "dim": "\033[2m",
           "code": "\033[36m"}
_RESET = "\033[0m"


def paint(text: str, style: str, color: bool) -> str:
    return f"{_COLORS[style]}{text}{_RESET}" if color else text


def line_of(report: Report, index: int) -> str:
    d = report.diagnostics[index]
    c = report.color
    location = paint(f"{d.path}:{d.line}:{d.column}:", "path", c)
    return (f"{location} {paint(d.code, 'code', c)} [{paint(d.severity, d.severity, c)}] "
            f"{d.message}")


def render(report: Report) -> str:
    lines: list[str] = []
    for index, diagnostic in enumerate(report.diagnostics):
        lines.append(line_of(report, index))
        if diagnostic.hint:
            lines.append(paint(f"    hint: {diagnostic.hint}", "dim", report.color))
    return "".join(line + "\n" for line in lines)


def summary(report: Report) -> str:
    files = len(report.files)
    noun = "file" if files == 1 else "files"
    errors = f"{report.errors} error{'s' if report.errors != 1 else ''}"
    warnings = f"{report.warnings} warning{'s' if report.warnings != 1 else ''}"
    if report.color:
        errors = paint(errors, "error", True) if report.errors else errors
        warnings = paint(warnings, "warning", True) if report.warnings else warnings
    return f"Checked {files} {noun}: {errors}, {warnings} in {report.seconds:.2f}s\n"
