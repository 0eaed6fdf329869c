"""The HTML site: notices, credits, structured data, links and escaping, page by page.

Most tests read the golden fixture site (`tests/golden/articles/`) rendered into a temporary
build folder; the escaping tests render articles with hostile front matter.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import pytest

from pipeline.render.environment import environment, script_json, tojson_script
from pipeline.render.html import (
    long_date,
    render_article_page,
    render_index_page,
    sorted_views,
    stylesheet,
)
from pipeline.render.view import ArticleView, build_view
from tests.golden import (
    GOLDEN_ARTICLES,
    HOSTILE_NAME,
    HOSTILE_TITLE,
    TEMPLATES,
    Corpus,
    hostile_article,
    load_corpus,
    render_site,
    write_site,
)

DEED = "https://creativecommons.org/licenses/by-sa/4.0/"


class Page(HTMLParser):
    """What the tests look at in a page: elements, ids, links, headings, text, scripts."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.headings: list[tuple[int, str]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.text_parts: list[str] = []
        self._open: list[tuple[str, dict[str, str], list[str]]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.elements.append((tag, values))
        if tag in ("script", "title", "h1", "h2", "h3", "h4", "h5", "h6"):
            self._open.append((tag, values, []))

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            name, attrs, parts = self._open.pop()
            text = "".join(parts)
            if name == "script":
                self.scripts.append((attrs, text))
            elif name.startswith("h") and name[1:].isdigit():
                self.headings.append((int(name[1]), " ".join(text.split())))
            else:
                self.title = text

    def handle_data(self, data: str) -> None:
        for _, _, parts in self._open:
            parts.append(data)
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.text_parts).split())

    def all(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag
                and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())]

    @property
    def ids(self) -> list[str]:
        return [a["id"] for _, a in self.elements if "id" in a]

    def json_ld(self) -> Any:
        found = [text for attrs, text in self.scripts
                 if attrs.get("type") == "application/ld+json"]
        assert len(found) == 1
        return json.loads(found[0])


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load_corpus()


@pytest.fixture(scope="module")
def build(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    write_site(render_site(corpus, with_stylesheet=True), out, GOLDEN_ARTICLES / "images")
    return out / "html"


def page(build: Path, name: str) -> Page:
    return Page((build / name).read_text(encoding="utf-8"))


def html_pages(build: Path) -> list[Path]:
    return sorted(build.rglob("*.html"))


# -- every page ----------------------------------------------------------------------------


def test_every_page_has_the_head_and_landmarks(build: Path) -> None:
    for path in html_pages(build):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>\n<html lang=\"en-GB\">"), path
        parsed = Page(text)
        assert parsed.title.endswith("Open Medical Encyclopedia"), path
        assert parsed.all("meta", name="description")[0]["content"], path
        if path.name == "404.html":  # served at any address: no canonical, links from "/"
            assert parsed.all("link", rel="canonical") == []
            root = "/"
        else:
            canonical = parsed.all("link", rel="canonical")[0]["href"]
            assert canonical.startswith("https://encyclopedia.example.org/"), path
            root = "../" if path.parent.name in ("category", "a-z") else ""
        assert parsed.all("meta", name="viewport"), path
        assert [a["href"] for a in parsed.all("link", rel="stylesheet")] == [root + "style.css"]
        assert parsed.all("form", role="search")[0]["action"] == root + "search.html"
        for landmark in ("header", "nav", "main", "footer"):
            assert parsed.all(landmark), (path, landmark)
        assert len(parsed.all("main")) == 1
        assert parsed.all("a", class_="skip-link")[0]["href"] == "#" + parsed.all("main")[0]["id"]
        assert "Read the disclaimer" in parsed.text
        assert DEED in [a["href"] for a in parsed.all("a")]


def test_headings_start_at_one_and_never_skip_a_level(build: Path) -> None:
    for path in html_pages(build):
        levels = [level for level, _ in page(build, str(path.relative_to(build))).headings]
        assert levels[0] == 1 and levels.count(1) == 1, path
        for before, after in itertools.pairwise(levels):
            assert after <= before + 1, (path, levels)


def test_ids_are_unique_on_every_page(build: Path) -> None:
    for path in html_pages(build):
        ids = Page(path.read_text(encoding="utf-8")).ids
        assert len(ids) == len(set(ids)), path


