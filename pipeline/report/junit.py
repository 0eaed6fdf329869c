"""JUnit XML: one test case per file checked, failing with each of its diagnostics."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree as ET

from pipeline.diagnostics import Diagnostic
from pipeline.report import Report


def render(report: Report) -> str:
    by_file: dict[str, list[Diagnostic]] = defaultdict(list)
    for d in report.diagnostics:
        by_file[d.path].append(d)
    files = sorted(set(report.files) | set(by_file))
    failing = sum(1 for f in files if any(d.severity == "error" for d in by_file[f]))
    suites = ET.Element("testsuites", name="pipeline", tests=str(len(files)),
                        failures=str(failing), errors="0")
    suite = ET.SubElement(suites, "testsuite", name="pipeline check", tests=str(len(files)),
                          failures=str(failing), errors="0", skipped="0",
                          time=f"{report.seconds:.3f}")
    for path in files:
        case = ET.SubElement(suite, "testcase", name=path, classname="pipeline.check",
                             file=path)
        found = by_file[path]
        errors = [d for d in found if d.severity == "error"]
        if errors:
            failure = ET.SubElement(case, "failure", type="error",
                                    message=f"{len(errors)} error(s) in {path}")
            failure.text = "\n".join(_line(d) for d in errors)
        warnings = [d for d in found if d.severity == "warning"]
        if warnings:
            ET.SubElement(case, "system-out").text = "\n".join(_line(d) for d in warnings)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"


def _line(d: Diagnostic) -> str:
    return f"{d.path}:{d.line}:{d.column}: {d.code} [{d.severity}] {d.message}"
