"""Publishing survives faults: SIGKILL at random moments, concurrent publishes.

A killed publish must leave the build exactly as it was before, or exactly as the completed
publish would have left it: never a mix, never a missing folder.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.corpus import generate
from tests.conftest import write_pyproject
from tests.test_publish import tree

KILLS = 25


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    generate(tmp_path / "articles", 60, seed=7)
    write_pyproject(tmp_path)
    return tmp_path


def _publish(root: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "pipeline", "publish", "--formats",
                             "html,json", *args], cwd=root, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={**os.environ, "CI": "1"})


def test_sigkill_at_random_moments_never_damages_the_build(synthetic: Path) -> None:
    import shutil

    assert _publish(synthetic).wait(120) == 0
    before = tree(synthetic / "build")
    shutil.copytree(synthetic / "build", synthetic / "original")
    article = synthetic / "articles" / "article-00003.md"
    article.write_text(article.read_text(encoding="utf-8").replace(
        "## Overview\n", "## Overview\n\nA changed paragraph.\n\n", 1), encoding="utf-8")
    started = time.perf_counter()
    assert _publish(synthetic, "--out", "expected").wait(120) == 0
    duration = time.perf_counter() - started
    after = tree(synthetic / "expected")
    assert after != before
    rng = random.Random(20261125)
    outcomes = {"before": 0, "after": 0}
    for _ in range(KILLS):
        process = _publish(synthetic)
        time.sleep(rng.uniform(0.0, duration * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait(60)
        state = tree(synthetic / "build")
        assert state in (before, after), "a killed publish left a mixed build"
        if state == after:  # the publish finished first: start the next round from before
            outcomes["after"] += 1
            shutil.rmtree(synthetic / "build")
            shutil.copytree(synthetic / "original", synthetic / "build")
        else:
            outcomes["before"] += 1
    assert outcomes["before"] > 0  # some kills landed before the swap
    assert _publish(synthetic).wait(120) == 0
    assert tree(synthetic / "build") == after
    assert not list(synthetic.glob(".build.staging-*"))


def test_two_publishes_at_once_do_not_interleave(synthetic: Path) -> None:
    first = subprocess.Popen([sys.executable, "-m", "pipeline", "publish", "--formats",
                              "html,json", "--jobs", "1"], cwd=synthetic,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env={**os.environ, "CI": "1"})
    lock = synthetic / ".build.lock"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (lock.exists() and lock.read_text().strip()):
        time.sleep(0.02)
    second = subprocess.run([sys.executable, "-m", "pipeline", "publish", "--formats",
                             "html,json"], cwd=synthetic, capture_output=True, text=True,
                            env={**os.environ, "CI": "1"}, timeout=120)
    assert first.wait(120) == 0
    assert second.returncode == 1
    assert "PUB001" in second.stdout
    assert f"pid {first.pid}" in second.stdout
    assert len(tree(synthetic / "build" / "html")) > 60
