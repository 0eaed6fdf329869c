"""Open pages in Debian's Chromium and record everything that shows a script ran.

For each page: a fresh tab; every request is routed, and any to a host other than
127.0.0.1 is recorded and refused; dialogs (`alert`, `confirm`, `prompt`, `print`),
console messages, page errors and pop-ups are recorded. After the page loads, the live DOM
is scanned for executable constructs, every element gets the pointer and focus events that
fire `on*` handlers, and every link is clicked: a `javascript:` (or any other non-web) URL
really runs, and so does a jump to a fragment of the page; a click that would load an
http(s) page (another one, or this one again) is recorded and stopped, since every page of
the site is opened on its own anyway. Then the flags are read: a payload that
ran has set `window.__pwned === 1`, `document.title === 'PWNED'`, logged 'PWNED', opened a
dialog or asked for another host.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require, serve

# Runs in the page after it has loaded: the live DOM's executable constructs (what the
# parser made of the markup, which is what counts), then the events and the clicks.
_SCAN = """() => {
  const found = [];
  const urlAttributes = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data',
                         'poster', 'background', 'srcdoc', 'lowsrc', 'dynsrc'];
  for (const element of document.querySelectorAll('*')) {
    const tag = element.tagName.toLowerCase();
    // The site's own search box and the search page's own script (templates/) are allowed.
    const ownScript = /(^|\\/)search\\.js$/.test(element.getAttribute('src') || '');
    const ownForm = tag === 'form'
                    && (element.classList.contains('site-search')
                        || element.classList.contains('search-form'))
                    && /search\\.html$/.test(element.getAttribute('action') || '')
                    && element.method === 'get';
    if (tag === 'script' && element.type !== 'application/ld+json' && !ownScript)
      found.push('script');
    if ((['iframe', 'frame', 'object', 'embed', 'base', 'form', 'math', 'style', 'template',
          'foreignobject'].includes(tag) && !ownForm)
        || (tag === 'svg' && element !== document.documentElement)) found.push(tag);
    if (tag === 'meta' && element.hasAttribute('http-equiv')) found.push('meta http-equiv');
    for (const attribute of element.getAttributeNames()) {
      const value = element.getAttribute(attribute) || '';
      if (attribute.startsWith('on')) found.push(`${tag} ${attribute}`);
      if (urlAttributes.includes(attribute)
          && /^(javascript|vbscript|livescript|data):/i.test(value.replace(/[\\x00-\\x20]/g, '')))
        found.push(`${tag} ${attribute}=${value}`);
      if (attribute === 'style' && /url\\(|expression\\(|@import/i.test(value))
        found.push(`${tag} style=${value}`);
    }
  }
  return found;
}"""

_PROVOKE = """async () => {
  const stopped = [];
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a[href], area[href]');
    if (!link) return;
    const url = new URL(link.href, document.baseURI);
    const toFragment = url.origin === location.origin && url.pathname === location.pathname
                       && url.search === location.search && url.hash !== '';
    if ((url.protocol === 'http:' || url.protocol === 'https:') && !toFragment) {
      event.preventDefault();
      stopped.push(link.href);
    }
  }, true);
  const events = ['mouseover', 'mouseenter', 'mousedown', 'mouseup', 'pointerenter',
                  'pointerover', 'focus', 'focusin', 'blur', 'animationstart', 'toggle',
                  'error', 'load'];
  for (const element of document.querySelectorAll('*')) {
    for (const type of events) element.dispatchEvent(new Event(type));
    if (element.focus) element.focus();
  }
  for (const link of document.querySelectorAll('a, area')) link.click();
  await new Promise((resolve) => setTimeout(resolve, 150));
  return stopped;
}"""

_FLAGS = """() => ({pwned: window.__pwned === 1, title: document.title === 'PWNED'})"""


@dataclass
class Visit:
    """What happened while one page was open."""

    url: str
    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    popups: list[str] = field(default_factory=list)
    constructs: list[str] = field(default_factory=list)
    flags: dict[str, bool] = field(default_factory=dict)
    navigated_away: str = ""
    clicks_stopped: int = 0

    def findings(self) -> list[str]:
        """Evidence that something ran, loaded or could run: [] for a safe page."""
        found = [f"dialog: {d}" for d in self.dialogs]
        found += [f"console: {c}" for c in self.console if "PWNED" in c]
        found += [f"request to another host: {r}" for r in self.foreign_requests]
        found += [f"pop-up: {p}" for p in self.popups]
        found += [f"in the DOM: {c}" for c in self.constructs]
        found += [f"flag set: {name}" for name, value in self.flags.items() if value]
        if self.navigated_away:
            found.append(f"the page navigated away to {self.navigated_away}")
        return found


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (Debian's binary, never a downloaded one)."""
    require(Path(CHROMIUM).is_file(), f"Chromium ({CHROMIUM})")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the machine
        require(False, "the Python package playwright")
        raise
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def visit_all(folder: Path, pages: list[Path]) -> list[Visit]:
    """Serve `folder` on 127.0.0.1 and probe each page (paths inside the folder)."""
    visits: list[Visit] = []
    with serve(folder) as base, chromium() as browser:
        context = browser.new_context()
        try:
            for page_path in pages:
                visits.append(_visit(context, base + page_path.relative_to(folder).as_posix()))
        finally:
            context.close()
    return visits


def _visit(context: Any, url: str) -> Visit:
    visit = Visit(url)
    page = context.new_page()
    page.set_default_timeout(15_000)

    def route(route: Any) -> None:
        request_url = route.request.url
        host = urlsplit(request_url).hostname
        if host != "127.0.0.1":
            visit.foreign_requests.append(request_url)
            route.abort()
        else:
            route.continue_()

    def dialog(dialog: Any) -> None:
        visit.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.route("**/*", route)
    page.on("dialog", dialog)
    page.on("console", lambda message: visit.console.append(message.text))
    page.on("pageerror", lambda error: visit.errors.append(str(error)))
    page.on("popup", lambda popup: visit.popups.append(popup.url))
    try:
        page.goto(url, wait_until="load")
        page.wait_for_timeout(50)
        visit.constructs = page.evaluate(_SCAN)
        visit.clicks_stopped = len(page.evaluate(_PROVOKE))
        visit.flags = page.evaluate(_FLAGS)
        if page.url.split("#", 1)[0] != url.split("#", 1)[0]:
            visit.navigated_away = page.url
    except Exception as error:  # the page went away under the probe: a payload navigated
        visit.navigated_away = f"{page.url} ({type(error).__name__}: {error})"
    finally:
        page.close()
    return visit
