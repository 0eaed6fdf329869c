"""Check stage: find the articles, load them, validate them, run the rules, apply the inline
suppressions (`<!-- pipeline: ignore ... -->`), filter by config.

Nothing here writes files; problems are returned as data, sorted by path and position.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Protocol

from pipeline.config import Config, Limits
from pipeline.diagnostics import Diagnostic, make
from pipeline.fsio import display_path, read_regular_file
from pipeline.load import article_files, load_file
from pipeline.model import Article
from pipeline.rules import run_rules, suppressions
from pipeline.rules.context import Context, Corpus
from pipeline.rules.files import name_collisions, slug_problems
from pipeline.rules.files import symlink_problem as symlink_problem  # pipeline.serve uses it
from pipeline.rules.links import Title, duplicate_titles, folded_title
from pipeline.title_cache import Reader, article_entries, guarded_title, read_titles, refresh


class Shown(Protocol):
    """A progress display (`pipeline.publish.work.Progress`)."""

    def show(self, done: int) -> None: ...


# (phase, total) → a display for that phase, or None to show nothing
Starter = Callable[[str, int], Shown | None]


@dataclass
class CheckResult:
    diagnostics: list[Diagnostic]
    files: list[str]  # display paths of every file checked
    articles: dict[str, Article] = field(default_factory=dict)  # checked articles by slug

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "warning")


def discover(paths: list[Path], config: Config) -> tuple[list[Path], list[Diagnostic]]:
    """Markdown files under the given paths (folders are searched, images skipped), sorted."""
    found: list[Path] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in path.rglob("*.md") if p.is_file() or p.is_symlink())
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            problems.append(make(display_path(path), 1, 1, "SRC001", "no such file or folder"))
    unique = sorted(set(found), key=lambda p: display_path(p))
    return unique, problems


def corpus_files(config: Config) -> list[Path]:
    return article_files(config.articles)


PARALLEL_FROM = 48  # files: below this, forking workers costs more than it saves


@dataclass(frozen=True)
class Checked:
    """One file's outcome: its diagnostics, and the article when it loaded."""

    path: str
    diagnostics: list[Diagnostic]
    article: Article | None
    categories: tuple[str, ...] = ()  # for the corpus-wide name check (SEC104)
    title: Title | None = None  # for the corpus-wide title check (LNK106)


def check_paths(config: Config, paths: list[Path] | None = None, jobs: int = 0,
                keep_articles: bool = False, progress: Starter | None = None) -> CheckResult:
    """Check the given files (default: the whole corpus); cross-article rules see the corpus.

    Files are checked one at a time and, for large sets, in forked workers; loaded articles
    are kept only when `keep_articles` (memory then grows with the number of files).
    `progress(phase, total)` may return a display to which each checked file is reported."""
    targets, problems = discover(paths or [config.articles], config)
    context = Context(config=config, corpus=Corpus(config))
    diagnostics = list(problems)
    articles: dict[str, Article] = {}
    categories: dict[Path, tuple[str, ...]] = {}
    titles: dict[Path, Title] = {}
    display = progress("Checking", len(targets)) if progress is not None else None
    outcomes: list[Checked] = []
    for outcome in check_each(context, targets, jobs, keep_articles):
        outcomes.append(outcome)
        if display is not None:
            display.show(len(outcomes))
    for path, checked in zip(targets, outcomes, strict=True):
        diagnostics.extend(checked.diagnostics)
        categories[path] = checked.categories
        if checked.title is not None:
            titles[path] = checked.title
        if checked.article is not None:
            articles[checked.article.slug] = checked.article
    if paths:  # some files: their titles are compared with the rest of the corpus too
        rest = _other_titles(config, targets, titles)
        diagnostics.extend(corpus_problems(config, categories, titles, rest))
    else:
        diagnostics.extend(corpus_problems(config, categories, titles))
        refresh(config, title_reader(config))
    files = [display_path(p) for p in targets] + [d.path for d in problems]
    return CheckResult(sorted(diagnostics), files=files, articles=articles)


