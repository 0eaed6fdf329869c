"""The title cache (`.pipeline-cache/titles.json`): a check of one file compares its title with
every other article's (LNK106) without reading the others again, and says exactly what it
would say without the cache, whatever became of the files or of the cache itself.

Through the real command line where users see it; in the process where a test must see
what is read or when the cache is written. File times are set, never waited for: every
article is dated 2001 (long before any clock a test runs by), and "now" is passed in where
the two-second rule is the subject.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from pipeline import title_cache
from pipeline.check import check_paths, read_title, title_in_file
from pipeline.config import load_config
from pipeline.load import article_files
from tests.conftest import Runner, write_pyproject

OLD = 978_307_200 * 10**9  # 2001-01-01, in nanoseconds: the files' mtime, never racy
ARTICLE = """---
type: condition
title: {title}
summary: A short summary of the subject that this article describes for its readers.
license: CC-BY-SA-4.0
disclaimer: medical
contributors:
  - name: Amara Okafor
    credentials: MD
categories: [Immunology]
last_reviewed: 2026-06-01
---
## Overview

The subject is a condition of the immune system.

## Symptoms

Symptoms include recurrent infections.

## Causes

It can be inherited.

## Diagnosis

Blood tests count the immune cells.

## Treatment

Treatment depends on the cause.
"""
# b-subject.md is the file checked; a-subject.md comes first in file order, and will take its
# title ("Shared subject") in the tests that make the two collide
TITLES = {"a-subject": "Shared subjecx", "b-subject": "Shared subject",
          "c-other": "Other matter", "d-other": "Further matter", "e-other": "Last matter"}
REPORTED = ("articles/b-subject.md:3:8: LNK106 [error] title 'Shared subject' is also the "
            "title of articles/{holder}:3:8")
CACHE = Path(".pipeline-cache") / "titles.json"


def write_article(path: Path, title: str, mtime: int = OLD) -> None:
    path.write_text(ARTICLE.format(title=title), encoding="utf-8")
    os.utime(path, ns=(mtime, mtime))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Five articles, none with a problem of its own; MED101 and LNK104 are off (no article
    has a See Also section, none links to another: no rule reads another file)."""
    (tmp_path / "articles").mkdir()
    write_pyproject(tmp_path, 'ignore = ["REF106", "MED101", "LNK104"]\n')
    for name, title in TITLES.items():
        write_article(tmp_path / "articles" / f"{name}.md", title)
    return tmp_path


def check_b(run_cli: Runner, root: Path) -> subprocess.CompletedProcess[str]:
    """`pipeline check -q articles/b-subject.md`: diagnostics only, no timing."""
    result = run_cli(root, "check", "-q", "articles/b-subject.md")
    assert "Traceback" not in result.stderr + result.stdout
    return result


def collide(root: Path, same_size_and_time: bool = False) -> None:
    """a-subject.md takes b-subject.md's title; with `same_size_and_time` its size, inode
    and mtime stay as they were (an edit in place, the old mtime put back)."""
    path = root / "articles" / "a-subject.md"
    before = path.stat()
    if same_size_and_time:
        with open(path, "r+b") as handle:  # the same inode
            handle.write(ARTICLE.format(title="Shared subject").encode())
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        after = path.stat()
        assert (after.st_size, after.st_ino, after.st_mtime_ns) == (
            before.st_size, before.st_ino, before.st_mtime_ns)
    else:
        write_article(path, "Shared subject, in more words")
        write_article(path, "Shared subject")


def cached_files(root: Path) -> dict[str, list[object]]:
    data = json.loads((root / CACHE).read_bytes())
    assert data["version"] == title_cache.VERSION
    files: dict[str, list[object]] = data["files"]
    return files


# -- the same answers, with the cache or without it ---------------------------------------------


def test_a_one_file_check_writes_the_cache_and_answers_the_same_with_it(
        corpus: Path, run_cli: Runner) -> None:
    cold = check_b(run_cli, corpus)
    assert (cold.returncode, cold.stdout) == (0, "")
    files = cached_files(corpus)
    assert sorted(files) == [f"articles/{name}.md" for name in TITLES]  # b-subject.md too
    info = (corpus / "articles" / "c-other.md").stat()
    assert files["articles/c-other.md"] == [info.st_mtime_ns, info.st_ctime_ns, info.st_size,
                                            info.st_ino, "Other matter", 3, 8]
    collide(corpus)
    cold_collision = check_b(run_cli, corpus)
    warm_collision = check_b(run_cli, corpus)
    assert cold_collision.returncode == warm_collision.returncode == 1
    assert cold_collision.stdout == warm_collision.stdout
    assert cold_collision.stdout.splitlines()[0] == REPORTED.format(holder="a-subject.md")
    (corpus / CACHE).unlink()
    assert check_b(run_cli, corpus).stdout == warm_collision.stdout  # and without it again


