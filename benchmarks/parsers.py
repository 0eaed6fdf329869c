"""Compare the Markdown parsers the pipeline could use, and print a Markdown table.

    python benchmarks/parsers.py [--articles DIR] [--output FILE] [--rounds N] [--leak-parses N]

Run it with an interpreter that has the candidates installed, ideally a scratch venv so that the
project's environments are not altered:

    python3 -m venv /tmp/parsers-venv
    /tmp/parsers-venv/bin/pip install markdown-it-py mdit-py-plugins comrak-ext pyromark \\
        cmarkgfm markdown-it-pyrs
    /tmp/parsers-venv/bin/python benchmarks/parsers.py --output /tmp/parsers.md

A candidate that is not installed is skipped. For each installed one it measures:

- conformance: the share of the CommonMark 0.31.2 spec examples (tests/data/commonmark/) whose
  HTML matches the spec's after the spec tooling's normalisation (`normalize_html`, the same
  rules as tests/test_commonmark_spec.py), with the pipeline's profile: CommonMark, raw HTML
  passed through, pipe tables and strikethrough; and how many of the 10 GFM table and
  strikethrough examples match (only the HTML is compared, so writing <s> for <del> counts as
  a difference);
- source positions: whether every block and every inline of a sample document gets a position
  from the Python API, checked by walking what the API returns;
- time: a parse to the structure the API exposes, visiting each of its nodes once (the least a
  rule walking it costs), and Markdown to HTML, per article, on the bodies (after the front
  matter) of the articles in `--articles`: the median over `--rounds` rounds of the mean per
  article, with the candidates interleaved. This uses the full profile the pipeline will need:
  the one above plus footnotes, subscript and superscript where the candidate has them;
- memory: the growth of the peak resident set size over `--leak-parses` parses, then over as
  many HTML renders, after a warm-up, each candidate in a fresh process (a leak shows as growth
  that scales with the count);
- the last release on PyPI, from its JSON API (a wheel's build time when PyPI is unreachable).
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from html.entities import name2codepoint
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "tests" / "data" / "commonmark" / "spec-0.31.2.json"
GFM = ROOT / "tests" / "data" / "commonmark" / "gfm-extensions.json"

# A document with every kind of block and inline the articles use, for the position check.
POSITION_SAMPLE = (
    "# Title *em*\n\nPara with **strong**, `code`, [a link](u) and ![an image](i.png).\n\n"
    "- item *a*\n- item b\n\n1. first\n2. second\n\n| h | i |\n|---|---|\n| c | ~~d~~ |\n\n"
    "> quote\n\n```\nfence\n```\n\n    indented\n\n---\n\n<div>\nraw\n</div>\n"
)


# --- HTML normalisation: the rules of the CommonMark spec's test tooling --------------------
# (normalize.py in commonmark/commonmark-spec); kept identical to tests/test_commonmark_spec.py,
# which explains them. This script is standalone, so it does not import the test module.

_BLOCK_TAGS = frozenset({
    "article", "header", "aside", "hgroup", "blockquote", "hr", "iframe", "body", "li", "map",
    "button", "object", "canvas", "ol", "caption", "output", "col", "p", "colgroup", "pre", "dd",
    "progress", "div", "section", "dl", "table", "td", "dt", "tbody", "embed", "textarea",
    "fieldset", "tfoot", "figcaption", "th", "figure", "thead", "footer", "tr", "form", "ul",
    "h1", "h2", "h3", "h4", "h5", "h6", "video", "script", "style",
})
_ASCII_WHITESPACE = " \t\n\r\f"
_WHITESPACE = re.compile(f"[{_ASCII_WHITESPACE}]+")
_CHUNKS = re.compile(r"<!\[CDATA\[.*?\]\]>|<[^>]*>|[^<]+", re.DOTALL)
_ESCAPES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;"}


class _Normaliser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.output = ""
        self.last = "starttag"
        self.last_tag = ""
        self.in_pre = False

    def handle_data(self, data: str) -> None:
        after_tag = self.last in ("starttag", "endtag")
        if after_tag and self.last_tag == "br":
            data = data.lstrip("\n")
        if not self.in_pre:
            data = _WHITESPACE.sub(" ", data)
            if after_tag and self.last_tag in _BLOCK_TAGS:
                data = data.lstrip(" ") if self.last == "starttag" else data.strip(" ")
        self.output += data
        self.last = "data"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pre":
            self.in_pre = True
        if tag in _BLOCK_TAGS:
            self.output = self.output.rstrip(_ASCII_WHITESPACE)
        self.output += "<" + tag + "".join(
            f" {key}" if value is None else f' {key}="{escape(value, quote=True)}"'
            for key, value in sorted(attrs, key=lambda pair: (pair[0], pair[1] or "")))
        self.output += ">"
        self.last_tag = tag
        self.last = "starttag"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.last = "endtag"

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self.in_pre = False
        elif tag in _BLOCK_TAGS:
            self.output = self.output.rstrip(_ASCII_WHITESPACE)
        self.output += f"</{tag}>"
        self.last_tag = tag
        self.last = "endtag"

    def handle_comment(self, data: str) -> None:
        self.output += f"<!--{data}-->"
        self.last = "comment"

    def handle_decl(self, decl: str) -> None:
        self.output += f"<!{decl}>"
        self.last = "decl"

    def unknown_decl(self, data: str) -> None:
        self.handle_decl(data)

    def handle_pi(self, data: str) -> None:
        self.output += f"<?{data}>"
        self.last = "pi"

    def handle_entityref(self, name: str) -> None:
        code = name2codepoint.get(name)
        self._reference(None if code is None else chr(code), f"&{name};")

    def handle_charref(self, name: str) -> None:
        try:
            char = chr(int(name[1:], 16) if name[:1] in "xX" else int(name))
        except (ValueError, OverflowError):
            char = None
        self._reference(char, f"&#{name};")

    def _reference(self, char: str | None, written: str) -> None:
        self.output += written if char is None else _ESCAPES.get(char, char)
        self.last = "ref"


def normalize_html(html: str) -> str:
    parser = _Normaliser()
    for chunk in _CHUNKS.finditer(html):
        if chunk.group().startswith("<![CDATA["):
            parser.output += chunk.group()
        else:
            parser.feed(chunk.group())
    parser.close()
    return parser.output.strip(_ASCII_WHITESPACE)


# --- the candidates --------------------------------------------------------------------------

@dataclass
class Positions:
    """How many blocks and inlines of POSITION_SAMPLE the API gives a position."""

    unit: str
    blocks: tuple[int, int]
    inlines: tuple[int, int]


@dataclass
class Candidate:
    name: str
    distributions: list[str]  # PyPI names; the first one is the parser itself
    spec_html: Callable[[str], str]  # the pipeline's profile, for conformance
    parse: Callable[[str], int] | None  # the full profile: parse, visit every node, count them
    html: Callable[[str], str]  # the full profile, Markdown to HTML
    parse_api: str
    missing: str  # what of footnotes / sub / sup the full profile lacks
    positions: Callable[[], Positions]


def _count(flags: list[bool]) -> tuple[int, int]:
    return sum(flags), len(flags)


def _visit_tree(node: Any) -> int:
    """Visit every node under `node` once (what a rule walking the tree costs at least)."""
    return 1 + sum(_visit_tree(child) for child in node.children)


def _markdown_it_py() -> Candidate:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.subscript import sub_plugin
    from mdit_py_plugins.superscript import superscript_plugin

    # pipeline.load.markdown_parser(32), and the same with the plugins the pipeline will add
    profile = MarkdownIt("commonmark", {"html": True, "maxNesting": 32})
    profile.enable(["table", "strikethrough"])
    full = MarkdownIt("commonmark", {"html": True, "maxNesting": 32})
    full.enable(["table", "strikethrough"])
    full.use(footnote_plugin).use(sub_plugin).use(superscript_plugin)

    def parse(text: str) -> int:
        return sum(1 + len(token.children or ()) for token in full.parse(text))

    def positions() -> Positions:
        tokens = profile.parse(POSITION_SAMPLE)
        blocks = [t.map is not None for t in tokens if t.nesting >= 0 and t.type != "inline"]
        inlines = [c.map is not None for t in tokens for c in t.children or [] if c.nesting >= 0]
        return Positions("line ranges", _count(blocks), _count(inlines))

    return Candidate("markdown-it-py + mdit-py-plugins", ["markdown-it-py", "mdit-py-plugins"],
                     profile.render, parse, full.render, "`MarkdownIt.parse` (tokens)", "",
                     positions)


def _markdown_it_pyrs() -> Candidate:
    import markdown_it_pyrs

    profile = markdown_it_pyrs.MarkdownIt("commonmark").enable_many(["table", "strikethrough"])
    full = markdown_it_pyrs.MarkdownIt("commonmark").enable_many(
        ["table", "strikethrough", "footnote"])
    block_names = {"heading", "lheading", "paragraph", "bullet_list", "ordered_list", "list_item",
                   "table", "thead", "tbody", "trow", "tcell", "blockquote", "fence",
                   "code_block", "html_block", "hr"}

    def positions() -> Positions:
        blocks: list[bool] = []
        inlines: list[bool] = []

        def walk(node: Any) -> None:
            for child in node.children:
                (blocks if child.name in block_names else inlines).append(
                    child.srcmap is not None)
                walk(child)

        walk(profile.tree(POSITION_SAMPLE))
        return Positions("byte offsets", _count(blocks), _count(inlines))

    return Candidate("markdown-it-pyrs", ["markdown-it-pyrs"], profile.render,
                     lambda text: _visit_tree(full.tree(text)), full.render,
                     "`MarkdownIt.tree` (nodes)", "sub, sup", positions)


def _comrak() -> Candidate:
    import comrak

    render = comrak.RenderOptions(unsafe_=True)
    profile_ext = comrak.ExtensionOptions(table=True, strikethrough=True)
    full_ext = comrak.ExtensionOptions(table=True, strikethrough=True, footnotes=True,
                                       subscript=True, superscript=True)
    block_types = {"Heading", "Paragraph", "List", "Item", "Table", "TableRow", "TableCell",
                   "BlockQuote", "CodeBlock", "HtmlBlock", "ThematicBreak"}

    def positions() -> Positions:
        blocks: list[bool] = []
        inlines: list[bool] = []

        def walk(node: Any) -> None:
            for child in node.children:
                start = child.sourcepos.start
                (blocks if type(child.node_value).__name__ in block_types else inlines).append(
                    start.line > 0 and start.column > 0)
                walk(child)

        walk(comrak.parse_document(POSITION_SAMPLE, profile_ext))
        return Positions("line:column (bytes)", _count(blocks), _count(inlines))

    return Candidate(
        "comrak (comrak-ext)", ["comrak-ext"],
        lambda text: comrak.markdown_to_html(text, profile_ext, None, render),
        lambda text: _visit_tree(comrak.parse_document(text, full_ext)),
        lambda text: comrak.markdown_to_html(text, full_ext, None, render),
        "`parse_document` (AST)", "", positions)


def _pyromark() -> Candidate:
    import pyromark

    options = pyromark.Options
    profile = pyromark.Markdown(options=options.ENABLE_TABLES | options.ENABLE_STRIKETHROUGH)
    full = pyromark.Markdown(options=options.ENABLE_TABLES | options.ENABLE_STRIKETHROUGH
                             | options.ENABLE_FOOTNOTES | options.ENABLE_SUBSCRIPT
                             | options.ENABLE_SUPERSCRIPT)
    block_tags = {"Heading", "Paragraph", "List", "Item", "Table", "TableHead", "TableRow",
                  "TableCell", "BlockQuote", "CodeBlock", "HtmlBlock"}

    def positions() -> Positions:
        blocks: list[bool] = []
        inlines: list[bool] = []
        for event, span in profile.events_with_range(POSITION_SAMPLE):
            kind = event if isinstance(event, str) else next(iter(event))
            if kind == "End":
                continue
            tag = event["Start"] if kind == "Start" else kind
            tag = tag if isinstance(tag, str) else next(iter(tag))
            block = tag in block_tags or kind == "Rule"
            (blocks if block else inlines).append(span["end"] >= span["start"] >= 0)
        return Positions("byte offsets", _count(blocks), _count(inlines))

    # events_with_range returns a one-shot iterator that makes the events as it is read
    return Candidate("pyromark (pulldown-cmark)", ["pyromark"], profile.html,
                     lambda text: len(list(full.events_with_range(text))), full.html,
                     "`events_with_range` (events)", "", positions)


def _cmarkgfm() -> Candidate:
    import cmarkgfm
    from cmarkgfm.cmark import Options

    extensions = ["table", "strikethrough"]
    profile_options = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE
    full_options = profile_options | Options.CMARK_OPT_FOOTNOTES

    def positions() -> Positions:
        # The Python API has no tree (its cffi library exposes only cmark_node_get_type), so
        # positions can only come as data-sourcepos attributes in the rendered HTML.
        html = cmarkgfm.markdown_to_html_with_extensions(
            POSITION_SAMPLE, profile_options | Options.CMARK_OPT_SOURCEPOS, extensions)
        tags = re.findall(r"<(\w+)([^>]*)>", html)
        block = {"h1", "p", "ul", "ol", "li", "table", "tr", "th", "td", "blockquote", "pre",
                 "hr"}  # cmark-gfm has no node for thead and tbody
        blocks = [("data-sourcepos" in attrs) for tag, attrs in tags if tag in block]
        inlines = [("data-sourcepos" in attrs) for tag, attrs in tags
                   if tag in {"em", "strong", "a", "img", "del"}]
        return Positions("in the HTML only", _count(blocks), _count(inlines))

    return Candidate(
        "cmarkgfm (cmark-gfm)", ["cmarkgfm"],
        lambda text: cmarkgfm.markdown_to_html_with_extensions(text, profile_options,
                                                               extensions),
        None,
        lambda text: cmarkgfm.markdown_to_html_with_extensions(text, full_options, extensions),
        "none (HTML only)", "sub, sup", positions)


FACTORIES: dict[str, Callable[[], Candidate]] = {
    "markdown-it-py": _markdown_it_py,
    "markdown-it-pyrs": _markdown_it_pyrs,
    "comrak": _comrak,
    "pyromark": _pyromark,
    "cmarkgfm": _cmarkgfm,
}


def load_candidates() -> dict[str, Candidate]:
    candidates = {}
    for key, factory in FACTORIES.items():
        try:
            candidates[key] = factory()
        except ImportError as error:
            print(f"skipped {key}: {error}", file=sys.stderr)
    return candidates


# --- measurements ----------------------------------------------------------------------------

def article_bodies(directory: Path) -> list[str]:
    """The Markdown of every `*.md` in `directory`, after its YAML front matter."""
    bodies = []
    for path in sorted(directory.glob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        start = 0
        if lines and lines[0].rstrip() == "---":
            ends = [i for i, line in enumerate(lines[1:], 1) if line.rstrip() in ("---", "...")]
            start = ends[0] + 1 if ends else 0
        bodies.append("".join(lines[start:]))
    return bodies


def conformance(candidate: Candidate, examples: list[dict[str, Any]]) -> tuple[int, int]:
    passed = 0
    for example in examples:
        try:
            html = candidate.spec_html(example["markdown"])
        except Exception:  # a crash on an example is a failure to conform
            continue
        passed += normalize_html(html) == normalize_html(example["html"])
    return passed, len(examples)


def timings(candidates: dict[str, Candidate], bodies: list[str], rounds: int,
            ) -> dict[str, dict[str, float]]:
    """Median over rounds of the mean time per article, in ms, for parse and for HTML."""
    runs: dict[tuple[str, str], list[float]] = {}
    jobs = [(key, kind, function) for key, candidate in candidates.items()
            for kind, function in (("parse", candidate.parse), ("html", candidate.html))
            if function is not None]
    for _, _, function in jobs:  # warm-up: imports, caches, first allocations
        for body in bodies:
            function(body)
    for _ in range(rounds):
        for key, kind, function in jobs:
            gc.collect()
            start = time.perf_counter()
            for body in bodies:
                function(body)
            runs.setdefault((key, kind), []).append(
                (time.perf_counter() - start) * 1000 / len(bodies))
    result: dict[str, dict[str, float]] = {}
    for (key, kind), values in runs.items():
        result.setdefault(key, {})[kind] = statistics.median(values)
    return result


def _peak_rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def memory_probe(key: str, articles: Path, parses: int) -> dict[str, float]:
    """In this process: peak RSS growth (MB) over `parses` parses, then as many HTML renders."""
    candidate = FACTORIES[key]()
    bodies = article_bodies(articles)
    result = {}
    for kind, function in (("parse", candidate.parse), ("html", candidate.html)):
        if function is None:
            continue
        for _ in range(3):  # warm-up
            for body in bodies:
                function(body)
        gc.collect()
        before = _peak_rss_kb()
        for index in range(parses):
            function(bodies[index % len(bodies)])
        gc.collect()
        result[kind] = (_peak_rss_kb() - before) / 1024
    return result


def memory(key: str, articles: Path, parses: int) -> dict[str, float] | None:
    command = [sys.executable, str(Path(__file__).resolve()), "--memory-probe", key,
               "--articles", str(articles), "--leak-parses", str(parses)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
    if done.returncode != 0:
        print(f"memory probe of {key} failed: {done.stderr.strip()}", file=sys.stderr)
        return None
    result: dict[str, float] = json.loads(done.stdout)
    return result


def last_release(distribution: str) -> tuple[str, str]:
    """(latest version, date of its upload) from PyPI; a wheel's build time as a fallback."""
    try:
        url = f"https://pypi.org/pypi/{distribution}/json"
        with urllib.request.urlopen(url, timeout=20) as response:
            data = json.load(response)
        version = data["info"]["version"]
        uploads = [file["upload_time_iso_8601"] for file in data["releases"].get(version, [])]
        if uploads:
            return version, min(uploads)[:10]
    except (OSError, ValueError, KeyError) as error:
        print(f"PyPI JSON API unavailable for {distribution}: {error}", file=sys.stderr)
    return _release_from_pip(distribution)


