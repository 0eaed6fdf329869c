"""Citations, footnotes and the reference list: numbers, links and Vancouver entries.

Each article that cites gets a `Numbering`: the references in order of first citation (the
ones never cited follow, in the order written), each with its number and element id. The
Markdown renderer asks it for the HTML of every citation (`[1]`, `[1,2]`, ranges with an en
dash, `[2, p. 4]`) and every footnote mark, and it remembers each occurrence so the lists link
back. The entries are formatted by citeproc-py with the CSL style bundled in
`templates/csl/` (NLM/Vancouver, Citing Medicine): the plain text is citeproc's, the HTML is
that text escaped, with the web address, DOI, PMID and PMCID made links. citeproc is
imported, and the style parsed, only when an article has references, once per process.
"""

from __future__ import annotations

import html
import json
import re
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from markdown_it.token import Token

from pipeline.citations import CitedItem
from pipeline.names import free_id

STYLE = Path(__file__).resolve().parents[2] / "templates" / "csl" / "vancouver.csl"

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]")
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?")
_NUMBER = re.compile(r"^\s*\d+\.\s*")  # citeproc's citation number: our list numbers itself
# A web address in running text, without the punctuation that closes the sentence.
WEB_ADDRESS = re.compile(r"https?://[^\s<>\"]*[^\s<>\".,;:!?)\]]")
_DATES = ("issued", "accessed", "original-date", "event-date", "submitted")
PUBMED = "https://pubmed.ncbi.nlm.nih.gov/{}/"
PMC = "https://www.ncbi.nlm.nih.gov/pmc/articles/{}/"
DOI = "https://doi.org/{}"


@dataclass(frozen=True)
class ReferenceView:
    """One entry of the reference list."""

    number: int
    id: str  # the key written in `references:` and cited as `@id`
    anchor: str  # element id of the entry: `ref-<id>`
    csl: dict[str, Any]  # the entry as CSL-JSON (numbers in dates)
    text: str  # the Vancouver entry as plain text
    html: str  # the same, escaped, with links

    @property
    def doi_url(self) -> str:
        doi = self.csl.get("DOI")
        return DOI.format(doi) if isinstance(doi, str) and doi else ""


def note_label(number: int) -> str:
    """A footnote's mark: a, b, … z, aa, ab, … (CSS `lower-alpha`); citations are numbers."""
    label = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        label = chr(ord("a") + rest) + label
    return label


def element_id(prefix: str, key: str, used: set[str]) -> str:
    """`prefix-key` with every character an id or a fragment should not hold replaced; a
    suffix when the page already uses it."""
    return free_id(prefix + _ID_UNSAFE.sub("-", key), used)


@dataclass
class Numbering:
    """The citation numbers of one article, and every occurrence as it is rendered."""

    numbers: dict[str, int]  # key → number
    anchors: dict[str, str]  # key → element id of its entry
    note_counts: dict[int, int] = field(default_factory=dict)  # footnote id → references
    occurrences: dict[str, list[str]] = field(default_factory=dict)  # key → occurrence ids
    count: int = 0

    def citation(self, token: Token) -> str:
        """A citation as superscript numbers linking to the entries; an id for the
        back-links. A key that is not in `references:` (the check reports it): the text
        as written."""
        items: list[CitedItem] = list((token.meta or {}).get("items") or [])
        if not items or any(item.key not in self.numbers for item in items):
            return html.escape(token.content)
        self.count += 1
        occurrence = f"cite-{self.count}"
        for item in items:
            seen = self.occurrences.setdefault(item.key, [])
            if not seen or seen[-1] != occurrence:
                seen.append(occurrence)
        plain = sorted({self.numbers[i.key]: i for i in items
                        if not i.locator and not i.prefix}.items())
        parts = [",".join(self._runs([number for number, _ in plain],
                                     {n: i.key for n, i in plain}))] if plain else []
        for item in items:
            if item.locator or item.prefix:
                prefix = f"{html.escape(item.prefix)} " if item.prefix else ""
                locator = f", {html.escape(item.locator)}" if item.locator else ""
                parts.append(prefix + self._link(item.key) + locator)
        return (f'<sup class="citation" id="{occurrence}">'
                f'[{"; ".join(parts) if len(parts) > 1 else parts[0]}]</sup>')

    def _link(self, key: str) -> str:
        return f'<a href="#{html.escape(self.anchors[key])}">{self.numbers[key]}</a>'

    def _runs(self, numbers: list[int], keys: dict[int, str]) -> list[str]:
        """`1,2`; three or more consecutive numbers become a range, first and last."""
        runs: list[list[int]] = []
        for number in numbers:
            if runs and number == runs[-1][-1] + 1:
                runs[-1].append(number)
            else:
                runs.append([number])
        shown: list[str] = []
        for run in runs:
            if len(run) >= 3:
                shown.append(f"{self._link(keys[run[0]])}\u2013{self._link(keys[run[-1]])}")
            else:
                shown.extend(self._link(keys[number]) for number in run)
        return shown

    def backlinks(self, key: str) -> str:
        """`↩` to the one citation of an entry, or `↩ a b c` to each of them."""
        return _backlinks(self.occurrences.get(key, []), "Back to citation")

    def note_ref(self, token: Token) -> str:
        meta = token.meta or {}
        number = int(meta.get("id", 0)) + 1
        sub = int(meta.get("subId", 0))
        ref_id = f"note-ref-{number}" + (f"-{sub + 1}" if sub else "")
        return (f'<sup class="note-ref" id="{ref_id}"><a href="#note-{number}">'
                f"[{note_label(number)}]</a></sup>")

    def note_anchor(self, token: Token) -> str:
        meta = token.meta or {}
        number = int(meta.get("id", 0)) + 1
        sub = int(meta.get("subId", 0))
        count = self.note_counts.get(number - 1, 1)
        target = f"#note-ref-{number}" + (f"-{sub + 1}" if sub else "")
        if count <= 1:
            return f' <span class="backlinks"><a href="{target}">\u21a9</a></span>'
        opening = ' <span class="backlinks">\u21a9' if sub == 0 else ""
        closing = "</span>" if sub == count - 1 else ""
        return f'{opening} <a href="{target}">{note_label(sub + 1)}</a>{closing}'


