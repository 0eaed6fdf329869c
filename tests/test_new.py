"""`pipeline new`: a skeleton from the schema that the checker flags only for its placeholders."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from pipeline.names import slugify
from pipeline.new import yaml_text
from pipeline.schema import load_schema, outlines
from tests.conftest import SCHEMA, TEMPLATES, Runner

TODO = re.compile(r"\bTODO\b")
# Besides MED109 placeholder-text, nothing may be reported on a new article: the See Also
# placeholder and the orphan rule defer to MED109 while placeholders are left.
# What a new article is flagged for besides its placeholders, and the line it is flagged on:
# its sources, which only the author can supply (REF106, a warning on `type:`).
UNAVOIDABLE: dict[str, str] = {"REF106": "type:"}


def diagnostics(run_cli: Runner, root: Path, *paths: str) -> list[dict[str, Any]]:
    result = run_cli(root, "check", "--format", "json", *paths)
    assert result.returncode in (0, 1), result.stderr
    found: list[dict[str, Any]] = json.loads(result.stdout)["diagnostics"]
    return found


def assert_only_placeholders(found: list[dict[str, Any]], text: str) -> None:
    lines = text.splitlines()
    placeholder_lines = [n for n, line in enumerate(lines, start=1) if TODO.search(line)]
    med109 = [d["line"] for d in found if d["code"] == "MED109"]
    assert med109 == placeholder_lines  # one per placeholder, on its line
    others = [d for d in found if d["code"] != "MED109"]
    for d in others:
        assert d["code"] in UNAVOIDABLE, d
        assert lines[d["line"] - 1].lstrip().startswith(UNAVOIDABLE[d["code"]]), d


def required_titles(schema: dict[str, Any], kind: str) -> list[str]:
    return [str(e["title"]) for e in outlines(schema)[kind] if e.get("required")]


def headings(text: str) -> list[str]:
    return [line[3:] for line in text.splitlines() if line.startswith("## ")]


@pytest.mark.parametrize("kind", ["condition", "drug", "topic", "procedure", "stub"])
def test_new_article_is_flagged_only_for_its_placeholders(
        kind: str, corpus_project: Path, run_cli: Runner) -> None:
    result = run_cli(corpus_project, "new", "Coeliac disease", "--type", kind)
    assert result.returncode == 0, result.stderr
    assert "articles/coeliac-disease.md" in result.stdout
    path = corpus_project / "articles" / "coeliac-disease.md"
    text = path.read_text(encoding="utf-8")
    # the required sections, in order, then the (optional, generated) References section
    assert headings(text) == [*required_titles(load_schema(SCHEMA), kind), "References"]
    found = diagnostics(run_cli, corpus_project, "articles/coeliac-disease.md")
    assert_only_placeholders(found, text)
    # one per required section, and the summary, the contributor and the categories
    required = len(required_titles(load_schema(SCHEMA), kind))
    assert sum(1 for d in found if d["code"] == "MED109") == required + 3


def test_each_section_holds_its_guidance_as_a_placeholder(project: Path,
                                                          run_cli: Runner) -> None:
    assert run_cli(project, "new", "Asthma", "--type", "condition").returncode == 0
    text = (project / "articles" / "asthma.md").read_text(encoding="utf-8")
    for entry in outlines(load_schema(SCHEMA))["condition"]:
        if entry.get("required"):
            assert f"TODO: {entry['guidance']}" in text
    assert "\n## See Also\n\n- TODO: " in text  # a list item: See Also is a list
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_references_section_and_commented_example(project: Path, run_cli: Runner) -> None:
    """An empty References section ends the body, and the front matter shows, commented
    out, one CSL YAML entry; the first placeholder says how to cite it."""
    import yaml

    assert run_cli(project, "new", "Gout", "--type", "condition").returncode == 0
    text = (project / "articles" / "gout.md").read_text(encoding="utf-8")
    see_also = "\n## See Also\n\n- TODO: "
    assert text.endswith(see_also + text.split(see_also, 1)[1])
    assert text.endswith("\n\n## References\n")  # last, after See Also, and empty
    front = text.split("---\n", 2)[1]
    commented = [line for line in front.splitlines() if line.startswith("#")]
    assert commented[0].startswith("# references:")
    example = yaml.safe_load("\n".join(line[2:] for line in commented))
    entry = example["references"][0]
    assert set(entry) == {"id", "type", "title", "author", "container-title", "issued", "DOI",
                          "PMID"}
    assert entry["type"] == "article-journal" and entry["PMID"] == "12345678"
    assert entry["author"] == [{"family": "Smith", "given": "J"}]
    assert "references" not in yaml.safe_load(front)  # only a comment: nothing to check
    assert "`[@id]`" in text.split("## Overview", 1)[1].split("##", 1)[0]


def test_front_matter(project: Path, run_cli: Runner) -> None:
    env = {"SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01T00:00:00Z
    assert run_cli(project, "new", "Ibuprofen", "--type", "drug", env=env).returncode == 0
    assert run_cli(project, "new", "Sleep", "--type", "topic", env=env).returncode == 0
    drug = (project / "articles" / "ibuprofen.md").read_text(encoding="utf-8").splitlines()
    topic = (project / "articles" / "sleep.md").read_text(encoding="utf-8").splitlines()
    assert drug[:3] == ["---", "title: Ibuprofen", "type: drug"]
    assert drug[3].startswith('summary: "TODO: ')
    assert drug[4:10] == ["license: CC-BY-SA-4.0", "disclaimer: drug", "contributors:",
                          '  - name: "TODO: your name"', "categories: [TODO]",
                          'last_reviewed: "2026-01-01"']
    assert "disclaimer: medical" in topic


def test_review_date_is_today_without_source_date_epoch(project: Path,
                                                        run_cli: Runner) -> None:
    from datetime import date

    before = date.today().isoformat()
    # the suite pins SOURCE_DATE_EPOCH for every other test; this one reads the real clock
    assert run_cli(project, "new", "Gout", "--type", "condition",
                   unset=("SOURCE_DATE_EPOCH",)).returncode == 0
    text = (project / "articles" / "gout.md").read_text(encoding="utf-8")
    assert f'last_reviewed: "{before}"' in text or f'last_reviewed: "{date.today()}"' in text


def test_bad_source_date_epoch_is_a_usage_error(project: Path, run_cli: Runner) -> None:
    result = run_cli(project, "new", "Gout", "--type", "condition",
                     env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert result.returncode == 2
    assert "SOURCE_DATE_EPOCH" in result.stderr
    assert not (project / "articles" / "gout.md").exists()


def test_refuses_to_overwrite(corpus_project: Path, run_cli: Runner) -> None:
    path = corpus_project / "articles" / "asthma.md"
    before = path.read_bytes()
    result = run_cli(corpus_project, "new", "Asthma", "--type", "condition")
    assert result.returncode == 1
    assert "articles/asthma.md already exists" in result.stderr
    assert result.stdout == ""
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(".")) == []


def test_unknown_type_lists_the_schema_types(project: Path, run_cli: Runner) -> None:
    result = run_cli(project, "new", "Asthma", "--type", "disease")
    assert result.returncode == 2
    assert "unknown type 'disease'" in result.stderr
    assert "condition, drug, topic" in result.stderr
    missing = run_cli(project, "new", "Asthma")
    assert missing.returncode == 2 and "condition, drug, topic" in missing.stderr
    assert list((project / "articles").iterdir()) == []


@pytest.mark.parametrize(("title", "slug"), [
    ("Asthma", "asthma"),
    ("Type 2 diabetes", "type-2-diabetes"),
    ("Ménière's disease", "menieres-disease"),
    ("Crohn\u2019s disease", "crohns-disease"),
    ("Sjögren syndrome", "sjogren-syndrome"),
    ("Guillain\u2013Barré syndrome", "guillain-barre-syndrome"),
    ("Straße & Co — 5-HT3 antagonists", "strasse-co-5-ht3-antagonists"),
    ("Œdème, Łódź (ÆØ)", "oedeme-lodz-aeo"),
    ("  Vitamin B12 (cobalamin)  ", "vitamin-b12-cobalamin"),
])
def test_slug_from_title(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_slug_option(project: Path, run_cli: Runner) -> None:
    result = run_cli(project, "new", "Vitamin D: deficiency", "--type", "condition",
                     "--slug", "vitamin-d-deficiency")
    assert result.returncode == 0, result.stderr
    text = (project / "articles" / "vitamin-d-deficiency.md").read_text(encoding="utf-8")
    assert 'title: "Vitamin D: deficiency"' in text
    bad = run_cli(project, "new", "X ray", "--type", "condition", "--slug", "X Ray")
    assert bad.returncode == 2 and "--slug x-ray" in bad.stderr
    untitled = run_cli(project, "new", "日本脳炎", "--type", "condition")
    assert untitled.returncode == 2 and "--slug" in untitled.stderr


@pytest.mark.parametrize("title", ["Asthma", "Vitamin D: deficiency", "Yes", "No", "1918 flu",
                                   'The "silent" killer', "C# — #1 #hash", "Ménière\u2019s disease",
                                   "null", "- dash", "[bracket]", "a ' quote"])
def test_titles_survive_yaml(title: str) -> None:
    import yaml

    assert yaml.safe_load(f"title: {yaml_text(title)}") == {"title": title}


def test_skeleton_follows_a_changed_schema(tmp_path: Path, run_cli: Runner) -> None:
    """Sections, order and guidance come from the schema: change it, the skeleton follows."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    outline = schema["$defs"]["outline"]["condition"]["sectionOutline"]
    after_treatment = [e["title"] for e in outline].index("Treatment") + 1
    outline.insert(after_treatment, {
        "title": "Living with it", "required": True, "synonyms": [],
        "guidance": "Day-to-day life: work, school, sport and travel."})
    for entry in outline:
        if entry["title"] == "Diagnosis":
            entry["required"] = False
        if entry["title"] == "Overview":
            entry["guidance"] = "In two or three sentences, what it is."
    changed = tmp_path / "changed.schema.json"
    changed.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    (tmp_path / "articles").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.pipeline]\narticles = "articles"\nschema = "{changed.as_posix()}"\n'
        f'templates = "{TEMPLATES.as_posix()}"\n', encoding="utf-8")
    result = run_cli(tmp_path, "new", "Gout", "--type", "condition")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "articles" / "gout.md").read_text(encoding="utf-8")
    assert headings(text) == ["Overview", "Symptoms", "Causes", "Treatment", "Living with it",
                              "See Also", "References"]
    assert "TODO: In two or three sentences, what it is." in text
    assert "TODO: Day-to-day life: work, school, sport and travel." in text
    assert_only_placeholders(diagnostics(run_cli, tmp_path, "articles/gout.md"), text)


