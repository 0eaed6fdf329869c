"""Work: check and render each article that the plan names, and the local executor that
runs that work in a pool of processes.

`process_article` is the work on one article, a pure function of the check context (the
configuration and who mentions whom), the article's path, the site and the formats: it
returns the outputs' bytes and writes nothing. The local executor (`run_local`) runs it in
worker processes and writes each output into the staging folder there, so that bytes do
not travel back; another executor (distributed, say) would run the same function and
write what it returns (`pipeline.publish.distributed`, on a Dask cluster). `build` does the
rounds: once the real titles and anchors are known, the articles that link to a changed one
are done again.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.check import PARALLEL_FROM, check_one
from pipeline.config import Config
from pipeline.diagnostics import Diagnostic, make
from pipeline.model import Article
from pipeline.names import slug_of
from pipeline.publish.pages import site_of
from pipeline.publish.plan import Plan, follow_up, reverse, stat
from pipeline.publish.state import Entry, Facts, State, interned
from pipeline.publish.swap import stage_file
from pipeline.publish.verify import missing_notices
from pipeline.render.formats import render_article
from pipeline.render.view import Site, build_view, listing_of, listing_to_json
from pipeline.rules.context import mentions_of

if TYPE_CHECKING:
    from pipeline.rules.context import Context


@dataclass(frozen=True, slots=True)
class Rendered:
    """One article checked and, when it has no error, rendered: what `process_article`
    returns."""

    slug: str
    stat: tuple[int, int]
    mentions: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    facts: Facts | None
    outputs: dict[str, bytes]  # path relative to the build → bytes


@dataclass(frozen=True, slots=True)
class Processed:
    """One article processed, its outputs written into the staging folder."""

    slug: str
    stat: tuple[int, int]
    mentions: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    facts: Facts | None
    files: dict[str, str]  # path relative to the build → sha256


def process_article(context: Context, path: Path, site: Site,
                    formats: tuple[str, ...]) -> Rendered:
    """Check one article and, if it has no error, render it and verify its notices."""
    config = context.config
    slug = slug_of(path)
    checked = check_one(context, path)
    article = checked.article
    diagnostics = list(checked.diagnostics)
    status = stat(path)
    if article is None:
        return Rendered(slug, status, (), tuple(diagnostics), None, {})
    mentions = mentions_of(slug, "\n".join(article.lines))
    light = build_view(article, site, with_sections=False)
    facts = Facts(article.title, _anchors(article), tuple(i.file for i in light.images),
                  listing_to_json(listing_of(light)))
    outputs: dict[str, bytes] = {}
    if not any(d.severity == "error" for d in diagnostics):
        try:
            outputs = render_article(config, site, article, formats)
        except Exception as error:  # a renderer fault becomes a diagnostic, never a traceback
            diagnostics.append(make(article.path, 1, 1, "PUB004",
                                    f"cannot render: {type(error).__name__}: {error}"))
            outputs = {}
        diagnostics.extend(missing_notices(article, outputs, light))
    return Rendered(slug, status, mentions, tuple(diagnostics), facts, outputs)


def _anchors(article: Article) -> tuple[str, ...]:
    from pipeline.load import heading_ids

    return tuple(sorted(heading_ids(article)))


# -- the local executor: a pool of processes, each writing its outputs into the staging ------


@dataclass(frozen=True)
class Job:
    """What every article of a round shares."""

    config: Config
    site: Site
    staging: Path
    formats: tuple[str, ...]
    mentioned_by: dict[str, set[str]] = field(default_factory=dict)


_JOB: dict[str, Any] = {}


def run_local(job: Job, slugs: list[str], jobs: int) -> Iterator[Processed]:
    """Process articles, in worker processes when there are enough of them."""
    from pipeline.rules.context import Context, Corpus

    corpus = Corpus(job.config)
    corpus.set_mentions(job.mentioned_by)
    shared = {"config": job.config, "site": job.site, "staging": job.staging,
              "formats": job.formats, "context": Context(config=job.config, corpus=corpus)}
    workers = jobs if jobs > 0 else (os.cpu_count() or 1)
    if workers <= 1 or len(slugs) < PARALLEL_FROM:
        _JOB.update(shared)
        try:
            yield from map(_process, slugs)
        finally:
            _JOB.clear()
        return
    from pipeline.workers import PDF_SECONDS, RENDER_SECONDS, batch_size, pool

    each = PDF_SECONDS if "pdf" in job.formats else RENDER_SECONDS
    with pool(workers, _start_worker, shared) as executor:
        yield from executor.map(_process, slugs, chunksize=batch_size(len(slugs), workers, each))


def _start_worker(shared: dict[str, Any]) -> None:
    _JOB.update(shared)


def _process(slug: str) -> Processed:
    config: Config = _JOB["config"]
    done = process_article(_JOB["context"], config.articles / f"{slug}.md", _JOB["site"],
                           _JOB["formats"])
    files = {relative: stage_file(_JOB["staging"], relative, data)
             for relative, data in done.outputs.items()}
    return Processed(done.slug, done.stat, done.mentions, done.diagnostics, done.facts, files)


# -- rounds ----------------------------------------------------------------------------------


@dataclass
class Built:
    diagnostics: list[Diagnostic]
    entries: dict[str, Entry]  # every article of the build
    rendered: int
    reused: int


# An executor processes a round's articles and writes their outputs into the staging folder;
# it reports to the progress display, when there is one, as articles are done.
Executor = Callable[[Job, list[str], "Progress | None"], Iterator[Processed]]


def local_executor(jobs: int) -> Executor:
    """The default executor: this machine's worker processes (`run_local`)."""

    def run(job: Job, slugs: list[str], progress: Progress | None) -> Iterator[Processed]:
        for index, processed in enumerate(run_local(job, slugs, jobs), start=1):
            if progress is not None:
                progress.show(index)
            yield processed

    return run


