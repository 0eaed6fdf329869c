"""`pipeline check --changed-since REF`: only what a change touches; the corpus still seen whole."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from pipeline.changes import ChangesError, changed_articles
from pipeline.config import load_config
from tests.conftest import Runner


def git(root: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org",
         "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=root, check=True, capture_output=True, text=True)
    return result.stdout


@pytest.fixture
def repo(corpus_project: Path) -> Path:
    """The bundled articles in a git repository, all committed and tagged `base`."""
    (corpus_project / "README.md").write_text("# Encyclopedia\n", encoding="utf-8")
    git(corpus_project, "init", "-q")
    git(corpus_project, "add", "-A")
    git(corpus_project, "commit", "-qm", "base")
    git(corpus_project, "tag", "base")
    return corpus_project


def checked(run_cli: Runner, root: Path, *args: str) -> tuple[int, set[str], list[str]]:
    """Exit code, the paths with diagnostics, and `path:CODE` of each diagnostic."""
    result = run_cli(root, "check", "--format", "json", *args)
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    found = [f"{d['path']}:{d['code']}" for d in report["diagnostics"]]
    return result.returncode, {d["path"] for d in report["diagnostics"]}, found


def targets(root: Path, ref: str = "base", within: list[Path] | None = None) -> list[str]:
    config = load_config(root)
    change = changed_articles(config, ref, within)
    return [p.relative_to(root.resolve()).as_posix() for p in change.targets]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_nothing_changed_checks_nothing(repo: Path, run_cli: Runner) -> None:
    result = run_cli(repo, "check", "--changed-since", "base")
    assert result.returncode == 0
    assert "Checked 0 files: 0 errors, 0 warnings" in result.stdout
    assert targets(repo) == []


def test_committed_staged_unstaged_and_untracked_changes(repo: Path, run_cli: Runner) -> None:
    articles = repo / "articles"
    edit(articles / "asthma.md", "## Overview\n", "## Overview\n\nCommitted change.\n")
    git(repo, "commit", "-qam", "committed")
    edit(articles / "influenza.md", "## Overview\n", "## Overview\n\nStaged change.\n")
    git(repo, "add", "articles/influenza.md")
    edit(articles / "metformin.md", "## Overview\n", "## Overview\n\nUnstaged change.\n")
    assert run_cli(repo, "new", "Gout", "--type", "condition").returncode == 0
    edit(repo / "README.md", "#", "# The")  # outside the articles folder: ignored
    assert targets(repo) == ["articles/asthma.md", "articles/gout.md",
                             "articles/influenza.md", "articles/metformin.md",
                             "articles/type-2-diabetes.md"]  # links to metformin.md#side-effects
    result = run_cli(repo, "check", "--changed-since", "base")
    assert "Checked 5 files" in result.stdout
    assert result.returncode == 1  # gout.md still has its placeholders
    assert {line.split(":")[0] for line in result.stdout.splitlines() if ": MED" in line} == {
        "articles/gout.md"}


def test_cross_article_rules_still_see_the_whole_corpus(repo: Path, run_cli: Runner) -> None:
    # asthma links to unchanged articles, and unchanged articles link to it: no broken link,
    # no orphan, although only asthma is checked.
    edit(repo / "articles" / "asthma.md", "## Overview\n", "## Overview\n\nEdited.\n")
    code, _, found = checked(run_cli, repo, "--changed-since", "base")
    assert code == 0 and found == []
    edit(repo / "articles" / "asthma.md", "(influenza.md)", "(influenca.md)")
    code, _, found = checked(run_cli, repo, "--changed-since", "base")
    assert code == 1 and found == ["articles/asthma.md:LNK101"]


def test_deleting_a_linked_article_reports_on_the_articles_linking_to_it(
        repo: Path, run_cli: Runner) -> None:
    git(repo, "rm", "-q", "articles/metformin.md")
    code, paths, found = checked(run_cli, repo, "--changed-since", "base")
    assert code == 1
    assert paths == {"articles/type-2-diabetes.md"}  # the one article that links to it
    assert set(found) == {"articles/type-2-diabetes.md:LNK101"}
    assert "articles/metformin.md" not in targets(repo)


def test_deletion_not_yet_staged_counts_too(repo: Path) -> None:
    (repo / "articles" / "metformin.md").unlink()
    assert targets(repo) == ["articles/type-2-diabetes.md"]


def test_a_rename_checks_the_new_name_and_the_old_name_s_linkers(repo: Path,
                                                                  run_cli: Runner) -> None:
    git(repo, "mv", "articles/metformin.md", "articles/metformin-hydrochloride.md")
    assert targets(repo) == ["articles/metformin-hydrochloride.md",
                             "articles/type-2-diabetes.md"]
    _, _, found = checked(run_cli, repo, "--changed-since", "base")
    assert "articles/type-2-diabetes.md:LNK101" in found
    assert "articles/metformin-hydrochloride.md:LNK104" in found  # nobody links to it yet
    git(repo, "commit", "-qm", "rename")
    assert targets(repo) == ["articles/metformin-hydrochloride.md",
                             "articles/type-2-diabetes.md"]


def test_renaming_a_section_checks_links_to_its_anchor(repo: Path, run_cli: Runner) -> None:
    # asthma links to ibuprofen.md#contraindications
    edit(repo / "articles" / "ibuprofen.md", "## Contraindications\n", "## Cautions\n")
    assert "articles/asthma.md" in targets(repo)
    _, _, found = checked(run_cli, repo, "--changed-since", "base")
    assert "articles/asthma.md:LNK102" in found


def test_a_deleted_image_checks_the_articles_showing_it(repo: Path, run_cli: Runner) -> None:
    git(repo, "rm", "-q", "articles/images/asthma-airway.svg")
    assert targets(repo) == ["articles/asthma.md"]
    code, _, found = checked(run_cli, repo, "--changed-since", "base")
    assert code == 1 and "articles/asthma.md:CRD103" in found


def test_changes_on_the_base_branch_after_the_fork_are_not_ours(repo: Path) -> None:
    git(repo, "checkout", "-qb", "topic")
    edit(repo / "articles" / "asthma.md", "## Overview\n", "## Overview\n\nOurs.\n")
    git(repo, "commit", "-qam", "ours")
    git(repo, "checkout", "-q", "main")
    edit(repo / "articles" / "influenza.md", "## Overview\n", "## Overview\n\nTheirs.\n")
    git(repo, "commit", "-qam", "theirs")
    git(repo, "checkout", "-q", "topic")
    assert targets(repo, "main") == ["articles/asthma.md"]  # as a pull request sees it


def test_paths_narrow_the_change(repo: Path) -> None:
    for name in ("asthma", "influenza"):
        edit(repo / "articles" / f"{name}.md", "## Overview\n", "## Overview\n\nEdit.\n")
    assert targets(repo, within=[repo / "articles" / "influenza.md"]) == [
        "articles/influenza.md"]


def test_from_a_subfolder(repo: Path, run_cli: Runner) -> None:
    edit(repo / "articles" / "asthma.md", "## Overview\n", "## Overview\n\nEdit.\n")
    result = run_cli(repo / "articles", "check", "--changed-since", "base")
    assert result.returncode == 0 and "Checked 1 file" in result.stdout


def test_not_a_git_repository(corpus_project: Path, run_cli: Runner) -> None:
    result = run_cli(corpus_project, "check", "--changed-since", "main")
    assert result.returncode == 2
    assert "needs a git repository" in result.stderr and result.stdout == ""
    with pytest.raises(ChangesError):
        changed_articles(load_config(corpus_project), "main")


@pytest.mark.parametrize("ref", ["origin/main", "no-such-branch", "--output=x", ""])
def test_unknown_reference(ref: str, repo: Path, run_cli: Runner) -> None:
    result = run_cli(repo, "check", f"--changed-since={ref}")
    assert result.returncode == 2
    assert "--changed-since" in result.stderr and result.stdout == ""
    assert not (repo / "x").exists()
