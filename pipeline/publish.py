"""Publish: check everything, render the valid corpus into a staging folder, swap it in.

The flow, in order: lock → check → plan (cache keys) → render (parallel, or reuse the
previous build's files by hard link) → verify every output carries its notices → manifest →
atomic swap. Any failure before the swap leaves the previous build exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.check import check_paths, display_path
from pipeline.config import Config
from pipeline.diagnostics import Diagnostic, make
from pipeline.model import Article
from pipeline.render.view import ArticleView, Site, build_view, disclaimers_from_schema
from pipeline.schema import load_schema

FORMATS = ("html", "json", "pdf")
MANIFEST = "manifest.json"


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


@dataclass(frozen=True)
class Rendered:
    """What a worker hands back for one article: its files and a light view for the index."""

    slug: str
    key: str
    files: dict[str, str]  # path relative to the build → sha256
    view: ArticleView | None
    problems: tuple[Diagnostic, ...] = ()


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
    checked = check_paths(config)
    errors = [d for d in checked.diagnostics if d.severity == "error"]
    if errors:
        return PublishResult(checked.diagnostics)
    articles = checked.articles
    site = make_site(config, articles)
    previous = _read_manifest(out)
    keys = {slug: cache_key(config, request.formats, article, site)
            for slug, article in articles.items()}
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    _remove(staging)
    try:
        staging.mkdir()
        result, rendered = _render_all(request, site, articles, keys, previous, out, staging,
                                       config)
        result.diagnostics[:0] = checked.diagnostics  # the warnings, shown with the result
        if not result.ok:
            return result
        result.files = _write_site(config, request, site, staging, rendered)
        _swap(staging, out)
        return result
    except OSError as error:
        _remove(staging)
        return PublishResult([_io_problem(out, error)])
    finally:
        _remove(staging)


# -- plan --------------------------------------------------------------------------------------


def make_site(config: Config, articles: dict[str, Article]) -> Site:
    schema = load_schema(config.schema)
    return Site(name=config.site_name, base_url=config.base_url, language=config.language,
                page_size=config.page_size, disclaimers=disclaimers_from_schema(schema),
                titles={slug: a.title for slug, a in sorted(articles.items())},
                max_nesting=config.limits.max_markdown_nesting)


def _digest_tree(folder: Path, pattern: str = "*") -> str:
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob(pattern) if p.is_file()):
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


_FINGERPRINTS: dict[tuple[Path, Path], str] = {}


def _fingerprint(config: Config) -> str:
    """Everything besides the article itself that shapes its outputs."""
    marker = (config.templates, config.schema)
    if marker not in _FINGERPRINTS:
        digest = hashlib.sha256()
        digest.update(__version__.encode())
        digest.update(_digest_tree(Path(__file__).parent, "*.py").encode())  # the code itself
        digest.update(_digest_tree(config.templates).encode())
        digest.update(config.schema.read_bytes())
        digest.update(repr((config.base_url, config.site_name, config.language,
                            config.page_size, config.limits)).encode())
        _FINGERPRINTS[marker] = digest.hexdigest()
    return _FINGERPRINTS[marker]


def cache_key(config: Config, formats: tuple[str, ...], article: Article, site: Site) -> str:
    """Changes when the article, a title it shows, an image it uses, or the setup changes."""
    digest = hashlib.sha256()
    digest.update(_fingerprint(config).encode())
    digest.update(",".join(formats).encode())
    digest.update("\n".join(article.lines).encode())
    for link in article.links:
        slug = link.target.split("#", 1)[0].removesuffix(".md")
        digest.update(f"{slug}={site.titles.get(slug, '')}".encode())
        if link.kind == "image":
            image = _image_source(config, link.target)
            if image is not None and image.is_file():
                digest.update(hashlib.sha256(image.read_bytes()).digest())
    return digest.hexdigest()


def _image_source(config: Config, target: str) -> Path | None:
    """The image file a body reference names, only if it lies inside the images folder."""
    name = target.rsplit("/", 1)[-1]
    folder = (config.articles / config.images_dir).resolve()
    if not name or name in (".", ".."):
        return None
    candidate = (folder / name).resolve()
    return candidate if candidate.parent == folder else None


# -- render ------------------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _render_all(request: PublishRequest, site: Site, articles: dict[str, Article],
                keys: dict[str, str], previous: dict[str, Any], out: Path, staging: Path,
                config: Config) -> tuple[PublishResult, list[Rendered]]:
    result = PublishResult()
    todo: list[str] = []
    reused: list[Rendered] = []
    for slug in sorted(articles):
        old = previous.get("articles", {}).get(slug)
        if old and old.get("key") == keys[slug] and _link_previous(out, staging, old["files"]):
            reused.append(Rendered(slug, keys[slug], dict(old["files"]),
                                   _light_view(articles[slug], site)))
        else:
            todo.append(slug)
    _WORKER.update(config=config, site=site, articles=articles, keys=keys, staging=staging,
                   formats=request.formats)
    done = list(reused)
    progress = _progress(len(todo)) if request.progress else (lambda n: None)
    for index, rendered in enumerate(_run(todo, request.jobs), start=1):
        progress(index)
        done.append(rendered)
        result.diagnostics.extend(rendered.problems)
    _WORKER.clear()
    result.rendered, result.reused = len(todo), len(reused)
    return result, sorted(done, key=lambda r: r.slug)


def _run(slugs: list[str], jobs: int) -> Iterator[Rendered]:
    workers = jobs if jobs > 0 else (os.cpu_count() or 1)
    if workers <= 1 or len(slugs) <= 1:
        yield from map(_render_one, slugs)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")  # workers inherit the loaded corpus
    chunk = max(1, len(slugs) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(_render_one, slugs, chunksize=chunk)


def _render_one(slug: str) -> Rendered:
    config: Config = _WORKER["config"]
    site: Site = _WORKER["site"]
    article: Article = _WORKER["articles"][slug]
    staging: Path = _WORKER["staging"]
    formats: tuple[str, ...] = _WORKER["formats"]
    try:
        outputs = render_article(config, site, article, formats)
    except Exception as error:  # a renderer fault becomes a diagnostic, never a traceback
        problem = make(article.path, 1, 1, "PUB004",
                       f"cannot render: {type(error).__name__}: {error}")
        return Rendered(slug, _WORKER["keys"][slug], {}, None, (problem,))
    problems = tuple(missing_notices(article, outputs, _light_view(article, site)))
    files = {}
    for relative, data in outputs.items():
        _write(staging / relative, data)
        files[relative] = hashlib.sha256(data).hexdigest()
    return Rendered(slug, _WORKER["keys"][slug], files, _light_view(article, site), problems)


def render_article(config: Config, site: Site, article: Article,
                   formats: tuple[str, ...]) -> dict[str, bytes]:
    """Every output file of one article, by path relative to the build folder."""
    outputs: dict[str, bytes] = {}
    if "html" in formats:
        from pipeline.render.environment import environment
        from pipeline.render.html import render_article_page

        view = build_view(article, site)
        outputs[f"html/{article.slug}.html"] = render_article_page(
            view, site, environment(config.templates))
    if "json" in formats or "pdf" in formats:
        absolute = build_view(article, site, absolute_links=True)
        if "json" in formats:
            from pipeline.render.json_api import render_article_json

            outputs[f"json/{article.slug}.json"] = render_article_json(absolute, site)
        if "pdf" in formats:
            from pipeline.render.pdf import render_pdf

            outputs[f"print/{article.slug}.pdf"] = render_pdf(
                absolute, site, config.templates, config.articles / config.images_dir)
    return outputs


def _light_view(article: Article, site: Site) -> ArticleView:
    """The view without its rendered sections: enough for the index and category pages."""
    return build_view(article, site, with_sections=False)


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
        for name, needle in wanted.items():
            if not needle or _squash(needle) not in _squash(text):
                yield make(article.path, 1, 1, "PUB003",
                           f"{relative} lacks the {name}",
                           "restore the notice in the template for this output")


def _squash(text: str) -> str:
    """Text without any whitespace: line breaks in PDFs fall anywhere, even inside a URL."""
    return "".join(text.split())


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
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


# -- site pages, images, manifest --------------------------------------------------------------


def _write_site(config: Config, request: PublishRequest, site: Site, staging: Path,
                rendered: list[Rendered]) -> int:
    views = [r.view for r in rendered if r.view is not None]
    if "html" in request.formats:
        from pipeline.render.environment import environment
        from pipeline.render.html import (
            render_category_page,
            render_index_page,
            stylesheet,
        )

        env = environment(config.templates)
        _write(staging / "html" / "index.html", render_index_page(views, site, env))
        _write(staging / "html" / "style.css", stylesheet(config.templates))
        for category, members in _categories(views).items():
            _write(staging / "html" / "category" / f"{category.slug}.html",
                   render_category_page(category, members, site, env))
        _copy_images(config, staging / "html" / "images", views)
    if "json" in request.formats:
        from pipeline.render.json_api import render_index_json

        _write(staging / "json" / "index.json", render_index_json(views, site))
    manifest = _manifest(staging, rendered, request.formats)
    _write(staging / MANIFEST, manifest)
    return sum(1 for p in staging.rglob("*") if p.is_file())


def _categories(views: list[ArticleView]) -> dict[Any, list[ArticleView]]:
    """Articles by category page: names that share a slug share the page (first name wins)."""
    names: dict[str, Any] = {}
    groups: dict[str, list[ArticleView]] = {}
    for view in views:
        for category in view.categories:
            names.setdefault(category.slug, category)
            members = groups.setdefault(category.slug, [])
            if view not in members:
                members.append(view)
    return {names[slug]: groups[slug] for slug in sorted(groups)}


def _copy_images(config: Config, target: Path, views: list[ArticleView]) -> None:
    for view in views:
        for image in view.images:
            source = _image_source(config, image.file)
            if source is None or not source.is_file():
                continue
            destination = target / source.name
            if not destination.exists():
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, destination)


def _manifest(staging: Path, rendered: list[Rendered], formats: tuple[str, ...]) -> bytes:
    files = {p.relative_to(staging).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(staging.rglob("*")) if p.is_file()}
    document = {
        "version": 1,
        "generator": f"pipeline {__version__}",
        "formats": list(formats),
        "articles": {r.slug: {"key": r.key, "source": r.view.source_path if r.view else "",
                              "files": dict(sorted(r.files.items()))} for r in rendered},
        "files": files,
    }
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()


def _read_manifest(out: Path) -> dict[str, Any]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _link_previous(out: Path, staging: Path, files: dict[str, str]) -> bool:
    """Reuse an unchanged article's files from the previous build by hard link (or copy)."""
    for relative in files:
        source, target = out / relative, staging / relative
        if not source.is_file() or ".." in Path(relative).parts:
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
    return True


# -- files and the swap ------------------------------------------------------------------------


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)


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
    import fcntl

    lock_path = out.parent / f".{out.name}.lock"
    with open(lock_path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            yield make(display_path(out), 1, 1, "PUB001",
                       f"another publish of {display_path(out)} is running (pid {holder})",
                       "wait for it to finish, then publish again")
            return
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield None
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


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
