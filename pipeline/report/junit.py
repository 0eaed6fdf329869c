"""JUnit XML: one test case per file checked, failing with each of its diagnostics."""

from __future__ import annotations

import re
from collections import defaultdict
from xml.etree import ElementTree as ET

from pipeline.diagnostics import Diagnostic
from pipeline.report import Report

# Characters XML 1.0 cannot hold at all, even escaped (most C0 controls, lone surrogates).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    """Text safe for XML: a forbidden character is written as its escape, e.g. `\\x01`."""
    return _NOT_XML.sub(lambda match: repr(match.group())[1:-1], text)


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
        case = ET.SubElement(suite, "testcase", name=_xml(path), classname="pipeline.check",
                             file=_xml(path))
        found = by_file[path]
        errors = [d for d in found if d.severity == "error"]
        if errors:
            failure = ET.SubElement(case, "failure", type="error",
                                    message=_xml(f"{len(errors)} error(s) in {path}"))
            failure.text = "\n".join(_line(d) for d in errors)
        warnings = [d for d in found if d.severity == "warning"]
        if warnings:
            ET.SubElement(case, "system-out").text = "\n".join(_line(d) for d in warnings)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"


def _line(d: Diagnostic) -> str:
    return _xml(f"{d.path}:{d.line}:{d.column}: {d.code} [{d.severity}] {d.message}")
