"""The post-render check: a publish fails if any output lacks the disclaimer, the licence or
the attribution, and the previous build stays as it was."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from pipeline.config import load_config
from pipeline.load import load_file
from pipeline.publish import PublishRequest, make_site, missing_notices, publish
from pipeline.render.view import absolute_view, build_view
from tests.conftest import ARTICLES, TEMPLATES, Runner, write_pyproject
from tests.test_publish import tree


def with_templates(root: Path) -> Path:
    """Give the project its own copy of the templates, to break."""
    shutil.copytree(TEMPLATES, root / "templates")
    write_pyproject(root)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8").replace(
        TEMPLATES.as_posix(), (root / "templates").as_posix()), encoding="utf-8")
    return root / "templates"


def test_an_html_page_without_the_disclaimer_stops_the_publish(corpus_project: Path,
                                                              run_cli: Runner) -> None:
    templates = with_templates(corpus_project)
    assert run_cli(corpus_project, "publish", "--formats", "html,json").returncode == 0
    before = tree(corpus_project / "build")
    page = templates / "article.html"
    text = page.read_text(encoding="utf-8")
    assert "{{ view.disclaimer.text }}" in text
    page.write_text(text.replace("{{ view.disclaimer.text }}", ""), encoding="utf-8")
    result = run_cli(corpus_project, "publish", "--formats", "html,json")
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if "PUB003" in line]
    assert len(lines) == 14
    assert "articles/asthma.md:1:1: PUB003 [error] html/asthma.html lacks the disclaimer" in (
        result.stdout)
    assert tree(corpus_project / "build") == before


def test_a_pdf_without_the_licence_stops_the_publish(corpus_project: Path) -> None:
    tmp_path = corpus_project
    templates = with_templates(tmp_path)
    page = templates / "print-article.typ"  # the part print.typ and books share
    text = page.read_text(encoding="utf-8")
    broken = re.sub(r"#heading\(level: 2\)\[Licence and attribution\].*?(?=\n  \]\n\}\))",
                    "", text, count=1, flags=re.S)
    assert broken != text
    page.write_text(broken, encoding="utf-8")
    config = load_config(tmp_path)
    result = publish(config, PublishRequest(out=tmp_path / "build", formats=("pdf",), jobs=1))
    assert not result.ok
    messages = {d.message for d in result.diagnostics if d.code == "PUB003"}
    slugs = sorted(p.stem for p in ARTICLES.glob("*.md"))
    assert {f"print/{slug}.pdf lacks the attribution" for slug in slugs} <= messages
    # An article without images has no other licence deed on its pages (image credits name
    # theirs): the licence notice itself is found missing.
    assert "print/ibuprofen.pdf lacks the licence" in messages
    assert not (tmp_path / "build").exists()


def test_a_json_document_without_the_attribution_is_reported() -> None:
    config = load_config(Path(__file__).parent.parent)
    article = load_file(ARTICLES / "asthma.md", "articles/asthma.md", config.limits).article
    assert article is not None
    site = make_site(config, {article.slug: article})
    view = build_view(article, site)
    from pipeline.render.json_api import render_article_json

    good = render_article_json(absolute_view(view, site), site)
    assert list(missing_notices(article, {"json/asthma.json": good}, view)) == []
    document = json.loads(good)
    document["attribution"] = ""
    bad = json.dumps(document).encode()
    found = [d.message for d in missing_notices(article, {"json/asthma.json": bad}, view)]
    assert found == ["json/asthma.json lacks the attribution"]


# A column so narrow that the line breaker splits the hyphenated words at their hyphens.
_NARROW = ('#set document(title: "Narrow")\n#set text(lang: "en", size: 12pt)\n'
           '#block(width: 24mm)[evidence-based decision-making and cost-effectiveness]\n\n'
           'café µg ≥ 5 ± 2 °C\n')


def _narrow_pdf() -> bytes:
    from pipeline.render.pdf import compile_pdf

    return compile_pdf(_NARROW, Path("."))


def test_pdf_text_drops_the_mark_of_a_hyphen_at_a_line_break() -> None:
    from pipeline.publish.verify import pdf_text

    text = pdf_text(_narrow_pdf())
    assert "\x02" not in text and "\ufffe" not in text
    assert len(text.splitlines()) >= 4  # the words did wrap
    squashed = "".join(text.split()).replace("-", "")
    assert "evidencebaseddecisionmakingandcosteffectiveness" in squashed
    assert "café µg ≥ 5 ± 2 °C" in " ".join(text.split())


def test_pdf_text_without_pdfium_reads_the_same_words_with_pypdf(monkeypatch: Any) -> None:
    import sys

    from pipeline.publish.verify import pdf_text

    data = _narrow_pdf()
    with_pdfium = pdf_text(data)
    monkeypatch.setitem(sys.modules, "pypdfium2", None)  # `import pypdfium2` fails
    without = pdf_text(data)
    assert without != with_pdfium  # another reader (its own line ends)
    words = lambda text: "".join(text.split()).replace("-", "")  # noqa: E731
    assert words(without) == words(with_pdfium)
