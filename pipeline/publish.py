"""Publish: check everything, render the valid corpus into a staging folder, swap it in.

The flow, in order: lock → check → plan (cache keys) → render (parallel, or reuse the
previous build's files by hard link) → verify every output carries its notices → manifest →
atomic swap. Any failure before the swap leaves the previous build exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pipeline import __version__
from pipeline.check import PARALLEL_FROM, check_one, corpus_files
from pipeline.config import Config
from pipeline.diagnostics import Diagnostic, make
from pipeline.fsio import display_path, exclusive_lock, read_text, write_file
from pipeline.load import slug_of
from pipeline.model import Article
from pipeline.render.view import (
    ArticleView,
    Listing,
    Site,
    absolute_view,
    build_view,
    disclaimers_from_schema,
    listing_from_json,
    listing_of,
    listing_to_json,
)
from pipeline.rules.context import mentions_of
from pipeline.schema import load_schema

FORMATS = ("html", "json", "pdf")
MANIFEST = "manifest.json"
STATE_FOLDER = ".pipeline-cache"
STATE_VERSION = 3


@dataclass(frozen=True)
class PublishRequest:
    out: Path
    formats: tuple[str, ...] = FORMATS
    jobs: int = 0  # 0: one per core
    progress: bool = False


@dataclass
class PublishResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    rendered: int = 0
    reused: int = 0
    files: int = 0

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rest of the site needs from one article: for links, orphans and the index."""

    title: str
    anchors: tuple[str, ...]
    images: tuple[str, ...]
    listing: str  # the article's `Listing` as JSON, for the front, category and index pages


@dataclass(frozen=True, slots=True)
class Processed:
    """One article checked (and, when it has no error, rendered) by a worker."""

    slug: str
    stat: tuple[int, int]
    mentions: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    facts: Facts | None
    files: dict[str, str]  # path relative to the build → sha256


@dataclass(slots=True)
class Entry:
    """An article as the last successful publish left it (the publish state)."""

    stat: tuple[int, int]
    mentions: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    facts: Facts
    files: dict[str, str]


@dataclass
class State:
    fingerprint: str
    images: dict[str, tuple[int, int]]
    articles: dict[str, Entry]  # read without their listings (`Facts.listing` is "") until
    listings_at: int = -1  # `_load_listings` reads them from this offset of the state file
    files: int = 0  # files in the build, the manifest included


# -- entry point -------------------------------------------------------------------------------


def publish(config: Config, request: PublishRequest) -> PublishResult:
    out = request.out if request.out.is_absolute() else config.root / request.out
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with _locked(out) as problem:
            if problem is not None:
                return PublishResult([problem])
            return _publish_locked(config, request, out)
    except OSError as error:
        return PublishResult([_io_problem(out, error)])


def _publish_locked(config: Config, request: PublishRequest, out: Path) -> PublishResult:
    _recover(out)
    fingerprint = _fingerprint(config, request.formats)
    paths = {slug_of(path): path for path in corpus_files(config)}
    unsafe = list(_unsafe_names(config, paths))
    if unsafe:
        return PublishResult(unsafe)
    stats = {slug: _stat(path) for slug, path in paths.items()}
    images = _image_stats(config)
    state = _read_state(config, out, fingerprint)
    plan = _plan(paths, stats, images, state)
    if not plan.work and not plan.deleted and state is not None:
        cached = [d for entry in state.articles.values() for d in entry.diagnostics]
        return PublishResult(sorted(cached), rendered=0, reused=len(state.articles),
                             files=state.files)
    if state is not None and not _load_listings(config, out, state):
        state = None  # the listings the site pages need are lost: build everything
        plan = _plan(paths, stats, images, state)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    _remove(staging)
    try:
        staging.mkdir()
        result, entries = _build(config, request, paths, plan, state, staging)
        listings = {slug: listing_from_json(entries[slug].facts.listing)
                    for slug in sorted(entries)}  # read once, for the two uses below
        result.diagnostics.extend(_collisions(config, paths, listings))
        if not result.ok:
            return result
        if not _reuse(out, staging, entries, plan.processed):
            raise OSError(f"the previous build in {out} changed during the publish")
        result.files = _write_site(config, request, staging, entries, listings)
        _swap(staging, out)
        _write_state(config, out, State(fingerprint, images, entries, files=result.files))
        return result
    except OSError as error:
        return PublishResult([_io_problem(out, error)])
    finally:
        _remove(staging)


