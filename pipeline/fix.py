"""`pipeline check --fix`: the safe fixes, as byte-exact edits of the article files.

A fix changes only what it names: a licence spelling becomes its SPDX id (LIC104), a section
heading that is a synonym becomes the canonical heading of the schema's outline (MED106), and
so does a heading that most likely names a missing required section (MED110), whole sections
move into the outline's order (MED102), trailing spaces and tabs go (SRC017), and the file
ends with exactly one line break (SRC018).
Everything else — line endings (CRLF stays CRLF), a byte-order mark, quoting, comments —
is kept byte for byte. A second run finds nothing to do.

Whitespace that means something is left alone: two trailing spaces that make a Markdown hard
line break, code blocks, raw HTML blocks, and YAML block scalars (`|`, `>`). A heading is not
renamed when that would break a link to its anchor, or duplicate a heading already present.
A section moves whole, from its `##` heading (and the comments just above it, such as a
suppression) to its last non-blank line; the blank lines between sections, the text before the
first section and the footnote definitions after the last one stay where they are. A section
the outline does not know moves with the known section before it.
Files are written atomically (a temporary file in the same folder, then `os.replace`).

Each fix belongs to its rule: `Rule.fix` in the registry (`pipeline.rules.REGISTRY`) is one of
the `FixFunction`s below, and `fix_bytes` applies the fix of every rule that has one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.config import Config
from pipeline.fsio import display_path, read_regular_file, read_texts, write_atomically
from pipeline.load import article_files, load_bytes
from pipeline.model import Article, FieldPath
from pipeline.names import anchor_of, slug_of
from pipeline.schema import heading_aliases, likely_headings, load_schema, outlines

LICENSE_SPELLING = "LIC104"
SECTION_ORDER = "MED102"
HEADING_SYNONYM = "MED106"
LIKELY_HEADING = "MED110"
TRAILING_WHITESPACE = "SRC017"
FINAL_NEWLINE = "SRC018"

_BOM = b"\xef\xbb\xbf"
_BREAK = re.compile(r"(\r\n|\r|\n)")
_HEADING = re.compile(r"^(?P<lead> {0,3}##[ \t]+)(?P<title>.*?)(?P<tail>(?:[ \t]+#+)?[ \t]*)$")
_TRAILING = re.compile(r"[ \t]+$")
_COMMENT_LINE = re.compile(r"^ {0,3}<!--.*-->[ \t]*$")
_FOOTNOTE_DEFINITION = re.compile(r"^ {0,3}\[\^[^\]\s]+\]:")
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_UNTOUCHABLE_BLOCKS = frozenset({"fence", "code_block", "html_block"})


@dataclass(frozen=True)
class Fix:
    """One change made to one line of one file."""

    path: str
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: fixed {self.code} {self.message}"


@dataclass
class FixResult:
    fixes: list[Fix] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # files that could not be written

    @property
    def files(self) -> int:
        return len({fix.path for fix in self.fixes})


@dataclass
class _Line:
    text: str  # without its line break
    end: str  # "\r\n", "\n", "\r", or "" for a last line without one


# -- entry points ------------------------------------------------------------------------------


def fix_paths(config: Config, paths: Iterable[Path]) -> FixResult:
    """Apply the safe fixes to each file, writing only the files that change."""
    outline = _synonyms(config)
    links = _LinkIndex(config)
    result = FixResult()
    for path in paths:
        if path.is_symlink() or not path.is_file():
            continue  # a link is fixed where it points, by whoever owns that file
        display = display_path(path)
        try:  # a regular file, at most the size limit: never a FIFO or /dev/zero
            data = read_regular_file(path, config.limits.max_file_bytes)
        except OSError as error:
            result.problems.append(f"{display}: cannot read: {error.strerror or error}")
            continue
        if len(data) > config.limits.max_file_bytes:
            continue
        fixed, fixes = fix_bytes(data, display, slug_of(path), config, outline, links)
        if not fixes:
            continue
        try:
            write_atomically(path, fixed)
        except OSError as error:
            result.problems.append(f"{display}: cannot write: {error.strerror or error}")
            continue
        result.fixes.extend(fixes)
    return result


def fix_bytes(data: bytes, display: str, slug: str, config: Config,
              synonyms: dict[str, dict[str, str]], links: _LinkIndex | None = None
              ) -> tuple[bytes, list[Fix]]:
    """The fixed bytes of one file and the fixes made; `data` itself when nothing changes."""
    bom = _BOM if data.startswith(_BOM) else b""
    try:
        text = data[len(bom):].decode("utf-8")
    except UnicodeDecodeError:
        return data, []  # the checker reports SRC002; nothing here can be fixed safely
    lines = split_lines(text)
    if not lines:
        return data, []
    loaded = load_bytes(data, display, slug, config.limits)
    context = FixContext(display, synonyms, links or _LinkIndex(config),
                         outlines(load_schema(config.schema)), tuple(lines))
    fixes: list[Fix] = []
    for fix in rule_fixes():
        fixes += fix(loaded.article, lines, context)
    if not fixes:
        return data, []
    fixed = bom + "".join(line.text + line.end for line in lines).encode("utf-8")
    return fixed, sorted(fixes, key=lambda f: (f.line, f.code))


@dataclass(frozen=True)
class FixContext:
    """What a fix may need besides the article and its lines."""

    display: str  # the file as diagnostics name it
    synonyms: dict[str, dict[str, str]]  # article type -> heading -> canonical heading
    links: _LinkIndex  # anchors other articles link to
    outlines: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # type -> outline
    # the file's lines as read, by line number - 1: a line moved by one fix (MED102) is
    # still found by the line number the article gives it
    originals: tuple[_Line, ...] = ()

    def line(self, lines: list[_Line], number: int) -> _Line:
        """Line `number` of the file as read, wherever a fix has moved it since."""
        return self.originals[number - 1] if self.originals else lines[number - 1]


# A fix edits `lines` in place and returns what it changed; `article` is None when the file
# does not load (only fixes that need no article can then apply).
FixFunction = Callable[[Article | None, list["_Line"], FixContext], list[Fix]]


def rule_fixes() -> list[FixFunction]:
    """The fix of every rule that has one, in catalogue order, each once."""
    from pipeline.rules import RULES  # the rules modules name the fixes defined here

    found: list[FixFunction] = []
    for rule in RULES:
        if rule.fix is not None and rule.fix not in found:
            found.append(rule.fix)
    return found


def fix_license_spelling(article: Article | None, lines: list[_Line], context: FixContext
                         ) -> list[Fix]:
    """LIC104: a licence spelling becomes its SPDX id."""
    return [] if article is None else _fix_licences(article, lines)


def fix_heading_synonym(article: Article | None, lines: list[_Line], context: FixContext
                        ) -> list[Fix]:
    """MED106: a heading that is a synonym becomes the canonical heading."""
    if article is None:
        return []
    table = context.synonyms.get(article.type) or heading_aliases(
        context.outlines.get(article.type, []))
    renames = {index: table[section.title.lower()] for index, section
               in enumerate(article.sections) if section.title.lower() in table}
    return _fix_headings(article, lines, context, renames, HEADING_SYNONYM)


def fix_likely_heading(article: Article | None, lines: list[_Line], context: FixContext
                       ) -> list[Fix]:
    """MED110: a heading that most likely names a missing required section becomes its name."""
    if article is None or article.type not in context.outlines:
        return []
    renames = likely_headings(context.outlines[article.type],
                              [section.title for section in article.sections])
    return _fix_headings(article, lines, context, renames, LIKELY_HEADING)


def fix_section_order(article: Article | None, lines: list[_Line], context: FixContext
                      ) -> list[Fix]:
    """MED102: whole sections move into the order of the type's outline."""
    if article is None or article.type not in context.outlines:
        return []
    return _fix_order(article, lines, context, context.outlines[article.type])


