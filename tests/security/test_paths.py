"""Promise 2: nothing escapes the output folder.

Each case builds a small world (`project/` and, beside it, `outside/` with a canary) where
a contributor controls a value that becomes a file name or a path: the article file name
(`..`, backslashes, very long, look-alike letters, case), image paths (`..`, absolute,
encoded, NUL), category names that fold to one page, and symbolic links out of the
articles and images folders (and one that stays inside the repository: followed, by
decision). The check must refuse it with a diagnostic; publish must refuse it or render it
safely, even with the content errors downgraded; and afterwards every file under the
world is listed: nothing outside `project/build/` is new or changed except the lock and
the publish state, and `outside/` is untouched.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pipeline.check import check_paths
from pipeline.config import load_config
from pipeline.publish import PublishRequest, publish
from pipeline.render.view import category_slug
from tests.conftest import Runner, write_pyproject
from tests.security.hostile import SAFE_SVG, downgraded_config

CANARY = "CANARY-7f3a1c"  # never to appear in a build or a diagnostic


def article(title: str, categories: str = "[Testing]", images: str = "",
            body: str = "", see_also: str = "other") -> str:
    return (f"---\ntitle: {title}\ntype: condition\nsummary: A made-up condition that exists "
            "only to test file names.\nlicense: CC-BY-SA-4.0\ndisclaimer: medical\n"
            f"contributors:\n  - name: Test Author\n    credentials: MD\n{images}"
            f"categories: {categories}\nlast_reviewed: \"2026-06-01\"\n---\n## Overview\n\n"
            f"{title} exists only in tests.\n{body}\n## Causes\n\nC.\n\n## Symptoms\n\nS.\n\n"
            f"## Diagnosis\n\nD.\n\n## Treatment\n\nT.\n\n## See Also\n\n"
            f"- [Other]({see_also}.md)\n")


def credit(name: str) -> str:
    return (f"images:\n  - file: {name}\n    title: T\n    alt: A\n    author: X\n"
            "    source: Own work\n    license: CC0-1.0\n")


@dataclass
class World:
    base: Path

    @property
    def project(self) -> Path:
        return self.base / "project"

    @property
    def articles(self) -> Path:
        return self.project / "articles"

    @property
    def outside(self) -> Path:
        return self.base / "outside"

    def write(self, name: str, text: str) -> Path:
        path = self.articles / name
        path.write_text(text, encoding="utf-8")
        return path


@dataclass(frozen=True)
class Case:
    """What a case must produce: codes reported by `check` as (file name, code); whether a
    publish with the default configuration, and one with content errors downgraded, fails
    (and with which code) or succeeds."""

    check: set[tuple[str, str]]
    publish_code: str  # the error that stops the default publish
    downgraded_code: str = ""  # the error that stops the downgraded publish; "" = it succeeds
    pages: set[str] = field(default_factory=set)  # html pages the downgraded build must hold


def setup(base: Path) -> World:
    world = World(base)
    (world.articles / "images").mkdir(parents=True)
    (world.articles / "images" / "pic.svg").write_text(SAFE_SVG, encoding="utf-8")
    world.outside.mkdir()
    (world.outside / "secret.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg"><desc>{CANARY}</desc></svg>\n',
        encoding="utf-8")
    (world.outside / "evil.md").write_text(article(f"Evil {CANARY}"), encoding="utf-8")
    (world.outside / "folder").mkdir()
    (world.outside / "folder" / "hidden.md").write_text(article(f"Hidden {CANARY}"),
                                                       encoding="utf-8")
    world.write("other.md", article("Other condition", see_also="another"))
    world.write("another.md", article("Another condition", see_also="other"))
    write_pyproject(world.project)
    return world


# -- the cases ---------------------------------------------------------------------------------


def dotdot_name(world: World) -> Case:
    world.write("...md", article("Dots"))
    return Case({("...md", "SRC013")}, "PUB005", "PUB005")


def hidden_empty_name(world: World) -> Case:
    world.write(".md", article("Nothing"))
    return Case({(".md", "SRC013")}, "PUB005", "PUB005")


def backslash_name(world: World) -> Case:
    world.write("..\\..\\outside\\evil.md", article("Backslashes"))
    return Case({("..\\..\\outside\\evil.md", "SRC013")}, "PUB005", "PUB005")


def very_long_name(world: World) -> Case:
    name = "-".join(["word"] * 48) + ".md"  # 239 characters: a valid slug, too long
    world.write(name, article("Long"))
    return Case({(name, "SEC104")}, "PUB005", "PUB005")


def cyrillic_look_alike(world: World) -> Case:
    world.write("\u0430sthma.md", article("Asthma"))  # a Cyrillic a
    return Case({("\u0430sthma.md", "SRC013")}, "PUB005", "PUB005")


def fullwidth_letters(world: World) -> Case:
    world.write("\uff41sthma.md", article("Asthma"))  # a fullwidth a
    return Case({("\uff41sthma.md", "SRC013")}, "PUB005", "PUB005")


def names_differing_in_case(world: World) -> Case:
    world.write("asthma.md", article("Asthma"))
    world.write("Asthma.md", article("Asthma again"))
    return Case({("Asthma.md", "SRC013"), ("Asthma.md", "SEC104")}, "PUB005", "PUB005")


def categories_folding_to_one_page(world: World) -> Case:
    world.write("alpha.md", article("Alpha", "[Public health]"))
    world.write("beta.md", article("Beta", "[Public Health]"))
    world.write("gamma.md", article("Gamma", "[public-health]"))
    return Case({("beta.md", "SEC104"), ("gamma.md", "SEC104"), ("gamma.md", "FMT102")},
                "SEC104", "", {"category/public-health.html", "category/testing.html"})


def image_paths_climbing_out(world: World) -> Case:
    body = "".join(f"\n![Image]({target})\n" for target in (
        "../../outside/secret.svg", "images/../../../outside/secret.svg", "/etc/passwd",
        f"{world.outside}/secret.svg", "images/%2e%2e%2f%2e%2e%2f%2e%2e%2foutside/secret.svg",
        "images\\..\\..\\..\\outside\\secret.svg", "file:///etc/passwd"))
    world.write("climber.md", article("Climber", body=body))
    return Case({("climber.md", "CRD104"), ("climber.md", "SEC101")}, "CRD104", "")


def image_file_names_in_credits(world: World) -> Case:
    credits = "images:\n" + "".join(
        f"  - file: \"{name}\"\n    title: T\n    alt: A\n    author: X\n"
        "    source: Own work\n    license: CC0-1.0\n"
        for name in ("../../outside/secret.svg", "/etc/passwd", "a\\0b.svg", "..",
                     "images/../../outside/secret.svg"))
    world.write("credits.md", article("Credits", images=credits))
    return Case({("credits.md", "FMT109"), ("credits.md", "SEC107"), ("credits.md", "CRD102")},
                "FMT109", "")


def symlinked_article_outside(world: World) -> Case:
    (world.articles / "evil.md").symlink_to(world.outside / "evil.md")
    return Case({("evil.md", "SEC103")}, "SEC103", "")


def symlinked_article_to_a_device(world: World) -> Case:
    (world.articles / "zero.md").symlink_to("/dev/zero")
    return Case({("zero.md", "SEC103")}, "SEC103", "")


def symlinked_article_inside_repository(world: World) -> Case:
    (world.project / "docs").mkdir()
    (world.project / "docs" / "shared.md").write_text(article("Shared"), encoding="utf-8")
    (world.articles / "shared.md").symlink_to(world.project / "docs" / "shared.md")
    return Case(set(), "", "", {"shared.html"})  # decision: inside the repository, followed


def fifo_in_articles(world: World) -> Case:
    os.mkfifo(world.project / "pipe")
    (world.articles / "pipe.md").symlink_to(world.project / "pipe")
    return Case({("pipe.md", "SRC001")}, "SRC001", "SRC001")


def symlinked_folder_of_articles(world: World) -> Case:
    (world.articles / "folder").symlink_to(world.outside / "folder")
    return Case(set(), "", "", {"other.html"})  # never walked into: nothing of it is read


def symlinked_image_outside(world: World) -> Case:
    (world.articles / "images" / "leak.svg").symlink_to(world.outside / "secret.svg")
    world.write("leaky.md", article("Leaky", images=credit("leak.svg"),
                                    body="\n![Leak](images/leak.svg)\n"))
    return Case({("leaky.md", "CRD104")}, "CRD104", "")


def symlinked_images_folder(world: World) -> Case:
    shutil.rmtree(world.articles / "images")
    (world.outside / "images").mkdir()
    (world.outside / "images" / "pic.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg"><desc>{CANARY}</desc></svg>\n',
        encoding="utf-8")
    (world.articles / "images").symlink_to(world.outside / "images")
    world.write("pictured.md", article("Pictured", images=credit("pic.svg"),
                                       body="\n![Picture](images/pic.svg)\n"))
    return Case({("pictured.md", "SEC103")}, "SEC103", "")


def unsafe_svg(world: World) -> Case:
    (world.articles / "images" / "evil.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script>'
        "</svg>\n", encoding="utf-8")
    world.write("scripted.md", article("Scripted", images=credit("evil.svg"),
                                       body="\n![Evil](images/evil.svg)\n"))
    return Case({("scripted.md", "SEC105")}, "SEC105", "", {"scripted.html"})


CASES: dict[str, Callable[[World], Case]] = {f.__name__: f for f in (
    dotdot_name, hidden_empty_name, backslash_name, very_long_name, cyrillic_look_alike,
    fullwidth_letters, names_differing_in_case, categories_folding_to_one_page,
    image_paths_climbing_out, image_file_names_in_credits, symlinked_article_outside,
    symlinked_article_to_a_device, symlinked_article_inside_repository, fifo_in_articles,
    symlinked_folder_of_articles, symlinked_image_outside, symlinked_images_folder,
    unsafe_svg)}


# -- the file system, before and after ---------------------------------------------------------


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under a folder (links not followed) with what it is or holds."""
    entries: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            relative = path.relative_to(folder).as_posix()
            if path.is_symlink():
                entries[relative] = "-> " + os.readlink(path)
            elif path.is_dir():
                entries[relative] = "dir"
            elif path.is_file():
                entries[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                entries[relative] = "special"
    return entries


_PUBLISH_STATE = re.compile(r"project/(\.build\.lock|\.pipeline-cache(/publish-[0-9a-f]{16}"
                            r"\.json|/titles\.json)?)")  # the publish's state, the titles


def assert_only_the_build_changed(before: dict[str, str], after: dict[str, str]) -> None:
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    stray = {k for k in changed if not (k == "project/build" or k.startswith("project/build/")
                                        or _PUBLISH_STATE.fullmatch(k))}
    assert not stray, sorted(stray)


def build_holds_no_canary(world: World) -> None:
    build = world.project / "build"
    for path in build.rglob("*") if build.exists() else []:
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path


# -- the tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_name_is_refused_and_nothing_escapes(name: str, tmp_path: Path) -> None:
    world = setup(tmp_path)
    case = CASES[name](world)
    before = snapshot(tmp_path)
    config = load_config(world.project)
    checked = check_paths(config)
    found = {(Path(d.path).name, d.code) for d in checked.diagnostics if d.severity == "error"}
    assert case.check <= found, sorted(found)
    assert not [d for d in checked.diagnostics if CANARY in d.message + d.hint]
    assert [(Path(d.path).name, d.code) for d in checked.diagnostics
            if d.severity == "error" and Path(d.path).name in ("other.md", "another.md")] == []

    result = publish(config, PublishRequest(out=world.project / "build", formats=("html",)))
    codes = {d.code for d in result.diagnostics if d.severity == "error"}
    if case.publish_code:
        assert case.publish_code in codes and not (world.project / "build").exists()
    else:
        assert result.ok, sorted(codes)
    assert_only_the_build_changed(before, snapshot(tmp_path))

    write_pyproject(world.project, downgraded_config())
    before = snapshot(tmp_path)
    downgraded = publish(load_config(world.project),
                         PublishRequest(out=world.project / "build", formats=("html", "json")))
    codes = {d.code for d in downgraded.diagnostics if d.severity == "error"}
    if case.downgraded_code:
        assert case.downgraded_code in codes
    else:
        assert downgraded.ok, sorted(codes)
        pages = {p.relative_to(world.project / "build" / "html").as_posix()
                 for p in (world.project / "build" / "html").rglob("*.html")}
        assert case.pages <= pages
        images = {p.name for p in (world.project / "build" / "html").glob("images/*")}
        assert images <= {"pic.svg"}  # only the safe image of the folder is ever published
    assert_only_the_build_changed(before, snapshot(tmp_path))
    build_holds_no_canary(world)


def test_cases_cover_every_kind_of_name() -> None:
    assert len(CASES) >= 15


def test_category_pages_have_stable_readable_names() -> None:
    """One function names category pages for the check (SEC104) and the renderers."""
    expected = {
        "Public health": "public-health", "Public Health": "public-health",
        "public-health": "public-health", "Ünïcode names": "unicode-names", "": "category",
        "  spaced   out  ": "spaced-out", "A/B testing": "a-b-testing",
        "\uff26\uff35\uff2c\uff2c": "full", "Mental health & you": "mental-health-and-you",
        "Alzheimer's disease": "alzheimers-disease", "Obstetrics & gynaecology":
        "obstetrics-and-gynaecology", "Pédiatrie": "pediatrie",
    }
    assert {name: category_slug(name) for name in expected} == expected


def test_a_link_to_a_device_or_a_fifo_never_hangs_the_command(tmp_path: Path,
                                                              run_cli: Runner) -> None:
    """Through the real command line, with a hang guard: /dev/zero would never end, a FIFO
    would block forever, if either were read."""
    world = setup(tmp_path)
    (world.articles / "zero.md").symlink_to("/dev/zero")
    (world.articles / "random.md").symlink_to("/dev/urandom")
    os.mkfifo(world.project / "pipe")
    (world.articles / "pipe.md").symlink_to(world.project / "pipe")
    os.mkfifo(world.articles / "fifo.md")
    checked = run_cli(world.project, "check", "--format", "concise", timeout=300)
    assert checked.returncode == 1, checked.stderr
    assert "articles/zero.md:1:1: SEC103" in checked.stdout
    assert "articles/random.md:1:1: SEC103" in checked.stdout
    assert "articles/pipe.md:1:1: SRC001" in checked.stdout
    published = run_cli(world.project, "publish", "--formats", "html", timeout=300)
    assert published.returncode == 1
    assert "SEC103" in published.stdout and "Traceback" not in published.stderr
    assert not (world.project / "build").exists()


def test_a_file_name_cannot_rewrite_the_terminal(tmp_path: Path, run_cli: Runner) -> None:
    """Escape sequences in a file name (erase the line, move up, set the title) are shown,
    not obeyed, in the text report: an error cannot be hidden from the person reading it."""
    world = setup(tmp_path)
    world.write("\x1b[1A\x1b[2K\x1b]0;pwned\x07\rhidden.md", article("Hidden"))
    done = run_cli(world.project, "check", "--format", "text", timeout=300)
    assert done.returncode == 1
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "\\x1b[1A\\x1b[2K\\x1b]0;pwned\\x07\\rhidden.md:1:1: SRC013" in done.stdout