def test_every_relative_link_and_fragment_resolves(build: Path) -> None:
    """Links between pages, to sections, to category pages, to images: nothing dangles."""
    ids = {path: set(Page(path.read_text(encoding="utf-8")).ids) for path in html_pages(build)}
    for path in html_pages(build):
        parsed = Page(path.read_text(encoding="utf-8"))
        targets = [a["href"] for a in parsed.all("a") + parsed.all("link") if "href" in a]
        targets += [a["src"] for a in parsed.all("img")]
        for target in targets:
            parts = urlsplit(target)
            if parts.scheme:
                continue
            if parts.path.startswith("/"):  # the 404 page's links start at the site's root
                file = (build / parts.path.lstrip("/")).resolve()
            else:
                file = (path.parent / parts.path).resolve() if parts.path else path
            assert file.is_file(), (path, target)
            if parts.fragment:
                assert parts.fragment in ids[file], (path, target)


def test_json_ld_is_a_medical_web_page_about_the_right_type(build: Path) -> None:
    expected = {"common-cold": "MedicalCondition", "paracetamol": "Drug",
                "hand-washing": "MedicalEntity"}
    for slug, about in expected.items():
        data = page(build, f"{slug}.html").json_ld()
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "MedicalWebPage"
        assert data["about"]["@type"] == about
        assert data["url"] == f"https://encyclopedia.example.org/{slug}.html"
        assert data["license"] == DEED
        assert data["inLanguage"] == "en-GB"
        assert data["publisher"] == {"@type": "Organization", "name": "Open Medical Encyclopedia",
                                     "url": "https://encyclopedia.example.org/"}
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["lastReviewed"])
        assert data["name"] and data["description"]
    cold = page(build, "common-cold.html").json_ld()
    assert cold["author"] == [
        {"@type": "Person", "name": "Ana Ferreira", "honorificSuffix": "MD"},
        {"@type": "Person", "name": "Jon Bakker", "honorificSuffix": "RN"}]
    assert cold["reviewedBy"] == [{"@type": "Person", "name": "Jon Bakker",
                                   "honorificSuffix": "RN"}]
    assert page(build, "index.html").json_ld()["@type"] == "WebSite"
    assert page(build, "category/pharmacology.html").json_ld()["@type"] == "CollectionPage"


# -- article page --------------------------------------------------------------------------


def test_article_page_shows_title_summary_and_sections(build: Path, corpus: Corpus) -> None:
    parsed = page(build, "common-cold.html")
    assert parsed.title == "Common cold \u2013 Open Medical Encyclopedia"
    assert parsed.headings[0] == (1, "Common cold")
    view = build_view(corpus.articles["common-cold"], corpus.site)
    assert view.summary in parsed.text
    section_ids = [a["id"] for a in parsed.all("h2") if "id" in a]
    assert [s.anchor for s in view.sections] == [i for i in section_ids if i in
                                                 {s.anchor for s in view.sections}]
    assert parsed.all("figure", class_="article-figure")
    assert "“Course of a cold” by Encyclopedia contributors" in parsed.text


def test_article_page_shows_the_disclaimer_in_a_section_with_a_heading(
        build: Path, corpus: Corpus) -> None:
    for slug, disclaimer in (("common-cold", "medical"), ("paracetamol", "drug")):
        text = (build / f"{slug}.html").read_text(encoding="utf-8")
        expected = corpus.site.disclaimers[disclaimer]
        match = re.search(r'<section class="disclaimer" id="disclaimer"[^>]*>\s*<h2[^>]*>'
                          r"(.*?)</h2>\s*<p>(.*?)</p>", text, re.DOTALL)
        assert match, slug
        assert match.group(1) == expected.title
        assert match.group(2) == expected.text
        assert '<a href="#disclaimer">Read the disclaimer</a>' in text


def test_article_page_links_its_licence_deed_with_rel_license(build: Path) -> None:
    parsed = page(build, "common-cold.html")
    assert [a["href"] for a in parsed.all("a", rel="license")] == [DEED]
    assert [a["href"] for a in parsed.all("link", rel="license")] == [DEED]
    assert "Creative Commons Attribution-ShareAlike 4.0 International" in parsed.text