# -- names: every output file name is safe, and each is one article's or category's -----------


def _unsafe_names(config: Config, paths: dict[str, Path]) -> Iterator[Diagnostic]:
    """PUB005: an article whose file name is not a slug is never published, whatever the
    severity of SRC013 or SEC104: its name would become a file name and part of links."""
    from pipeline.load import SLUG

    limit = config.limits.max_slug_chars
    for slug, path in sorted(paths.items()):
        if not SLUG.fullmatch(slug) or len(slug) > limit:
            yield make(display_path(path), 1, 1, "PUB005",
                       f"file name {path.name!r} cannot name the output files: it must be "
                       f"lower-case words and digits joined by hyphens, at most {limit} "
                       "characters", "rename the file (see SRC013 and SEC104)")


def _collisions(config: Config, paths: dict[str, Path],
                listings: dict[str, Listing]) -> list[Diagnostic]:
    """SEC104 across the corpus (as `pipeline check` reports it): category names that share a
    page."""
    from pipeline.check import corpus_problems

    categories = {paths[slug]: tuple(c.name for c in listing.categories)
                  for slug, listing in listings.items() if slug in paths}
    return corpus_problems(config, categories)


# -- plan: what changed, and what depends on it ------------------------------------------------


@dataclass
class Plan:
    """Articles to check and render now; the rest are reused from the previous build."""

    dirty: set[str]  # changed, added, or showing a changed image
    deleted: set[str]
    mentions: dict[str, tuple[str, ...]]  # every article → the slugs its text names
    titles: dict[str, str]  # every article → its title (pre-scanned where dirty)
    work: set[str] = field(default_factory=set)  # dirty plus the articles that depend on them
    processed: set[str] = field(default_factory=set)


def _plan(paths: dict[str, Path], stats: dict[str, tuple[int, int]],
          images: dict[str, tuple[int, int]], state: State | None) -> Plan:
    known = state.articles if state is not None else {}
    changed_images = ({n for n in set(images) | set(state.images)
                       if images.get(n) != state.images.get(n)} if state else set())
    dirty = {slug for slug in paths if slug not in known or stats[slug] != known[slug].stat
             or set(known[slug].facts.images) & changed_images}
    deleted = set(known) - set(paths)
    mentions = {slug: entry.mentions for slug, entry in known.items() if slug in paths}
    titles = {slug: entry.facts.title for slug, entry in known.items() if slug in paths}
    for slug in sorted(dirty):  # one text at a time: memory does not grow with the corpus
        text = _read_text(paths[slug])
        mentions[slug] = mentions_of(slug, text)
        titles[slug] = _title_guess(text) or slug
    plan = Plan(dirty, deleted, mentions, titles)
    plan.work = set(dirty)
    if not dirty and not deleted:
        return plan  # nothing changed: no need for the reverse indexes
    mentioned_by = _reverse(mentions)
    old_mentioned_by = _reverse({s: e.mentions for s, e in known.items()})
    for slug in dirty | deleted:
        old = known.get(slug)
        if old is None or slug in deleted or old.facts.title != titles.get(slug):
            plan.work |= mentioned_by.get(slug, set()) | old_mentioned_by.get(slug, set())
        before = set(old.mentions) if old else set()
        after = set(mentions.get(slug, ()))
        plan.work |= before ^ after  # their incoming links changed: orphan or not
    plan.work = (plan.work & set(paths)) - deleted
    return plan


def _reverse(mentions: dict[str, tuple[str, ...]]) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for source, targets in mentions.items():
        for target in targets:
            result.setdefault(target, set()).add(source)
    return result


_TITLE = re.compile(r"^title:[ \t]*(?P<value>.*?)[ \t]*$", re.MULTILINE)


def _title_guess(text: str) -> str:
    """The title as the front matter most likely writes it; checked after the real parse."""
    head = text[:4096]
    match = _TITLE.search(head)
    if match is None:
        return ""
    value = match.group("value")
    if value[:1] in ("'", '"') and value[-1:] == value[:1] and len(value) >= 2:
        return value[1:-1].replace("''", "'") if value[0] == "'" else value[1:-1]
    return value


def _read_text(path: Path) -> str:
    """A regular file, and a bounded read: a link to /dev/zero must not hang the scan."""
    return read_text(path, MAX_SCAN) or ""