# -- `pipeline schema`: the front matter's schema for editors ------------------------------------


def front_matters() -> list[dict[str, Any]]:
    from pipeline.config import Limits
    from pipeline.load import load_file
    from tests.conftest import ARTICLES

    found = []
    for path in sorted(ARTICLES.glob("*.md")):
        article = load_file(path, path.name, Limits()).article
        assert article is not None
        found.append(article.front_matter)
    return found


def keys(node: Any, names: bool = False) -> set[str]:
    """Every keyword used in a schema (property names excluded)."""
    if isinstance(node, list):
        return set().union(*(keys(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = set() if names else set(node)
    for key, value in node.items():
        found |= keys(value, names=not names and key in ("properties", "definitions", "$defs"))
    return found


@pytest.mark.parametrize(("draft", "validator"), [("7", "Draft7Validator"),
                                                  ("2020-12", "Draft202012Validator")])
def test_schema_for_editors(draft: str, validator: str, project: Path, run_cli: Runner) -> None:
    import jsonschema

    args = ("schema",) if draft == "7" else ("schema", "--draft", draft)
    result = run_cli(project, *args)
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    checker = getattr(jsonschema, validator)
    checker.check_schema(schema)
    assert schema["$schema"] == checker.META_SCHEMA["$schema"]
    assert not any(k.startswith("x-") for k in keys(schema))  # Ajv's strict mode refuses them
    assert ("definitions" in schema) == (draft == "7") and ("$defs" in schema) == (draft != "7")
    assert schema["properties"]["contributors"]["items"]["$ref"].startswith(
        "#/definitions/" if draft == "7" else "#/$defs/")
    valid = checker(schema, format_checker=checker.FORMAT_CHECKER)
    for front in front_matters():
        assert list(valid.iter_errors(front)) == [], front["title"]
    bad = dict(front_matters()[0], type="disease", last_reviewed="2026-02-30", colour="red")
    assert {e.validator for e in valid.iter_errors(bad)} == {"enum", "format",
                                                            "additionalProperties"}
    assert "title" in schema["required"] and schema["properties"]["disclaimer"]["oneOf"]


def test_schema_output_file(project: Path, run_cli: Runner) -> None:
    target = project / ".vscode" / "article-front-matter.schema.json"
    result = run_cli(project, "schema", "--output", str(target))
    assert result.returncode == 0 and result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8")) == json.loads(
        run_cli(project, "schema").stdout)


def test_editors_guide_lists_the_sections_the_schema_defines() -> None:
    from tests.conftest import REPO

    guide = (REPO / "docs" / "editors-guide.md").read_text(encoding="utf-8")
    for kind, outline in outlines(load_schema(SCHEMA)).items():
        table = guide.split(f"**{kind}**\n", 1)[1].strip().split("\n\n", 1)[0]
        rows = [[cell.strip() for cell in row.strip("|").split("|")]
                for row in table.splitlines()[2:]]
        assert rows == [[str(e["title"]), "yes" if e.get("required") else "no",
                         ", ".join(e.get("synonyms", [])) or "—"] for e in outline], kind
