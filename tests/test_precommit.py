"""pre-commit hooks (ours and the one offered to other repositories) and the CI workflow."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.cli import build_parser
from tests.conftest import REPO

HOOKS = REPO / ".pre-commit-hooks.yaml"
CONFIG = REPO / ".pre-commit-config.yaml"
WORKFLOW = REPO / ".github" / "workflows" / "articles.yml"
PROJECT_FILES = ("pyproject.toml", "schemas", "articles", "templates", ".pre-commit-config.yaml")


def clean_environment(tmp_path: Path) -> dict[str, str]:
    """An offline, hermetic environment: our `pipeline` first on PATH, caches in tmp."""
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("GIT_", "PRE_COMMIT"))}
    (tmp_path / "gitconfig").write_text("", encoding="utf-8")
    environment.update(
        PATH=os.pathsep.join([str(Path(sys.executable).parent), environment.get("PATH", "")]),
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-cache"),
        GIT_CONFIG_GLOBAL=str(tmp_path / "gitconfig"), GIT_CONFIG_NOSYSTEM="1",
        NO_COLOR="1", PIP_NO_INDEX="1")
    return environment


def pre_commit(root: Path, environment: dict[str, str], *args: str
               ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=root,
                          env=environment, capture_output=True, text=True, timeout=300)


@pytest.fixture
def hooked_repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A git repository holding a copy of the project files the hook needs."""
    import pre_commit  # noqa: F401  — pre-commit is a test dependency: missing means failure

    root = tmp_path / "repo"
    root.mkdir()
    for name in PROJECT_FILES:
        source = REPO / name
        if not source.exists():
            continue  # templates/ is not needed to check
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, root / name)
    environment = clean_environment(tmp_path)
    for command in (["init", "-q"], ["add", "-A"]):
        subprocess.run(["git", *command], cwd=root, env=environment, check=True,
                       capture_output=True)
    return root, environment


def test_hook_passes_on_the_bundled_articles(hooked_repo: tuple[Path, dict[str, str]]) -> None:
    root, environment = hooked_repo
    result = pre_commit(root, environment, "run", "--all-files", "--color", "never")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pipeline check" in result.stdout and "Passed" in result.stdout


def test_hook_fails_on_a_broken_article(hooked_repo: tuple[Path, dict[str, str]]) -> None:
    root, environment = hooked_repo
    article = root / "articles" / "asthma.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("## Causes\n", "## Random thoughts\n", 1)
                       .replace("license: CC-BY-SA-4.0\ndisclaimer",
                                "license: CC-BY-NC-4.0\ndisclaimer", 1), encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=root, env=environment, check=True)
    result = pre_commit(root, environment, "run", "--all-files", "--color", "never")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout
    assert "articles/asthma.md" in result.stdout
    assert "MED101" in result.stdout and "LIC101" in result.stdout


def test_hook_only_sees_articles(hooked_repo: tuple[Path, dict[str, str]]) -> None:
    root, environment = hooked_repo
    (root / "notes.md").write_text("not an article\n", encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=root, env=environment, check=True)
    result = pre_commit(root, environment, "run", "--files", "notes.md", "--color", "never")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no files to check" in result.stdout.lower()


def test_manifest_and_config_are_valid(tmp_path: Path) -> None:
    environment = clean_environment(tmp_path)
    for command, path in (("validate-manifest", HOOKS), ("validate-config", CONFIG)):
        result = pre_commit(REPO, environment, command, str(path))
        assert result.returncode == 0, result.stdout + result.stderr


def test_offered_hook_matches_our_own() -> None:
    offered = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert [hook["id"] for hook in offered] == ["pipeline-check"]
    hook = offered[0]
    assert hook["entry"] == "pipeline check"
    assert hook["language"] == "python"  # other repositories get it installed from here
    assert hook["files"] == r"^articles/.*\.md$"
    assert hook["pass_filenames"] is True
    ours = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["repos"]
    assert [repo["repo"] for repo in ours] == ["local"]
    local = ours[0]["hooks"][0]
    assert local["language"] == "system"  # offline: the pipeline installed here
    for key in ("id", "entry", "files", "pass_filenames"):
        assert local[key] == hook[key]


# -- the CI workflow ---------------------------------------------------------------------------


def workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def steps(job: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = workflow()["jobs"][job]["steps"]
    return found


def runs(job: str) -> list[str]:
    return [line.strip() for step in steps(job) for line in str(step.get("run", "")).splitlines()
            if line.strip()]


def uses(job: str, action: str) -> dict[str, Any]:
    matches = [s for s in steps(job) if str(s.get("uses", "")).startswith(action + "@")]
    assert len(matches) == 1, f"{job} should use {action} once"
    return matches[0]


def test_workflow_triggers() -> None:
    triggers = workflow().get("on", workflow().get(True))  # YAML 1.1 reads `on` as true
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == ["main"]


def test_pull_requests_are_checked_from_the_merge_base() -> None:
    job = workflow()["jobs"]["check"]
    assert "pull_request" in job["if"]
    assert uses("check", "actions/checkout").get("with", {}).get("fetch-depth") == 0
    assert str(uses("check", "actions/setup-python")["with"]["python-version"]) == "3.11"
    assert "python -m pip install -e ." in runs("check")
    assert job["env"]["BASE_REF"] == "${{ github.base_ref }}"
    checks = [line for line in runs("check") if line.startswith("pipeline check")]
    assert any('--changed-since "origin/$BASE_REF" --format github' in c for c in checks)
    sarif = [c for c in checks if "--format sarif" in c]
    assert len(sarif) == 1
    output = shlex.split(sarif[0])[shlex.split(sarif[0]).index("--output") + 1]
    assert uses("check", "github/codeql-action/upload-sarif")["with"]["sarif_file"] == output
    assert job["permissions"]["security-events"] == "write"


def test_main_is_published_as_an_artifact() -> None:
    job = workflow()["jobs"]["publish"]
    assert "push" in job["if"]
    assert "pip install nox && nox -s publish" in runs("publish")
    artifact = uses("publish", "actions/upload-artifact")["with"]
    assert artifact["path"] in ("build", "build/")


def test_workflow_commands_are_valid_pipeline_commands() -> None:
    parser = build_parser()
    commands = [line for job in ("check", "publish") for line in runs(job)
                if line.startswith("pipeline ")]
    assert commands
    for command in commands:
        words = shlex.split(command.replace("$BASE_REF", "main"))
        parser.parse_args(words[1:])  # exits (fails the test) on an unknown option


def test_the_installed_hook_guards_commits(hooked_repo: tuple[Path, dict[str, str]]) -> None:
    """The README's steps on a fresh clone: `pipeline` on the PATH, `pre-commit install`,
    then every commit is checked (the git hook itself, not `pre-commit run`)."""
    root, environment = hooked_repo
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "python3 -m pip install -e . pre-commit" in readme
    assert "pre-commit install" in readme
    assert ".nox/publish/bin/activate" in readme  # the nox route: how to get `pipeline`
    installed = pre_commit(root, environment, "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    environment = {**environment, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org",
                   "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org"}

    def commit(message: str) -> subprocess.CompletedProcess[str]:
        subprocess.run(["git", "add", "-A"], cwd=root, env=environment, check=True)
        return subprocess.run(["git", "commit", "-q", "-m", message], cwd=root,
                              env=environment, capture_output=True, text=True, timeout=300)

    first = commit("articles")
    assert first.returncode == 0, first.stdout + first.stderr
    article = root / "articles" / "asthma.md"
    article.write_text(article.read_text(encoding="utf-8").replace(
        "license: CC-BY-SA-4.0", "license: CC-BY-NC-4.0", 1), encoding="utf-8")
    refused = commit("a non-commercial licence")
    assert refused.returncode != 0
    assert "LIC101" in refused.stdout + refused.stderr


def test_forks_get_annotations_and_sarif_only_where_it_may_be_uploaded() -> None:
    upload = uses("check", "github/codeql-action/upload-sarif")
    condition = " ".join(str(upload["if"]).split())
    assert ("github.event_name != 'pull_request' || "
            "github.event.pull_request.head.repo.full_name == github.repository") in condition
    annotate = next(s for s in steps("check") if "--format github" in str(s.get("run", "")))
    assert "head.repo" not in str(annotate.get("if", ""))  # a fork's pull request too
    assert not annotate.get("continue-on-error")  # its exit code is the check's result
