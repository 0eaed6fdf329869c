"""Command line: options → a plain request, one call into a stage, an exit code.

Exit codes: 0 no error, 1 at least one error in the content, 2 usage or configuration error.
Results go to stdout; problems of the tool itself go to stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class CheckRequest:
    paths: tuple[Path, ...]
    format: str
    output: Path | None
    quiet: bool
    statistics: bool


def use_color(stream: TextIO) -> bool:
    """Colour only on a terminal; NO_COLOR wins, FORCE_COLOR forces it (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def build_parser() -> argparse.ArgumentParser:
    from pipeline import __version__
    from pipeline.report import FORMATS

    parser = argparse.ArgumentParser(
        prog="pipeline", description="Check and publish encyclopedia articles.")
    parser.add_argument("--version", action="version", version=f"pipeline {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    check = commands.add_parser("check", help="check articles and report every problem")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                       help="files or folders (default: the configured articles folder)")
    check.add_argument("--format", choices=sorted(FORMATS), default="text",
                       help="output format (default: text)")
    check.add_argument("--output", type=Path, metavar="FILE",
                       help="write the report to FILE instead of stdout")
    check.add_argument("-q", "--quiet", action="store_true",
                       help="print diagnostics only, no summary")
    check.add_argument("--statistics", action="store_true",
                       help="print the number of diagnostics per rule")

    publish = commands.add_parser(
        "publish", help="check, then render HTML, JSON and PDF into the build folder")
    publish.add_argument("--out", type=Path, default=Path("build"), metavar="DIR",
                         help="output folder (default: build)")
    publish.add_argument("--formats", default="html,json,pdf", metavar="LIST",
                         help="comma-separated outputs among html, json, pdf (default: all)")
    publish.add_argument("--jobs", "-j", type=int, default=0, metavar="N",
                         help="parallel workers (default: one per core)")
    publish.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                         help="progress bar (default: on a terminal outside CI)")

    rules = commands.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) if exit_.code in (0, None) else EXIT_USAGE
    from pipeline.config import ConfigError

    try:
        if args.command == "check":
            request = CheckRequest(tuple(args.paths), args.format, args.output, args.quiet,
                                   args.statistics)
            return run_check(request)
        if args.command == "rules":
            return run_rules(args.format)
        if args.command == "publish":
            return run_publish(args.out, args.formats, args.jobs, args.progress)
    except ConfigError as error:
        print(f"pipeline: configuration error: {error}", file=sys.stderr)
        return EXIT_USAGE
    parser.print_usage(sys.stderr)
    return EXIT_USAGE


def run_check(request: CheckRequest) -> int:
    from pipeline.check import check_paths
    from pipeline.config import load_config
    from pipeline.report import Report, formatter
    from pipeline.report.text import summary

    started = time.perf_counter()
    config = load_config()
    result = check_paths(config, list(request.paths) or None)
    color = request.output is None and request.format == "text" and use_color(sys.stdout)
    report = Report(result.diagnostics, files=result.files,
                    seconds=time.perf_counter() - started, color=color)
    text = formatter(request.format)(report)
    if request.statistics:
        text += statistics(report) if request.format in ("text", "concise") else ""
    if request.output is not None:
        write_atomically(request.output, text)
    else:
        sys.stdout.write(text)
    if not request.quiet:
        line = summary(Report(report.diagnostics, report.files, report.seconds,
                              use_color(sys.stderr)))
        stream = sys.stdout if request.output is None and request.format == "text" else sys.stderr
        stream.write(line)
        if request.statistics and request.format not in ("text", "concise"):
            sys.stderr.write(statistics(report))
    return EXIT_ERRORS if report.errors else EXIT_OK


def statistics(report: object) -> str:
    from collections import Counter

    from pipeline.report import Report

    assert isinstance(report, Report)
    counts = Counter((d.code, d.name, d.severity) for d in report.diagnostics)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "".join(f"{count:6d}  {code}  {name} [{severity}]\n"
                   for (code, name, severity), count in rows)


def write_atomically(path: Path, text: str) -> None:
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                     prefix=f".{path.name}.", suffix=".tmp") as handle:
        handle.write(text)
    os.replace(handle.name, path)


def run_publish(out: Path, formats: str, jobs: int, progress: bool | None) -> int:
    from pipeline.config import ConfigError, load_config
    from pipeline.publish import FORMATS, PublishRequest, publish
    from pipeline.report import Report, formatter

    chosen = tuple(f.strip() for f in formats.split(",") if f.strip())
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise ConfigError(f"--formats: unknown output(s) {', '.join(unknown) or '(none)'}; "
                          f"choose among {', '.join(FORMATS)}")
    if jobs < 0:
        raise ConfigError("--jobs must be 0 (one per core) or more")
    if progress is None:
        progress = sys.stderr.isatty() and not os.environ.get("CI")
    started = time.perf_counter()
    config = load_config()
    result = publish(config, PublishRequest(out=out, formats=chosen, jobs=jobs,
                                            progress=progress))
    elapsed = time.perf_counter() - started
    if result.diagnostics:
        report = Report(result.diagnostics, color=use_color(sys.stdout))
        sys.stdout.write(formatter("text")(report))
    if not result.ok:
        errors = sum(1 for d in result.diagnostics if d.severity == "error")
        sys.stderr.write(f"Publish refused: {errors} error(s); the previous build is "
                         f"unchanged.\n")
        return EXIT_ERRORS
    sys.stderr.write(f"Published {result.rendered + result.reused} articles "
                     f"({result.rendered} rendered, {result.reused} unchanged) and "
                     f"{result.files} files to {out} in {elapsed:.2f}s\n")
    return EXIT_OK


def run_rules(fmt: str) -> int:
    from pipeline.rules_doc import rules_json, rules_markdown, rules_text

    output = {"text": rules_text, "json": rules_json, "markdown": rules_markdown}[fmt]()
    sys.stdout.write(output)
    return EXIT_OK