def fix_trailing_whitespace(article: Article | None, lines: list[_Line], context: FixContext
                            ) -> list[Fix]:
    """SRC017: trailing spaces and tabs go, unless they are content (hard breaks, code)."""
    return [] if article is None else _fix_trailing_whitespace(article, lines)


def fix_final_newline(article: Article | None, lines: list[_Line], context: FixContext
                      ) -> list[Fix]:
    """SRC018: the file ends with exactly one line break (even when it does not load)."""
    return _fix_final_newline(lines, context.display, article)


def split_lines(text: str) -> list[_Line]:
    """Lines with their own line breaks, as the loader counts them (CRLF, CR or LF)."""
    parts = _BREAK.split(text)
    lines = [_Line(parts[i], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]
    if parts[-1]:
        lines.append(_Line(parts[-1], ""))
    return lines


# -- licences ----------------------------------------------------------------------------------


def _licence_fields(article: Article) -> list[tuple[FieldPath, str]]:
    fields: list[tuple[FieldPath, str]] = []
    front = article.front_matter
    if isinstance(front.get("license"), str):
        fields.append((("license",), front["license"]))
    images = front.get("images")
    if isinstance(images, list):
        for index, image in enumerate(images):
            if isinstance(image, dict) and isinstance(image.get("license"), str):
                fields.append((("images", index, "license"), image["license"]))
    return fields


def _spdx(text: str) -> str | None:
    """The SPDX id (or `OR` of ids) of a licence spelling, as the LIC104 rule reads it."""
    from pipeline import licenses

    normalise = getattr(licenses, "normalise_expression", licenses.normalise)
    result: str | None = normalise(text)
    return result


def _fix_licences(article: Article, lines: list[_Line]) -> list[Fix]:
    fixes = []
    for path, value in _licence_fields(article):
        spdx = _spdx(value)
        if spdx is None or spdx == value.strip():
            continue
        span = article.source_map.values.get(path)
        if span is None or span.line != span.end_line or span.line > len(lines):
            continue  # a value over several lines: left for the author
        line = lines[span.line - 1]
        start, end = span.column - 1, span.end_column
        raw = line.text[start:end]
        replacement = _requoted(raw, value, spdx)
        if replacement is None:
            continue
        line.text = line.text[:start] + replacement + line.text[end:]
        where = "licence" if len(path) == 1 else f"image {int(path[1]) + 1}'s licence"
        fixes.append(Fix(article.path, span.line, LICENSE_SPELLING,
                         f"{where} {value!r} → {spdx}"))
    return fixes


def _requoted(raw: str, value: str, spdx: str) -> str | None:
    """`spdx` written as `raw` was (plain, 'single' or "double" quoted); None if unsure."""
    if raw == value:
        return spdx
    if len(raw) >= 2 and raw[0] == raw[-1] == "'" and raw[1:-1].replace("''", "'") == value:
        return f"'{spdx}'"
    if len(raw) >= 2 and raw[0] == raw[-1] == '"' and "\\" not in raw and raw[1:-1] == value:
        return f'"{spdx}"'
    return None


# -- headings ----------------------------------------------------------------------------------


def _synonyms(config: Config) -> dict[str, dict[str, str]]:
    """Article type → lower-case heading (canonical or synonym) → canonical heading."""
    result: dict[str, dict[str, str]] = {}
    for kind, outline in outlines(load_schema(config.schema)).items():
        table = {str(entry["title"]).lower(): str(entry["title"]) for entry in outline}
        for entry in outline:
            for synonym in entry.get("synonyms", []):
                table.setdefault(str(synonym).lower(), str(entry["title"]))
        result[kind] = table
    return result


class _LinkIndex:
    """Which anchors other articles link to (`slug.md#anchor`), read from the raw files."""

    def __init__(self, config: Config) -> None:
        self.folder = config.articles
        self.limit = config.limits.max_file_bytes
        self._texts: dict[Path, str] | None = None

    def texts(self) -> dict[Path, str]:
        if self._texts is None:
            self._texts = read_texts(article_files(self.folder), self.limit)
        return self._texts

    def linked(self, slug: str, anchor: str) -> bool:
        needle = re.compile(rf"(?<![a-z0-9-]){re.escape(slug)}\.md#{re.escape(anchor)}"
                            r"(?![\w-])")
        return any(needle.search(text) for path, text in self.texts().items()
                   if slug_of(path) != slug)


def _fix_headings(article: Article, lines: list[_Line], context: FixContext,
                  renames: dict[int, str], code: str) -> list[Fix]:
    """Rename the headings of the sections `renames` names (section index → new title)."""
    present = {section.title for section in article.sections}
    taken: set[str] = set()
    own_text = "\n".join(article.lines)
    fixes = []
    for index, section in enumerate(article.sections):
        canonical = renames.get(index)
        if canonical is None or canonical == section.title:
            continue
        if canonical in present or canonical in taken:
            continue  # renaming would make two sections of one name (MED104)
        anchor = anchor_of(section.title)
        if anchor != anchor_of(canonical) and (
                re.search(rf"\]\(#{re.escape(anchor)}\)", own_text)
                or context.links.linked(article.slug, anchor)):
            continue  # renaming would break a link to the section: left for the author
        line = context.line(lines, section.line)
        match = _HEADING.match(line.text)
        if match is None or match.group("title") != section.title:
            continue  # a setext heading, or markup in the title: left for the author
        line.text = f"{match.group('lead')}{canonical}{match.group('tail')}"
        taken.add(canonical)
        fixes.append(Fix(article.path, section.line, code,
                         f"heading {section.title!r} → {canonical!r}"))
    return fixes


# -- section order -----------------------------------------------------------------------------


def _fix_order(article: Article, lines: list[_Line], context: FixContext,
               outline: list[dict[str, Any]]) -> list[Fix]:
    """Move whole sections into the outline's order (a stable sort: sections of one rank, and
    the unknown sections after each, keep their order). The blank lines between sections stay
    where they were, so the sections keep their spacing."""
    sections = article.sections
    ranks = _ranks(outline, [section.title for section in sections])
    highest, late = -1, []
    for index, rank in enumerate(ranks):
        if rank is not None and rank < highest:
            late.append(index)
        highest = max(highest, rank if rank is not None else -1)
    if not late:
        return []
    blocks = _blocks(article, len(lines) if not context.originals else len(context.originals))
    if blocks is None:
        return []
    group, key = [], -1
    for rank in ranks:  # an unknown section goes with the known section before it
        key = rank if rank is not None else key
        group.append(key)
    order = sorted(range(len(sections)), key=lambda index: group[index])
    region = [context.line(lines, number) for number in range(blocks[0][0], blocks[-1][1] + 1)]
    moved: list[_Line] = []
    for slot, index in enumerate(order):
        first, last = blocks[index]
        moved += [context.line(lines, number) for number in range(first, last + 1)]
        if slot + 1 < len(order):  # the blank lines after this slot's original section
            gap_end = blocks[slot + 1][0] - 1
            moved += [context.line(lines, number) for number in range(blocks[slot][1] + 1,
                                                                       gap_end + 1)]
    start = next((at for at, line in enumerate(lines) if line is region[0]), None)
    current = lines[start:start + len(region)] if start is not None else []
    if start is None or len(current) != len(region) or any(
            a is not b for a, b in zip(current, region, strict=True)):
        return []  # another fix changed these lines: left for the next run
    ending = next((line.end for line in lines if line.end), "\n")
    for line in moved[:-1]:
        line.end = line.end or ending  # a last line without a break is no longer last
    lines[start:start + len(region)] = moved
    fixes = []
    for slot, index in enumerate(order):
        if index in late and slot + 1 < len(order):
            following = sections[order[slot + 1]].title
            fixes.append(Fix(article.path, sections[index].line, SECTION_ORDER,
                             f"section {sections[index].title!r} moved before {following!r}"))
    return fixes


def _ranks(outline: list[dict[str, Any]], titles: list[str]) -> list[int | None]:
    """Each section's place in the outline, read as the checker reads it: synonyms, and
    headings that likely name a missing section. None for a section the outline does not
    know and for a second section of one name (MED104): they stay after the section before."""
    position = {str(entry["title"]): index for index, entry in enumerate(outline)}
    aliases = heading_aliases(outline)
    likely = likely_headings(outline, titles)
    ranks: list[int | None] = []
    seen: set[str] = set()
    for index, title in enumerate(titles):
        canonical = title if title in position else aliases.get(title.lower(), likely.get(index))
        ranks.append(position[canonical] if canonical is not None and canonical not in seen
                     else None)
        seen.add(canonical or "")
    return ranks


def _blocks(article: Article, count: int) -> list[tuple[int, int]] | None:
    """Each section's lines (first, last), from the comments just above its heading to its
    last non-blank line, before any footnote definitions that end the file."""
    sections = article.sections
    if not sections or count < len(article.lines):
        return None
    text = article.lines
    from pipeline.rules.suppressions import code_lines  # (the rules import this module)

    protected = code_lines(article)  # a comment line is a raw HTML block, and is not
    starts = []
    for number, section in enumerate(sections):
        floor = sections[number - 1].line if number else article.body_line - 1
        start, at = section.line, section.line - 1
        while at > floor and at not in protected and (
                not text[at - 1].strip() or _COMMENT_LINE.match(text[at - 1])):
            if text[at - 1].strip():
                start = at  # a comment just above the heading (a suppression) goes with it
            at -= 1
        starts.append(start)
    end = _footnotes_start(article, protected) - 1
    blocks = []
    for number, start in enumerate(starts):
        last = starts[number + 1] - 1 if number + 1 < len(starts) else end
        while last > sections[number].line and not text[last - 1].strip():
            last -= 1
        blocks.append((start, last))
    return blocks


def _footnotes_start(article: Article, protected: set[int]) -> int:
    """The first line of the footnote definitions written after the last section's text
    (the line after the last one when there are none)."""
    text = article.lines
    start, at = len(text) + 1, len(text)
    while at > article.sections[-1].line and at not in protected:
        line = text[at - 1]
        if _FOOTNOTE_DEFINITION.match(line):
            start = at
        elif line.strip() and not line[:1].isspace():
            break
        at -= 1
    return start


# -- whitespace --------------------------------------------------------------------------------


def _fix_trailing_whitespace(article: Article, lines: list[_Line]) -> list[Fix]:
    keep = _meaningful_whitespace(article, lines)
    if keep is None:
        return []
    fixes = []
    for number, line in enumerate(lines, start=1):
        if number in keep:
            continue
        match = _TRAILING.search(line.text)
        if match is None:
            continue
        line.text = line.text[:match.start()]
        fixes.append(Fix(article.path, number, TRAILING_WHITESPACE,
                         "trailing whitespace removed"))
    return fixes


def _meaningful_whitespace(article: Article, lines: list[_Line]) -> set[int] | None:
    """File lines whose trailing whitespace is content; None if the YAML cannot be read."""
    keep = _block_scalar_lines(article)
    if keep is None:
        return None
    offset = article.body_line
    for token in article.tokens:
        if token.map is None:
            continue
        first, last = offset + token.map[0], offset + token.map[1] - 1
        if token.type in _UNTOUCHABLE_BLOCKS:
            keep.update(range(first, last + 1))
        elif token.type == "paragraph_open":
            for number in range(first, last):  # every line but the paragraph's last
                if number <= len(lines) and re.search(r" {2,}$", lines[number - 1].text):
                    keep.add(number)  # two or more spaces: a hard line break
    return keep


def _block_scalar_lines(article: Article) -> set[int] | None:
    """Lines inside `|` and `>` scalars of the front matter, where whitespace is content."""
    close = article.body_line - 1  # the closing `---` line
    text = "\n".join(article.lines[1:close - 1])
    keep: set[int] = set()
    try:
        events: list[Any] = list(yaml.parse(text, Loader=_LOADER))
    except yaml.YAMLError:
        return None
    for event in events:
        start, end = getattr(event, "start_mark", None), getattr(event, "end_mark", None)
        if getattr(event, "style", None) in ("|", ">") and start and end:
            first = start.line + 2 + 1  # the indicator line is not content
            last = end.line + 2 - (1 if end.column == 0 else 0)
            keep.update(range(first, last + 1))
    return keep


def _fix_final_newline(lines: list[_Line], display: str, article: Article | None
                       ) -> list[Fix]:
    """Exactly one line break at the end: add a missing one, drop blank lines after it."""
    fixes = []
    protected = _protected_end(article, len(lines))
    removed = 0
    while not protected and len(lines) > 1 and not lines[-1].text and lines[-2].end:
        lines.pop()
        removed += 1
    if removed:
        plural = "s" if removed != 1 else ""
        fixes.append(Fix(display, len(lines), FINAL_NEWLINE,
                         f"{removed} blank line{plural} removed at the end of the file"))
    if lines and not lines[-1].end and lines[-1].text:
        lines[-1].end = next((line.end for line in lines if line.end), "\n")
        fixes.append(Fix(display, len(lines), FINAL_NEWLINE, "line break added at the end "
                                                            "of the file"))
    return fixes


def whitespace_problems(article: Article) -> list[Fix]:
    """What the whitespace fixes would change in a loaded article: the SRC017/SRC018 rules."""
    text = "\n".join(article.lines) + ("\n" if article.final_newline else "")
    lines = split_lines(text)
    return (_fix_trailing_whitespace(article, lines)
            + _fix_final_newline(lines, article.path, article))


def _protected_end(article: Article | None, count: int) -> bool:
    """True when the file ends inside a code block, whose blank lines are content."""
    if article is None:
        return False
    return any(token.type in _UNTOUCHABLE_BLOCKS and token.map is not None
               and article.body_line + token.map[1] - 1 >= count for token in article.tokens)
