"""FMT, MED101-106, MED110 and LIC101: what the schema says, reported by `pipeline.schema`.

Each rule of the schema (`schemas/article.schema.json` by default) names its code (`x-code`);
the check here validates the article against the configured schema and reports those codes.
`--fix` puts sections in the outline's order (MED102), renames a heading that is a synonym of
the canonical one (MED106) and one that most likely names a missing required section (MED110).
"""

from __future__ import annotations

from pipeline.diagnostics import Diagnostic, Rule
from pipeline.fix import fix_heading_synonym, fix_likely_heading, fix_section_order
from pipeline.model import Article
from pipeline.rules.context import Context
from pipeline.schema import check_schema


def check(article: Article, context: Context) -> list[Diagnostic]:
    """Validate the article against the schema; every error becomes a located diagnostic."""
    return check_schema(article, context.config.schema)


RULES: tuple[Rule, ...] = (
    Rule("FMT101", "missing-field", "error", "A required front-matter field is missing.",
         "Every article needs its title, type, summary, licence, disclaimer, contributors, "
         "categories and review date.", "---\ntitle: Asthma\n---\n",
         "---\ntitle: Asthma\ntype: condition\n...\n---\n",
         check=check),
    Rule("FMT102", "invalid-value", "error", "A front-matter value is not one the schema allows.",
         "Values drive rendering and checks; a wrong one breaks both.",
         "type: disease\n", "type: condition\n",
         check=check),
    Rule("FMT103", "unknown-field", "error",
         "The front matter has a field the schema does not know.",
         "A misspelt field is silently ignored unless it is reported.",
         "titel: Asthma\n", "title: Asthma\n",
         check=check),
    Rule("FMT104", "wrong-type", "error",
         "A front-matter value has the wrong shape (text, list or mapping).",
         "A list where text is expected (or the reverse) cannot be rendered.",
         "categories: Immunology\n", "categories: [Immunology]\n",
         check=check),
    Rule("FMT105", "empty-value", "error", "A front-matter value is empty.",
         "An empty title or summary gives an empty page heading or description.",
         "summary:\n", "summary: A long-term condition of the airways.\n",
         check=check),
    Rule("FMT106", "invalid-date", "error", "`last_reviewed` is not a real date (YYYY-MM-DD).",
         "Readers rely on the review date to judge how current the advice is.",
         "last_reviewed: 2026-02-30\n", "last_reviewed: 2026-02-28\n",
         check=check),
    Rule("FMT107", "missing-disclaimer", "error",
         "The article has no disclaimer, or one the site does not define.",
         "Every medical article must tell readers it is not a substitute for professional "
         "advice.", "disclaimer: none\n", "disclaimer: medical\n",
         check=check),
    Rule("FMT108", "missing-contributors", "error",
         "The article names no contributor, or a contributor without a name.",
         "Readers must be able to see who wrote and reviewed the article.",
         "contributors: []\n", "contributors:\n  - name: A. Editor\n    credentials: MD\n",
         check=check),
    Rule("FMT109", "incomplete-image-credit", "error",
         "An image entry lacks its file, alt text, title, author, source or licence.",
         "Creative Commons licences require title, author, source and licence (TASL); alt text "
         "is needed by readers who cannot see the image.",
         "images:\n  - file: lungs.svg\n", "images:\n  - file: lungs.svg\n    title: Lungs\n"
         "    alt: Diagram of the lungs\n    author: A. Artist\n    source: Own work\n"
         "    license: CC-BY-SA-4.0\n",
         check=check),
    Rule("MED101", "required-section", "error",
         "A section required for this type of article is missing.",
         "Readers find the same information in the same place in every article of a type.",
         "## Overview\n## Symptoms\n", "## Overview\n## Causes\n## Symptoms\n",
         check=check),
    Rule("MED102", "section-order", "warning",
         "A section is out of the order the schema sets for this type of article (the order of "
         "Wikipedia's medical manual of style); `--fix` moves whole sections into that order.",
         "A fixed order makes articles predictable to read and to compare.",
         "## Treatment\n## Symptoms\n", "## Symptoms\n## Treatment\n",
         check=check, fix=fix_section_order),
    Rule("MED103", "empty-section", "error", "A section has a heading but no content.",
         "An empty section promises information the article does not give.",
         "## Causes\n## Symptoms\n", "## Causes\nGenetic variants...\n## Symptoms\n",
         check=check),
    Rule("MED104", "duplicate-section", "error", "The same section appears twice.",
         "Two sections of the same name split information and break section links.",
         "## Causes\n...\n## Causes\n", "## Causes\n...\n",
         check=check),
    Rule("MED105", "unknown-section", "warning",
         "A section is neither required nor optional for this type of article.",
         "Sections outside the schema's list make articles of one type diverge.",
         "## Random thoughts\n", "## Prognosis\n",
         check=check),
    Rule("MED106", "heading-synonym", "warning",
         "A section heading is a synonym of a canonical one; `--fix` renames it.",
         "One name per section keeps links and navigation consistent.",
         "## Signs and symptoms\n", "## Symptoms\n",
         check=check, fix=fix_heading_synonym),
    Rule("MED110", "likely-section-name", "error",
         "A heading the schema does not know most likely names a required section that is "
         "missing (\"Diagnostic approach\" for Diagnosis); `--fix` renames it.",
         "One diagnostic that names the section is clearer than an unknown section and a "
         "missing one, and the same name in every article keeps links and navigation "
         "consistent.",
         "## Diagnostic approach\n", "## Diagnosis\n",
         check=check, fix=fix_likely_heading),
    Rule("LIC101", "article-license", "error",
         "The article licence is not CC BY-SA (CC-BY-SA-3.0 or CC-BY-SA-4.0).",
         "The encyclopedia is published under CC BY-SA; every article must be too.",
         "license: CC-BY-NC-4.0\n", "license: CC-BY-SA-4.0\n",
         check=check),
)
