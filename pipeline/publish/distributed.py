"""The distributed executor: the per-article work (check, render, verify) as Dask tasks.

The client (this process) stays in charge of the build: it plans, reads every file the work
needs and sends it, receives the outputs' bytes and diagnostics, stages them
(`swap.stage_file`) and swaps as a local publish does. Workers need no shared file system
and no access to the repository. What travels:

- once per worker and setup, `Setup`: the templates folder's files, the schema, the
  configuration and the day, scattered to every worker and keyed by their content hash;
- once per round, `Round`: the corpus index (every slug, who mentions whom, the titles in
  the `Site`), scattered to every worker;
- with each task, `Batch`: 20 to 50 articles' texts, the images they show and the texts of
  the articles they link to (their titles and anchors, for the link rules).

A worker materialises those files into a private folder (cached per setup hash) that mirrors
the client's absolute paths, and runs `work.process_article` unchanged from the mirror of
the client's working folder: every diagnostic names `articles/<slug>.md` as it does locally,
and the result is the bytes of a local publish. The few articles that the file-system rules
must see as they are (a symbolic link, not a regular file, beyond the size limits, or
showing or linking to such a file) are processed here, by the client.

Safety: every worker must run the same pipeline and renderers (`runtime_fingerprint`,
compared on every worker before any task, and again by each task); Dask runs a dead
worker's tasks again (`RETRIES` more times for a task that fails); anything that stops the
work raises `ClusterError` before the swap, so the previous build stays as it was.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import shutil
import stat as stat_codes
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from pipeline.config import Config
from pipeline.publish.state import code_digest, renderer_versions
from pipeline.publish.work import Executor, Job, Processed, Progress, Rendered, run_local

if TYPE_CHECKING:
    from pipeline.render.view import Site

INSTALL = "pip install '.[dask]'"
CONNECT_TIMEOUT = 15.0  # seconds to reach the scheduler: then a usage error
WORKERS_TIMEOUT = 60.0  # seconds to wait for a first worker, or for one when all are gone
POLL = 2.0  # seconds between looks at the cluster while tasks run
BATCH_MIN, BATCH_MAX = 20, 50  # articles per task: the scheduler costs about 3 ms a task
IN_FLIGHT = 3  # batches queued per worker: the client holds only their texts
RETRIES = 2  # more runs of a task that failed (a dead worker's tasks are rerun anyway)


class ClusterError(Exception):
    """The cluster cannot be used, or failed during the publish: the command line exits
    with 2, and the previous build is unchanged."""


class WorkerMismatch(Exception):
    """Raised by a task on a worker whose pipeline or renderers differ from the client's."""


def require() -> None:
    """Dask is an optional extra, imported only when a scheduler is named."""
    import importlib.util

    if importlib.util.find_spec("distributed") is None:
        raise ClusterError("publishing on a Dask cluster needs Dask distributed, which is "
                           f"not installed: {INSTALL}")


# -- the fingerprint: the same pipeline and renderers everywhere ------------------------------


Fingerprint = tuple[tuple[str, str], ...]


@lru_cache(maxsize=1)
def runtime_fingerprint() -> Fingerprint:
    """What shapes the outputs besides the inputs: the pipeline's version and source, and
    the versions of the libraries that render."""
    from pipeline import __version__

    found: list[tuple[str, str]] = [("pipeline", __version__), ("source", code_digest()[:16])]
    found.extend(renderer_versions())
    return tuple(found)


def worker_fingerprint() -> Fingerprint:
    """Run on every worker by `Client.run`."""
    return runtime_fingerprint()


def _describe(fingerprint: Fingerprint) -> str:
    return ", ".join(f"{name} {value}" for name, value in fingerprint)


def _mismatch(where: str, theirs: Fingerprint, mine: Fingerprint) -> str:
    ours = dict(mine)
    differ = [(name, value, ours.get(name, "?")) for name, value in theirs
              if ours.get(name) != value]
    details = "; ".join(f"{name} {value} there, {wanted} here" for name, value, wanted in differ)
    return (f"worker {where} runs another version of the pipeline or its renderers "
            f"({details or _describe(theirs)}); install this version on every worker "
            "(pip install '.[pdf,dask]' from the same commit) and start them again")


