"""The JSON API: every document validates against schemas/article.output.schema.json, carries
the notices, links absolutely and is byte-for-byte reproducible."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pipeline.config import Limits
from pipeline.load import load_bytes
from pipeline.render.json_api import (
    article_document,
    render_article_json,
    render_index_json,
    revision,
)
from pipeline.render.view import build_view
from tests.golden import REPO, Corpus, light_views, load_corpus, render_site

OUTPUT_SCHEMA = REPO / "schemas" / "article.output.schema.json"
BASE = "https://encyclopedia.example.org/"


def validators() -> tuple[jsonschema.Draft202012Validator, jsonschema.Draft202012Validator]:
    schema = json.loads(OUTPUT_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    article = jsonschema.Draft202012Validator(schema, format_checker=checker)
    index = jsonschema.Draft202012Validator({"$ref": "#/$defs/index", "$defs": schema["$defs"]},
                                            format_checker=checker)
    return article, index


def problems(validator: jsonschema.Draft202012Validator, document: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(document)]


@pytest.fixture(scope="module")
def golden() -> Corpus:
    return load_corpus()


@pytest.fixture(scope="module")
def bundled() -> Corpus:
    return load_corpus(REPO / "articles")


@pytest.mark.parametrize("which", ["golden", "bundled"])
def test_every_json_output_validates(which: str, request: pytest.FixtureRequest) -> None:
    corpus: Corpus = request.getfixturevalue(which)
    article, index = validators()
    outputs = {k: v for k, v in render_site(corpus).items() if k.startswith("json/")}
    assert len(outputs) == len(corpus.articles) + 1
    for relative, data in outputs.items():
        document = json.loads(data)
        validator = index if relative == "json/index.json" else article
        assert problems(validator, document) == [], relative


def test_json_is_utf8_with_one_trailing_newline_and_fixed_key_order(golden: Corpus) -> None:
    view = build_view(golden.articles["common-cold"], golden.site, absolute_links=True)
    data = render_article_json(view, golden.site)
    text = data.decode("utf-8")
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert "“Common cold”" in text and "\\u201c" not in text  # ensure_ascii=False
    keys = list(json.loads(text))
    assert keys[:11] == ["type", "title", "displaytitle", "description", "extract",
                         "extract_html", "content_urls", "lang", "dir", "timestamp", "revision"]
    assert data == render_article_json(
        build_view(golden.articles["common-cold"], golden.site, absolute_links=True),
        golden.site)


def test_article_document_fields(golden: Corpus) -> None:
    view = build_view(golden.articles["common-cold"], golden.site, absolute_links=True)
    doc = json.loads(render_article_json(view, golden.site))
    assert doc["type"] == "standard" and doc["article_type"] == "condition"
    assert doc["slug"] == "common-cold" and doc["title"] == "Common cold"
    assert doc["description"] == doc["summary"] == golden.articles[
        "common-cold"].front_matter["summary"]
    assert doc["extract"].startswith("A cold is an infection of the upper airways")
    assert doc["extract_html"].startswith("<p>A <strong>cold</strong> is")
    assert doc["content_urls"]["desktop"]["page"] == BASE + "common-cold.html"
    assert doc["lang"] == "en-GB"
    assert doc["timestamp"] == "2026-03-15T00:00:00Z" and doc["last_reviewed"] == "2026-03-15"
    assert [s["title"] for s in doc["sections"]] == [
        "Overview", "Causes", "Symptoms", "Diagnosis", "Treatment", "See Also"]
    assert doc["contributors"] == [
        {"name": "Ana Ferreira", "credentials": "MD", "role": "author"},
        {"name": "Jon Bakker", "credentials": "RN", "role": "reviewer"}]
    image = doc["images"][0]
    assert image["url"] == BASE + "images/cold-timeline.svg"
    assert image["license"] == {"spdx": "CC-BY-SA-4.0",
                                "name": "Creative Commons Attribution-ShareAlike 4.0 "
                                        "International",
                                "url": "https://creativecommons.org/licenses/by-sa/4.0/"}
    assert doc["license"]["url"] == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert doc["disclaimer"]["id"] == "medical"
    assert doc["disclaimer"]["text"] == golden.site.disclaimers["medical"].text
    assert doc["attribution"] == view.attribution
    assert doc["categories"] == ["Infectious diseases", "Respiratory medicine"]
    assert doc["links"] == ["hand-washing", "paracetamol"]
    assert doc["see_also"] == [
        {"slug": "hand-washing", "title": "Hand washing", "url": BASE + "hand-washing.html"},
        {"slug": "paracetamol", "title": "Paracetamol", "url": BASE + "paracetamol.html"}]


def test_links_in_section_html_are_absolute(golden: Corpus) -> None:
    article = golden.articles["common-cold"]
    build_view(article, golden.site)  # the HTML page is built first from the same tokens
    view = build_view(article, golden.site, absolute_links=True)
    html = "".join(s["html"] for s in json.loads(render_article_json(view, golden.site))[
        "sections"])
    assert f'href="{BASE}paracetamol.html#medical-uses"' in html
    assert f'src="{BASE}images/cold-timeline.svg"' in html
    assert 'href="paracetamol.html' not in html


def test_revision_is_a_content_hash(golden: Corpus) -> None:
    view = build_view(golden.articles["paracetamol"], golden.site, absolute_links=True)
    doc = article_document(view, golden.site)
    assert doc["revision"] == revision(doc)
    changed = article_document(view.__class__(**{**view.__dict__, "summary": "Changed."}),
                               golden.site)
    assert changed["revision"] != doc["revision"]


def test_index_lists_every_article_by_slug_and_the_categories(golden: Corpus) -> None:
    views = light_views(golden)
    data = render_index_json(views, golden.site)
    assert data == render_index_json(list(reversed(views)), golden.site)
    index = json.loads(data)
    assert index["count"] == 3
    assert [a["slug"] for a in index["articles"]] == ["common-cold", "hand-washing",
                                                      "paracetamol"]
    assert index["articles"][1] == {
        "slug": "hand-washing", "title": "Hand washing", "article_type": "topic",
        "summary": golden.articles["hand-washing"].front_matter["summary"],
        "url": BASE + "hand-washing.html",
        "categories": ["Public health", "Infectious diseases"],
        "last_reviewed": "2026-04-30", "license": "CC-BY-SA-4.0"}
    assert {c["slug"]: c["articles"] for c in index["categories"]} == {
        "infectious-diseases": ["common-cold", "hand-washing"],
        "pharmacology": ["paracetamol"], "public-health": ["hand-washing"],
        "respiratory-medicine": ["common-cold"]}
    assert index["categories"][0]["url"] == BASE + "category/infectious-diseases.html"


def test_hostile_values_survive_as_data(golden: Corpus, tmp_path: Path) -> None:
    title = "</script><script>alert(1)</script> \"quoted\" \u2028"
    source = f"""---
