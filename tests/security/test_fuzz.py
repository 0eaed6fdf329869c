"""Promise 5: fuzzing. Whatever a contributor writes, check and publish never raise, every
diagnostic is catalogued and placed inside the file, and no rendered page or JSON document
holds anything executable.

Front matter is generated as YAML-ish text and as structured values serialised to YAML;
bodies as random mixes of Markdown syntax, HTML fragments and URLs with odd schemes. The
library functions run in-process (check, render every output but print, the front and
category pages); a few examples go through the real command line and through `publish`.
The budget is fixed (`tests/security/conftest.py`): derandomised, 200 examples a property.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st

from pipeline.check import check_paths
from pipeline.config import Config, load_config
from pipeline.diagnostics import RULES_BY_CODE, Diagnostic
from pipeline.publish import PublishRequest, make_site, publish, render_article
from pipeline.render.environment import environment
from pipeline.render.html import render_category_page, render_index_page
from pipeline.render.view import build_view
from tests.conftest import write_pyproject
from tests.security.conftest import FUZZ
from tests.security.hostile import SAFE_SVG, downgraded_config
from tests.security.htmlscan import executable_constructs

SECTIONS = ("\n\n## Causes\n\nC.\n\n## Symptoms\n\nS.\n\n## Diagnosis\n\nD.\n\n"
            "## Treatment\n\nT.\n\n## See Also\n\n- [Companion](companion.md)\n")
BASE = {"title": "Fuzzed condition", "type": "condition",
        "summary": "A made-up condition that exists only to be fuzzed.",
        "license": "CC-BY-SA-4.0", "disclaimer": "medical",
        "contributors": [{"name": "Test Author", "credentials": "MD"}],
        "categories": ["Testing"], "last_reviewed": "2026-06-01"}

SCHEMES = ["javascript:", "JaVaScRiPt:", "jav&#x09;ascript:", "java\tscript:", "vbscript:",
           "data:text/html,", "data:image/svg+xml;base64,", "file:///", "mailto:",
           "https://", "http://", "//", "ftp://", "jar:", "view-source:", "&#106;avascript:",
           "javascript%3a", "java%0ascript:", "\x01javascript:", " javascript:", ""]
TARGETS = ["alert(1)", "evil.example/x", "images/pic.svg", "companion.md", "companion.md#x",
           "#overview", "../../etc/passwd", "%2e%2e/x", "x\" onerror=\"alert(1)", "<x>", ""]
PIECES = ["*", "**", "_", "__", "~~", "[", "]", "](", ")", "![", "<", ">", "`", "```\n",
          "\n", "\n\n", "# ", "## ", "### ", "- ", "1. ", "> ", "|", "\n|---|---|\n", "<!--",
          "-->", "&#", "&#x6A;", "&lt;", "&amp;", "\\", "    ", "\t", "<script>alert(1)</script>",
          "</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>", "<a href=\"",
          "<a href=\"javascript:alert(1)\">x</a>", " onclick=\"alert(1)\"", "<iframe src=",
          "<math><mi xlink:href=\"javascript:alert(1)\">", "<style>", "<base href=", "\"",
          "'", "{{ 7*7 }}", "{% raw %}", "\u202e", "\x00", "\x0b", "\u2028", "\ufffe", "é",
          "\U0001d54f", "[ref]: ", "[ref]", "<https://example.org>", "<javascript:alert(1)>"]

markdown_piece = st.one_of(
    st.sampled_from(PIECES),
    st.text(max_size=6),
    st.builds(lambda text, scheme, target: f"[{text}]({scheme}{target})",
              st.text(max_size=4), st.sampled_from(SCHEMES), st.sampled_from(TARGETS)),
    st.builds(lambda scheme, target: f"![alt]({scheme}{target})",
              st.sampled_from(SCHEMES), st.sampled_from(TARGETS)),
    st.builds(lambda scheme, target: f"\n[ref]: {scheme}{target}\n",
              st.sampled_from(SCHEMES), st.sampled_from(TARGETS)),
)
markdown = st.lists(markdown_piece, max_size=40).map("".join)

YAML_PIECES = ["title: ", "type: condition", "summary: ", "categories: ", "contributors:\n",
               "- ", "  ", ": ", "&a ", "*a", "!!python/object:os.system ", "!tag ", "[", "]",
               "{", "}", "\"", "'", "# ", "\n", "---\n", "...\n", "? ", "|\n", ">\n", "%YAML 1.1\n",
               "\t", "<<: ", "~", "null", "yes", "2026-13-45", "0x1F", "\\u0000", "\\x01",
               "<script>alert(1)</script>", "{{ 7*7 }}"]
yaml_text = st.lists(st.one_of(st.sampled_from(YAML_PIECES), st.text(max_size=6)),
                     max_size=30).map("".join)

scalar = st.one_of(st.text(max_size=30), st.sampled_from(PIECES), st.integers(), st.booleans(),
                   st.none(), st.floats(allow_nan=False))
value = st.recursive(scalar, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
override = st.dictionaries(
    st.sampled_from([*sorted(BASE), "images", "extra", "contributors"]),
    st.one_of(value,
              st.lists(st.fixed_dictionaries({"name": st.one_of(st.text(max_size=20),
                                                                  st.sampled_from(PIECES))},
                                             optional={"credentials": value, "role": value}),
                       max_size=3),
              st.lists(st.fixed_dictionaries(
                  {"file": st.sampled_from(["pic.svg", "../pic.svg", "/etc/passwd", "x.png",
                                            "a\x00.svg", "pic.svg\" onerror=\"alert(1)"]),
                   "title": st.text(max_size=10), "alt": st.text(max_size=10),
                   "author": st.text(max_size=10), "license": st.just("CC0-1.0"),
                   "source": st.one_of(st.text(max_size=10), st.sampled_from(SCHEMES))}),
                  max_size=2)),
    max_size=4)


# -- one project, reused by every example ------------------------------------------------------


@pytest.fixture(scope="module")
def workspace() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="fuzz-"))
    (root / "articles" / "images").mkdir(parents=True)
    (root / "articles" / "images" / "pic.svg").write_text(SAFE_SVG, encoding="utf-8")
    companion = dict(BASE, title="Companion")
    (root / "articles" / "companion.md").write_text(
        "---\n" + yaml.safe_dump(companion, allow_unicode=True) + "---\n## Overview\n\nText."
        + SECTIONS.replace("companion.md", "fuzzed.md"), encoding="utf-8")
    write_pyproject(root, downgraded_config())
    yield root
    shutil.rmtree(root, ignore_errors=True)


def write(root: Path, text: str | bytes) -> Path:
    path = root / "articles" / "fuzzed.md"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    return path


def assert_well_placed(diagnostics: list[Diagnostic], path: Path) -> None:
    lines = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
    for d in diagnostics:
        assert d.code in RULES_BY_CODE, d
        assert d.name == RULES_BY_CODE[d.code].name, d
        if d.path.endswith("fuzzed.md"):
            assert 1 <= d.line <= lines + 1, (d, lines)
            assert d.column >= 1 and d.end_line >= d.line, d


def check_and_render(root: Path, text: str | bytes) -> None:
    """The whole property: check, render every output of what loaded, scan it."""
    path = write(root, text)
    config = load_config(root)
    result = check_paths(config, [path], keep_articles=True)
    assert_well_placed(result.diagnostics, path)
    article = result.articles.get("fuzzed")
    event("rendered" if article is not None else "not loaded")
    if article is None:
        return
    render_and_scan(config, article)


def render_and_scan(config: Config, article: Any) -> None:
    site = make_site(config, {"fuzzed": article})
    outputs = render_article(config, site, article, ("html", "json"))
    page = outputs["html/fuzzed.html"].decode("utf-8")
    assert executable_constructs(page, page=True) == []
    document = json.loads(outputs["json/fuzzed.json"])
    for fragment in [s["html"] for s in document["sections"]] + [document["extract_html"]]:
        assert executable_constructs(fragment) == []
    light = build_view(article, site, with_sections=False)
    env = environment(config.templates)
    index = render_index_page([light], site, env).decode("utf-8")
    assert executable_constructs(index, page=True) == []
    for category in light.categories:
        category_page = render_category_page(category, [light], site, env).decode("utf-8")
        assert executable_constructs(category_page, page=True) == []


# -- the properties -----------------------------------------------------------------------------


@settings(FUZZ)
@given(front=yaml_text, body=markdown)
def test_yaml_ish_front_matter_and_any_markdown(workspace: Path, front: str, body: str) -> None:
    check_and_render(workspace, f"---\n{front}\n---\n## Overview\n\n{body}{SECTIONS}")


@settings(FUZZ)
@given(changes=override, body=markdown)
def test_structured_front_matter_serialised_to_yaml(workspace: Path, changes: dict[str, Any],
                                                    body: str) -> None:
    front = yaml.safe_dump({**BASE, **changes}, allow_unicode=True, sort_keys=False)
    check_and_render(workspace, f"---\n{front}---\n## Overview\n\n{body}{SECTIONS}")


@settings(FUZZ)
@given(body=markdown, title=st.one_of(st.sampled_from(PIECES), st.text(max_size=20)))
def test_markdown_with_html_and_odd_schemes_renders_safely(workspace: Path, body: str,
                                                           title: str) -> None:
    front = yaml.safe_dump({**BASE, "title": title, "summary": body[:300] or "x"},
                           allow_unicode=True)
    check_and_render(workspace, f"---\n{front}---\n## Overview\n\n{body}\n\n## {body[:40]}"
                                f"\n\n{body}{SECTIONS}")


@settings(FUZZ)
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes(workspace: Path, data: bytes) -> None:
    check_and_render(workspace, b"---\ntitle: x\n---\n" + data)


@settings(FUZZ, max_examples=10)
@given(changes=override, body=markdown)
def test_publish_never_raises(workspace: Path, changes: dict[str, Any], body: str) -> None:
    front = yaml.safe_dump({**BASE, **changes}, allow_unicode=True, sort_keys=False)
    write(workspace, f"---\n{front}---\n## Overview\n\n{body}{SECTIONS}")
    result = publish(load_config(workspace), PublishRequest(out=workspace / "build",
                                                            formats=("html", "json"), jobs=1))
    assert_well_placed(result.diagnostics, workspace / "articles" / "fuzzed.md")
    assert not [d for d in result.diagnostics if d.code in ("PUB002", "PUB004")]
    for page in (workspace / "build" / "html").rglob("*.html") if result.ok else []:
        assert executable_constructs(page.read_text(encoding="utf-8"), page=True) == []


@settings(FUZZ, max_examples=5)
@given(front=yaml_text, body=markdown)
def test_the_command_line_never_shows_a_traceback(workspace: Path, front: str,
                                                  body: str) -> None:
    write(workspace, f"---\n{front}\n---\n## Overview\n\n{body}{SECTIONS}")
    for command in (["check", "--format", "json"], ["publish", "--formats", "html"]):
        done = subprocess.run([sys.executable, "-m", "pipeline", *command], cwd=workspace,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode in (0, 1), done.stderr
        assert "Traceback" not in done.stderr
