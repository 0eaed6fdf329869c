"""Pure formatters: a report (diagnostics, files, summary) in, text out. One writer does I/O."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.diagnostics import Diagnostic


@dataclass(frozen=True)
class Report:
    diagnostics: list[Diagnostic]
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0
    color: bool = False

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "warning")


Formatter = Callable[[Report], str]


def formatter(name: str) -> Formatter:
    """The formatter for an output format name; imports only that one."""
    from importlib import import_module

    module = import_module(f"pipeline.report.{FORMATS[name]}")
    function: Formatter = module.render
    return function


FORMATS: dict[str, str] = {
    "text": "text",
    "concise": "text_concise",
    "json": "json_format",
    "github": "github",
    "sarif": "sarif",
    "junit": "junit",
}
