"""The publish state: what the last successful publish saw, so the next one redoes only
what changed.

One file per output folder under `.pipeline-cache/`, two lines of JSON: what a republish
with nothing changed needs (`read_state`), then every article's listing (`load_listings`,
read only when the site pages are rebuilt). It belongs to one build and one setup: the
`fingerprint` of the code, templates, schema, configuration, formats, day and the versions of
the rendering libraries, and the hash of the build's manifest. It is only a cache: when it
is missing or stale, everything is built again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import astuple, dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from pipeline import __version__
from pipeline.config import STATE_FOLDER, Config
from pipeline.diagnostics import Diagnostic
from pipeline.render.view import listing_from_json

MANIFEST = "manifest.json"
STATE_VERSION = 3
CODE = Path(__file__).resolve().parents[1]  # the `pipeline` package: its code shapes outputs
# the libraries whose version can change an output's bytes
RENDERERS = ("jinja2", "markdown-it-py", "mdit-py-plugins", "nh3", "citeproc-py", "typst",
             "pikepdf")


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rest of the site needs from one article: for links, orphans and the index."""

    title: str
    anchors: tuple[str, ...]
    images: tuple[str, ...]
    listing: str  # the article's `Listing` as JSON, for the front, category and index pages


@dataclass(slots=True)
class Entry:
    """An article as the last successful publish left it (the publish state)."""

    stat: tuple[int, int]
    mentions: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    facts: Facts
    files: dict[str, str]  # path relative to the build → sha256


@dataclass
class State:
    fingerprint: str
    images: dict[str, tuple[int, int]]
    articles: dict[str, Entry]  # read without their listings (`Facts.listing` is "") until
    listings_at: int = -1  # `load_listings` reads them from this offset of the state file
    files: int = 0  # files in the build, the manifest included


def interned(names: tuple[str, ...]) -> tuple[str, ...]:
    """Names shared with every other entry's: at 10,000 articles, megabytes."""
    return tuple(map(sys.intern, names))


def code_digest() -> str:
    """The digest of the pipeline's own source (`CODE`): what the publish state and the
    check of Dask workers compare."""
    return _digest_tree(CODE, "*.py")


def _digest_tree(folder: Path, pattern: str = "*") -> str:
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob(pattern) if p.is_file()):
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def fingerprint(config: Config, formats: tuple[str, ...]) -> str:
    """Everything besides the articles that shapes the outputs or the diagnostics."""
    digest = hashlib.sha256()
    digest.update(__version__.encode())
    digest.update(code_digest().encode())  # the code itself
    digest.update(_digest_tree(config.templates).encode())
    digest.update(config.schema.read_bytes())
    # where the work runs (a Dask scheduler) does not change a byte of the outputs
    digest.update(repr(sorted((k, repr(v)) for k, v in vars(config).items()
                              if k not in ("root", "scheduler"))).encode())
    digest.update(",".join(formats).encode())
    digest.update(repr(renderer_versions()).encode())  # a new Typst may set a page otherwise
    from pipeline.config import today

    digest.update(today().isoformat().encode())  # review-date rules depend on the day
    return digest.hexdigest()


def renderer_versions() -> tuple[tuple[str, str], ...]:
    """The installed version of each of `RENDERERS` ("not installed" for a missing one)."""
    from importlib.metadata import PackageNotFoundError, version

    found: list[tuple[str, str]] = []
    for name in RENDERERS:
        try:
            found.append((name, version(name)))
        except PackageNotFoundError:
            found.append((name, "not installed"))
    return tuple(found)


def state_path(config: Config, out: Path) -> Path:
    name = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16]
    return config.root / STATE_FOLDER / f"publish-{name}.json"


def read_state(config: Config, out: Path, fingerprint: str) -> State | None:
    """The state, if it belongs to this very build and this very setup; else None."""
    try:
        with open(state_path(config, out), "rb") as handle:
            head = handle.readline()
            listings_at = handle.tell()
        data = json.loads(head)
        manifest = hashlib.sha256((out / MANIFEST).read_bytes()).hexdigest()
    except (OSError, ValueError):
        return None
    if (not isinstance(data, dict) or data.get("version") != STATE_VERSION
            or data.get("fingerprint") != fingerprint or data.get("manifest") != manifest):
        return None
    try:
        return State(fingerprint, {k: (v[0], v[1]) for k, v in data["images"].items()},
                     {sys.intern(slug): _entry(raw) for slug, raw in data["articles"].items()},
                     listings_at,
                     int(data["files"]))
    except (KeyError, TypeError, ValueError):
        return None


def load_listings(config: Config, out: Path, state: State) -> bool:
    """Fill in the listings of the state's articles; False if any is missing or unreadable."""
    try:
        with open(state_path(config, out), "rb") as handle:
            handle.seek(state.listings_at)
            listings = json.loads(handle.read())
        for slug, entry in state.articles.items():
            listing = listings[slug]
            if not isinstance(listing, str):
                return False
            listing_from_json(listing)  # raises if it is not one
            entry.facts = replace(entry.facts, listing=listing)
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True


def _entry(raw: dict[str, Any]) -> Entry:
    return Entry(stat=(raw["stat"][0], raw["stat"][1]), mentions=interned(raw["mentions"]),
                 diagnostics=tuple(Diagnostic(*d) for d in raw["diagnostics"]),
                 facts=Facts(raw["facts"]["title"], interned(raw["facts"]["anchors"]),
                             tuple(raw["facts"]["images"]), ""),
                 files=dict(raw["files"]))


def write_state(config: Config, out: Path, state: State) -> None:
    """Written after the swap: a crash before it only costs the next publish some work."""
    head = {"version": STATE_VERSION, "fingerprint": state.fingerprint,
            "manifest": hashlib.sha256((out / MANIFEST).read_bytes()).hexdigest(),
            "images": state.images, "files": state.files}
    path = state_path(config, out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        with open(temporary, "w", encoding="utf-8") as handle:  # streamed, entry by entry
            handle.write(json.dumps(head)[:-1] + ', "articles": ')
            _write_object(handle, ((slug, {"stat": entry.stat, "mentions": entry.mentions,
                                           "diagnostics": [astuple(d)
                                                           for d in entry.diagnostics],
                                           "facts": {"title": entry.facts.title,
                                                     "anchors": entry.facts.anchors,
                                                     "images": entry.facts.images},
                                           "files": entry.files})
                                   for slug, entry in state.articles.items()))
            handle.write("}\n")  # line 2: the listings, read only when pages are rebuilt
            _write_object(handle, ((slug, entry.facts.listing)
                                   for slug, entry in state.articles.items()))
            handle.write("\n")
        os.replace(temporary, path)
    except OSError:
        pass  # only a cache: the next publish does more work


def _write_object(handle: TextIO, items: Iterable[tuple[str, Any]]) -> None:
    """A JSON object written member by member, never whole in memory."""
    handle.write("{")
    for number, (key, value) in enumerate(items):
        handle.write(("," if number else "") + json.dumps(key) + ": " + json.dumps(value))
    handle.write("}")