def test_article_page_has_the_attribution(build: Path, corpus: Corpus) -> None:
    view = build_view(corpus.articles["common-cold"], corpus.site)
    parsed = page(build, "common-cold.html")
    assert view.attribution in parsed.text
    for field in ("Title Common cold", "Authors Ana Ferreira, Jon Bakker",
                  "Source https://encyclopedia.example.org/common-cold.html",
                  "Changes None; this is the original article."):
        assert field in parsed.text


def test_article_page_lists_contributors_with_credentials(build: Path) -> None:
    text = page(build, "common-cold.html").text
    assert "Contributors Ana Ferreira, MD (author) Jon Bakker, RN (reviewer)" in text
    assert "Jon Bakker, PharmD" in page(build, "paracetamol.html").text


def test_article_page_shows_the_last_review_date(build: Path) -> None:
    parsed = page(build, "common-cold.html")
    assert {a["datetime"] for a in parsed.all("time")} == {"2026-03-15"}
    assert "Last reviewed 15 March 2026" in parsed.text


def test_article_page_credits_its_images(build: Path) -> None:
    parsed = page(build, "common-cold.html")
    assert ("“Course of a cold” by Encyclopedia contributors. Source: Own work. Licence: "
            "Creative Commons Attribution-ShareAlike 4.0 International.") in parsed.text
    assert {"href": "images/cold-timeline.svg"} in parsed.all("a")


def test_see_also_links_point_to_existing_pages(build: Path, corpus: Corpus) -> None:
    for slug, article in corpus.articles.items():
        view = build_view(article, corpus.site)
        assert view.see_also, slug
        hrefs = {a.get("href") for a in page(build, f"{slug}.html").all("a")}
        for link in view.see_also:
            assert link.url == f"{link.slug}.html" and link.url in hrefs
            assert (build / link.url).is_file()


def test_article_page_links_its_categories(build: Path) -> None:
    hrefs = [a["href"] for a in page(build, "common-cold.html").all("a")]
    assert "category/infectious-diseases.html" in hrefs
    assert "category/respiratory-medicine.html" in hrefs


# -- front page and category pages ---------------------------------------------------------


def test_front_page_links_a_to_z_pages_that_list_every_article_with_type_and_summary(
        build: Path, corpus: Corpus) -> None:
    parsed = page(build, "index.html")
    letters = [a["href"] for a in parsed.all("a") if a.get("href", "").startswith("a-z/")]
    assert letters == ["a-z/c.html", "a-z/h.html", "a-z/p.html"]
    listed = []
    for letter in letters:
        letter_page = page(build, letter)
        listed += [a["href"] for a in letter_page.all("a", class_="entry-title")]
        assert {"href": letter.removeprefix("a-z/"), "aria-current": "page"} in \
            letter_page.all("a")
    assert listed == ["../common-cold.html", "../hand-washing.html", "../paracetamol.html"]
    text = " ".join(page(build, letter).text for letter in letters)
    for article in corpus.articles.values():
        assert article.front_matter["summary"] in text
    assert "Common cold Condition" in text and "Paracetamol Drug" in text
    assert "Hand washing Topic" in text


def test_front_page_links_category_pages_with_counts(build: Path) -> None:
    parsed = page(build, "index.html")
    hrefs = [a["href"] for a in parsed.all("a")]
    for category in ("infectious-diseases", "pharmacology", "public-health",
                     "respiratory-medicine"):
        assert f"category/{category}.html" in hrefs
    assert "Infectious diseases (2)" in parsed.text
    assert "Recently reviewed Hand washing (30 April 2026) Common cold" in parsed.text
    assert "Disclaimers Medical disclaimer" in parsed.text


def test_category_page_lists_its_articles_with_links_one_folder_up(build: Path) -> None:
    parsed = page(build, "category/infectious-diseases.html")
    assert parsed.headings[0] == (1, "Infectious diseases")
    assert [a["href"] for a in parsed.all("a", class_="entry-title")] == [
        "../common-cold.html", "../hand-washing.html"]
    assert parsed.all("link", rel="canonical")[0]["href"] == (
        "https://encyclopedia.example.org/category/infectious-diseases.html")
    assert {"href": "../index.html#disclaimers"} in parsed.all("a")


