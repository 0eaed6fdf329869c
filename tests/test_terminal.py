"""Terminal manners: colour only on a terminal (NO_COLOR, FORCE_COLOR), a summary line, quiet,
statistics, results on stdout and problems of the tool on stderr."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ESC = "\x1b["
SUMMARY = re.compile(r"^Checked (\d+) files?: (\d+) errors?, (\d+) warnings? in \d+\.\d\ds$",
                     re.MULTILINE)


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CI")}
    env["TERM"] = "xterm-256color"
    env.update(extra)
    return env


def piped(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd,
                          capture_output=True, text=True, env=environment(**env), timeout=120)


def on_a_terminal(cwd: Path, *args: str, **env: str) -> tuple[int, str]:
    """Run with stdin, stdout and stderr on a pseudo-terminal; the exit code and the output."""
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=cwd,
                               stdin=follower, stdout=follower, stderr=follower,
                               env=environment(**env), close_fds=True)
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the terminal's other side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    code = process.wait(timeout=120)
    os.close(leader)
    return code, b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.fixture
def untidy(corpus_project: Path) -> Path:
    """The bundled corpus plus one new article: errors and a warning to show."""
    result = piped(corpus_project, "new", "Gout", "--type", "condition")
    assert result.returncode == 0, result.stderr
    return corpus_project


def test_no_colour_when_piped(untidy: Path) -> None:
    result = piped(untidy, "check")
    assert result.returncode == 1
    assert "MED109" in result.stdout
    assert ESC not in result.stdout + result.stderr


def test_colour_on_a_terminal(untidy: Path) -> None:
    code, output = on_a_terminal(untidy, "check")
    assert code == 1
    assert f"{ESC}31merror{ESC}0m" in output
    assert "MED109" in output


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"TERM": "dumb"},
                                 {"NO_COLOR": "1", "FORCE_COLOR": "1"}])
def test_no_colour_on_a_terminal_when_asked(env: dict[str, str], untidy: Path) -> None:
    code, output = on_a_terminal(untidy, "check", **env)
    assert code == 1 and "MED109" in output
    assert ESC not in output


def test_force_colour_when_piped(untidy: Path) -> None:
    result = piped(untidy, "check", FORCE_COLOR="1")
    assert f"{ESC}31merror{ESC}0m" in result.stdout


def test_machine_formats_never_coloured(untidy: Path) -> None:
    for fmt in ("json", "github", "sarif", "junit", "concise"):
        code, output = on_a_terminal(untidy, "check", "--format", fmt, "--quiet")
        assert code == 1 and ESC not in output, fmt


def test_summary_line(untidy: Path) -> None:
    result = piped(untidy, "check")
    lines = result.stdout.splitlines()
    match = SUMMARY.fullmatch(lines[-1])
    assert match is not None, lines[-1]
    assert match.group(1) == "15"
    errors = sum(1 for line in lines if " [error] " in line)
    warnings = sum(1 for line in lines if " [warning] " in line)
    assert (int(match.group(2)), int(match.group(3))) == (errors, warnings)
    one = piped(untidy, "check", "articles/asthma.md")
    assert SUMMARY.search(one.stdout).group(0).startswith(  # type: ignore[union-attr]
        "Checked 1 file: 0 errors, 0 warnings in ")


def test_quiet_prints_only_the_diagnostics(untidy: Path) -> None:
    loud = piped(untidy, "check")
    quiet = piped(untidy, "check", "--quiet")
    assert quiet.returncode == loud.returncode == 1
    assert quiet.stdout == loud.stdout.rsplit("Checked ", 1)[0]
    assert quiet.stderr == ""
    clean = piped(untidy, "check", "-q", "articles/asthma.md")
    assert clean.returncode == 0 and clean.stdout == clean.stderr == ""


def test_statistics_count_each_rule(untidy: Path) -> None:
    result = piped(untidy, "check", "--statistics", "articles/gout.md")
    text = (untidy / "articles" / "gout.md").read_text(encoding="utf-8")
    placeholders = sum(1 for line in text.splitlines() if "TODO" in line)
    rows = [line for line in result.stdout.splitlines() if re.match(r"^ +\d+  [A-Z]+\d+  ", line)]
    assert rows[0] == f"{placeholders:6d}  MED109  placeholder-text [error]"
    assert sorted(rows) == sorted(set(rows))
    as_json = piped(untidy, "check", "--statistics", "--format", "json", "articles/gout.md")
    json.loads(as_json.stdout)  # statistics go to stderr, the JSON stays whole
    assert f"{placeholders:6d}  MED109  placeholder-text [error]" in as_json.stderr


def test_results_on_stdout_and_problems_on_stderr(untidy: Path, tmp_path: Path) -> None:
    as_json = piped(untidy, "check", "--format", "json")
    assert json.loads(as_json.stdout)["summary"]["files"] == 15
    assert SUMMARY.search(as_json.stderr)  # the human summary stays out of the JSON
    report = tmp_path / "report.txt"
    to_file = piped(untidy, "check", "--output", str(report))
    assert to_file.stdout == "" and "MED109" in report.read_text(encoding="utf-8")
    assert SUMMARY.search(to_file.stderr)
    usage = piped(untidy, "check", "--format", "yaml")
    assert usage.returncode == 2 and usage.stdout == "" and "--format" in usage.stderr
    (untidy / "pyproject.toml").write_text("[tool.pipeline]\nbogus = 1\n", encoding="utf-8")
    config = piped(untidy, "check")
    assert config.returncode == 2 and config.stdout == ""
    assert "configuration error" in config.stderr and "bogus" in config.stderr


def test_fix_lines_follow_the_report(untidy: Path) -> None:
    path = untidy / "articles" / "asthma.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    text = piped(untidy, "check", "--fix", "articles/asthma.md")
    assert "articles/asthma.md:" in text.stdout and ": fixed SRC018 " in text.stdout
    path.write_text(path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    machine = piped(untidy, "check", "--fix", "--format", "sarif", "articles/asthma.md")
    json.loads(machine.stdout)
    assert ": fixed SRC018 " in machine.stderr


def test_new_reports_on_the_right_streams(untidy: Path) -> None:
    done = piped(untidy, "new", "Sleep", "--type", "topic")
    assert done.returncode == 0 and "articles/sleep.md" in done.stdout and done.stderr == ""
    refused = piped(untidy, "new", "Sleep", "--type", "topic")
    assert refused.returncode == 1 and refused.stdout == "" and "exists" in refused.stderr


def test_a_closed_pipe_is_not_a_crash(untidy: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "pipeline", "check"], cwd=untidy,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=environment())
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before the first line is written
    error = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "Traceback" not in error
