"""LNK: links between articles hold, See Also is a list of them, no article is an orphan."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pipeline.diagnostics import Diagnostic, Rule, make
from pipeline.fsio import display_path
from pipeline.load import heading_ids
from pipeline.model import Article, Link, Section
from pipeline.names import link_target, slug_of, slugify
from pipeline.rules.context import Context, mentions_in
from pipeline.rules.safety import WEB_SCHEMES, scheme_of
from pipeline.rules.structure import placeholder_in
from pipeline.suggest import closest, did_you_mean

if TYPE_CHECKING:
    from markdown_it.token import Token

SEE_ALSO = frozenset({"see also", "related articles", "related topics"})


def _internal(target: str) -> tuple[str, str] | None:
    """(path, fragment) of a link that stays on the site, None for an address elsewhere
    (a scheme however it is spelt: SEC101 reports the unsafe ones)."""
    parsed = link_target(target)
    if parsed.external or scheme_of(target):
        return None
    return parsed.path, parsed.fragment


def internal_links(article: Article, context: Context) -> Iterator[Diagnostic]:
    """LNK101/LNK102: each internal link names an existing article, and an existing section."""
    for link in article.links:
        if link.kind != "link":
            continue
        internal = _internal(link.target)
        if internal is None:
            continue
        path, fragment = internal
        if not path:
            if fragment:
                yield from _anchor(article, link, article, fragment, "this article")
            continue
        slug = link_target(link.target).article
        if slug is None:
            yield _broken(article, link, f"link target {link.target!r} is not an article",
                          _suggest(path, article, context))
            continue
        if slug != article.slug and not context.corpus.exists(slug):
            near = did_you_mean(slug, _slugs(article, context), "`{}.md`")
            yield _broken(article, link, f"link to {path!r}: there is no such article",
                          f"{near} fix the file name, or write the article first"
                          if near else "fix the file name, or write the article first")
            continue
        if fragment:
            target = article if slug == article.slug else context.corpus.get(slug)
            if target is not None:
                yield from _anchor(article, link, target, fragment, path)


_PAGE_SUFFIXES = (".md", ".html", ".htm", ".pdf", ".json")


def _slugs(article: Article, context: Context) -> set[str]:
    return context.corpus.slugs() | {article.slug}


def _suggest(path: str, article: Article, context: Context) -> str:
    """The hint for a link that does not name an article as `slug.md`: the article it most
    likely means (`asthma.html` → `asthma.md`), else how such links are written."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    suffix = next((s for s in _PAGE_SUFFIXES if name.lower().endswith(s)), "")
    stem = name[:len(name) - len(suffix)] if suffix else name
    slug = "-".join(re.findall(r"[a-z0-9]+", stem.lower())) or "slug"
    slugs = _slugs(article, context)
    known = slug if slug in slugs else closest(slug, slugs)
    if known is not None and suffix.lower() in (".html", ".htm", ".pdf", ".json"):
        return (f"link to `{known}.md` (the article), not its {suffix[1:].upper()} file: "
                f"write `[...]({known}.md)`")
    if known is not None:
        return f"link to the article by its file name alone: `{known}.md`"
    return f"link to another article by its file name alone, e.g. `{slug}.md`"


def _broken(article: Article, link: Link, message: str, hint: str) -> Diagnostic:
    return make(article.path, link.line, link.column, "LNK101", message, hint)


def _anchor(article: Article, link: Link, target: Article, fragment: str, where: str
            ) -> Iterator[Diagnostic]:
    anchors = heading_ids(target)
    if fragment in anchors:
        return
    close = [a for a in sorted(anchors) if a == fragment.lower() or fragment.lower() in a]
    near = close[0] if close else closest(fragment, anchors)
    hint = (f"did you mean `#{near}`?" if near is not None else
            "link to a section that exists: " + ", ".join(f"#{a}" for a in sorted(anchors)))
    yield make(article.path, link.line, link.column, "LNK102",
               f"{where} has no section {'#' + fragment!r}", hint)


