"""Publishing on a Dask cluster: the same bytes as a local publish, a dead worker, a worker of
another version, an unreachable scheduler.

Each cluster is real: a `dask scheduler` and two `dask worker` processes on 127.0.0.1, with
one thread each and no dashboard, started in a fixture that always kills them. Timeouts are
generous (the machine may be loaded); nothing here asserts on speed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.corpus import generate
from pipeline import cli
from pipeline.publish import distributed
from tests.conftest import Runner

DASK = Path(sys.executable).parent / "dask"
START_TIMEOUT = 180.0  # seconds for the scheduler and workers to come up on a loaded machine
PUBLISH_TIMEOUT = 900  # seconds: a backstop, never a measure


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LocalCluster:
    """A scheduler and workers as separate processes (each in its own process group, so that
    a worker's nanny and its child die together)."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        scratch.mkdir(parents=True, exist_ok=True)
        self._start("scheduler", [str(DASK), "scheduler", "--host", "127.0.0.1",
                                  "--port", str(self.port), "--no-dashboard"])

    def _start(self, name: str, command: list[str]) -> None:
        log = open(self.scratch / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        self.processes[name] = subprocess.Popen(
            command, cwd=self.scratch, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, env={**os.environ, "PYTHONPATH": ""})

    def start_worker(self, name: str) -> None:
        folder = self.scratch / name
        folder.mkdir(exist_ok=True)  # no access to the repository is needed: not its folder
        self._start(name, [str(DASK), "worker", self.address, "--nthreads", "1",
                           "--no-dashboard", "--name", name, "--local-directory", str(folder)])

    def wait_for(self, workers: int) -> None:
        from distributed import Client

        client: Any = Client(self.address, timeout=START_TIMEOUT,  # type: ignore[no-untyped-call]
                             set_as_default=False)
        try:
            client.wait_for_workers(workers, timeout=START_TIMEOUT)
        finally:
            client.close()

    def kill(self, name: str) -> None:
        process = self.processes[name]
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)

    def stop(self) -> None:
        for name in list(self.processes):
            self.kill(name)


@pytest.fixture
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    made = LocalCluster(tmp_path_factory.mktemp("dask"))
    try:
        made.start_worker("worker-1")
        made.start_worker("worker-2")
        made.wait_for(2)
        yield made
    finally:
        made.stop()


def _project(corpus_project: Path, generated: int) -> Path:
    """The bundled articles and `generated` more, with their images."""
    scratch = corpus_project / "generated"
    generate(scratch, generated, seed=7)
    for path in scratch.rglob("*"):
        if path.is_file():
            target = corpus_project / "articles" / path.relative_to(scratch)
            target.parent.mkdir(parents=True, exist_ok=True)
            path.replace(target)
    return corpus_project


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_publish_on_a_cluster_is_byte_identical_to_a_local_one(
        cluster: LocalCluster, corpus_project: Path, run_cli: Runner) -> None:
    root = _project(corpus_project, 60)
    local = run_cli(root, "publish", "--out", "build-local", "--formats", "html,json,pdf",
                    timeout=PUBLISH_TIMEOUT)
    assert local.returncode == 0, local.stdout + local.stderr
    remote = run_cli(root, "publish", "--out", "build-dask", "--formats", "html,json,pdf",
                     "--scheduler", cluster.address, "--progress", timeout=PUBLISH_TIMEOUT)
    assert remote.returncode == 0, remote.stdout + remote.stderr
    assert f"on the Dask cluster at {cluster.address}" in remote.stderr
    assert "worker-" in remote.stderr or "tcp://127.0.0.1" in remote.stderr  # per worker
    assert remote.stdout == local.stdout  # the diagnostics, as `articles/<slug>.md:…`
    expected, found = _files(root / "build-local"), _files(root / "build-dask")
    assert sorted(found) == sorted(expected)
    assert len([n for n in expected if n.startswith("print/")]) >= 70
    different = [name for name in expected if found[name] != expected[name]]
    assert not different, different[:10]
    # the incremental state works as locally: nothing changed, nothing sent
    again = run_cli(root, "publish", "--out", "build-dask", "--formats", "html,json,pdf",
                    "--scheduler", cluster.address, timeout=PUBLISH_TIMEOUT)
    assert again.returncode == 0, again.stderr
    assert "(0 rendered" in again.stderr


def test_diagnostics_and_configuration_travel_to_the_workers(
        cluster: LocalCluster, corpus_project: Path, run_cli: Runner) -> None:
    """A refused publish names the same problems, on the same lines, as a local one; the
    scheduler may come from `[tool.pipeline]`; links to another article's headings are
    checked against that article's real anchors."""
    root = corpus_project
    asthma = root / "articles" / "asthma.md"
    text = asthma.read_text(encoding="utf-8")
    asthma.write_text(text.replace("## ", "## Missing [x](influenza.md#no-such-heading)\n\n## ",
                                   1) + "\n![](images/no-such-image.svg)\n",
                      encoding="utf-8")
    local = run_cli(root, "publish", "--out", "build", "--formats", "html",
                    timeout=PUBLISH_TIMEOUT)
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write(f'scheduler = "{cluster.address}"\n')
    remote = run_cli(root, "publish", "--out", "build", "--formats", "html",
                     timeout=PUBLISH_TIMEOUT)
    assert remote.returncode == 1, remote.stdout + remote.stderr
    assert "Dask cluster" in remote.stderr
    assert "articles/asthma.md:" in remote.stdout
    assert "no-such-heading" in remote.stdout and "no-such-image.svg" in remote.stdout
    assert remote.stdout == local.stdout
    assert not (root / "build").exists()


def test_a_worker_killed_during_the_publish(
        cluster: LocalCluster, corpus_project: Path, run_cli: Runner) -> None:
    """The build is complete, or refused with the previous build intact: never half made."""
    root = _project(corpus_project, 60)
    first = run_cli(root, "publish", "--out", "build", "--formats", "html,json",
                    timeout=PUBLISH_TIMEOUT)
    assert first.returncode == 0, first.stderr
    before = _files(root / "build")
    command = [sys.executable, "-m", "pipeline", "publish", "--out", "build", "--formats",
               "html,json,pdf", "--scheduler", cluster.address]
    with subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env={**os.environ, "NO_COLOR": "1"}) as publish:
        deadline = time.monotonic() + PUBLISH_TIMEOUT
        while time.monotonic() < deadline and publish.poll() is None:
            staged = list(root.glob(".build.staging-*/print/*.pdf"))
            if len(staged) >= 4:  # some batches done, most still to do
                break
            time.sleep(0.2)
        assert publish.poll() is None, "the publish ended before a worker could be killed"
        cluster.kill("worker-1")
        _, err = publish.communicate(timeout=PUBLISH_TIMEOUT)
    stderr = err.decode()
    assert publish.returncode in (0, 2), stderr
    if publish.returncode == 2:  # a clean refusal
        assert "previous build is unchanged" in stderr
        assert _files(root / "build") == before
    else:
        import hashlib
        import json

        manifest = json.loads((root / "build" / "manifest.json").read_bytes())
        built = _files(root / "build")
        assert set(manifest["files"]) == set(built) - {"manifest.json"}
        for name, digest in manifest["files"].items():
            assert hashlib.sha256(built[name]).hexdigest() == digest, name
        slugs = [p.stem for p in (root / "articles").glob("*.md")]
        for slug in slugs:
            for name in (f"html/{slug}.html", f"json/{slug}.json", f"print/{slug}.pdf"):
                assert name in built, name
    assert not list(root.glob(".build.staging-*"))


