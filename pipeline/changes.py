"""`pipeline check --changed-since REF`: the articles a change touches, from git.

Changed means: changed on this branch since it forked from REF (the merge base, as a pull
request sees it), plus staged, unstaged and untracked changes in the work tree. Renamed files
count under their new name; deleted files are not checked, but the articles that link to them
are, since those links are now broken. So are the articles that link to a section of a
changed article (`slug.md#anchor`: the section may have been renamed) and those that show a
changed or deleted image. Cross-article rules still see the whole corpus.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Config
from pipeline.fsio import read_texts
from pipeline.load import article_files, slug_of


class ChangesError(Exception):
    """Git cannot say what changed (no repository, unknown reference): a usage error."""


@dataclass(frozen=True)
class ChangeSet:
    changed: tuple[Path, ...]  # article files added, modified or renamed, that exist
    deleted: tuple[str, ...]  # slugs of articles deleted or renamed away
    dependents: tuple[Path, ...]  # other articles a change may break

    @property
    def targets(self) -> list[Path]:
        """Every article to check, once, sorted."""
        return sorted(set(self.changed) | set(self.dependents))


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              encoding="utf-8", errors="surrogateescape", check=False)
    except FileNotFoundError as error:
        raise ChangesError("--changed-since needs git, which is not installed") from error


def changed_articles(config: Config, ref: str, within: list[Path] | None = None) -> ChangeSet:
    """The articles changed since `ref`, those deleted, and those a change may break."""
    top = _toplevel(config.root)
    base = _base(top, ref)
    articles = config.articles.resolve()
    scopes = [p.resolve() for p in within] if within else [articles]
    changed: set[Path] = set()
    gone: set[Path] = set()
    for status, path in _diff(top, base) + _untracked(top):
        (gone if status == "D" else changed).add(top / path)
    gone |= {p for p in changed if not p.exists()}
    changed -= gone

    def is_article(path: Path) -> bool:
        return path.suffix == ".md" and _under(path, articles)

    def in_scope(path: Path) -> bool:
        return any(path == scope or _under(path, scope) for scope in scopes)

    texts = _Texts(articles, config.limits.max_file_bytes)
    deleted = sorted(slug_of(p) for p in gone if is_article(p))
    edited = sorted(slug_of(p) for p in changed if is_article(p))
    images = sorted(p.name for p in changed | gone
                    if not is_article(p) and _under(p, articles))
    dependents = set(texts.linking_to(deleted, anchored=False))
    dependents |= texts.linking_to(edited, anchored=True)
    dependents |= texts.showing(images)
    return ChangeSet(
        changed=tuple(sorted(p for p in changed if is_article(p) and in_scope(p))),
        deleted=tuple(deleted),
        dependents=tuple(sorted(p for p in dependents if in_scope(p))),
    )


def _toplevel(root: Path) -> Path:
    result = _git(root, "rev-parse", "--show-toplevel")
    if result.returncode != 0:
        raise ChangesError(f"--changed-since needs a git repository, and {root} is not in one")
    return Path(result.stdout.strip()).resolve()


def _base(top: Path, ref: str) -> str:
    """The commit to compare with: the merge base of `ref` and HEAD, else `ref` itself."""
    if not ref or ref.startswith("-"):
        raise ChangesError(f"--changed-since: {ref!r} is not a git reference")
    commit = _git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if commit.returncode != 0:
        raise ChangesError(f"--changed-since: unknown git reference {ref!r} (for a pull "
                           "request, fetch the base branch, e.g. `git fetch origin main`)")
    target = commit.stdout.strip()
    base = _git(top, "merge-base", target, "HEAD")
    return base.stdout.strip() if base.returncode == 0 and base.stdout.strip() else target


def _diff(top: Path, base: str) -> list[tuple[str, str]]:
    """(status, path) of each change between `base` and the work tree; renames split in two."""
    result = _git(top, "-c", "core.quotepath=off", "diff", "--name-status", "-z", "-M",
                  "--no-ext-diff", "--no-color", base, "--")
    if result.returncode != 0:
        raise ChangesError(f"--changed-since: git diff failed: {result.stderr.strip()}")
    fields = result.stdout.split("\0")
    entries: list[tuple[str, str]] = []
    index = 0
    while index < len(fields) and fields[index]:
        status = fields[index][0]
        if status in "RC":
            old, new = fields[index + 1], fields[index + 2]
            if status == "R":
                entries.append(("D", old))
            entries.append(("A", new))
            index += 3
        else:
            entries.append((status, fields[index + 1]))
            index += 2
    return entries


def _untracked(top: Path) -> list[tuple[str, str]]:
    result = _git(top, "ls-files", "--others", "--exclude-standard", "-z")
    if result.returncode != 0:
        raise ChangesError(f"--changed-since: git ls-files failed: {result.stderr.strip()}")
    return [("A", path) for path in result.stdout.split("\0") if path]


def _under(path: Path, folder: Path) -> bool:
    return path.is_relative_to(folder) and path != folder


class _Texts:
    """The raw text of every article of the corpus, read once, for cheap link scans."""

    def __init__(self, folder: Path, limit: int) -> None:
        self.folder = folder
        self.limit = limit
        self._texts: dict[Path, str] | None = None

    @property
    def texts(self) -> dict[Path, str]:
        if self._texts is None:  # guarded reads: never a FIFO, never past the size limit
            self._texts = read_texts(article_files(self.folder), self.limit)
        return self._texts

    def linking_to(self, slugs: list[str], anchored: bool) -> set[Path]:
        if not slugs:
            return set()
        names = "|".join(re.escape(slug) for slug in slugs)
        after = r"\.md#" if anchored else r"\.md(?![a-z0-9])"
        needle = re.compile(rf"(?<![a-z0-9-])(?:{names}){after}")
        return {path for path, text in self.texts.items()
                if slug_of(path) not in slugs and needle.search(text)}

    def showing(self, names: list[str]) -> set[Path]:
        if not names:
            return set()
        needle = re.compile("|".join(rf"(?<![\w.-]){re.escape(name)}(?![\w.-])"
                                     for name in names))
        return {path for path, text in self.texts.items() if needle.search(text)}
