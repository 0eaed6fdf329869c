"""The issue's acceptance checks, run through the real command line on the bundled corpus.

Each defect is made in a copy of the 14 bundled articles; `pipeline check` must exit 1 and
report the right code on the line where the defect is.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Runner

ADVERT = ("Ad.Tired of being Overweight? Try W8MD's physician weight loss program.\n"
          "Semaglutide (Ozempic / Wegovy and Tirzepatide (Mounjaro) available.\n"
          "Advertise on WikiMD\n")


def edit(project: Path, slug: str, old: str, new: str) -> Path:
    path = project / "articles" / f"{slug}.md"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


def check(run_cli: Runner, project: Path) -> tuple[int, list[str]]:
    """Exit code and the diagnostic lines (`path:line:column: CODE [severity] message`)."""
    done = run_cli(project, "check", "articles", "--quiet")
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, [out for out in done.stdout.splitlines()
                             if out.startswith("articles/")]


# -- the defects, each returning the `path:line:column: CODE` it must produce --------------------


def non_commercial_image(project: Path) -> str:
    path = edit(project, "asthma", "    license: CC-BY-SA-4.0\ncategories",
                "    license: CC-BY-NC-4.0\ncategories")
    return f"articles/asthma.md:{line_of(path, 'license: CC-BY-NC-4.0')}:14: LIC102"


def uncredited_image(project: Path) -> str:
    path = edit(project, "hypertension", "## Symptoms\n",
                "## Symptoms\n\n![Narrowed airway](images/asthma-airway.svg)\n")
    return f"articles/hypertension.md:{line_of(path, '](images/asthma-airway.svg)')}:1: CRD101"


def unused_credit(project: Path) -> str:
    path = project / "articles" / "type-2-diabetes.md"
    image = next(line for line in path.read_text(encoding="utf-8").splitlines()
                 if "](images/insulin-resistance.svg)" in line)
    edit(project, "type-2-diabetes", image + "\n", "")
    return f"articles/type-2-diabetes.md:{line_of(path, 'file: insulin-resistance.svg')}:11: " \
           "CRD102"


def see_also_to_a_missing_article(project: Path) -> str:
    path = edit(project, "influenza", "## See Also\n",
                "## See Also\n\n- [Coeliac disease](coeliac-disease.md)")
    return f"articles/influenza.md:{line_of(path, '(coeliac-disease.md)')}:3: LNK101"


def pasted_advert(project: Path, before: str = "## Causes\n") -> str:
    path = edit(project, "immune-dysregulation", before, ADVERT + "\n" + before)
    return (f"articles/immune-dysregulation.md:{line_of(path, 'Ad.Tired')}:1: TRS104\n"
            f"articles/immune-dysregulation.md:{line_of(path, 'Advertise on')}:1: TRS104")


DEFECTS = {"non-commercial image": (non_commercial_image, "error"),
           "uncredited image": (uncredited_image, "error"),
           "unused credit": (unused_credit, "error"),
           "See Also link to a missing article": (see_also_to_a_missing_article, "error"),
           "pasted advert": (pasted_advert, "error")}


def test_the_bundled_corpus_is_clean(run_cli: Runner, corpus_project: Path) -> None:
    done = run_cli(corpus_project, "check", "articles")
    assert done.returncode == 0, done.stdout
    assert "14 files: 0 errors, 0 warnings" in done.stdout


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_each_defect_fails_the_check_on_its_line(run_cli: Runner, corpus_project: Path,
                                                 defect: str) -> None:
    make_defect, severity = DEFECTS[defect]
    expected = make_defect(corpus_project).splitlines()
    code, lines = check(run_cli, corpus_project)
    assert code == 1
    assert [out.split(" [")[0] for out in lines] == expected
    assert all(f" [{severity}] " in out for out in lines)


@pytest.mark.parametrize("before", ["## Diagnosis\n", "## Treatment\n"])
def test_an_advert_is_found_wherever_it_is_pasted(run_cli: Runner, corpus_project: Path,
                                                  before: str) -> None:
    expected = pasted_advert(corpus_project, before).splitlines()
    code, lines = check(run_cli, corpus_project)
    assert code == 1
    assert [out.split(" [")[0] for out in lines] == expected


def test_all_defects_together(run_cli: Runner, corpus_project: Path) -> None:
    expected = sorted(line for make_defect, _ in DEFECTS.values()
                      for line in make_defect(corpus_project).splitlines())
    code, lines = check(run_cli, corpus_project)
    assert code == 1
    assert sorted(out.split(" [")[0] for out in lines) == expected
