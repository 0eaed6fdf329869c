"""`pipeline new`: a new article's skeleton, generated from the schema.

The sections, their order and the guidance under each heading come from the schema's
`sectionOutline` for the chosen type, so changing the schema changes the skeleton. Every
placeholder starts with `TODO:` on a line of its own: the checker reports each one (MED109)
until the author replaces it, and nothing else.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.config import Config, ConfigError, today
from pipeline.fsio import create_exclusively, display_path
from pipeline.names import SLUG, slugify
from pipeline.schema import Schema, load_schema, outlines

PLACEHOLDER = "TODO:"
LICENSE = "CC-BY-SA-4.0"
MAX_TITLE = 120
REFERENCES_TITLE = "References"
# Appended to each prose placeholder: how to cite a source listed under `references:`.
CITE_HINT = "Cite each source where it is used as `[@id]`, with an id from `references:`."
# A commented CSL YAML entry in the front matter: what `references:` looks like, for the
# author to uncomment and fill in (Zotero: Better BibTeX -> CSL YAML; or Pandoc).
REFERENCES_EXAMPLE = (
    "# references:            # the sources you cite in the body as [@id] (CSL YAML)",
    "#   - id: smith2020",
    "#     type: article-journal",
    "#     title: Title of the review or guideline",
    "#     author: [{family: Smith, given: J}]",
    "#     container-title: Name of the journal",
    "#     issued: \"2020\"",
    "#     DOI: 10.xxxx/xxxxx",
    "#     PMID: \"12345678\"",
)

# Letters that Unicode decomposition does not reduce to ASCII.
# A list item shown as an example in the guidance (`- [Title](slug.md)`): a list section.
_LIST_EXAMPLE = re.compile(r"`\s*[-*+]\s")
# Plain YAML scalars that are safe to leave unquoted: words, digits and mild punctuation.
_PLAIN = re.compile(r"[^\W_][\w .,()'\u2019/+-]*", re.UNICODE)
_TODO = re.compile(r"\bTODO\b")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


class NewArticleError(Exception):
    """The request cannot be carried out; `exit_code` says why (1 refused, 2 usage)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class NewArticle:
    path: Path
    slug: str
    kind: str
    sections: tuple[str, ...]
    placeholders: int


def review_date(environ: Mapping[str, str] | None = None) -> date:
    """Today, or the date of SOURCE_DATE_EPOCH (UTC) for reproducible output."""
    try:
        return today(environ)
    except ConfigError as error:
        raise NewArticleError(str(error), 2) from error


def yaml_text(value: str) -> str:
    """A YAML scalar for `value`: plain when unambiguous, else double-quoted (JSON syntax)."""
    if (_PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS
            and not value[0].isdigit()):
        return value
    return json.dumps(value, ensure_ascii=False)


def skeleton(title: str, kind: str, schema: Schema, reviewed: date) -> str:
    """The text of a new article of type `kind`: front matter, then the required sections."""
    outline = outlines(schema)[kind]
    front = [
        "---",
        f"title: {yaml_text(title)}",
        f"type: {kind}",
        f"summary: {json.dumps(_summary_placeholder(schema), ensure_ascii=False)}",
        f"license: {LICENSE}",
        f"disclaimer: {_disclaimer(schema, kind)}",
        "contributors:",
        f'  - name: "{PLACEHOLDER} your name"',
        "categories: [TODO]",
        f'last_reviewed: "{reviewed.isoformat()}"',
        *REFERENCES_EXAMPLE,
        "---",
    ]
    body: list[str] = []
    for entry in outline:
        if not entry.get("required"):
            continue
        body.extend(_section(entry, cite=not body))
    # References is optional in the outline and its list is generated from `references:`,
    # so it is added explicitly, last and empty (after See Also and any Notes).
    if any(str(entry["title"]) == REFERENCES_TITLE for entry in outline):
        body.extend([f"## {REFERENCES_TITLE}", ""])
    return "\n".join(front + body).rstrip("\n") + "\n"


def _disclaimer(schema: Schema, kind: str) -> str:
    """The disclaimer the type's outline names (`x-disclaimer`), else the medical one."""
    sub = schema.get("$defs", {}).get("outline", {}).get(kind, {})
    value = sub.get("x-disclaimer") if isinstance(sub, dict) else None
    return yaml_text(value) if isinstance(value, str) and value else "medical"


def _summary_placeholder(schema: Schema) -> str:
    """`TODO:` and what the schema says a summary is, within the summary's length limits."""
    summary: dict[str, Any] = (schema.get("$defs", {}).get("front_matter", {})
                               .get("properties", {}).get("summary", {}))
    text = f"{PLACEHOLDER} {_one_line(summary.get('description', ''))}".rstrip()
    low, high = int(summary.get("minLength", 0)), int(summary.get("maxLength", 300))
    if not low <= len(text) <= high or text == PLACEHOLDER:
        text = f"{PLACEHOLDER} one plain sentence that says what the subject is."
    return text


def _section(entry: dict[str, Any], cite: bool = False) -> list[str]:
    title = _one_line(str(entry["title"]))
    guidance = _one_line(str(entry.get("guidance") or "write this section."))
    marker = "- " if _LIST_EXAMPLE.search(guidance) else ""
    hint = f" {CITE_HINT}" if cite and not marker else ""
    return [f"## {title}", "", f"{marker}{PLACEHOLDER} {guidance}{hint}", ""]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def create(config: Config, title: str, kind: str | None, slug: str | None,
           environ: dict[str, str] | os._Environ[str] = os.environ) -> NewArticle:
    """Write `articles/<slug>.md` for a new article; never overwrites an existing file."""
    schema = load_schema(config.schema)
    kinds = list(outlines(schema))
    title = _one_line(title)
    if kind is None or kind not in kinds:
        given = "no --type given" if kind is None else f"unknown type {kind!r}"
        raise NewArticleError(f"{given}; choose one of: {', '.join(kinds)}", 2)
    if not title:
        raise NewArticleError("the title is empty", 2)
    if len(title) > MAX_TITLE:
        raise NewArticleError(f"the title is {len(title)} characters long; the limit is "
                              f"{MAX_TITLE}", 2)
    slug = slug if slug is not None else slugify(title)
    if not slug:
        raise NewArticleError(f"cannot make a file name from the title {title!r}; "
                              "give one with --slug, e.g. --slug my-article", 2)
    if not SLUG.fullmatch(slug):
        raise NewArticleError(f"--slug {slug!r} is not lower-case words and digits joined by "
                              f"hyphens; try --slug {slugify(slug) or 'my-article'}", 2)
    text = skeleton(title, kind, schema, review_date(environ))
    path = config.articles / f"{slug}.md"
    _write_new(path, text.encode("utf-8"))
    sections = tuple(str(e["title"]) for e in outlines(schema)[kind] if e.get("required"))
    placeholders = sum(1 for line in text.splitlines() if _TODO.search(line))
    return NewArticle(path, slug, kind, sections, placeholders)


def _write_new(path: Path, data: bytes) -> None:
    """Create `path` with `data` atomically, refusing if it exists."""
    try:
        create_exclusively(path, data)
    except FileExistsError as error:
        raise NewArticleError(f"{display_path(path)} already exists; edit it, or choose another "
                              "name with --slug", 1) from error
