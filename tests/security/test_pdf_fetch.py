"""Promise 1, print edition: the PDF renderer fetches nothing but images of the images folder.

Every hostile article, and one built to make the renderer reach out (remote and `file:`
images, `..` and encoded `..`, a link out of the images folder, an SVG that references
other files, an entity bomb, a PNG that claims ten billion pixels), is published as PDF in
this process while an audit hook records every file Python opens and every network call,
the images folder records what it is asked for and what it names, and every Typst source is
kept: Typst reads only files under its root, the images folder (tests/test_render_pdf.py),
and only those the sources name.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import load_config
from pipeline.publish import PublishRequest, publish
from pipeline.render import pdf as pdf_module
from tests.security.hostile import (
    BOMB,
    HostileArticle,
    downgraded_config,
    make_project,
    png_claiming,
)

_RECORD: list[tuple[str, str]] | None = None
_NETWORK = ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request",
            "http.client.connect", "ftplib.connect", "smtplib.connect")
_PROCESSES = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn")


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if _RECORD is None:
        return
    if event == "open" and args and isinstance(args[0], (str, bytes, Path)):
        path = args[0].decode() if isinstance(args[0], bytes) else str(args[0])
        _RECORD.append(("open", path))
    elif event.startswith(_NETWORK + _PROCESSES):
        _RECORD.append((event, repr(args)[:200]))


sys.addaudithook(_hook)  # audit hooks cannot be removed; this one only records when asked

def reaching_out(outside: Path) -> str:
    """An article whose images try every way out of the images folder."""
    canary = outside / "canary.svg"
    refs = ["images/leak.svg", "images/evil.svg", "images/bomb.svg", "images/huge.png",
            "images/%2e%2e%2fcanary.svg", "images/..%2F..%2Fcanary.svg",
            f"file://{canary}", "https://evil.example/pixel.png", "//evil.example/p.png",
            f"images/{'../' * 8}{str(canary).lstrip('/')}", "images/sub/pic.svg"]
    body = "\n\n".join(f"![Image {n}]({ref})" for n, ref in enumerate(refs))
    credits = "".join(
        f"  - file: {name}\n    title: T\n    alt: A\n    author: X\n    source: Own work\n"
        f"    license: CC0-1.0\n" for name in ("leak.svg", "evil.svg", "bomb.svg", "huge.png"))
    return ("---\ntitle: Reaching out\ntype: condition\nsummary: An article whose images try "
            "to leave the images folder.\nlicense: CC-BY-SA-4.0\ndisclaimer: medical\n"
            "contributors:\n  - name: Test Author\n    credentials: MD\nimages:\n"
            f"{credits}categories: [Testing]\nlast_reviewed: \"2026-06-01\"\n---\n"
            f"## Overview\n\n{body}\n\n## Causes\n\nC.\n\n## Symptoms\n\nS.\n\n"
            "## Diagnosis\n\nD.\n\n## Treatment\n\nT.\n\n## See Also\n\n"
            "- [Next article](hostile-01.md)\n")


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory,
            hostile_articles: list[HostileArticle]) -> Iterator[dict[str, Any]]:
    global _RECORD
    base = tmp_path_factory.mktemp("print")
    root, outside = base / "project", base / "outside"
    outside.mkdir()
    (outside / "canary.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>\n',
                                        encoding="utf-8")
    make_project(root, hostile_articles, downgraded_config())
    images = root / "articles" / "images"
    (images / "leak.svg").symlink_to(outside / "canary.svg")
    (images / "evil.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        f'<image xlink:href="file://{outside}/canary.svg" width="9" height="9"/>'
        '<image href="https://evil.example/pixel.png" width="9" height="9"/>'
        '<script>alert(1)</script></svg>\n', encoding="utf-8")
    (images / "bomb.svg").write_text(BOMB, encoding="utf-8")
    (images / "huge.png").write_bytes(png_claiming(100_000, 100_000))
    (root / "articles" / "reaching-out.md").write_text(reaching_out(outside), encoding="utf-8")
    fetched: list[tuple[str, str]] = []
    sources: list[str] = []
    real_call, real_compile = pdf_module.ImageFiles.__call__, pdf_module.compile_pdf

    def call(self: Any, url: str) -> str | None:
        name = real_call(self, url)
        fetched.append((url, str(self.local_path(url)) if name is not None else ""))
        return name

    def compile_pdf(source: str, images_dir: Path) -> bytes:
        sources.append(source)
        return real_compile(source, images_dir)

    pdf_module.ImageFiles.__call__ = call  # type: ignore[method-assign]
    pdf_module.compile_pdf = compile_pdf
    _RECORD = []
    try:
        result = publish(load_config(root), PublishRequest(out=root / "build",
                                                           formats=("pdf",), jobs=1))
        record = list(_RECORD)
    finally:
        _RECORD = None
        pdf_module.ImageFiles.__call__ = real_call  # type: ignore[method-assign]
        pdf_module.compile_pdf = real_compile
    yield {"root": root, "outside": outside, "result": result, "record": record,
           "fetched": fetched, "sources": sources}


def test_every_article_was_printed(printed: dict[str, Any],
                                   hostile_articles: list[HostileArticle]) -> None:
    assert printed["result"].ok, [d for d in printed["result"].diagnostics
                                  if d.severity == "error"]
    pdfs = {p.stem for p in (printed["root"] / "build" / "print").glob("*.pdf")}
    assert pdfs == {a.slug for a in hostile_articles} | {"reaching-out"}


def test_the_renderer_asked_for_the_images_and_got_only_safe_ones(
        printed: dict[str, Any]) -> None:
    images = (printed["root"] / "articles" / "images").resolve()
    fetched = printed["fetched"]
    assert fetched, "the images folder was never asked for anything"
    served = {Path(path) for _, path in fetched if path}
    assert served == {images / "pic.svg"}
    asked = {url for url, _ in fetched}
    # the article's own attempts reached the images folder, and were refused there
    assert any(url.endswith("/leak.svg") for url in asked)
    assert any(url.endswith("/evil.svg") for url in asked)
    assert any(url.endswith("/huge.png") for url in asked)
    # and the Typst sources name the safe image alone, as a file of the root
    named = {name for source in printed["sources"]
             for name in re.findall(r'print-image\("([^"]*)"', source)}
    assert named == {"/pic.svg"}


def test_nothing_outside_the_images_folder_was_opened(printed: dict[str, Any]) -> None:
    root: Path = printed["root"]
    allowed = [root / "articles", root / "build", root / ".pipeline-cache", root / ".build.lock",
               root / "pyproject.toml", Path(sys.prefix), Path(sys.base_prefix), Path("/usr"),
               Path("/etc/fonts"), Path("/dev/null")]
    allowed += [Path(p) for p in sys.path if p]
    from tests.conftest import SCHEMA, TEMPLATES

    allowed += [SCHEMA, TEMPLATES, Path(__file__).resolve().parents[2] / "pipeline"]
    opened = {path for event, path in printed["record"] if event == "open"}
    outside = str(printed["outside"])
    assert not [p for p in opened if p.startswith(outside) or "canary" in p]
    staging = str(root / ".build.staging-")  # removed by now, but written while staged
    strays = sorted(p for p in opened if not p.startswith(staging) and not any(
        Path(p).resolve().is_relative_to(a.resolve()) for a in allowed))
    assert not strays
    # the images read were the safe one and the ones refused after a look at their content
    images = {Path(p).name for p in opened if Path(p).parent.name == "images"}
    assert "canary.svg" not in images


def test_no_network_and_no_process(printed: dict[str, Any]) -> None:
    events = [e for e in printed["record"] if e[0] != "open"]
    assert not [e for e in events if e[0].startswith(_NETWORK)]
    # not even a PDF reader: the notice check reads the PDFs back in this process (PDFium)
    assert not [e for e in events if e[0].startswith(_PROCESSES)]
