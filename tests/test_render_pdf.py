"""The print edition: what a reader finds in the PDF, its metadata, its pages, its bytes.

Each (article, page size) is rendered once per module and shared.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import os
import re
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from pipeline.config import Limits
from pipeline.load import load_file
from pipeline.render.markdown import breakable_addresses
from pipeline.render.pdf import ImageFiles, compile_pdf, print_source, render_pdf
from pipeline.render.typst import unbroken
from pipeline.render.view import ArticleView, SectionView, Site, build_view, disclaimers_from_schema
from pipeline.schema import load_schema
from tests.conftest import ARTICLES, SCHEMA, TEMPLATES

IMAGES = ARTICLES / "images"
BASE_URL = "https://encyclopedia.example.org/"
SLUGS = ["asthma", "ibuprofen", "vaccination"]  # an image and a table; drug; no image
A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


@cache
def site(page_size: str = "A4") -> Site:
    titles = {}
    for path in sorted(ARTICLES.glob("*.md")):
        article = load_file(path, f"articles/{path.name}", Limits()).article
        assert article is not None
        titles[article.slug] = article.title
    return Site(name="Open Medical Encyclopedia", base_url=BASE_URL, language="en-GB",
                page_size=page_size, disclaimers=disclaimers_from_schema(load_schema(SCHEMA)),
                titles=titles)


@cache
def view(slug: str) -> ArticleView:
    loaded = load_file(ARTICLES / f"{slug}.md", f"articles/{slug}.md", Limits())
    assert loaded.article is not None, loaded.diagnostics
    return build_view(loaded.article, site(), absolute_links=True)


@cache
def pdf(slug: str, page_size: str = "A4") -> bytes:
    return render_pdf(view(slug), site(page_size), TEMPLATES, IMAGES)


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def catalog(document: PdfReader) -> Any:
    return document.trailer["/Root"]


def squashed(text: str) -> str:
    """Whitespace folded to single spaces: line breaks in the PDF are not part of the text."""
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return squashed(" ".join(page.extract_text() for page in reader(data).pages))


@pytest.mark.parametrize("slug", SLUGS)
def test_the_pdf_holds_the_article_and_its_notices(slug: str) -> None:
    article = view(slug)
    text = pdf_text(pdf(slug))
    wanted = [article.title, article.summary, article.disclaimer.text, article.license.name,
              article.license.url, article.attribution, article.last_reviewed,
              *(section.title for section in article.sections),
              *(contributor.display for contributor in article.contributors),
              *(image.credit for image in article.images),
              *(f"{link.title}: {link.url}" for link in article.see_also)]
    missing = [needle for needle in wanted if squashed(needle) not in text]
    assert not missing
    assert all(contributor.credentials for contributor in article.contributors)
    assert article.see_also, "the bundled articles all have a See Also section"


def test_an_image_is_drawn_with_its_caption_and_listed_in_the_credits() -> None:
    article = view("asthma")
    (image,) = article.images
    text = pdf_text(pdf("asthma"))
    assert "Image credits" in text
    assert squashed(image.caption) in text  # under the figure, before the credit
    assert squashed(image.credit) in text  # in the list (the caption may wrap it anywhere)
    assert _figure_alt_texts(reader(pdf("asthma"))) == [image.alt]


def test_metadata_title_authors_language_summary_keywords_dates() -> None:
    article = view("asthma")
    document = reader(pdf("asthma"))
    metadata = document.metadata
    assert metadata is not None
    assert metadata.title == "Asthma"
    assert metadata.author == "Helen Whitfield, Sarah Lindqvist" == article.authors
    assert metadata.subject == article.summary
    assert str(metadata["/Keywords"]) == "Respiratory medicine, Immunology"
    assert str(metadata["/CreationDate"]) == str(metadata["/ModDate"]) == "D:20260121000000Z"
    assert str(catalog(document)["/Lang"]) == "en-GB"


@pytest.mark.parametrize("slug", SLUGS)
def test_every_page_is_numbered_and_carries_the_title(slug: str) -> None:
    pages = reader(pdf(slug)).pages
    assert len(pages) >= 1
    for number, page in enumerate(pages, start=1):
        text = squashed(page.extract_text())
        assert f"Page {number} of {len(pages)}" in text
        assert view(slug).title in text  # the h1 on page one, the running header after


@pytest.mark.parametrize(("page_size", "expected"), [("A4", A4), ("Letter", LETTER),
                                                     ("A5 landscape", (595.28, 419.53))])
def test_the_page_size_comes_from_the_site(page_size: str, expected: tuple[float, float]
                                           ) -> None:
    for page in reader(pdf("vaccination", page_size)).pages:
        box = page.mediabox
        assert (round(float(box.width), 2), round(float(box.height), 2)) == expected


def test_a_page_size_that_is_not_css_is_refused() -> None:
    with pytest.raises(ValueError, match="page size"):
        render_pdf(view("vaccination"), site("A4; } body { display: none"), TEMPLATES, IMAGES)


def test_the_pdf_is_tagged_for_accessibility() -> None:
    root = catalog(reader(pdf("asthma")))
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    # PDF/UA-1 identification in the XMP metadata (as an attribute or as an element)
    assert re.search(rb'pdfuaid:part(="1"|>1<)', root["/Metadata"].get_object().get_data())


def test_the_objects_are_packed_and_nothing_else_changes() -> None:
    """The structure's small objects are in compressed object streams; the pages, their
    text, the metadata (the XMP uncompressed) and the document's first identifier are what
    Typst wrote, in a file about a quarter smaller."""
    from pipeline.render.pdf import pack, typeset

    loose = typeset(print_source(view("asthma"), site(), TEMPLATES, IMAGES), IMAGES)
    packed = pdf("asthma")
    assert pack(loose) == packed  # what a publish writes is Typst's PDF, packed
    assert b"/ObjStm" in packed and b"/ObjStm" not in loose
    assert len(packed) < 0.85 * len(loose), (len(packed), len(loose))
    before, after = reader(loose), reader(packed)
    assert [p.extract_text() for p in after.pages] == [p.extract_text() for p in before.pages]
    assert after.metadata == before.metadata
    metadata = catalog(after)["/Metadata"].get_object()
    assert "/Filter" not in metadata
    assert metadata.get_data() == catalog(before)["/Metadata"].get_object().get_data()
    assert after.trailer["/ID"][0] == before.trailer["/ID"][0]
    assert "/StructTreeRoot" in catalog(after)


TYPST_MARKUP = ('#import "@preview/cetz:0.3.0": * #read("/etc/passwd") *strong* _emph_ $x^2$ '
                '`raw` <label> @label = heading - item + item / term: x // comment /* c */ '
                '~ -- --- ... \\ back "quotes" \'single\' [brackets] {braces} 1. first')


def test_markup_in_the_data_is_printed_as_text() -> None:
    tricky = dataclasses.replace(view("vaccination"), title="Vaccines <b>& you</b>",
                                 summary="<script>alert(1)</script> is text. " + TYPST_MARKUP)
    data = render_pdf(tricky, site(), TEMPLATES, IMAGES)
    text = pdf_text(data)
    assert "Vaccines <b>& you</b>" in text
    assert "<script>alert(1)</script> is text. " + TYPST_MARKUP in text
    metadata = reader(data).metadata
    assert metadata is not None and metadata.title == "Vaccines <b>& you</b>"


# -- determinism -----------------------------------------------------------------------------

def test_two_renders_give_identical_bytes() -> None:
    first = render_pdf(view("asthma"), site(), TEMPLATES, IMAGES)
    render_pdf(view("ibuprofen"), site(), TEMPLATES, IMAGES)  # order of work does not matter
    assert render_pdf(view("asthma"), site(), TEMPLATES, IMAGES) == first == pdf("asthma")


def test_an_address_wraps_at_its_punctuation_and_stays_one_link() -> None:
    """A long address wraps at its punctuation (Typst breaks the text of a link there; the
    `<wbr>` that `breakable_addresses` puts in for browsers leave no character behind, so
    an address copied from the PDF is the address), and its link is the whole address."""
    long_url = "https://www.example.org/guidance/" + "long-path-segment-" * 10 + "end?x=1&y=2"
    shown = breakable_addresses(f'<p>See <a href="{long_url}">{long_url}</a> and '
                                "the text &lt;wbr&gt; written out.</p>")
    assert shown.count("<wbr>") > 20
    article = dataclasses.replace(view("vaccination"), sections=(
        SectionView("Overview", "overview", shown, "See"), *view("vaccination").sections[1:]))
    data = render_pdf(article, site(), TEMPLATES, IMAGES)
    lines = [line for page in reader(data).pages for line in page.extract_text().splitlines()]
    assert not [line for line in lines if "\u200b" in line]
    wrapped = [line for line in lines if "long-path-segment" in line]
    assert len(wrapped) > 1  # the address runs over lines that end at its punctuation
    assert all(line.rstrip()[-1] in "/-" or after.lstrip()[0] in ".-_?#&=~%"
               for line, after in itertools.pairwise(wrapped))
    assert "the text <wbr> written out." in pdf_text(data)  # text that names the tag
    links = {annotation.get_object()["/A"].get("/URI") for page in reader(data).pages
             for annotation in page.get("/Annots", []) or [] if "/A" in annotation.get_object()}
    assert long_url in links


SUBPROCESS = """
import sys
from tests.test_render_pdf import pdf
sys.stdout.buffer.write(pdf(sys.argv[1]))
"""


def test_another_process_clock_and_time_zone_give_identical_bytes() -> None:
    env = {**os.environ, "TZ": "Pacific/Kiritimati", "SOURCE_DATE_EPOCH": "86400",
           "PYTHONHASHSEED": "4321", "LC_ALL": "C"}
    result = subprocess.run([sys.executable, "-c", SUBPROCESS, "asthma"], capture_output=True,
                            cwd=Path(__file__).resolve().parent.parent, env=env, timeout=120,
                            check=True)
    assert result.stdout == pdf("asthma")


# -- what the renderer reads -------------------------------------------------------------------

@pytest.fixture
def images(tmp_path: Path) -> ImageFiles:
    folder = tmp_path / "images"
    folder.mkdir()
    (folder / "chart.svg").write_bytes((IMAGES / "asthma-airway.svg").read_bytes())
    (folder / "notes.txt").write_text("not an image", encoding="utf-8")
    (tmp_path / "secret.svg").write_text("<svg/>", encoding="utf-8")
    (folder / "leak.svg").symlink_to(tmp_path / "secret.svg")
    (folder / "notes.svg").symlink_to(folder / "notes.txt")
    return ImageFiles(BASE_URL + "images/", folder, Limits())


def test_an_image_of_the_folder_is_named_from_the_root(images: ImageFiles) -> None:
    assert images(BASE_URL + "images/chart.svg") == "/chart.svg"
    assert images.local_path(BASE_URL + "images/chart.svg") == (
        images.folder / "chart.svg").resolve()


@pytest.mark.parametrize("url", [
    "https://evil.example/x.png",
    "file:///etc/passwd",
    "data:image/svg+xml,<svg/>",
    BASE_URL + "images/../secret.svg",
    BASE_URL + "images/%2e%2e%2fsecret.svg",
    BASE_URL + "images/sub/chart.svg",
    BASE_URL + "images/notes.txt",
    BASE_URL + "images/missing.svg",
    BASE_URL + "images/leak.svg",  # a symbolic link out of the folder
    BASE_URL + "images/notes.svg",  # a symbolic link to a file that is not an image
    BASE_URL + "secret.svg",
    "http://encyclopedia.example.org/images/chart.svg",
])
def test_every_other_address_names_no_file(images: ImageFiles, url: str) -> None:
    assert images.local_path(url) is None
    assert images(url) is None


@pytest.fixture
def watched(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[Any]]]:
    """Records what the renderer asks the images folder for, and any attempt to reach the
    network from this process."""
    seen: dict[str, list[Any]] = {"served": [], "refused": [], "network": []}
    original = ImageFiles.__call__

    def call(self: ImageFiles, url: str) -> str | None:
        name = original(self, url)
        seen["served" if name is not None else "refused"].append(url)
        return name

    def no_network(name: str) -> Callable[..., Any]:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            seen["network"].append((name, args))
            raise OSError("network use in a test")
        return refuse

    monkeypatch.setattr(ImageFiles, "__call__", call)
    monkeypatch.setattr(socket, "create_connection", no_network("create_connection"))
    monkeypatch.setattr(socket.socket, "connect", no_network("connect"))
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network("urlopen"))
    yield seen


def test_images_outside_the_folder_are_left_out(watched: dict[str, list[Any]]) -> None:
    hostile = ('<p>Look:</p><img src="https://evil.example/x.png" alt="remote">'
               '<img src="file:///etc/passwd" alt="local file">'
               f'<img src="{BASE_URL}images/../../etc/passwd" alt="traversal">'
               f'<figure><img src="{BASE_URL}images/asthma-airway.svg" alt="Airway"></figure>')
    article = view("vaccination")
    sections = (SectionView("Overview", "overview", hostile, "Look:"), *article.sections[1:])
    changed = dataclasses.replace(article, sections=sections)
    source = print_source(changed, site(), TEMPLATES, IMAGES)
    assert re.findall(r'print-image\("([^"]*)"', source) == ["/asthma-airway.svg"]
    data = compile_pdf(source, IMAGES)
    assert data.startswith(b"%PDF-")
    assert "Look:" in pdf_text(data)
    assert _figure_alt_texts(reader(data)) == ["Airway"]
    assert watched["served"] == [f"{BASE_URL}images/asthma-airway.svg"]
    assert set(watched["refused"]) == {"https://evil.example/x.png", "file:///etc/passwd",
                                       f"{BASE_URL}images/../../etc/passwd"}
    assert watched["network"] == []


def test_typst_reads_nothing_outside_the_images_folder(tmp_path: Path) -> None:
    """The root Typst is given is the images folder: a source naming a file above it (which
    ours never does) is refused, not read."""
    (tmp_path / "secret.svg").write_bytes((IMAGES / "asthma-airway.svg").read_bytes())
    folder = tmp_path / "images"
    folder.mkdir()
    source = '#set document(title: "T")\n#image("../secret.svg", alt: "x")\n'
    with pytest.raises(Exception, match=r"(?i)root|access|denied"):
        compile_pdf(source, folder)


# -- helpers -----------------------------------------------------------------------------------

def test_unbroken_keeps_hyphenated_words_and_addresses_whole_and_escapes() -> None:
    markup = str(unbroken("Attribution-ShareAlike (https://x.example/a-b?c=1&d=2). <b>"))
    assert markup == (
        "#box[Attribution\\-ShareAlike] #box[\\(#link(\"https://x.example/a-b?c=1&d=2\")["
        "https\\:\\/\\/x\\.example\\/a\\-b\\?c\\=1\\&d\\=2]\\)\\.] \\<b\\>")


def _figure_alt_texts(document: PdfReader) -> list[str]:
    """The /Alt of every Figure in the structure tree, in document order."""
    found: list[str] = []

    def walk(node: Any) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, DictionaryObject):
            if node.get("/S") == "/Figure":
                found.append(str(node.get("/Alt")))
            if "/K" in node:
                walk(node["/K"])

    walk(catalog(document)["/StructTreeRoot"])
    return found


CODED = Path(__file__).parent / "fixtures" / "cod-valid-codes-good" / "articles"


def coded_pdf(slug: str) -> tuple[ArticleView, bytes]:
    loaded = load_file(CODED / f"{slug}.md", f"articles/{slug}.md", Limits())
    assert loaded.article is not None, loaded.diagnostics
    article = build_view(loaded.article, site(), absolute_links=True)
    return article, render_pdf(article, site(), TEMPLATES, IMAGES)


def test_the_infobox_is_printed_under_the_masthead() -> None:
    article, data = coded_pdf("salbutamol")
    text = pdf_text(data)
    for line in ("Also known as albuterol", "ATC R03, R03AC, R03AC02", "CAS 18559-94-9",
                 "DrugBank DB01001", "Routes of administration inhaled, oral, intravenous",
                 "Pregnancy category AU: A US: N", "Legal status AU: S3 UK: POM US: Rx-only"):
        assert line in text, line
    assert text.index("Legal status") < text.index(article.disclaimer.title)
    # formulas keep their letters and digits; the table of names and values has no empty row
    assert "FormulaC13H21NO3Eliminationhalf-life3to6hours" in text.replace(" ", "")
    links = {annotation.get_object()["/A"].get("/URI") for page in reader(data).pages
             for annotation in page.get("/Annots", []) or []
             if "/A" in annotation.get_object()}
    assert "https://atcddd.fhi.no/atc_ddd_index/?code=R03AC02" in links


def _embedded_fonts(data: bytes) -> set[str]:
    """The names of the fonts a PDF embeds, without their subset prefix (`ABCDEF+`)."""
    names: set[str] = set()
    for page in reader(data).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+", 1)[-1])
    return names


def _font_folder(family: str) -> Path | None:
    """The folder of `family`'s regular face as fontconfig finds it, or None."""
    found = subprocess.run(["fc-match", "--format=%{family}\n%{file}", family],
                           capture_output=True, text=True, check=False).stdout.splitlines()
    return Path(found[1]).parent if len(found) == 2 and family in found[0] else None


def test_the_print_edition_is_set_in_liberation() -> None:
    # .ci/system-deps installs fonts-liberation; the DejaVu case is the test below
    assert _font_folder("Liberation Serif") is not None, "install fonts-liberation"
    fonts = _embedded_fonts(pdf("asthma"))
    assert {"LiberationSerif", "LiberationSerif-Bold", "LiberationSans",
            "LiberationSans-Bold"} <= fonts, fonts


def test_without_liberation_the_print_edition_is_set_in_dejavu() -> None:
    """A machine with DejaVu alone: the families templates/print-style.typ names next, with
    a Typst that sees no font but DejaVu's."""
    import typst

    dejavu = _font_folder("DejaVu Serif")
    assert dejavu is not None
    compiler = typst.Compiler(root=str(IMAGES), font_paths=[str(dejavu)],
                              ignore_system_fonts=True)
    source = print_source(view("asthma"), site(), TEMPLATES, IMAGES)
    fonts = _embedded_fonts(compiler.compile(input=source.encode(), format="pdf",
                                             pdf_standards=["ua-1"]))
    assert {"DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSans", "DejaVuSans-Bold"} <= fonts, fonts
    assert not any(name.startswith("Liberation") for name in fonts), fonts
