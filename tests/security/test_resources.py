"""Promise 3: nothing hangs or explodes.

Each hostile article goes through the real command line, with 30 seconds of CPU time per
process as the hang detector (RLIMIT_CPU: not a speed assertion, and blind to a loaded
machine; the wall-clock timeout is only a backstop ten times longer): YAML alias expansion,
deep YAML, a 10 MB file, a 200,000-character line, thousands of nested brackets and emphasis
markers, deep lists and quotes, floods of definitions, code spans and comments, an unclosed
comment, huge tables. Each must be refused with its diagnostic on the right line. Articles just
inside the limits must publish (HTML, JSON and PDF) within the same guard.

Run with `-s` to see the measured times (docs/security.md records them).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import Runner, write_pyproject
from tests.security.hostile import SAFE_SVG

HANG_GUARD = 30  # CPU seconds per process: a hang detector, not a speed target
BACKSTOP = HANG_GUARD * 10  # wall seconds, for a process that hangs without computing

HEAD = ("---\ntitle: Resource case\ntype: condition\nsummary: A made-up condition that "
        "exists only to exhaust the pipeline.\nlicense: CC-BY-SA-4.0\ndisclaimer: medical\n"
        "contributors:\n  - name: Test Author\n    credentials: MD\ncategories: [Testing]\n"
        'last_reviewed: "2026-06-01"\n---\n## Overview\n\n')
TAIL = ("\n\n## Causes\n\nC.\n\n## Symptoms\n\nS.\n\n## Diagnosis\n\nD.\n\n## Treatment\n\n"
        "T.\n\n## See Also\n\n- [Companion](companion.md)\n")
OVERVIEW = HEAD.count("\n") + 1  # the file line where the Overview's content starts


def body(text: str) -> str:
    return HEAD + text + TAIL


def front(fields: str) -> str:
    """An article whose front matter ends with `fields` (written from line 2)."""
    return "---\n" + fields + "\n---\n## Overview\n\nText.\n" + TAIL


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 9):
        name, previous = chr(97 + index), chr(96 + index)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return front("\n".join(lines))


def table(columns: int, rows: int) -> str:
    return ("|" + "h|" * columns + "\n|" + "-|" * columns + "\n"
            + ("|" + "c|" * columns + "\n") * rows)


@dataclass(frozen=True)
class Resource:
    text: Callable[[], str | bytes]
    code: str
    line: int


CASES: dict[str, Resource] = {
    "yaml-billion-laughs": Resource(billion_laughs, "SRC010", 2),
    "yaml-5000-block-lists-nested-on-one-line": Resource(
        lambda: front("title:\n  " + "- " * 5_000 + "x"), "SRC012", 3),
    "yaml-flow-lists-100000-deep-on-many-lines": Resource(
        lambda: front("title:\n" + "  [\n" * 100_000 + "  ]\n" * 100_000), "SRC012", 3 + 15),
    "yaml-20000-unknown-fields": Resource(
        lambda: front("".join(f"field{i}: value\n" for i in range(20_000)).rstrip("\n")),
        "FMT103", 2),
    "a-10-megabyte-article": Resource(
        lambda: body(("Asthma is a common condition of the airways. " * 20 + "\n\n")
                     * 11_000), "SRC003", 1),
    "a-200000-character-line": Resource(lambda: body("word " * 40_000), "SRC016", OVERVIEW),
    "19000-open-brackets-on-one-line": Resource(lambda: body("[" * 19_000), "SRC015",
                                                OVERVIEW),
    "100000-lines-of-open-brackets": Resource(lambda: body("[\n" * 100_000), "SRC015",
                                              OVERVIEW + 32),
    "3000-nested-star-emphasis": Resource(
        lambda: body("*a " * 3000 + "b" + " a*" * 3000), "SRC015", OVERVIEW),
    "3000-nested-underscore-emphasis": Resource(
        lambda: body("_a " * 3000 + "b" + " a_" * 3000), "SRC015", OVERVIEW),
    "a-flood-of-emphasis-markers": Resource(lambda: body("*a" * 9_500), "SEC109",
                                            OVERVIEW - 2),
    "40-list-levels": Resource(
        lambda: body("".join("  " * i + "- item\n" for i in range(40))), "SRC015",
        OVERVIEW + 14),
    "a-list-indented-200-deep": Resource(lambda: body(" " * 200 + "- item"), "SRC015",
                                         OVERVIEW),
    "200-blockquote-markers": Resource(lambda: body(">" * 200 + " quoted"), "SRC015",
                                       OVERVIEW),
    "90-blockquote-levels-line-by-line": Resource(
        lambda: body("".join(">" * i + " q\n" for i in range(1, 91))), "SRC015", OVERVIEW + 29),
    "25000-link-reference-definitions": Resource(
        lambda: body("".join(f"[r{i}]: https://example.org/{i}\n" for i in range(25_000))),
        "SEC109", OVERVIEW - 2),
    "20000-code-spans": Resource(lambda: body(("`a` " * 4_000 + "\n") * 5), "SEC109",
                                 OVERVIEW - 2),
    "20000-html-comments": Resource(lambda: body("<!-- note -->\n\n" * 20_000), "SEC109",
                                    OVERVIEW - 2),
    "an-unclosed-comment-swallows-the-article": Resource(
        lambda: body("<!-- never closed"), "MED101", 0),
    "1200-table-columns": Resource(lambda: body(table(1_200, 1)), "SEC108", OVERVIEW),
    "9000-table-columns": Resource(lambda: body(table(9_000, 1)), "SEC109", OVERVIEW - 2),
    "1220-table-cells": Resource(lambda: body(table(20, 60)), "SEC108", OVERVIEW),
    "2000-headings": Resource(
        lambda: body("".join(f"### Heading {i}\n\nText.\n\n" for i in range(2_000))),
        "SEC109", OVERVIEW - 2),
}

# Just inside the limits: these must check clean and publish, PDF included.
WITHIN: dict[str, Callable[[], str]] = {
    "table-at-the-limits": lambda: body(table(20, 49)),
    "8000-elements": lambda: body("".join(f"- item *{i}* [link](companion.md)\n"
                                          for i in range(700))),
    "nesting-just-inside": lambda: body("".join("  " * i + "- item\n" for i in range(14))),
    "a-long-article": lambda: body(("Asthma is a common condition of the airways and lungs. "
                                    * 10 + "\n\n") * 150),
}

TIMES: dict[str, float] = {}


def companion() -> str:
    return body("A companion article.").replace("- [Companion](companion.md)",
                                                "- [Case](case.md)").replace(
        "title: Resource case", "title: Companion")


def project(root: Path, text: str | bytes) -> Path:
    (root / "articles" / "images").mkdir(parents=True)
    (root / "articles" / "images" / "pic.svg").write_text(SAFE_SVG, encoding="utf-8")
    case = root / "articles" / "case.md"
    if isinstance(text, bytes):
        case.write_bytes(text)
    else:
        case.write_text(text, encoding="utf-8")
    (root / "articles" / "companion.md").write_text(companion(), encoding="utf-8")
    write_pyproject(root)
    return root


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_resource_attack_is_refused_in_bounded_time(name: str, tmp_path: Path,
                                                      run_cli: Runner) -> None:
    case = CASES[name]
    root = project(tmp_path, case.text())
    started = time.perf_counter()
    checked = run_cli(root, "check", "articles/case.md", "--format", "json",
                      cpu_seconds=HANG_GUARD, timeout=BACKSTOP)
    TIMES[f"check {name}"] = time.perf_counter() - started
    assert checked.returncode == 1, checked.stderr
    found = [(d["code"], d["line"]) for d in json.loads(checked.stdout)["diagnostics"]
             if d["severity"] == "error"]
    codes = {code for code, _ in found}
    assert case.code in codes, found
    if case.line:
        assert (case.code, case.line) in found, found
    print(f"\n{name}: check {TIMES[f'check {name}']:.2f} s")


def test_publish_refuses_every_resource_attack_at_once(tmp_path: Path, run_cli: Runner) -> None:
    root = project(tmp_path, companion())
    for name, case in CASES.items():
        text = case.text()
        path = root / "articles" / f"{name}.md"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    published = run_cli(root, "publish", "--formats", "html,json,pdf",
                        cpu_seconds=HANG_GUARD * 2, timeout=BACKSTOP * 2)
    elapsed = time.perf_counter() - started
    assert published.returncode == 1, published.stderr
    assert "Traceback" not in published.stderr and not (root / "build").exists()
    for name, case in CASES.items():
        assert f"articles/{name}.md:" in published.stdout, name
        assert any(line.startswith(f"articles/{name}.md:") and f" {case.code} " in line
                   for line in published.stdout.splitlines()), name
    print(f"\npublish refusing all {len(CASES)} cases: {elapsed:.2f} s")


def test_articles_just_inside_the_limits_publish_in_bounded_time(
        tmp_path: Path, run_cli: Runner) -> None:
    root = project(tmp_path, companion())
    (root / "articles" / "case.md").unlink()
    (root / "articles" / "companion.md").write_text(
        companion().replace("(case.md)", "(a-long-article.md)"), encoding="utf-8")
    for name, text in WITHIN.items():
        (root / "articles" / f"{name}.md").write_text(
            text().replace("title: Resource case", f"title: {name}"), encoding="utf-8")
    started = time.perf_counter()
    checked = run_cli(root, "check", "--format", "json", cpu_seconds=HANG_GUARD,
                      timeout=BACKSTOP)
    elapsed_check = time.perf_counter() - started
    errors = [d for d in json.loads(checked.stdout)["diagnostics"] if d["severity"] == "error"]
    assert not errors
    started = time.perf_counter()
    published = run_cli(root, "publish", "--formats", "html,json,pdf",
                        cpu_seconds=HANG_GUARD, timeout=BACKSTOP)
    elapsed = time.perf_counter() - started
    assert published.returncode == 0, published.stdout + published.stderr
    for name in WITHIN:
        assert (root / "build" / "print" / f"{name}.pdf").is_file()
    print(f"\nwithin the limits ({len(WITHIN)} articles): check {elapsed_check:.2f} s, "
          f"publish {elapsed:.2f} s")


def test_every_kind_of_resource_attack_is_covered() -> None:
    assert len(CASES) >= 20
