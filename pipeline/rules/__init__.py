"""Content rules the schema cannot express, in one table.

A rule is a function from an article and the corpus it belongs to, to diagnostics. The table
pairs each function with the codes it may report; their meaning lives in the catalogue
(`pipeline.diagnostics.RULES`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pipeline.diagnostics import Diagnostic
from pipeline.model import Article
from pipeline.rules import structure
from pipeline.rules.context import Context

RuleFunction = Callable[[Article, Context], Iterable[Diagnostic]]

TABLE: tuple[tuple[tuple[str, ...], RuleFunction], ...] = (
    (("MED107",), structure.text_before_first_section),
    (("MED108",), structure.level_one_heading),
    (("MED109",), structure.placeholder_text),
)


def run_rules(article: Article, context: Context) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for codes, function in TABLE:
        if any(context.config.is_enabled(code, article.path) for code in codes):
            found.extend(function(article, context))
    return found