def _backlinks(targets: list[str], title: str) -> str:
    if not targets:
        return ""
    if len(targets) == 1:
        return f' <span class="backlinks"><a href="#{targets[0]}">\u21a9</a></span>'
    links = " ".join(f'<a href="#{target}">{note_label(index + 1)}</a>'
                     for index, target in enumerate(targets))
    return f' <span class="backlinks">\u21a9 {links}</span>'


def numbering(cited: list[str], entries: list[dict[str, Any]], used: set[str]) -> Numbering:
    """Numbers by order of first citation of a known key, then the entries never cited."""
    keys = [str(e["id"]) for e in entries]
    known = set(keys)
    order = list(dict.fromkeys([key for key in cited if key in known] + keys))
    return Numbering({key: n for n, key in enumerate(order, 1)},
                     {key: element_id("ref-", key, used) for key in order})


def reference_entries(value: Any) -> list[dict[str, Any]]:
    """The usable entries of `references:`: mappings with a string id, first of each id."""
    entries: dict[str, dict[str, Any]] = {}
    for entry in value if isinstance(value, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry["id"]:
            entries.setdefault(entry["id"], entry)
    return list(entries.values())


def csl_json(entry: dict[str, Any]) -> dict[str, Any]:
    """Our CSL YAML (every scalar a string, as loaded) as CSL-JSON: dates as numbers."""
    result: dict[str, Any] = {}
    for key, value in entry.items():
        if not isinstance(key, str):
            continue
        if key in _DATES:
            date = _csl_date(value)
            if date is not None:
                result[key] = date
        elif isinstance(value, str):
            result[key] = value
        elif isinstance(value, list):
            names = [{k: v for k, v in person.items() if isinstance(k, str) and isinstance(v, str)}
                     for person in value if isinstance(person, dict)]
            if names:
                result[key] = names
    return result


def _csl_date(value: Any) -> dict[str, Any] | None:
    if isinstance(value, str):
        match = _DATE.fullmatch(value.strip())
        return {"date-parts": [[int(p) for p in match.groups() if p]]} if match else None
    if isinstance(value, dict) and isinstance(value.get("date-parts"), list):
        parts = [[int(p) for p in part if isinstance(p, str) and p.isdigit()]
                 for part in value["date-parts"] if isinstance(part, list)]
        parts = [part for part in parts if part]
        return {"date-parts": parts} if parts else None
    return None


@cache
def _style(path: Path) -> Any:
    """The CSL style, parsed once per process."""
    from citeproc import CitationStylesStyle  # type: ignore[import-untyped]

    memoise_style_lookups()
    style = CitationStylesStyle(str(path), validate=False)
    _complete_names(style.root)
    return style


def _complete_names(root: Any) -> None:
    """Give every `cs:names` of the style its `cs:name`, as citeproc-py would on first use.

    Without one, citeproc-py makes an element outside the CSL namespace, inserts it and then
    cannot find it: each formatted entry with authors added one more to the style, so a
    process formatting thousands of entries grew its style, and the lookups under it,
    without end. The inserted default has no attributes, like citeproc's. `cs:names` inside
    a `cs:substitute` are left as they are: those borrow their parent's `cs:name`."""
    namespace = "{http://purl.org/net/xbiblio/csl}"
    for names in root.iter(f"{namespace}names"):
        parent = names.getparent()
        if parent is not None and parent.tag == f"{namespace}substitute":
            continue
        if names.find(f"{namespace}name") is None:
            names.insert(0, names.makeelement(f"{namespace}name"))


def memoise_style_lookups() -> None:
    """citeproc-py walks the style's XML for every entry and looks the same things up again
    and again: the same XPath expressions and child elements of the same (never changed)
    style and locale elements, each element's root, and each cited item's reference (130
    times per entry, through three dictionaries and an exception per miss). Each answer is
    kept per element (or per cited item), which brings an entry from 3.7 to about 1.2 ms
    here and leaves the text the same (`tests/test_render_references.py` formats with and
    without, see `unmemoised`). Child lookups (`element.name`) are not kept: citeproc adds
    a missing `cs:name` to the style on first use and must find it the next time. Tied to
    citeproc-py's internals: its version is pinned below the next minor release in
    pyproject.toml, and a test checks that the memos stay bounded."""
    if _ORIGINALS:
        return
    from functools import cached_property

    from citeproc import model
    from citeproc.model import CitationStylesElement, Locale  # type: ignore[import-untyped]
    from citeproc.source import CitationItem  # type: ignore[import-untyped]

    # holding an element in a key keeps its lxml proxy alive, and so its identity
    searched: dict[tuple[Any, str], tuple[Any, ...]] = {}
    roots: dict[Any, Any] = {}
    xpath_search, get_root = CitationStylesElement.xpath_search, CitationStylesElement.get_root

    def memo_xpath_search(self: Any, expression: str) -> list[Any]:
        key = (self, expression)
        result = searched.get(key)
        if result is None:
            result = searched[key] = tuple(xpath_search(self, expression))
        return list(result)

    def memo_get_root(self: Any) -> Any:
        root = roots.get(self)
        if root is None:
            root = roots[self] = get_root(self)
        return root

    owners: dict[Any, Any] = {}
    get_formatter = CitationStylesElement.get_formatter

    def memo_get_formatter(self: Any) -> Any:  # the formatter is set per bibliography
        owner = owners.get(self)
        if owner is None:
            root = self.get_root()
            owner = owners[self] = root.style if isinstance(root, Locale) else root
        return owner.formatter

    options: dict[tuple[Any, str], Any] = {}
    locale_option = Locale.get_option

    def memo_locale_option(self: Any, name: str) -> Any:
        key = (self, name)
        if key not in options:
            try:
                options[key] = locale_option(self, name)
            except IndexError:  # the locale has no options: citeproc then asks the style
                options[key] = IndexError
        if options[key] is IndexError:
            raise IndexError(name)
        return options[key]

    replaced: list[tuple[type, str, Any]] = []
    for owner in (model.Parent, *(getattr(model, name) for name in _CALLS_VARIABLE)):
        replaced.append((owner, "calls_variable", _per_element(owner.calls_variable)))

    def reference(self: Any) -> Any:  # an item's reference never changes once it is cited
        return self.citation.bibliography.source[self.key]

    memo_reference = cached_property(reference)
    memo_reference.__set_name__(CitationItem, "reference")
    _ORIGINALS.extend([(CitationStylesElement, "xpath_search", xpath_search),
                       (CitationStylesElement, "get_root", get_root),
                       (CitationStylesElement, "get_formatter", get_formatter),
                       (Locale, "get_option", locale_option),
                       (CitationItem, "reference", CitationItem.__dict__["reference"])])
    _ORIGINALS.extend((owner, name, owner.__dict__[name]) for owner, name, _ in replaced)
    CitationStylesElement.xpath_search = memo_xpath_search
    CitationStylesElement.get_root = memo_get_root
    CitationStylesElement.get_formatter = memo_get_formatter
    Locale.get_option = memo_locale_option
    CitationItem.reference = memo_reference
    for owner, name, memo in replaced:
        setattr(owner, name, memo)


# the classes of citeproc.model whose `calls_variable` depends only on the element (its
# attributes and children), as `Parent`'s does
_CALLS_VARIABLE = ("Text", "Date", "Number", "Names", "Label", "Group")


def _per_element(method: Any) -> Any:
    """`method` (of no argument but the element) answered once per element."""
    answers: dict[Any, Any] = {}

    def memo(self: Any) -> Any:
        answer = answers.get(self, answers)
        if answer is answers:
            answer = answers[self] = method(self)
        return answer

    return memo


_ORIGINALS: list[tuple[type, str, Any]] = []  # what `memoise_style_lookups` replaced


@contextmanager
def unmemoised() -> Iterator[None]:
    """citeproc-py as it is, for a while: to compare its text with the memoised one's."""
    memoise_style_lookups()
    memos = [(owner, name, owner.__dict__[name]) for owner, name, _ in _ORIGINALS]
    for owner, name, original in _ORIGINALS:
        setattr(owner, name, original)
    try:
        yield
    finally:
        for owner, name, memo in memos:
            setattr(owner, name, memo)


def format_references(items: list[dict[str, Any]], style: Path = STYLE) -> list[str]:
    """Each CSL-JSON item as the style writes it in the bibliography, as plain text.

    In this citation-sequence style an entry does not depend on the others (its number is
    ours), so a process keeps the last `KEPT_ENTRIES` distinct items it formatted: a
    guideline that many articles cite costs one formatting. Kept without a bound, the texts
    of a worker's every reference grew it by about 12 KB an article (60 MB over 5,000)."""
    keys = [json.dumps(item, sort_keys=True, ensure_ascii=False) for item in items]
    known = _FORMATTED.setdefault(str(style), OrderedDict())
    missing = [key for key in dict.fromkeys(keys) if key not in known]
    for key in keys:
        if key in known:
            known.move_to_end(key)
    found = dict(zip(missing, _format(_style(style), [items[keys.index(key)] for key in missing]),
                     strict=True)) if missing else {}
    for key, text in found.items():
        known[key] = text
    while len(known) > KEPT_ENTRIES:
        known.popitem(last=False)
    return [found[key] if key in found else known[key] for key in keys]


KEPT_ENTRIES = 2000  # distinct formatted entries a process keeps, the least recently used go
_FORMATTED: dict[str, OrderedDict[str, str]] = {}


def _format(style: Any, items: list[dict[str, Any]]) -> list[str]:
    import warnings

    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON  # type: ignore[import-untyped]

    # citeproc-py lower-cases ids; feed it positions, so any two ids stay apart
    data = [{**item, "id": f"item{index}"} for index, item in enumerate(items)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fields the style does not use
        bibliography = CitationStylesBibliography(style, CiteProcJSON(data), formatter.plain)
        for index in range(len(data)):
            bibliography.register(Citation([CitationItem(f"item{index}")]))
        entries = [str(entry) for entry in bibliography.bibliography()]
    return [" ".join(_NUMBER.sub("", entry, count=1).split()) for entry in entries]


def entry_html(text: str, csl: dict[str, Any]) -> str:
    """The plain entry escaped, with its web address, DOI, PMID and PMCID as links; the text
    a reader sees stays exactly `text`."""
    links: list[tuple[int, int, str]] = []
    for match in WEB_ADDRESS.finditer(text):
        links.append((match.start(), match.end(), match.group()))
    identifiers = (("DOI", "doi:", DOI), ("PMID", "PMID: ", PUBMED), ("PMCID", "PMCID: ", PMC))
    for name, label, address in identifiers:
        value = csl.get(name)
        if not isinstance(value, str) or not value:
            continue
        start = text.find(label + value)
        start = start + len(label) if start >= 0 else text.find(value)
        if start < 0 or any(s <= start < e for s, e, _ in links):
            continue
        links.append((start, start + len(value), address.format(value)))
    out: list[str] = []
    end = 0
    for start, stop, href in sorted(links):
        if start < end:
            continue
        out.append(html.escape(text[end:start], quote=False))
        out.append(f'<a href="{html.escape(href)}">{html.escape(text[start:stop], quote=False)}'
                   "</a>")
        end = stop
    out.append(html.escape(text[end:], quote=False))
    return "".join(out)


def reference_views(entries: list[dict[str, Any]], numbers: Numbering) -> list[ReferenceView]:
    """The reference list in number order."""
    by_key = {str(entry["id"]): entry for entry in entries}
    ordered = sorted(numbers.numbers, key=numbers.numbers.__getitem__)
    items = [csl_json(by_key[key]) for key in ordered]
    texts = format_references(items) if items else []
    return [ReferenceView(numbers.numbers[key], key, numbers.anchors[key], item, text,
                          entry_html(text, item))
            for key, item, text in zip(ordered, items, texts, strict=True)]


def reference_list_html(references: list[ReferenceView], numbers: Numbering) -> str:
    items = "".join(f'<li id="{html.escape(ref.anchor)}">{ref.html}'
                    f"{numbers.backlinks(ref.id)}</li>\n" for ref in references)
    return f'<ol class="references" data-pagefind-ignore>\n{items}</ol>\n'
