"""The site's search index: Pagefind (https://pagefind.app) run over the staged HTML pages.

Pagefind reads every page of `html/` that marks its searchable part (`data-pagefind-body`:
the article pages) and writes a static index, split into small chunks the browser fetches
as a reader types: `html/pagefind/`. `html/search.html` (with `html/search.js`) asks it;
no server code is involved, any static host serves it (not `file://`: browsers refuse the
module and WebAssembly fetches there).

The index is made by Pagefind's binary (`pip install "pagefind[bin]"`, the extra `search`)
in a temporary folder, read back and staged like every other file, so the manifest lists it
and the swap publishes it atomically. The same pages give the same bytes: the index depends only on
the pages' content and relative paths (`tests/test_search.py` publishes twice, in two
folders, and compares). Without the package the site is published without its index, and
the publish says so once on stderr; the search page then tells readers search is
unavailable.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

INDEX_FOLDER = "pagefind"
# Pagefind's ready-made interfaces: the site uses its own small script (search.js) and the
# search API (pagefind.js) only, so these are not published.
_UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.",
           "pagefind-highlight.")
INDEX_TIMEOUT = 3600  # seconds: generous, a hang guard for a very large site
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
    for name, data in sorted(_index(html).items()):
        if not name.startswith(_UNUSED):
            yield f"{INDEX_FOLDER}/{name}", data


def _index(html: Path) -> dict[str, bytes]:
    """The index, written by Pagefind's command line into a private temporary folder and
    read back once the command has exited.

    Not the Python service API: its `write_files` answers before the files are all on disk
    (on a loaded machine a read right after found `pagefind-entry.json` and the WebAssembly
    file empty), and `get_files()` can deadlock on the pipe (it did here on 74 pages). The
    command runs in the empty scratch folder, with no PAGEFIND_* variables, so no
    configuration file or setting of the caller's can change the index."""
    import os
    import subprocess
    import tempfile

    from pagefind.service import get_executable

    binary = get_executable()
    if binary is None:
        raise OSError("Pagefind's binary is missing (pip install \"pagefind[bin]\")")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    with tempfile.TemporaryDirectory(prefix="pipeline-search-") as scratch:
        out = Path(scratch) / "index"
        try:
            done = subprocess.run(
                [str(binary), "--site", str(html.resolve()), "--output-path", str(out),
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
