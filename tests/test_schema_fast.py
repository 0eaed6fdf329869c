"""jsonschema-rs passes valid articles quickly; jsonschema stays the reference.

The two must agree on every article the suite knows: the bundled corpus, every fixture
case, and variants of a bundled article with each field removed or broken.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.config import Limits
from pipeline.load import load_file
from pipeline.schema import _fast_validator, _validator, document_instance, load_schema
from tests.conftest import ARTICLES, SCHEMA

FIXTURES = Path(__file__).parent / "fixtures"
FILES = sorted(ARTICLES.glob("*.md")) + sorted(FIXTURES.glob("*/articles/*.md"))
# Files that do not load never reach the schema: the comparison is about the others.
LOADABLE = [p for p in FILES if load_file(p, p.name, Limits()).article is not None]


def verdicts(instance: dict[str, Any]) -> tuple[bool, bool]:
    reference = not any(True for _ in _validator(SCHEMA).iter_errors(instance))
    fast = _fast_validator(SCHEMA, id(load_schema(SCHEMA)))
    assert fast is not None, "jsonschema-rs is a dependency"
    return reference, bool(fast.is_valid(instance))


@pytest.mark.parametrize("path", LOADABLE, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_both_validators_agree_on_every_known_article(path: Path) -> None:
    article = load_file(path, path.name, Limits()).article
    assert article is not None
    reference, fast = verdicts(document_instance(article))
    assert reference == fast


def test_the_known_articles_include_invalid_ones() -> None:
    invalid = [p for p in LOADABLE if not verdicts(document_instance(
        load_file(p, p.name, Limits()).article))[0]]  # type: ignore[arg-type]
    assert len(invalid) >= 25


def test_both_validators_agree_on_broken_variants() -> None:
    article = load_file(ARTICLES / "asthma.md", "asthma.md", Limits()).article
    assert article is not None
    base = document_instance(article)
    variants: list[dict[str, Any]] = []
    for key in base["front_matter"]:
        removed = {k: v for k, v in base["front_matter"].items() if k != key}
        variants.append({**base, "front_matter": removed})
        for value in (None, "", [], {}, "CC-BY-NC-4.0", "2026-02-30", ["x"], 3):
            variants.append({**base, "front_matter": {**base["front_matter"], key: value}})
    sections = base["body"]["sections"]
    for index in range(len(sections)):
        variants.append({**base, "body": {"sections": sections[:index] + sections[index + 1:]}})
        variants.append({**base, "body": {"sections": list(reversed(sections))}})
        empty = [dict(s, empty=True) if i == index else s for i, s in enumerate(sections)]
        variants.append({**base, "body": {"sections": empty}})
    outcomes = [verdicts(v) for v in variants]
    assert all(reference == fast for reference, fast in outcomes)
    assert sum(1 for reference, _ in outcomes if not reference) > len(variants) // 2