def test_front_page_order_does_not_depend_on_input_order(corpus: Corpus) -> None:
    env = environment(TEMPLATES)
    views = [build_view(a, corpus.site, with_sections=False) for a in corpus.articles.values()]
    assert (render_index_page(views, corpus.site, env)
            == render_index_page(list(reversed(views)), corpus.site, env))


def test_titles_sort_ignoring_case_and_accents(corpus: Corpus) -> None:
    base = build_view(corpus.articles["paracetamol"], corpus.site, with_sections=False)
    views = [dataclasses.replace(base, title=t, slug=s) for t, s in
             (("zinc", "zinc"), ("Éczema", "eczema"), ("apple", "apple"), ("Dental care", "d"))]
    assert [v.title for v in sorted_views(views)] == ["apple", "Dental care", "Éczema", "zinc"]


# -- escaping ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_page(corpus: Corpus) -> str:
    view = build_view(hostile_article(), corpus.site)
    return render_article_page(view, corpus.site, environment(TEMPLATES)).decode("utf-8")


def test_hostile_front_matter_cannot_open_a_script(hostile_page: str) -> None:
    lowered = hostile_page.lower()
    assert "<script>" not in lowered
    assert lowered.count("<script") == 1  # the JSON-LD block
    assert lowered.count("</script") == 1
    assert "<img src=x" not in lowered
    assert "<!--" not in hostile_page
    parsed = Page(hostile_page)
    assert [a.get("type") for a, _ in parsed.scripts] == ["application/ld+json"]
    assert parsed.headings[0] == (1, HOSTILE_TITLE)
    assert HOSTILE_NAME + ", MD</script>" in parsed.text


def test_hostile_front_matter_keeps_json_ld_valid(hostile_page: str) -> None:
    data = Page(hostile_page).json_ld()
    assert data["name"] == HOSTILE_TITLE
    assert data["about"]["name"] == HOSTILE_TITLE
    assert "</script><script>alert(2)</script>" in data["description"]
    assert "\u2028" in data["description"]
    assert data["author"] == [{"@type": "Person", "name": HOSTILE_NAME,
                               "honorificSuffix": "MD</script>"}]
    raw = hostile_page.split('<script type="application/ld+json">', 1)[1].split("</script>")[0]
    assert not set(raw) & {"<", ">", "&", "\u2028", "\u2029"}


def test_repeated_headings_get_unique_ids(hostile_page: str) -> None:
    ids = Page(hostile_page).ids
    assert len(ids) == len(set(ids))
    assert {"overview", "causes", "symptoms", "see-also", "children", "children-2",
            "disclaimer", "disclaimer-2"} <= set(ids)


# -- environment and helpers ---------------------------------------------------------------


