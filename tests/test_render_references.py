"""Citations, footnotes, the reference list and the upstream attribution in every output.

One article with 20 references cited 40 times (repeats, ranges, locators, several keys in
one bracket), a footnote, a very long web address and a CC BY-SA upstream is published as
HTML, JSON and PDF; the page then goes through the Nu checker and axe.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import load_config
from pipeline.publish import PublishRequest, publish
from pipeline.publish.verify import pdf_text
from tests.browser import axe_violations, format_axe, format_nu, nu_check
from tests.conftest import write_pyproject

SLUG = "cited-condition"
LONG_URL = ("https://www.example.org/guidance/" + "very-long-path-segment-" * 12
            + "final-page.html")
UPSTREAM_URL = "https://en.wikipedia.org/w/index.php?title=Cited_condition&oldid=1234567890"


def _reference(number: int) -> str:
    key = f"ref{number:02d}"
    if number == 20:
        return (f"  - id: {key}\n    type: webpage\n    title: Guidance on the long address\n"
                f"    author: [{{literal: Example Health Agency}}]\n    issued: \"2023\"\n"
                f"    URL: {LONG_URL}\n")
    return (f"  - id: {key}\n    type: article-journal\n    title: Trial number {number} of a"
            f" treatment\n    author: [{{family: Author{number}, given: A}}, {{family: Second,"
            f" given: B}}]\n    container-title: J Clin Med\n"
            f"    issued: \"{2016 + (number - 1) % 9}-0{1 + number % 9}\"\n"
            f"    volume: \"{number}\"\n    page: \"1{number}0-1{number}9\"\n"
            f"    DOI: 10.1000/trial.{number}\n    PMID: \"{30000000 + number}\"\n"
            + (f"    PMCID: PMC{7000000 + number}\n" if number % 2 else ""))


# 40 citations of 20 references: first use in order 1…20, then repeats.
BODY = """\
## Overview

A first claim [@ref01]. Two sources [@ref02; @ref03]. A range [@ref04; @ref05; @ref06].
A locator [@ref07, p. 4]. Mixed [@ref08; @ref09, chap. 2; @ref10]. With a prefix
[see @ref11]. Two more [@ref12; @ref13]. Note this.[^1]

## Causes

Claims [@ref14], [@ref15], [@ref16; @ref17; @ref18; @ref19], [@ref20]. Repeats [@ref01],
[@ref01; @ref02], [@ref03, p. 7], [@ref04; @ref05; @ref06; @ref07], [@ref20], [@ref11].
Again, written out of order [@ref13; @ref12].

## Symptoms

Known again [@ref19].

## Diagnosis

Tests [@ref16; @ref02; @ref09].

## Treatment

Treatment [@ref17; @ref18; @ref05, p. 12].

## See Also

- [{other}]({other_slug}.md)

## References