MAX_SCAN = 4 * 1024 * 1024


def _stat(path: Path) -> tuple[int, int]:
    try:
        info = path.stat()
    except OSError:
        return (-1, -1)
    return (info.st_mtime_ns, info.st_size)


def _image_stats(config: Config) -> dict[str, tuple[int, int]]:
    folder = config.articles / config.images_dir
    if not folder.is_dir():
        return {}
    return {p.name: _stat(p) for p in sorted(folder.iterdir()) if p.is_file()}


# -- build: check and render what changed, in workers ------------------------------------------


def _build(config: Config, request: PublishRequest, paths: dict[str, Path], plan: Plan,
           state: State | None, staging: Path) -> tuple[PublishResult, dict[str, Entry]]:
    result = PublishResult()
    entries: dict[str, Entry] = {}
    if state is not None:
        entries = {slug: entry for slug, entry in state.articles.items()
                   if slug in paths and slug not in plan.work}
    rounds = [sorted(plan.work)]
    while rounds:
        todo = rounds.pop()
        site = _site(config, plan.titles)
        progress = _progress(len(todo)) if request.progress else (lambda n: None)
        found: list[Processed] = []
        for index, processed in enumerate(
                _run(config, request, site, plan, staging, todo), start=1):
            progress(index)
            found.append(processed)
        plan.processed.update(todo)
        again = _follow_up(found, plan, state)
        for processed in found:
            if processed.facts is not None:
                plan.titles[processed.slug] = processed.facts.title
                entries[sys.intern(processed.slug)] = _kept(processed, processed.facts)
            result.diagnostics.extend(processed.diagnostics)
        again -= plan.processed
        if again:
            rounds.append(sorted(again))
    for slug, entry in entries.items():
        if slug not in plan.processed:
            result.diagnostics.extend(entry.diagnostics)
    result.diagnostics.sort()
    result.rendered = len(plan.processed)
    result.reused = len(entries) - len(plan.processed & set(entries))
    return result, entries


def _kept(processed: Processed, facts: Facts) -> Entry:
    """The entry the publish keeps of an article, its repeated names (the slugs it mentions,
    its headings' anchors) shared with every other entry's: at 10,000 articles, megabytes."""
    return Entry(processed.stat, _interned(processed.mentions), processed.diagnostics,
                 Facts(facts.title, _interned(facts.anchors), facts.images, facts.listing),
                 processed.files)


