"""Shared helpers: a throw-away project folder that uses this repository's schema."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# "Today" for every check the tests run, in-process and in subprocesses: review-date rules
# (future, overdue) must give the same answers whatever day the suite runs.
os.environ["SOURCE_DATE_EPOCH"] = "1795564800"  # 2026-11-25

REPO = Path(__file__).resolve().parent.parent
ARTICLES = REPO / "articles"
SCHEMA = REPO / "schemas" / "article.schema.json"
TEMPLATES = REPO / "templates"


def write_pyproject(root: Path, extra: str = "") -> None:
    (root / "pyproject.toml").write_text(
        "[tool.pipeline]\n"
        'articles = "articles"\n'
        f'schema = "{SCHEMA.as_posix()}"\n'
        f'templates = "{TEMPLATES.as_posix()}"\n' + extra,
        encoding="utf-8",
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project: pyproject.toml pointing at the real schema, an empty articles/."""
    (tmp_path / "articles").mkdir()
    write_pyproject(tmp_path)
    return tmp_path


@pytest.fixture
def corpus_project(tmp_path: Path) -> Path:
    """A project holding a copy of the bundled articles."""
    shutil.copytree(ARTICLES, tmp_path / "articles")
    write_pyproject(tmp_path)
    return tmp_path


Runner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_cli() -> Runner:
    """Run the real `python -m pipeline` in a folder; returns the completed process."""

    def run(cwd: Path, *args: str, env: dict[str, str] | None = None,
            timeout: float = 120, unset: tuple[str, ...] = (),
            cpu_seconds: int | None = None) -> subprocess.CompletedProcess[str]:
        """`unset` removes variables from the child's environment (SOURCE_DATE_EPOCH for a
        test of the real clock). `cpu_seconds` is a hang guard that load cannot trip: each
        process of the command may use that much CPU time (RLIMIT_CPU, inherited by worker
        processes) before the kernel stops it; `timeout` is then only a generous backstop."""
        import os

        environment = {**os.environ, "NO_COLOR": "1", **(env or {})}
        environment.pop("FORCE_COLOR", None) if "FORCE_COLOR" not in (env or {}) else None
        for name in unset:
            environment.pop(name, None)
        limit = None if cpu_seconds is None else _cpu_limit(cpu_seconds)
        return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd,
                              capture_output=True, text=True, timeout=timeout,
                              env=environment, preexec_fn=limit)

    return run


def _cpu_limit(seconds: int) -> Callable[[], None]:
    def apply() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))

    return apply