def check_one(context: Context, path: Path, keep_article: bool = True) -> Checked:
    """Load one file and run every check on it: schema and rules, suppressions, config."""
    config = context.config
    display = display_path(path)
    escape = symlink_problem(config, path, display)
    if escape is not None:  # never read: it could be any file of the machine, or never end
        return Checked(display, _configured([escape], config), None)
    result = load_file(path, display, config.limits)
    found = list(result.diagnostics)
    found.extend(slug_problems(config, path, display))
    article = result.article
    if article is not None:
        found.extend(run_rules(article, context))
        found = suppressions.apply(article, found)
    return Checked(display, _configured(found, config), article if keep_article else None,
                   _category_names(article), _title_of(article))


_SHARED: dict[str, Context] = {}


def check_each(context: Context, targets: list[Path], jobs: int = 0,
               keep_articles: bool = True) -> Iterator[Checked]:
    """Checked files in order; worker processes for large sets."""
    workers = jobs if jobs > 0 else (os.cpu_count() or 1)
    if workers <= 1 or len(targets) < PARALLEL_FROM or keep_articles:
        for path in targets:
            yield check_one(context, path, keep_articles)
        return
    from pipeline.workers import CHECK_SECONDS, batch_size, pool

    # Every worker answers "does another article link here?" from the same index, built
    # once before the workers start: the answer, and so what an inline suppression of
    # LNK104 silences, cannot depend on how the files are split between workers.
    context.corpus.mentioned_by("")
    with pool(workers, _start_worker, context) as executor:
        yield from executor.map(_check_in_worker, targets,
                                chunksize=batch_size(len(targets), workers, CHECK_SECONDS))


def _start_worker(context: Context) -> None:
    _SHARED["context"] = context


def _check_in_worker(path: Path) -> Checked:
    return check_one(_SHARED["context"], path, keep_article=False)


# -- names that become files, and links that lead out (SEC103, SEC104): pipeline.rules.files


def _other_titles(config: Config, targets: list[Path], titles: dict[Path, Title]
                  ) -> dict[Path, Title]:
    """The titles of the corpus's files other than `targets` that LNK106 could compare with
    theirs (`titles`): only a group of equal titles with a file checked in it is reported.
    Read through the title cache (`pipeline.title_cache`), which is brought up to date; when
    every file is checked, nothing is read, as for the whole corpus."""
    folder = os.path.abspath(config.articles)
    checked = {os.path.basename(absolute) for absolute in map(os.path.abspath, targets)
               if os.path.dirname(absolute) == folder}
    entries = article_entries(config.articles)
    if all(entry.name in checked for entry in entries):
        refresh(config, title_reader(config))
        return {}
    keys = {folded_title(title.text) for title in titles.values()}
    found = read_titles(config, entries, title_reader(config),
                        lambda text: folded_title(text) in keys)
    return {config.articles / name: title for name, title in found.items()
            if name not in checked}


def _category_names(article: Article | None) -> tuple[str, ...]:
    values = article.front_matter.get("categories") if article is not None else None
    if not isinstance(values, list):
        return ()
    return tuple(v for v in values if isinstance(v, str))


def _title_of(article: Article | None) -> Title | None:
    value = article.front_matter.get("title") if article is not None else None
    if article is None or not isinstance(value, str):
        return None
    span = article.source_map.value(("title",))
    return Title(value, span.line, span.column)


def corpus_problems(config: Config, categories: dict[Path, tuple[str, ...]],
                    titles: dict[Path, Title] | None = None,
                    rest: Mapping[Path, Title] | None = None,
                    known: dict[Path, str] | None = None) -> list[Diagnostic]:
    """The checks that need every article at once, with the configuration applied: names
    that share an output file (SEC104), titles that two articles share (LNK106).

    `categories` maps each article file checked to its category names; `titles`, to its
    title (read from the files when not given); `rest` maps other files of the corpus to
    their titles, which count without the files being reported. With `known` (each file's
    title as text, from a publish's listings) only the files whose titles collide are read,
    for the place of their title."""
    if titles is None:
        shared = None if known is None else _colliding(known)
        titles = {path: title for path in categories if shared is None or path in shared
                  if (title := read_title(path, config)) is not None}
    everyone = dict(titles)
    for path, title in (rest or {}).items():
        everyone.setdefault(path, title)
    found = name_collisions(config, categories) + duplicate_titles(everyone, titles)
    return _configured(found, config)


