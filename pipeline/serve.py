"""Live preview: the site as it will be published, rebuilt on save, with each page's problems.

Pages are rendered on request from the files on disk (nothing is written), so a draft with
errors can still be previewed: its diagnostics are listed in a panel on the page itself. A
watcher thread polls the articles, templates and schema; when anything changes, open pages
reload through a Server-Sent Events stream.
"""

from __future__ import annotations

import html
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pipeline.check import check_paths, corpus_files, symlink_problem
from pipeline.config import Config
from pipeline.diagnostics import Diagnostic
from pipeline.fsio import display_path
from pipeline.image_files import MEDIA_TYPES
from pipeline.load import SLUG, load_file, slug_of
from pipeline.model import Article

POLL_SECONDS = 0.15
RELOAD_SCRIPT = b"""(function () {
  var source = new EventSource("/__pipeline/events");
  var seen = null;
  source.onmessage = function (event) {
    if (seen !== null && event.data !== seen) { window.location.reload(); }
    seen = event.data;
  };
  // The problems panel folds away (and stays folded across reloads, for this tab).
  var button = document.getElementById("pipeline-problems-toggle");
  var list = document.getElementById("pipeline-problem-list");
  if (!button || !list) { return; }
  function show(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.textContent = open ? "Hide" : "Show";
    list.hidden = !open;
    try { sessionStorage.setItem("pipeline-problems", open ? "open" : "closed"); } catch (e) {}
  }
  var stored = null;
  try { stored = sessionStorage.getItem("pipeline-problems"); } catch (e) {}
  if (stored === "closed") { show(false); }
  button.addEventListener("click", function () {
    show(button.getAttribute("aria-expanded") !== "true");
  });
})();
"""
PANEL_STYLE = (
    "#pipeline-problems{position:sticky;bottom:0;max-height:40vh;overflow:auto;margin:0;"
    "padding:.75rem 1rem;background:#fff8e1;border-top:3px solid #8a5a00;color:#1a1a1a;"
    "font:15px/1.4 system-ui,sans-serif;z-index:10}"
    "#pipeline-problems h2{font-size:1rem;margin:0 0 .4rem}"
    "#pipeline-problems ol{margin:0;padding-left:1.4rem}"
    "#pipeline-problems .error{color:#8b0000}#pipeline-problems .warning{color:#6b4400}"
    "#pipeline-problems code{font-weight:bold}"
    "#pipeline-problems h2{display:flex;gap:.75rem;align-items:center}"
    "#pipeline-problems-toggle{font:inherit;font-size:.85rem;padding:.1rem .6rem;"
    "cursor:pointer}"
    "#pipeline-problems a{color:inherit}"
    # a link to an article that does not exist (yet): visibly broken, in the preview only
    "a.pipeline-missing{color:#b00020;text-decoration:underline dashed #b00020;"
    "outline:1px dashed #b00020;outline-offset:1px}")
# A link the renderer wrote to an article of the site: `slug.html`, maybe with a fragment.
_ARTICLE_LINK = re.compile(rb'<a (?P<before>[^>]*?)href="(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)'
                           rb'\.html(?:#[^"]*)?"')
_PAGE = re.compile(r"^/(?:(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.html|index\.html|)$")
_CATEGORY = re.compile(r"^/category/(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.html$")
_IMAGE = re.compile(r"^/images/(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)$")


@dataclass
class Watcher:
    """Polls the files the site is made of; `version` grows whenever one of them changes."""

    folders: list[Path]
    version: int = 0
    changed: threading.Condition = field(default_factory=threading.Condition)
    _signature: tuple[Any, ...] = ()

    def signature(self) -> tuple[Any, ...]:
        entries = []
        for folder in self.folders:
            paths = [folder] if folder.is_file() else sorted(folder.rglob("*"))
            for path in paths:
                try:
                    stat = path.stat()
                except OSError:
                    continue
                entries.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(entries)

    def poll_forever(self) -> None:
        self._signature = self.signature()
        while True:
            time.sleep(POLL_SECONDS)
            current = self.signature()
            if current != self._signature:
                self._signature = current
                with self.changed:
                    self.version += 1
                    self.changed.notify_all()


