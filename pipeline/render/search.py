"""The site's search index: Pagefind (https://pagefind.app) run over the staged HTML pages.

Pagefind reads every page of `html/` that marks its searchable part (`data-pagefind-body`:
the article pages) and writes a static index, split into small chunks the browser fetches
as a reader types: `html/pagefind/`. `html/search.html` (with `html/search.js`) asks it;
no server code is involved, any static host serves it (not `file://`: browsers refuse the
module and WebAssembly fetches there).

The index is made with Pagefind's Python API (`pip install "pagefind[bin]"`, the extra
`search`), in memory, and staged like every other file, so the manifest lists it and the
swap publishes it atomically. The same pages give the same bytes: the index depends only on
the pages' content and relative paths (`tests/test_search.py` publishes twice, in two
folders, and compares). Without the package the site is published without its index, and
the publish says so once on stderr; the search page then tells readers search is
unavailable.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

INDEX_FOLDER = "pagefind"
# Pagefind's ready-made interfaces: the site uses its own small script (search.js) and the
# search API (pagefind.js) only, so these are not published.
_UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.",
           "pagefind-highlight.")
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


def index_files(html: Path) -> Iterator[tuple[str, bytes]]:
    """The search index of the pages in `html`, by path relative to `html`, in path order;
    nothing (and a note) when Pagefind is not installed. OSError if Pagefind fails."""
    if not available():
        note_skipped()
        return
    try:
        files = asyncio.run(_index(html))
    except OSError:
        raise
    except Exception as error:  # the service reports failures as plain exceptions
        raise OSError(f"Pagefind could not index {html}: {error}") from error
    for name, data in sorted(files.items()):
        if not name.startswith(_UNUSED):
            yield f"{INDEX_FOLDER}/{name}", data


async def _index(html: Path) -> dict[str, bytes]:
    """The index, written by the service into a private temporary folder and read back.
    Not `get_files()`: Pagefind's own docs warn that emitting every file through the pipe
    can deadlock, and it did here on 74 pages. Not `async with PagefindIndex` either:
    leaving that block writes the index to `./pagefind` in the working directory."""
    import tempfile

    from pagefind.index import IndexConfig
    from pagefind.service import PagefindService

    config = IndexConfig(verbose=False, keep_index_url=False, write_playground=False)
    with tempfile.TemporaryDirectory(prefix="pipeline-search-") as scratch:
        out = Path(scratch) / "index"
        async with PagefindService() as service:
            index = await service.create_index(config)
            await index.add_directory(str(html.resolve()))
            await index.write_files(output_path=str(out))
        return {path.relative_to(out).as_posix(): path.read_bytes()
                for path in sorted(out.rglob("*")) if path.is_file()}
