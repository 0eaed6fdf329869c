"""`pipeline check` and `pipeline rules` as users and CI run them: a real process each time.

Checks stdout, stderr and the exit code: 0 no error, 1 errors in the articles, 2 usage or
configuration errors (one line on stderr, never a traceback). The acceptance scenario breaks a
copy of articles/immune-dysregulation.md in ten ways and finds each diagnostic on its line in
every output format.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree as ET

import pytest

from pipeline.diagnostics import RULES
from tests.conftest import ARTICLES, Runner, write_pyproject

BASE = Path(__file__).parent / "fixtures" / "valid-pair" / "articles"
FORMATS = ("text", "concise", "json", "github", "sarif", "junit")
SUMMARY = re.compile(r"Checked (\d+) files?: (\d+) errors?, (\d+) warnings? in \d+\.\d\ds\n")
LOCATION = re.compile(r"^(?P<path>[^\s:][^:]*):(?P<line>\d+):(?P<column>\d+): (?P<code>[A-Z]+\d+) ")

Found = set[tuple[str, int, int, str]]  # (path, line, column, code)


@pytest.fixture
def pair(tmp_path: Path) -> Path:
    """A project holding the two valid articles of the `valid-pair` fixture."""
    shutil.copytree(BASE, tmp_path / "articles")
    write_pyproject(tmp_path, 'ignore = ["REF106"]  # the pair cites no sources\n')
    return tmp_path


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout


# -- reading each format back -----------------------------------------------------------------


def from_text(output: str) -> Found:
    found = set()
    for line in output.splitlines():
        match = LOCATION.match(line)
        if match:
            found.add((match["path"], int(match["line"]), int(match["column"]), match["code"]))
    return found


def from_json(output: str) -> Found:
    document = json.loads(output)
    return {(d["path"], d["line"], d["column"], d["code"]) for d in document["diagnostics"]}


GITHUB = re.compile(r"^::(?:error|warning) file=(?P<path>[^,]*),line=(?P<line>\d+),"
                    r"col=(?P<column>\d+),endLine=\d+,endColumn=\d+,title=(?P<code>[A-Z]+\d+) "
                    r"[a-z0-9-]+::")


def from_github(output: str) -> Found:
    found = set()
    for line in output.splitlines():
        match = GITHUB.match(line)
        assert match, line
        path = match["path"].replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
        found.add((path, int(match["line"]), int(match["column"]), match["code"]))
    return found


def from_sarif(output: str) -> Found:
    found = set()
    for result in json.loads(output)["runs"][0]["results"]:
        location = result["locations"][0]["physicalLocation"]
        region = location["region"]
        found.add((unquote(location["artifactLocation"]["uri"]), region["startLine"],
                   region["startColumn"], result["ruleId"]))
    return found


def from_junit(output: str) -> Found:
    found: Found = set()
    for case in ET.fromstring(output).iter("testcase"):
        for element in (case.find("failure"), case.find("system-out")):
            if element is not None:
                found |= from_text(element.text or "")
    return found


READERS = {"text": from_text, "concise": from_text, "json": from_json, "github": from_github,
           "sarif": from_sarif, "junit": from_junit}


# -- the acceptance scenario ------------------------------------------------------------------


@dataclass(frozen=True)
class Breakage:
    name: str
    code: str
    line: int
    column: int


IMMUNE = (ARTICLES / "immune-dysregulation.md").read_text(encoding="utf-8")


def _without_section(title: str) -> tuple[str, int, int]:
    """The article without one section; where the diagnostic belongs: the next heading, or
    the line after the last paragraph."""
    start = IMMUNE.index(f"## {title}\n")
    following = re.compile(r"^## ", re.MULTILINE).search(IMMUNE, start + 1)
    if following is None:
        text = IMMUNE[:start]
        return text, text.rstrip("\n").count("\n") + 2, 1
    text = IMMUNE[:start] + IMMUNE[following.start():]
    return text, text[:start].count("\n") + 1, 1


def _replaced(old: str, new: str) -> str:
    assert IMMUNE.count(old) == 1, old
    return IMMUNE.replace(old, new)


def breakages() -> dict[str, tuple[str, Breakage]]:
    """Each way of breaking the article: the broken text and the diagnostic it must give."""
    broken: dict[str, tuple[str, Breakage]] = {}
    for title in ("Overview", "Causes", "Symptoms", "Diagnosis", "Treatment", "See Also"):
        slug = "no-" + title.lower().replace(" ", "-")
        text, line, column = _without_section(title)
        broken[slug] = (text, Breakage(slug, "MED101", line, column))
    broken["no-disclaimer"] = (_replaced("disclaimer: medical\n", ""),
                               Breakage("no-disclaimer", "FMT107", 1, 1))
    contributors = IMMUNE[IMMUNE.index("contributors:\n"):IMMUNE.index("images:\n")]
    broken["no-contributors"] = (_replaced(contributors, ""),
                                 Breakage("no-contributors", "FMT108", 1, 1))
    broken["no-license"] = (_replaced("\nlicense: CC-BY-SA-4.0\n", "\n"),
                            Breakage("no-license", "LIC101", 1, 1))
    broken["non-commercial"] = (_replaced("\nlicense: CC-BY-SA-4.0\n", "\nlicense: CC-BY-NC-4.0\n"),
                                Breakage("non-commercial", "LIC101", 5, 10))
    return broken


BREAKAGES = breakages()


def test_the_breakages_are_where_the_scenario_says() -> None:
    """The expected lines, worked out by hand from the bundled article."""
    lines = {name: (b.line, b.column) for name, (_, b) in BREAKAGES.items()}
    assert lines == {
        # the heading after the one removed; Treatment is followed by (optional) Prognosis
        "no-overview": (51, 1), "no-symptoms": (59, 1), "no-causes": (72, 1),
        "no-diagnosis": (91, 1), "no-treatment": (104, 1),
        # See Also is followed by the (generated) References section
        "no-see-also": (120, 1),
        # a field that is missing: the front matter's opening `---`
        "no-disclaimer": (1, 1), "no-contributors": (1, 1), "no-license": (1, 1),
        "non-commercial": (5, 10)}
    for name, heading in [("no-overview", "## Symptoms"), ("no-causes", "## Diagnosis"),
                          ("no-treatment", "## Prognosis"), ("no-see-also", "## References")]:
        text, breakage = BREAKAGES[name]
        assert text.splitlines()[breakage.line - 1] == heading
    text, _ = BREAKAGES["no-see-also"]
    assert text.splitlines()[117].startswith("The outlook varies greatly.")
    assert text.splitlines()[118:] == ["", "## References"]
    text, _ = BREAKAGES["non-commercial"]
    assert text.splitlines()[4][9:] == "CC-BY-NC-4.0"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory
             ) -> dict[str, subprocess.CompletedProcess[str]]:
    """The bundled corpus plus ten broken copies of immune-dysregulation.md, checked once in
    every format (concurrently), and once more with --output for each."""
    import os
    import sys

    root = tmp_path_factory.mktemp("scenario")
    shutil.copytree(ARTICLES, root / "articles")
    for name, (text, _) in BREAKAGES.items():
        (root / "articles" / f"immune-dysregulation-{name}.md").write_text(text, encoding="utf-8")
    write_pyproject(root)
    environment = {**os.environ, "NO_COLOR": "1"}
    environment.pop("FORCE_COLOR", None)

    def run(args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pipeline", "check", *args], cwd=root,
                              capture_output=True, text=True, timeout=120, env=environment)

    runs: dict[str, tuple[str, ...]] = {name: ("--format", name) for name in FORMATS}
    runs |= {f"{name}-file": ("--format", name, "--output", f"reports/{name}.out")
             for name in FORMATS}
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(zip(runs, pool.map(run, runs.values()), strict=True))
    for name in FORMATS:
        results[f"{name}-file"].stdout = (root / "reports" / f"{name}.out").read_text(
            encoding="utf-8")
    return results


@pytest.mark.parametrize("name", sorted(BREAKAGES))
@pytest.mark.parametrize("fmt", FORMATS)
def test_each_breakage_is_reported_on_its_line_in_every_format(
        scenario: dict[str, subprocess.CompletedProcess[str]], fmt: str, name: str) -> None:
    result = scenario[fmt]
    assert result.returncode == 1, result.stderr
    no_traceback(result)
    breakage = BREAKAGES[name][1]
    path = f"articles/immune-dysregulation-{name}.md"
    found = READERS[fmt](result.stdout)
    assert (path, breakage.line, breakage.column, breakage.code) in found
    # and only once: no other diagnostic of that code in that file
    assert [f for f in found if f[0] == path and f[3] == breakage.code] == [
        (path, breakage.line, breakage.column, breakage.code)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_untouched_corpus_has_no_error_in_any_format(
        scenario: dict[str, subprocess.CompletedProcess[str]], fmt: str) -> None:
    found = READERS[fmt](scenario[fmt].stdout)
    broken = {f"articles/immune-dysregulation-{name}.md" for name in BREAKAGES}
    assert {f[0] for f in found} <= broken
    assert {f[0] for f in found if f[3] in {b.code for _, b in BREAKAGES.values()}} == broken


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_to_a_file_is_what_stdout_would_show(
        scenario: dict[str, subprocess.CompletedProcess[str]], fmt: str) -> None:
    to_stdout, to_file = scenario[fmt], scenario[f"{fmt}-file"]
    assert to_file.returncode == 1
    no_traceback(to_file)
    assert to_file.stdout  # the report, read from the file
    if fmt == "junit":  # the only volatile part: the time it took
        strip = re.compile(r' time="[0-9.]+"')
        assert strip.sub("", to_file.stdout) == strip.sub("", to_stdout.stdout)
    elif fmt == "text":  # on a terminal, the summary follows the report; in a file it does not
        summary = SUMMARY.search(to_stdout.stdout)
        assert summary is not None
        assert to_file.stdout + summary[0] == to_stdout.stdout
    else:
        assert to_file.stdout == to_stdout.stdout
    # with --output, the summary goes to stderr and nothing else is printed
    assert SUMMARY.fullmatch(to_file.stderr), to_file.stderr


def test_machine_formats_keep_stdout_clean_and_the_summary_on_stderr(
        scenario: dict[str, subprocess.CompletedProcess[str]]) -> None:
    files = len(list(ARTICLES.glob("*.md"))) + len(BREAKAGES)
    for fmt in ("json", "sarif", "junit", "github", "concise"):
        summary = SUMMARY.fullmatch(scenario[fmt].stderr)
        assert summary, (fmt, scenario[fmt].stderr)
        assert int(summary[1]) == files
        assert "Checked" not in scenario[fmt].stdout
    document = json.loads(scenario["json"].stdout)
    assert document["summary"]["files"] == files
    assert document["summary"]["errors"] >= len(BREAKAGES)
    text = scenario["text"].stdout
    summary = SUMMARY.search(text)
    assert summary and text.endswith(summary[0])
    assert int(summary[1]) == files
    assert int(summary[2]) == document["summary"]["errors"]
    assert int(summary[3]) == document["summary"]["warnings"]


def test_the_real_sarif_is_valid_and_the_real_junit_well_formed(
        scenario: dict[str, subprocess.CompletedProcess[str]]) -> None:
    from tests.test_reports import sarif_errors

    for run in ("sarif", "sarif-file"):
        document = json.loads(scenario[run].stdout)
        assert sarif_errors(document) == []
        assert len(document["runs"][0]["results"]) == len(from_json(scenario["json"].stdout))
    suites = ET.fromstring(scenario["junit"].stdout)
    cases = list(suites.iter("testcase"))
    assert len(cases) == len(list(ARTICLES.glob("*.md"))) + len(BREAKAGES)
    failing = [case.get("name") for case in cases if case.find("failure") is not None]
    assert failing == sorted(f"articles/immune-dysregulation-{name}.md" for name in BREAKAGES)
    assert suites.get("failures") == str(len(BREAKAGES))


# -- exit codes -------------------------------------------------------------------------------


def test_the_bundled_corpus_passes(corpus_project: Path, run_cli: Runner) -> None:
    result = run_cli(corpus_project, "check")
    no_traceback(result)
    assert result.returncode == 0, result.stdout
    assert result.stderr == ""
    summary = SUMMARY.fullmatch(result.stdout)
    assert summary, result.stdout
    assert int(summary[1]) == len(list(ARTICLES.glob("*.md"))) == 14
    assert summary[2] == "0"


def test_a_valid_pair_passes_with_the_default_path_or_explicit_files(pair: Path,
                                                                     run_cli: Runner) -> None:
    for args in ((), ("articles",), ("articles/asthma.md", "articles/salbutamol.md")):
        result = run_cli(pair, "check", "--format", "json", *args)
        assert result.returncode == 0, result.stdout
        assert json.loads(result.stdout) == {
            "version": 1, "diagnostics": [],
            "summary": {"files": 2, "errors": 0, "warnings": 0}}


def test_warnings_alone_exit_0(pair: Path, run_cli: Runner) -> None:
    path = pair / "articles" / "asthma.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("## Symptoms", "## Signs and symptoms"), encoding="utf-8")
    result = run_cli(pair, "check")
    assert result.returncode == 0
    assert result.stdout.startswith(
        "articles/asthma.md:17:1: MED106 [warning] section heading 'Signs and symptoms' should "
        "be 'Symptoms'\n")
    summary = SUMMARY.search(result.stdout)
    assert summary is not None
    assert summary.groups() == ("2", "0", "1")


@pytest.mark.parametrize(("args", "message"), [
    (("check", "--bogus"), "pipeline: error: unrecognized arguments: --bogus"),
    (("check", "--format", "xml"), "pipeline check: error: argument --format: invalid choice: "
                                   "'xml' (choose from 'concise', 'github', 'json', 'junit', "
                                   "'sarif', 'text')"),
    (("frobnicate",), "pipeline: error: argument COMMAND: invalid choice: 'frobnicate'"),
    ((), "pipeline: error: the following arguments are required: COMMAND"),
    (("rules", "--format", "yaml"), "pipeline rules: error: argument --format: invalid choice"),
], ids=["unknown-option", "unknown-format", "unknown-command", "no-command", "rules-format"])
def test_usage_errors_exit_2(pair: Path, run_cli: Runner, args: tuple[str, ...],
                             message: str) -> None:
    result = run_cli(pair, *args)
    assert result.returncode == 2
    no_traceback(result)
    assert result.stdout == ""
    assert result.stderr.startswith("usage: pipeline")
    assert result.stderr.splitlines()[-1].startswith(message)


@pytest.mark.parametrize(("extra", "schema", "message"), [
    ('colour = "always"\n', None,
     "pipeline: configuration error: [tool.pipeline]: unknown setting(s): colour"),
    ("[tool.pipeline.limits]\nmax_file_bytes = -1\n", None,
     "pipeline: configuration error: [tool.pipeline] limits.max_file_bytes must be a positive "
     "integer"),
    ('select = "MED"\n', None,
     "pipeline: configuration error: [tool.pipeline] select must be a list of strings"),
    ("", "missing.json", "pipeline: configuration error: cannot read schema "),
    ("", "{not json", "pipeline: configuration error: cannot read schema "),
    ("", '{"type": 12}', "pipeline: configuration error: schema "),
], ids=["unknown-setting", "bad-limit", "bad-select", "missing-schema", "schema-not-json",
        "schema-not-a-schema"])
def test_configuration_errors_exit_2_with_one_line(pair: Path, run_cli: Runner, extra: str,
                                                   schema: str | None, message: str) -> None:
    write_pyproject(pair, extra)
    if schema is not None:
        text = (pair / "pyproject.toml").read_text(encoding="utf-8")
        text = re.sub(r'schema = ".*"', 'schema = "schema.json"', text)
        (pair / "pyproject.toml").write_text(text, encoding="utf-8")
        if schema != "missing.json":
            (pair / "schema.json").write_text(schema, encoding="utf-8")
    for fmt in ("text", "json"):
        result = run_cli(pair, "check", "--format", fmt)
        assert result.returncode == 2, result.stdout
        no_traceback(result)
        assert result.stdout == ""
        assert result.stderr.startswith(message)
        assert result.stderr.count("\n") == 1 and result.stderr.endswith("\n")


def test_a_broken_pyproject_exits_2(pair: Path, run_cli: Runner) -> None:
    (pair / "pyproject.toml").write_text("[tool.pipeline\narticles = 1\n", encoding="utf-8")
    result = run_cli(pair, "check")
    assert result.returncode == 2
    no_traceback(result)
    assert result.stderr.startswith(f"pipeline: configuration error: {pair / 'pyproject.toml'}")
    assert result.stderr.count("\n") == 1


def test_a_report_that_cannot_be_written_exits_2(pair: Path, run_cli: Runner) -> None:
    (pair / "taken").mkdir()
    result = run_cli(pair, "check", "--output", "taken")
    assert result.returncode == 2
    no_traceback(result)
    assert result.stderr == "pipeline: cannot write the report to taken: Is a directory\n"
    assert [p.name for p in (pair).iterdir() if p.name.startswith(".taken")] == []


def test_a_path_that_does_not_exist_is_an_error_in_the_report(pair: Path,
                                                             run_cli: Runner) -> None:
    result = run_cli(pair, "check", "--format", "concise", "articles/asthma.md",
                     "articles/nope.md")
    assert result.returncode == 1
    assert result.stdout == "articles/nope.md:1:1: SRC001 [error] no such file or folder\n"
    summary = SUMMARY.fullmatch(result.stderr)
    assert summary is not None
    assert summary.groups() == ("2", "1", "0")


# -- every problem, every file, one run, in order ---------------------------------------------


def test_every_problem_in_every_file_in_one_run_sorted_by_path_and_line(pair: Path,
                                                                        run_cli: Runner) -> None:
    articles = pair / "articles"
    asthma = (articles / "asthma.md").read_text(encoding="utf-8")
    (articles / "asthma.md").write_text(
        asthma.replace("license: CC-BY-SA-4.0", "license: CC-BY-NC-4.0")
        .replace("type: condition\n", "type: condition\nreviewer: Jane Doe\n")
        .replace("## Diagnosis", "## Tests")
        .replace("Asthma runs in families and is linked to allergy, tobacco smoke and air "
                 "pollution.", "TODO: describe the causes."), encoding="utf-8")
    salbutamol = (articles / "salbutamol.md").read_text(encoding="utf-8")
    (articles / "salbutamol.md").write_text(
        salbutamol.replace("## Interactions\n\nBeta blockers can reduce its effect.\n\n", "")
        .replace("disclaimer: drug", "disclaimer: pharmacy"), encoding="utf-8")
    (articles / "bronchitis.md").write_text("", encoding="utf-8")
    result = run_cli(pair, "check", "--format", "concise")
    assert result.returncode == 1
    assert [line.split(" [")[0] for line in result.stdout.splitlines()] == [
        "articles/asthma.md:4:1: FMT103",
        "articles/asthma.md:6:10: LIC101",
        "articles/asthma.md:24:1: MED109",
        "articles/asthma.md:26:1: MED106",
        "articles/bronchitis.md:1:1: SRC004",
        "articles/salbutamol.md:6:13: FMT107",
        "articles/salbutamol.md:29:1: MED101",
    ]
    summary = SUMMARY.fullmatch(result.stderr)
    assert summary is not None
    assert summary.groups() == ("3", "6", "1")


# -- options ----------------------------------------------------------------------------------


@pytest.fixture
def broken_pair(pair: Path) -> Path:
    """Two errors and a warning in asthma.md."""
    path = pair / "articles" / "asthma.md"
    path.write_text(path.read_text(encoding="utf-8")
                    .replace("license: CC-BY-SA-4.0", "license: CC-BY-NC-4.0")
                    .replace("disclaimer: medical", "disclaimer: none")
                    .replace("## Symptoms", "## Signs and symptoms"), encoding="utf-8")
    return pair


def test_statistics(broken_pair: Path, run_cli: Runner) -> None:
    result = run_cli(broken_pair, "check", "--statistics", "--format", "concise")
    assert result.returncode == 1
    assert result.stdout.splitlines()[3:] == [
        "     1  FMT107  missing-disclaimer [error]",
        "     1  LIC101  article-license [error]",
        "     1  MED106  heading-synonym [warning]",
    ]
    as_json = run_cli(broken_pair, "check", "--statistics", "--format", "json")
    assert len(json.loads(as_json.stdout)["diagnostics"]) == 3  # stdout stays pure JSON
    assert "     1  LIC101  article-license [error]\n" in as_json.stderr


def test_quiet_prints_diagnostics_only(broken_pair: Path, run_cli: Runner) -> None:
    loud = run_cli(broken_pair, "check")
    quiet = run_cli(broken_pair, "check", "--quiet")
    assert quiet.returncode == loud.returncode == 1
    assert SUMMARY.search(loud.stdout)
    assert SUMMARY.search(quiet.stdout) is None
    assert loud.stdout.startswith(quiet.stdout)
    assert quiet.stdout.count("articles/asthma.md:") == 3
    assert quiet.stderr == ""
    quiet_json = run_cli(broken_pair, "check", "-q", "--format", "json")
    assert quiet_json.stderr == ""
    assert len(json.loads(quiet_json.stdout)["diagnostics"]) == 3


ESCAPE = "\033["


@pytest.mark.parametrize(("env", "coloured"), [
    ({}, False),
    ({"NO_COLOR": "", "FORCE_COLOR": "1"}, True),
    ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
    ({"NO_COLOR": "1"}, False),
], ids=["pipe", "force", "no-color-wins", "no-color"])
def test_colour_only_with_force_color(broken_pair: Path, run_cli: Runner, env: dict[str, str],
                                      coloured: bool) -> None:
    text = run_cli(broken_pair, "check", env=env)
    assert (ESCAPE in text.stdout) is coloured
    if coloured:
        assert "\033[31merror\033[0m" in text.stdout
        assert "\033[33mwarning\033[0m" in text.stdout
    plain = re.sub(r"\033\[[0-9;]*m", "", text.stdout)
    assert "articles/asthma.md:5:10: LIC101 [error] article licence 'CC-BY-NC-4.0'" in plain
    machine = run_cli(broken_pair, "check", "--format", "json", env=env)
    assert ESCAPE not in machine.stdout
    json.loads(machine.stdout)


def test_rules_lists_every_catalogue_code(pair: Path, run_cli: Runner) -> None:
    text = run_cli(pair, "rules")
    assert text.returncode == 0
    assert text.stderr == ""
    assert [line.split()[0] for line in text.stdout.splitlines()] == [r.code for r in RULES]
    for line, rule in zip(text.stdout.splitlines(), RULES, strict=True):
        assert line.split()[1:3] == [rule.name, rule.severity]
    as_json = run_cli(pair, "rules", "--format", "json")
    assert [row["code"] for row in json.loads(as_json.stdout)] == [r.code for r in RULES]
    markdown = run_cli(pair, "rules", "--format", "markdown")
    for rule in RULES:
        assert f"### {rule.code} `{rule.name}`" in markdown.stdout


def test_version(pair: Path, run_cli: Runner) -> None:
    from pipeline import __version__

    result = run_cli(pair, "--version")
    assert (result.returncode, result.stdout) == (0, f"pipeline {__version__}\n")