def external_links(article: Article, context: Context) -> Iterator[Diagnostic]:
    """LNK105: external links use https."""
    for link in article.links:
        if link.kind != "link":
            continue
        parts = urlsplit(link.target)
        scheme = scheme_of(link.target)
        if scheme == "http" or (not scheme and (parts.netloc or link.target.startswith("//"))):
            secure = "https://" + link.target.split("//", 1)[-1]
            yield make(article.path, link.line, link.column, "LNK105",
                       f"link {link.target!r} does not use https",
                       f"write `{secure}`; most sites serve https, and plain http can be "
                       "altered on the way")


def _see_also(article: Article) -> Section | None:
    for section in article.sections:
        if section.title.lower() in SEE_ALSO:
            return section
    return None


def see_also(article: Article, context: Context) -> Iterator[Diagnostic]:
    """LNK103: the See Also section is only a list of links to other articles."""
    section = _see_also(article)
    if section is None:
        return
    tokens = article.tokens
    index = section.token_start + 3  # heading_open, inline, heading_close
    while index < section.token_end:
        token = tokens[index]
        if token.type == "html_block":
            index += 1
            continue
        if token.type not in ("bullet_list_open", "ordered_list_open"):
            yield _not_a_link(article, token.map, "See Also holds something other than a list",
                              "keep only `- [Title](slug.md)` lines here; move prose to "
                              "another section")
            index = _skip(tokens, index)
            continue
        end = _skip(tokens, index)
        for item in range(index + 1, end):
            if tokens[item].type == "list_item_open" and tokens[item].level == token.level + 1:
                problem = _item_problem(article, tokens[item:_skip(tokens, item)])
                if problem:
                    yield _not_a_link(article, tokens[item].map, problem,
                                      "write each entry as `- [Title](slug.md)`; web links "
                                      "belong in References")
        index = end


def _skip(tokens: list[Token], index: int) -> int:
    """Index one past the block that opens at `index` (or past the token if it opens none)."""
    depth = 0
    for position in range(index, len(tokens)):
        depth += tokens[position].nesting
        if depth <= 0:
            return position + 1
    return len(tokens)


def _item_problem(article: Article, tokens: list[Token]) -> str:
    inlines = [t for t in tokens if t.type == "inline"]
    if any(placeholder_in(t.content) for t in inlines):
        return ""  # a placeholder left by `pipeline new`: MED109 reports it
    blocks = [t for t in tokens if t.type in
              ("paragraph_open", "bullet_list_open", "ordered_list_open", "fence",
               "code_block", "table_open", "blockquote_open", "heading_open")]
    if len(inlines) != 1 or len(blocks) != 1:
        return "a See Also entry must be a single link"
    children = [c for c in inlines[0].children or []
                if not (c.type == "text" and not c.content.strip())]
    if not children or children[0].type != "link_open" or children[-1].type != "link_close" \
            or any(c.type in ("link_open", "image") for c in children[1:-1]):
        return "a See Also entry must be a single link, with no other text"
    target = str(children[0].attrs.get("href", ""))
    internal = _internal(target)
    if internal is None:
        scheme = scheme_of(target)
        return ("a See Also entry must link to another article, not to the web"
                if scheme in WEB_SCHEMES or not scheme else "")
    if internal[0] == f"{article.slug}.md":
        return "a See Also entry links to the article itself"
    return ""


def _not_a_link(article: Article, where: list[int] | None, message: str, hint: str
                ) -> Diagnostic:
    line = article.body_line + (where[0] if where else 0)
    raw = article.lines[line - 1] if line <= len(article.lines) else ""
    return make(article.path, line, len(raw) - len(raw.lstrip()) + 1, "LNK103", message, hint)


def orphan(article: Article, context: Context) -> Iterator[Diagnostic]:
    """LNK104: some other article of the corpus names this one (a raw text scan, no parsing);
    only in a corpus of two or more articles, and only for articles of the corpus."""
    corpus = context.corpus
    if len(corpus.files) < 2 or article.slug not in corpus.files:
        return
    likely = tuple(mentions_in("\n".join(article.lines)))
    if corpus.is_mentioned(article.slug, likely):
        return
    if any(placeholder_in(line) for line in article.lines):
        return  # a draft with placeholders (MED109) is not expected to be linked yet
    span = article.source_map.value(("title",))
    yield make(article.path, span.line, span.column, "LNK104",
               f"no other article links to {article.slug}.md",
               f"add `- [{article.title}]({article.slug}.md)` to the See Also section of a "
               "related article")


