"""Loading WeasyPrint: its C libraries are looked up in the linker's cache, read once,
instead of ldconfig, gcc and ld for each of the names WeasyPrint tries; when that finds
nothing, WeasyPrint is imported the usual way. Each case runs in a fresh interpreter, where
WeasyPrint has not been imported yet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Counts the commands the import starts, then makes a PDF with the loaded libraries.
COUNTED = """
import sys
started = []
sys.addaudithook(lambda event, args: started.append(str(args[1][0]))
                 if event == "subprocess.Popen" else None)
{prepare}
from pipeline.extras import PDF, load
load(PDF)
commands = list(started)
from weasyprint import HTML
pdf = HTML(string="<p>Hello</p>").write_pdf()
print(len(commands), sorted(set(commands)), pdf[:5])
"""


def _run(prepare: str = "") -> tuple[str, str]:
    done = subprocess.run([sys.executable, "-c", COUNTED.format(prepare=prepare)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip(), done.stderr


@pytest.mark.skipif(not Path("/sbin/ldconfig").exists(), reason="needs glibc's ldconfig")
def test_weasyprint_loads_with_one_reading_of_the_linker_cache() -> None:
    out, _ = _run()
    assert out == "1 ['/sbin/ldconfig'] b'%PDF-'", out
    # the usual way runs ldconfig, gcc or ld again and again for the names it cannot open
    usual, _ = _run("import weasyprint")
    assert int(usual.split()[0]) > 5, usual


FLAKY = """
import ctypes.util, importlib
import pipeline.extras as extras
usual = ctypes.util.find_library
calls = []

def flaky(name):  # the quick import fails once, as it would if a library were missing
    calls.append("usual lookup" if ctypes.util.find_library is usual else "linker cache")
    if len(calls) == 1:
        print("WeasyPrint could not import some external libraries.")
        raise OSError("cannot load library 'gobject-2.0-0'")
    return importlib.import_module(name)

extras.importlib = type("Imports", (), {"import_module": staticmethod(flaky)})
module = extras.load(extras.PDF)
print(calls, module.__name__, ctypes.util.find_library is usual)
"""


def test_when_the_quick_way_fails_weasyprint_is_imported_the_usual_way() -> None:
    done = subprocess.run([sys.executable, "-c", FLAKY], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    # the advice printed by the failed attempt is not shown; the lookup is put back
    assert done.stdout.strip() == "['linker cache', 'usual lookup'] weasyprint True"


def test_a_missing_weasyprint_is_still_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "weasyprint.py"
    blocker.write_text("raise ImportError('no weasyprint here')\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", "from pipeline.extras import PDF, problem\n"
                           "print(problem(PDF))"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False,
                          env={"PYTHONPATH": f"{tmp_path}:{ROOT}", "PATH": "/usr/bin:/bin"})
    assert done.stdout.strip() == "ImportError: no weasyprint here", done.stdout + done.stderr