def test_environment_escapes_and_refuses_undefined_names(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("{{ value }}|{{ value|safe }}", encoding="utf-8")
    (tmp_path / "missing.html").write_text("{{ nothing }}", encoding="utf-8")
    env = environment(tmp_path)
    assert env is environment(tmp_path)
    assert env.get_template("page.html").render(value="<b>") == "&lt;b&gt;|<b>"
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("missing.html").render()


def test_tojson_script_escapes_what_could_end_a_script() -> None:
    value = {"a": "</script><!-- & \u2028\u2029 é"}
    text = script_json(value)
    assert text == ('{"a":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\\u2029 é"}')
    assert json.loads(text) == value
    assert str(tojson_script(value)) == text


def test_long_dates() -> None:
    assert long_date("2026-01-21") == "21 January 2026"
    assert long_date("2026-12-05") == "5 December 2026"
    assert long_date("2026-13-05") == "2026-13-05"
    assert long_date("") == ""


def test_stylesheet_is_the_templates_css_with_print_styles() -> None:
    css = stylesheet(TEMPLATES)
    assert css == (TEMPLATES / "style.css").read_bytes()
    assert b"@media print" in css and b":focus-visible" in css


def test_views_are_what_the_templates_get(corpus: Corpus) -> None:
    view = build_view(corpus.articles["common-cold"], corpus.site)
    assert isinstance(view, ArticleView)
    assert render_article_page(view, corpus.site, environment(TEMPLATES)).endswith(
        b"</html>\n")


# -- the infobox, formulas and tables ------------------------------------------------------

CODED = Path(__file__).parent / "fixtures" / "cod-valid-codes-good" / "articles"


@pytest.fixture(scope="module")
def coded_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A condition and a medicine with synonyms, codes, drug fields, formulas and tables."""
    out = tmp_path_factory.mktemp("coded")
    write_site(render_site(load_corpus(CODED), with_stylesheet=True), out)
    return out / "html"


def element(text: str, start: str, end: str) -> str:
    """The markup from the first `start` to the `end` that closes it (no nesting)."""
    at = text.index(start)
    return text[at:text.index(end, at) + len(end)]


def definitions(aside: str) -> dict[str, list[str]]:
    """An infobox's `<dt>` names, each with the text of its `<dd>` values."""
    found: dict[str, list[str]] = {}
    name = ""
    for tag, content in re.findall(r"<(dt|dd)[^>]*>(.*?)</\1>", aside, re.DOTALL):
        text = Page(content).text
        if tag == "dt":
            name = text
            found[name] = []
        else:
            found[name].append(text)
    return found


def test_the_infobox_lists_names_and_codes_linked_to_their_registries(
        coded_build: Path) -> None:
    text = (coded_build / "asthma.html").read_text(encoding="utf-8")
    aside = element(text, '<aside class="infobox"', "</aside>")
    assert text.index(aside) < text.index('<h2 id="overview">')  # near the top
    assert "<table" not in aside and "<th" not in aside  # no header row, empty or not
    assert definitions(aside) == {
        "Also known as": ["bronchial asthma"],
        "ICD-10": ["J45, J45.9"],
        "ICD-11": ["CA23, CA23.3, 2C25.0&XH7SY0, CA23.3/CA22"],
        "MeSH": ["D001249"],
        "OMIM": ["600807"],
        "SNOMED CT": ["195967001"],
    }
    links = {a["href"] for a in Page(aside).all("a")}
    assert {"https://icd.who.int/browse10/2019/en#/J45.9",
            "https://icd.who.int/browse/2024-01/mms/en",
            "https://meshb.nlm.nih.gov/record/ui?ui=D001249",
            "https://omim.org/entry/600807"} <= links
    assert not any("195967001" in link for link in links)  # SNOMED CT: no public page


def test_the_infobox_of_a_medicine_shows_routes_pregnancy_and_legal_status(
        coded_build: Path) -> None:
    aside = element((coded_build / "salbutamol.html").read_text(encoding="utf-8"),
                    '<aside class="infobox"', "</aside>")
    facts = definitions(aside)
    assert facts["ATC"] == ["R03, R03AC, R03AC02"]
    assert facts["Routes of administration"] == ["inhaled, oral, intravenous"]
    assert facts["Pregnancy category"] == ["AU: A", "US: N"]
    assert facts["Legal status"] == ["AU: S3", "UK: POM", "US: Rx-only"]
    links = {a["href"] for a in Page(aside).all("a")}
    assert {"https://atcddd.fhi.no/atc_ddd_index/?code=R03AC02",
            "https://go.drugbank.com/drugs/DB01001",
            "https://commonchemistry.cas.org/detail?cas_rn=18559-94-9"} <= links
    assert {"title": "United Kingdom"} in Page(aside).all("abbr")


def test_an_article_without_names_or_codes_has_no_infobox(build: Path) -> None:
    assert '<aside class="infobox"' not in (build / "common-cold.html").read_text(
        encoding="utf-8")


def test_json_ld_gives_the_codes_as_medical_codes(coded_build: Path) -> None:
    about = page(coded_build, "asthma.html").json_ld()["about"]
    assert about["@type"] == "MedicalCondition"
    assert about["alternateName"] == ["bronchial asthma"]
    assert {"@type": "MedicalCode", "codeValue": "J45.9", "codingSystem": "ICD-10"} in (
        about["code"])
    assert len(about["code"]) == 9  # 2 ICD-10, 4 ICD-11, MeSH, OMIM, SNOMED CT
    drug = page(coded_build, "salbutamol.html").json_ld()["about"]
    assert drug["@type"] == "Drug"
    assert {"@type": "MedicalCode", "codeValue": "R03AC02", "codingSystem": "ATC"} in (
        drug["code"])
    assert drug["administrationRoute"] == ["inhaled", "oral", "intravenous"]
    assert drug["legalStatus"][1] == {
        "@type": "DrugLegalStatus", "name": "POM",
        "applicableLocation": {"@type": "AdministrativeArea", "name": "United Kingdom"}}


def test_formulas_have_subscripts_and_superscripts_and_strikethrough_stays(
        coded_build: Path) -> None:
    text = (coded_build / "salbutamol.html").read_text(encoding="utf-8")
    assert "C<sub>13</sub>H<sub>21</sub>NO<sub>3</sub>" in text
    assert "10<sup>-4</sup> mol/L <s>never</s> rarely" in text
    assert "CO<sub>2</sub> and H<sub>2</sub>O." in text
    # the footnote mark right after a subscript is still a footnote
    assert '<sup class="note-ref" id="note-ref-1"><a href="#note-1">' in text
    assert "~" not in Page(element(text, '<h2 id="pharmacology">', "</section>")).text


def test_a_table_without_header_text_has_row_headers_and_no_header_row(
        coded_build: Path) -> None:
    section = element((coded_build / "salbutamol.html").read_text(encoding="utf-8"),
                      '<h2 id="pharmacology">', "</section>")
    key_value = element(section, '<table class="key-value">', "</table>")
    assert "<thead" not in key_value and "<th></th>" not in key_value
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>\s*<td>(.*?)</td>\s*</tr>",
                      key_value)
    assert rows == [("Formula", "C<sub>13</sub>H<sub>21</sub>NO<sub>3</sub>"),
                    ("Elimination half-life", "3 to 6 hours")]
    ordinary = element(section, "<table>", "</table>")
    assert re.findall(r'<th scope="col">(.*?)</th>', ordinary) == ["Condition",
                                                                   "Form most used"]
    # each table sits in a box that scrolls sideways, named and reachable by keyboard
    boxes = Page(section).all("div", class_="table-scroll")
    assert [box["aria-label"] for box in boxes] == [
        "Table: Formula, Elimination half-life", "Table: Condition, Form most used"]
    assert all(box["tabindex"] == "0" and box["role"] == "region" for box in boxes)


