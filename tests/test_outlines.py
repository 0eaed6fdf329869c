"""The outlines of the schema: sections of Wikipedia's medical manual of style, their order
(MED102, a warning that `--fix` repairs by moving whole sections), a heading that most likely
names a missing required section (MED110), and types that come from the schema alone.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import load_config
from pipeline.fix import fix_bytes
from pipeline.schema import LIKENESS, likeness, load_schema, outlines, stub_types
from tests.conftest import ARTICLES, SCHEMA, TEMPLATES, Runner

FIXTURES = Path(__file__).parent / "fixtures"
ORDER_FIX = FIXTURES / "med-section-order-fix"
LIKELY = FIXTURES / "med-likely-section-name"
Schema = dict[str, Any]


def real_schema() -> Schema:
    schema: Schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return schema


def names(kind: str) -> set[str]:
    """Every heading the outline of `kind` accepts, title or synonym, in lower case."""
    return {str(name).lower() for entry in outlines(real_schema())[kind]
            for name in (entry["title"], *entry.get("synonyms", []))}


def project(root: Path, schema: Schema | None = None, articles: Path | None = None,
            ignore: str = "REF106") -> Path:
    """A project with its own copy of the schema (changed or not) and articles."""
    copy = root / "schemas" / "article.schema.json"
    copy.parent.mkdir(parents=True)
    copy.write_text(json.dumps(schema or real_schema(), indent=2), encoding="utf-8")
    if articles is not None:
        shutil.copytree(articles, root / "articles")
    else:
        (root / "articles").mkdir()
    (root / "pyproject.toml").write_text(
        '[tool.pipeline]\narticles = "articles"\nschema = "schemas/article.schema.json"\n'
        f'templates = "{TEMPLATES.as_posix()}"\nignore = ["{ignore}"]\n', encoding="utf-8")
    return root


def concise(run_cli: Runner, root: Path, *args: str) -> tuple[int, list[str]]:
    result = run_cli(root, "check", "--format", "concise", *args)
    return result.returncode, result.stdout.splitlines()


def fixed_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": fixed " in line]


# -- the outlines ------------------------------------------------------------------------------


def test_every_type_is_dispatched_to_its_outline() -> None:
    schema = real_schema()
    kinds = schema["$defs"]["front_matter"]["properties"]["type"]["enum"]
    assert kinds == ["condition", "drug", "topic", "procedure", "stub"]
    assert list(schema["$defs"]["is-type"]) == kinds
    assert list(schema["$defs"]["outline"]) == kinds
    dispatched = [(rule["if"]["$ref"], rule["then"]["properties"]["body"]["$ref"])
                  for rule in schema["allOf"]]
    assert dispatched == [(f"#/$defs/is-type/{k}", f"#/$defs/outline/{k}") for k in kinds]
    for kind in kinds:  # each type says what it requires
        description = schema["$defs"]["outline"][kind]["description"]
        for entry in outlines(schema)[kind]:
            if entry.get("required"):
                assert entry["title"] in description, (kind, entry["title"])


@pytest.mark.parametrize(("kind", "sections"), [
    ("condition", ["Classification", "Signs and symptoms", "Causes", "Mechanism",
                   "Pathophysiology", "Diagnosis", "Prevention", "Treatment", "Management",
                   "Outlook", "Prognosis", "Epidemiology", "History", "Society and culture",
                   "Research", "Special populations", "Other animals", "Etymology"]),
    ("drug", ["Medical uses", "Contraindications", "Adverse effects", "Side effects",
              "Overdose", "Interactions", "Pharmacology", "Mechanism of action",
              "Pharmacodynamics", "Pharmacokinetics", "Chemistry", "History",
              "Society and culture", "Legal status", "Cost", "Brand names", "Research"]),
    ("procedure", ["Medical uses", "Indications", "Contraindications", "Risks",
                   "Complications", "Technique", "Procedure", "Recovery", "Outcomes",
                   "History", "Society and culture"]),
])
def test_the_sections_of_the_medical_manual_of_style_are_known(kind: str,
                                                               sections: list[str]) -> None:
    assert {s.lower() for s in sections} <= names(kind)


@pytest.mark.parametrize("kind", ["condition", "drug", "topic", "procedure", "stub"])
def test_every_type_ends_with_the_trailing_sections(kind: str) -> None:
    titles = [str(entry["title"]) for entry in outlines(real_schema())[kind]]
    assert titles[-5:] == ["See Also", "Further reading", "External links", "Notes",
                           "References"]
    generated = [str(e["title"]) for e in outlines(real_schema())[kind] if e.get("generated")]
    assert generated == ["Notes", "References"]


@pytest.mark.parametrize("kind", ["condition", "drug", "topic", "procedure", "stub"])
def test_no_heading_names_two_sections(kind: str) -> None:
    counted = Counter(name for entry in outlines(real_schema())[kind]
                      for name in {str(n).lower()  # "See also" is "See Also" in another case
                                   for n in (entry["title"], *entry.get("synonyms", []))})
    assert [name for name, count in counted.items() if count > 1] == []


def test_the_medical_manual_of_style_order() -> None:
    order = [str(entry["title"]) for entry in outlines(real_schema())["condition"]]
    # signs and symptoms before causes, prevention before treatment
    assert order.index("Symptoms") < order.index("Causes") < order.index("Mechanism")
    assert order.index("Diagnosis") < order.index("Prevention") < order.index("Treatment")
    drug = [str(entry["title"]) for entry in outlines(real_schema())["drug"]]
    assert drug.index("Side effects") < drug.index("Overdose") < drug.index("Interactions")


def test_a_stub_requires_only_its_overview_and_is_marked() -> None:
    schema = real_schema()
    stub = schema["$defs"]["outline"]["stub"]
    assert stub["x-stub"] is True
    assert [e["title"] for e in stub["sectionOutline"] if e.get("required")] == ["Overview"]
    assert all("x-stub" not in sub for kind, sub in schema["$defs"]["outline"].items()
               if kind != "stub")
    assert stub_types(schema) == {"stub"}


def test_the_bundled_articles_pass(run_cli: Runner) -> None:
    from tests.conftest import REPO

    code, lines = concise(run_cli, REPO, "articles")
    assert code == 0 and lines == [], lines


# -- MED102: a warning, fixed by moving whole sections -----------------------------------------


def test_order_is_a_warning_and_fix_moves_whole_sections(tmp_path: Path,
                                                         run_cli: Runner) -> None:
    root = project(tmp_path, articles=ORDER_FIX / "articles")
    path = root / "articles" / "asthma.md"
    before = path.read_text(encoding="utf-8")
    code, lines = concise(run_cli, root)
    assert code == 0  # warnings only
    assert lines == [
        "articles/asthma.md:21:1: MED102 [warning] section 'Symptoms' must come before "
        "'Causes'",
        "articles/asthma.md:34:1: MED102 [warning] section 'Diagnosis' must come before "
        "'Treatment'",
        "articles/asthma.md:38:1: MED102 [warning] section 'Prevention' must come before "
        "'Treatment'",
    ]
    result = run_cli(root, "check", "--fix")
    assert result.returncode == 0, result.stdout + result.stderr
    assert fixed_lines(result.stdout) == [
        "articles/asthma.md:21: fixed MED102 section 'Symptoms' moved before 'Causes'",
        "articles/asthma.md:34: fixed MED102 section 'Diagnosis' moved before 'Prevention'",
        "articles/asthma.md:38: fixed MED102 section 'Prevention' moved before 'Treatment'",
    ]
    after = path.read_text(encoding="utf-8")
    assert after == (ORDER_FIX / "fixed" / "asthma.md").read_text(encoding="utf-8")
    assert Counter(after.splitlines()) == Counter(before.splitlines())  # nothing lost
    assert concise(run_cli, root) == (0, [])
    again = run_cli(root, "check", "--fix")
    assert fixed_lines(again.stdout) == [] and again.returncode == 0
    assert path.read_text(encoding="utf-8") == after


def sections_of(text: str) -> tuple[str, list[str]]:
    """The text before the first `## ` line, and each section up to the next one."""
    parts = text.split("\n## ")
    return parts[0], ["## " + part for part in parts[1:]]


@pytest.mark.parametrize("name", sorted(p.name for p in ARTICLES.glob("*.md")))
def test_fixing_a_shuffled_article_gives_it_back(name: str, project: Path) -> None:
    """Every bundled article, its sections (but the last) rotated: `--fix` restores it,
    byte for byte, and fixing again changes nothing."""
    text = (ARTICLES / name).read_text(encoding="utf-8")
    head, sections = sections_of(text)
    middle = sections[1:-1]  # Overview stays first, the last section last
    shuffled = "\n".join([head, sections[0], *middle[1:], middle[0], sections[-1]])
    assert shuffled != text and sorted(shuffled.splitlines()) == sorted(text.splitlines())
    config = load_config(project)
    fixed, fixes = fix_bytes(shuffled.encode("utf-8"), f"articles/{name}", name[:-3], config,
                             {})
    assert fixed.decode("utf-8") == text
    assert {fix.code for fix in fixes} == {"MED102"}
    assert fix_bytes(fixed, f"articles/{name}", name[:-3], config, {}) == (fixed, [])


def test_moving_sections_keeps_crlf_and_the_byte_order_mark(project: Path) -> None:
    text = (ORDER_FIX / "articles" / "asthma.md").read_text(encoding="utf-8")
    expected = (ORDER_FIX / "fixed" / "asthma.md").read_text(encoding="utf-8")
    data = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")
    fixed, fixes = fix_bytes(data, "articles/asthma.md", "asthma", load_config(project), {})
    assert fixed == b"\xef\xbb\xbf" + expected.replace("\n", "\r\n").encode("utf-8")
    assert [fix.code for fix in fixes] == ["MED102"] * 3


def test_unknown_sections_and_code_stay_with_the_section_before_them(project: Path) -> None:
    text = (ORDER_FIX / "fixed" / "asthma.md").read_text(encoding="utf-8")
    head, sections = sections_of(text)
    by_title = {section.split("\n", 1)[0][3:]: section for section in sections}
    # an unknown section first, then Treatment (with a code block holding a `##` line),
    # then Overview...: the known sections take their order, "Notes to self" stays first and
    # "Living with asthma" stays after Prevention, the known section before it
    treatment = by_title["Treatment"].replace(
        "symptoms.\n", "symptoms.\n\n```text\n## not a heading\n```\n")
    unordered = "\n".join([
        head, "## Notes to self\n\nAsk about the spacer.\n", treatment.rstrip("\n") + "\n",
        by_title["Overview"], by_title["Symptoms"], by_title["Causes"], by_title["Diagnosis"],
        by_title["Prevention"], by_title["Living with asthma"], by_title["See Also"]])
    fixed, _ = fix_bytes(unordered.encode("utf-8"), "articles/asthma.md", "asthma",
                         load_config(project), {})
    titles = [line[3:] for line in fixed.decode("utf-8").splitlines()
              if line.startswith("## ")]
    assert titles == ["Notes to self", "Overview", "Symptoms", "Causes", "Diagnosis",
                      "Prevention", "Living with asthma", "Treatment", "not a heading",
                      "See Also"]
    assert sorted(fixed.decode("utf-8").splitlines()) == sorted(unordered.splitlines())


# -- MED110: did you mean ----------------------------------------------------------------------


def test_a_likely_name_of_a_missing_section_is_one_diagnostic_with_its_fix(
        tmp_path: Path, run_cli: Runner) -> None:
    root = project(tmp_path, articles=LIKELY / "articles")
    code, lines = concise(run_cli, root)
    assert code == 1
    assert lines == [
        "articles/asthma.md:25:1: MED110 [error] section 'Diagnostic approach' is not a "
        "section of a condition, and the condition has no 'Diagnosis' section: did you mean "
        "'Diagnosis'?"]
    result = run_cli(root, "check")
    assert "    hint: rename the heading to `## Diagnosis` (`pipeline check --fix` does it)" in (
        result.stdout.splitlines())
    fixed = run_cli(root, "check", "--fix")
    assert fixed.returncode == 0, fixed.stdout
    assert fixed_lines(fixed.stdout) == [
        "articles/asthma.md:25: fixed MED110 heading 'Diagnostic approach' → 'Diagnosis'"]
    text = (root / "articles" / "asthma.md").read_text(encoding="utf-8")
    assert text.splitlines()[24] == "## Diagnosis"
    assert concise(run_cli, root) == (0, [])


@pytest.mark.parametrize(("heading", "name"), [
    ("Diagnostic approach", "Diagnosis"), ("Diagnosing asthma", "Diagnosis"),
    ("Treatments and drugs", "Treatment"), ("Symtoms", "Symptoms"),
    ("Etiologic factors", "Etiology"), ("Signs & symptoms", "Signs and symptoms")])
def test_likely_names(heading: str, name: str) -> None:
    assert likeness(heading, name) >= LIKENESS


@pytest.mark.parametrize(("heading", "name"), [
    ("Living with asthma", "Diagnosis"), ("Living with asthma", "Treatment"),
    ("Random thoughts", "Causes"), ("Outlook", "Overview"), ("Tests", "Treatment")])
def test_unlikely_names(heading: str, name: str) -> None:
    assert likeness(heading, name) < LIKENESS


def test_no_guess_when_the_section_is_there_or_nothing_is_close(tmp_path: Path,
                                                                run_cli: Runner) -> None:
    root = project(tmp_path, articles=LIKELY / "articles")
    path = root / "articles" / "asthma.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("## Diagnostic approach\n", "## Living with asthma\n"),
                    encoding="utf-8")
    _, lines = concise(run_cli, root)
    assert [line.split(" [")[0] for line in lines] == [
        "articles/asthma.md:25:1: MED105", "articles/asthma.md:29:1: MED101"]
    path.write_text(text.replace("## Treatment\n", "## Diagnosis\n\nTests.\n\n## Treatment\n"),
                    encoding="utf-8")
    _, lines = concise(run_cli, root)  # Diagnosis is there: the other heading is just unknown
    assert [line.split(" [")[0] for line in lines] == ["articles/asthma.md:25:1: MED105"]


# -- types and sections come from the schema alone ---------------------------------------------


def with_vaccine_type(schema: Schema) -> Schema:
    """A copy of the schema with a sixth type, `vaccine`, and a new condition section."""
    schema = json.loads(json.dumps(schema))
    defs = schema["$defs"]
    defs["front_matter"]["properties"]["type"]["enum"].append("vaccine")
    defs["is-type"]["vaccine"] = json.loads(
        json.dumps(defs["is-type"]["topic"]).replace('"topic"', '"vaccine"'))
    schema["allOf"].append({"if": {"$ref": "#/$defs/is-type/vaccine"},
                            "then": {"properties": {"body": {
                                "$ref": "#/$defs/outline/vaccine"}}}})
    defs["outline"]["vaccine"] = {"description": "A vaccine.", "sectionOutline": [
        {"title": "Overview", "required": True, "synonyms": [], "guidance": "What it is."},
        {"title": "Schedule", "required": True, "synonyms": ["Doses"],
         "guidance": "Who has it, and when."},
        {"title": "Safety", "required": True, "synonyms": ["Side effects"],
         "guidance": "What to expect afterwards."},
        {"title": "See Also", "required": False, "synonyms": [], "guidance": "Links."},
    ]}
    condition = defs["outline"]["condition"]["sectionOutline"]
    at = [entry["title"] for entry in condition].index("Treatment") + 1
    condition.insert(at, {"title": "Living with asthma", "required": False, "synonyms": [],
                          "guidance": "Day-to-day life."})
    return schema


def test_a_new_type_and_section_need_no_code(tmp_path: Path, run_cli: Runner) -> None:
    root = project(tmp_path, with_vaccine_type(real_schema()),
                   FIXTURES / "med-unknown-section" / "articles")
    # `pipeline new` makes a skeleton of the new type from its outline
    made = run_cli(root, "new", "Measles vaccine", "--type", "vaccine")
    assert made.returncode == 0, made.stderr
    path = root / "articles" / "measles-vaccine.md"
    skeleton = path.read_text(encoding="utf-8")
    assert [line for line in skeleton.splitlines() if line.startswith("## ")] == [
        "## Overview", "## Schedule", "## Safety"]
    assert "type: vaccine\n" in skeleton and "TODO: Who has it, and when." in skeleton
    # `pipeline check`: the condition's new section is known (no MED105 at line 33), and
    # an article of the new type is held to its outline: Doses (Schedule) after Safety
    head = skeleton[:skeleton.index("## Overview")]
    path.write_text(head + "## Overview\n\nA vaccine.\n\n## Safety\n\nA sore arm.\n\n"
                    "## Doses\n\nTwo doses.\n", encoding="utf-8")
    line = head.count("\n") + 9
    _, lines = concise(run_cli, root)
    assert [entry.split(" [")[0] for entry in lines if "MED109" not in entry] == [
        f"articles/measles-vaccine.md:{line}:1: MED102",
        f"articles/measles-vaccine.md:{line}:1: MED106"]
    # `pipeline check --fix` orders and renames by the changed outline
    run_cli(root, "check", "--fix")
    fixed = path.read_text(encoding="utf-8")
    assert fixed == head + ("## Overview\n\nA vaccine.\n\n## Schedule\n\nTwo doses.\n\n"
                            "## Safety\n\nA sore arm.\n")
    _, lines = concise(run_cli, root)
    assert [entry for entry in lines if "MED109" not in entry] == []
    # a wrong type names every type of the schema, the new one included
    path.write_text(fixed.replace("type: vaccine", "type: vacine"), encoding="utf-8")
    result = run_cli(root, "check", "articles/measles-vaccine.md")
    assert ("articles/measles-vaccine.md:3:7: FMT102 [error] type 'vacine' is not one of "
            "condition, drug, topic, procedure, stub, vaccine") in result.stdout
    assert ("    hint: did you mean `vaccine`? use `type:` with one of: condition, drug, "
            "topic, procedure, stub, vaccine") in result.stdout  # the new type is proposed


def test_the_type_hint_lists_the_types_when_the_type_is_missing(tmp_path: Path,
                                                                run_cli: Runner) -> None:
    root = project(tmp_path, articles=LIKELY / "articles")
    path = root / "articles" / "salbutamol.md"
    path.write_text(path.read_text(encoding="utf-8").replace("type: drug\n", ""),
                    encoding="utf-8")
    result = run_cli(root, "check", "articles/salbutamol.md")
    lines = result.stdout.splitlines()
    assert "articles/salbutamol.md:1:1: FMT101 [error] the article has no type" in lines
    assert "    hint: use `type:` with one of: condition, drug, topic, procedure, stub" in lines


@pytest.mark.parametrize(("kind", "disclaimer", "sections"), [
    ("procedure", "medical", ["Overview", "Medical uses", "Risks", "Technique", "See Also",
                              "References"]),
    ("stub", "medical", ["Overview", "References"]),
    ("drug", "drug", ["Overview", "Medical uses", "Contraindications", "Side effects",
                      "Interactions", "Pharmacology", "See Also", "References"]),
])
def test_new_articles_of_each_type(kind: str, disclaimer: str, sections: list[str],
                                   tmp_path: Path, run_cli: Runner) -> None:
    root = project(tmp_path)
    result = run_cli(root, "new", "Colonoscopy", "--type", kind)
    assert result.returncode == 0, result.stderr
    text = (root / "articles" / "colonoscopy.md").read_text(encoding="utf-8")
    assert [line[3:] for line in text.splitlines() if line.startswith("## ")] == sections
    assert f"\ntype: {kind}\n" in text and f"\ndisclaimer: {disclaimer}\n" in text
    assert load_schema(SCHEMA)["$defs"]["outline"][kind]["x-disclaimer"] == disclaimer


def test_a_stub_is_marked_on_its_page_and_in_its_json(tmp_path: Path, run_cli: Runner) -> None:
    """A stub (the fixture's two short pages) says so above its text and in the JSON API;
    a page of any other type does not."""
    shutil.copytree(ARTICLES, tmp_path / "articles")  # the bundled site, and the stubs
    for stub in (Path(__file__).parent / "fixtures" / "valid-stub" / "articles").glob("*.md"):
        shutil.copyfile(stub, tmp_path / "articles" / stub.name)
    from tests.conftest import write_pyproject

    write_pyproject(tmp_path)
    done = run_cli(tmp_path, "publish", "--formats", "html,json", "--quiet")
    assert done.returncode == 0, done.stdout + done.stderr
    build = tmp_path / "build"
    for slug, stub in (("haematuria", True), ("proteinuria", True), ("asthma", False)):
        page = (build / "html" / f"{slug}.html").read_text(encoding="utf-8")
        assert ('<p class="stub-notice"' in page) is stub, slug
        document = json.loads((build / "json" / f"{slug}.json").read_text(encoding="utf-8"))
        assert document.get("stub", False) is stub, slug
