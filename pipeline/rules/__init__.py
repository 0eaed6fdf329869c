"""The rule registry: every rule, one `Rule` object each, and the engine that runs them.

A rule is declared next to the code that reports it — its code, name, severity, description,
check and fix in one `Rule` (`pipeline.diagnostics.Rule`):

- `source`: SRC rules the loader reports while reading the file (no check of their own);
- `schema_rules`: FMT, MED101-106 and LIC101, reported by the schema (`x-code`);
- `codes`: COD, the classification codes (COD101 from the schema's patterns, COD102
  the check digits);
- `structure`, `licensing`, `credits`, `links`, `references`, `trust`, `safety`: rules on
  one article;
- `files`: SEC104, file names across the corpus (with the per-file SEC103/SEC104 checks);
- `suppressions`: SUP, the inline suppressions;
- `publishing`: PUB rules the publish stage reports (no check of their own).

`REGISTRY` holds them all by code, in catalogue order (by family, as `FAMILIES` lists them,
then by code). `run_rules` runs each article check once when any of its codes is enabled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pipeline.diagnostics import FAMILIES, Diagnostic, Rule
from pipeline.model import Article
from pipeline.rules import codes as code_rules
from pipeline.rules import (
    credits,
    files,
    licensing,
    links,
    publishing,
    references,
    safety,
    schema_rules,
    source,
    structure,
    suppressions,
    trust,
)
from pipeline.rules.context import Context

RuleFunction = Callable[[Article, Context], Iterable[Diagnostic]]

_MODULES = (source, schema_rules, code_rules, structure, licensing, credits, links, references,
            trust, safety, files, suppressions, publishing)


def _catalogue(rules: Iterable[Rule]) -> dict[str, Rule]:
    families = list(FAMILIES)
    ordered = sorted(rules, key=lambda rule: (families.index(rule.family), rule.code))
    registry: dict[str, Rule] = {}
    for rule in ordered:
        if rule.code in registry:
            raise ValueError(f"rule {rule.code} is declared twice")
        registry[rule.code] = rule
    return registry


REGISTRY: dict[str, Rule] = _catalogue(rule for module in _MODULES for rule in module.RULES)
RULES: tuple[Rule, ...] = tuple(REGISTRY.values())
RULES_BY_CODE = REGISTRY


def _article_checks() -> tuple[tuple[tuple[str, ...], RuleFunction], ...]:
    """Each distinct article check with the codes it reports, in catalogue order."""
    codes: dict[RuleFunction, list[str]] = {}
    for rule in RULES:
        if rule.check is not None and rule.scope == "article":
            codes.setdefault(rule.check, []).append(rule.code)
    return tuple((tuple(found), function) for function, found in codes.items())


TABLE = _article_checks()


def run_rules(article: Article, context: Context) -> list[Diagnostic]:
    """Every article check (the schema included) whose codes are not all disabled."""
    found: list[Diagnostic] = []
    for codes, function in TABLE:
        if any(context.config.is_enabled(code, article.path) for code in codes):
            found.extend(function(article, context))
    return found
