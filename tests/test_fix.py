"""`pipeline check --fix`: safe, byte-exact, atomic, idempotent fixes, reported one per line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.fix import fix_bytes, split_lines
from tests.conftest import ARTICLES, Runner

CLEAN = (ARTICLES / "asthma.md").read_text(encoding="utf-8")
ASTHMA = "articles/asthma.md"


def line_of(text: str, fragment: str) -> int:
    """1-based number of the first line holding `fragment`."""
    for number, line in enumerate(text.split("\n"), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not found")


def broken(text: str) -> str:
    """The clean asthma article with problems whose fixes give the clean text back."""
    text = text.replace("license: CC-BY-SA-4.0\ndisclaimer", "license: CC BY-SA 4.0\ndisclaimer",
                        1)
    text = text.replace("    license: CC-BY-SA-4.0", "    license: creative commons "
                        "attribution-sharealike 4.0", 1)
    text = text.replace("## Symptoms\n", "## Signs and symptoms\n", 1)
    text = text.replace("## Causes\n", "## Causes  \t\n", 1)
    text = text.replace("title: Asthma\n", "title: Asthma \n", 1)
    return text + "\n\n"


def fix(run_cli: Runner, root: Path, *args: str) -> tuple[int, str, str]:
    result = run_cli(root, "check", "--fix", *args)
    return result.returncode, result.stdout, result.stderr


def fixed_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": fixed " in line]


def test_fixes_are_reported_one_per_line(corpus_project: Path, run_cli: Runner) -> None:
    path = corpus_project / ASTHMA
    text = broken(CLEAN)
    path.write_text(text, encoding="utf-8")
    code, out, err = fix(run_cli, corpus_project, ASTHMA)
    assert code == 0, out + err
    assert fixed_lines(out) == [
        f"{ASTHMA}:{line_of(text, 'title: Asthma')}: fixed SRC017 trailing whitespace removed",
        f"{ASTHMA}:{line_of(text, 'license: CC BY-SA 4.0')}: fixed LIC104 licence "
        "'CC BY-SA 4.0' → CC-BY-SA-4.0",
        f"{ASTHMA}:{line_of(text, 'creative commons')}: fixed LIC104 image 1's licence "
        "'creative commons attribution-sharealike 4.0' → CC-BY-SA-4.0",
        f"{ASTHMA}:{line_of(text, '## Signs')}: fixed MED106 heading 'Signs and symptoms' → "
        "'Symptoms'",
        f"{ASTHMA}:{line_of(text, '## Causes')}: fixed SRC017 trailing whitespace removed",
        f"{ASTHMA}:{len(CLEAN.splitlines())}: fixed SRC018 2 blank lines removed at the end of "
        "the file",
    ]
    assert "Fixed 6 problems in 1 file." in out
    assert "0 errors, 0 warnings" in out  # then the remaining diagnostics, as usual
    assert path.read_text(encoding="utf-8") == CLEAN


def test_byte_exact_crlf_and_bom_kept(corpus_project: Path, run_cli: Runner) -> None:
    path = corpus_project / ASTHMA
    path.write_bytes(b"\xef\xbb\xbf" + broken(CLEAN).replace("\n", "\r\n").encode("utf-8"))
    code, out, err = fix(run_cli, corpus_project, ASTHMA)
    assert code == 0, out + err
    assert path.read_bytes() == b"\xef\xbb\xbf" + CLEAN.replace("\n", "\r\n").encode("utf-8")


def test_second_fix_changes_nothing(corpus_project: Path, run_cli: Runner) -> None:
    path = corpus_project / ASTHMA
    path.write_bytes(broken(CLEAN).replace("\n", "\r\n").encode("utf-8"))
    fix(run_cli, corpus_project)
    once = path.read_bytes()
    stamp = path.stat().st_mtime_ns
    code, out, _ = fix(run_cli, corpus_project)
    assert code == 0 and fixed_lines(out) == [] and "Fixed" not in out
    assert path.read_bytes() == once and path.stat().st_mtime_ns == stamp


def test_quotes_and_comments_are_kept(corpus_project: Path, run_cli: Runner) -> None:
    path = corpus_project / ASTHMA
    text = CLEAN.replace("license: CC-BY-SA-4.0\ndisclaimer",
                         "license: 'CC BY-SA 4.0'   # the article's licence\ndisclaimer", 1)
    text = text.replace("    license: CC-BY-SA-4.0",
                        '    license: "https://creativecommons.org/licenses/by-sa/4.0/"', 1)
    path.write_text(text, encoding="utf-8")
    code, out, err = fix(run_cli, corpus_project, ASTHMA)
    assert code == 0, out + err
    result = path.read_text(encoding="utf-8")
    assert "license: 'CC-BY-SA-4.0'   # the article's licence\n" in result
    assert '    license: "CC-BY-SA-4.0"\n' in result
    assert result.replace("'CC-BY-SA-4.0'   # the article's licence", "CC-BY-SA-4.0").replace(
        '"CC-BY-SA-4.0"', "CC-BY-SA-4.0") == CLEAN


def test_heading_synonyms(corpus_project: Path, run_cli: Runner) -> None:
    path = corpus_project / ASTHMA
    text = CLEAN.replace("## Symptoms\n", "## signs AND symptoms ##\n", 1).replace(
        "## See Also\n", "## See also\n", 1).replace("## Treatment\n", "## Treatment\n\n"
                                                     "### Management\n\nText.\n", 1)
    path.write_text(text, encoding="utf-8")
    code, out, err = fix(run_cli, corpus_project, ASTHMA)
    assert code == 0, out + err
    result = path.read_text(encoding="utf-8")
    assert "\n## Symptoms ##\n" in result and "\n## See Also\n" in result
    assert "\n### Management\n" in result  # only `##` section headings
    assert len(fixed_lines(out)) == 2


def test_headings_left_alone_when_renaming_would_break_something(
        corpus_project: Path, run_cli: Runner) -> None:
    path = corpus_project / ASTHMA
    text = CLEAN.replace("## Causes\n", "## Aetiology\n", 1).replace(
        "## Overview\n", "## Overview\n\nShort.\n\n## Introduction\n", 1)
    path.write_text(text, encoding="utf-8")
    other = corpus_project / "articles" / "vaccination.md"
    other.write_text(other.read_text(encoding="utf-8").replace(
        "## See Also\n", "## See Also\n\n- [Asthma causes](asthma.md#aetiology)\n", 1),
        encoding="utf-8")
    code, out, _ = fix(run_cli, corpus_project, ASTHMA)
    assert fixed_lines(out) == []  # a link to #aetiology; a second Overview
    assert path.read_text(encoding="utf-8") == text
    assert "MED106" in out and code == 1


def test_meaningful_whitespace_is_kept(corpus_project: Path, run_cli: Runner) -> None:
    path = corpus_project / ASTHMA
    hard_break = "Line one ends with a hard break  \nline two.\n\n"
    code_block = "```text\nkeep   \n\tme\t\n```\n\n"
    summary = ("summary: >\n  Asthma is a common long-term lung condition   \n"
               "  of the airways, wheeze and cough.\n")
    start = CLEAN.index("summary:")
    end = CLEAN.index("\n", start) + 1
    text = CLEAN[:start] + summary + CLEAN[end:]
    text = text.replace("## Causes\n\n", "## Causes\n\n" + hard_break + code_block, 1)
    text = text.replace("## Diagnosis\n\n", "## Diagnosis   \n\n", 1)
    path.write_text(text, encoding="utf-8")
    _, out, _ = fix(run_cli, corpus_project, ASTHMA)
    assert fixed_lines(out) == [
        f"{ASTHMA}:{line_of(text, '## Diagnosis')}: fixed SRC017 trailing whitespace removed"]
    assert path.read_text(encoding="utf-8") == text.replace("## Diagnosis   \n",
                                                            "## Diagnosis\n")


@pytest.mark.parametrize(("ending", "expected"), [
    ("", "\n"), ("\n", "\n"), ("\n\n\n", "\n"), ("\n \n\t\n", "\n")])
def test_exactly_one_final_newline(ending: str, expected: str, corpus_project: Path,
                                   run_cli: Runner) -> None:
    path = corpus_project / ASTHMA
    path.write_text(CLEAN.rstrip("\n") + ending, encoding="utf-8")
    fix(run_cli, corpus_project, ASTHMA)
    assert path.read_text(encoding="utf-8") == CLEAN.rstrip("\n") + expected


def test_missing_final_crlf_is_a_crlf(corpus_project: Path, run_cli: Runner) -> None:
    path = corpus_project / ASTHMA
    crlf = CLEAN.replace("\n", "\r\n").encode("utf-8")
    path.write_bytes(crlf[:-2])
    _, out, _ = fix(run_cli, corpus_project, ASTHMA)
    assert path.read_bytes() == crlf
    assert fixed_lines(out) == [f"{ASTHMA}:{len(CLEAN.splitlines())}: fixed SRC018 line break "
                                "added at the end of the file"]


def test_written_atomically_keeping_permissions(corpus_project: Path, run_cli: Runner) -> None:
    path = corpus_project / ASTHMA
    path.write_text(broken(CLEAN), encoding="utf-8")
    path.chmod(0o640)
    inode = path.stat().st_ino
    fix(run_cli, corpus_project, ASTHMA)
    assert path.stat().st_ino != inode  # replaced by a complete new file, not rewritten
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


def test_remaining_problems_decide_the_exit_code(corpus_project: Path, run_cli: Runner) -> None:
    path = corpus_project / ASTHMA
    start = CLEAN.index("## Diagnosis")
    end = CLEAN.index("## Treatment")
    path.write_text(broken(CLEAN[:start] + CLEAN[end:]), encoding="utf-8")
    code, out, _ = fix(run_cli, corpus_project, ASTHMA)
    assert code == 1
    assert len(fixed_lines(out)) == 6
    assert "MED101" in out and "LIC104" not in out.split("Fixed")[1]


def test_machine_formats_keep_stdout_clean(corpus_project: Path, run_cli: Runner) -> None:
    path = corpus_project / ASTHMA
    path.write_text(broken(CLEAN), encoding="utf-8")
    result = run_cli(corpus_project, "check", "--fix", "--format", "json", ASTHMA)
    assert json.loads(result.stdout)["diagnostics"] == []
    assert len(fixed_lines(result.stderr)) == 6


def test_quiet_prints_no_fix_lines(corpus_project: Path, run_cli: Runner) -> None:
    path = corpus_project / ASTHMA
    path.write_text(broken(CLEAN), encoding="utf-8")
    result = run_cli(corpus_project, "check", "--fix", "--quiet", ASTHMA)
    assert result.returncode == 0
    assert result.stdout == "" and result.stderr == ""
    assert path.read_text(encoding="utf-8") == CLEAN


def test_files_that_cannot_be_fixed_safely_are_left_alone(corpus_project: Path,
                                                          run_cli: Runner) -> None:
    folder = corpus_project / "articles"
    latin1 = folder / "latin.md"
    latin1.write_bytes(b"---\ntitle: Caf\xe9  \n---\n## Overview  \n")
    clean = folder / "asthma.md"
    stamp = clean.stat().st_mtime_ns
    link = folder / "linked.md"
    link.symlink_to("vaccination.md")
    target = folder / "vaccination.md"
    target.write_text(target.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    fix(run_cli, corpus_project)
    assert latin1.read_bytes() == b"---\ntitle: Caf\xe9  \n---\n## Overview  \n"
    assert clean.stat().st_mtime_ns == stamp  # nothing to fix: not written
    assert link.is_symlink()


def test_unloadable_file_only_gets_its_final_newline(project: Path) -> None:
    config = load_config(project)
    data = b"no front matter  \r\n\r\ntext"
    fixed, fixes = fix_bytes(data, "x.md", "x", config, {})
    assert fixed == b"no front matter  \r\n\r\ntext\r\n"
    assert [f.code for f in fixes] == ["SRC018"]


def test_lines_split_as_the_loader_counts_them() -> None:
    lines = split_lines("a\r\nb\rc\nd")
    assert [(x.text, x.end) for x in lines] == [("a", "\r\n"), ("b", "\r"), ("c", "\n"),
                                               ("d", "")]
    assert split_lines("") == []


def test_fix_only_the_changed_files(corpus_project: Path, run_cli: Runner) -> None:
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
                       cwd=corpus_project, check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "base")
    other = corpus_project / "articles" / "vaccination.md"
    linking = corpus_project / "articles" / "type-2-diabetes.md"
    for untidy in (other, linking):
        untidy.write_text(untidy.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    git("commit", "-qam", "untidy but committed before the base")
    git("tag", "base")
    path = corpus_project / ASTHMA
    path.write_text(broken(CLEAN), encoding="utf-8")
    git("rm", "-q", "articles/metformin.md")  # type-2-diabetes links to it: checked, not fixed
    code, out, _ = fix(run_cli, corpus_project, "--changed-since", "base")
    assert path.read_text(encoding="utf-8") == CLEAN
    assert {line.split(":")[0] for line in fixed_lines(out)} == {ASTHMA}
    assert code == 1 and "articles/type-2-diabetes.md:" in out and "LNK101" in out
    assert other.read_text(encoding="utf-8").endswith("\n\n\n")
    assert linking.read_text(encoding="utf-8").endswith("\n\n\n")
