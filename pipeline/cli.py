"""Command line: options → a plain request, one call into a stage, an exit code.

Exit codes: 0 no error, 1 at least one error in the content, 2 usage or configuration error.
Results go to stdout; problems of the tool itself go to stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from pipeline.fsio import write_atomically

if TYPE_CHECKING:
    from pipeline.check import CheckResult
    from pipeline.config import Config
    from pipeline.publish.work import Progress

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
# From this many articles a run is long enough to show its progress on a terminal.
PROGRESS_FROM = 200


@dataclass(frozen=True)
class CheckRequest:
    paths: tuple[Path, ...]
    format: str
    output: Path | None
    quiet: bool
    statistics: bool
    changed_since: str | None = None  # git ref: check only the articles changed since it
    fix: bool = False  # apply the safe fixes first
    progress: bool | None = None  # None: on a terminal, outside CI, for a long run


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
    check.add_argument("--changed-since", metavar="REF",
                       help="check only the articles changed since the git REF (and those "
                            "the change may break), e.g. origin/main")
    check.add_argument("--fix", action="store_true",
                       help="apply the safe fixes (licence ids, heading names, whitespace) "
                            "and report what changed")
    check.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="progress on stderr (default: on a terminal outside CI, from "
                            f"{PROGRESS_FROM} articles, not with --quiet)")

    publish = commands.add_parser(
        "publish", help="check, then render HTML, JSON and PDF into the build folder")
    publish.add_argument("--out", type=Path, default=Path("build"), metavar="DIR",
                         help="output folder (default: build)")
    publish.add_argument("--formats", "--format", action="append", metavar="LIST",
                         help="outputs among html, json, pdf, comma-separated or repeated "
                              "(default: all)")
    publish.add_argument("--jobs", "-j", type=int, default=0, metavar="N",
                         help="parallel workers (default: one per core)")
    publish.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                         help="progress bar (default: on a terminal outside CI)")
    publish.add_argument("--scheduler", metavar="ADDR",
                         help="run the work on the Dask cluster of this scheduler, e.g. "
                              "tcp://host:8786 (needs pip install '.[dask]')")
    publish.add_argument("--book", action="append", default=[], metavar="CATEGORY",
                         help="also write the print book of this category, "
                              "print/books/<category>.pdf (repeatable; adds to `books` in "
                              "[tool.pipeline]; needs the pdf output)")
    publish.add_argument("-q", "--quiet", action="store_true",
                         help="no progress and no summary line")

    serve = commands.add_parser(
        "serve", help="preview the site locally; pages reload on save and list their problems")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0: any)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only)")

    rules = commands.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")

    new = commands.add_parser("new", help="start a new article from the schema's outline")
    new.add_argument("title", help='the article\'s title, e.g. "Coeliac disease"')
    new.add_argument("--type", dest="kind", metavar="TYPE",
                     help="the type of article: condition, drug or topic (as the schema "
                          "defines them)")
    new.add_argument("--slug", metavar="SLUG",
                     help="file name without .md (default: made from the title)")

    importer = commands.add_parser(
        "import", help="MediaWiki wikitext, XML exports or saved pages -> draft articles")
    importer.add_argument("sources", nargs="+", type=Path, metavar="SOURCE",
                          help=".wiki/.mediawiki/.txt wikitext, a Special:Export XML file, "
                               "or a page saved as text")
    importer.add_argument("--type", dest="kind", metavar="T",
                          help="article type (default: from the infobox, else the outline "
                               "the headings fit best)")
    importer.add_argument("--out", type=Path, metavar="DIR",
                          help="folder for the drafts (default: the articles folder)")
    importer.add_argument("--source-url", metavar="URL",
                          help="the page's address, for adapted_from (one page only)")
    importer.add_argument("--format", choices=("text", "json"), default="text",
                          help="report format (default: text)")

    schema = commands.add_parser(
        "schema", help="print the JSON Schema of the front matter, for editors")
    schema.add_argument("--output", type=Path, metavar="FILE",
                        help="write the schema to FILE instead of stdout")
    schema.add_argument("--draft", choices=("7", "2020-12"), default="7",
                        help="JSON Schema dialect (default: 7, what the YAML language "
                             "server reads)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) if exit_.code in (0, None) else EXIT_USAGE
    from pipeline.config import ConfigError
    from pipeline.extras import MissingExtra

    try:
        if args.command == "check":
            request = CheckRequest(tuple(args.paths), args.format, args.output, args.quiet,
                                   args.statistics, args.changed_since, args.fix,
                                   args.progress)
            return run_check(request)
        if args.command == "new":
            return run_new(args.title, args.kind, args.slug)
        if args.command == "import":
            return run_import(args.sources, args.kind, args.out, args.source_url, args.format)
        if args.command == "schema":
            return run_schema(args.output, args.draft)
        if args.command == "rules":
            return run_rules(args.format)
        if args.command == "serve":
            return run_serve(args.host, args.port)
        if args.command == "publish":
            return run_publish(args.out, args.formats, args.jobs, args.progress,
                               args.scheduler, args.book, args.quiet)
    except MissingExtra as error:
        print(f"pipeline: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as error:
        print(f"pipeline: configuration error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `pipeline check | head`: the reader left; stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERRORS
    parser.print_usage(sys.stderr)
    return EXIT_USAGE


def run_check(request: CheckRequest) -> int:
    from pipeline.check import check_paths
    from pipeline.config import load_config
    from pipeline.report import Report, formatter
    from pipeline.report.text import summary

    started = time.perf_counter()
    config = load_config()
    paths = _changed_and_fixed(config, request)
    if paths is None:
        return EXIT_USAGE
    # no PATH means the whole corpus; only --changed-since can narrow it down to nothing
    nothing = request.changed_since is not None and not paths
    progress = _progress_wanted(request.progress, request.quiet)
    result = _nothing_checked() if nothing else check_paths(
        config, paths or None, progress=None if progress is False else
        _check_progress(forced=progress is True))
    color = request.output is None and request.format == "text" and use_color(sys.stdout)
    report = Report(result.diagnostics, files=result.files,
                    seconds=time.perf_counter() - started, color=color)
    text = formatter(request.format)(report)
    if request.statistics:
        text += statistics(report) if request.format in ("text", "concise") else ""
    if request.output is not None:
        try:
            write_atomically(request.output, text.encode("utf-8"))
        except OSError as error:
            print(f"pipeline: cannot write the report to {request.output}: "
                  f"{error.strerror or error}", file=sys.stderr)
            return EXIT_USAGE
    else:
        sys.stdout.write(text)
    if not request.quiet:
        stream = sys.stdout if request.output is None and request.format == "text" else sys.stderr
        line = summary(Report(report.diagnostics, report.files, report.seconds,
                              use_color(stream)))
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


def _progress_wanted(progress: bool | None, quiet: bool) -> bool | None:
    """True: shown (asked for); False: never; None: shown on a terminal outside CI when the
    run turns out long (`PROGRESS_FROM` articles or more)."""
    if progress is not None:
        return progress
    if quiet or os.environ.get("CI") or not sys.stderr.isatty():
        return False
    return None


def _check_progress(forced: bool) -> Callable[[str, int], Progress | None]:
    from pipeline.publish.work import Progress

    def start(phase: str, total: int) -> Progress | None:
        return Progress(total, phase) if forced or total >= PROGRESS_FROM else None

    return start


def _previous_build(where: Path, out: Path) -> str:
    """What a failed publish left in `out` (at `where`): said only when there was a build."""
    from pipeline.publish import MANIFEST

    return ("the previous build is unchanged" if (where / MANIFEST).is_file()
            else f"nothing was published to {out}")


def run_publish(out: Path, formats: list[str] | None, jobs: int, progress: bool | None,
                scheduler: str | None = None, books: list[str] | None = None,
                quiet: bool = False) -> int:
    from dataclasses import replace

    from pipeline.config import ConfigError, load_config
    from pipeline.extras import DASK, PDF, require
    from pipeline.publish import FORMATS, PublishRequest, publish
    from pipeline.report import Report, formatter

    named = {f.strip() for value in formats or list(FORMATS) for f in value.split(",")} - {""}
    unknown = sorted(named - set(FORMATS))
    chosen = tuple(f for f in FORMATS if f in named)  # one order: the same build either way
    if unknown or not chosen:
        raise ConfigError(f"--formats: unknown output(s) {', '.join(unknown) or '(none)'}; "
                          f"choose among {', '.join(FORMATS)}")
    if jobs < 0:
        raise ConfigError("--jobs must be 0 (one per core) or more")
    if books and "pdf" not in chosen:
        raise ConfigError("--book needs the pdf output: add pdf to --formats")
    wanted = _progress_wanted(progress, quiet)
    started = time.perf_counter()
    config = load_config()
    scheduler = scheduler or config.scheduler
    # before any work: the optional extras this publish needs, then the books' categories
    require(*([PDF] if "pdf" in chosen else []), *([DASK] if scheduler else []))
    if books:
        config = replace(config, books=tuple(sorted({*config.books, *books})))
    if config.books and "pdf" in chosen:
        from pipeline.render.book import corpus_categories, unknown_books

        problem = unknown_books(config.books, corpus_categories(config))
        if problem is not None:
            raise problem
    from pipeline.publish.distributed import ClusterError

    where = out if out.is_absolute() else config.root / out
    try:
        result = publish(config, PublishRequest(
            out=out, formats=chosen, jobs=jobs, progress=wanted is not False,
            scheduler=scheduler, progress_from=0 if wanted else PROGRESS_FROM))
    except ClusterError as error:
        print(f"pipeline: {error}; {_previous_build(where, out)}", file=sys.stderr)
        return EXIT_USAGE
    elapsed = time.perf_counter() - started
    if result.diagnostics:
        report = Report(result.diagnostics, color=use_color(sys.stdout))
        sys.stdout.write(formatter("text")(report))
    if not result.ok:
        errors = sum(1 for d in result.diagnostics if d.severity == "error")
        sys.stderr.write(f"Publish refused: {errors} error(s); {_previous_build(where, out)}.\n")
        return EXIT_ERRORS
    if quiet:
        return EXIT_OK
    sys.stderr.write(f"Published {result.rendered + result.reused} articles "
                     f"({result.rendered} rendered, {result.reused} unchanged) and "
                     f"{result.files} files to {out} in {elapsed:.2f}s\n")
    return EXIT_OK


def run_serve(host: str, port: int) -> int:
    from pipeline.config import load_config
    from pipeline.serve import serve

    config = load_config()
    try:
        server = serve(config, host, port)
    except OSError as error:
        print(f"pipeline: cannot listen on {host}:{port}: {error.strerror or error}",
              file=sys.stderr)
        return EXIT_USAGE
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    print(f"Previewing {config.articles} on http://{bound_host}:{bound_port}/ "
          "(Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return EXIT_OK


def run_rules(fmt: str) -> int:
    from pipeline.rules_doc import rules_json, rules_markdown, rules_text

    output = {"text": rules_text, "json": rules_json, "markdown": rules_markdown}[fmt]()
    sys.stdout.write(output)
    return EXIT_OK


# -- editors and contributors: new, schema, --changed-since, --fix -------------------------------


def _changed_and_fixed(config: Config, request: CheckRequest) -> list[Path] | None:
    """The paths to check: as given, narrowed by --changed-since; fixed first with --fix.

    [] means nothing to check; None means a usage error, already reported on stderr.
    """
    paths = list(request.paths)
    to_fix = paths or [config.articles]
    if request.changed_since is not None:
        from pipeline.changes import ChangesError, changed_articles

        try:
            change = changed_articles(config, request.changed_since, paths or None)
        except ChangesError as error:
            print(f"pipeline: {error}", file=sys.stderr)
            return None
        paths, to_fix = change.targets, list(change.changed)  # fix only what was changed
    if request.fix:
        from pipeline.check import discover
        from pipeline.fix import fix_paths

        files, _ = discover(to_fix, config) if to_fix else ([], [])
        fixed = fix_paths(config, files)
        for problem in fixed.problems:
            print(f"pipeline: {problem}", file=sys.stderr)
        if fixed.fixes and not request.quiet:
            text = request.output is None and request.format == "text"
            stream = sys.stdout if text else sys.stderr
            stream.write("".join(f"{fix}\n" for fix in fixed.fixes))
            count = len(fixed.fixes)
            stream.write(f"Fixed {count} problem{'s' if count != 1 else ''} in "
                         f"{fixed.files} file{'s' if fixed.files != 1 else ''}.\n")
    return paths


def _nothing_checked() -> CheckResult:
    from pipeline.check import CheckResult

    return CheckResult([], files=[])


def run_new(title: str, kind: str | None, slug: str | None) -> int:
    from pipeline.config import load_config
    from pipeline.fsio import display_path
    from pipeline.new import NewArticleError, create

    try:
        created = create(load_config(), title, kind, slug)
    except NewArticleError as error:
        print(f"pipeline new: {error}", file=sys.stderr)
        return error.exit_code
    where = display_path(created.path)
    count, todo = len(created.sections), created.placeholders
    sys.stdout.write(f"Created {where}: a {created.kind} with {count} "
                     f"section{'' if count == 1 else 's'} ({', '.join(created.sections)}).\n"
                     f"Replace its {todo} TODO placeholder{'' if todo == 1 else 's'}, then run "
                     f"`pipeline check {where}`.\n")
    return EXIT_OK


def run_import(sources: list[Path], kind: str | None, out: Path | None,
               source_url: str | None, fmt: str) -> int:
    from pipeline.config import load_config
    from pipeline.importer import ImportFailure, format_report, import_pages

    try:
        result = import_pages(load_config(), sources, kind, out, source_url)
    except ImportFailure as error:
        print(f"pipeline import: {error}", file=sys.stderr)
        return error.exit_code
    sys.stdout.write(format_report(result, fmt))
    return EXIT_OK


def run_schema(output: Path | None, draft: str) -> int:
    from pipeline.config import load_config
    from pipeline.editor_schema import editor_schema_text
    from pipeline.schema import load_schema

    text = editor_schema_text(load_schema(load_config().schema), draft)
    if output is not None:
        write_atomically(output, text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    return EXIT_OK
