"""`path:line:col: CODE [severity] message`, with the hint on the following line."""

from __future__ import annotations

from pipeline.report import Report

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "path": "\033[1m", "dim": "\033[2m",
           "code": "\033[36m"}
_RESET = "\033[0m"


def paint(text: str, style: str, color: bool) -> str:
    return f"{_COLORS[style]}{text}{_RESET}" if color else text


def visible(text: str) -> str:
    """Text for a terminal: control characters (a contributor's file name can hold escape
    sequences, or a lone carriage return, that erase or rewrite lines of the report) are
    written as escapes, `\x1b`; line breaks stay."""
    import re

    from pipeline.characters import FORBIDDEN_CHARACTERS

    unprintable = re.compile(r"\r(?!\n)|(?!\r)" + FORBIDDEN_CHARACTERS.pattern)
    return unprintable.sub(lambda match: repr(match.group())[1:-1], text)


def line_of(report: Report, index: int) -> str:
    d = report.diagnostics[index]
    c = report.color
    location = paint(visible(f"{d.path}:{d.line}:{d.column}:"), "path", c)
    return (f"{location} {paint(d.code, 'code', c)} [{paint(d.severity, d.severity, c)}] "
            f"{visible(d.message)}")


def render(report: Report) -> str:
    lines: list[str] = []
    for index, diagnostic in enumerate(report.diagnostics):
        lines.append(line_of(report, index))
        if diagnostic.hint:
            lines.append(paint(f"    hint: {visible(diagnostic.hint)}", "dim", report.color))
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
