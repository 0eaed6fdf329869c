"""The titles of the articles, remembered between checks: LNK106 compares the title of each
file checked with every other article's, and a check of one file would otherwise read them
all. Each file's title is kept with its stat; a file whose stat has not changed is not read.

One file in the project's state folder, `.pipeline-cache/titles.json`, one line of JSON:

    {"version": 1, "key": "<sha256>", "files": {
        "articles/asthma.md": [mtime_ns, ctime_ns, size, inode, "Asthma", 2, 8],
        "articles/draft.md": [mtime_ns, ctime_ns, size, inode]}}

A file without a title has its four numbers only; an entry is used only while all four are
the file's (the ctime too: an edit that puts the old mtime back still changes it). `key`
hashes what decides how a title is read (the code that reads it, the YAML library, the
limits): another key, another version, anything unreadable, and the whole cache is ignored;
an entry of the wrong shape is ignored alone. Only plain files are kept: a link, or
anything else, is read as it always was. A file whose mtime is within two seconds of the
moment it is looked at (or later) is read but not kept, as git's racy-index rule has it: an
edit in the same tick of a coarse clock could not be told from what was read. It is only a
cache: a failure to read or write it is silent and costs the files' reading; the results
are the same with it or without it.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeGuard

from pipeline.config import STATE_FOLDER, Config
from pipeline.fsio import read_regular_file, write_atomically
from pipeline.rules.files import folder_links_out, symlink_problem
from pipeline.rules.links import Title

CACHE_FILE = "titles.json"
VERSION = 1
RACY_NS = 2_000_000_000  # a file changed this close to when it is looked at is not kept
MAX_CACHE_BYTES = 1 << 26  # about 500,000 articles; a larger file is not a cache we wrote
_CODE = Path(__file__).resolve().parent
_READERS = ("check.py", "load.py", "title_cache.py")  # the code that reads titles, and this

# A file's title (None: it has none), read as `pipeline.check.read_title` reads it once
# SEC103 has let the file through; OSError when the file cannot be read (never kept).
Reader = Callable[[Path], Title | None]


def article_entries(folder: Path) -> list[os.DirEntry[str]]:
    """The `*.md` entries of an articles folder, by name: the files
    `pipeline.load.article_files` lists (as `Path.glob` finds them), with what the folder
    says of each."""
    if not folder.is_dir():
        return []
    try:
        with os.scandir(folder) as scan:
            found = [entry for entry in scan if entry.name.endswith(".md")]
    except PermissionError:
        return []
    return sorted(found, key=lambda entry: entry.name)


def cache_path(config: Config) -> Path:
    return config.root / STATE_FOLDER / CACHE_FILE


def read_titles(config: Config, entries: list[os.DirEntry[str]], read: Reader,
                wanted: Callable[[str], bool] | None = None,
                now: int | None = None) -> dict[str, Title]:
    """The title of each of the articles folder's `entries` that has one (and that `wanted`
    accepts, if given), by file name, as `pipeline.check.read_title` finds it; the files
    unchanged since the cache was written are not read. The cache is then written if it
    changed. `now` (nanoseconds since 1970, by default
    the clock's) is when the files are looked at: a file changed in the two seconds before
    is read, and not kept."""
    folder = config.articles
    key = _key(config)
    cached = _load(config, key)
    prefix = _prefix(config)
    links_out = folder_links_out(config, folder)
    recent = (time.time_ns() if now is None else now) - RACY_NS
    titles: dict[str, Title] = {}
    kept: dict[str, list[Any]] = {}
    added = 0  # entries read now and kept; the others are the cache's own, unchanged
    for entry in entries:
        name = entry.name
        try:
            info = entry.stat(follow_symlinks=False)  # an lstat, the one of the file
        except OSError:
            info = None
        if info is None or not stat.S_ISREG(info.st_mode):  # a link, or not a file:
            title = guarded_title(config, folder / name, read)  # read as it always was
            if title is not None and (wanted is None or wanted(title.text)):
                titles[name] = title
            continue
        if links_out:
            continue  # SEC103: never read
        relative = prefix + name
        numbers = [info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino]
        old = cached.get(relative)
        if _matches(old, numbers):
            found = kept[relative] = old
        else:
            fresh = _read_entry(folder / name, numbers, read)
            if fresh is None:
                continue  # unreadable: no title, and nothing to remember
            found = fresh
            if numbers[0] < recent:  # else racy: read again next time
                kept[relative] = found
                added += 1
        if len(found) == 7 and (wanted is None or wanted(found[4])):
            titles[name] = Title(found[4], found[5], found[6])
    if key is not None and (added or len(kept) != len(cached)):
        _save(config, key, kept)
    return titles


def refresh(config: Config, read: Reader) -> None:
    """Bring the cache up to date with the articles folder after a check of the whole
    corpus, so that an editor's next check of one file does not read the others."""
    read_titles(config, article_entries(config.articles), read, lambda text: False)


def _matches(found: Any, numbers: list[int]) -> TypeGuard[list[Any]]:
    """Whether a cache entry has these stat numbers, and a title (if any) of the right
    types."""
    return (isinstance(found, list) and len(found) in (4, 7) and found[:4] == numbers
            and (len(found) == 4 or (isinstance(found[4], str) and type(found[5]) is int
                                     and type(found[6]) is int)))


def _read_entry(path: Path, numbers: list[int], read: Reader) -> list[Any] | None:
    """The cache entry of a plain file of stat `numbers`, read now; None when it cannot be
    read."""
    try:
        title = read(path)
    except OSError:
        return None
    return numbers if title is None else [*numbers, title.text, title.line, title.column]


def guarded_title(config: Config, path: Path, read: Reader) -> Title | None:
    """The title `read` finds in `path`; None when SEC103 would refuse the file (never
    read) or it cannot be read."""
    if symlink_problem(config, path, path.name) is not None:
        return None
    try:
        return read(path)
    except OSError:
        return None


def _prefix(config: Config) -> str:
    """The articles folder relative to the root, as the start of the cache's paths."""
    return Path(os.path.relpath(config.articles, config.root)).as_posix() + "/"


def _key(config: Config) -> str | None:
    """What decides how titles are read, hashed; None when the code cannot be read."""
    import yaml

    digest = hashlib.sha256(repr((VERSION, sys.version, yaml.__version__,
                                  getattr(yaml, "__with_libyaml__", False),
                                  config.limits)).encode())
    try:
        for name in _READERS:
            digest.update(_CODE.joinpath(name).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def _load(config: Config, key: str | None) -> dict[str, Any]:
    """The cached entries by path, if the cache is of this version and key; else none."""
    if key is None:
        return {}
    try:
        data = read_regular_file(cache_path(config), MAX_CACHE_BYTES)
        if len(data) > MAX_CACHE_BYTES:
            return {}
        loaded = json.loads(data)
    except (OSError, ValueError, RecursionError):
        return {}
    if (not isinstance(loaded, dict) or loaded.get("version") != VERSION
            or loaded.get("key") != key or not isinstance(loaded.get("files"), dict)):
        return {}
    files: dict[str, Any] = loaded["files"]
    return files


def _save(config: Config, key: str, files: dict[str, list[Any]]) -> None:
    """Write the cache atomically, not synced: a cache lost in a crash is only made again;
    a failure to write it is silent."""
    data = json.dumps({"version": VERSION, "key": key, "files": files},
                      separators=(",", ":")).encode()
    with suppress(OSError, ValueError):
        write_atomically(cache_path(config), data, durable=False)
