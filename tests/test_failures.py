"""Clear failures and progress: a missing optional dependency is one usage error before any
work; "the previous build is unchanged" only when there is one; long runs show phases,
counts, elapsed time and an estimate on a terminal, and nothing in CI or with --quiet."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Runner
from tests.test_terminal import on_a_terminal

BROKEN = "raise ImportError('{name} is not installed (made unimportable by the test)')\n"


def without(tmp_path: Path, *modules: str) -> dict[str, str]:
    """An environment in which `modules` cannot be imported: a folder first on PYTHONPATH
    holds a module of each name that raises ImportError."""
    shadow = tmp_path / "shadow"
    shadow.mkdir(exist_ok=True)
    for name in modules:
        (shadow / f"{name}.py").write_text(BROKEN.format(name=name), encoding="utf-8")
    return {"PYTHONPATH": os.pathsep.join([str(shadow), os.environ.get("PYTHONPATH", "")])}


def test_without_typst_the_pdf_output_is_one_usage_error(
        corpus_project: Path, run_cli: Runner, tmp_path: Path) -> None:
    result = run_cli(corpus_project, "publish", env=without(tmp_path, "typst"))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr  # one error, no traceback
    assert "pip install '.[pdf]'" in lines[0]
    assert "typst" in lines[0] and "pdf output" in lines[0]
    assert "--formats html,json" in lines[0]  # what works without it
    assert result.stdout == ""
    assert not (corpus_project / "build").exists()  # before any work
    assert not (corpus_project / ".pipeline-cache").exists()


def test_without_typst_the_other_formats_work(
        corpus_project: Path, run_cli: Runner, tmp_path: Path) -> None:
    result = run_cli(corpus_project, "publish", "--formats", "html,json",
                     env=without(tmp_path, "typst"))
    assert result.returncode == 0, result.stderr
    assert (corpus_project / "build" / "html" / "asthma.html").is_file()
    assert not (corpus_project / "build" / "print").exists()


def test_without_pikepdf_the_pdf_output_is_one_usage_error_naming_it(
        corpus_project: Path, run_cli: Runner, tmp_path: Path) -> None:
    result = run_cli(corpus_project, "publish", env=without(tmp_path, "pikepdf"))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "pikepdf cannot be imported" in lines[0] and "pip install '.[pdf]'" in lines[0]
    assert not (corpus_project / "build").exists()


def test_without_distributed_a_scheduler_is_one_usage_error(
        corpus_project: Path, run_cli: Runner, tmp_path: Path) -> None:
    result = run_cli(corpus_project, "publish", "--formats", "json", "--scheduler",
                     "tcp://127.0.0.1:9", env=without(tmp_path, "distributed"))
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "pip install '.[dask]'" in result.stderr
    assert "without --scheduler" in result.stderr
    assert not (corpus_project / "build").exists()


def test_two_missing_extras_are_still_one_error(corpus_project: Path, run_cli: Runner,
                                                tmp_path: Path) -> None:
    result = run_cli(corpus_project, "publish", "--scheduler", "tcp://127.0.0.1:9",
                     env=without(tmp_path, "typst", "distributed"))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert "pip install '.[pdf]'" in result.stderr and "pip install '.[dask]'" in result.stderr


def test_check_needs_no_extra(corpus_project: Path, run_cli: Runner, tmp_path: Path) -> None:
    result = run_cli(corpus_project, "check", env=without(tmp_path, "typst", "distributed"))
    assert result.returncode == 0, result.stdout + result.stderr


# -- "the previous build is unchanged" only when there is one ---------------------------------


def _break(project: Path) -> None:
    article = project / "articles" / "asthma.md"
    article.write_text(article.read_text(encoding="utf-8").replace(
        "license: CC-BY-SA-4.0", "license: CC-BY-NC-4.0", 1), encoding="utf-8")


def test_a_refused_first_publish_does_not_mention_a_previous_build(
        corpus_project: Path, run_cli: Runner) -> None:
    _break(corpus_project)
    result = run_cli(corpus_project, "publish", "--formats", "json")
    assert result.returncode == 1
    assert "previous build" not in result.stderr
    assert "Publish refused: 1 error(s); nothing was published to build." in result.stderr
    assert not (corpus_project / "build").exists()


def test_a_refused_publish_over_a_build_says_it_is_unchanged(
        corpus_project: Path, run_cli: Runner) -> None:
    assert run_cli(corpus_project, "publish", "--formats", "json").returncode == 0
    _break(corpus_project)
    result = run_cli(corpus_project, "publish", "--formats", "json")
    assert result.returncode == 1
    assert "Publish refused: 1 error(s); the previous build is unchanged." in result.stderr


def test_a_write_failure_without_a_build_does_not_mention_one(corpus_project: Path) -> None:
    from pipeline.publish import _io_problem

    problem = _io_problem(corpus_project / "build", OSError(28, "No space left on device"))
    assert problem.code == "PUB002"
    assert "previous build" not in (problem.hint or "")
    assert "nothing was published" in (problem.hint or "")


# -- progress on a terminal --------------------------------------------------------------------


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus of 220 articles: a long run, by `PROGRESS_FROM`."""
    from pipeline.cli import PROGRESS_FROM
    from tests.conftest import ARTICLES, write_pyproject

    root = tmp_path_factory.mktemp("large")
    (root / "articles").mkdir()
    text = (ARTICLES / "physical-activity.md").read_text(encoding="utf-8")
    for number in range(PROGRESS_FROM + 20):
        (root / "articles" / f"topic-{number:03d}.md").write_text(
            text.replace("title: Physical activity", f"title: Physical activity {number}", 1),
            encoding="utf-8")
    write_pyproject(root, 'ignore = ["LNK"]\n')
    return root


