"""Promise 4: publishing survives faults (what tests/test_faults.py and test_publish.py do not
already cover).

- a kill at each step of the swap itself: before the exchange, after it, between the two
  renames of the fallback swap (systems without renameat2), before the publish state;
- an interrupt (SIGINT) and a termination (SIGTERM) while the staging folder is full;
- a stale lock: its holder was killed, its file still names the dead process;
- a lock file planted as a symbolic link to another file;
- read-only output folders, as root (chmod does not stop root): a path under /proc, a
  path under a regular file, and a real read-only tmpfs when this machine lets us mount one.

After each: the build is exactly the previous one or exactly the new one, never a mix,
and the next ordinary publish leaves the new one and no staging or old copy behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ARTICLES, Runner, write_pyproject
from tests.test_publish import tree

# Runs `pipeline publish` with one step of the publish replaced, so that the process dies
# (or waits to be killed) exactly there.
HARNESS = r"""
import os, signal, sys, time
import pipeline.publish as publish
import pipeline.publish.swap as swap
from pipeline.cli import main

# A shell that started the test run in the background leaves SIGINT ignored, and children
# inherit that: restore Python's handler so the interrupt cases test what a user's Ctrl-C does.
signal.signal(signal.SIGINT, signal.default_int_handler)

point = sys.argv[1]

def die():
    os.kill(os.getpid(), signal.SIGKILL)

if point == "before-exchange":
    swap.exchange = lambda a, b: die()
elif point == "after-exchange":
    real_exchange = swap.exchange
    def exchange(a, b):
        real_exchange(a, b)
        die()
    swap.exchange = exchange
elif point == "between-renames":
    swap.exchange = lambda a, b: False  # as on a system without renameat2
    real_rename = os.rename
    def rename(a, b):
        real_rename(a, b)
        if str(b).endswith(".build.old"):
            die()
    os.rename = rename
elif point == "before-state":
    publish.write_state = lambda *args: die()
elif point in ("hold-lock", "hold-staging"):
    # hold-lock: wait with the lock taken, before anything else; hold-staging: wait with the
    # staging folder complete, before the swap
    real = publish.recover if point == "hold-lock" else publish.write_site
    def hold(*args, **kwargs):
        result = real(*args, **kwargs) if point == "hold-staging" else None
        print("holding", flush=True)
        time.sleep(60)
        return result if point == "hold-staging" else real(*args, **kwargs)
    if point == "hold-lock":
        publish.recover = hold
    else:
        publish.write_site = hold
sys.exit(main(["publish", "--formats", "html,json", "--jobs", "1"]))
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(ARTICLES, root / "articles")
    write_pyproject(root)
    return root


def publish_cli(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline", "publish", "--formats",
                           "html,json", "--jobs", "1"], cwd=root, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "CI": "1"})


def harness(root: Path, point: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", HARNESS, point], cwd=root, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "CI": "1",
                                 "PYTHONPATH": str(Path(__file__).resolve().parents[2])})


def change_an_article(root: Path) -> None:
    path = root / "articles" / "asthma.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "## Causes\n", "## Causes\n\nA sentence added for the new build.\n\n", 1),
        encoding="utf-8")