def _normal(value: Any) -> Fingerprint:
    return tuple((str(pair[0]), str(pair[1])) for pair in value)


# -- what travels to the workers --------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """What every task of a publish shares: scattered once to every worker."""

    key: str  # content hash of everything below
    fingerprint: Fingerprint
    config: Config  # with the client's (absolute) paths
    cwd: str  # the client's working folder: display paths are relative to it
    today: date
    formats: tuple[str, ...]
    templates: dict[str, bytes]  # path relative to the templates folder → bytes
    schema: bytes


@dataclass(frozen=True)
class Round:
    """What every task of a round shares: the corpus index."""

    token: str
    site: Site
    slugs: tuple[str, ...]  # every article of the corpus
    mentioned_by: dict[str, set[str]]


@dataclass(frozen=True)
class Batch:
    articles: dict[str, bytes]  # slug → text: the articles to process
    linked: dict[str, bytes]  # slug → text: the articles they mention
    images: dict[str, bytes]  # file name → bytes: the images they show


@dataclass(frozen=True)
class Done:
    worker: str
    rendered: tuple[Rendered, ...]


def make_setup(config: Config, formats: tuple[str, ...]) -> Setup:
    from pipeline.config import today

    templates: dict[str, bytes] = {}
    if config.templates.is_dir():
        for path in sorted(config.templates.rglob("*")):
            if path.is_file():
                templates[path.relative_to(config.templates).as_posix()] = path.read_bytes()
    schema = config.schema.read_bytes()
    fingerprint = runtime_fingerprint()
    day = today()
    cwd = os.getcwd()
    digest = hashlib.sha256()
    for part in (repr(fingerprint), repr(config), cwd, day.isoformat(), ",".join(formats)):
        digest.update(part.encode() + b"\0")
    for name, data in templates.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    digest.update(hashlib.sha256(schema).digest())
    return Setup(digest.hexdigest()[:24], fingerprint, config, cwd, day, formats, templates,
                 schema)


# -- on the worker ----------------------------------------------------------------------------

_LOCK = threading.Lock()  # one batch at a time per worker process: it sets the working folder
_FILES: dict[str, dict[str, Path]] = {}  # the last round's slug → path, per mirror


def run_batch(setup: Setup, round_: Round, batch: Batch) -> Done:
    """A Dask task: check, render and verify a batch of articles; their outputs as bytes."""
    from pipeline.publish.work import process_article
    from pipeline.rules.context import Context, Corpus

    mine = runtime_fingerprint()
    if mine != setup.fingerprint:
        raise WorkerMismatch(_mismatch(_worker_name(), mine, setup.fingerprint))
    with _LOCK:
        base = _materialised(setup)
        config = _mirrored_config(setup.config, base)
        images = config.articles / config.images_dir
        for folder in (config.articles, images):
            shutil.rmtree(folder, ignore_errors=True)  # the previous batch's files
        config.articles.mkdir(parents=True, exist_ok=True)
        for slug, data in {**batch.linked, **batch.articles}.items():
            (config.articles / f"{slug}.md").write_bytes(data)
        if batch.images:
            images.mkdir(parents=True, exist_ok=True)
            for name, data in batch.images.items():
                (images / name).write_bytes(data)
        files = _FILES.get(f"{base}:{round_.token}")
        if files is None:
            _FILES.clear()
            files = {slug: config.articles / f"{slug}.md" for slug in round_.slugs}
            _FILES[f"{base}:{round_.token}"] = files
        corpus = Corpus(config)
        corpus._files = files  # every slug of the corpus; only the linked ones are read
        corpus.set_mentions(round_.mentioned_by)
        context = Context(config=config, corpus=corpus, today=setup.today)
        cwd = _mirror(base, setup.cwd)
        cwd.mkdir(parents=True, exist_ok=True)
        previous = os.getcwd()
        os.chdir(cwd)  # display paths relative to the mirror of the client's working folder
        try:
            done = tuple(process_article(context, config.articles / f"{slug}.md",
                                         round_.site, setup.formats)
                         for slug in batch.articles)
        finally:
            os.chdir(previous)
    return Done(_worker_name(), done)


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