def _release_from_pip(distribution: str) -> tuple[str, str]:
    pip = [sys.executable, "-m", "pip"]
    listing = subprocess.run([*pip, "index", "versions", distribution], capture_output=True,
                             text=True, check=False).stdout
    match = re.search(r"\(([^)]+)\)", listing)
    version = match.group(1) if match else "?"
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run([*pip, "download", "--no-deps", "--only-binary", ":all:", "-q",
                        "-d", scratch, f"{distribution}=={version}"], capture_output=True,
                       check=False)
        for wheel in Path(scratch).glob("*.whl"):
            with zipfile.ZipFile(wheel) as archive:
                stamp = max(info.date_time for info in archive.infolist())
            if stamp[0] > 1980:  # reproducible builds stamp every file 1980-01-01
                return version, f"{datetime(*stamp):%Y-%m-%d} (wheel build time)"
    return version, "unknown"


def installed_version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "?"


# --- the report ------------------------------------------------------------------------------

def _positions_cell(counted: tuple[int, int], unit: str) -> str:
    have, total = counted
    if have == 0:
        return "no"
    if have == total:
        return f"yes, {unit}"
    return f"{have} of {total}, {unit}"


def _months_ago(date: str) -> str:
    try:
        released = datetime.strptime(date[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return ""
    return f" ({(datetime.now(UTC) - released).days / 30.44:.0f} mo)"


def report(rows: Iterator[dict[str, Any]], context: str, leak_parses: int) -> str:
    lines = [
        context, "",
        "| parser (version) | CommonMark 0.31.2 examples | GFM table + strikethrough | "
        "block positions | inline positions | tree API | parse ms/article | HTML ms/article | "
        f"peak RSS growth over {leak_parses:,} (MB): parse / HTML | last release | lacks |",
        "|---|---:|---:|---|---|---|---:|---:|---:|---|---|",
    ]
    for row in rows:
        passed, total = row["spec"]
        gfm_passed, gfm_total = row["gfm"]
        parse = row["time"].get("parse")
        html = row["time"].get("html")
        growth = row["memory"]
        lines.append(" | ".join([
            f"| {row['name']} ({row['version']})",
            f"{passed}/{total} ({100 * passed / total:.1f}%)",
            f"{gfm_passed}/{gfm_total}",
            _positions_cell(row["positions"].blocks, row["positions"].unit),
            _positions_cell(row["positions"].inlines, row["positions"].unit),
            row["parse_api"],
            "—" if parse is None else f"{parse:.3f}",
            "—" if html is None else f"{html:.3f}",
            "—" if growth is None else " / ".join(
                f"{growth[kind]:+.1f}" if kind in growth else "—" for kind in ("parse", "html")),
            "; ".join((f"{name} " if len(row["release"]) > 1 else "")
                      + f"{version}, {date}{_months_ago(date)}"
                      for name, (version, date) in row["release"].items()),
            row["missing"] or "—",
        ]) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, default=ROOT / "articles")
    parser.add_argument("--output", type=Path, help="also write the table to this file")
    parser.add_argument("--rounds", type=int, default=30, help="timing rounds (default 30)")
    parser.add_argument("--leak-parses", type=int, default=2000)
    parser.add_argument("--memory-probe", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.memory_probe:
        print(json.dumps(memory_probe(args.memory_probe, args.articles, args.leak_parses)))
        return 0

    candidates = load_candidates()
    if not candidates:
        print("no candidate parser is installed", file=sys.stderr)
        return 1
    bodies = article_bodies(args.articles)
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    gfm = json.loads(GFM.read_text(encoding="utf-8"))
    times = timings(candidates, bodies, args.rounds)

    def rows() -> Iterator[dict[str, Any]]:
        for key, candidate in candidates.items():
            yield {
                "name": candidate.name,
                "version": " + ".join(installed_version(d) for d in candidate.distributions),
                "spec": conformance(candidate, spec),
                "gfm": conformance(candidate, gfm),
                "positions": candidate.positions(),
                "parse_api": candidate.parse_api,
                "time": times.get(key, {}),
                "memory": memory(key, args.articles, args.leak_parses),
                "release": {name: last_release(name) for name in candidate.distributions},
                "missing": candidate.missing,
            }

    context = (
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {platform.machine()}, "
        f"{len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}"
        f"; {len(bodies)} article bodies ({sum(map(len, bodies)) / len(bodies) / 1024:.1f} KB "
        f"mean), median of {args.rounds} rounds.")
    table = report(rows(), context, args.leak_parses)
    print(table)
    if args.output:
        args.output.write_text(table, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
