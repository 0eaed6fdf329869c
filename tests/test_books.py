"""Print books: `publish --book CATEGORY` and `books = [...]` write one PDF per category,
with a cover, a table of contents whose page numbers are right, every article of the
category in title order with its notices, tagged and deterministic."""

from __future__ import annotations

import json
import re
from io import BytesIO
from pathlib import Path

import pytest

from tests.conftest import Runner, write_pyproject

pypdf = pytest.importorskip("pypdf")
pytest.importorskip("typst")

SITE = "Open Medical Encyclopedia"
IMMUNOLOGY = ["Asthma", "Autoimmune disease", "Immune dysregulation", "Immune system",
              "Primary immunodeficiency", "Rheumatoid arthritis", "Vaccination"]
TOC_LINE = re.compile(r"^(?P<title>\S.*?)\s*(?:\.\s*){3,}(?P<page>\d+)$")  # dot leaders


def pages(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(BytesIO(pdf))
    return [" \n".join(line.strip() for line in (page.extract_text() or "").splitlines())
            .replace(" \n", "\n") for page in reader.pages]


def first_page(texts: list[str], title: str) -> int:
    """The page (1-based) where the article's masthead, the site's name then its title as
    the heading, starts."""
    found = [number for number, text in enumerate(texts, start=1)
             if f"{SITE.upper()}\n{title}\n" in text]
    assert len(found) == 1, (title, found)
    return found[0]


def contents(texts: list[str]) -> list[tuple[str, int]]:
    page = next(text for text in texts if text.startswith("Contents\n"))
    return [(match["title"], int(match["page"])) for line in page.splitlines()
            if (match := TOC_LINE.match(line))]


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes, bytes]:
    """The Immunology book published twice: by --book, then by `books = [...]`."""
    import shutil
    import subprocess
    import sys

    from tests.conftest import ARTICLES

    root = tmp_path_factory.mktemp("books")
    shutil.copytree(ARTICLES, root / "articles")
    write_pyproject(root)
    run = [sys.executable, "-m", "pipeline", "publish", "--formats", "pdf"]
    first = subprocess.run([*run, "--book", "Immunology", "--out", "first"], cwd=root,
                           capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr
    write_pyproject(root, 'books = ["Immunology"]\n')
    second = subprocess.run([*run, "--out", "second"], cwd=root, capture_output=True,
                            text=True, timeout=600)
    assert second.returncode == 0, second.stdout + second.stderr
    return (root, (root / "first/print/books/immunology.pdf").read_bytes(),
            (root / "second/print/books/immunology.pdf").read_bytes())


def test_the_table_of_contents_gives_each_article_its_page(
        books: tuple[Path, bytes, bytes]) -> None:
    _, pdf, _ = books
    texts = pages(pdf)
    assert texts[0].splitlines()[:2] == [SITE.upper(), "Immunology"]  # the cover
    assert "7 articles" in texts[0] and "2026-11-25" in texts[0]  # SOURCE_DATE_EPOCH's day
    toc = contents(texts)
    assert [title for title, _ in toc] == IMMUNOLOGY  # every article, in title order
    for title, page in toc:
        assert first_page(texts, title) == page, title
    assert [page for _, page in toc] == sorted(page for _, page in toc)


def test_every_article_carries_its_notices_and_references(
        books: tuple[Path, bytes, bytes]) -> None:
    root, pdf, _ = books
    text = " ".join(" ".join(pages(pdf)).split())
    assert text.count("Medical disclaimer") >= len(IMMUNOLOGY)
    assert "not a substitute for professional medical advice" in text
    assert text.count("Licence and attribution") == len(IMMUNOLOGY)
    assert "Creative Commons Attribution-ShareAlike 4.0" in text
    cited = [path for path in (root / "articles").glob("*.md")
             if "Immunology" in path.read_text(encoding="utf-8").split("\n---", 1)[0]
             and "\nreferences:" in path.read_text(encoding="utf-8")]
    assert cited and text.count("References") >= len(cited)  # each one's references list
    assert "Written by" in text


def test_the_book_is_tagged_and_deterministic(books: tuple[Path, bytes, bytes]) -> None:
    root, first, second = books
    assert first == second  # --book or `books = [...]`, two publishes: the same bytes
    reader = pypdf.PdfReader(BytesIO(first))
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert str(catalog["/Lang"]) == "en-GB"
    assert reader.metadata is not None and reader.metadata.title == f"{SITE}: Immunology"
    manifest = json.loads((root / "first" / "manifest.json").read_text(encoding="utf-8"))
    assert "print/books/immunology.pdf" in manifest["files"]


def test_an_unknown_category_is_a_usage_error(corpus_project: Path, run_cli: Runner) -> None:
    result = run_cli(corpus_project, "publish", "--book", "Dermatology", "--book", "Immunology")
    assert result.returncode == 2, result.stderr
    assert "'Dermatology'" in result.stderr
    assert "the categories are: " in result.stderr
    assert "Immunology" in result.stderr and "Respiratory medicine" in result.stderr
    assert not (corpus_project / "build").exists()  # before any work


def test_an_unknown_category_in_the_configuration(corpus_project: Path,
                                                  run_cli: Runner) -> None:
    write_pyproject(corpus_project, 'books = ["Oncology"]\n')
    result = run_cli(corpus_project, "publish")
    assert result.returncode == 2
    assert "'Oncology'" in result.stderr and "Immunology" in result.stderr
    assert not (corpus_project / "build").exists()


def test_a_book_needs_the_pdf_output(corpus_project: Path, run_cli: Runner) -> None:
    result = run_cli(corpus_project, "publish", "--formats", "html", "--book", "Immunology")
    assert result.returncode == 2
    assert "--book needs the pdf output" in result.stderr
    assert not (corpus_project / "build").exists()
