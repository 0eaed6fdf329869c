"""REF: every medical claim has a source the reader can find.

The front matter's `references:` lists the sources as CSL YAML; the body cites them as Pandoc
citations (`[@smith2020]`) and may add footnotes (`[^1]`). These rules check that the two
agree (every citation names a reference, every reference is cited, no source twice), that
identifiers are well formed (DOI, PMID, PMCID, ISBN, ISSN), and that the sources are the
kind a medical encyclopedia should rest on: present where the schema requires them, recent
(after Wikipedia's MEDRS guideline), and not web pages alone.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Any

from stdnum import ean
from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn

from pipeline.diagnostics import Diagnostic, Rule, make
from pipeline.model import Article, FieldPath
from pipeline.rules.context import Context
from pipeline.rules.text import inline_blocks, position, without_code_spans
from pipeline.schema import load_schema, types_requiring_references

IDENTIFIERS = ("DOI", "PMID", "PMCID", "ISBN")  # what makes a source more than a web page
_DOI = re.compile(r"10\.\d{4,9}(?:\.\d+)*/\S+")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_PMID = re.compile(r"[1-9]\d{0,7}")
_PMCID = re.compile(r"PMC\d{1,9}")
_YEAR = re.compile(r"(\d{4})(?:-\d{2}(?:-\d{2})?)?")
# `[^label]` left as text: markdown-it makes a footnote reference only of a defined label.
_FOOTNOTE = re.compile(r"(?<!\\)\[\^([^\]\s]+)\](?![(\[:])")


def references(article: Article) -> list[tuple[int, dict[str, Any]]]:
    """The entries of `references:` that are mappings, with their index."""
    value = article.front_matter.get("references")
    if not isinstance(value, list):
        return []
    return [(index, entry) for index, entry in enumerate(value) if isinstance(entry, dict)]


def _text(entry: dict[str, Any], name: str) -> str:
    value = entry.get(name)
    return value.strip() if isinstance(value, str) else ""


def _at(article: Article, path: FieldPath, code: str, message: str, hint: str) -> Diagnostic:
    span = article.source_map.value(path)
    return make(article.path, span.line, span.column, code, message, hint,
                span.end_line, span.end_column)


def normalised_doi(text: str) -> str:
    """A DOI as compared: without `https://doi.org/` or `doi:`, in lower case (DOIs are
    case-insensitive)."""
    return _DOI_PREFIX.sub("", text.strip()).lower()


# -- citations and references agree ------------------------------------------------------------


def citations(article: Article, context: Context) -> Iterator[Diagnostic]:
    """REF101/REF102: every citation names a reference, every reference is cited."""
    listed = article.front_matter.get("references")
    if listed is not None and not isinstance(listed, list):
        return  # the schema reports the shape (FMT104)
    ids = [_text(entry, "id") for _, entry in references(article)]
    known = {key for key in ids if key}
    for citation in article.citations:
        if citation.key in known:
            continue
        close = difflib.get_close_matches(citation.key, sorted(known), n=1)
        hint = (f"did you mean `@{close[0]}`?" if close else
                f"add a reference with `id: {citation.key}` under `references:`, or correct "
                "the key")
        yield make(article.path, citation.line, citation.column, "REF101",
                   f"citation `@{citation.key}` names no reference", hint,
                   citation.line, citation.column + len(citation.key))
    cited = {citation.key for citation in article.citations}
    for index, entry in references(article):
        key = _text(entry, "id")
        if key and key not in cited:
            yield _at(article, ("references", index, "id"), "REF102",
                      f"reference {key!r} is not cited in the article",
                      f"cite it where the article relies on it, as `[@{key}]`, or remove it")


def footnotes(article: Article, context: Context) -> Iterator[Diagnostic]:
    """REF109: every footnote reference `[^label]` has its `[^label]: ...` definition."""
    defined: set[str] | None = None
    for block in inline_blocks(article):
        if "[^" not in block.content:
            continue
        for match in _FOOTNOTE.finditer(without_code_spans(block.content)):
            label = match.group(1)
            if defined is None:
                defined = {str(token.meta.get("label")) for token in article.tokens
                           if token.type == "footnote_open" and token.meta}
            if label in defined:
                continue
            line, column = position(article, block, match.start())
            yield make(article.path, line, column, "REF109",
                       f"footnote `[^{label}]` has no definition",
                       f"add the note on a line of its own: `[^{label}]: The note.`; to cite a "
                       "source, write `[@key]` instead",
                       line, column + len(match.group(0)) - 1)


# -- the list of references ----------------------------------------------------------------------


def duplicates(article: Article, context: Context) -> Iterator[Diagnostic]:
    """REF103: no two references share an id, a DOI or a PMID (one report per entry)."""
    seen: dict[tuple[str, str], int] = {}
    for index, entry in references(article):
        found: tuple[str, int] | None = None
        for field, value in (("id", _text(entry, "id")),
                             ("DOI", normalised_doi(_text(entry, "DOI"))),
                             ("PMID", _text(entry, "PMID"))):
            if value:
                first = seen.setdefault((field, value), index)
                if first != index and found is None:
                    found = field, first
        if found is None:
            continue
        field, first = found
        line = article.source_map.value(("references", first, field)).line
        if field == "id":
            message = f"reference id {_text(entry, 'id')!r} is used twice (first on line {line})"
            hint = ("give each source its own id, or merge the two entries if they are the "
                    "same source")
        else:
            message = (f"reference {index + 1} has the same {field} as reference {first + 1} "
                       f"(line {line}): {_text(entry, field)!r}")
            hint = "keep one entry for each source: merge the two, and cite the one id"
        yield _at(article, ("references", index, field), "REF103", message, hint)


def identifiers(article: Article, context: Context) -> Iterator[Diagnostic]:
    """REF104: DOI, PMID, PMCID, ISBN and ISSN are well formed, check digits included."""
    for index, entry in references(article):
        for field in ("DOI", "PMID", "PMCID", "ISBN", "ISSN"):
            value = _text(entry, field)
            if not value:
                continue
            hint = _identifier_problem(field, value)
            if hint:
                yield _at(article, ("references", index, field), "REF104",
                          f"{field} {value!r} is not a valid {_NAMES[field]}", hint)


_NAMES = {"DOI": "DOI", "PMID": "PubMed id", "PMCID": "PubMed Central id", "ISBN": "ISBN",
          "ISSN": "ISSN"}


def _identifier_problem(field: str, value: str) -> str:
    """Why the identifier is malformed, as a hint ("" when it is well formed)."""
    if field == "DOI":
        if _DOI.fullmatch(value):
            return ""
        bare = _DOI_PREFIX.sub("", value)
        if bare != value and _DOI.fullmatch(bare):
            return f"write the DOI alone, without its address: `DOI: {bare}`"
        return "a DOI starts `10.`, then the registrant's digits, a `/` and the suffix, " \
               "e.g. `10.1056/NEJMoa2034577`"
    if field == "PMID":
        if _PMID.fullmatch(value):
            return ""
        digits = re.sub(r"^PMID:?\s*", "", value, flags=re.IGNORECASE)
        if _PMID.fullmatch(digits):
            return f'write the digits alone: `PMID: "{digits}"`'
        return "a PubMed id is 1 to 8 digits, as PubMed shows it under the abstract"
    if field == "PMCID":
        if _PMCID.fullmatch(value):
            return ""
        if value.isdigit():
            return f"write `PMCID: PMC{value}`"
        return "a PubMed Central id is `PMC` and digits, e.g. `PMC1234567`"
    if field == "ISBN":
        if stdnum_isbn.is_valid(value):
            return ""
        return "check the ISBN against the book's copyright page: " + _check_digit(
            stdnum_isbn, value, (10, 13))
    if stdnum_issn.is_valid(value):
        return ""
    return "check the ISSN against the journal's page: " + _check_digit(stdnum_issn, value,
                                                                         (8,))


def _check_digit(module: Any, value: str, lengths: tuple[int, ...]) -> str:
    """What the check digit should be, when the rest of the number is well formed."""
    compact = re.sub(r"[\s-]", "", value).upper()
    body = compact[:-1]
    if len(compact) not in lengths or not body.isdigit():
        return "it has the wrong number of digits"
    if len(compact) == 13:
        digit = str(ean.calc_check_digit(body))
    elif len(compact) == 10:  # ISBN-10: weights 10 down to 2, modulo 11
        total = sum((10 - place) * int(d) for place, d in enumerate(body))
        digit = "0123456789X"[(11 - total % 11) % 11]
    else:
        digit = str(module.calc_check_digit(body))
    if digit != compact[-1]:
        return f"its check digit should be {digit}, not {compact[-1]} (a typing error?)"
    return "its prefix is not one this kind of number uses"


def insecure_urls(article: Article, context: Context) -> Iterator[Diagnostic]:
    """REF105: reference URLs use https."""
    for index, entry in references(article):
        url = _text(entry, "URL")
        if url.lower().startswith("http://"):
            secure = "https://" + url[len("http://"):]
            yield _at(article, ("references", index, "URL"), "REF105",
                      f"reference URL {url!r} does not use https",
                      f"write `URL: {secure}`; most sites serve https, and plain http can be "
                      "altered on the way")


# -- the sources an article rests on ---------------------------------------------------------


def required(article: Article, context: Context) -> Iterator[Diagnostic]:
    """REF106: the types the schema marks `x-references-required` list at least one source."""
    if article.type not in types_requiring_references(load_schema(context.config.schema)):
        return
    listed = article.front_matter.get("references")
    if isinstance(listed, list) and listed:
        return
    if listed is not None and not isinstance(listed, list):
        return  # the schema reports the shape (FMT104)
    path: FieldPath = ("references",) if listed is not None else ("type",)
    span = (article.source_map.key(path) if listed is not None
            else article.source_map.value(path))
    yield make(article.path, span.line, span.column, "REF106",
               f"a {article.type} article must list the sources of its medical claims, "
               "and it has no references",
               "add `references:` (CSL YAML: `- id: smith2020`, `type`, `title`, `author`, "
               "`issued`, `DOI`) and cite them in the body as `[@smith2020]`",
               span.end_line, span.end_column)


def issued_year(entry: dict[str, Any]) -> int | None:
    """The year of a CSL `issued` date: `2020`, `2020-05-17` or `{date-parts: [[2020, 5]]}`."""
    issued = entry.get("issued")
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            issued = parts[0][0]
    if not isinstance(issued, str):
        return None
    match = _YEAR.fullmatch(issued.strip())
    return int(match.group(1)) if match else None


def outdated(article: Article, context: Context) -> Iterator[Diagnostic]:
    """REF107: sources are no older than `reference-max-age-years`."""
    limit = context.config.reference_max_age_years
    oldest = context.today.year - limit
    for index, entry in references(article):
        year = issued_year(entry)
        if year is None or year >= oldest:
            continue
        key = _text(entry, "id") or f"reference {index + 1}"
        yield _at(article, ("references", index, "issued"), "REF107",
                  f"source {key!r} was published in {year}, more than {limit} years ago",
                  "look for a recent review or guideline that covers the claim; if this is a "
                  "classic or still the best source, keep it and suppress the warning with "
                  "`# <!-- pipeline: ignore REF107 reason=\"...\" -->` above the entry")


def web_only(article: Article, context: Context) -> Iterator[Diagnostic]:
    """REF108: not every source is a web page: one at least has a DOI, PMID, PMCID or ISBN."""
    entries = references(article)
    if not entries or any(_text(entry, name) for _, entry in entries for name in IDENTIFIERS):
        return
    span = article.source_map.key(("references",))
    yield make(article.path, span.line, span.column, "REF108",
               f"all {len(entries)} sources are web pages: none has a DOI, PMID, PMCID or ISBN",
               "cite at least one published source for the medical claims, such as a "
               "systematic review or a guideline with its DOI or PMID, or a textbook with its "
               "ISBN", span.end_line, span.end_column)


RULES: tuple[Rule, ...] = (
    Rule("REF101", "unknown-citation", "error",
         "A citation `[@key]` names no entry of `references:`.",
         "The reader cannot find the source, and the numbered reference list has a hole.",
         "references:\n  - id: smith2020\n...\nAsthma is common [@smtih2020].\n",
         "references:\n  - id: smith2020\n...\nAsthma is common [@smith2020].\n",
         check=citations),
    Rule("REF102", "uncited-reference", "warning",
         "An entry of `references:` is not cited anywhere in the body.",
         "A source no claim rests on only lengthens the list; cite it where the article "
         "relies on it, or remove it.",
         "references:\n  - id: who2021\n...\n(no `[@who2021]` in the body)\n",
         "references:\n  - id: who2021\n...\nAbout 262 million people have asthma "
         "[@who2021].\n",
         check=citations),
    Rule("REF103", "duplicate-reference", "error",
         "Two entries of `references:` have the same id, the same DOI or the same PMID.",
         "Two entries for one source number it twice; two sources under one id cannot both "
         "be cited.",
         "  - id: smith2020\n    DOI: 10.1056/NEJMoa2034577\n"
         "  - id: smith2020b\n    DOI: https://doi.org/10.1056/nejmoa2034577\n",
         "  - id: smith2020\n    DOI: 10.1056/NEJMoa2034577\n",
         check=duplicates),
    Rule("REF104", "invalid-identifier", "error",
         "A reference's DOI, PMID, PMCID, ISBN or ISSN is malformed, or its check digit is "
         "wrong.",
         "A wrong identifier sends the reader to another work, or to nothing.",
         '    DOI: https://doi.org/10.1056/NEJMoa2034577\n    PMID: "PMID 3311"\n'
         "    ISBN: 978-0-306-40615-8\n",
         '    DOI: 10.1056/NEJMoa2034577\n    PMID: "33113295"\n    ISBN: 978-0-306-40615-7\n',
         check=identifiers),
    Rule("REF105", "insecure-reference-url", "warning",
         "A reference's URL uses `http://` instead of `https://`.",
         "Plain http can be read and altered on the way; most sites serve https.",
         "    URL: http://www.who.int/news-room/fact-sheets/detail/asthma\n",
         "    URL: https://www.who.int/news-room/fact-sheets/detail/asthma\n",
         check=insecure_urls),
    Rule("REF106", "missing-references", "warning",
         "A condition or drug article (a type whose outline in the schema says "
         "`x-references-required`) lists no references.",
         "Medical claims must be verifiable; readers and reviewers need the sources "
         "(raise it to an error with `severity = { REF106 = \"error\" }`).",
         "type: condition\n(no `references:`)\n",
         "type: condition\nreferences:\n  - id: who2021\n    type: webpage\n"
         "    title: Asthma\n",
         check=required),
    Rule("REF107", "outdated-source", "warning",
         "A reference was published more than `reference-max-age-years` (default 10) years "
         "ago.",
         "Medical knowledge moves on; Wikipedia's MEDRS guideline prefers reviews and "
         "guidelines from the last few years. Classic sources may stay, with a suppression.",
         '    issued: "2004"\n', '    issued: "2023"\n',
         check=outdated),
    Rule("REF108", "web-only-sources", "warning",
         "Every reference is a web page: none has a DOI, PMID, PMCID or ISBN.",
         "Medical claims should rest on published, reviewed sources (reviews, guidelines, "
         "textbooks), not on web pages alone.",
         "references:\n  - id: site\n    type: webpage\n    URL: https://example.org/\n",
         "references:\n  - id: gina2024\n    type: report\n    DOI: 10.1183/13993003.00456-2024"
         "\n",
         check=web_only),
    Rule("REF109", "undefined-footnote", "error",
         "A footnote reference `[^label]` has no `[^label]: ...` definition (it shows as "
         "text).",
         "The reader sees a stray `[^1]` and never the note it promised.",
         "Asthma is common.[^1]\n(no `[^1]: ...` line)\n",
         "Asthma is common.[^1]\n\n[^1]: In most countries.\n",
         check=footnotes),
)