def _colliding(known: dict[Path, str]) -> set[Path]:
    """The files whose titles another file shares, as LNK106 compares titles."""
    groups: dict[str, list[Path]] = {}
    for path, text in known.items():
        groups.setdefault(folded_title(text), []).append(path)
    return {path for group in groups.values() if len(group) > 1 for path in group}


_PLAIN_TITLE = re.compile(r"title: +(?P<value>[^\s'\"\[\]{}|>&*!%@`#,?:-][^#]*?)[ \t]*")
_HEAD_BYTES = 4096  # the front matter's first lines, where the title is


def read_title(path: Path, config: Config) -> Title | None:
    """The title of an article file and where it is, as the loader would find it; None when
    the file has none, cannot be read, or is a link out of the repository (SEC103)."""
    return guarded_title(config, path, title_reader(config))


def title_reader(config: Config) -> Reader:
    """`title_in_file` with the project's limits: how the title cache reads a file."""
    return partial(title_in_file, limits=config.limits)


def title_in_file(path: Path, limits: Limits) -> Title | None:
    """`read_title` once SEC103 has let the file through, OSError when it cannot be read: a
    plain `title: ...` line near the top is read as it is; any other spelling through the
    YAML parser."""
    from pipeline.load import _front_matter_end, parse_front_matter

    data = read_regular_file(path, min(_HEAD_BYTES, limits.max_file_bytes))
    try:
        if len(data) > _HEAD_BYTES:
            head = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
            found = _leading_title(head)
            if found is not None:
                return found
            data = read_regular_file(path, limits.max_file_bytes)
        lines = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return None
    if len(data) > limits.max_file_bytes or any(len(line) > limits.max_line_chars
                                                  for line in lines):
        return None
    found = _plain_title(lines)
    if found is not None:
        return found
    close = _front_matter_end(lines)
    if close is None:
        return None
    front, source_map, _ = parse_front_matter(lines, close, display_path(path), limits)
    value = front.get("title") if front is not None else None
    if not isinstance(value, str):
        return None
    span = source_map.value(("title",))
    return Title(value, span.line, span.column)


def _leading_title(head: str) -> Title | None:
    """The plain `title:` line of a front matter that opens on the first line, when it comes
    before the front matter closes or `head` ends (the head of a long file: most articles
    name their title on line 2 and list their references for kilobytes after it; the lines
    are looked at one by one up to it, and the last one, which may be cut, never). A key
    at the start of a line of the front matter is a top-level key; a second `title:` key
    would make the front matter invalid, which the file's own check reports."""
    start = number = 0
    while (end := head.find("\n", start)) >= 0:
        line = head[start:end].rstrip("\r")
        if number == 0:
            if line != "---":
                return None
        elif line in ("---", "..."):
            return None
        elif line.startswith("title:"):
            return _title_line(line, number)
        start, number = end + 1, number + 1
    return None


def _plain_title(lines: list[str]) -> Title | None:
    """The title of a front matter that closes within `lines` and has one `title:` line,
    written plain (no quotes, no YAML syntax); None otherwise."""
    from pipeline.load import _front_matter_end

    close = _front_matter_end([line.rstrip("\r") for line in lines])
    if close is None:
        return None
    titled = [number for number in range(1, close) if lines[number].startswith("title:")]
    if len(titled) != 1:
        return None
    return _title_line(lines[titled[0]].rstrip("\r"), titled[0])


def _title_line(line: str, number: int) -> Title | None:
    """The title a `title: ...` line (index `number` in the file) writes plainly, as YAML
    would read it; None when YAML syntax or a decoding error could make it read otherwise."""
    plain = _PLAIN_TITLE.fullmatch(line)
    if plain is None or ": " in plain["value"] or "\ufffd" in plain["value"]:
        return None
    return Title(plain["value"], number + 1, plain.start("value") + 1)


def _configured(found: list[Diagnostic], config: Config) -> list[Diagnostic]:
    result = []
    for diagnostic in found:
        if not config.is_enabled(diagnostic.code, diagnostic.path):
            continue
        severity = config.severity_of(diagnostic.code, diagnostic.severity)
        result.append(diagnostic if severity == diagnostic.severity
                      else diagnostic.with_severity(severity))
    return result
