"""`pipeline import`: MediaWiki pages in, draft articles out (tests/data/wikitext/)."""

from __future__ import annotations

import re
import tracemalloc
from pathlib import Path

import mwparserfromhell
import pytest

from pipeline.check import check_paths
from pipeline.config import Config, load_config
from pipeline.importer import ImportFailure, import_pages
from pipeline.importer.convert import count_source_refs
from pipeline.publish import PublishRequest, publish
from tests.conftest import write_pyproject

DATA = Path(__file__).parent / "data" / "wikitext"
WIKIMD = DATA / "wikimd-immune-dysregulation.txt"
REAL_PAGES = {"omaveloxolone.wiki": "https://or.wikipedia.org/wiki/Omaveloxolone",
              "pirtobrutinib.wiki": "https://or.wikipedia.org/wiki/Pirtobrutinib"}
# What only a person can supply: names, review date, categories, image files and credits,
# missing sections' text, See Also links.
PERSON_ONLY = {"MED109", "FMT106", "CRD103", "LIC103"}


def _project(tmp_path: Path) -> Path:
    (tmp_path / "articles").mkdir()
    write_pyproject(tmp_path)
    return tmp_path


def _errors(root: Path) -> list[tuple[str, str]]:
    result = check_paths(_config(root), None)
    return [(d.code, d.message) for d in result.diagnostics if d.severity == "error"]


def _config(root: Path) -> Config:
    import os

    here = Path.cwd()
    os.chdir(root)
    try:
        return load_config()
    finally:
        os.chdir(here)


def test_wikimd_saved_page_imports_clean(tmp_path: Path) -> None:
    root = _project(tmp_path)
    result = import_pages(_config(root), [WIKIMD])
    draft = (root / "articles" / "immune-dysregulation.md").read_text(encoding="utf-8")
    assert result.reports[0].kind == "condition"
    for chrome in ("Ad.", "Advertise on WikiMD", "Search WikiMD", "edit source", "Navigation",
                   "not a substitute", "Credits:", "Contributors:", "Doctor showing form",
                   "Semaglutide", "From WikiMD"):
        assert chrome not in draft
    assert "url: https://www.wikimd.org/wiki/Immune_dysregulation" in draft
    assert "authors: WikiMD contributors" in draft and "license: CC-BY-SA-3.0" in draft
    assert "## Causes" in draft and "## Treatment" in draft
    assert {code for code, _ in _errors(root)} <= PERSON_ONLY


def test_advert_is_refused_when_pasted(tmp_path: Path) -> None:
    root = _project(tmp_path)
    import_pages(_config(root), [WIKIMD])
    path = root / "articles" / "immune-dysregulation.md"
    text = path.read_text(encoding="utf-8").replace(
        "## Causes\n", "## Causes\n\nAd.Tired of being Overweight? Try W8MD's physician weight "
        "loss program. Semaglutide (Ozempic / Wegovy and Tirzepatide (Mounjaro) available. "
        "Advertise on WikiMD\n\n")
    path.write_text(text, encoding="utf-8")
    assert "TRS104" in {code for code, _ in _errors(root)}


def _fill_person_fields(text: str, see_also: str) -> str:
    """What an editor does: names, review date, category; images removed; TODO text
    replaced."""
    front, _, body = text.partition("\n---\n")
    front = re.sub(r"\nimages:\n(?:[- ] .*\n)+", "\n", front + "\n").rstrip("\n")
    front = front.replace("'TODO: your name'", "Amira Haddad").replace(
        "'TODO: the reviewer''s name'", "Jon Smith").replace(
        "'TODO: the reviewer''s qualifications'", "MD").replace(
        'last_reviewed: "TODO"', 'last_reviewed: "2026-11-01"').replace(
        "- TODO\n", "- Pharmacology\n")
    body = re.sub(r"(?m)^!\[.*\]\(images/.*\)\n", "", body)
    body = body.replace("- TODO: link related articles here as `[Title](slug.md)`", see_also)
    body = re.sub(r"(?m)^TODO: .*$", "Written by the editor.", body)
    body = re.sub(r" \(TODO: [^)]*\)", "", body)
    return f"{front}\n---\n{body}"