[^1]: A footnote that cites too [@ref01].
"""


def _article(title: str = "Cited condition", other: str = "Other condition") -> str:
    references = "".join(_reference(n) for n in range(1, 21))
    return (
        f"---\ntitle: {title}\ntype: condition\n"
        "summary: A condition used to test citations, notes and references in every output.\n"
        "license: CC-BY-SA-4.0\ndisclaimer: medical\n"
        "contributors:\n  - name: Amara Okafor\n    credentials: MD\n"
        "categories: [Cardiology]\nlast_reviewed: \"2025-09-16\"\n"
        f"references:\n{references}"
        "adapted_from:\n  title: Cited condition\n"
        f"  url: {UPSTREAM_URL}\n  revision: \"1234567890\"\n  date: \"2025-01-02\"\n"
        "  authors: Wikipedia contributors\n  license: CC-BY-SA-4.0\n"
        "  changes: Shortened and restructured; citations converted\n"
        "---\n" + BODY.replace("{other}", other).replace(
            "{other_slug}", other.lower().replace(" ", "-")))


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cited")
    (root / "articles").mkdir()
    (root / "articles" / f"{SLUG}.md").write_text(_article(), encoding="utf-8")
    (root / "articles" / "other-condition.md").write_text(
        _article("Other condition", "Cited condition"), encoding="utf-8")
    write_pyproject(root)
    result = publish(load_config(root), PublishRequest(out=root / "build",
                                                      formats=("html", "json", "pdf"), jobs=1))
    assert result.ok, [f"{d.code} {d.line}: {d.message}" for d in result.diagnostics]
    return root / "build"


@pytest.fixture(scope="module")
def page(build: Path) -> str:
    return (build / "html" / f"{SLUG}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def document(build: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((build / "json" / f"{SLUG}.json").read_bytes())
    return data


def _citations(page: str) -> list[str]:
    """The text of each citation mark, tags removed: `[1]`, `[2,3]`, a range."""
    return [re.sub(r"<[^>]+>", "", match) for match in
            re.findall(r'<sup class="citation" id="cite-\d+">(.*?)</sup>', page)]


def test_citations_are_numbered_by_first_use(page: str) -> None:
    found = _citations(page)
    assert found[:13] == ["[1]", "[2,3]", "[4\u20136]", "[7, p. 4]", "[8,10; 9, chap. 2]",
                          "[see 11]", "[12,13]", "[14]", "[15]", "[16\u201319]", "[20]", "[1]",
                          "[1,2]"]
    assert found[13:] == ["[3, p. 7]", "[4\u20137]", "[20]", "[11]", "[12,13]", "[19]",
                          "[2,9,16]", "[17,18; 5, p. 12]", "[1]"]
    links = sum(len(re.findall(r'href="#ref-', m)) for m in
                re.findall(r'<sup class="citation".*?</sup>', page))
    assert BODY.count("@ref") == 40
    assert links == 40 - 5  # each number a link; the middle of a range is not written


def test_citations_link_to_entries_with_backlinks(page: str) -> None:
    ids = re.findall(r'<sup class="citation" id="(cite-\d+)">', page)
    assert ids == [f"cite-{n}" for n in range(1, len(ids) + 1)]
    entries = re.findall(r'<li id="(ref-ref\d\d)">(.*?)</li>', page, re.DOTALL)
    assert [anchor for anchor, _ in entries] == [f"ref-ref{n:02d}" for n in range(1, 21)]
    assert '<a href="#ref-ref07">7</a>' in page
    first = dict(entries)["ref-ref01"]
    # cited in the Overview, twice in Causes and in the footnote: ↩ a b c d
    assert re.findall(r'href="#(cite-\d+)">([a-z])<', first) == [
        ("cite-1", "a"), ("cite-12", "b"), ("cite-13", "c"), ("cite-22", "d")]
    single = dict(entries)["ref-ref10"]
    assert re.findall(r'href="#(cite-\d+)">\u21a9<', single) == ["cite-5"]


def test_reference_entries_are_vancouver_with_links(page: str, document: dict[str, Any]
                                                    ) -> None:
    first = document["references"][0]
    assert first["text"].startswith("Author1 A, Second B. Trial number 1 of a treatment. "
                                    "J Clin Med. 2016 Feb")
    assert 'href="https://doi.org/10.1000/trial.1"' in page
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/30000001/"' in page
    assert 'href="https://www.ncbi.nlm.nih.gov/pmc/articles/PMC7000001/"' in page
    assert f'href="{html.escape(LONG_URL)}"' in page


def test_footnote_is_a_note_with_backlink(page: str) -> None:
    assert '<sup class="note-ref" id="note-ref-1"><a href="#note-1">[a]</a></sup>' in page
    notes = page.index('id="notes"')
    assert notes < page.index('id="references"')
    assert re.search(r'<li id="note-1">.*href="#note-ref-1">\u21a9</a>', page, re.DOTALL)


def test_attribution_names_the_upstream(page: str, document: dict[str, Any]) -> None:
    attribution = document["attribution"]
    assert "Adapted from “Cited condition” by Wikipedia contributors" in attribution
    assert UPSTREAM_URL in attribution and "revision 1234567890" in attribution
    assert "Changes: Shortened and restructured; citations converted." in attribution
    assert "this is the original article" not in page
    assert html.escape(attribution, quote=False) in page
    assert document["adapted_from"]["license"]["spdx"] == "CC-BY-SA-4.0"


def test_json_lists_structured_references(document: dict[str, Any]) -> None:
    references = document["references"]
    assert [r["number"] for r in references] == list(range(1, 21))
    assert [r["id"] for r in references] == [f"ref{n:02d}" for n in range(1, 21)]
    assert references[0]["csl"]["issued"] == {"date-parts": [[2016, 2]]}
    assert references[0]["csl"]["PMID"] == "30000001"
    assert LONG_URL in references[19]["text"]


def test_json_ld_cites_every_reference(page: str) -> None:
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    assert script is not None
    data = json.loads(script.group(1))
    citations = data["citation"]
    assert len(citations) == 20
    assert citations[0]["@type"] == "ScholarlyArticle"
    assert citations[0]["sameAs"] == "https://doi.org/10.1000/trial.1"
    assert {"@type": "PropertyValue", "propertyID": "PMID",
            "value": "30000001"} in citations[0]["identifier"]
    assert citations[19]["url"] == LONG_URL


def test_pdf_lists_every_reference(build: Path, document: dict[str, Any]) -> None:
    text = "".join(pdf_text((build / "print" / f"{SLUG}.pdf").read_bytes()).split())
    for reference in document["references"]:
        assert "".join(reference["text"].split()).replace("-", "") in text.replace("-", "")
    assert "[4\u20136]" in text and "[8,10;9,chap.2]" in text
    # printed in full; text extraction drops the hyphens where the address wraps
    assert LONG_URL.replace("-", "") in text.replace("-", "")
    assert "AdaptedfromCitedcondition" in text.replace("“", "").replace("”", "")


def test_validators_stay_clean(build: Path) -> None:
    page = build / "html" / f"{SLUG}.html"
    errors = nu_check([page])
    assert errors == [], format_nu(errors)
    found = axe_violations([page], root=build / "html")
    assert not any(found.values()), format_axe(found)


def test_memoised_style_lookups_format_every_entry_as_citeproc_does() -> None:
    """The memo of citeproc-py's lookups changes its speed, never its text."""
    from citeproc.model import CitationStylesElement

    from pipeline.render.references import (
        STYLE,
        _format,
        _style,
        memoise_style_lookups,
        unmemoised,
    )

    items = [
        {"id": f"r{n}", "type": kind, "title": f"Title {n}: a review", "author":
         [{"family": "Okafor", "given": "A"}, {"literal": "World Health Organization"}],
         "container-title": "Lancet", "issued": {"date-parts": [[2020 + n % 5, 1 + n % 12]]},
         "volume": str(n), "page": f"{n}-{n + 9}", "DOI": f"10.5555/x.{n}",
         "PMID": str(30000000 + n), "ISBN": "9780000000002", "URL": f"https://example.org/{n}"}
        for n, kind in enumerate(["article-journal", "book", "webpage", "chapter", "report"] * 3)]
    memoise_style_lookups()
    style = _style(STYLE)
    memoised = _format(style, items)
    patched = CitationStylesElement.xpath_search
    with unmemoised():
        assert CitationStylesElement.xpath_search is not patched
        plain = _format(style, items)
    assert CitationStylesElement.xpath_search is patched
    assert memoised == plain
    assert all(text.strip() for text in plain)