def test_table_cells_and_references_wrap_between_words() -> None:
    for name in ("style.css",):
        css = (TEMPLATES / name).read_text(encoding="utf-8")
        cells = re.search(r"\bth,\s*td\s*\{([^}]*)\}", css)
        assert cells is not None, name
        assert "overflow-wrap: break-word" in cells.group(1), name
        assert "hyphens: auto" in cells.group(1), name
        assert "anywhere" not in cells.group(1), name
        for rule in re.findall(r"ol\.references[^{]*\{([^}]*)\}", css):
            assert "anywhere" not in rule, name  # addresses wrap at their <wbr>
    assert re.search(r"\.table-scroll\s*\{[^}]*overflow-x: auto",
                     (TEMPLATES / "style.css").read_text(encoding="utf-8"))


def test_the_infobox_pages_pass_the_html_checker_and_axe(coded_build: Path) -> None:
    from tests.browser import axe_violations, format_axe, format_nu, nu_check

    pages = [coded_build / "asthma.html", coded_build / "salbutamol.html"]
    errors = nu_check(pages)
    assert errors == [], format_nu(errors)
    found = axe_violations(pages, root=coded_build)
    assert not any(found.values()), format_axe(found)


def test_addresses_in_the_reference_list_wrap_at_their_punctuation() -> None:
    from pipeline.render.markdown import breakable_addresses, sanitise

    entry = ('<li>Guide. <a href="https://www.example.org/a/long-path?x=1&amp;y=2">'
             "https://www.example.org/a/long-path?x=1&amp;y=2</a>. "
             '<a href="https://doi.org/10.1000/x.1">10.1000/x.1</a> '
             '<a href="#cite-1">Back</a></li>')
    shown = sanitise(breakable_addresses(entry))
    assert ("https://<wbr>www<wbr>.example<wbr>.org/<wbr>a/<wbr>long<wbr>-path<wbr>?x<wbr>=1"
            "<wbr>&amp;y<wbr>=2</a>") in shown
    assert ">10<wbr>.1000/<wbr>x<wbr>.1</a>" in shown
    assert 'href="https://www.example.org/a/long-path?x=1&amp;y=2"' in shown  # unchanged
    assert Page(shown).text == Page(entry).text  # the same text, only wrap points added
