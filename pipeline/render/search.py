"""The site's search index: Pagefind (https://pagefind.app) run over the staged HTML pages.

Pagefind reads the article pages (their searchable part is marked `data-pagefind-body`) and
writes a static index, split into small chunks the browser fetches as a reader types.
`html/search.html` (with `html/search.js`) asks it; no server code is involved, any static
host serves it (not `file://`: browsers refuse the module and WebAssembly fetches there).

The index is sharded so that its cost follows what changed, not the size of the site: each
article page belongs to one shard by a hash of its name, and each shard is one Pagefind
bundle, `html/pagefind/<n>/`, that the search page merges (`mergeIndex`). A shard whose pages
are byte for byte those of the previous build (recorded in its `pages.sha256`) is taken from
it unchanged; only the others are indexed again. Pagefind needs about 0.35 MB
of memory and 4 ms of CPU per page, so a shard holds at most `search-shard-pages` (500) pages
on average: a 10,000-article site has 32 shards, and changing one article re-indexes about
300 pages. A smaller site still has up to 8 shards, as many as keep 32 pages in each (from
256 pages on, 8), so that a change there re-indexes an eighth of it (`shard_count`). The
reference lists are not indexed (`data-pagefind-ignore`): a journal's name in a citation is
not what the article is about.

The index is made by Pagefind's binary (`pip install "pagefind[bin]"`, the extra `search`)
in a temporary folder, read back and staged like every other file, so the manifest lists it
and the swap publishes it atomically. The same pages give the same bytes: the index depends
only on the pages' content and names (`tests/test_search.py` publishes twice, in two
folders, and compares, and publishes again after a change and compares with a cold build).
Without the package the site is published without its index, and the publish says so once
on stderr; the search page then tells readers search is unavailable.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from pipeline.fsio import link_or_copy

INDEX_FOLDER = "pagefind"
STAMP = "pages.sha256"  # in each shard: the digest of the pages it was made from
# Pagefind's ready-made interfaces: the site uses its own small script (search.js) and the
# search API (pagefind.js) only, so these are not published.
_UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.",
           "pagefind-highlight.")
INDEX_TIMEOUT = 3600  # seconds: generous, a hang guard for a very large site
MIN_SHARDS = 8  # a site of 256 pages or more has at least this many shards
MIN_SHARD_PAGES = 32
# One Pagefind run at a time: each holds its whole shard in memory (about 0.35 MB a page),
# and it already keeps about 1.5 cores busy. The next shard is indexed while the files of the
# one before are staged.
RUNS_AT_ONCE = 1
SKIPPED_NOTE = ("note: search index skipped: Pagefind is not installed "
                '(pip install "pagefind[bin]")')
_noted = False


def available() -> bool:
    """Whether Pagefind's Python API and its binary are installed."""
    return (importlib.util.find_spec("pagefind") is not None
            and (importlib.util.find_spec("pagefind_bin") is not None
                 or importlib.util.find_spec("pagefind_bin_extended") is not None))


def note_skipped() -> None:
    """Say once per process, on stderr, that the search index was not made."""
    global _noted
    if not _noted:
        _noted = True
        print(SKIPPED_NOTE, file=sys.stderr)


def shard_count(pages: int, per_shard: int) -> int:
    """How many shards the index of `pages` pages has: the smallest power of two that keeps
    shards at `per_shard` pages or fewer on average (a power of two, so that when the site
    doubles each shard splits in two), and at least `MIN_SHARDS` as long as each keeps
    `MIN_SHARD_PAGES` pages: a search fetches from every shard, so a site of a few hundred
    pages costs its readers no more requests than one of 4,000, and a change there
    re-indexes an eighth of it."""
    count = 1
    while count * per_shard < pages:
        count *= 2
    while count < MIN_SHARDS and count * 2 * MIN_SHARD_PAGES <= pages:
        count *= 2
    return count


def shards(pages: Iterable[str], per_shard: int) -> dict[int, list[str]]:
    """The article pages (names relative to `html/`) of each non-empty shard, in order."""
    names = sorted(pages)
    count = shard_count(len(names), per_shard)
    found: dict[int, list[str]] = {}
    for name in names:
        number = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big") % count
        found.setdefault(number, []).append(name)
    return dict(sorted(found.items()))


def bundle_paths(pages: Iterable[str], per_shard: int) -> list[str]:
    """The folder of each shard's bundle, relative to `html/`: what the search page merges;
    none when Pagefind is not installed (the page then says search is unavailable)."""
    if not available():
        return []
    return [f"{INDEX_FOLDER}/{number}/" for number in shards(pages, per_shard)]


