"""Content rules the schema cannot express, in one table.

A rule is a function from an article and the corpus it belongs to, to diagnostics. The table
pairs each function with the codes it may report; their meaning lives in the catalogue
(`pipeline.diagnostics.RULES`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pipeline.diagnostics import Diagnostic
from pipeline.model import Article
from pipeline.rules import credits, licensing, links, safety, structure, trust
from pipeline.rules.context import Context

RuleFunction = Callable[[Article, Context], Iterable[Diagnostic]]

TABLE: tuple[tuple[tuple[str, ...], RuleFunction], ...] = (
    (("MED107",), structure.text_before_first_section),
    (("MED108",), structure.level_one_heading),
    (("MED109",), structure.placeholder_text),
    (("SRC017", "SRC018"), structure.whitespace),
    (("LIC102", "LIC103"), licensing.image_license),
    (("LIC104",), licensing.license_spelling),
    (("CRD101", "CRD102", "CRD105"), credits.image_credits),
    (("CRD103", "CRD104"), credits.image_files),
    (("LNK101", "LNK102"), links.internal_links),
    (("LNK103",), links.see_also),
    (("LNK104",), links.orphan),
    (("LNK105",), links.external_links),
    (("TRS101",), trust.credentials),
    (("TRS102", "TRS103"), trust.review_date),
    (("TRS104",), trust.promotional_content),
    (("TRS105",), trust.doses),
    (("SEC101",), safety.unsafe_link_scheme),
    (("SEC102",), safety.raw_html),
    (("SEC106",), safety.markup_in_front_matter),
    (("SEC107",), safety.control_characters),
    (("SEC103", "SEC105"), safety.unsafe_images),
    (("SEC108",), safety.table_size),
)


def run_rules(article: Article, context: Context) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for codes, function in TABLE:
        if any(context.config.is_enabled(code, article.path) for code in codes):
            found.extend(function(article, context))
    return found
