"""Site pages: the `Site` every page is rendered against, the files made of every article
(each format's `site_files`: front page, A to Z and category pages, sitemap, feed, images),
the files made from the staged build (the search index) and the manifest that lists every
file of the build with its hash."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline import __version__
from pipeline.config import Config
from pipeline.model import Article
from pipeline.publish.state import MANIFEST, Entry
from pipeline.publish.swap import link_file, stage_file
from pipeline.render.formats import site_files, staged_files
from pipeline.render.view import Listing, Site, disclaimers_from_schema
from pipeline.schema import load_schema, stub_types


def site_of(config: Config, titles: dict[str, str]) -> Site:
    """The site around articles known by their titles."""
    schema = load_schema(config.schema)
    return Site(name=config.site_name, base_url=config.base_url, language=config.language,
                page_size=config.page_size, disclaimers=disclaimers_from_schema(schema),
                titles=dict(sorted(titles.items())),
                max_nesting=config.limits.max_markdown_nesting, stub_types=stub_types(schema))


def make_site(config: Config, articles: dict[str, Article]) -> Site:
    """The site around a set of loaded articles (for the preview)."""
    return site_of(config, {slug: a.title for slug, a in articles.items()})


def write_site(config: Config, formats: tuple[str, ...], staging: Path,
               entries: dict[str, Entry], listings: dict[str, Listing],
               previous: Path | None = None) -> int:
    """The pages made of every article, images and the manifest; the number of files in the
    build, the manifest included. Files of the `previous` build that a format keeps as they
    are (unchanged search shards) are linked, with their hashes from its manifest."""
    site = site_of(config, {slug: entry.facts.title for slug, entry in entries.items()})
    images = {name for entry in entries.values() for name in entry.facts.images}
    written: dict[str, str] = {}
    for relative, data in site_files(config, site, list(listings.values()), images, formats):
        written[relative] = stage_file(staging, relative, data)
    for entry in entries.values():
        written.update(entry.files)
    known: dict[str, str] | None = None  # the previous manifest's hashes, read if needed
    for relative, made in staged_files(config, staging, formats, written, entries,
                                       previous):  # every page is staged
        if isinstance(made, Path):
            if known is None:
                known = previous_hashes(previous)
            written[relative] = link_file(staging, relative, made, known.get(relative))
        else:
            written[relative] = stage_file(staging, relative, made)
    stage_file(staging, MANIFEST, manifest(written, entries, formats))
    return len(written) + 1


def previous_hashes(previous: Path | None) -> dict[str, str]:
    """Each file's sha256 as the previous build's manifest lists it; {} if unreadable."""
    if previous is None:
        return {}
    try:
        files = json.loads((previous / MANIFEST).read_bytes())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if not isinstance(files, dict):
        return {}
    return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}


def manifest(files: dict[str, str], entries: dict[str, Entry],
             formats: tuple[str, ...]) -> bytes:
    document = {
        "version": 1,
        "generator": f"pipeline {__version__}",
        "formats": list(formats),
        "articles": {slug: {"source": f"articles/{slug}.md",
                            "files": dict(sorted(entry.files.items()))}
                     for slug, entry in sorted(entries.items())},
        "files": dict(sorted(files.items())),
    }
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()