def before_and_after(root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The build before the change, and the build a complete publish makes after it; the
    project is left with the old build and the change made."""
    assert publish_cli(root).returncode == 0
    before = tree(root / "build")
    shutil.copytree(root / "build", root.parent / "before")
    change_an_article(root)
    assert publish_cli(root).returncode == 0
    after = tree(root / "build")
    assert after != before
    shutil.rmtree(root / "build")
    shutil.copytree(root.parent / "before", root / "build")
    shutil.rmtree(root / ".pipeline-cache", ignore_errors=True)  # the state of the new build
    return before, after


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir()
                  if p.name.startswith((".build.staging-", ".build.old")))


@pytest.mark.parametrize("point", ["before-exchange", "after-exchange", "between-renames",
                                   "before-state"])
def test_a_kill_during_the_swap(point: str, site: Path) -> None:
    before, after = before_and_after(site)
    process = harness(site, point)
    process.wait(120)
    assert process.returncode == -signal.SIGKILL, process.stderr.read() if process.stderr else ""
    if point == "between-renames":
        # the fallback's one window: the old build waits beside, the next publish restores it
        assert not (site / "build").exists()
        assert tree(site / ".build.old") == before
    else:
        assert tree(site / "build") in (before, after)
        assert tree(site / "build") == (before if point == "before-exchange" else after)
    assert publish_cli(site).returncode == 0
    assert tree(site / "build") == after
    assert leftovers(site) == []


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupt_with_a_full_staging_folder(sent: signal.Signals, site: Path) -> None:
    before, after = before_and_after(site)
    process = harness(site, "hold-staging")
    assert process.stdout is not None and process.stdout.readline().strip() == "holding"
    staged = [p for p in site.glob(".build.staging-*") if any(p.rglob("*.html"))]
    assert staged, "the staging folder should be full by now"
    process.send_signal(sent)
    process.wait(60)
    assert process.returncode != 0
    assert tree(site / "build") == before
    if sent == signal.SIGINT:  # Python unwinds: the staging folder is removed on the way out
        assert leftovers(site) == []
    assert publish_cli(site).returncode == 0
    assert tree(site / "build") == after and leftovers(site) == []


def test_a_stale_lock_from_a_killed_publish_does_not_block(site: Path, run_cli: Runner) -> None:
    process = harness(site, "hold-lock")
    assert process.stdout is not None and process.stdout.readline().strip() == "holding"
    lock = site / ".build.lock"
    assert lock.read_text(encoding="utf-8") == str(process.pid)
    blocked = publish_cli(site)  # while it lives, the lock holds
    assert blocked.returncode == 1 and f"pid {process.pid}" in blocked.stdout
    process.kill()
    process.wait(60)
    assert lock.read_text(encoding="utf-8") == str(process.pid)  # the file still names it
    started = time.perf_counter()
    done = publish_cli(site)
    assert done.returncode == 0, done.stdout + done.stderr
    assert time.perf_counter() - started < 300  # generous: a loaded machine is slow
    assert "PUB001" not in done.stdout
    assert (site / "build" / "html" / "index.html").is_file()


def test_a_lock_file_planted_as_a_link_is_not_followed(site: Path) -> None:
    victim = site.parent / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    (site / ".build.lock").symlink_to(victim)
    result = publish_cli(site)
    assert result.returncode == 1
    assert "PUB002" in result.stdout and "Traceback" not in result.stderr
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not (site / "build").exists()


@pytest.mark.parametrize("out", ["/proc/pipeline-build", "/proc/self/pipeline-build",
                                 "articles/asthma.md/build"])
def test_an_unwritable_output_folder_even_for_root(out: str, site: Path) -> None:
    assert publish_cli(site).returncode == 0
    before = tree(site / "build")
    done = subprocess.run([sys.executable, "-m", "pipeline", "publish", "--formats", "html",
                           "--out", out], cwd=site, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1
    assert "PUB002" in done.stdout and "Traceback" not in done.stderr
    assert tree(site / "build") == before


def test_a_read_only_file_system_keeps_the_previous_build(site: Path) -> None:
    mount = site.parent / "mnt"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mount)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        out = mount / "build"
        first = subprocess.run([sys.executable, "-m", "pipeline", "publish", "--formats",
                                "html", "--out", str(out)], cwd=site, capture_output=True,
                               text=True, timeout=120)
        assert first.returncode == 0, first.stdout + first.stderr
        before = tree(out)
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        change_an_article(site)
        done = subprocess.run([sys.executable, "-m", "pipeline", "publish", "--formats",
                               "html", "--out", str(out)], cwd=site, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 1
        assert "PUB002" in done.stdout and "Read-only file system" in done.stdout
        assert "Traceback" not in done.stderr
        assert tree(out) == before
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