@pytest.mark.parametrize("same_size_and_time", [False, True], ids=["edited", "same-stat"])
def test_a_title_copied_into_another_file_after_the_cache_is_written_is_reported(
        corpus: Path, run_cli: Runner, same_size_and_time: bool) -> None:
    assert check_b(run_cli, corpus).stdout == ""
    assert "Shared subjecx" in json.dumps(cached_files(corpus))
    collide(corpus, same_size_and_time)  # the same size, inode and mtime: the ctime tells
    result = check_b(run_cli, corpus)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == REPORTED.format(holder="a-subject.md")


def test_a_file_changed_in_the_last_two_seconds_is_read_but_not_kept(corpus: Path) -> None:
    """Git's racy-index rule: a file's mtime as close as that to when the files are looked
    at could hide a second edit in the same tick of the clock."""
    config = load_config(corpus)
    read = partial(title_in_file, limits=config.limits)
    entries = title_cache.article_entries(config.articles)
    titles = title_cache.read_titles(config, entries, read, now=OLD + 1_999_999_999)
    assert titles["a-subject.md"].text == "Shared subjecx"  # read, and used
    assert not (corpus / CACHE).exists()  # but nothing to keep
    title_cache.read_titles(config, entries, read, now=OLD + 2_000_000_001)
    assert len(cached_files(corpus)) == len(TITLES)
    later = OLD + 10 * 10**9
    write_article(config.articles / "a-subject.md", "Shared subject", mtime=later)
    for now, kept in ((later + 10**9, False), (later + 3 * 10**9, True)):
        titles = title_cache.read_titles(
            config, title_cache.article_entries(config.articles), read, now=now)
        assert titles["a-subject.md"].text == "Shared subject"
        assert ("articles/a-subject.md" in cached_files(corpus)) is kept
    assert cached_files(corpus)["articles/a-subject.md"][4] == "Shared subject"


def test_a_file_dated_in_the_future_is_never_kept(corpus: Path, run_cli: Runner) -> None:
    future = 4_102_444_800 * 10**9  # 2100-01-01: racy whatever the clock says
    write_article(corpus / "articles" / "a-subject.md", "Shared subjecx", mtime=future)
    check_b(run_cli, corpus)
    assert "articles/a-subject.md" not in cached_files(corpus)
    collide(corpus, same_size_and_time=True)
    assert check_b(run_cli, corpus).stdout.splitlines()[0] == REPORTED.format(
        holder="a-subject.md")


# -- files that went away -----------------------------------------------------------------------


def test_a_deleted_or_renamed_file_is_not_reported_from_the_cache(
        corpus: Path, run_cli: Runner) -> None:
    collide(corpus)
    first = check_b(run_cli, corpus)
    assert first.stdout.splitlines()[0] == REPORTED.format(holder="a-subject.md")
    assert "articles/a-subject.md" in cached_files(corpus)
    articles = corpus / "articles"
    os.rename(articles / "a-subject.md", articles / "aa-subject.md")
    renamed = check_b(run_cli, corpus)
    assert renamed.stdout.splitlines()[0] == REPORTED.format(holder="aa-subject.md")
    assert "articles/a-subject.md" not in renamed.stdout
    assert "articles/a-subject.md" not in cached_files(corpus)
    os.rename(articles / "aa-subject.md", articles / "aa-subject.txt")  # no longer an article
    assert check_b(run_cli, corpus).stdout == ""
    os.rename(articles / "aa-subject.txt", articles / "aa-subject.md")
    (articles / "aa-subject.md").unlink()
    assert check_b(run_cli, corpus).stdout == ""
    assert sorted(cached_files(corpus)) == [f"articles/{name}.md" for name in TITLES
                                            if name != "a-subject"]


# -- a cache that cannot be used ----------------------------------------------------------------


Forged = dict[str, object]  # the cache as JSON, with a stale entry that looks current


def _garbage(root: Path, forged: Forged) -> None:
    (root / CACHE).write_bytes(os.urandom(4096))


