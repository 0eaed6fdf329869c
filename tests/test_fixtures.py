"""Fixture-driven checks: each folder in tests/fixtures is one case.

A case holds `articles/` (one or more articles, and `images/` when needed), `expected.txt`
with one `path:line:column: CODE` per expected diagnostic (warnings included; `#` starts a
comment), and optionally `config.toml`, extra `[tool.pipeline]` lines for that case.
The case passes when the checker reports exactly those diagnostics.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.check import check_paths
from pipeline.config import load_config
from tests.conftest import write_pyproject

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.txt").is_file())


def expected_lines(case: Path) -> list[str]:
    lines = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    return sorted(line.split("#", 1)[0].strip() for line in lines
                  if line.split("#", 1)[0].strip())


@pytest.mark.parametrize("name", CASES)
def test_fixture(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = FIXTURES / name
    shutil.copytree(case / "articles", tmp_path / "articles", symlinks=True)
    extra = (case / "config.toml").read_text(encoding="utf-8") if (
        case / "config.toml").is_file() else ""
    write_pyproject(tmp_path, extra)
    monkeypatch.chdir(tmp_path)
    result = check_paths(load_config(tmp_path))
    found = sorted(f"{d.path}:{d.line}:{d.column}: {d.code}" for d in result.diagnostics)
    assert found == expected_lines(case), "\n".join(
        f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}" for d in result.diagnostics)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 40