def _interned(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(map(sys.intern, names))


def _follow_up(found: list[Processed], plan: Plan, state: State | None) -> set[str]:
    """Articles to do again once the real titles and anchors are known."""
    again: set[str] = set()
    mentioned_by = _reverse(plan.mentions)
    for processed in found:
        if processed.facts is None:
            continue
        slug = processed.slug
        old = state.articles.get(slug) if state is not None else None
        guessed = plan.titles.get(slug)
        anchors_changed = old is not None and old.facts.anchors != processed.facts.anchors
        if processed.facts.title != guessed or anchors_changed:
            again |= mentioned_by.get(slug, set())
    return again


_JOB: dict[str, Any] = {}


def _run(config: Config, request: PublishRequest, site: Site, plan: Plan, staging: Path,
         slugs: list[str]) -> Iterator[Processed]:
    """Process articles, in worker processes when there are enough of them."""
    from pipeline.rules.context import Context, Corpus

    corpus = Corpus(config)
    corpus.set_mentions(_reverse(plan.mentions))
    job = {"config": config, "site": site, "staging": staging, "formats": request.formats,
           "context": Context(config=config, corpus=corpus)}
    workers = request.jobs if request.jobs > 0 else (os.cpu_count() or 1)
    if workers <= 1 or len(slugs) < PARALLEL_FROM:
        _JOB.update(job)
        try:
            yield from map(_process, slugs)
        finally:
            _JOB.clear()
        return
    from pipeline.workers import pool

    with pool(workers, _start_worker, job) as executor:
        yield from executor.map(_process, slugs, chunksize=max(1, len(slugs) // (workers * 16)))


def _start_worker(job: dict[str, Any]) -> None:
    _JOB.update(job)


def _process(slug: str) -> Processed:
    config: Config = _JOB["config"]
    site: Site = _JOB["site"]
    path = config.articles / f"{slug}.md"
    checked = check_one(_JOB["context"], path)
    article = checked.article
    diagnostics = list(checked.diagnostics)
    stat = _stat(path)
    if article is None:
        return Processed(slug, stat, (), tuple(diagnostics), None, {})
    mentions = mentions_of(slug, "\n".join(article.lines))
    light = build_view(article, site, with_sections=False)
    facts = Facts(article.title, _anchors(article), tuple(i.file for i in light.images),
                  listing_to_json(listing_of(light)))
    files: dict[str, str] = {}
    if not any(d.severity == "error" for d in diagnostics):
        try:
            outputs = render_article(config, site, article, _JOB["formats"])
        except Exception as error:  # a renderer fault becomes a diagnostic, never a traceback
            diagnostics.append(make(article.path, 1, 1, "PUB004",
                                    f"cannot render: {type(error).__name__}: {error}"))
            outputs = {}
        diagnostics.extend(missing_notices(article, outputs, light))
        for relative, data in outputs.items():
            write_file(_JOB["staging"] / relative, data)
            files[relative] = hashlib.sha256(data).hexdigest()
    return Processed(slug, stat, mentions, tuple(diagnostics), facts, files)


def _anchors(article: Article) -> tuple[str, ...]:
    from pipeline.load import heading_ids

    return tuple(sorted(heading_ids(article)))


def _site(config: Config, titles: dict[str, str]) -> Site:
    schema = load_schema(config.schema)
    return Site(name=config.site_name, base_url=config.base_url, language=config.language,
                page_size=config.page_size, disclaimers=disclaimers_from_schema(schema),
                titles=dict(sorted(titles.items())),
                max_nesting=config.limits.max_markdown_nesting)


def make_site(config: Config, articles: dict[str, Article]) -> Site:
    """The site around a set of loaded articles (for the preview)."""
    return _site(config, {slug: a.title for slug, a in articles.items()})


def _digest_tree(folder: Path, pattern: str = "*") -> str:
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob(pattern) if p.is_file()):
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _fingerprint(config: Config, formats: tuple[str, ...]) -> str:
    """Everything besides the articles that shapes the outputs or the diagnostics."""
    digest = hashlib.sha256()
    digest.update(__version__.encode())
    digest.update(_digest_tree(Path(__file__).parent, "*.py").encode())  # the code itself
    digest.update(_digest_tree(config.templates).encode())
    digest.update(config.schema.read_bytes())
    digest.update(repr(sorted((k, repr(v)) for k, v in vars(config).items()
                              if k != "root")).encode())
    digest.update(",".join(formats).encode())
    from pipeline.rules.context import today

    digest.update(today().isoformat().encode())  # review-date rules depend on the day
    return digest.hexdigest()


def images_folder(config: Config) -> Path | None:
    """The images folder, resolved; None when a symbolic link takes it out of the repository
    (SEC103): then no image is published or printed, whatever the check's severities."""
    try:
        folder = (config.articles / config.images_dir).resolve()
        folder.relative_to(config.root.resolve())
    except (OSError, ValueError, RuntimeError):
        return None
    return folder


def image_source(config: Config, target: str) -> Path | None:
    """The image file a reference names, only if it lies inside the images folder (itself
    inside the repository): what publish copies and the preview serves."""
    name = target.rsplit("/", 1)[-1]
    folder = images_folder(config)
    if folder is None or not name or name in (".", ".."):
        return None
    try:
        candidate = (folder / name).resolve()
    except (OSError, ValueError, RuntimeError):  # a NUL in the name, a loop of links
        return None
    return candidate if candidate.parent == folder else None


def publishable_image(config: Config, target: str) -> Path | None:
    """The image file a reference names, if it may be published and served: inside the
    images folder, a file, and never one that can run or load something (SEC105), even when
    the check was told to let it through."""
    from pipeline.image_files import image_problem

    source = image_source(config, target)
    if source is None or not source.is_file() or image_problem(source, config.limits):
        return None
    return source


def render_article(config: Config, site: Site, article: Article,
                   formats: tuple[str, ...]) -> dict[str, bytes]:
    """Every output file of one article, by path relative to the build folder."""
    outputs: dict[str, bytes] = {}
    view = build_view(article, site)
    if "html" in formats:
        from pipeline.render.environment import environment
        from pipeline.render.html import render_article_page

        outputs[f"html/{article.slug}.html"] = render_article_page(
            view, site, environment(config.templates))
    if "json" in formats or "pdf" in formats:
        absolute = absolute_view(view, site)
        if "json" in formats:
            from pipeline.render.json_api import render_article_json

            outputs[f"json/{article.slug}.json"] = render_article_json(absolute, site)
        if "pdf" in formats:
            from pipeline.render.pdf import render_pdf

            outputs[f"print/{article.slug}.pdf"] = render_pdf(
                absolute, site, config.templates,
                images_folder(config) or config.root / ".no-images-folder", config.limits)
    return outputs


# -- verify ------------------------------------------------------------------------------------


def missing_notices(article: Article, outputs: dict[str, bytes],
                    view: ArticleView) -> Iterator[Diagnostic]:
    """Every output must carry the disclaimer, the licence and the attribution."""
    for relative, data in sorted(outputs.items()):
        text = _output_text(relative, data)
        wanted = {"disclaimer": view.disclaimer.text, "licence": view.license.url,
                  "attribution": view.attribution}
        if relative.endswith(".html"):
            import html

            text = html.unescape(text)
        squashed = _squash(text)
        for name, needle in wanted.items():
            if not needle or _squash(needle) not in squashed:
                yield make(article.path, 1, 1, "PUB003",
                           f"{relative} lacks the {name}",
                           "restore the notice in the template for this output")


def _squash(text: str) -> str:
    """Text without any whitespace: line breaks in PDFs fall anywhere, even inside a URL;
    and without the characters the renderers remove (`pipeline.characters`)."""
    from pipeline.characters import without_forbidden

    return "".join(without_forbidden(text).split())


def _output_text(relative: str, data: bytes) -> str:
    if relative.endswith(".pdf"):
        return pdf_text(data)
    if relative.endswith(".json"):
        return "\n".join(_strings(json.loads(data)))
    return data.decode("utf-8", errors="replace")


def _strings(value: Any) -> Iterator[str]:
    """Every string in a JSON document, as a reader of the API gets it."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def pdf_text(data: bytes) -> str:
    """The text a reader of the PDF gets: poppler's pdftotext when installed (a C tool,
    about six times faster here), else pypdf."""
    import shutil
    import subprocess

    tool = shutil.which("pdftotext")
    if tool is not None:
        done = subprocess.run([tool, "-q", "-enc", "UTF-8", "-", "-"], input=data,
                              capture_output=True, check=False, timeout=60)
        if done.returncode == 0:
            return done.stdout.decode("utf-8", errors="replace")
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


# -- site pages, images, manifest --------------------------------------------------------------


def _write_site(config: Config, request: PublishRequest, staging: Path,
                entries: dict[str, Entry], listings: dict[str, Listing]) -> int:
    """The pages made of every article (front, categories, index.json), images, manifest."""
    site = _site(config, {slug: entry.facts.title for slug, entry in entries.items()})
    shown = list(listings.values())
    written: dict[str, str] = {}

    def write(relative: str, data: bytes) -> None:
        write_file(staging / relative, data)
        written[relative] = hashlib.sha256(data).hexdigest()

    if "html" in request.formats:
        from pipeline.render.environment import environment
        from pipeline.render.html import render_category_page, render_index_page, stylesheet

        env = environment(config.templates)
        write("html/index.html", render_index_page(shown, site, env))
        write("html/style.css", stylesheet(config.templates))
        for category, members in _categories(shown).items():
            write(f"html/category/{category.slug}.html",
                  render_category_page(category, members, site, env))
        for name in sorted({name for entry in entries.values() for name in entry.facts.images}):
            source = publishable_image(config, name)
            if source is not None:
                write(f"html/images/{source.name}", source.read_bytes())
    if "json" in request.formats:
        from pipeline.render.json_api import render_index_json

        write("json/index.json", render_index_json(shown, site))
    for entry in entries.values():
        written.update(entry.files)
    write_file(staging / MANIFEST, _manifest(written, entries, request.formats))
    return len(written) + 1


def _categories(listings: list[Listing]) -> dict[Any, list[Listing]]:
    """Articles by category page: names that share a slug share the page (first name wins)."""
    names: dict[str, Any] = {}
    groups: dict[str, dict[str, Listing]] = {}  # by article slug: no article twice
    for listing in listings:
        for category in listing.categories:
            names.setdefault(category.slug, category)
            groups.setdefault(category.slug, {}).setdefault(listing.slug, listing)
    return {names[slug]: list(groups[slug].values()) for slug in sorted(groups)}


def _manifest(files: dict[str, str], entries: dict[str, Entry],
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


def _reuse(out: Path, staging: Path, entries: dict[str, Entry], processed: set[str]) -> bool:
    """Hard-link the unchanged articles' files from the previous build (copy if need be)."""
    made: set[Path] = set()
    for slug, entry in entries.items():
        if slug in processed:
            continue
        for relative in entry.files:
            source, target = out / relative, staging / relative
            if (Path(relative).is_absolute() or ".." in Path(relative).parts
                    or not source.is_file()):
                return False
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
    return True


# -- the publish state: what the last successful publish saw ------------------------------------


def _state_path(config: Config, out: Path) -> Path:
    name = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16]
    return config.root / STATE_FOLDER / f"publish-{name}.json"