def index_files(html: Path, pages: Mapping[str, str], previous: Path | None,
                per_shard: int) -> Iterator[tuple[str, bytes | Path]]:
    """The search index of the article `pages` in `html` (name relative to `html` → the
    page's sha256): each file by its path relative to `html`, as bytes, or as the path of
    the same file in the `previous` build's `html/` when its shard has not changed; nothing
    (and a note) when Pagefind is not installed. OSError if Pagefind fails."""
    if not available():
        note_skipped()
        return
    from concurrent.futures import ThreadPoolExecutor

    version = importlib.metadata.version("pagefind")
    stamps: dict[int, str] = {}
    kept: dict[int, list[tuple[str, bytes | Path]]] = {}
    todo: dict[int, list[str]] = {}
    for number, names in shards(pages, per_shard).items():
        digest = hashlib.sha256(f"pagefind {version}\n".encode())
        for name in names:
            digest.update(f"{name} {pages[name]}\n".encode())
        stamps[number] = digest.hexdigest() + "\n"
        previous_files = _previous_shard(previous, f"{INDEX_FOLDER}/{number}", stamps[number])
        if previous_files is not None:
            kept[number] = previous_files
        else:
            todo[number] = names
    # each run is a subprocess, so a thread is enough to keep it going while the main
    # thread stages what the run before made; files are taken in shard order, and each
    # shard's are let go once staged (a finished run holds its result: kept until the end,
    # the whole index of a 10,000-article site, about 60 MB, was in memory at once)
    with ThreadPoolExecutor(max_workers=RUNS_AT_ONCE) as runs:
        made = {number: runs.submit(_index, html, names) for number, names in todo.items()}
        for number in stamps:
            folder = f"{INDEX_FOLDER}/{number}"
            if number in kept:
                yield from kept[number]
                continue
            for name, data in sorted(made.pop(number).result().items()):
                if not name.startswith(_UNUSED):
                    yield f"{folder}/{name}", data
            yield f"{folder}/{STAMP}", stamps[number].encode()


def _previous_shard(previous: Path | None, folder: str,
                    stamp: str) -> list[tuple[str, bytes | Path]] | None:
    """The files of the previous build's shard, if it was made from the very same pages."""
    if previous is None:
        return None
    shard = previous / folder
    try:
        if (shard / STAMP).read_text(encoding="utf-8") != stamp:
            return None
        return [(f"{folder}/{path.relative_to(shard).as_posix()}", path)
                for path in sorted(shard.rglob("*"))
                if path.is_file() and not path.is_symlink()]
    except (OSError, UnicodeDecodeError):
        return None


def _index(html: Path, names: list[str]) -> dict[str, bytes]:
    """The index of the pages `names` of `html`, written by Pagefind's command line into a
    private temporary folder and read back once the command has exited. The pages are
    linked into a folder of their own first, under the same names, so Pagefind sees only
    them and records the same addresses.

    The folder is made beside the staging folder that holds `html`, named after it
    (`.<out>.staging-<pid>-search-…`): on the same file system, so the pages are hard links,
    and removed with the staging folders of dead publishes by the next publish
    (`pipeline.publish.swap.recover`) should this one be killed before it cleans up.

    Not the Python service API: its `write_files` answers before the files are all on disk
    (on a loaded machine a read right after found `pagefind-entry.json` and the WebAssembly
    file empty), and `get_files()` can deadlock on the pipe (it did here on 74 pages). The
    command runs in the empty scratch folder, with no PAGEFIND_* variables, so no
    configuration file or setting of the caller's can change the index."""
    import subprocess
    import tempfile

    from pagefind.service import get_executable

    binary = get_executable()
    if binary is None:
        raise OSError("Pagefind's binary is missing (pip install \"pagefind[bin]\")")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    staging = html.parent
    with tempfile.TemporaryDirectory(prefix=f"{staging.name}-search-",
                                     dir=staging.parent) as scratch:
        out, site = Path(scratch) / "index", Path(scratch) / "site"
        site.mkdir()
        for name in names:  # article pages: all at the top of `html/`
            link_or_copy(html / name, site / name)
        try:
            done = subprocess.run(
                [str(binary), "--site", str(site), "--output-path", str(out),
                 "--silent"], cwd=scratch, env=environment, stdin=subprocess.DEVNULL,
                capture_output=True, timeout=INDEX_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as error:
            raise OSError(f"Pagefind did not index {html} within {INDEX_TIMEOUT} s") from error
        if done.returncode != 0:
            said = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
            raise OSError(f"Pagefind could not index {html} (exit {done.returncode}): "
                          f"{said[-500:]}")
        return {path.relative_to(out).as_posix(): path.read_bytes()
                for path in sorted(out.rglob("*")) if path.is_file()}

