"""Fixtures of the security tests: the hostile corpus, published once, and the fuzzing budget.

The Hypothesis profile is registered here and applied by each property with
`@settings(parent=FUZZ)`: derandomised (the same examples on every run, so CI is
reproducible), a fixed number of examples, no per-example deadline (CI machines stall).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from pipeline.config import load_config
from pipeline.publish import PublishRequest, PublishResult, publish
from tests.security.hostile import (
    HostileArticle,
    downgraded_config,
    load_payloads,
    make_project,
    pack,
)

FUZZ_EXAMPLES = 200
settings.register_profile("security", derandomize=True, max_examples=FUZZ_EXAMPLES,
                          deadline=None, print_blob=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.function_scoped_fixture])
FUZZ = settings.get_profile("security")


@dataclass(frozen=True)
class HostileSite:
    root: Path
    articles: list[HostileArticle]
    result: PublishResult

    @property
    def build(self) -> Path:
        return self.root / "build"


@pytest.fixture(scope="session")
def hostile_articles() -> list[HostileArticle]:
    return pack(load_payloads())


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory,
                 hostile_articles: list[HostileArticle]) -> HostileSite:
    """Every payload published (HTML and JSON) with the content errors downgraded to
    warnings: what the renderer alone makes of them."""
    root = tmp_path_factory.mktemp("hostile") / "project"  # alone in its folder
    make_project(root, hostile_articles, downgraded_config())
    result = publish(load_config(root), PublishRequest(out=root / "build",
                                                       formats=("html", "json"), jobs=1))
    assert result.ok, [d for d in result.diagnostics if d.severity == "error"]
    return HostileSite(root, hostile_articles, result)
