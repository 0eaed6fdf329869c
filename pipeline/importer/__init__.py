"""`pipeline import`: MediaWiki pages (wikitext files, XML exports, saved WikiMD pages) →
draft articles in the articles folder, never overwriting one; a report per page.

Everything is read and converted first; files are written only when every page converted
and no target exists, so bad input writes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.fsio import create_exclusively, display_path
from pipeline.importer.convert import Draft, Report, convert
from pipeline.importer.sources import ImportFailure, Page, read_sources
from pipeline.names import SLUG, slugify
from pipeline.schema import load_schema, outlines

__all__ = ["ImportFailure", "ImportResult", "Report", "format_report", "import_pages"]


@dataclass
class ImportResult:
    drafts: list[Draft] = field(default_factory=list)

    @property
    def reports(self) -> list[Report]:
        return [draft.report for draft in self.drafts]


def import_pages(config: Config, sources: list[Path], kind: str | None = None,
                 out: Path | None = None, source_url: str | None = None) -> ImportResult:
    """Convert every page of `sources` and write one draft per page into `out` (default:
    the articles folder). ImportFailure (and nothing written) when any source is bad."""
    schema_outlines = outlines(load_schema(config.schema))
    if kind is not None and kind not in schema_outlines:
        raise ImportFailure(f"unknown type {kind!r}; choose one of: "
                            f"{', '.join(schema_outlines)}", 2)
    if not sources:
        raise ImportFailure("no SOURCE given", 2)
    if source_url is not None and not source_url.startswith(("https://", "http://")):
        raise ImportFailure(f"--source-url {source_url!r} is not a web address", 2)
    folder = (out or config.articles)
    folder = folder if folder.is_absolute() else config.root / folder
    existing = frozenset(p.name[:-3] for p in folder.glob("*.md")) if folder.is_dir() \
        else frozenset()
    pages = list(read_sources(list(sources), config.limits.max_file_bytes, source_url))
    if source_url is not None and len(pages) > 1:
        raise ImportFailure("--source-url names one page, but the sources hold "
                            f"{len(pages)}; import them one at a time", 2)
    slugs = [_slug(page, folder) for page in pages]
    known = existing | frozenset(slugs)
    result = ImportResult()
    seen: set[str] = set()
    for page, slug in zip(pages, slugs, strict=True):
        if slug in seen:
            raise ImportFailure(f"two pages would both be {slug}.md ({page.title!r}); "
                                "import them separately")
        seen.add(slug)
        target = folder / f"{slug}.md"
        if target.exists() or target.is_symlink():
            raise ImportFailure(f"{display_path(target)} already exists; nothing imported "
                                "(move it away, or import into another --out folder)")
        draft = convert(page, schema_outlines, kind, known - {slug}, slug,
                        config.limits.max_table_columns)
        draft.report.path = display_path(target)
        data = draft.text.encode("utf-8")
        if len(data) > config.limits.max_file_bytes:
            raise ImportFailure(f"{page.title!r}: the draft would be {len(data)} bytes, more "
                                "than max_file_bytes; nothing imported")
        result.drafts.append(draft)
    for draft in result.drafts:
        try:
            create_exclusively(folder / f"{draft.slug}.md", draft.text.encode("utf-8"))
        except FileExistsError as error:
            raise ImportFailure(f"{draft.report.path} appeared while importing; "
                                "stopped") from error
    return result


def _slug(page: Page, folder: Path) -> str:
    title = page.title.strip()
    if not title or "/" in title or "\\" in title or title.startswith((".", "~")) or \
            ".." in title or Path(title).is_absolute() or "\x00" in title:
        raise ImportFailure(f"page title {title!r} is not a plain article name (a path, "
                            "'..' or empty); nothing imported")
    slug = slugify(title)
    if not slug or not SLUG.fullmatch(slug):
        raise ImportFailure(f"cannot make a file name from the page title {title!r}")
    target = (folder / f"{slug}.md").resolve()
    if target.parent != folder.resolve():
        raise ImportFailure(f"page title {title!r} would write outside {folder}")
    return slug


def format_report(result: ImportResult, fmt: str) -> str:
    if fmt == "json":
        import json

        document: dict[str, Any] = {"version": 1,
                                    "pages": [r.as_json() for r in result.reports]}
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    lines: list[str] = []
    for report in result.reports:
        lines.append(f"{report.path}: imported {report.title!r} as a {report.kind}")
        for source, target in report.sections:
            lines.append(f"  section {source!r} -> {target}")
        lines.append(f"  references: {report.references} kept "
                     f"({report.merged_references} duplicates merged by DOI/PMID/name)")
        if report.codes:
            lines.append("  codes: " + "; ".join(f"{k} {', '.join(v)}"
                                                 for k, v in report.codes.items()))
        if report.templates_dropped:
            lines.append("  templates dropped: " + ", ".join(sorted(set(
                report.templates_dropped))))
        if report.red_links:
            lines.append("  red links (plain text now): " + ", ".join(sorted(set(
                report.red_links))))
        for image in report.images:
            lines.append(f"  image needs its file and credit: images/{image}")
        for table in report.tables_left_out:
            lines.append(f"  table left out: {table}")
        for note in report.notes:
            lines.append(f"  {note}")
        for todo in report.todo:
            lines.append(f"  TODO for an editor: {todo}")
    count = len(result.drafts)
    lines.append(f"Imported {count} page{'s' if count != 1 else ''}; run `pipeline check` "
                 "and replace every TODO.")
    return "\n".join(lines) + "\n"
