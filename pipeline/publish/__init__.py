"""Publish: check everything, render the valid corpus into a staging folder, swap it in.

The flow, one module per step: lock → plan what changed (`plan`, against the previous
publish's `state`) → check and render each article (`work`, in a pool of processes; the
unchanged articles' files are reused by hard link) → verify every output carries its
notices (`verify`) → site pages and manifest (`pages`, each output format's site files from
`pipeline.render.formats`) → atomic swap (`swap`) → state. Any failure before the swap
leaves the previous build exactly as it was. With a scheduler, the per-article work runs on
a Dask cluster (`distributed`); everything else stays here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.check import corpus_files
from pipeline.config import Config
from pipeline.diagnostics import Diagnostic, make
from pipeline.fsio import display_path, exclusive_lock
from pipeline.image_files import image_source, images_folder, publishable_image
from pipeline.names import slug_of
from pipeline.publish.pages import make_site, write_site
from pipeline.publish.plan import image_stats, make_plan, stat
from pipeline.publish.state import (
    MANIFEST,
    State,
    fingerprint,
    load_listings,
    read_state,
    write_state,
)
from pipeline.publish.swap import recover, remove, reuse, staging_folder, swap_in
from pipeline.publish.verify import missing_notices, pdf_text
from pipeline.publish.work import Executor, Progress, build
from pipeline.render import formats as _formats
from pipeline.render.formats import render_article
from pipeline.render.view import Listing, listing_from_json

FORMATS = tuple(_formats.FORMATS)

__all__ = ["FORMATS", "MANIFEST", "PublishRequest", "PublishResult", "image_source",
           "images_folder", "make_site", "missing_notices", "pdf_text", "publish",
           "publishable_image", "render_article"]


@dataclass(frozen=True)
class PublishRequest:
    out: Path
    formats: tuple[str, ...] = FORMATS
    jobs: int = 0  # 0: one per core
    progress: bool = False
    scheduler: str | None = None  # a Dask scheduler's address: the work runs on its cluster
    progress_from: int = 0  # with progress: shown for rounds of this many articles or more


@dataclass
class PublishResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    rendered: int = 0
    reused: int = 0
    files: int = 0

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


def publish(config: Config, request: PublishRequest) -> PublishResult:
    """Publish; with `request.scheduler`, on that Dask cluster, which is reached and checked
    before any work: `pipeline.publish.distributed.ClusterError` when it cannot be used (or
    fails beyond what Dask retries), the previous build then untouched."""
    out = request.out if request.out.is_absolute() else config.root / request.out
    if request.scheduler:
        from pipeline.publish.distributed import connect

        with connect(request.scheduler) as cluster:
            return _publish(config, request, out, cluster.executor())
    return _publish(config, request, out, None)


def _publish(config: Config, request: PublishRequest, out: Path,
             executor: Executor | None) -> PublishResult:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with _locked(out) as problem:
            if problem is not None:
                return PublishResult([problem])
            return _publish_locked(config, request, out, executor)
    except OSError as error:
        return PublishResult([_io_problem(out, error)])


def _publish_locked(config: Config, request: PublishRequest, out: Path,
                    executor: Executor | None) -> PublishResult:
    recover(out)
    # plan
    setup = fingerprint(config, request.formats)
    paths = {slug_of(path): path for path in corpus_files(config)}
    unsafe = list(_unsafe_names(config, paths))
    if unsafe:
        return PublishResult(unsafe)
    stats = {slug: stat(path) for slug, path in paths.items()}
    images = image_stats(config)
    state = read_state(config, out, setup)
    plan = make_plan(paths, stats, images, state)
    if not plan.work and not plan.deleted and state is not None:
        cached = [d for entry in state.articles.values() for d in entry.diagnostics]
        return PublishResult(sorted(cached), rendered=0, reused=len(state.articles),
                             files=state.files)
    if state is not None and not load_listings(config, out, state):
        state = None  # the listings the site pages need are lost: build everything
        plan = make_plan(paths, stats, images, state)
    staging = staging_folder(out)
    remove(staging)
    try:
        staging.mkdir()
        # check, render and verify each article
        built = build(config, request.formats, request.jobs, request.progress, paths, plan,
                      state, staging, executor, request.progress_from)
        result = PublishResult(built.diagnostics, built.rendered, built.reused)
        entries = built.entries
        listings = {slug: listing_from_json(entries[slug].facts.listing)
                    for slug in sorted(entries)}  # read once, for the two uses below
        result.diagnostics.extend(_collisions(config, paths, listings))
        if not result.ok:
            return result
        kept = (relative for slug, entry in entries.items() if slug not in plan.processed
                for relative in entry.files)
        if not reuse(out, staging, kept):
            raise OSError(f"the previous build in {out} changed during the publish")
        # site pages and manifest, swap, state
        if request.progress and len(plan.processed) >= request.progress_from:
            Progress.note(f"Writing the site pages{' and books' if config.books else ''} "
                          f"of {len(entries)} articles")
        result.files = write_site(config, request.formats, staging, entries, listings,
                                  out if state is not None else None)
        swap_in(staging, out)
        write_state(config, out, State(setup, images, entries, files=result.files))
        return result
    except OSError as error:
        return PublishResult([_io_problem(out, error)])
    finally:
        remove(staging)


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
    titles = {paths[slug]: listing.title for slug, listing in listings.items() if slug in paths}
    return corpus_problems(config, categories, known=titles)


# -- the lock and the diagnostics of a failed build ---------------------------------------------


@contextmanager
def _locked(out: Path) -> Iterator[Diagnostic | None]:
    """An exclusive lock per output folder; a second publish gets a diagnostic, not a wait."""
    with exclusive_lock(out.parent / f".{out.name}.lock") as holder:
        yield None if holder is None else make(
            display_path(out), 1, 1, "PUB001",
            f"another publish of {display_path(out)} is running (pid {holder})",
            "wait for it to finish, then publish again")


def _io_problem(out: Path, error: OSError) -> Diagnostic:
    left = ("the previous build is unchanged" if (out / MANIFEST).is_file()
            else "nothing was published")
    return make(display_path(out), 1, 1, "PUB002",
                f"cannot write the build: {error.strerror or error}"
                + (f" ({error.filename})" if error.filename else ""),
                f"free disk space or fix the folder's permissions; {left}")