def build(config: Config, formats: tuple[str, ...], jobs: int, progress: bool,
          paths: dict[str, Path], plan: Plan, state: State | None, staging: Path,
          executor: Executor | None = None, progress_from: int = 0) -> Built:
    """Check and render what the plan names, round after round; keep the rest. The
    executor (default: this machine's processes) only changes where the work runs, never
    its result. With `progress`, a round of `progress_from` articles or more shows its
    progress on stderr."""
    run = executor if executor is not None else local_executor(jobs)
    diagnostics: list[Diagnostic] = []
    entries: dict[str, Entry] = {}
    if state is not None:
        entries = {slug: entry for slug, entry in state.articles.items()
                   if slug in paths and slug not in plan.work}
    rounds = [sorted(plan.work)]
    number = 0
    while rounds:
        todo = rounds.pop()
        number += 1
        job = Job(config, site_of(config, plan.titles), staging, formats,
                  reverse(plan.mentions))
        phase = "Checking and rendering" + (f" (round {number})" if number > 1 else "")
        shown = progress and len(todo) >= progress_from
        found = sorted(run(job, todo, Progress(len(todo), phase) if shown else None),
                       key=lambda processed: processed.slug)  # one order, whoever did what
        plan.processed.update(todo)
        again = follow_up(found, plan, state)
        for processed in found:
            if processed.facts is not None:
                plan.titles[processed.slug] = processed.facts.title
                entries[sys.intern(processed.slug)] = _kept(processed, processed.facts)
            diagnostics.extend(processed.diagnostics)
        again -= plan.processed
        if again:
            rounds.append(sorted(again))
    for slug, entry in entries.items():
        if slug not in plan.processed:
            diagnostics.extend(entry.diagnostics)
    diagnostics.sort()
    return Built(diagnostics, entries, len(plan.processed),
                 len(entries) - len(plan.processed & set(entries)))


def _kept(processed: Processed, facts: Facts) -> Entry:
    """The entry the publish keeps of an article, its repeated names (the slugs it mentions,
    its headings' anchors) shared with every other entry's."""
    return Entry(processed.stat, interned(processed.mentions), processed.diagnostics,
                 Facts(facts.title, interned(facts.anchors), facts.images, facts.listing),
                 processed.files)


class Progress:
    """The progress display on stderr (a terminal): the phase, articles done of its total,
    elapsed time, an estimate of the time left and, on a cluster, the articles each worker
    did. `check` and `publish` show it for long runs; never in CI or with --quiet (cli)."""

    WIDTH = 30

    def __init__(self, total: int, phase: str = "Rendering") -> None:
        self.total = total
        self.phase = phase
        self.started = time.monotonic()

    @staticmethod
    def note(text: str) -> None:
        """A phase without a count (writing the site pages, swapping), on its own line."""
        sys.stderr.write(f"{text}\x1b[K\n")
        sys.stderr.flush()

    def show(self, done: int, workers: Mapping[str, int] | None = None) -> None:
        filled = int(self.WIDTH * done / max(self.total, 1))
        elapsed = time.monotonic() - self.started
        line = (f"\r{self.phase} [{'#' * filled}{'.' * (self.WIDTH - filled)}] "
                f"{done}/{self.total} {_duration(elapsed)}")
        if 0 < done < self.total:
            line += f", about {_duration(elapsed * (self.total - done) / done)} left"
        if workers:
            line += " · " + ", ".join(f"{name}: {count}"
                                      for name, count in sorted(workers.items()))
        sys.stderr.write(line + "\x1b[K")  # erase what a longer line left
        if done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _duration(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}m{whole % 60:02d}s" if whole >= 60 else f"{seconds:.0f}s"
