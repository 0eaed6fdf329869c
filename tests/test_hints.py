"""What real articles (converted from MDWiki, Wikipedia, WikiMD, the NHS and the NIH) need
from the checker: no false alarms on their prices, molar masses, categories and national
credentials; an error for two articles of one title; hints that name what was meant.

Each case checks a fixture (tests/fixtures/<name>) and asserts on what the user reads: the
place, the message and the hint.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.check import check_paths
from pipeline.config import load_config
from pipeline.diagnostics import Diagnostic
from pipeline.names import category_slug
from pipeline.rules.trust import DOSE, chemistry, promotions
from pipeline.suggest import closest, did_you_mean
from tests.conftest import write_pyproject

FIXTURES = Path(__file__).parent / "fixtures"


def project_of(name: str, root: Path) -> Path:
    case = FIXTURES / name
    shutil.copytree(case / "articles", root / "articles", symlinks=True)
    extra = (case / "config.toml").read_text(encoding="utf-8") if (
        case / "config.toml").is_file() else ""
    write_pyproject(root, extra)
    return root


def check_case(name: str, root: Path, monkeypatch: pytest.MonkeyPatch,
               paths: list[Path] | None = None) -> list[Diagnostic]:
    project = project_of(name, root)
    monkeypatch.chdir(project)
    return check_paths(load_config(project), paths).diagnostics


def check_edited(name: str, root: Path, monkeypatch: pytest.MonkeyPatch, article: str,
                 *edits: tuple[str, str]) -> list[Diagnostic]:
    """`check_case` after replacing, in the fixture's `article`, each text by another."""
    project = project_of(name, root)
    path = project / "articles" / article
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(project)
    return check_paths(load_config(project)).diagnostics


def seen(found: list[Diagnostic]) -> list[tuple[str, str, str]]:
    """(`path:line:column: CODE`, message, hint) of each diagnostic, as the user reads them."""
    return [(f"{d.path}:{d.line}:{d.column}: {d.code}", d.message, d.hint) for d in found]


# -- 1. two articles of one title ------------------------------------------------------------


