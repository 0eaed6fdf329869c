"""Content rules one by one: licences, links, safety, trust and suppressions.

The fixture cases (tests/fixtures/rule-*) show each rule on a small corpus; these tests pin
down the parts with many spellings: licence names, obfuscated schemes, adverts and doses.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline.check import check_paths
from pipeline.config import Config, config_from_table, load_config
from pipeline.diagnostics import RULES, RULES_BY_CODE
from pipeline.licenses import LICENSES, normalise, normalise_expression, verdict
from pipeline.load import load_bytes
from pipeline.model import Article
from pipeline.rules import TABLE
from pipeline.rules.context import Context, Corpus
from pipeline.rules.safety import decoded, scheme_of
from pipeline.rules.trust import DOSE, promotions, review_date
from tests.conftest import ARTICLES

FRONT = """---
title: Alpha syndrome
type: {kind}
summary: Alpha syndrome is a made-up condition that exists only to test the checker.
license: CC-BY-SA-4.0
disclaimer: medical
contributors:
  - name: Test Author
    credentials: MD
categories: [Testing]
last_reviewed: "{reviewed}"
---
"""


def article(body: str, kind: str = "condition", reviewed: str = "2026-06-01") -> Article:
    text = FRONT.format(kind=kind, reviewed=reviewed) + body
    config = config_from_table(Path("."), {})
    loaded = load_bytes(text.encode(), "articles/alpha.md", "alpha", config.limits)
    assert loaded.article is not None, loaded.diagnostics
    return loaded.article


def context(today: date = date(2026, 11, 25), **settings: object) -> Context:
    config = config_from_table(Path("."), dict(settings))
    return Context(config=config, corpus=Corpus(config), today=today)


def check_text(project: Path, body: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """`path:line:column: CODE` of checking one article (with a partner that links to it)."""
    (project / "articles" / "alpha.md").write_text(FRONT.format(
        kind="condition", reviewed="2026-06-01") + body, encoding="utf-8")
    monkeypatch.chdir(project)
    result = check_paths(load_config(project))
    return [f"{d.path}:{d.line}:{d.column}: {d.code}" for d in result.diagnostics]


# -- the catalogue and the table ---------------------------------------------------------------


def test_every_code_in_the_table_is_catalogued_once() -> None:
    codes = [code for codes, _ in TABLE for code in codes]
    assert len(codes) == len(set(codes))
    assert set(codes) <= set(RULES_BY_CODE)
    assert len(RULES) == len(RULES_BY_CODE)


@pytest.mark.parametrize("family", ["LIC", "CRD", "LNK", "TRS", "SEC", "SUP"])
def test_new_families_have_kebab_case_names_and_examples(family: str) -> None:
    members = [rule for rule in RULES if rule.family == family]
    assert members
    for rule in members:
        assert rule.name == rule.name.lower() and " " not in rule.name and "_" not in rule.name
        assert rule.summary and rule.why and rule.bad and rule.good, rule.code


# -- LIC: licences -----------------------------------------------------------------------------


@pytest.mark.parametrize(("spelling", "spdx"), [
    ("CC BY-SA 3.0", "CC-BY-SA-3.0"),
    ("cc-by-sa-3.0", "CC-BY-SA-3.0"),
    ("CC-BY-SA-4.0", "CC-BY-SA-4.0"),
    ("https://creativecommons.org/licenses/by-sa/4.0/", "CC-BY-SA-4.0"),
    ("https://creativecommons.org/licenses/by/2.0/deed.en", "CC-BY-2.0"),
    ("http://creativecommons.org/licenses/by-nc/4.0/legalcode", "CC-BY-NC-4.0"),
    ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
    ("Creative Commons Attribution-ShareAlike 4.0 International", "CC-BY-SA-4.0"),
    ("Creative Commons Attribution-NonCommercial-NoDerivatives 4.0", "CC-BY-NC-ND-4.0"),
    ("Attribution 4.0", "CC-BY-4.0"),
    ("CC BY 4", "CC-BY-4.0"),
    ("CC0", "CC0-1.0"),
    ("cc zero", "CC0-1.0"),
    ("Public domain", "public-domain"),
    ("GPLv3", "GPL-3.0-only"),
    ("GPL v3+", "GPL-3.0-or-later"),
    ("Free Art License 1.3", "FAL-1.3"),
    ("GFDL", "GFDL-1.2-only"),
    ("All rights reserved", "all-rights-reserved"),
])
def test_common_spellings_are_normalised_to_spdx(spelling: str, spdx: str) -> None:
    assert normalise(spelling) == spdx


def test_every_spdx_id_is_its_own_spelling() -> None:
    assert all(normalise(spdx) == spdx for spdx in LICENSES)
    assert normalise("free for educational use") is None


@pytest.mark.parametrize(("licence", "expected"), [
    ("CC0-1.0", "compatible"), ("public-domain", "compatible"), ("CC-BY-1.0", "compatible"),
    ("CC-BY-SA-2.5", "compatible"), ("FAL-1.3", "compatible"), ("GPL-3.0-only", "compatible"),
    ("CC-BY-NC-SA-4.0", "non-commercial"), ("CC-BY-ND-3.0", "no-derivatives"),
    ("GFDL-1.3-only", "gfdl-only"), ("all-rights-reserved", "all-rights-reserved"),
    ("Mystery-1.0", "unknown"),
    ("GFDL-1.2-or-later OR CC-BY-SA-3.0", "compatible"),
    ("(CC-BY-NC-4.0 OR GFDL-1.2-only)", "non-commercial"),
    ("Mystery-1.0 OR GFDL-1.2-only", "unknown"),
])
def test_verdicts(licence: str, expected: str) -> None:
    assert verdict(licence) == expected


def test_an_or_expression_is_normalised_part_by_part() -> None:
    assert normalise_expression("GFDL or CC BY-SA 3.0") == "GFDL-1.2-only OR CC-BY-SA-3.0"
    assert normalise_expression("CC-BY-SA-3.0 OR nonsense") is None


# -- SEC: schemes however they are spelt -------------------------------------------------------


@pytest.mark.parametrize("target", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
    "jav&#x61;script:alert(1)", "jav&#97;script:alert(1)", "java&#x09;script:alert(1)",
    "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)",
    "java&amp;#x73;cript:alert(1)", "%6Aavascript:alert(1)", "java%0Ascript:alert(1)",
    "java\tscript:alert(1)", "java\u200bscript:alert(1)", "java\x00script:alert(1)",
    "javascript\\:alert(1)", "<javascript:alert(1)>", "&Tab;javascript:alert(1)",
])
def test_obfuscated_javascript_is_seen_through(target: str) -> None:
    assert scheme_of(target) == "javascript", decoded(target)


@pytest.mark.parametrize(("target", "scheme"), [
    ("https://www.nhs.uk/", "https"), ("http://example.org/", "http"), ("asthma.md", ""),
    ("asthma.md#causes", ""), ("#causes", ""), ("images/a.svg", ""), ("VBScript:x", "vbscript"),
    ("data:text/html;base64,AAAA", "data"), ("file:///etc/passwd", "file"),
])
def test_schemes(target: str, scheme: str) -> None:
    assert scheme_of(target) == scheme


def test_dangerous_links_markdown_it_leaves_as_text_are_found(
        pair: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = ("## Overview\n\nClick [here](jav&#x61;script:alert(1)) or <VBSCRIPT:msgbox(1)>.\n\n"
            "- a [list item](java%0Ascript:x)\n\n> [quoted][r]\n>\n> [r]: file:///etc/passwd\n\n"
            "Code is fine: `[x](javascript:alert(1))`.\n\n```\n[x](javascript:alert(1))\n```\n")
    found = check_text(pair, body, monkeypatch)
    sec = [d for d in found if d.endswith("SEC101")]
    assert sec == ["articles/alpha.md:15:14: SEC101", "articles/alpha.md:15:44: SEC101",
                   "articles/alpha.md:17:17: SEC101", "articles/alpha.md:21:8: SEC101"]


# -- TRS: advertising and doses ----------------------------------------------------------------


@pytest.mark.parametrize("advert", [
    "Ad.Tired of being Overweight? Try W8MD's physician weight loss program.",
    "Advertise on WikiMD", "Buy now for $49!", "Only £9.99 this week", "Just 49 USD",
    "20% off all orders", "Use promo code SAVE10", "Start your free trial today",
    "Limited time offer", "Try Acme's slimming programme", "Call now on 0800 123 456",
    "Order today", "Lose 10 kg fast", "Sponsored: Acme pills", "Visit our online shop",
    "Try our new app", "**Call** now", "Money-back guarantee", "Special offer for readers",
])
def test_adverts_are_recognised(advert: str) -> None:
    assert promotions(advert)


@pytest.mark.parametrize("prose", [
    "Clinicians offer support to families.", "Most people become free of symptoms.",
    "A bleeding disorder.", "A trial of treatment is sometimes used.", "Clinical trials.",
    "Peak flow more than 50% of best.", "A 30% reduction in risk.",
    "Structured weight-loss programmes can put type 2 diabetes into remission.",
    "Try to take the tablets with food.", "Our immune system protects us.",
    "AD: Alzheimer's disease.", "Ad hoc testing.", "The trial was sponsored by a charity.",
    "Tobacco companies may not advertise on television.",
    "People who lose 10 kg in the first year do better.", "Call 999 now if breathing is hard.",
    "The vaccine is offered free of charge.", "Diabetes costs the NHS over £1 billion a year.",
    "Care cost $2\u20133 billion.", "Free prescriptions are available in Scotland.",
    "Order of sections.", "Book an appointment with a GP.",
])
def test_medical_prose_is_not_an_advert(prose: str) -> None:
    assert promotions(prose) == []


@pytest.mark.parametrize("dose", ["200 to 400 mg", "2 tablets", "500mg", "10 units",
                                  "1000 IU", "5 ml", "2.5 mg", "1 g", "100 micrograms",
                                  "200\u2013400 mg", "20 mg/kg", "50 µg"])
def test_doses_are_recognised(dose: str) -> None:
    assert DOSE.search(f"take {dose} daily")


@pytest.mark.parametrize("text", ["type 2 diabetes", "COX-2", "B12 levels", "under 16",
                                  "126 mg/dL", "120 g/L", "5 mmol/L", "the 1920s",
                                  "42 to 47 mmol/mol", "4 to 6 hours"])
def test_numbers_that_are_not_doses(text: str) -> None:
    assert DOSE.search(text) is None


# -- TRS: review dates -------------------------------------------------------------------------


@pytest.mark.parametrize(("reviewed", "codes"), [
    ("2026-11-25", []), ("2026-11-26", ["TRS102"]), ("2023-11-26", []),
    ("2023-11-25", ["TRS103"]), ("2026-02-30", []),
])
def test_review_date_against_a_fixed_today(reviewed: str, codes: list[str]) -> None:
    found = review_date(article("## Overview\n\nText.\n", reviewed=reviewed), context())
    assert [d.code for d in found] == codes


def test_review_age_is_configurable() -> None:
    old = article("## Overview\n\nText.\n", reviewed="2025-11-01")
    assert [d.code for d in review_date(old, context(review_max_age_days=365))] == ["TRS103"]
    assert list(review_date(old, context())) == []


# -- configuration -----------------------------------------------------------------------------


def test_credentials_setting_extends_the_list() -> None:
    config: Config = config_from_table(Path("."), {"credentials": ["FRCEM", "Heilpraktiker"]})
    assert config.credentials == ("FRCEM", "Heilpraktiker")


# -- suppressions ------------------------------------------------------------------------------


@pytest.fixture
def pair(tmp_path: Path) -> Path:
    """A project whose corpus is `alpha.md` (written by the test) and `beta.md`, which links
    to it, so that no orphan warning is reported."""
    from tests.conftest import write_pyproject

    (tmp_path / "articles").mkdir()
    fixture = Path(__file__).parent / "fixtures" / "rule-broken-link-good" / "articles"
    (tmp_path / "articles" / "beta.md").write_text(
        (fixture / "beta.md").read_text(encoding="utf-8"), encoding="utf-8")
    write_pyproject(tmp_path, NO_SOURCES)
    return tmp_path


# The articles of these tests cite no sources: the rules they test are others.
NO_SOURCES = 'ignore = ["REF106"]\n'


SEE_ALSO = "\n## See Also\n\n- [Betamol](beta.md)\n"
OUTLINE = ("## Overview\n\n{overview}\n\n## Symptoms\n\nText.\n\n## Causes\n\nText.\n\n"
           "## Diagnosis\n\nText.\n\n## Treatment\n\nText.\n" + SEE_ALSO)


def test_a_suppression_covers_the_whole_next_block(
        pair: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    overview = ('<!-- pipeline: ignore LNK105 reason="archive" -->\n'
                "- [one](http://example.org/1)\n- [two](http://example.org/2)\n\n"
                "[three](http://example.org/3)")
    found = check_text(pair, OUTLINE.format(overview=overview), monkeypatch)
    assert found == ["articles/alpha.md:19:1: LNK105"]


def test_a_suppression_at_the_end_of_a_line_covers_that_line(
        pair: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    overview = ("[one](http://example.org/1) <!-- pipeline: ignore LNK105 reason=\"x\" -->\n"
                "[two](http://example.org/2)")
    found = check_text(pair, OUTLINE.format(overview=overview), monkeypatch)
    assert found == ["articles/alpha.md:16:1: LNK105"]


def test_schema_diagnostics_can_be_suppressed_but_sup_cannot(
        pair: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = OUTLINE.format(overview="Text.").replace(
        "## Treatment", '<!-- pipeline: ignore MED106 reason="house style" -->\n## Management')
    body = body.replace("## Overview\n",
                        '## Overview\n<!-- pipeline: ignore SUP102 reason="x" -->\n')
    found = check_text(pair, body, monkeypatch)
    assert found == ["articles/alpha.md:14:1: SUP103"]


def test_stacked_suppressions_cover_the_same_block(
        pair: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    overview = ('<!-- pipeline: ignore LNK105 reason="archive" -->\n'
                '<!-- pipeline: ignore SEC102 reason="quoted" -->\n'
                "[one](http://example.org/1) <b>bold</b>")
    assert check_text(pair, OUTLINE.format(overview=overview), monkeypatch) == []


def test_config_still_filters_after_suppressions(
        pair: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import write_pyproject

    write_pyproject(pair, 'ignore = ["SUP", "REF106"]\n')
    overview = "<!-- pipeline: ignore LNK105 -->\n[one](https://example.org/1)"
    assert check_text(pair, OUTLINE.format(overview=overview), monkeypatch) == []


# -- the bundled corpus ------------------------------------------------------------------------


def test_bundled_corpus_has_no_promotion_dose_or_link_findings() -> None:
    """The patterns are written against real medical prose: all 14 articles pass them."""
    config = config_from_table(ARTICLES.parent, {})
    corpus = Corpus(config)
    for slug in sorted(corpus.files):
        loaded = corpus.get(slug)
        assert loaded is not None
        found = [d for _, function in TABLE for d in function(loaded, Context(config, corpus))
                 if d.code not in ("TRS102", "TRS103")]  # review dates depend on today
        assert found == [], found


def test_a_front_matter_suppression_covers_the_field_below_it(
        pair: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = OUTLINE.format(overview="Text.")
    path = pair / "articles" / "alpha.md"
    found = check_text(pair, body, monkeypatch)
    assert found == []
    text = path.read_text(encoding="utf-8").replace(
        "contributors:\n  - name: Test Author\n    credentials: MD\n",
        '# <!-- pipeline: ignore TRS101 reason="titles from abroad" -->\n'
        "contributors:\n  - name: Test Author\n    credentials: Heilpraktiker\n"
        "  - name: Second Author\n    credentials: Curandero\n")
    path.write_text(text, encoding="utf-8")
    assert [d.code for d in check_paths(load_config(pair)).diagnostics] == []


# -- cross-article rules -----------------------------------------------------------------------


def test_no_orphan_warning_in_a_corpus_of_one(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import write_pyproject

    (tmp_path / "articles").mkdir()
    write_pyproject(tmp_path, NO_SOURCES)
    found = check_text(tmp_path, OUTLINE.format(overview="Text."), monkeypatch)
    assert [f.rsplit(" ", 1)[1] for f in found] == ["LNK101"]  # beta.md is missing; no LNK104


def test_checking_one_file_parses_only_it_and_the_articles_it_links_to_by_section(
        corpus_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.check
    import pipeline.load

    parsed: list[str] = []
    real = pipeline.load.load_file

    def recording(path: Path, *args: object, **kwargs: object) -> object:
        parsed.append(path.name)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline.load, "load_file", recording)
    monkeypatch.setattr(pipeline.check, "load_file", recording)
    monkeypatch.chdir(corpus_project)
    result = check_paths(load_config(corpus_project), [Path("articles/asthma.md")])
    assert result.diagnostics == []
    assert parsed == ["asthma.md", "ibuprofen.md"]  # asthma links to ibuprofen.md#...


def test_an_image_file_that_links_outside_the_folder(
        pair: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    images = pair / "articles" / "images"
    images.mkdir()
    (pair / "secret.svg").write_text("<svg/>", encoding="utf-8")
    (images / "a.svg").symlink_to(pair / "secret.svg")
    body = OUTLINE.format(overview="![A square](images/a.svg)")
    front = ("images:\n  - file: a.svg\n    title: A\n    alt: A square\n    author: Me\n"
             "    source: Own work\n    license: CC0-1.0\ncategories:")
    (pair / "articles" / "alpha.md").write_text(
        FRONT.format(kind="condition", reviewed="2026-06-01").replace("categories:", front)
        + body, encoding="utf-8")
    monkeypatch.chdir(pair)
    found = [f"{d.line}: {d.code}" for d in check_paths(load_config(pair)).diagnostics]
    assert found == ["22: CRD104"]


def test_a_whole_corpus_check_in_workers_finds_orphans_from_one_index(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With enough files for workers, the index of mentions is built once, before the
    workers start, and every worker reads it: the same warnings, on the same lines, as a
    check in one process."""
    from benchmarks.corpus import generate
    from pipeline.check import PARALLEL_FROM
    from tests.conftest import write_pyproject

    write_pyproject(tmp_path)
    paths = generate(tmp_path / "articles", PARALLEL_FROM + 12, seed=3)
    lonely = tmp_path / "articles" / "lonely-subject.md"  # names others; nobody names it
    lonely.write_text(paths[5].read_text(encoding="utf-8"), encoding="utf-8")
    # a file that names an article only in a reference definition still counts as a mention
    text = paths[7].read_text(encoding="utf-8")
    paths[7].write_text(text + "\n[later]: lonely-subject-two.md\n", encoding="utf-8")
    (tmp_path / "articles" / "lonely-subject-two.md").write_text(
        paths[6].read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    config = load_config(tmp_path)
    indexed: list[str] = []
    real_index = Corpus.mentioned_by
    monkeypatch.setattr(Corpus, "mentioned_by",
                        lambda self, slug: indexed.append(slug) or real_index(self, slug))

    def orphans(jobs: int) -> list[str]:
        result = check_paths(config, jobs=jobs)
        assert len(result.files) == PARALLEL_FROM + 14
        return [f"{d.path}:{d.line}:{d.column}" for d in result.diagnostics
                if d.code == "LNK104"]

    in_workers = orphans(2)
    assert indexed == [""]  # built once, in the parent, before the workers started
    assert in_workers == ["articles/lonely-subject.md:2:8"]
    assert orphans(1) == in_workers


def test_mentions_are_found_as_the_mention_pattern_finds_them() -> None:
    import random

    from pipeline.rules.context import MENTION, mentions_in

    rng = random.Random(11)
    pieces = ("a", "b-", "-", ".md", ".mdx", "m", "d", "x.md", " ", "\n", "[", "](", ")",
              "A", "é", "z" * 120)
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 24)))
        assert mentions_in(text) == MENTION.findall(text), text


# -- references --------------------------------------------------------------------------------


def test_missing_references_can_be_made_an_error_and_old_sources_configured(
        pair: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import write_pyproject

    write_pyproject(pair, 'severity = { REF106 = "error" }\n')
    check_text(pair, OUTLINE.format(overview="Text."), monkeypatch)
    found = {(d.path, d.code, d.severity) for d in check_paths(load_config(pair)).diagnostics}
    assert ("articles/alpha.md", "REF106", "error") in found
    body = FRONT.format(kind="topic", reviewed="2026-06-01").replace(
        'last_reviewed: "2026-06-01"\n', 'last_reviewed: "2026-06-01"\n'
        'references:\n  - id: doll2001\n    type: book\n    title: Old\n    issued: "2001"\n'
        '    ISBN: 978-0-306-40615-7\n') + "## Overview\n\nText [@doll2001].\n"
    loaded = load_bytes(body.encode(), "articles/alpha.md", "alpha",
                        config_from_table(Path("."), {}).limits).article
    assert loaded is not None
    from pipeline.rules.references import outdated
    assert [d.code for d in outdated(loaded, context())] == ["REF107"]
    assert list(outdated(loaded, context(reference_max_age_years=30))) == []