class Preview:
    """Renders pages of the current state of the files, with their diagnostics."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.lock = threading.Lock()

    def articles(self) -> dict[str, Article]:
        result = {}
        for path in corpus_files(self.config):
            # as publish does: a file name that is not a slug never becomes a link (a file
            # called `javascript:alert(1).md` would), a link out of the repository is not read
            if not SLUG.fullmatch(slug_of(path)) or symlink_problem(
                    self.config, path, display_path(path)) is not None:
                continue
            loaded = load_file(path, display_path(path), self.config.limits)
            if loaded.article is not None:
                result[loaded.article.slug] = loaded.article
        return result

    def article_page(self, slug: str) -> bytes | None:
        from pipeline.publish import make_site
        from pipeline.render.formats import render_article

        path = self.config.articles / f"{slug}.md"
        if not path.is_file():
            return None
        with self.lock:
            result = check_paths(self.config, [path], keep_articles=True)
            articles = self.articles()
            article = result.articles.get(slug)
            if article is None:
                return problems_only(slug, result.diagnostics)
            articles[slug] = article
            site = make_site(self.config, articles)
            try:
                page = render_article(self.config, site, article, ("html",))[
                    f"html/{slug}.html"]
            except Exception as error:  # a draft may break a template: show it, do not crash
                return problems_only(slug, result.diagnostics,
                                     f"cannot render: {type(error).__name__}: {error}")
        page = mark_missing_links(page, set(articles))
        return inject(page, panel(display_path(path), result.diagnostics, places(article)))

    def index_page(self) -> bytes:
        from pipeline.publish import make_site
        from pipeline.render.html import FORMAT as HTML
        from pipeline.render.view import build_view

        with self.lock:
            articles = self.articles()
            site = make_site(self.config, articles)
            views = [build_view(a, site, with_sections=False) for a in articles.values()]
            page = HTML.index_page(self.config, site, views)
        return inject(page, b"")

    def category_page(self, slug: str) -> bytes | None:
        from pipeline.publish import make_site
        from pipeline.render.html import FORMAT as HTML
        from pipeline.render.view import build_view

        with self.lock:
            articles = self.articles()
            site = make_site(self.config, articles)
            views = [build_view(a, site, with_sections=False) for a in articles.values()]
            members = [v for v in views if any(c.slug == slug for c in v.categories)]
            if not members:
                return None
            category = next(c for c in members[0].categories if c.slug == slug)
            page = HTML.category_page(self.config, site, category, members)
        return inject(page, b"")


    def site_file(self, route: str) -> bytes | None:
        """Any other page of the html format's site (A-Z pages, later category pages, the
        search page and script, 404, sitemap, feed), as publish makes it."""
        from pipeline.publish import make_site
        from pipeline.render.html import FORMAT as HTML
        from pipeline.render.view import build_view, listing_of

        wanted = "html" + route
        with self.lock:
            articles = self.articles()
            site = make_site(self.config, articles)
            listings = [listing_of(build_view(a, site, with_sections=False))
                        for a in articles.values()]
            for relative, data in HTML.site_files(self.config, site, listings, ()):
                if relative == wanted:
                    return data
        return None


_SITE_TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/xml",
               ".js": "text/javascript; charset=utf-8"}


def places(article: Article) -> dict[int, str]:
    """Line of each heading of the body → its id on the page: a problem on a line is shown
    at the last heading at or before it."""
    from pipeline.load import notes_start

    tokens = article.tokens
    return {article.body_line + token.map[0]: str(token.attrs["id"])
            for token in tokens[:notes_start(tokens)]
            if token.type == "heading_open" and "id" in token.attrs and token.map}


def place_of(line: int, headings: dict[int, str]) -> str | None:
    """The id of the heading whose part of the page holds `line`; None for the front matter
    and for what comes before the first heading."""
    before = [at for at in headings if at <= line]
    return headings[max(before)] if before else None


def panel(path: str, diagnostics: list[Diagnostic],
          headings: dict[int, str] | None = None) -> bytes:
    """The problems panel: every diagnostic of the page's file, with its line, linked to its
    place on the page where it has one; a button folds the list away."""
    count = len(diagnostics)
    title = (f"{count} problem{'s' if count != 1 else ''} in {path}" if count
             else f"No problems in {path}")

    def where(d: Diagnostic) -> str:
        text = f"line {d.line}, column {d.column}"
        anchor = place_of(d.line, headings or {})
        return (f'<a href="#{html.escape(anchor)}" title="show it on the page">{text}</a>'
                if anchor else text)

    items = "".join(
        f'<li class="{d.severity}">{where(d)}: <code>{d.code}</code> '
        f"[{d.severity}] {html.escape(d.message)}"
        + (f" <em>Hint: {html.escape(d.hint)}</em>" if d.hint else "") + "</li>"
        for d in diagnostics)
    body = f'<ol id="pipeline-problem-list">{items}</ol>' if items else ""
    toggle = ('<button type="button" id="pipeline-problems-toggle" aria-expanded="true" '
              'aria-controls="pipeline-problem-list">Hide</button>') if items else ""
    return (f'<aside id="pipeline-problems" aria-label="Problems found by pipeline check">'
            f"<style>{PANEL_STYLE}</style><h2>{html.escape(title)}{toggle}</h2>{body}</aside>"
            ).encode()


def mark_missing_links(page: bytes, slugs: set[str]) -> bytes:
    """Give every link to an article that does not exist the class `pipeline-missing` (the
    panel's style shows it broken): what a reader of the published site would hit."""

    def mark(match: re.Match[bytes]) -> bytes:
        if match["slug"].decode() in slugs:
            return match.group(0)
        return match.group(0).replace(b"<a ", b'<a class="pipeline-missing" ', 1) \
            if b"class=" not in match["before"] else match.group(0).replace(
                b'class="', b'class="pipeline-missing ', 1)

    return _ARTICLE_LINK.sub(mark, page)


def inject(page: bytes, extra: bytes) -> bytes:
    """Add the panel and the reload script just before </body>."""
    tail = extra + b'<script src="/__pipeline/reload.js"></script>'
    marker = page.rfind(b"</body>")
    return page[:marker] + tail + page[marker:] if marker >= 0 else page + tail


def problems_only(slug: str, diagnostics: list[Diagnostic], extra: str = "") -> bytes:
    note = f"<p>{html.escape(extra)}</p>" if extra else ""
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(slug)}: cannot be previewed</title></head><body><main>"
            f"<h1>{html.escape(slug)}</h1><p>The article cannot be shown until these problems "
            f"are fixed.</p>{note}</main>").encode() + inject(
        b"</body></html>", panel(f"articles/{slug}.md", diagnostics))


