"""Golden files: the fixture site in `tests/golden/articles/` (three small articles that link
to each other) rendered to HTML and JSON must equal `tests/golden/expected/` byte for byte.

After an intended change to the templates or the renderers, regenerate the expected files:

    UPDATE_GOLDEN=1 python -m pytest tests/golden

then read the diff of `tests/golden/expected/` before committing it.
"""

from __future__ import annotations

import difflib
import os
import shutil

from tests.golden import EXPECTED, load_corpus, render_site, write_site


def test_fixture_site_matches_golden_files() -> None:
    outputs = render_site(load_corpus())
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(EXPECTED, ignore_errors=True)
        write_site(outputs, EXPECTED)
    expected = {p.relative_to(EXPECTED).as_posix(): p.read_bytes()
                for p in sorted(EXPECTED.rglob("*")) if p.is_file()}
    assert sorted(outputs) == sorted(expected), "files differ; UPDATE_GOLDEN=1 regenerates"
    for relative, data in outputs.items():
        if data != expected[relative]:
            diff = difflib.unified_diff(
                expected[relative].decode("utf-8").splitlines(),
                data.decode("utf-8").splitlines(), f"expected/{relative}", "rendered",
                lineterm="", n=2)
            raise AssertionError(f"{relative} differs from its golden file "
                                 "(UPDATE_GOLDEN=1 regenerates):\n" + "\n".join(list(diff)[:60]))


def test_rendering_is_deterministic() -> None:
    corpus = load_corpus()
    assert render_site(corpus) == render_site(load_corpus())
