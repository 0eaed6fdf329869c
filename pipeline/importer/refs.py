"""`<ref>` contents → CSL entries: citation templates (`{{cite journal|book|web|news}}`,
`{{Cite PMID}}`, `{{vcite …}}`, `{{citation}}`) field by field, bare URLs and free text
(identifiers found in it), and the merging of entries that share a DOI or PMID."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import mwparserfromhell
from mwparserfromhell.nodes import ExternalLink, Template
from mwparserfromhell.wikicode import Wikicode

from pipeline.names import slugify

CSL = dict[str, Any]

_CITE_TYPES = {"journal": "article-journal", "book": "book", "web": "webpage",
               "news": "article-newspaper", "magazine": "article-magazine",
               "report": "report", "thesis": "thesis", "conference": "paper-conference",
               "encyclopedia": "entry-encyclopedia", "press release": "webpage",
               "pmid": "article-journal", "doi": "article-journal", "av media": "motion_picture"}
# Identifiers written in free text ("doi:10.1016/…", "PMID 23746776"): plain data, not markup.
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>|\]]+)", re.IGNORECASE)
_PMID = re.compile(r"\bPMID:?\s*(\d{1,9})\b")
_PMC = re.compile(r"\bPMC\s*(\d{1,9})\b")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_MONTHS = {name: number for number, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
     ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
     ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for name in names}
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass
class RefTable:
    """The references of one page: CSL entries by id, and how ref names map to them."""

    entries: dict[str, CSL] = field(default_factory=dict)
    by_name: dict[str, str] = field(default_factory=dict)  # <ref name=…> → id
    by_key: dict[str, str] = field(default_factory=dict)  # doi:…, pmid:…, text:… → id
    merged: int = 0  # definitions merged into an earlier one (same DOI, PMID or title+page)
    unusable: list[str] = field(default_factory=list)  # refs with no title we could find

    def add(self, entry: CSL, name: str | None) -> str:
        """Record an entry (or find the one it duplicates); returns its id."""
        keys = [f"doi:{entry['DOI'].lower()}" if entry.get("DOI") else "",
                f"pmid:{entry['PMID']}" if entry.get("PMID") else "",
                # the same work cited at another page is another citation: kept apart
                f"text:{entry.get('title', '').lower()}|{entry.get('URL', '')}"
                f"|{entry.get('page', '')}"]
        for key in keys:
            if key and key in self.by_key:
                found = self.by_key[key]
                self.merged += 1
                if name:
                    self.by_name[name] = found
                return found
        entry["id"] = self._unique_id(entry)
        ordered = {"id": entry.pop("id"), **entry}
        self.entries[ordered["id"]] = ordered
        for key in keys:
            if key:
                self.by_key[key] = ordered["id"]
        if name:
            self.by_name[name] = ordered["id"]
        return str(ordered["id"])

    def _unique_id(self, entry: CSL) -> str:
        authors = entry.get("author") or []
        first = authors[0] if authors else {}
        who = slugify(str(first.get("family") or first.get("literal") or ""))
        who = who.split("-")[0] if who else ""
        if not who:
            words = slugify(str(entry.get("title", ""))).split("-")
            who = "-".join(words[:3]) or "ref"
        year = str(entry.get("issued", ""))[:4]
        base = f"{who}{year}" if year.isdigit() else who
        candidate, suffix = base, 0
        while candidate in self.entries:
            suffix += 1
            candidate = f"{base}{chr(ord('a') + (suffix - 1) % 26)}" + (
                str(suffix // 26) if suffix > 26 else "")
        return candidate


def plain(code: Wikicode | str) -> str:
    """A parameter value as plain text: templates dropped, links as their text."""
    text = code if isinstance(code, str) else str(code.strip_code(normalize=True,
                                                                   collapse=True))
    return " ".join(text.replace("\u00a0", " ").split())


def _param(template: Template, *names: str) -> str:
    for name in names:
        if template.has(name):
            value = plain(template.get(name).value)
            if value:
                return value
    return ""


def cite_kind(template: Template) -> str | None:
    """The CSL type a citation template stands for, or None if it is not one."""
    name = str(template.name).strip().lower().replace("_", " ")
    for prefix in ("cite ", "vcite ", "vcite2 "):
        if name.startswith(prefix):
            return _CITE_TYPES.get(name[len(prefix):].strip(), "document")
    if name in ("citation", "vancite journal", "vancite book", "vancite web"):
        return "book" if template.has("isbn") and not template.has("journal") else (
            "article-journal" if template.has("journal") else "document")
    return None


# Templates that cite one work without being a `{{cite …}}`: name → (CSL type, the work).
_WRAPPERS = {"dorlandsdict": ("entry-dictionary", "Dorland's Medical Dictionary"),
             "ullmann": ("entry-encyclopedia", "Ullmann's Encyclopedia of Industrial Chemistry")}


def from_template(template: Template) -> CSL | None:
    """A CSL entry from a citation template (None for a template that is not one)."""
    name = str(template.name).strip().lower()
    work = ""
    kind = cite_kind(template)
    if kind is None:
        wrapper = _WRAPPERS.get(" ".join(name.replace("_", " ").split()))
        if wrapper is None:
            return None
        kind, work = wrapper
    entry: CSL = {"type": kind}
    if name in ("cite pmid", "cite doi"):
        ident = plain(template.get(1).value) if template.has(1) else ""
        key = "PMID" if name == "cite pmid" else "DOI"
        if ident:
            entry[key] = ident
        entry["title"] = f"{key} {ident}" if ident else ""
    title = _param(template, "title", "chapter", "script-title", "trans-title")
    if template.has("chapter") and template.has("title") and kind == "book":
        entry["type"] = "chapter"
        entry["title"] = _param(template, "chapter")
        entry["container-title"] = _param(template, "title")
    elif title:
        entry["title"] = title
    container = _param(template, "journal", "website", "work", "newspaper", "magazine",
                       "periodical", "encyclopedia")
    if container and "container-title" not in entry:
        entry["container-title"] = container
    authors = _authors(template)
    if authors:
        entry["author"] = authors
    editors = _people(template, ("editor-last", "editor-surname", "editor{n}-last"),
                      ("editor-first", "editor-given", "editor{n}-first"))
    if editors:
        entry["editor"] = editors
    for csl, names in (("publisher", ("publisher",)),
                       ("publisher-place", ("location", "place")),
                       ("volume", ("volume",)), ("issue", ("issue", "number")),
                       ("page", ("pages", "page", "at")), ("edition", ("edition",))):
        value = _param(template, *names)
        if value:
            entry[csl] = value.replace("\u2013", "-").rstrip("-").strip() or value
    issued = _date(_param(template, "date", "year", "publication-date"))
    if issued:
        entry["issued"] = issued
    for csl, names in (("DOI", ("doi", "DOI")), ("PMID", ("pmid", "PMID")),
                       ("PMCID", ("pmc", "PMC")), ("ISBN", ("isbn", "ISBN")),
                       ("ISSN", ("issn", "ISSN")), ("URL", ("url", "URL"))):
        value = _param(template, *names)
        if value and csl not in entry:
            entry[csl] = value
    if entry.get("PMCID") and not str(entry["PMCID"]).upper().startswith("PMC"):
        entry["PMCID"] = f"PMC{entry['PMCID']}"
    if entry.get("PMID") and not str(entry["PMID"]).isdigit():
        entry.pop("PMID")
    if entry.get("DOI"):
        entry["DOI"] = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", entry["DOI"],
                              flags=re.IGNORECASE)
    if work:
        entry.setdefault("container-title", work)
        if not entry.get("title"):  # {{DorlandsDict|five/000062745|malnutrition}}: the term
            terms = [plain(p.value) for p in template.params if not p.showkey]
            entry["title"] = next((t for t in reversed(terms) if t), "")
    if not entry.get("title"):
        entry["title"] = entry.get("container-title") or entry.get("URL") or ""
    return entry


def _authors(template: Template) -> list[dict[str, str]]:
    for names in ("vauthors", "authors", "people"):
        if template.has(names):
            value = plain(template.get(names).value)
            if value:
                return _vancouver(value)
    people = _people(template, ("last", "surname", "last{n}", "surname{n}", "author{n}-last"),
                     ("first", "given", "first{n}", "given{n}", "author{n}-first"))
    if people:
        return people
    literal = [plain(template.get(n).value) for n in ("author", "author1", "author2",
                                                       "author3", "author4", "author5")
               if template.has(n) and plain(template.get(n).value)]
    return [_split_name(name) for name in literal]


def _people(template: Template, lasts: tuple[str, ...], firsts: tuple[str, ...]
            ) -> list[dict[str, str]]:
    people: list[dict[str, str]] = []
    for number in range(1, 100):
        last = _numbered(template, lasts, number)
        if not last:
            if number > 1:
                break
            continue
        person = {"family": last}
        first = _numbered(template, firsts, number)
        if first:
            person["given"] = first
        people.append(person)
    return people


def _numbered(template: Template, patterns: tuple[str, ...], number: int) -> str:
    names = [p.format(n=number) for p in patterns if "{n}" in p]
    if number == 1:
        names = [p for p in patterns if "{n}" not in p] + names
    return _param(template, *names)


def _vancouver(value: str) -> list[dict[str, str]]:
    """`Smith J, Jones AB, etal` → CSL names (et al. dropped)."""
    people = []
    for part in value.split(","):
        name = part.strip().rstrip(".")
        if not name or name.lower().replace(" ", "") in ("etal", "et.al", "etal."):
            continue
        pieces = name.rsplit(" ", 1)
        if len(pieces) == 2 and pieces[1].isupper() and len(pieces[1]) <= 4:
            people.append({"family": pieces[0], "given": pieces[1]})
        else:
            people.append({"literal": name})
    return people


def _split_name(name: str) -> dict[str, str]:
    if "," in name:
        family, given = (p.strip() for p in name.split(",", 1))
        return {"family": family, "given": given} if given else {"family": family}
    return {"literal": name}


def _date(value: str) -> str:
    """A citation date (`2019`, `March 2021`, `9 November 2019`, `2017-11-25`) as CSL
    `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; "" when no year can be found."""
    value = value.strip()
    iso = _ISO.match(value)
    if iso:
        year, month, day = iso.groups()
        parts = [year] + [f"{int(p):02d}" for p in (month, day) if p]
        return "-".join(parts)
    year_match = _YEAR.search(value)
    if not year_match:
        return ""
    words = re.findall(r"[A-Za-z]+|\d+", value)
    month = next((_MONTHS[w.lower()] for w in words if w.lower() in _MONTHS), 0)
    days = [int(w) for w in words if w.isdigit() and len(w) <= 2 and 1 <= int(w) <= 31]
    if month and len(days) == 1:
        return f"{year_match.group(1)}-{month:02d}-{days[0]:02d}"
    if month:
        return f"{year_match.group(1)}-{month:02d}"
    return year_match.group(1)


def from_ref(contents: Wikicode) -> CSL | None:
    """The CSL entry a `<ref>`'s contents describe: its first citation template, else a
    bare URL, else its free text (with any DOI/PMID written in it). None if empty."""
    for template in contents.filter_templates(recursive=False):
        cited = from_template(template)
        if cited is not None and cited.get("title"):
            return cited
    text = plain(contents)
    links = contents.filter_external_links(recursive=True)
    if not text and not links:
        return None
    entry: CSL = {"type": "document"}  # a fresh mapping, never None
    if links:
        link: ExternalLink = links[0]
        entry["type"] = "webpage"
        entry["URL"] = str(link.url).strip()
        label = plain(link.title) if link.title else ""
        outside = plain(mwparserfromhell.parse(str(contents).replace(str(link), " ")))
        entry["title"] = label or outside or entry["URL"]
    else:
        quoted = re.search(r"[\"\u201c]([^\"\u201d]{8,})[\"\u201d]", text)
        entry["title"] = (quoted.group(1) if quoted else text)[:300].strip(" .")
    raw = str(contents)
    for key, pattern in (("DOI", _DOI), ("PMID", _PMID), ("PMCID", _PMC)):
        found = pattern.search(raw)
        if found:
            entry[key] = (f"PMC{found.group(1)}" if key == "PMCID"
                          else found.group(1).rstrip(".,;"))
    if entry.get("DOI") or entry.get("PMID"):
        entry["type"] = "article-journal"
    year = _YEAR.search(text)
    if year:
        entry["issued"] = year.group(1)
    return entry