def _scratch() -> Path:
    try:
        from distributed import get_worker

        return Path(get_worker().local_directory) / "pipeline-publish"
    except (ImportError, ValueError):
        import tempfile

        return Path(tempfile.gettempdir()) / f"pipeline-publish-{os.getpid()}"


def _mirror(base: Path, path: str | Path) -> Path:
    """Where a path of the client lives in the worker's folder `base`."""
    return base.joinpath(*Path(os.path.abspath(path)).parts[1:])


def _mirrored_config(config: Config, base: Path) -> Config:
    return replace(config, root=_mirror(base, config.root),
                   articles=_mirror(base, config.articles),
                   schema=_mirror(base, config.schema),
                   templates=_mirror(base, config.templates))


def _materialised(setup: Setup) -> Path:
    """The worker's folder for this setup: templates and schema written once (a per-worker
    cache keyed by the setup's hash); older setups' folders are removed."""
    scratch = _scratch()
    base = scratch / setup.key
    ready = base / ".ready"
    if ready.exists():
        return base
    if scratch.is_dir():
        for old in scratch.iterdir():
            shutil.rmtree(old, ignore_errors=True)
    config = _mirrored_config(setup.config, base)
    config.root.mkdir(parents=True, exist_ok=True)
    for relative, data in setup.templates.items():
        target = config.templates / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    config.schema.parent.mkdir(parents=True, exist_ok=True)
    config.schema.write_bytes(setup.schema)
    ready.write_bytes(b"")
    return base


# -- on the client: the connection, the check of the workers, the executor --------------------


class Cluster:
    """A connection to a Dask scheduler whose workers run this very pipeline."""

    def __init__(self, client: Any, address: str) -> None:
        self.client = client
        self.address = address
        self._setups: dict[str, Any] = {}  # setup key → its scattered future

    def check_workers(self) -> None:
        try:
            self.client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
        except Exception:
            raise ClusterError(f"no Dask worker joined the scheduler at {self.address} within "
                               f"{WORKERS_TIMEOUT:.0f} s; start some with `dask worker "
                               f"{self.address}`") from None
        try:
            reports = self.client.run(worker_fingerprint)
        except Exception as error:
            raise ClusterError(f"cannot ask the Dask workers for their versions: "
                               f"{type(error).__name__}: {error}") from None
        mine = runtime_fingerprint()
        for where, theirs in sorted(reports.items()):
            if _normal(theirs) != mine:
                raise ClusterError(_mismatch(str(where), _normal(theirs), mine))

    def dashboard(self) -> str | None:
        try:
            services = self.client.scheduler_info().get("services", {})
            return str(self.client.dashboard_link) if "dashboard" in services else None
        except Exception:
            return None

    def executor(self) -> Executor:
        def run(job: Job, slugs: list[str], progress: Progress | None) -> Iterator[Processed]:
            try:
                yield from self._run(job, slugs, progress)
            except (ClusterError, OSError, GeneratorExit):
                raise
            except Exception as error:
                raise ClusterError(f"the publish on the cluster failed: "
                                   f"{type(error).__name__}: {error}") from None

        return run

    def _setup(self, job: Job) -> Any:
        setup = make_setup(job.config, job.formats)
        if setup.key not in self._setups:
            self._setups[setup.key] = self.client.scatter(setup, broadcast=True, hash=False)
        return self._setups[setup.key]

    def _run(self, job: Job, slugs: list[str], progress: Progress | None) -> Iterator[Processed]:
        from distributed import wait

        from pipeline.rules.context import Corpus

        files = Corpus(job.config).files
        setup = self._setup(job)
        round_ = self.client.scatter(
            Round(uuid.uuid4().hex, job.site, tuple(files), job.mentioned_by),
            broadcast=True, hash=False)
        reader = _Reader(job.config, files)
        workers = max(1, len(self.client.nthreads()))
        size = min(BATCH_MAX, max(BATCH_MIN, math.ceil(len(slugs) / (workers * 4))))
        batches = reader.batches(slugs, size)
        pending: set[Any] = set()
        by_worker: dict[str, int] = {}
        count = 0
        alone_since: float | None = None
        more = True
        try:
            while more or pending:
                while more and len(pending) < workers * IN_FLIGHT:
                    batch = next(batches, None)
                    if batch is None:
                        more = False
                        break
                    pending.add(self.client.submit(
                        run_batch, setup, round_, batch, retries=RETRIES, pure=False,
                        key=f"pipeline-publish-{uuid.uuid4().hex}"))
                if not pending:
                    break
                try:
                    with self.client.as_current():  # `wait` asks for the current client
                        done = wait(pending, timeout=POLL,  # type: ignore[no-untyped-call]
                                    return_when="FIRST_COMPLETED").done
                except TimeoutError:
                    alone_since = self._still_served(alone_since)
                    continue
                alone_since = None
                for future in done:
                    pending.discard(future)
                    result = _result(future)
                    for rendered in result.rendered:
                        yield _staged(job, rendered)
                    count += len(result.rendered)
                    by_worker[result.worker] = by_worker.get(result.worker, 0) + len(
                        result.rendered)
                    if progress is not None:
                        progress.show(count, by_worker)
                workers = max(1, len(self.client.nthreads()))
        finally:
            for future in pending:
                future.cancel()
        if reader.local:  # the articles the file-system rules must see as they are
            for processed in run_local(job, sorted(reader.local), 1):
                count += 1
                by_worker["here"] = by_worker.get("here", 0) + 1
                if progress is not None:
                    progress.show(count, by_worker)
                yield processed

    def _still_served(self, alone_since: float | None) -> float | None:
        """While tasks wait: refuse once no worker has been left for WORKERS_TIMEOUT."""
        if self.client.nthreads():
            return None
        now = time.monotonic()
        if alone_since is None:
            return now
        if now - alone_since > WORKERS_TIMEOUT:
            raise ClusterError(f"every Dask worker left the cluster and none came back within "
                               f"{WORKERS_TIMEOUT:.0f} s")
        return alone_since


