"""Check stage: find the articles, load them, validate them, run the rules, apply the inline
suppressions (`<!-- pipeline: ignore ... -->`), filter by config.

Nothing here writes files; problems are returned as data, sorted by path and position.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline.config import Config
from pipeline.diagnostics import Diagnostic, make
from pipeline.fsio import display_path, read_regular_file
from pipeline.load import article_files, load_file
from pipeline.model import Article
from pipeline.names import category_slug
from pipeline.rules import run_rules, suppressions
from pipeline.rules.context import Context, Corpus
from pipeline.schema import check_schema


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


def check_paths(config: Config, paths: list[Path] | None = None, jobs: int = 0,
                keep_articles: bool = False) -> CheckResult:
    """Check the given files (default: the whole corpus); cross-article rules see the corpus.

    Files are checked one at a time and, for large sets, in forked workers; loaded articles
    are kept only when `keep_articles` (memory then grows with the number of files)."""
    targets, problems = discover(paths or [config.articles], config)
    context = Context(config=config, corpus=Corpus(config))
    diagnostics = list(problems)
    articles: dict[str, Article] = {}
    categories: dict[Path, tuple[str, ...]] = {}
    outcomes = list(check_each(context, targets, jobs, keep_articles))
    for path, checked in zip(targets, outcomes, strict=True):
        diagnostics.extend(checked.diagnostics)
        categories[path] = checked.categories
        if checked.article is not None:
            articles[checked.article.slug] = checked.article
    diagnostics.extend(corpus_problems(config, categories))
    files = [display_path(p) for p in targets] + [d.path for d in problems]
    return CheckResult(sorted(diagnostics), files=files, articles=articles)


def check_one(context: Context, path: Path, keep_article: bool = True) -> Checked:
    """Load one file and run every check on it: schema, rules, suppressions, config."""
    config = context.config
    display = display_path(path)
    escape = symlink_problem(config, path, display)
    if escape is not None:  # never read: it could be any file of the machine, or never end
        return Checked(display, _configured([escape], config), None)
    result = load_file(path, display, config.limits)
    found = list(result.diagnostics)
    found.extend(_slug_problems(config, path, display))
    article = result.article
    if article is not None:
        found.extend(check_schema(article, config.schema))
        found.extend(run_rules(article, context))
        found = suppressions.apply(article, found)
    return Checked(display, _configured(found, config), article if keep_article else None,
                   _category_names(article))


_SHARED: dict[str, Context] = {}


def check_each(context: Context, targets: list[Path], jobs: int = 0,
               keep_articles: bool = True) -> Iterator[Checked]:
    """Checked files in order; worker processes for large sets."""
    workers = jobs if jobs > 0 else (os.cpu_count() or 1)
    if workers <= 1 or len(targets) < PARALLEL_FROM or keep_articles:
        for path in targets:
            yield check_one(context, path, keep_articles)
        return
    from pipeline.workers import pool

    # Every worker answers "does another article link here?" from the same index, built
    # once before the workers start: the answer, and so what an inline suppression of
    # LNK104 silences, cannot depend on how the files are split between workers.
    context.corpus.mentioned_by("")
    with pool(workers, _start_worker, context) as executor:
        yield from executor.map(_check_in_worker, targets,
                                chunksize=max(1, len(targets) // (workers * 16)))


def _start_worker(context: Context) -> None:
    _SHARED["context"] = context


def _check_in_worker(path: Path) -> Checked:
    return check_one(_SHARED["context"], path, keep_article=False)


# -- names that become files, and links that lead out (SEC103, SEC104) ------------------------


def symlink_problem(config: Config, path: Path, display: str) -> Diagnostic | None:
    """SEC103: a file of the repository that, through a symbolic link (its own or a folder's),
    is really somewhere outside it. Links that stay inside the repository are followed: what
    they show was committed and reviewed like everything else."""
    absolute = os.path.abspath(path)
    if not absolute.startswith(os.path.join(os.path.abspath(config.root), "")):
        return None  # named on the command line from elsewhere: not part of the repository
    try:
        # a folder is resolved once (while it stays the same folder); the file costs an lstat
        if os.path.islink(absolute):
            target = path.resolve()
        else:
            parent = os.path.dirname(absolute)
            folder = os.lstat(parent)
            target = _resolved_folder(parent, folder.st_dev, folder.st_ino,
                                      folder.st_mode) / path.name
    except (OSError, RuntimeError, ValueError) as error:  # a loop of links
        return make(display, 1, 1, "SEC103", f"the symbolic link cannot be followed: {error}",
                    "replace the link by the file itself")
    if target.is_relative_to(config.root.resolve()):
        return None
    return make(display, 1, 1, "SEC103",
                f"the file is a symbolic link to {target}, outside the repository",
                "replace the link by the file itself, or delete it")


@lru_cache(maxsize=64)
def _resolved_folder(folder: str, device: int, inode: int, mode: int) -> Path:
    return Path(folder).resolve()


def _fold(name: str) -> str:
    """A name as case-insensitive disks and servers may see it: case and width folded."""
    import unicodedata

    return unicodedata.normalize("NFKC", name).casefold()


def _slug_problems(config: Config, path: Path, display: str) -> list[Diagnostic]:
    from pipeline.load import slug_of

    slug = slug_of(path)
    limit = config.limits.max_slug_chars
    if len(slug) <= limit:
        return []
    return [make(display, 1, 1, "SEC104",
                 f"file name is {len(slug)} characters long; the limit is {limit}",
                 "shorten the file name; the title can stay long")]


def _category_names(article: Article | None) -> tuple[str, ...]:
    values = article.front_matter.get("categories") if article is not None else None
    if not isinstance(values, list):
        return ()
    return tuple(v for v in values if isinstance(v, str))


def corpus_problems(config: Config, categories: dict[Path, tuple[str, ...]]
                    ) -> list[Diagnostic]:
    """The checks that need every article at once, with the configuration applied."""
    return _configured(name_collisions(config, categories), config)


def name_collisions(config: Config, categories: dict[Path, tuple[str, ...]]
                    ) -> list[Diagnostic]:
    """SEC104 across the corpus: articles of the articles folder whose file names, and
    categories whose names, lead to the same output file once case and character width are
    folded (`Asthma.md` and `asthma.md`; `Public health` and `Public Health`). The first
    one, in file order (valid slugs first), keeps the name; the others are reported.
    `categories` maps each article file to its category names."""
    from pipeline.load import SLUG, slug_of

    problems: list[Diagnostic] = []
    folder = os.path.abspath(config.articles)
    slugs: dict[str, Path] = {}
    # a valid slug keeps its name; the look-alike is the one reported
    for path in sorted(categories, key=lambda p: (not SLUG.fullmatch(slug_of(p)), str(p))):
        if os.path.dirname(os.path.abspath(path)) != folder:
            continue  # only the folder's own files are published
        key = _fold(slug_of(path))
        first = slugs.setdefault(key, path)
        if first != path:
            problems.append(make(display_path(path), 1, 1, "SEC104",
                                 f"file name {path.name!r} is the same as "
                                 f"{display_path(first)!r} once case is ignored",
                                 "rename one of the two, or merge them"))
    spelt: dict[str, tuple[str, Path]] = {}
    limit = config.limits.max_slug_chars
    for path in sorted(categories, key=str):
        for name in categories[path]:
            slug = category_slug(name)
            first_name, first_path = spelt.setdefault(slug, (name, path))
            if len(slug) > limit:
                line, column = _front_matter_position(path, name)
                problems.append(make(display_path(path), line, column, "SEC104",
                                     f"category {name!r} makes a file name of {len(slug)} "
                                     f"characters; the limit is {limit}",
                                     "shorten the category name"))
            elif first_name != name:
                line, column = _front_matter_position(path, name)
                problems.append(make(display_path(path), line, column, "SEC104",
                                     f"category {name!r} shares the page category/{slug}.html "
                                     f"with {first_name!r} ({display_path(first_path)})",
                                     f"spell it {first_name!r}, as the other articles do"))
    return problems


def _front_matter_position(path: Path, text: str) -> tuple[int, int]:
    """Line and column of `text` in the file's front matter (line 1 if it cannot be found)."""
    try:
        lines = read_regular_file(path, 1 << 20).decode("utf-8", "replace").splitlines()
    except OSError:
        return 1, 1
    for number, line in enumerate(lines[1:], start=2):
        if line.rstrip() in ("---", "..."):
            break
        column = line.find(text)
        if column >= 0:
            return number, column + 1
    return 1, 1


def _configured(found: list[Diagnostic], config: Config) -> list[Diagnostic]:
    result = []
    for diagnostic in found:
        if not config.is_enabled(diagnostic.code, diagnostic.path):
            continue
        severity = config.severity_of(diagnostic.code, diagnostic.severity)
        result.append(diagnostic if severity == diagnostic.severity
                      else diagnostic.with_severity(severity))
    return result