def _read_state(config: Config, out: Path, fingerprint: str) -> State | None:
    """The state, if it belongs to this very build and this very setup; else None.

    The file is two lines of JSON: what a republish with nothing changed needs (read here),
    then every article's listing (read by `_load_listings`, only when pages are rebuilt)."""
    try:
        with open(_state_path(config, out), "rb") as handle:
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


def _load_listings(config: Config, out: Path, state: State) -> bool:
    """Fill in the listings of the state's articles; False if any is missing or unreadable."""
    from dataclasses import replace

    try:
        with open(_state_path(config, out), "rb") as handle:
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
    return Entry(stat=(raw["stat"][0], raw["stat"][1]), mentions=_interned(raw["mentions"]),
                 diagnostics=tuple(Diagnostic(*d) for d in raw["diagnostics"]),
                 facts=Facts(raw["facts"]["title"], _interned(raw["facts"]["anchors"]),
                             tuple(raw["facts"]["images"]), ""),
                 files=dict(raw["files"]))


def _write_state(config: Config, out: Path, state: State) -> None:
    """Written after the swap: a crash before it only costs the next publish some work."""
    from dataclasses import astuple

    head = {"version": STATE_VERSION, "fingerprint": state.fingerprint,
            "manifest": hashlib.sha256((out / MANIFEST).read_bytes()).hexdigest(),
            "images": state.images, "files": state.files}
    path = _state_path(config, out)
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