def make_handler(preview: Preview, watcher: Watcher) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "pipeline-serve"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            route = self.path.split("?", 1)[0]
            if route == "/__pipeline/events":
                self.events()
                return
            if route == "/__pipeline/reload.js":
                self.send(200, "text/javascript", RELOAD_SCRIPT)
                return
            if route == "/style.css":
                self.send(200, "text/css", (preview.config.templates / "style.css").read_bytes())
                return
            image = _IMAGE.match(route)
            if image:
                self.image(image.group("name"))
                return
            page = _PAGE.match(route)
            category = _CATEGORY.match(route)
            body: bytes | None = None
            if page and page.group("slug") and page.group("slug") != "index":
                body = preview.article_page(page.group("slug"))
            elif page:
                body = preview.index_page()
            elif category:
                body = preview.category_page(category.group("slug"))
            kind = "text/html; charset=utf-8"
            if body is None and ".." not in route:  # not an article: a page of the site
                kind = _SITE_TYPES.get(route[route.rfind("."):], "")
                body = preview.site_file(route) if kind else None
                if body is not None and kind.startswith("text/html"):
                    body = inject(body, b"")
            if body is None:
                self.send(404, "text/plain; charset=utf-8", b"not found\n")
            else:
                self.send(200, kind, body)

        def image(self, name: str) -> None:
            from pipeline.image_files import publishable_image

            path = publishable_image(preview.config, name)  # SEC105: never served either
            kind = MEDIA_TYPES.get(path.suffix.lower()) if path is not None else None
            if path is None or kind is None:
                self.send(404, "text/plain; charset=utf-8", b"not found\n")
                return
            self.send(200, kind, path.read_bytes())

        def send(self, status: int, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = -1
            try:
                while True:
                    with watcher.changed:
                        if watcher.version == seen:
                            watcher.changed.wait(timeout=15)
                        version = watcher.version
                    if version != seen:
                        self.wfile.write(f"data: {version}\n\n".encode())
                        seen = version
                    else:
                        self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

    return Handler


def serve(config: Config, host: str, port: int) -> ThreadingHTTPServer:
    """Start the watcher and return a bound server (call serve_forever on it)."""
    watcher = Watcher([config.articles, config.templates, config.schema])
    threading.Thread(target=watcher.poll_forever, daemon=True, name="watcher").start()
    server = ThreadingHTTPServer((host, port), make_handler(Preview(config), watcher))
    server.daemon_threads = True
    return server
