"""`check` exit 0 ⇒ `publish` succeeds, as a property: Hypothesis writes articles from the
constructs real articles use (and the ones that once broke the renderers: headings inside
list items and quotes, symbols next to emphasis, form feeds, images in lists, odd link
titles, images without alt text, empty headings and skipped heading levels, which PDF/UA-1
refuses in the print edition), and whenever the check finds no error, the publish of all
three outputs must succeed and agree with it.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.check import check_paths
from pipeline.config import load_config
from pipeline.publish import PublishRequest, publish
from tests.conftest import write_pyproject
from tests.test_consistency import HEAD

WORDS = st.sampled_from(["Asthma", "airway", "SpO₂", "≥", "94%", "→", "C₁₆", "dose", "€5",
                         "μg", "a\x0c", "(see", "below)", "x_y", "*", "_", "~~", "`code`",
                         "[1]", "\\*", "&amp;", "&#x41;", "<!-- note -->"])
EMPHASIS = st.sampled_from(["*", "**", "_", "__", "~~", ""])
LINKS = st.sampled_from([
    "[Beta](beta.md)", "[the causes](beta.md#causes)", "[above](#overview)",
    "[NHS](https://www.nhs.uk/ \"[1](x)\")", "<https://example.org/>",
    "[a](https://münchen.de)", "![Airway](images/airway.svg)", "![](images/airway.svg)",
])


@st.composite
def inline(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        mark = draw(EMPHASIS)
        text = " ".join(draw(st.lists(WORDS, min_size=1, max_size=4)))
        parts.append(draw(st.sampled_from([f"{mark}{text}{mark}", draw(LINKS), text])))
    return " ".join(parts)


@st.composite
def block(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["para", "list", "heading-in-list", "quote", "table",
                                 "code", "sub", "ordered", "image-list", "empty-heading",
                                 "deep-heading"]))
    text = draw(inline())
    if kind == "list":
        return "\n".join(f"- {draw(inline())}" for _ in range(draw(st.integers(1, 3))))
    if kind == "heading-in-list":
        level = draw(st.sampled_from(["##", "###", "####"]))
        return f"- {text}\n  {level} {draw(WORDS)}\n\n  {draw(inline())}"
    if kind == "quote":
        return f"> {text}\n>\n> ## {draw(WORDS)}"
    if kind == "table":
        return f"| Drug | Dose |\n|---|---|\n| {draw(WORDS)} | {text} |"
    if kind == "code":
        return f"```\n{text}\n```"
    if kind == "sub":
        return f"### {draw(WORDS)}\n\n{text}"
    if kind == "ordered":
        return f"1. {text}\n2. {draw(inline())}"
    if kind == "empty-heading":
        return f"###\n\n{text}"
    if kind == "deep-heading":  # a level skipped, which PDF/UA-1 forbids in the print edition
        return f"##### {draw(WORDS)}\n\n{text}"
    if kind == "image-list":
        return "- ![Airway\n  narrowed](images/airway.svg)"
    return text


AIRWAY = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
          '<rect width="10" height="10"/></svg>\n')
CREDIT = ("images:\n  - file: airway.svg\n    title: Airway\n    alt: A narrowed airway\n"
          "    author: Test Author\n    source: Own work\n    license: CC-BY-SA-4.0\n")
SECTIONS = ("## Causes\n\nC.\n\n## Symptoms\n\nS.\n\n## Diagnosis\n\nD.\n\n## Treatment\n\nT."
            "\n\n## See Also\n\n- [{other}]({slug}.md)\n")


def project_with(overview: str) -> Path:
    root = Path(tempfile.mkdtemp(prefix="check-publish-"))
    (root / "articles" / "images").mkdir(parents=True)
    (root / "articles" / "images" / "airway.svg").write_text(AIRWAY, encoding="utf-8")
    write_pyproject(root)
    head = HEAD.format(title="Alpha")
    if "images/airway.svg" in overview:
        head = head.replace("---\n", "", 1).replace("last_reviewed", CREDIT + "last_reviewed")
        head = "---\n" + head
    (root / "articles" / "alpha.md").write_text(
        head + f"## Overview\n\n{overview}\n\n" + SECTIONS.format(other="Beta", slug="beta"),
        encoding="utf-8")
    (root / "articles" / "beta.md").write_text(
        HEAD.format(title="Beta") + "## Overview\n\nB.\n\n"
        + SECTIONS.format(other="Alpha", slug="alpha"), encoding="utf-8")
    return root


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(block(), min_size=1, max_size=5))
def test_an_article_that_checks_clean_publishes(blocks: list[str]) -> None:
    root = project_with("\n\n".join(blocks))
    try:
        config = load_config(root)
        checked = check_paths(config, jobs=1)
        if checked.errors:
            return  # the property says nothing about refused articles
        result = publish(config, PublishRequest(out=root / "build",
                                                formats=("html", "json", "pdf"), jobs=1))
        assert result.ok, [f"{d.code} {d.message}" for d in result.diagnostics]
        assert result.diagnostics == checked.diagnostics
        assert (root / "build" / "html" / "alpha.html").is_file()
        assert (root / "build" / "print" / "alpha.pdf").is_file()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_the_generator_reaches_clean_articles_with_every_construct() -> None:
    """Guard against a property that holds vacuously: the constructs above do check clean."""
    overview = "\n\n".join([
        "- item\n  ## Heading\n\n  more", "> quoted\n>\n> ## Heading in a quote",
        "SpO₂ **≥**94%", "- ![Airway\n  narrowed](images/airway.svg)",
        '[NHS](https://www.nhs.uk/ "[1](x)")', "| Drug | Dose |\n|---|---|\n| a | b |",
        "![](images/airway.svg)", "###\n\nAfter an empty heading.", "##### Deep\n\nSkipped."])
    root = project_with(overview)
    try:
        config = load_config(root)
        assert check_paths(config, jobs=1).errors == 0
        result = publish(config, PublishRequest(out=root / "build",
                                                formats=("html", "json", "pdf"), jobs=1))
        assert result.ok, result.diagnostics
        assert (root / "build" / "print" / "alpha.pdf").is_file()
    finally:
        shutil.rmtree(root, ignore_errors=True)
