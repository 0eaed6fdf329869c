"""The site index scales: with 10,000 articles no HTML page passes 300 KB, because the front
page links to one A to Z page per letter and to the categories, and letter and category
pages hold `PAGE_ENTRIES` articles each, linked by previous and next. The sitemap and the
Atom feed are valid XML made only from the articles (no clock).

Fake listings go through the real templates (`HtmlFormat.site_files`), not a publish: a
10,000-article publish belongs to the benchmark (`benchmarks/bench.py` reports its largest
page).
"""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

import pytest

from pipeline.render.html import FORMAT as HTML
from pipeline.render.html import PAGE_ENTRIES, page_name, paginate
from pipeline.render.view import CategoryView, LicenseView, Listing
from tests.golden import load_corpus

LIMIT = 300 * 1024
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
WORDS = ("acute", "chronic", "benign", "familial", "juvenile", "nodular", "primary",
         "reactive", "systemic", "tropical", "ulcerative", "viral", "zoster", "éosinophilic")


def fake_listings(count: int, seed: int = 16) -> list[Listing]:
    """`count` articles with long titles and summaries of the longest allowed (300
    characters), in a few categories, one of which holds them all."""
    rng = random.Random(seed)
    licence = LicenseView("CC-BY-SA-4.0", "Creative Commons Attribution-ShareAlike 4.0",
                          "https://creativecommons.org/licenses/by-sa/4.0/")
    listings = []
    for number in range(count):
        title = " ".join(rng.choice(WORDS) for _ in range(4)).capitalize() + f" {number}"
        slug = f"article-{number:05d}"
        summary = (f"{title} & <friends> is " + "a made-up subject " * 20)[:300]
        categories = (CategoryView("Everything", "everything"),
                      CategoryView(f"Group {number % 7}", f"group-{number % 7}"))
        reviewed = f"2026-{1 + number % 12:02d}-{1 + number % 28:02d}"
        listings.append(Listing(slug, title, rng.choice(("condition", "drug", "topic")),
                                summary, f"https://encyclopedia.example.org/{slug}.html",
                                categories, reviewed, licence))
    return listings


@pytest.fixture(scope="module")
def big_site() -> dict[str, bytes]:
    corpus = load_corpus()
    return dict(HTML.site_files(corpus.config, corpus.site, fake_listings(10_000), []))


def test_no_page_passes_300_kb_with_10000_articles(big_site: dict[str, bytes]) -> None:
    pages = {name: len(data) for name, data in big_site.items() if name.endswith(".html")}
    largest = max(pages, key=lambda name: pages[name])
    print(f"largest of {len(pages)} pages: {largest}, {pages[largest]} bytes")
    assert pages[largest] <= LIMIT, (largest, pages[largest])
    assert pages["html/index.html"] < 20 * 1024


def test_every_article_is_on_one_letter_page_and_one_page_per_category(
        big_site: dict[str, bytes]) -> None:
    def listed(prefix: str) -> list[str]:
        found = []
        for name, data in big_site.items():
            if name.startswith(prefix) and name.endswith(".html"):
                text = data.decode()
                found += [part.split('"', 1)[0] for part in
                          text.split('class="entry-title" href="../')[1:]]
        return found

    everyone = sorted(f"article-{n:05d}.html" for n in range(10_000))
    assert sorted(listed("html/a-z/")) == everyone
    assert sorted(listed("html/category/everything")) == everyone
    pages = [name for name in big_site if name.startswith("html/category/everything")]
    assert len(pages) == 10_000 // PAGE_ENTRIES
    assert "html/category/everything--100.html" in pages


def test_pages_link_to_the_previous_and_next(big_site: dict[str, bytes]) -> None:
    first = big_site["html/category/everything.html"].decode()
    middle = big_site["html/category/everything--2.html"].decode()
    last = big_site["html/category/everything--100.html"].decode()
    assert 'rel="next" href="everything--2.html"' in first and 'rel="prev"' not in first
    assert 'rel="prev" href="everything.html"' in middle
    assert 'rel="next" href="everything--3.html"' in middle
    assert 'rel="prev" href="everything--99.html"' in last and 'rel="next"' not in last
    assert "Page 2 of 100" in middle
    assert ('<link rel="canonical" href="https://encyclopedia.example.org/category/'
            'everything--2.html">') in middle


def test_paginate_and_page_names() -> None:
    assert paginate([]) == [[]]
    assert [len(p) for p in paginate(list(range(250)))] == [100, 100, 50]
    assert page_name("category/type", 1) == "category/type.html"
    assert page_name("category/type", 2) == "category/type--2.html"  # not "Type 2"'s page


def test_sitemap_lists_every_page_with_lastmod(big_site: dict[str, bytes]) -> None:
    root = ET.fromstring(big_site["html/sitemap.xml"])
    urls = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod")
            for u in root.iter(f"{SITEMAP}url")}
    assert urls["https://encyclopedia.example.org/article-00013.html"] == "2026-02-14"
    assert "https://encyclopedia.example.org/category/everything--100.html" in urls
    assert "https://encyclopedia.example.org/" in urls
    pages = sum(1 for name in big_site if name.endswith(".html")
                and name not in ("html/search.html", "html/404.html"))
    assert len(urls) == pages + 10_000  # the front page, every list page, every article


def test_feed_holds_the_20_most_recently_reviewed(big_site: dict[str, bytes],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    root = ET.fromstring(big_site["html/feed.xml"])
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 20
    dates = [e.findtext(f"{ATOM}updated") for e in entries]
    assert dates == sorted(dates, reverse=True)
    assert root.findtext(f"{ATOM}updated") == dates[0] == "2026-12-28T00:00:00Z"
    ids = [e.findtext(f"{ATOM}id") for e in entries if e.findtext(f"{ATOM}updated") == dates[0]]
    assert ids == sorted(ids)  # the same day: by slug
    corpus = load_corpus()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    again = dict(HTML.site_files(corpus.config, corpus.site, fake_listings(10_000), []))
    assert again["html/feed.xml"] == big_site["html/feed.xml"]  # dates come from articles


def test_an_empty_feed_takes_its_date_from_source_date_epoch() -> None:
    from pipeline.render.html import feed

    corpus = load_corpus()
    assert b"<updated>1970-01-01T00:00:00Z</updated>" in feed([], corpus.site, "")
    assert b"<updated>2023-11-14T22:13:20Z</updated>" in feed([], corpus.site, "1700000000")
