"""Rules on the shape of the body that the schema's outline does not cover."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.diagnostics import Diagnostic, Rule, make
from pipeline.fix import fix_final_newline, fix_trailing_whitespace
from pipeline.model import Article
from pipeline.rules.context import Context

PLACEHOLDER = re.compile(r"\bTODO\b")


def placeholder_in(line: str) -> re.Match[str] | None:
    """The placeholder on a line, if any (the pattern runs only where its word is)."""
    return PLACEHOLDER.search(line) if "TODO" in line else None


def text_before_first_section(article: Article, context: Context) -> Iterator[Diagnostic]:
    """MED107: content before the first `##`; comments and a `#` heading (MED108) aside."""
    first = article.sections[0].token_start if article.sections else len(article.tokens)
    h1_lines: set[int] = set()
    for token in article.tokens[:first]:
        if token.map is None or token.type == "html_block" or token.nesting < 0:
            continue
        if token.type == "heading_open" and token.tag == "h1":
            h1_lines.update(range(token.map[0], token.map[1]))
            continue
        if token.map[0] in h1_lines:
            continue  # the text of that heading
        line = article.body_line + token.map[0]
        yield make(article.path, line, 1, "MED107", "text before the first `##` section",
                   "move it into `## Overview`, or into the front-matter summary")
        return


def level_one_heading(article: Article, context: Context) -> Iterator[Diagnostic]:
    for token in article.tokens:
        if token.type == "heading_open" and token.tag == "h1" and token.map is not None:
            line = article.body_line + token.map[0]
            yield make(article.path, line, 1, "MED108",
                       "level-one heading in the body; the title comes from the front matter",
                       "use `##` for a section or `###` for a subsection")


def placeholder_text(article: Article, context: Context) -> Iterator[Diagnostic]:
    start = article.body_line - 1
    for number, line in enumerate(article.lines, start=1):
        match = placeholder_in(line)
        if match is not None:
            where = "front matter" if number - 1 < start else "article"
            yield make(article.path, number, match.start() + 1, "MED109",
                       f"placeholder left in the {where}: {line.strip()[:80]!r}",
                       "replace the placeholder with real content")


def whitespace(article: Article, context: Context) -> Iterator[Diagnostic]:
    """SRC017/SRC018: what `--fix` would change (hard breaks and code blocks are left)."""
    from pipeline.fix import TRAILING_WHITESPACE, whitespace_problems

    if article.final_newline and article.lines and article.lines[-1] \
            and not any(line.endswith((" ", "\t")) for line in article.lines):
        return  # nothing for the fixes to change: no need to ask them
    for fix in whitespace_problems(article):
        if fix.code == TRAILING_WHITESPACE:
            line = article.lines[fix.line - 1] if fix.line <= len(article.lines) else ""
            yield make(article.path, fix.line, len(line.rstrip(" \t")) + 1, fix.code,
                       "trailing whitespace", "delete it, or run `pipeline check --fix`",
                       end_column=len(line))
        else:
            missing = "added" in fix.message
            yield make(article.path, fix.line, 1, fix.code,
                       "the file does not end with a line break" if missing
                       else "blank lines at the end of the file",
                       "end the file with exactly one line break (`pipeline check --fix`)")


RULES: tuple[Rule, ...] = (
    Rule("SRC017", "trailing-whitespace", "warning",
         "A line ends with spaces or tabs (a two-space hard line break is left alone).",
         "Invisible whitespace makes diffs noisy and reviews harder; `--fix` removes it.",
         "Asthma is common.   \n", "Asthma is common.\n",
         check=whitespace, fix=fix_trailing_whitespace),
    Rule("SRC018", "final-newline", "warning",
         "The file does not end with exactly one line break.",
         "Tools that join or diff files expect one final line break; `--fix` adds or trims.",
         "...\n- [Influenza](influenza.md)", "...\n- [Influenza](influenza.md)\n",
         check=whitespace, fix=fix_final_newline),
    Rule("MED107", "text-before-first-section", "error",
         "The body has text before its first `##` section.",
         "All content belongs to a section; the summary lives in the front matter.",
         "Asthma is common.\n## Overview\n", "## Overview\nAsthma is common.\n",
         check=text_before_first_section),
    Rule("MED108", "level-one-heading", "error",
         "The body uses a `#` level-one heading; the title comes from the front matter.",
         "A page has one title; a second one confuses readers and screen readers.",
         "# Asthma\n", "## Overview\n",
         check=level_one_heading),
    Rule("MED109", "placeholder-text", "error",
         "A placeholder left by `pipeline new` has not been replaced.",
         "Placeholders are instructions to the author, not content for readers.",
         "TODO: describe the causes.\n", "Asthma is caused by...\n",
         check=placeholder_text),
)
