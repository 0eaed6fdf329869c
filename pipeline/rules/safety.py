"""SEC: nothing a contributor writes may run code or smuggle markup into a page.

markdown-it refuses to make links of `javascript:`, `vbscript:`, `file:` and most `data:`
targets: they stay as text, and so never reach `Article.links`. The raw inline source of each
block is therefore scanned too, for link targets (`](...)`), autolinks (`<...>`) and link
reference definitions, after undoing the tricks that hide a scheme from a naive check:
HTML entities, percent-encoding, Markdown backslash escapes, whitespace and control
characters, and letter case.

The other rules here: SEC102 raw HTML, SEC106 markup in front-matter values, SEC107
invisible and forbidden characters, SEC103/SEC105 the images folder and what the images
are, SEC108 tables too large to render. SEC103 for articles and SEC104 need the file system
or the whole corpus and live in `pipeline.rules.files`; SEC109 and the nesting limits are applied
while loading (`pipeline.load`), before the expensive parse. docs/security.md has the whole
picture.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from pipeline.characters import FORBIDDEN_CHARACTERS, has_forbidden
from pipeline.diagnostics import Diagnostic, Rule, make
from pipeline.model import Article, FieldPath
from pipeline.rules.context import Context
from pipeline.rules.text import (
    front_matter_strings,
    inline_blocks,
    position,
    without_code_spans,
)

if TYPE_CHECKING:
    from markdown_it.token import Token

WEB_SCHEMES = frozenset({"http", "https"})
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_RAW_TARGETS = re.compile(
    r"\]\s*\((?P<inline>[^)]{0,400})"  # [text](target
    r"|<(?P<auto>[^<>\s][^<>]{0,400})>"  # <scheme:...>
    r"|^[ \t]{0,3}\[[^\]]+\]:[ \t]*(?P<reference>\S[^\n]{0,400})",  # [ref]: target
    re.MULTILINE)
_DEFINITION = re.compile(r"^[\s>*+\-\d.)]*\[[^\]]+\]:[ \t]*(?P<target>\S.*)")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


_ENCODED = re.compile(r"[ %&\\]")  # what an entity, escape or percent-encoding needs


def decoded(target: str) -> str:
    """The target as a browser would finally see it: entities and escapes undone (repeatedly),
    whitespace and control characters removed, case folded."""
    if target.isascii() and target.isprintable() and not _ENCODED.search(target):
        return target.lstrip("<").casefold()  # nothing to undo: the usual case, made cheap
    text = target
    for _ in range(8):
        before = text
        text = _ESCAPE.sub(r"\1", unquote(html.unescape(text)))
        if text == before:
            break
    text = "".join(ch for ch in text
                   if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf"))
    return text.lstrip("<").casefold()


def scheme_of(target: str) -> str:
    """The URL scheme of a link target after decoding, "" when it has none."""
    match = _SCHEME.match(decoded(target))
    return match.group(1) if match else ""


def _unsafe(path: str, line: int, column: int, scheme: str) -> Diagnostic:
    return make(path, line, column, "SEC101",
                f"link target uses the {scheme + ':'!r} scheme, which is not allowed",
                "link to an https:// web page, or to another article as `slug.md`")


def unsafe_link_scheme(article: Article, context: Context) -> Iterator[Diagnostic]:
    """SEC101: every link and image target is a web address or a path, however it is spelt.

    Targets are read where they are written: in the inline source of each block (links,
    images, autolinks, and definitions markdown-it refused), and on the lines of the link
    reference definitions it accepted, which belong to no block."""
    for block in inline_blocks(article):
        text = without_code_spans(block.content)
        for match in _RAW_TARGETS.finditer(text):
            group = next((g for g in ("inline", "auto", "reference") if match.group(g)), "")
            if not group:  # `[x]()`: an empty target
                continue
            scheme = scheme_of(match.group(group))
            if scheme and scheme not in WEB_SCHEMES:
                line, column = position(article, block, match.start(group))
                yield _unsafe(article.path, line, column, scheme)
    in_blocks = _block_lines(article)
    for number in range(article.body_line, len(article.lines) + 1):
        if number in in_blocks:
            continue
        definition = _DEFINITION.match(article.lines[number - 1])
        if definition is not None:
            scheme = scheme_of(definition.group("target"))
            if scheme and scheme not in WEB_SCHEMES:
                yield _unsafe(article.path, number, definition.start("target") + 1, scheme)


def _block_lines(article: Article) -> set[int]:
    lines: set[int] = set()
    for token in article.tokens:
        if token.map is not None and token.type in ("inline", "fence", "code_block",
                                                    "html_block"):
            lines.update(range(article.body_line + token.map[0],
                               article.body_line + token.map[1]))
    return lines


def _only_comments(markup: str) -> bool:
    return not _COMMENT.sub("", markup).strip()


def raw_html(article: Article, context: Context) -> Iterator[Diagnostic]:
    """SEC102: raw HTML blocks and inline tags; HTML comments (and suppressions) are fine."""
    hint = "write it in Markdown; raw HTML is dropped when the page is rendered"
    for token in article.tokens:
        if token.type == "html_block" and token.map and not _only_comments(token.content):
            line = article.body_line + token.map[0]
            raw = article.lines[line - 1]
            yield make(article.path, line, len(raw) - len(raw.lstrip()) + 1, "SEC102",
                       "raw HTML is not allowed; it is removed from the page", hint)
    for block in inline_blocks(article):
        cursor = 0
        lines: set[int] = set()  # one report per line: `<b>bold</b>` is one problem
        for child in block.token.children or []:
            if child.type != "html_inline":
                continue
            offset = block.content.find(child.content, cursor)
            cursor = offset + len(child.content) if offset >= 0 else cursor
            if _only_comments(child.content):
                continue
            line, column = position(article, block, max(offset, 0))
            if line not in lines:
                lines.add(line)
                yield make(article.path, line, column, "SEC102",
                           "raw HTML is not allowed; it is removed from the page", hint)


# -- SEC106: markup in front matter ------------------------------------------------------------

# A tag, a closing tag, a comment, a doctype or a processing instruction: `<b`, `</x`, `<!--`,
# `<?`. "< 5 mg" and "a <= b" are not markup.
_MARKUP = re.compile(r"<[!?/]?[A-Za-z]|<!--|<!\[|<\?")
# Schemes that run code wherever a value might end up as a link; `data:` and `file:` only in
# fields that hold an address, since "Data: ..." is ordinary text.
_SCRIPT_SCHEME = re.compile(r"\s*(?:java|vb|live)script\s*:", re.IGNORECASE)
_ADDRESS_FIELDS = frozenset({"source"})
_UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "livescript", "data", "file"})


_DIRECTIVE = re.compile(r"<!--\s*pipeline:.*?-->", re.DOTALL)  # misplaced: SUP103 reports it


def _markup_problem(path: FieldPath, text: str) -> str:
    if "<" not in text and "&" not in text and ":" not in text:
        return ""  # the usual case: no tag, entity or scheme can be in it
    unescaped = html.unescape(_DIRECTIVE.sub("", text))
    if _MARKUP.search(unescaped):
        return "holds HTML markup"
    field = path[-1] if path else ""
    if field in _ADDRESS_FIELDS and scheme_of(text) in _UNSAFE_SCHEMES:
        return f"is a {scheme_of(text)}: address"
    if _SCRIPT_SCHEME.match(unescaped):
        return "is a script address"
    return ""


def markup_in_front_matter(article: Article, context: Context) -> Iterator[Diagnostic]:
    """SEC106: front-matter values are plain text; markup and script addresses in them are
    shown to readers as the literal text, so they are reported rather than silently kept."""
    for path, text in front_matter_strings(article.front_matter):
        problem = _markup_problem(path, text)
        if problem:
            span = article.source_map.value(path)
            name = ".".join(str(part) for part in path) or "front matter"
            yield make(article.path, span.line, span.column, "SEC106",
                       f"front-matter value {name!r} {problem}; it is shown as plain text",
                       "write plain text: no tags, no comments, no script addresses",
                       span.end_line, span.end_column)


# -- SEC107: invisible and forbidden characters ------------------------------------------------

def _describe(character: str) -> str:
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X}" + (f" {name}" if name else "")


def control_characters(article: Article, context: Context) -> Iterator[Diagnostic]:
    """SEC107: no control characters, bidirectional overrides or noncharacters, written
    directly or as YAML escapes (`"\\x01"`, `"\\u202e"`); one report per line."""
    hint = "delete the character; it is invisible, or it changes how the text reads"
    reported: set[int] = set()
    if has_forbidden("\n".join(article.lines)):
        for number, line in enumerate(article.lines, start=1):
            match = FORBIDDEN_CHARACTERS.search(line)
            if match is not None:
                reported.add(number)
                yield make(article.path, number, match.start() + 1, "SEC107",
                           f"line holds the character {_describe(match.group())}", hint)
    if not any("\\" in line for line in article.lines[:article.body_line - 1]):
        return  # no YAML escape in the front matter: its values hold what the lines hold
    for path, text in front_matter_strings(article.front_matter):
        match = FORBIDDEN_CHARACTERS.search(text)
        span = article.source_map.value(path)
        if match is not None and span.line not in reported:
            reported.add(span.line)
            yield make(article.path, span.line, span.column, "SEC107",
                       f"front-matter value holds the character {_describe(match.group())}",
                       hint, span.end_line, span.end_column)


# -- SEC103 (the images folder) and SEC105: what the images are --------------------------------


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except (OSError, ValueError, RuntimeError):
        return False
    return True


def unsafe_images(article: Article, context: Context) -> Iterator[Diagnostic]:
    """SEC103/SEC105: the images folder stays in the repository; every image the body shows
    is a plain picture (`pipeline.image_files`). One report per file."""
    from pipeline.image_files import image_problem
    from pipeline.rules.credits import image_refs

    config = context.config
    folder = context.images_folder
    seen: set[str] = set()
    folder_inside: bool | None = None  # resolved once, and only if the body shows an image
    for ref in image_refs(article, config.images_dir):
        if ref.outside or not ref.name or ref.name in seen:
            continue
        seen.add(ref.name)
        link = ref.link
        if folder_inside is None:
            folder_inside = _inside(folder, config.root)
        if not folder_inside:
            yield make(article.path, link.line, link.column, "SEC103",
                       f"the images folder {config.images_dir!r} is a link to "
                       f"{folder.resolve()}, outside the repository",
                       "keep the images in a real folder of the repository")
            return
        path = folder / ref.name
        try:  # a link is resolved; a plain file of the folder is inside it by its name
            usable = ref.name not in (".", "..") and path.is_file() and (
                not path.is_symlink() or _inside(path, folder))
        except (OSError, ValueError):
            usable = False
        if not usable:
            continue  # missing or outside the folder: CRD103 and CRD104 report it
        problem = image_problem(path, config.limits)
        if problem:
            yield make(article.path, link.line, link.column, "SEC105",
                       f"image {ref.name!r} {problem}",
                       "export the image again as a plain picture (for SVG: no scripts, "
                       "event handlers, links to other files or DOCTYPE)")


# -- SEC108: tables too large to render ---------------------------------------------------------


def table_size(article: Article, context: Context) -> Iterator[Diagnostic]:
    """SEC108: a table has at most `max_table_columns` columns and `max_table_cells` cells
    (the print renderer's time grows with the cells: 50,000 took over a minute)."""
    limits = context.config.limits
    start: Token | None = None
    columns = cells = 0
    row = 0
    for token in article.tokens:
        if token.type == "table_open":
            start, columns, cells = token, 0, 0
        elif token.type == "tr_open":
            row = 0
        elif token.type in ("th_open", "td_open"):
            row += 1
            cells += 1
            columns = max(columns, row)
        elif token.type == "table_close" and start is not None:
            line = article.body_line + (start.map[0] if start.map else 0)
            if columns > limits.max_table_columns or cells > limits.max_table_cells:
                yield make(article.path, line, 1, "SEC108",
                           f"table has {columns:,} columns and {cells:,} cells; the limits "
                           f"are {limits.max_table_columns} columns and "
                           f"{limits.max_table_cells:,} cells",
                           "split the table, or turn it into a list")
            start = None


RULES: tuple[Rule, ...] = (
    Rule("SEC101", "unsafe-link-scheme", "error",
         "A link or image uses a scheme other than `https:`/`http:` (`javascript:`, `data:`, "
         "`file:`, `vbscript:`, `mailto:`, ...), however it is spelt or encoded.",
         "Such links run code, read local files or leave the web; none belongs in an article.",
         "[click](javascript:alert(1))\n[x](jav&#x61;script:alert(1))\n",
         "[NHS](https://www.nhs.uk/)\n",
         check=unsafe_link_scheme),
    Rule("SEC102", "raw-html", "error",
         "The body contains raw HTML (HTML comments are allowed).",
         "Raw HTML is removed from the page, so what the author wrote is not what readers "
         "see; it is also how scripts get in.",
         "<span style=\"color:red\">Warning</span>\n", "**Warning**\n",
         check=raw_html),
    Rule("SEC103", "symlink-outside-repository", "error",
         "An article, or the images folder, is a symbolic link to something outside the "
         "repository (images that lead out of the images folder are CRD104).",
         "A link committed into the articles folder could publish, or hang on, any file of "
         "the machine that builds the site: `/etc/passwd`, a secret, `/dev/zero`.",
         "articles/notes.md -> /home/ci/.ssh/id_rsa\n",
         "articles/notes.md (a file of the repository)\n",
         check=unsafe_images),
    Rule("SEC105", "unsafe-image", "error",
         "An image the article shows can run script or load other files (an SVG with "
         "scripts, event handlers, external references or a DOCTYPE), or is larger than "
         "`max_image_bytes`.",
         "Images are published as files of the site: an SVG opened on its own runs its "
         "scripts with the site's address, and entity declarations can blow up any parser "
         "that reads it.",
         "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\">\n",
         "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">...</svg>\n",
         check=unsafe_images),
    Rule("SEC106", "markup-in-front-matter", "error",
         "A front-matter value holds HTML markup or a script address (`javascript:`); it "
         "would be shown as plain text.",
         "Front-matter values are text: markup in them is never run, so it reaches readers "
         "as literal tags, and it is how an attack would try to break out of a page.",
         "title: Asthma <script>alert(1)</script>\n", "title: Asthma\n",
         check=markup_in_front_matter),
    Rule("SEC107", "control-character", "error",
         "The file holds a control character, a bidirectional override or a Unicode "
         "noncharacter, written directly or as a YAML escape.",
         "These characters are invisible, forbidden in HTML, or reorder what readers see "
         "(\"Trojan Source\"), so the text is not what reviewers approved.",
         "title: \"Aspirin \\u202e 500 mg\"\n", "title: Aspirin\n",
         check=control_characters),
    Rule("SEC108", "table-too-large", "error",
         "A table has more columns than `max_table_columns` or more cells than "
         "`max_table_cells`.",
         "The print edition lays tables out cell by cell: a small file with a huge table "
         "would take minutes to render, and no reader can use it.",
         "| a | b | c | ... 9,000 columns |\n",
         "| Drug | Usual dose |\n|---|---|\n| Ibuprofen | 200-400 mg |\n",
         check=table_size),
    Rule("SEC109", "markdown-too-complex", "error",
         "The body holds more Markdown elements (blocks, inline elements, link reference "
         "definitions) than `max_markdown_elements`.",
         "Checking and rendering grow with the elements: a small file flooded with markers "
         "(thousands of `*`, backticks, comments or definitions) would tie up every build. "
         "The largest bundled article has about 650.",
         "*a*a*a*a*a*a*a*a*a*a ... 19,000 times\n",
         "Prose in paragraphs, lists and tables.\n"),
)