def _result(future: Any) -> Done:
    try:
        result = future.result()
    except WorkerMismatch as error:
        raise ClusterError(str(error)) from None
    except Exception as error:
        name = type(error).__name__
        if name == "KilledWorker":
            raise ClusterError("a batch of articles was running on every worker that died "
                               f"({error}); the cluster is not usable") from None
        raise ClusterError(f"a batch of articles failed on the cluster: {name}: "
                           f"{error}") from None
    if not isinstance(result, Done):
        raise ClusterError(f"a worker returned {type(result).__name__}, not a batch's outputs")
    return result


_SAFE = re.compile(r"[A-Za-z0-9._-]+")


def _staged(job: Job, rendered: Rendered) -> Processed:
    """A worker's outputs written into the staging folder, under names a build may have."""
    from pipeline.publish.plan import stat
    from pipeline.publish.swap import stage_file

    files: dict[str, str] = {}
    for relative, data in rendered.outputs.items():
        parts = PurePosixPath(relative).parts
        if (not parts or relative.startswith("/")
                or not all(_SAFE.fullmatch(p) and p not in (".", "..") for p in parts)):
            raise ClusterError(f"a worker returned an output named {relative!r}")
        files[relative] = stage_file(job.staging, relative, data)
    return Processed(rendered.slug, stat(job.config.articles / f"{rendered.slug}.md"),
                     rendered.mentions, rendered.diagnostics, rendered.facts, files)


