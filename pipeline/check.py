"""Check stage: find the articles, load them, validate them, run the rules, apply the inline
suppressions (`<!-- pipeline: ignore ... -->`), filter by config.

Nothing here writes files; problems are returned as data, sorted by path and position.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Config
from pipeline.diagnostics import Diagnostic, make
from pipeline.load import Loaded, load_file
from pipeline.model import Article
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


def display_path(path: Path) -> str:
    """The path as users see it: relative to the working folder when inside it."""
    try:
        return Path(os.path.relpath(path)).as_posix() if path.is_absolute() else path.as_posix()
    except ValueError:
        return path.as_posix()


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
    if not config.articles.is_dir():
        return []
    return sorted(p for p in config.articles.glob("*.md"))


def check_paths(config: Config, paths: list[Path] | None = None) -> CheckResult:
    """Check the given files (default: the whole corpus); cross-article rules see the corpus."""
    targets, problems = discover(paths or [config.articles], config)
    loaded: dict[Path, Loaded] = {}
    for path in targets:
        loaded[path] = load_file(path, display_path(path), config.limits)
    context = Context(config=config, corpus=_corpus(config, loaded))
    diagnostics = list(problems)
    articles: dict[str, Article] = {}
    for result in loaded.values():
        found = list(result.diagnostics)
        if result.article is not None:
            article = result.article
            articles[article.slug] = article
            found.extend(check_schema(article, config.schema))
            found.extend(run_rules(article, context))
            found = suppressions.apply(article, found)
        diagnostics.extend(_configured(found, config))
    files = [display_path(p) for p in targets] + [d.path for d in problems]
    return CheckResult(sorted(diagnostics), files=files, articles=articles)


def _corpus(config: Config, loaded: dict[Path, Loaded]) -> Corpus:
    """The corpus the cross-article rules see; the files being checked are already loaded."""
    articles = {config.articles.resolve()}
    preloaded = {r.article.slug: r.article for p, r in loaded.items()
                 if r.article is not None and p.resolve().parent in articles}
    return Corpus(config, dict(preloaded))


def _configured(found: list[Diagnostic], config: Config) -> list[Diagnostic]:
    result = []
    for diagnostic in found:
        if not config.is_enabled(diagnostic.code, diagnostic.path):
            continue
        severity = config.severity_of(diagnostic.code, diagnostic.severity)
        result.append(diagnostic if severity == diagnostic.severity
                      else diagnostic.with_severity(severity))
    return result