def _truncated(root: Path, forged: Forged) -> None:
    data = json.dumps(forged).encode()
    (root / CACHE).write_bytes(data[:len(data) // 2])


def _nested(root: Path, forged: Forged) -> None:
    (root / CACHE).write_text("[" * 100_000, encoding="utf-8")


def _folder(root: Path, forged: Forged) -> None:
    (root / CACHE).unlink()
    (root / CACHE).mkdir()


def _link_to_zero(root: Path, forged: Forged) -> None:
    (root / CACHE).unlink()
    (root / CACHE).symlink_to("/dev/zero")


def _fifo(root: Path, forged: Forged) -> None:
    (root / CACHE).unlink()
    os.mkfifo(root / CACHE)


def _rewritten(change: str) -> Callable[[Path, Forged], None]:
    def rewrite(root: Path, forged: Forged) -> None:
        files = forged["files"]
        assert isinstance(files, dict)
        entry = files["articles/a-subject.md"]
        if change == "version":
            forged["version"] = title_cache.VERSION + 1
        elif change == "key":
            forged["key"] = "0" * 64
        elif change == "files":
            forged["files"] = list(files.items())
        elif change == "title":
            entry[4] = ["Shared subjecx"]
        elif change == "line":
            entry[5] = "3"
        elif change == "short":
            del entry[6]
        elif change == "numbers":
            entry[:4] = [str(number) for number in entry[:4]]
        (root / CACHE).write_text(json.dumps(forged), encoding="utf-8")

    return rewrite


CORRUPTIONS = {"garbage": _garbage, "truncated": _truncated, "nested": _nested,
               "folder": _folder, "link-to-dev-zero": _link_to_zero, "fifo": _fifo,
               **{f"wrong-{change}": _rewritten(change) for change in
                  ("version", "key", "files", "title", "line", "short", "numbers")}}


def forge(root: Path, stale: bytes) -> Forged:
    """The cache written before a-subject.md took the shared title, its entry given the
    file's stat as it is now: a cache that would hide the collision if it were believed."""
    forged: Forged = json.loads(stale)
    files = forged["files"]
    assert isinstance(files, dict)
    info = (root / "articles" / "a-subject.md").stat()
    files["articles/a-subject.md"][:4] = [info.st_mtime_ns, info.st_ctime_ns, info.st_size,
                                          info.st_ino]
    return forged


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_a_cache_that_cannot_be_used_changes_nothing(corpus: Path, run_cli: Runner,
                                                     name: str) -> None:
    check_b(run_cli, corpus)
    stale = (corpus / CACHE).read_bytes()  # a-subject.md: "Shared subjecx"
    collide(corpus, same_size_and_time=True)
    (corpus / CACHE).unlink()
    expected = check_b(run_cli, corpus)  # without a cache
    assert expected.stdout.splitlines()[0] == REPORTED.format(holder="a-subject.md")
    (corpus / CACHE).write_text(json.dumps(forge(corpus, stale)), encoding="utf-8")
    assert check_b(run_cli, corpus).stdout == ""  # believed: the forged title hides it
    CORRUPTIONS[name](corpus, forge(corpus, stale))
    result = run_cli(corpus, "check", "-q", "articles/b-subject.md", cpu_seconds=60)
    assert (result.returncode, result.stdout, result.stderr) == (
        expected.returncode, expected.stdout, "")
    if name not in ("folder", "link-to-dev-zero", "fifo"):  # replaced by a good one
        assert cached_files(corpus)["articles/a-subject.md"][4] == "Shared subject"


def test_a_state_folder_that_cannot_be_written_changes_nothing(
        corpus: Path, run_cli: Runner) -> None:
    (corpus / ".pipeline-cache").write_text("a file where the folder should be\n")
    collide(corpus)
    result = check_b(run_cli, corpus)
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.splitlines()[0] == REPORTED.format(holder="a-subject.md")
    assert (corpus / ".pipeline-cache").read_text() == "a file where the folder should be\n"


def test_a_failed_write_leaves_no_file_and_changes_nothing(
        corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read-only as it looks to root too: the replacing of the cache fails."""
    def refused(source: object, target: object) -> None:
        raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.chdir(corpus)
    collide(corpus)
    monkeypatch.setattr(os, "replace", refused)
    found = check_paths(load_config(corpus), [Path("articles/b-subject.md")]).diagnostics
    assert [f"{d.path}:{d.line}:{d.column}: {d.code}" for d in found] == [
        "articles/b-subject.md:3:8: LNK106"]
    assert os.listdir(corpus / ".pipeline-cache") == []  # no temporary file left behind


# -- what a warm cache saves --------------------------------------------------------------------

OPENED = """
import json, os, sys

opened = []


def hook(event, args):
    if event == "open" and isinstance(args[0], (str, os.PathLike)):
        opened.append(os.path.abspath(os.fspath(args[0])))


sys.addaudithook(hook)
from pipeline.cli import main

code = main(["check", "-q", *sys.argv[2:]])
with open(sys.argv[1], "w") as handle:
    json.dump({"code": code, "opened": opened}, handle)
"""


def opened_articles(root: Path, tmp_path: Path, *paths: str) -> set[str]:
    """The article files a `pipeline check -q PATHS` opens, by name (an audit hook)."""
    record = tmp_path / "opened.json"
    script = tmp_path / "opened.py"
    script.write_text(OPENED, encoding="utf-8")
    environment = {**os.environ, "NO_COLOR": "1"}
    process = subprocess.run([sys.executable, str(script), str(record), *paths], cwd=root,
                             capture_output=True, text=True, timeout=120, env=environment)
    assert process.returncode == 0, process.stderr
    opened = json.loads(record.read_text(encoding="utf-8"))["opened"]
    folder = os.path.realpath(root / "articles")
    return {Path(p).name for p in opened if os.path.dirname(os.path.realpath(p)) == folder}


def test_a_warm_one_file_check_opens_no_other_article(corpus: Path, tmp_path: Path) -> None:
    names = {f"{name}.md" for name in TITLES}
    assert opened_articles(corpus, tmp_path, "articles/b-subject.md") == names  # cold
    assert opened_articles(corpus, tmp_path, "articles/b-subject.md") == {"b-subject.md"}
    assert opened_articles(corpus, tmp_path, "articles/c-other.md") == {"c-other.md"}
    write_article(corpus / "articles" / "d-other.md", "Further matter, changed")
    assert opened_articles(corpus, tmp_path, "articles/c-other.md") == {"c-other.md",
                                                                          "d-other.md"}


def test_a_whole_corpus_check_leaves_the_cache_for_the_next_one_file_check(
        corpus: Path, tmp_path: Path, run_cli: Runner) -> None:
    """An editor checks everything, then the file they are working on: that second check
    reads no other article."""
    assert not (corpus / ".pipeline-cache").exists()
    assert run_cli(corpus, "check", "-q").returncode == 0
    assert len(cached_files(corpus)) == len(TITLES)
    assert opened_articles(corpus, tmp_path, "articles/b-subject.md") == {"b-subject.md"}


# -- the files the cache stands for: exactly `article_files`', read as `read_title` reads -------


def test_the_cache_reads_the_titles_read_title_reads_whatever_the_files_are(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Links in and out of the repository (SEC103), folders and FIFOs named `*.md`, hidden
    and upper-case names: the same files as `article_files`, and for each the same title as
    `read_title`, cold and warm."""
    root = tmp_path / "project"
    articles = root / "articles"
    articles.mkdir(parents=True)
    write_pyproject(root)
    outside = tmp_path / "outside"
    outside.mkdir()
    write_article(outside / "secret.md", "Shared subject")
    write_article(articles / "b-subject.md", "Shared subject")
    write_article(articles / "inside.md", "Inside")
    write_article(articles / ".hidden.md", "Hidden")
    write_article(articles / "UPPER.MD", "Upper")  # not `*.md`
    (articles / "notes.txt").write_text("title: Notes\n")
    (articles / "folder.md").mkdir()
    os.mkfifo(articles / "fifo.md")
    (articles / "out.md").symlink_to(outside / "secret.md")  # SEC103: never read
    (articles / "in.md").symlink_to("inside.md")  # followed
    (articles / "dangling.md").symlink_to("nowhere.md")
    (articles / "bad.md").write_bytes(b"---\ntitle: \xff\xfe\n---\n")  # no title
    os.utime(articles / "bad.md", ns=(OLD, OLD))
    monkeypatch.chdir(root)
    config = load_config(root)
    entries = title_cache.article_entries(config.articles)
    assert [config.articles / entry.name for entry in entries] == article_files(config.articles)
    expected = {path.name: title for path in article_files(config.articles)
                if (title := read_title(path, config)) is not None}
    assert set(expected) == {"b-subject.md", "inside.md", ".hidden.md", "in.md"}
    read = partial(title_in_file, limits=config.limits)
    for _ in ("cold", "warm"):
        assert title_cache.read_titles(config, title_cache.article_entries(config.articles),
                                       read) == expected
    assert sorted(cached_files(root)) == ["articles/.hidden.md", "articles/b-subject.md",
                                          "articles/bad.md", "articles/inside.md"]


def test_an_articles_folder_linked_out_of_the_repository_is_never_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "project"
    root.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    write_article(outside / "secret.md", "Secret")
    (root / "articles").symlink_to(outside)
    write_pyproject(root)
    monkeypatch.chdir(root)
    config = load_config(root)
    assert [read_title(path, config) for path in article_files(config.articles)] == [None]
    read = partial(title_in_file, limits=config.limits)
    assert title_cache.read_titles(config, title_cache.article_entries(config.articles),
                                   read) == {}