class _Reader:
    """Reads what each batch needs; sets aside the articles that are not plain files."""

    def __init__(self, config: Config, files: dict[str, Path]) -> None:
        self.config = config
        self.files = files
        self.local: set[str] = set()
        folder = config.articles / config.images_dir
        self.images: dict[str, Path] = {}
        self.plain = self._inside(config.articles)
        if folder.is_dir():
            if not self._inside(folder) or folder.is_symlink():
                self.plain = False
            else:
                self.images = {p.name: p for p in folder.iterdir()
                               if p.is_symlink() or not p.is_dir()}
        self._simple = {n for n in self.images if not _SPLIT.search(n)}
        self._spaced = set(self.images) - self._simple

    def _inside(self, folder: Path) -> bool:
        root = os.path.realpath(self.config.root)
        return os.path.realpath(folder).startswith(os.path.join(root, ""))

    def batches(self, slugs: list[str], size: int) -> Iterator[Batch]:
        articles: dict[str, bytes] = {}
        linked: dict[str, bytes] = {}
        images: dict[str, bytes] = {}
        for slug in slugs:
            found = self._gather(slug) if self.plain else None
            if found is None:
                self.local.add(slug)
                continue
            articles[slug] = found[0]
            linked.update(found[1])
            images.update(found[2])
            if len(articles) >= size:
                yield Batch(articles, {k: v for k, v in linked.items() if k not in articles},
                            images)
                articles, linked, images = {}, {}, {}
        if articles:
            yield Batch(articles, {k: v for k, v in linked.items() if k not in articles},
                        images)

    def _gather(self, slug: str) -> tuple[bytes, dict[str, bytes], dict[str, bytes]] | None:
        limit = self.config.limits.max_file_bytes
        data = _plain_file(self.config.articles / f"{slug}.md", limit)
        if data is None:
            return None
        text = data.decode("utf-8", errors="replace")
        linked: dict[str, bytes] = {}
        for target in _linked(slug, text):
            if target in self.files:
                other = _plain_file(self.files[target], limit)
                if other is None:
                    return None
                linked[target] = other
        images: dict[str, bytes] = {}
        for name in self._shown(text):
            picture = _plain_file(self.images[name], self.config.limits.max_image_bytes)
            if picture is None:
                return None
            images[name] = picture
        return data, linked, images

    def _shown(self, text: str) -> set[str]:
        """The images whose names the text writes (plainly or %-encoded): a superset of those
        it shows."""
        if not self.images:
            return set()
        decoded = unquote(text)
        words = set(_SPLIT.split(text)) | set(_SPLIT.split(decoded))
        found = self._simple & words
        found.update(n for n in self._spaced if n in text or n in decoded)
        return found


_ESCAPE = re.compile(r"\\(?=[!-/:-@\[-`{-~])")


def _linked(slug: str, text: str) -> set[str]:
    """The slugs the text may link to: `slug.md` as written, and as a link destination reads
    once entities, backslash escapes and %-encoding are undone (a superset)."""
    import html

    from pipeline.rules.context import mentions_of

    undone = unquote(html.unescape(_ESCAPE.sub("", text)))
    return set(mentions_of(slug, text)) | set(mentions_of(slug, undone))


_SPLIT = re.compile(r"[\s/\\()\[\]<>\"'`|,;:*=?#]+")


def _plain_file(path: Path, limit: int) -> bytes | None:
    """A regular file's bytes, not through a link, within the limit; else None."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat_codes.S_ISREG(info.st_mode) or info.st_size > limit:
        return None
    from pipeline.fsio import read_regular_file

    try:
        data = read_regular_file(path, limit)
    except OSError:
        return None
    return data if len(data) <= limit else None


@contextmanager
def connect(address: str, announce: Callable[[str], None] | None = None) -> Iterator[Cluster]:
    """A connection to the scheduler at `address`, its workers checked; ClusterError when it
    cannot be reached within CONNECT_TIMEOUT or its workers run another version."""
    require()
    from distributed import Client

    try:
        client: Any = Client(address, timeout=CONNECT_TIMEOUT,  # type: ignore[no-untyped-call]
                             set_as_default=False)
    except Exception as error:
        raise ClusterError(f"cannot reach the Dask scheduler at {address} within "
                           f"{CONNECT_TIMEOUT:.0f} s ({type(error).__name__}: {error})"
                           ) from None
    try:
        cluster = Cluster(client, address)
        cluster.check_workers()
        link = cluster.dashboard()
        say = announce if announce is not None else _to_stderr
        say(f"Publishing on the Dask cluster at {address} "
            f"({len(client.nthreads())} workers)"
            + (f"; dashboard: {link}" if link else ""))
        yield cluster
    finally:
        with suppress(Exception):
            client.close(timeout=10)


def _to_stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()