@pytest.mark.parametrize("name", sorted(REAL_PAGES))
def test_real_page_keeps_references_codes_and_publishes(tmp_path: Path, name: str) -> None:
    root = _project(tmp_path)
    (root / "articles" / "asthma.md").write_text("placeholder\n", encoding="utf-8")
    source = DATA / name
    result = import_pages(_config(root), [source], source_url=REAL_PAGES[name])
    report = result.reports[0]
    distinct = count_source_refs(mwparserfromhell.parse(source.read_text(encoding="utf-8")))
    assert distinct > 0
    kept = report.references + report.merged_references
    assert kept / distinct >= 0.95, (kept, distinct)
    draft_path = root / "articles" / f"{result.drafts[0].slug}.md"
    draft = draft_path.read_text(encoding="utf-8")
    for values in report.codes.values():
        for value in values:
            assert value in draft
    (root / "articles" / "asthma.md").unlink()
    draft_path.write_text(_fill_person_fields(draft, "- [Other](other.md)"), encoding="utf-8")
    (root / "articles" / "other.md").write_text(
        _fill_person_fields(draft, f"- [Drug]({result.drafts[0].slug}.md)").replace(
            f"title: {report.title}", "title: Other"), encoding="utf-8")
    errors = _errors(root)
    assert errors == []
    published = publish(_config(root), PublishRequest(out=tmp_path / "build",
                                                      formats=("html", "json"), jobs=1))
    assert published.ok, published.diagnostics
    page = (tmp_path / "build" / "html" / f"{result.drafts[0].slug}.html").read_text(
        encoding="utf-8")
    box = page.split('<aside class="infobox"', 1)[-1].split("</aside>", 1)[0]
    ld = page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert '<aside class="infobox"' in page or not report.codes
    for values in report.codes.values():  # in the infobox, and in the JSON-LD as MedicalCode
        for value in values:
            assert f">{value}<" in box and f'"codeValue":"{value}"' in ld.replace(" ", ""), value


def test_export_with_several_pages(tmp_path: Path) -> None:
    root = _project(tmp_path)
    pages = "".join(
        f"<page><title>{Path(n).stem.capitalize()}</title><ns>0</ns><id>{i}</id><revision>"
        f"<id>{1000 + i}</id><timestamp>2023-06-0{i}T00:00:00Z</timestamp>"
        f"<text xml:space=\"preserve\">{_xml((DATA / n).read_text(encoding='utf-8'))}</text>"
        f"</revision></page>" for i, n in enumerate(sorted(REAL_PAGES), start=1))
    export = tmp_path / "export.xml"
    export.write_text(_export(pages), encoding="utf-8")
    result = import_pages(_config(root), [export])
    assert [r.title for r in result.reports] == ["Omaveloxolone", "Pirtobrutinib"]
    text = (root / "articles" / "omaveloxolone.md").read_text(encoding="utf-8")
    assert "url: https://or.wikipedia.org/wiki/Omaveloxolone" in text
    assert "revision: '1001'" in text and "date: '2023-06-01'" in text


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _export(pages: str) -> str:
    return ('<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" version="0.10" '
            'xml:lang="or"><siteinfo><sitename>Wikipedia</sitename>'
            "<base>https://or.wikipedia.org/wiki/Main_Page</base></siteinfo>"
            f"{pages}</mediawiki>\n")


@pytest.mark.parametrize(("name", "data", "message"), [
    ("image.png", b"\x89PNG\r\n\x1a\n" + bytes(100), "binary"),
    ("page.html", b"<!DOCTYPE html><html><body>x</body></html>", "HTML"),
    ("empty.xml", _export("").encode(), "no pages"),
    ("cut.xml", _export("<page><title>A</title><revision><text>abc").encode()[:-30],
     "not a complete"),
    ("evil.xml", _export("<page><title>../../etc/passwd</title><revision><id>1</id>"
                         "<text>x</text></revision></page>").encode(), "not a plain"),
])
def test_bad_input_writes_nothing(tmp_path: Path, name: str, data: bytes,
                                  message: str) -> None:
    root = _project(tmp_path)
    source = tmp_path / name
    source.write_bytes(data)
    with pytest.raises(ImportFailure, match=message) as caught:
        import_pages(_config(root), [WIKIMD, source])
    assert caught.value.exit_code == 1
    assert list((root / "articles").iterdir()) == []


def test_fifty_megabyte_export_is_streamed_and_refused(tmp_path: Path) -> None:
    root = _project(tmp_path)
    export = tmp_path / "huge.xml"
    with export.open("w", encoding="utf-8") as stream:
        stream.write(_export("").replace("</mediawiki>\n", ""))
        stream.write("<page><title>Huge</title><revision><id>1</id><text>")
        line = "Lorem ipsum dolor sit amet. " * 36 + "\n"
        for _ in range(50 * 1024 * 1024 // len(line)):
            stream.write(line)
        stream.write("</text></revision></page></mediawiki>\n")
    tracemalloc.start()
    with pytest.raises(ImportFailure, match="max_file_bytes") as caught:
        import_pages(_config(root), [export])
    peak = tracemalloc.get_traced_memory()[1]
    assert caught.value.exit_code == 1
    assert "page 'Huge' has more than 1048576 bytes of text" in str(caught.value)
    tracemalloc.stop()
    assert peak < 8 * 1024 * 1024
    assert list((root / "articles").iterdir()) == []


def test_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    root = _project(tmp_path)
    target = root / "articles" / "immune-dysregulation.md"
    target.write_text("mine\n", encoding="utf-8")
    with pytest.raises(ImportFailure, match="already exists"):
        import_pages(_config(root), [WIKIMD])
    assert target.read_text(encoding="utf-8") == "mine\n"


def test_cli_usage_and_json(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = _project(tmp_path)
    assert run_cli(root, "import", str(WIKIMD), "--type", "nonsense").returncode == 2
    done = run_cli(root, "import", str(WIKIMD), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert '"title": "Immune dysregulation"' in done.stdout