def _real_references() -> list[dict[str, object]]:
    """The citation templates of three real pages of the test data, as the importer reads
    them (several hundred entries: journals, books, web pages, reports, many authors)."""
    import mwparserfromhell

    from pipeline.importer.refs import from_template
    from pipeline.render.references import csl_json

    folder = Path(__file__).parent / "data" / "wikitext"
    items: list[dict[str, object]] = []
    for name in ("autism.wiki", "abortion.wiki", "malnutrition.wiki"):
        code = mwparserfromhell.parse((folder / name).read_text(encoding="utf-8"))
        for template in code.filter_templates(recursive=True):
            entry = from_template(template)
            if entry is not None:
                items.append(csl_json({**entry, "id": f"r{len(items)}"}))
    return items


def test_the_memos_and_the_completed_style_format_real_references_as_citeproc_does() -> None:
    """Real references, formatted by the style as loaded (every `cs:names` given its
    `cs:name`) with the memos, and by citeproc-py as it is on the style as written: the
    same text, entry by entry."""
    from citeproc import CitationStylesStyle

    from pipeline.render.references import STYLE, _format, _style, unmemoised

    items = _real_references()
    assert len(items) > 300
    fast = _format(_style(STYLE), items)
    with unmemoised():
        plain = _format(CitationStylesStyle(str(STYLE), validate=False), items)
    assert fast == plain
    assert sum("doi:" in text for text in fast) > 100


def test_formatting_leaves_the_style_as_it_was() -> None:
    """citeproc-py on its own adds an element to the style for each entry with authors;
    the completed style, and the memos keyed by its elements, stay the same size."""
    from pipeline.render.references import STYLE, _format, _style

    style = _style(STYLE)
    items = _real_references()[:40]
    _format(style, items)
    size = len(list(style.root.iter()))
    for _ in range(5):
        _format(style, items)
    assert len(list(style.root.iter())) == size


def test_a_process_keeps_a_bounded_number_of_formatted_entries(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that formats thousands of distinct references does not keep them all; the
    ones cited most recently are still not formatted again."""
    from pipeline.render import references

    monkeypatch.setattr(references, "KEPT_ENTRIES", 5)
    monkeypatch.setattr(references, "_FORMATTED", {})
    items = [{"id": f"r{n}", "type": "webpage", "title": f"Page {n}",
              "URL": f"https://www.who.int/{n}"} for n in range(12)]
    texts = references.format_references(items)
    assert [text.split(" [")[0] for text in texts] == [f"Page {n}" for n in range(12)]
    (kept,) = references._FORMATTED.values()
    assert len(kept) == 5
    calls: list[int] = []
    real = references._format

    def counting(style: object, batch: list[dict[str, object]]) -> list[str]:
        calls.append(len(batch))
        return real(style, batch)

    monkeypatch.setattr(references, "_format", counting)
    assert references.format_references([items[11], items[7]]) == [texts[11], texts[7]]
    assert calls == []  # the five most recent were kept
    assert references.format_references([items[0]]) == [texts[0]] and calls == [1]
    assert len(kept) == 5


def test_each_distinct_reference_is_formatted_once_per_process() -> None:
    from pipeline.render import references

    item = {"id": "who", "type": "webpage", "title": "Asthma", "URL": "https://www.who.int/"}
    first = references.format_references([item, dict(item, title="Other")])
    calls: list[int] = []
    real = references._format

    def counting(style: object, items: list[dict[str, object]]) -> list[str]:
        calls.append(len(items))
        return real(style, items)

    references._format = counting  # type: ignore[assignment]
    try:
        again = references.format_references([dict(item, title="Other"), item,
                                              dict(item, title="New")])
    finally:
        references._format = real  # type: ignore[assignment]
    assert again == [first[1], first[0], again[2]] and calls == [1]
    assert "New" in again[2]