def test_a_long_check_shows_its_progress_on_a_terminal(large: Path) -> None:
    code, output = on_a_terminal(large, "check")
    assert code in (0, 1), output
    assert "Checking [" in output and "220/220" in output  # the phase and the counts
    assert re.search(r"\d+/220 \d+s, about \d+s left", output)  # elapsed and estimate
    assert re.search(r"^Checked 220 files", output, re.MULTILINE)


@pytest.mark.parametrize(("args", "env"), [((), {"CI": "true"}), (("--quiet",), {}),
                                           (("--no-progress",), {})])
def test_no_progress_in_ci_or_when_quiet(large: Path, args: tuple[str, ...],
                                         env: dict[str, str]) -> None:
    code, output = on_a_terminal(large, "check", *args, **env)
    assert code in (0, 1)
    assert "Checking [" not in output


def test_a_short_check_shows_none_unless_asked(corpus_project: Path) -> None:
    _, output = on_a_terminal(corpus_project, "check")
    assert "Checking [" not in output
    code, output = on_a_terminal(corpus_project, "check", "--progress")
    assert code == 0
    assert "Checking [" in output and "14/14" in output


def test_publish_shows_its_phases(corpus_project: Path) -> None:
    code, output = on_a_terminal(corpus_project, "publish", "--formats", "json", "--progress")
    assert code == 0, output
    assert "Checking and rendering [" in output and "14/14" in output
    assert "Writing the site pages of 14 articles" in output
    assert "Published 14 articles" in output


def test_publish_is_silent_in_ci_and_with_quiet(corpus_project: Path) -> None:
    code, output = on_a_terminal(corpus_project, "publish", "--formats", "json", "--out", "b",
                                 "--quiet")
    assert code == 0 and output.strip() == ""
    code, output = on_a_terminal(corpus_project, "publish", "--formats", "json", "--out", "c",
                                 CI="true")
    assert code == 0 and "Checking and rendering [" not in output
    assert "Published 14 articles" in output


def test_piped_publish_shows_no_progress(corpus_project: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "pipeline", "publish", "--formats", "json"],
                            cwd=corpus_project, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert "[" not in result.stderr