# -- files and the swap ------------------------------------------------------------------------


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    function = getattr(libc, "renameat2", None)
    if function is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    status = function(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if status != 0:
        errno = ctypes.get_errno()
        import errno as codes

        if errno in (codes.ENOSYS, codes.EINVAL):
            return False
        raise OSError(errno, os.strerror(errno), str(a))
    return True


def _swap(staging: Path, out: Path) -> None:
    """Put the staged build in place of the old one in one step; then drop the old one."""
    _fsync_tree(staging)
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        _remove(staging)  # now holds the previous build
        return
    old = out.parent / f".{out.name}.old"
    _remove(old)
    os.rename(out, old)
    os.rename(staging, out)
    _remove(old)


def _recover(out: Path) -> None:
    """After a crash between the two renames of the fallback swap, put the old build back."""
    old = out.parent / f".{out.name}.old"
    if old.exists() and not out.exists():
        os.rename(old, out)
    for stale in out.parent.glob(f".{out.name}.staging-*"):
        _remove(stale)


def _fsync_tree(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def _locked(out: Path) -> Iterator[Diagnostic | None]:
    """An exclusive lock per output folder; a second publish gets a diagnostic, not a wait."""
    with exclusive_lock(out.parent / f".{out.name}.lock") as holder:
        yield None if holder is None else make(
            display_path(out), 1, 1, "PUB001",
            f"another publish of {display_path(out)} is running (pid {holder})",
            "wait for it to finish, then publish again")


def _io_problem(out: Path, error: OSError) -> Diagnostic:
    return make(display_path(out), 1, 1, "PUB002",
                f"cannot write the build: {error.strerror or error}"
                + (f" ({error.filename})" if error.filename else ""),
                "free disk space or fix the folder's permissions; the previous build is "
                "unchanged")


def _progress(total: int) -> Callable[[int], None]:
    def show(done: int) -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        sys.stderr.write(f"\rRendering [{'#' * filled}{'.' * (width - filled)}] "
                         f"{done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show
