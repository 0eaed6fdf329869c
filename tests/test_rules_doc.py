"""docs/rules.md is generated from the rule catalogue, and kept up to date (CI runs this)."""

from __future__ import annotations

from pipeline.diagnostics import RULES
from pipeline.rules_doc import rules_markdown
from tests.conftest import REPO, Runner

DOC = REPO / "docs" / "rules.md"


def test_docs_rules_md_matches_the_catalogue() -> None:
    assert DOC.is_file(), "docs/rules.md is missing: run `pipeline rules --format markdown`"
    assert DOC.read_text(encoding="utf-8") == rules_markdown(), (
        "docs/rules.md is out of date: run "
        "`pipeline rules --format markdown > docs/rules.md` and commit it")


def test_the_cli_prints_the_same_text(run_cli: Runner) -> None:
    done = run_cli(REPO, "rules", "--format", "markdown")
    assert done.returncode == 0, done.stderr
    assert done.stdout == rules_markdown()


def test_every_rule_has_a_section() -> None:
    text = rules_markdown()
    for rule in RULES:
        assert f"### {rule.code} `{rule.name}`" in text or rule.family not in text, rule.code


def test_the_reference_says_where_images_live_and_how_to_suppress() -> None:
    text = rules_markdown()
    assert "## Where images live" in text and "`articles/images/`" in text
    assert "## Suppressing a rule in one place" in text
    assert '<!-- pipeline: ignore CODE reason="why" -->' in text