def test_workers_of_another_version_are_refused(
        cluster: LocalCluster, corpus_project: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The client compares its fingerprint with every worker's before any task."""
    mine = distributed.runtime_fingerprint()
    other = tuple((name, "0.0.0-other" if name == "typst" else value)
                  for name, value in mine)
    monkeypatch.setattr(distributed, "runtime_fingerprint", lambda: other)
    monkeypatch.chdir(corpus_project)
    code = cli.main(["publish", "--scheduler", cluster.address, "--formats", "html"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "runs another version of the pipeline or its renderers" in err
    assert "typst" in err and "0.0.0-other" in err
    assert not (corpus_project / "build").exists()


def test_a_task_on_a_worker_of_another_version_refuses_to_run() -> None:
    """Workers that join after the check are caught by their first task."""
    from datetime import date

    from pipeline.config import load_config

    setup = distributed.Setup("key", (("pipeline", "0.0.0-other"),), load_config(), "/",
                              date(2026, 1, 1), ("html",), {}, b"")
    with pytest.raises(distributed.WorkerMismatch, match="another version"):
        distributed.run_batch(setup, None, None)  # type: ignore[arg-type]


def test_an_unreachable_scheduler_is_a_usage_error(corpus_project: Path,
                                                   run_cli: Runner) -> None:
    port = free_port()  # closed: nobody listens there
    started = time.monotonic()
    done = run_cli(corpus_project, "publish", "--scheduler", f"tcp://127.0.0.1:{port}",
                   timeout=300)
    assert done.returncode == 2, done.stderr
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in done.stderr
    assert not (corpus_project / "build").exists()
    assert time.monotonic() - started < 290  # bounded (Client timeout), not a measure


def test_without_distributed_a_scheduler_is_a_usage_error(
        corpus_project: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    monkeypatch.chdir(corpus_project)
    code = cli.main(["publish", "--scheduler", "tcp://127.0.0.1:8786"])
    err = capsys.readouterr().err
    assert code == 2
    assert "pip install '.[dask]'" in err
    assert not (corpus_project / "build").exists()