# -- titles across the corpus (a corpus check, run by `pipeline.check.corpus_problems`) ---------


@dataclass(frozen=True)
class Title:
    """An article's title and where it is written."""

    text: str
    line: int
    column: int


def folded_title(text: str) -> str:
    """A title as LNK106 compares it: case, width and spacing ignored."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def duplicate_titles(titles: dict[Path, Title], reported: Iterable[Path] | None = None
                     ) -> list[Diagnostic]:
    """LNK106: no two articles have the same title (case, width and spacing ignored). The
    article named after the title (`immune-dysregulation.md` for "Immune dysregulation")
    keeps it, else the first in file order; each other one is reported at its title, with
    the place of the one that keeps it. Only the files in `reported` (default: all) are
    reported; the others take part as the rest of the corpus does."""
    shown = set(titles if reported is None else reported)
    groups: dict[str, list[Path]] = {}
    for path, title in titles.items():
        key = folded_title(title.text)
        if key:
            groups.setdefault(key, []).append(path)
    problems: list[Diagnostic] = []
    for members in groups.values():
        if len(members) < 2:
            continue
        holder, *others = sorted(members, key=lambda p: (slug_of(p) != slugify(titles[p].text),
                                                         os.path.abspath(p)))
        held = titles[holder]
        where = f"{display_path(holder)}:{held.line}:{held.column}"
        for path in others:
            if path not in shown:
                continue
            title = titles[path]
            message = (f"title {title.text!r} is also the title of {where}"
                       if held.text == title.text else
                       f"title {title.text!r} is the title of {where} ({held.text!r}) once "
                       "case and spacing are ignored")
            problems.append(make(display_path(path), title.line, title.column, "LNK106",
                                 message, "give each article its own title (say what sets "
                                 "this one apart), or merge the two articles into one"))
    return sorted(problems)


RULES: tuple[Rule, ...] = (
    Rule("LNK101", "broken-link", "error",
         "An internal link or See Also entry points to an article that does not exist, or is "
         "not written as `slug.md`.",
         "A broken link leads readers to an error page.",
         "[Asthma](asthama.md)\n[Asthma](asthma)\n", "[Asthma](asthma.md)\n",
         check=internal_links),
    Rule("LNK102", "broken-anchor", "error",
         "A link to a section (`slug.md#anchor` or `#anchor`) names a heading that does not "
         "exist.",
         "The reader lands at the top of the page instead of the section promised.",
         "[treatment](asthma.md#therapy)\n", "[treatment](asthma.md#treatment)\n",
         check=internal_links),
    Rule("LNK103", "see-also-format", "error",
         "The See Also section holds something other than a list of links to other articles.",
         "See Also is navigation; prose, web links and images belong in other sections.",
         "## See Also\nSee the asthma article.\n- [NHS](https://www.nhs.uk/)\n",
         "## See Also\n- [Asthma](asthma.md)\n",
         check=see_also),
    Rule("LNK104", "orphan-article", "warning",
         "No other article links to this one.",
         "Readers can only find an orphan through search; link to it from a related article.",
         "# no article mentions `[...](new-article.md)`",
         "## See Also\n- [New article](new-article.md)   # in a related article",
         check=orphan),
    Rule("LNK105", "insecure-link", "warning",
         "An external link uses `http://` (or no scheme) instead of `https://`.",
         "Plain http can be read and altered on the way; most sites serve https.",
         "[NHS](http://www.nhs.uk/)\n", "[NHS](https://www.nhs.uk/)\n",
         check=external_links),
    Rule("LNK106", "duplicate-title", "error",
         "Two articles have the same title (case and spacing ignored).",
         "Readers choose an article by its title: in links, See Also lists, search results, "
         "the A-Z index and category pages, two articles of one title cannot be told apart.",
         "title: Immune dysregulation   # in immune-dysregulation.md\n"
         "title: Immune dysregulation   # and in immune-dysregulation-disorder.md\n",
         "title: Immune dysregulation   # in immune-dysregulation.md\n"
         "title: IPEX syndrome          # in ipex-syndrome.md\n",
         check=duplicate_titles, scope="corpus"),
)
