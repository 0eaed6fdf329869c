"""SEC103 and SEC104: files whose names or links reach outside what they should.

These checks need the file system or the whole corpus rather than one loaded article:
`pipeline.check` runs `symlink_problem` and `slug_problems` on each file before and after
loading it, and `name_collisions` once every file is checked (the SEC104 rule's check, a
corpus check). SEC103 for images is reported with SEC105 by `pipeline.rules.safety`.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pipeline.config import Config
from pipeline.diagnostics import Diagnostic, Rule, make
from pipeline.fsio import display_path, read_regular_file
from pipeline.names import category_slug


def symlink_problem(config: Config, path: Path, display: str) -> Diagnostic | None:
    """SEC103: a file of the repository that, through a symbolic link (its own or a folder's),
    is really somewhere outside it. Links that stay inside the repository are followed: what
    they show was committed and reviewed like everything else."""
    absolute = os.path.abspath(path)
    root, resolved_root = _roots(config.root)
    if not absolute.startswith(root):
        return None  # named on the command line from elsewhere: not part of the repository
    try:
        # a folder is resolved once (while it stays the same folder); the file costs an lstat
        if os.path.islink(absolute):
            target = str(path.resolve())
        else:
            target = os.path.join(_resolved_parent(os.path.dirname(absolute)),
                                  os.path.basename(absolute))
    except (OSError, RuntimeError, ValueError) as error:  # a loop of links
        return make(display, 1, 1, "SEC103", f"the symbolic link cannot be followed: {error}",
                    "replace the link by the file itself")
    if os.path.join(target, "").startswith(resolved_root):
        return None
    return make(display, 1, 1, "SEC103",
                f"the file is a symbolic link to {target}, outside the repository",
                "replace the link by the file itself, or delete it")


def folder_links_out(config: Config, folder: Path) -> bool:
    """Whether SEC103 reports every file of `folder` that is not a link itself, as
    `symlink_problem` would for each: the folder, through a link, is outside the repository
    (or cannot be followed). Decided once for the folder, for a scan of all its files; a file
    that is a link needs `symlink_problem` of its own."""
    absolute = os.path.abspath(folder)
    root, resolved_root = _roots(config.root)
    if not os.path.join(absolute, "").startswith(root):
        return False  # from elsewhere: not part of the repository
    try:
        target = _resolved_parent(absolute)
    except (OSError, RuntimeError, ValueError):
        return True
    return not os.path.join(target, "").startswith(resolved_root)


def _resolved_parent(parent: str) -> str:
    folder = os.lstat(parent)
    return _resolved_folder(parent, folder.st_dev, folder.st_ino, folder.st_mode)


@lru_cache(maxsize=8)
def _roots(root: Path) -> tuple[str, str]:
    """The repository's folder as a prefix of absolute paths, as written and resolved: once,
    not once per file (a corpus-wide check asks for every article)."""
    return os.path.join(os.path.abspath(root), ""), os.path.join(str(root.resolve()), "")


@lru_cache(maxsize=64)
def _resolved_folder(folder: str, device: int, inode: int, mode: int) -> str:
    return str(Path(folder).resolve())


def _fold(name: str) -> str:
    """A name as case-insensitive disks and servers may see it: case and width folded."""
    import unicodedata

    return unicodedata.normalize("NFKC", name).casefold()


def slug_problems(config: Config, path: Path, display: str) -> list[Diagnostic]:
    from pipeline.load import slug_of

    slug = slug_of(path)
    limit = config.limits.max_slug_chars
    if len(slug) <= limit:
        return []
    return [make(display, 1, 1, "SEC104",
                 f"file name is {len(slug)} characters long; the limit is {limit}",
                 "shorten the file name; the title can stay long")]


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


RULES: tuple[Rule, ...] = (
    Rule("SEC104", "unsafe-file-name", "error",
         "A file name, or a category that becomes one, is longer than `max_slug_chars`, or "
         "names the same output file as another article or category once case and "
         "character width are ignored.",
         "Names that differ only in case or width overwrite each other on case-insensitive "
         "disks and web servers; very long names cannot be written at all.",
         "articles/asthma.md and articles/Asthma.md\n"
         "categories: [Public health]   # and elsewhere [Public Health]\n",
         "articles/asthma.md\ncategories: [Public health]   # spelt the same everywhere\n",
         check=name_collisions, scope="corpus"),
)
