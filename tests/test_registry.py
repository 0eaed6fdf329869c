"""The rule registry: one `Rule` per code, every check run by the engine, every fix reachable."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import pipeline.rules
from pipeline import diagnostics, fix
from pipeline.check import check_paths
from pipeline.config import load_config
from pipeline.diagnostics import FAMILIES, Diagnostic
from pipeline.load import load_file
from pipeline.rules import REGISTRY, RULES, TABLE, files, run_rules, suppressions
from pipeline.rules.context import Context, Corpus
from tests.conftest import write_pyproject

FIXTURES = Path(__file__).parent / "fixtures"
RULES_DOC = Path(__file__).parent.parent / "docs" / "rules.md"


def _fixture_codes() -> dict[str, str]:
    """Each code some fixture expects, with the first such fixture (by name)."""
    found: dict[str, str] = {}
    for expected in sorted(FIXTURES.glob("*/expected.txt")):
        for line in expected.read_text(encoding="utf-8").splitlines():
            match = re.search(r": ([A-Z]+[0-9]+)$", line.split("#", 1)[0].strip())
            if match:
                found.setdefault(match.group(1), expected.parent.name)
    return found


def test_every_catalogued_code_has_exactly_one_rule_object() -> None:
    declared = [rule for module in pipeline.rules._MODULES for rule in module.RULES]
    codes = [rule.code for rule in declared]
    assert len(codes) == len(set(codes)), sorted({c for c in codes if codes.count(c) > 1})
    assert set(codes) == set(REGISTRY)
    assert all(REGISTRY[rule.code] is rule for rule in declared)
    documented = re.findall(r"^\| ([A-Z]+[0-9]+) \|", RULES_DOC.read_text(encoding="utf-8"),
                            re.MULTILINE)
    assert documented == list(REGISTRY)  # the catalogue order of the rules reference
    families = list(FAMILIES)
    assert list(REGISTRY) == sorted(REGISTRY, key=lambda c: (
        families.index(REGISTRY[c].family), c))
    # the old homes still answer, with the same objects
    assert diagnostics.RULES_BY_CODE is REGISTRY
    assert diagnostics.RULES == RULES
    assert diagnostics.make("x.md", 1, 1, "LNK101", "m").name == REGISTRY["LNK101"].name


def test_every_article_check_is_run_by_the_engine(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    article_rules = [rule for rule in RULES if rule.check is not None
                     and rule.scope == "article"]
    table = {function: codes for codes, function in TABLE}
    for rule in article_rules:
        assert rule.check in table and rule.code in table[rule.check], rule.code
    assert len(TABLE) == len({rule.check for rule in article_rules})  # each check once

    called: list[Any] = []

    def spy(function: Any) -> Any:
        def run(article: Any, context: Any) -> Iterator[Diagnostic]:
            called.append(function)
            return iter(())
        return run

    monkeypatch.setattr(pipeline.rules, "TABLE",
                        tuple((codes, spy(function)) for codes, function in TABLE))
    shutil.copytree(FIXTURES / "valid-pair" / "articles", tmp_path / "articles")
    write_pyproject(tmp_path)
    monkeypatch.chdir(tmp_path)
    config = load_config(tmp_path)
    context = Context(config=config, corpus=Corpus(config))
    loaded = load_file(tmp_path / "articles" / "asthma.md", "articles/asthma.md",
                       config.limits).article
    assert loaded is not None
    run_rules(loaded, context)
    assert called == [function for _, function in TABLE]
    # the checks that are not per article are the ones pipeline.check runs
    by_scope = {rule.code: rule for rule in RULES if rule.scope != "article"}
    assert by_scope["SEC104"].check is files.name_collisions
    assert all(by_scope[code].check is suppressions.apply
               for code in ("SUP101", "SUP102", "SUP103"))


CHECKED_BY_FIXTURE = sorted(set(_fixture_codes()) & {
    rule.code for rule in RULES if rule.check is not None and rule.scope == "article"})


def test_fixtures_cover_most_article_checks() -> None:
    # SEC103 and SEC105-SEC108 are covered by tests/security instead of fixtures
    assert len(CHECKED_BY_FIXTURE) >= 40


@pytest.mark.parametrize("code", CHECKED_BY_FIXTURE)
def test_a_fixture_yields_each_checked_code(code: str, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    case = FIXTURES / _fixture_codes()[code]
    shutil.copytree(case / "articles", tmp_path / "articles", symlinks=True)
    extra = (case / "config.toml").read_text(encoding="utf-8") if (
        case / "config.toml").is_file() else ""
    write_pyproject(tmp_path, extra)
    monkeypatch.chdir(tmp_path)
    assert code in {d.code for d in check_paths(load_config(tmp_path)).diagnostics}


def test_every_fixable_rule_has_its_fix() -> None:
    fixable = {rule.code: rule.fix for rule in RULES if rule.fix is not None}
    assert fixable == {
        "SRC017": fix.fix_trailing_whitespace, "SRC018": fix.fix_final_newline,
        "MED106": fix.fix_heading_synonym, "LIC104": fix.fix_license_spelling,
        "MED102": fix.fix_section_order, "MED110": fix.fix_likely_heading,
    }
    # the rules whose description promises `--fix` are exactly the fixable ones
    promised = {rule.code for rule in RULES if "--fix" in rule.summary + rule.why}
    assert promised <= set(fixable)
    assert fix.rule_fixes() == list(dict.fromkeys(fixable.values()))