title: {json.dumps(title)}
type: topic
summary: "A summary that is long enough & has <b>markup</b>."
license: CC-BY-SA-4.0
disclaimer: medical
contributors:
  - name: "<img src=x onerror=alert(1)>"
categories: [Immunology]
last_reviewed: "2026-01-01"
---
## Overview

Text.
"""
    loaded = load_bytes(source.encode(), "articles/x.md", "x", Limits())
    assert loaded.article is not None
    view = build_view(loaded.article, golden.site, absolute_links=True)
    doc = json.loads(render_article_json(view, golden.site))
    assert doc["title"] == title
    assert doc["displaytitle"] == ("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; "
                                   "\"quoted\" \u2028")
    assert doc["contributors"][0]["name"] == "<img src=x onerror=alert(1)>"
    article, _ = validators()
    assert problems(article, doc) == []


CODED = REPO / "tests" / "fixtures" / "cod-valid-codes-good" / "articles"


@pytest.fixture(scope="module")
def coded() -> Corpus:
    return load_corpus(CODED)


def test_the_document_carries_codes_and_drug_fields(coded: Corpus) -> None:
    article, index = validators()
    outputs = {k: json.loads(v) for k, v in render_site(coded).items() if k.startswith("json/")}
    for relative, document in outputs.items():
        assert problems(index if relative == "json/index.json" else article, document) == []
    asthma, drug = outputs["json/asthma.json"], outputs["json/salbutamol.json"]
    assert asthma["synonyms"] == ["bronchial asthma"]
    assert list(asthma["codes"]) == ["icd10", "icd11", "mesh", "omim", "snomed"]
    assert asthma["codes"]["icd10"][1] == {
        "code": "J45.9", "system": "ICD-10", "url": "https://icd.who.int/browse10/2019/en#/J45.9"}
    assert asthma["codes"]["snomed"] == [{"code": "195967001", "system": "SNOMED CT", "url": ""}]
    assert "routes" not in asthma and "stub" not in asthma
    assert drug["codes"]["drugbank"] == [{"code": "DB01001", "system": "DrugBank",
                                          "url": "https://go.drugbank.com/drugs/DB01001"}]
    assert drug["routes"] == ["inhaled", "oral", "intravenous"]
    assert drug["pregnancy_category"] == {"AU": "A", "US": "N"}
    assert drug["legal_status"] == {"AU": "S3", "UK": "POM", "US": "Rx-only"}
    assert drug["revision"] == revision(drug)
    # the plain text of a table of names and values has its rows, and no empty header row
    text = next(s["text"] for s in drug["sections"] if s["title"] == "Pharmacology")
    assert "Formula | C13H21NO3\nElimination half-life | 3 to 6 hours" in text
    assert " | \n" not in text and not any(line.strip(" |") == "" for line in text.split("\n"))


def test_a_document_without_codes_has_none_of_their_fields(golden: Corpus) -> None:
    view = build_view(golden.articles["paracetamol"], golden.site, absolute_links=True)
    doc = article_document(view, golden.site)
    assert not {"synonyms", "codes", "routes", "pregnancy_category", "legal_status",
                "stub"} & set(doc)


def test_a_stub_is_marked(golden: Corpus) -> None:
    view = build_view(golden.articles["paracetamol"], golden.site, absolute_links=True)
    doc = article_document(dataclasses.replace(view, stub=True), golden.site)
    assert doc["stub"] is True
    assert problems(validators()[0], doc) == []
