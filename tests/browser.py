"""Helpers for the tests that need a real browser or the W3C Nu HTML checker.

- `nu_check(paths)`: every error the Nu HTML checker (`node_modules/vnu-jar`, run with Java)
  finds in the given files, in one Java start-up.
- `axe_violations(paths)`: axe-core's violations for each page, loaded over HTTP from a
  local server on 127.0.0.1 into Debian's Chromium (`/usr/bin/chromium`, or
  `$PIPELINE_CHROMIUM`) driven by Playwright's sync API. Never `playwright install`.

A missing tool is a failure, not a skip: CI installs them (`.ci/system-deps`: apt-get
install chromium default-jre-headless; npm ci; pip install playwright).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

REPO = Path(__file__).resolve().parent.parent
NODE_MODULES = REPO / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("PIPELINE_CHROMIUM", "/usr/bin/chromium")
# Headless flags that keep Chromium off the network and quiet on this kind of machine.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
INSTALL_HINT = ("install the test tools: apt-get install -y chromium default-jre-headless; "
                "npm ci (in the repository); pip install playwright")


def require(condition: bool, what: str) -> None:
    if not condition:
        pytest.fail(f"{what} is missing: {INSTALL_HINT}", pytrace=False)


# -- Nu HTML checker ----------------------------------------------------------------------------


def nu_check(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """The Nu checker's errors for all the files, each with its `url` (file), line and message."""
    files = [str(p) for p in paths]
    java = shutil.which("java")
    require(java is not None, "Java (for the Nu HTML checker)")
    require(VNU_JAR.is_file(), f"{VNU_JAR.relative_to(REPO)}")
    if not files:
        return []
    done = subprocess.run([str(java), "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
                           *files], capture_output=True, text=True, timeout=300, check=False)
    report = done.stderr.strip() or done.stdout.strip()
    try:
        messages = json.loads(report)["messages"]
    except (ValueError, KeyError) as error:
        raise AssertionError(f"the Nu checker did not report JSON ({error}):\n{report}") from None
    return [m for m in messages if m.get("type") in ("error", "non-document-error")
            or m.get("subType") == "fatal"]


def nu_path(message: dict[str, Any]) -> str:
    """The file a Nu checker message is about (its `url` is a `file:` URL)."""
    return unquote(urlsplit(str(message.get("url", ""))).path)


def format_nu(messages: list[dict[str, Any]]) -> str:
    return "\n".join(f"{nu_path(m)}:{m.get('lastLine', '?')}: {m.get('message', '')}"
                     for m in messages)


# -- axe-core in Chromium -------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve a folder on 127.0.0.1 (a free port) while the block runs; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def axe_violations(paths: Iterable[Path], root: Path | None = None
                   ) -> dict[str, list[dict[str, Any]]]:
    """axe-core's violations (all rules axe runs by default) for each page, by path.

    The pages are served from `root` (default: the folder that holds them all), so relative
    links to the stylesheet and images resolve as on the site.
    """
    pages = [Path(p).resolve() for p in paths]
    require(Path(CHROMIUM).is_file(), f"Chromium ({CHROMIUM})")
    require(AXE_JS.is_file(), f"{AXE_JS.relative_to(REPO)}")
    if not pages:
        return {}
    folder = (root or Path(os.path.commonpath([p.parent for p in pages]))).resolve()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the machine
        require(False, "the Python package playwright")
        raise
    results: dict[str, list[dict[str, Any]]] = {}
    with serve(folder) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            for page_path in pages:
                page = context.new_page()  # a fresh page: no globals left from the last one
                page.goto(base + page_path.relative_to(folder).as_posix(), wait_until="load")
                page.add_script_tag(path=str(AXE_JS))
                found = page.evaluate("async () => (await axe.run(document)).violations")
                results[str(page_path)] = [_violation(v) for v in found]
                page.close()
        finally:
            browser.close()
    return results


def _violation(raw: dict[str, Any]) -> dict[str, Any]:
    return {"id": raw["id"], "impact": raw.get("impact"), "help": raw.get("help"),
            "nodes": [{"target": n.get("target"), "html": n.get("html"),
                       "summary": n.get("failureSummary")} for n in raw.get("nodes", [])]}


def format_axe(results: dict[str, list[dict[str, Any]]]) -> str:
    lines = []
    for path, violations in results.items():
        for violation in violations:
            lines.append(f"{path}: {violation['id']} ({violation['impact']}): "
                         f"{violation['help']}")
            lines.extend(f"    {node['target']}: {node['summary']}"
                         for node in violation["nodes"][:5])
    return "\n".join(lines)