def test_two_articles_of_one_title_are_an_error_naming_both_places(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = check_case("rule-duplicate-title-bad", tmp_path, monkeypatch)
    hint = ("give each article its own title (say what sets this one apart), or merge the "
            "two articles into one")
    assert seen(found) == [
        ("articles/immune-dysregulation-disorder.md:2:8: LNK106",
         "title 'Immune dysregulation' is also the title of "
         "articles/immune-dysregulation.md:2:8", hint),
        ("articles/ipex-syndrome.md:2:8: LNK106",
         "title 'Immune  Dysregulation' is the title of articles/immune-dysregulation.md:2:8 "
         "('Immune dysregulation') once case and spacing are ignored", hint),
    ]
    assert all(d.severity == "error" for d in found)


def test_checking_one_file_compares_its_title_with_the_whole_corpus(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = check_case("rule-duplicate-title-bad", tmp_path, monkeypatch,
                       [Path("articles/immune-dysregulation-disorder.md")])
    assert [(f"{d.path}:{d.line}:{d.column}: {d.code}", d.message) for d in found] == [
        ("articles/immune-dysregulation-disorder.md:2:8: LNK106",
         "title 'Immune dysregulation' is also the title of "
         "articles/immune-dysregulation.md:2:8")]
    # the article named after the title keeps it, checked alone or not
    alone = check_paths(load_config(tmp_path),
                        [Path("articles/immune-dysregulation.md")]).diagnostics
    assert alone == []


def test_publish_refuses_two_articles_of_one_title(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.publish import PublishRequest, publish

    project = project_of("rule-duplicate-title-bad", tmp_path)
    monkeypatch.chdir(project)
    result = publish(load_config(project),
                     PublishRequest(out=project / "build", formats=("html",), jobs=1))
    assert not result.ok
    assert [f"{d.path}:{d.line}:{d.column}: {d.code}" for d in result.diagnostics
            if d.code == "LNK106"] == ["articles/immune-dysregulation-disorder.md:2:8: LNK106",
                                       "articles/ipex-syndrome.md:2:8: LNK106"]
    assert not (project / "build" / "html").exists()


# -- 2. categories as real articles name them --------------------------------------------------


def test_categories_with_apostrophes_ampersands_and_accents_are_accepted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert check_case("fmt-category-with-punctuation", tmp_path, monkeypatch) == []


@pytest.mark.parametrize(("name", "slug"), [
    ("Alzheimer's disease", "alzheimers-disease"),
    ("Alzheimer\u2019s disease", "alzheimers-disease"),
    ("Ménière's disease", "menieres-disease"),
    ("Obstetrics & gynaecology", "obstetrics-and-gynaecology"),
    ("Crohn\u2019s disease", "crohns-disease"),
])
def test_category_pages_have_ascii_names(name: str, slug: str) -> None:
    assert category_slug(name) == slug
    assert category_slug(name) == category_slug(name.upper())  # one page whatever the case


def test_two_spellings_of_one_category_page_are_still_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = check_case("rule-category-shared-slug-bad", tmp_path, monkeypatch)
    assert seen(found) == [
        ("articles/salbutamol.md:10:28: SEC104",
         "category 'Obstetrics and gynaecology' shares the page "
         "category/obstetrics-and-gynaecology.html with 'Obstetrics & gynaecology' "
         "(articles/asthma.md)", "spell it 'Obstetrics & gynaecology', as the other articles do"),
        ("articles/salbutamol.md:10:56: SEC104",
         "category 'Menieres disease' shares the page category/menieres-disease.html with "
         "\"Ménière's disease\" (articles/asthma.md)",
         "spell it \"Ménière's disease\", as the other articles do"),
    ]


def test_a_category_that_is_not_words_says_what_is_allowed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = check_edited("fmt-category-with-punctuation", tmp_path, monkeypatch, "asthma.md",
                         ("categories: [Alzheimer's", "categories: [Ear/nose, Alzheimer's"))
    assert seen(found) == [(
        "articles/asthma.md:10:14: FMT102",
        "category 'Ear/nose' must be words of letters and digits (with apostrophes inside "
        "words, and `&` between them) starting with a capital letter",
        "write a category like `Infectious diseases`, `Alzheimer's disease` or "
        "`Obstetrics & gynaecology`")]


# -- 3. credentials of every country -----------------------------------------------------------


def test_national_designations_are_recognised_and_a_misspelt_one_is_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = check_case("rule-unrecognised-credentials-national", tmp_path, monkeypatch)
    assert seen(found) == [(
        "articles/asthma.md:29:18: TRS101",
        "credentials 'MBSS' of Wei Chen is not a recognised designation",
        "did you mean `MBBS` for 'MBSS'? write designations such as MD, MBBS, PhD, RN, PharmD "
        "or RD, separated by commas; add others to `credentials = [...]` in [tool.pipeline]")]


def test_credentials_setting_adds_designations(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    project = project_of("rule-unrecognised-credentials-national", tmp_path)
    with (project / "pyproject.toml").open("a", encoding="utf-8") as config:
        config.write('credentials = ["M.B.S.S."]\n')
    monkeypatch.chdir(project)
    assert check_paths(load_config(project)).diagnostics == []


def test_a_drafts_placeholders_are_reported_once(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """An imported draft's `TODO` credentials and licence are placeholders (MED109), not
    unknown designations (TRS101) or licences (LIC103) as well."""
    found = check_edited("rule-unknown-license-bad", tmp_path, monkeypatch, "alpha.md",
                         ("credentials: MD",
                          "credentials: \"TODO: the reviewer's qualifications\""),
                         ("license: free for educational use", "license: TODO"))
    assert [(d.line, d.code) for d in found if d.line in (9, 16)] == [(9, "MED109"),
                                                                       (16, "MED109")]


# -- 4. masses of chemistry are not doses ------------------------------------------------------


def test_molar_masses_and_formulas_are_not_doses(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    found = check_case("rule-dose-without-reference-chemistry", tmp_path, monkeypatch)
    assert [(where, message) for where, message, _ in seen(found)] == [
        ("articles/salbutamol.md:45:21: TRS105",
         "dose '100 to 200 micrograms' is stated without a reference")]


@pytest.mark.parametrize(("text", "is_chemistry"), [
    ("Molar mass 259.349 g·mol\u22121", True),
    ("The molar mass is 259.349 g.", True),
    ("It weighs 576.7 grams per mole.", True),
    ("Its formula is C13H18O2 (206.29 g).", True),
    ("Antibodies of 150 kDa weigh about 0.15 g each mole.", True),
    ("Adults take 2 g a day.", False),
    ("The molar mass is 206.29 g. Adults take 2 g a day.", False),  # the second sentence
    ("Its formula is C13H18O2; adults take 200 mg.", False),  # a dose in mg stays a dose
])
def test_chemistry_is_told_from_a_dose(text: str, is_chemistry: bool) -> None:
    match = list(DOSE.finditer(text))[-1]
    assert chemistry(text, match) is is_chemistry


# -- 5. prices stated as facts are not adverts -------------------------------------------------


def test_prices_stated_as_facts_are_not_advertising(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    found = check_case("rule-promotional-content-prices", tmp_path, monkeypatch)
    hint = ("remove the advertising; an article informs, it does not sell (pasted pages often "
            "bring their adverts along)")
    assert seen(found) == [
        ("articles/salbutamol.md:19:12: TRS104",
         "advertising in the article: a price ('$4.99 an inhaler at our pharmacy.')", hint),
        ("articles/salbutamol.md:21:22: TRS104",
         "advertising in the article: a price ('£2.99, while stocks last')", hint),
    ]


@pytest.mark.parametrize("fact", [
    "In the United States a month of treatment costs about 9,800 USD.",
    "The wholesale cost in the developing world is about US$0.50 per dose.",
    "In the United Kingdom it costs the NHS about £1.50 per month.",
    "As of 2015 the cost for a typical course in the United States is less than US$25.",
    "A typical month supply in the United States is about US$2,200.",
    "It is only available on prescription and costs about US$50 per month.",
])
def test_encyclopedic_prices(fact: str) -> None:
    assert promotions(fact) == []


@pytest.mark.parametrize("pitch", [
    "Buy it for $49 per month.", "The price is only $49!", "Our course costs just $99.",
    "Get it at the sale price of $20 per pack.", "It costs about US$5 per month; order it.",
    "It costs $30 a month at [our shop](https://example.com/shop).",
    "Discounted: US$10 per dose.", "Costs $20 per pack, 10% off this week.",
])
def test_prices_in_a_sales_pitch(pitch: str) -> None:
    assert [label for _, label in promotions(pitch)][:1] == ["a price"]


# -- 6. did you mean ---------------------------------------------------------------------------


def test_links_name_the_article_meant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = check_case("rule-broken-link-hints", tmp_path, monkeypatch)
    assert seen(found) == [
        ("articles/asthma.md:33:40: LNK101",
         "link target 'salbutamol.html' is not an article",
         "link to `salbutamol.md` (the article), not its HTML file: write "
         "`[...](salbutamol.md)`"),
        ("articles/asthma.md:34:1: LNK101", "link to 'salbutmol.md': there is no such article",
         "did you mean `salbutamol.md`? fix the file name, or write the article first"),
        ("articles/asthma.md:34:32: LNK101", "link target 'Salbutamol.md' is not an article",
         "link to the article by its file name alone: `salbutamol.md`"),
        ("articles/asthma.md:35:1: LNK102", "salbutamol.md has no section '#side-efects'",
         "did you mean `#side-effects`?"),
    ]


def test_licence_hints_propose_what_may_be_used(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    found = check_case("rule-license-hints", tmp_path, monkeypatch)
    accepted = "CC0-1.0, public domain, CC-BY-* and CC-BY-SA-* (any version), FAL-1.3 or GPL-3.0"
    assert seen(found) == [
        ("articles/alpha.md:5:10: LIC101",
         "article licence 'CC-BY-4.0' is not CC BY-SA (CC-BY-SA-3.0 or CC-BY-SA-4.0)",
         "use `license: CC-BY-SA-4.0`; material under other terms cannot be published here"),
        ("articles/alpha.md:16:14: LIC103",
         "licence 'CC-BY-SAA-4.0' of image 'a.svg' is not one the encyclopedia knows",
         f"did you mean `CC-BY-SA-4.0`? write the licence as an SPDX id; accepted: {accepted}"),
        ("articles/alpha.md:22:14: LIC102",
         "image 'b.svg' is under CC BY-NC 4.0, which may not be included in a CC BY-SA "
         "article", "NC licences forbid commercial use, but CC BY-SA lets anyone reuse the "
         f"article commercially; find an image under {accepted}"),
    ]


def test_an_article_licence_spelt_otherwise_is_still_read_as_its_spdx_id(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = check_edited("fmt-category-with-punctuation", tmp_path, monkeypatch, "asthma.md",
                         ("license: CC-BY-SA-4.0", "license: CC BY-SA 4.0"))
    assert seen(found) == [(
        "articles/asthma.md:5:10: LIC104",
        "licence 'CC BY-SA 4.0' is read as the SPDX id 'CC-BY-SA-4.0'",
        "write `license: CC-BY-SA-4.0`")]


@pytest.mark.parametrize(("word", "known", "expected"), [
    ("titel", ["title", "type", "summary"], "did you mean `title`?"),
    ("Reviewr", ["author", "reviewer", "editor", "illustrator"], "did you mean `reviewer`?"),
    ("cc-by-sa-4.0", ["CC-BY-SA-4.0", "CC-BY-4.0"], "did you mean `CC-BY-SA-4.0`?"),
    ("zzz", ["title", "type"], ""),
    ("title", ["title", "type"], ""),  # known already: nothing to propose
])
def test_did_you_mean(word: str, known: list[str], expected: str) -> None:
    assert did_you_mean(word, known) == expected


def test_closest_ignores_case_and_keeps_the_known_spelling() -> None:
    assert closest("ASTHAMA", ["asthma", "salbutamol"]) == "asthma"
    assert closest("", ["asthma"]) is None
